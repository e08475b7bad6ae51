"""Charts of one educator's ratings, shown on the dashboards and in the growth plan PDF, and the
SVG of a leader's charts kept with the summary they draw."""

from dataclasses import replace

from sqlalchemy import exc, select, update

from pdplanner.accounts.models import User
from pdplanner.assessments.models import Cycle, RaterKind, Rating
from pdplanner.assessments.queries import rating_history
from pdplanner.core.charts import Chart, Series, domain_means_chart, radar_chart, to_svg
from pdplanner.core.gaps import domain_means, levels_by_educator
from pdplanner.core.types import RatingRecord
from pdplanner.dashboards.models import SchoolSummary
from pdplanner.dashboards.queries import LeaderDashboard, leader_charts
from pdplanner.extensions import db
from pdplanner.framework.models import Competency
from pdplanner.planning.queries import planning_settings


def profile_chart(cycle: Cycle, educator: User) -> Chart:
    """Self and coach levels per competency in one cycle, against the target. A verified goal's
    evidence rating stands for the coach's, as in the planner."""
    competencies = cycle.framework.competencies
    levels: dict[tuple[str, RaterKind], int | None] = {}
    for code, kind, level in db.session.execute(
            select(Competency.code, Rating.kind, Rating.level).join(Rating.competency)
            .where(Rating.cycle_id == cycle.id, Rating.educator_id == educator.id)
            .order_by(Rating.updated_at)).all():
        levels[(code, kind)] = level
    mine = {code: level for (code, kind), level in levels.items() if kind == RaterKind.SELF}
    # The evidence rating is newer than the coach's: it wins where both exist.
    theirs = ({code: level for (code, kind), level in levels.items() if kind == RaterKind.COACH}
              | {code: level for (code, kind), level in levels.items() if kind == RaterKind.EVIDENCE})
    return radar_chart(
        [c.code for c in competencies],
        [Series("Self", tuple(_level(mine, c.code) for c in competencies)),
         Series("Coach", tuple(_level(theirs, c.code) for c in competencies)),
         Series("Target", tuple(float(cycle.framework.target_level) for _ in competencies))],
        max_level=max(level.value for level in cycle.framework.levels),
        title=f"Profile in {cycle.name}: self and coach levels by competency",
        names=[c.name for c in competencies])


def _level(levels: dict[str, int | None], code: str) -> float | None:
    level = levels.get(code)
    return float(level) if level is not None else None


def growth_chart(cycle: Cycle, educator: User) -> Chart:
    """Domain means (current levels by the district's policy) in every cycle up to this one."""
    cycles, rows = rating_history(educator)
    # Oldest first, so the cycles up to this one are a prefix and the rows' cells still line up.
    cycles = [c for c in cycles if c.opens_on <= cycle.opens_on]
    framework = cycle.framework
    domain_of = {c.code: c.domain.code for c in framework.competencies}
    policy = planning_settings(cycle.district_id).current_level_policy
    # One pass over every cycle: each cycle's position stands as the "educator".
    records = [RatingRecord(index, row.code, rating.kind.value, rating.level)
               for index in range(len(cycles)) for row in rows
               for rating in row.cells[index] if rating is not None]
    levels = levels_by_educator(records, list(domain_of), policy)
    means = [domain_means(levels.get(index, {}), domain_of) for index in range(len(cycles))]
    return domain_means_chart(
        [c.name for c in cycles],
        [Series(d.name, tuple(m.get(d.code) for m in means)) for d in framework.domains],
        max_level=max(level.value for level in framework.levels),
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
