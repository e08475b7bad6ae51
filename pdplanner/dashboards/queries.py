"""Dashboard reads: school summaries (kept, or computed in bulk when missing) and the measures
built from them. The number of statements depends on the number of cycles asked for, never on
the number of educators or schools in scope."""

from collections.abc import Collection
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import String, delete, func, select, type_coerce
from sqlalchemy.orm import selectinload

from pdplanner.accounts.models import User
from pdplanner.assessments.models import Cycle, CycleStatus
from pdplanner.assessments.queries import CaseloadRow, caseload_status
from pdplanner.core.charts import (
    Chart,
    Series,
    domain_means_chart,
    heatmap_chart,
    lane_distribution_chart,
    participation_chart,
    radar_chart,
)
from pdplanner.core.disclosure import suppress_parts
from pdplanner.core.summaries import (
    SUMMARY_VERSION,
    CohortMeasure,
    SchoolMeasures,
    combine,
    headline,
    school_measures,
)
from pdplanner.dashboards.models import SchoolSummary
from pdplanner.dashboards.services import compute_summaries, district_figures, store_summaries
from pdplanner.extensions import db
from pdplanner.organisation.models import School
from pdplanner.planning.models import ActivityStatus, Cohort, PathActivity, Placement
from pdplanner.planning.queries import (
    cohort_name,
    evidence_queue_length,
    focus_names,
    lane_labels,
)


def summaries(cycle: Cycle, school_ids: Collection[int], *, detail: bool = True) -> dict[int, dict]:
    """school id -> what leaders read of it in `cycle` (the headline only unless `detail`): live
    counts of people and the published rating-derived figures (`core.disclosure.served`). The
    kept ones (saves keep them current: `dashboards.services.refresh`), and the missing ones
    computed together, published if enough changed, and kept (the caller's transaction commits
    them)."""
    wanted = sorted(set(school_ids))
    column = SchoolSummary.figures if detail else SchoolSummary.headline
    kept = {school_id: figures for school_id, figures in db.session.execute(
        select(SchoolSummary.school_id, column)
        .where(SchoolSummary.cycle_id == cycle.id, SchoolSummary.school_id.in_(wanted))).all()
        if figures.get("version") == SUMMARY_VERSION}
    missing = [s for s in wanted if s not in kept]
    if missing:
        fresh = compute_summaries(cycle, missing)
        db.session.execute(delete(SchoolSummary).where(
            SchoolSummary.cycle_id == cycle.id, SchoolSummary.school_id.in_(missing)))
        store_summaries(cycle.id, fresh)
        kept |= fresh if detail else {school_id: headline(f) for school_id, f in fresh.items()}
    return kept


def district_summary(cycle: Cycle) -> dict:
    """The whole district's figures in `cycle` (`dashboards.services.district_figures`: the
    `combine` of its schools' served figures, never live ratings, and the complementary
    suppression of the total and its schools), kept in a row of its own (no school) so the
    district page reads one row, not every school's. Saves move it by their schools' change;
    computed here only when missing."""
    kept = db.session.scalar(select(SchoolSummary.figures).where(
        SchoolSummary.cycle_id == cycle.id, SchoolSummary.school_id.is_(None)))
    if kept is not None and kept.get("version") == SUMMARY_VERSION:
        return kept
    school_ids = db.session.scalars(select(School.id).where(School.district_id == cycle.district_id)).all()
    total = district_figures(summaries(cycle, school_ids))
    db.session.execute(delete(SchoolSummary).where(SchoolSummary.cycle_id == cycle.id,
                                                   SchoolSummary.school_id.is_(None)))
    store_summaries(cycle.id, {None: total})
    return total


def withheld_in_district(cycle: Cycle, school_ids: Collection[int]) -> dict[int, set[str]]:
    """school id -> the paths the district's complementary suppression withholds from it."""
    decided = district_summary(cycle)["withheld"]
    return {school_id: set(decided.get(str(school_id), ())) for school_id in school_ids}


def shown_measures(cycle: Cycle, school_ids: Collection[int], *, detail: bool = True, ratings: bool = True,
                   ) -> tuple[SchoolMeasures, dict[int, SchoolMeasures]]:
    """The measures of some schools together and of each on its own, with the district's
    complementary suppression kept and, for several schools, their total suppressed against
    them in turn. The only way leaders' figures are made (pages, API, PDFs alike)."""
    names, threshold = (competency_names(cycle) if detail else ()), min_group()
    # The district's decision first: it computes every school missing, in one round.
    withheld = withheld_in_district(cycle, school_ids)
    figures = summaries(cycle, school_ids, detail=detail)
    if len(figures) == 1:
        (school_id, only), = figures.items()
        measures = school_measures(only, names, threshold, withheld=withheld[school_id], ratings=ratings)
        return measures, {school_id: measures}
    total = combine(figures.values())
    by_school, from_total = suppress_parts(total, figures, threshold, withheld=withheld)
    return (school_measures(total, names, threshold, withheld=from_total, ratings=ratings),
            {school_id: school_measures(f, names, threshold, withheld=by_school[school_id], ratings=ratings)
             for school_id, f in figures.items()})


