"""Charts of one educator's ratings, shown on the dashboards and in the growth plan PDF, and the
SVG of a leader's charts kept with the summary they draw."""

from dataclasses import replace

from sqlalchemy import exc, select, update

from pdplanner.accounts.models import User
from pdplanner.assessments.models import Cycle, RaterKind
from pdplanner.assessments.queries import RatedCycle, RatingLine, ratings_of
from pdplanner.core.charts import Chart, Series, domain_means_chart, radar_chart, to_svg
from pdplanner.core.gaps import domain_means, levels_by_educator
from pdplanner.core.types import RatingRecord
from pdplanner.dashboards.models import SchoolSummary
from pdplanner.dashboards.queries import LeaderDashboard, leader_charts
from pdplanner.extensions import db
from pdplanner.framework.terms import framework_terms


def educator_charts(cycle: Cycle, educator: User, policy: str) -> tuple[Chart, Chart]:
    """The educator's profile in `cycle` and their growth up to it (`policy`: the district's
    current level policy), from one read of their ratings (`ratings_of`)."""
    cycles, ratings = ratings_of(educator)
    return _profile_chart(cycle, ratings), _growth_chart(cycle, cycles, ratings, policy)


def _profile_chart(cycle: Cycle, ratings: list[RatingLine]) -> Chart:
    """Self and coach levels per competency in one cycle, against the target. A verified goal's
    evidence rating stands for the coach's, as in the planner."""
    terms = framework_terms(cycle.framework_id)
    levels: dict[tuple[str, RaterKind], int | None] = {
        (r.code, r.kind): r.level for r in ratings if r.cycle_id == cycle.id}
    mine = {code: level for (code, kind), level in levels.items() if kind == RaterKind.SELF}
    # The evidence rating is newer than the coach's: it wins where both exist.
    theirs = ({code: level for (code, kind), level in levels.items() if kind == RaterKind.COACH}
              | {code: level for (code, kind), level in levels.items() if kind == RaterKind.EVIDENCE})
    codes = [c.code for c in terms.competencies]
    return radar_chart(
        codes,
        [Series("Self", tuple(_level(mine, code) for code in codes)),
         Series("Coach", tuple(_level(theirs, code) for code in codes)),
         Series("Target", tuple(float(terms.target_level) for _ in codes))],
        max_level=terms.max_level,
        title=f"Profile in {cycle.name}: self and coach levels by competency",
        names=[c.name for c in terms.competencies])


def _level(levels: dict[str, int | None], code: str) -> float | None:
    level = levels.get(code)
    return float(level) if level is not None else None


def _growth_chart(cycle: Cycle, rated: list[RatedCycle], ratings: list[RatingLine], policy: str) -> Chart:
    """Domain means (current levels by the district's policy) in every cycle up to this one
    that the educator has ratings in. Ratings are matched by competency code across framework
    versions, on the codes of the newest version they were rated against."""
    terms = framework_terms(cycle.framework_id)
    codes = {c.code for c in framework_terms(rated[-1].framework_id).competencies} if rated else set()
    shown = [c for c in rated if c.opens_on <= cycle.opens_on]
    # One rating of each kind per cycle and competency, the newest; each cycle's position stands
    # as the "educator" in one pass of the planner's rule.
    index = {c.id: position for position, c in enumerate(shown)}
    latest = {(r.cycle_id, r.code, r.kind): r.level for r in ratings
              if r.cycle_id in index and r.code in codes}
    records = [RatingRecord(index[cycle_id], code, kind.value, level)
               for (cycle_id, code, kind), level in latest.items()]
    domain_of = {c.code: c.domain_code for c in terms.competencies}
    levels = levels_by_educator(records, list(domain_of), policy)
    means = [domain_means(levels.get(position, {}), domain_of) for position in range(len(shown))]
    return domain_means_chart(
        [c.name for c in shown],
        [Series(d.name, tuple(m.get(d.code) for m in means)) for d in terms.domains],
        max_level=terms.max_level,
        title="Growth since baseline: domain means by cycle")


def page_charts(board: LeaderDashboard) -> dict[str, Chart]:
    """`leader_charts` for the page, each with its SVG (id `<name>-chart-svg`, as
    dashboards/_school_figures.html places them) kept in the summary row it draws: the
    district's for the whole district, the school's for one school. Every worker reads the same
    row, and the row goes with its figures. A kept SVG is served only when its digest is the one
    of the chart just built from the figures read (so whatever changed the row, nothing stale or
    drawn for other figures shows); the others are drawn and kept, in a savepoint: if a save holds
    the row or the write lock is busy, the page is drawn all the same without waiting, and the
    next reader keeps them.
    Several schools together have no row of their own: their charts are drawn for each page."""
    charts = leader_charts(board)
    if not board.whole_district and len(board.schools) != 1:
        return charts
    school = SchoolSummary.school_id.is_(None) if board.whole_district else \
        SchoolSummary.school_id == board.schools[0].id
    row = db.session.execute(select(SchoolSummary.id, SchoolSummary.charts)
                             .where(SchoolSummary.cycle_id == board.cycle.id, school)).first()
    if row is None:
        return charts
    kept, drawn, shown = row.charts or {}, {}, {}
    for name, chart in charts.items():
        chart_id = f"{name}-chart-svg"
        digest = chart.digest(chart_id)
        entry = kept.get(name)
        if entry is not None and entry["digest"] == digest:
            svg = entry["svg"]
        else:
            svg = to_svg(chart, chart_id=chart_id)
            drawn[name] = {"digest": digest, "svg": svg}
        shown[name] = replace(chart, svg_id=chart_id, svg=svg)
    if drawn:
        try:
            with db.session.begin_nested():
                # A save refreshing this row holds it until it commits: the page does not wait for
                # it (SKIP LOCKED; SQLite has one writer and does not render the lock).
                if db.session.scalar(select(SchoolSummary.id).where(SchoolSummary.id == row.id)
                                     .with_for_update(skip_locked=True)) is not None:
                    db.session.execute(update(SchoolSummary).where(SchoolSummary.id == row.id)
                                       .values(charts=kept | drawn))
        except exc.OperationalError:
            pass
    return shown