def competency_names(cycle: Cycle) -> list[tuple[str, str, str]]:
    """(code, name, domain code) in framework order, as `school_measures` takes them."""
    return [(c.code, c.name, c.domain.code) for c in cycle.framework.competencies]


def min_group() -> int:
    return current_app.config["PRIVACY_MIN_GROUP"]


@dataclass(frozen=True)
class GrowthPoint:
    cycle: Cycle
    domains: dict[str, float | None]       # domain code -> mean current level (None: withheld)


def growth(cycle: Cycle, school_ids: Collection[int] | None) -> list[GrowthPoint]:
    """Domain means of these schools (None: the whole district) in every non-draft cycle of the
    district up to `cycle`, oldest (the baseline) first: growth since baseline."""
    cycles = db.session.scalars(
        select(Cycle).where(Cycle.district_id == cycle.district_id, Cycle.status != CycleStatus.DRAFT,
                            Cycle.opens_on <= cycle.opens_on).order_by(Cycle.opens_on)).all()
    points = []
    for each in cycles:
        if school_ids is None:
            figures = district_summary(each)
            shown = school_measures(figures, (), min_group(), withheld=figures["total_withheld"])
        else:
            shown, _ = shown_measures(each, school_ids, detail=False)
        points.append(GrowthPoint(each, {d: m.value for d, m in shown.domains.items()}))
    return points


def domain_names(cycle: Cycle) -> dict[str, str]:
    return {d.code: d.name for d in cycle.framework.domains}


@dataclass(frozen=True)
class CohortRow:
    cohort: Cohort
    name: str
    figures: CohortMeasure


@dataclass(frozen=True)
class LeaderDashboard:
    """What a principal or district admin sees of some schools (or the whole district) in one
    cycle."""

    cycle: Cycle
    schools: list[School]
    whole_district: bool
    measures: SchoolMeasures                 # all of `schools` together
    by_school: dict[int, SchoolMeasures]     # each school on its own (headline figures), when several
    cohorts: list[CohortRow]                 # listed for a school or a principal's schools
    cohort_count: int
    growth: list[GrowthPoint]
    lane_labels: dict[str, str]
    domain_names: dict[str, str]
    min_group: int


def leader_dashboard(cycle: Cycle, schools: list[School], *, whole_district: bool = False,
                     ratings: bool = True) -> LeaderDashboard:
    """`whole_district`: `schools` are all of the district's, read from the district's own row.
    Without `ratings` (a coach reading a school's figures), every rating-derived figure is
    withheld: a coach knows their caseload's ratings and could subtract them."""
    school_ids = [s.id for s in schools]
    names, threshold = competency_names(cycle), min_group()
    if whole_district:
        figures = district_summary(cycle)
        together = school_measures(figures, names, threshold, withheld=figures["total_withheld"],
                                   ratings=ratings)
        withheld = withheld_in_district(cycle, school_ids)
        # Each school's headline only (its row side by side with the others): no competencies.
        by_school = {school_id: school_measures(f, (), threshold, withheld=withheld[school_id],
                                                ratings=ratings)
                     for school_id, f in summaries(cycle, school_ids, detail=False).items()}
    else:
        together, by_school = shown_measures(cycle, school_ids, ratings=ratings)
        by_school = by_school if len(schools) > 1 else {}
    cohort_figures = {c.id: c for c in together.cohorts}
    labels, focus = lane_labels(cycle.district_id), focus_names(cycle)
    cohorts = db.session.scalars(select(Cohort).options(selectinload(Cohort.coach))
                                 .where(Cohort.id.in_(cohort_figures))
                                 .order_by(Cohort.lane, Cohort.focus, Cohort.key)).all()
    cohort_count = len(cohorts) if not whole_district else db.session.scalar(
        select(func.count()).select_from(Cohort).where(Cohort.cycle_id == cycle.id))
    return LeaderDashboard(
        cycle=cycle, schools=schools, whole_district=whole_district, measures=together, by_school=by_school,
        cohorts=[CohortRow(c, cohort_name(c, focus, labels), cohort_figures[c.id]) for c in cohorts],
        cohort_count=cohort_count, growth=growth(cycle, None if whole_district else school_ids),
        lane_labels=labels, domain_names=domain_names(cycle), min_group=threshold)


# -- a coach --------------------------------------------------------------------------------

@dataclass(frozen=True)
class CaseloadLine:
    status: CaseloadRow
    lane: str | None          # the district's label of their lane in this cycle, if planned
    cohort: str | None


@dataclass(frozen=True)
class LedCohort:
    cohort: Cohort
    name: str
    members: int
    activities_done: int
    activities_total: int


@dataclass(frozen=True)
class CoachDashboard:
    cycle: Cycle
    caseload: list[CaseloadLine]
    cohorts: list[LedCohort]
    queue: int                # activities waiting for this coach's verification
    lane_counts: dict[str, int]

    @property
    def submitted(self) -> int:
        return sum(1 for line in self.caseload if line.status.progress.submitted)

    @property
    def coach_rated(self) -> int:
        return sum(1 for line in self.caseload if line.status.coach_rated)

    @property
    def flagged(self) -> int:
        return sum(1 for line in self.caseload if line.status.flags)


def coach_dashboard(coach: User, cycle: Cycle) -> CoachDashboard:
    rows = caseload_status(coach, cycle)
    labels, names = lane_labels(cycle.district_id), focus_names(cycle)
    placements = {p.educator_id: p for p in db.session.scalars(
        select(Placement).options(selectinload(Placement.cohort))
        .where(Placement.cycle_id == cycle.id, Placement.educator_id.in_([r.educator.id for r in rows])))}
    caseload = []
    for row in rows:
        placement = placements.get(row.educator.id)
        caseload.append(CaseloadLine(
            row, labels.get(placement.lane) if placement else None,
            cohort_name(placement.cohort, names, labels) if placement and placement.cohort else None))
    led = db.session.scalars(select(Cohort).where(Cohort.cycle_id == cycle.id, Cohort.coach_id == coach.id)
                             .order_by(Cohort.lane, Cohort.focus, Cohort.key)).all()
    progress: dict[int, list[int]] = {}
    for cohort_id, status in db.session.execute(
            select(Placement.cohort_id, type_coerce(PathActivity.status, String))
            .join(PathActivity, (PathActivity.educator_id == Placement.educator_id)
                  & (PathActivity.cycle_id == Placement.cycle_id))
            .where(Placement.cohort_id.in_([c.id for c in led]))).all():
        counts = progress.setdefault(cohort_id, [0, 0])   # done, all
        counts[0] += status in (ActivityStatus.DONE.value, ActivityStatus.VERIFIED.value)
        counts[1] += 1
    members = dict(db.session.execute(
        select(Placement.cohort_id, func.count(Placement.id))
        .where(Placement.cohort_id.in_([c.id for c in led])).group_by(Placement.cohort_id)).all())
    lanes = {labels[lane]: sum(1 for p in placements.values() if p.lane == lane) for lane in labels}
    return CoachDashboard(
        cycle, caseload,
        [LedCohort(c, cohort_name(c, names, labels), members.get(c.id, 0), *progress.get(c.id, [0, 0]))
         for c in led],
        evidence_queue_length(coach, cycle), lanes)


# -- charts of a leader's dashboard, for the page and the PDF alike --------------------------

def leader_charts(board: LeaderDashboard) -> dict[str, Chart]:
    """The charts of a principal's or district admin's figures, described once for the page (SVG,
    kept with the summary: `dashboards.charts.page_charts`) and the readiness and district PDFs.
    Withheld figures stay out of the drawings (hatched, and left out where a whole competency or
    cohort is withheld, with a note of how many) and read "fewer than N" in the data tables."""
    m, framework = board.measures, board.cycle.framework
    max_level = max(level.value for level in framework.levels)
    withheld = f"fewer than {board.min_group}"
    charts = {
        "participation": participation_chart(
            ["Self-assessment started", "Self-assessment submitted", "Rated by a coach",
             "Shared with the principal"],
            [m.started, m.submitted, m.coach_rated, m.shared], [m.educators] * 4,
            title=f"Participation in {board.cycle.name}", label_name="Step"),
        "lanes": lane_distribution_chart(
            [(label, m.lanes.get(lane, 0)) for lane, label in board.lane_labels.items()],
            title=f"Lanes in {board.cycle.name}"),
        "profile": radar_chart(
            [c.code for c in m.competencies],
            [Series("Self (mean)", tuple(c.self_mean.value for c in m.competencies)),
             Series("Coach (mean)", tuple(c.coach_mean.value for c in m.competencies)),
             Series("Target", tuple(float(framework.target_level) for _ in m.competencies))],
            max_level=max_level, title=f"Competency profile in {board.cycle.name}: self and coach means",
            names=[c.name for c in m.competencies]),
        "growth": domain_means_chart(
            [p.cycle.name for p in board.growth],
            [Series(name, tuple(p.domains.get(code) for p in board.growth))
             for code, name in board.domain_names.items()],
            max_level=max_level, title="Growth since baseline: mean current level by domain"),
    }
    if board.cohorts:
        charts["heatmap"] = heatmap_chart(
            [c.code for c in m.competencies], [row.name for row in board.cohorts],
            [[_cohort_level(row, c.code) for row in board.cohorts] for c in m.competencies],
            max_level=max_level, missing_label=withheld, row_nouns=("competency", "competencies"),
            column_nouns=("cohort", "cohorts"),
            hidden_reason=f"every figure there is withheld, because it covers fewer than {board.min_group} "
                          "people who do not share their ratings or would give such a figure away",
            title=f"Mean current level by competency and cohort, {board.cycle.name}")
    return charts


def _cohort_level(row: CohortRow, code: str) -> float | None:
    measure = row.figures.levels.get(code)
    return measure.value if measure is not None else None
