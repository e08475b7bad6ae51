"""Report reads: the database's rows turned into the plain values reports/pdf.py prints."""

from pdplanner.accounts.models import User
from pdplanner.assessments.models import Cycle, RaterKind
from pdplanner.assessments.queries import rating_history, ratings_by_code
from pdplanner.core.charts import Chart, Series, domain_means_chart, radar_chart
from pdplanner.core.gaps import LEVEL_TOLERANCE, domain_means, educator_levels
from pdplanner.core.types import RatingRecord
from pdplanner.planning.models import GoalStatus, PathActivity
from pdplanner.planning.queries import EducatorPlan, GoalPlan, planning_settings
from pdplanner.reports.pdf import GrowthPlan, PlanActivity, PlanGoal, long_date


def growth_plan(plan: EducatorPlan, *, detail: bool, ratings_visible: bool) -> GrowthPlan:
    """The growth plan PDF's content for one viewer. `detail` (goal levels, whys, evidence and
    reflections) and `ratings_visible` (the rating charts and strengths) follow the plan page's
    and the API's rules; the caller decides them."""
    cycle, educator, placement = plan.cycle, plan.educator, plan.placement
    cohort = plan.cohort
    return GrowthPlan(
        educator=educator.name, school=", ".join(s.name for s in educator.schools), cycle=cycle.name,
        cycle_dates=f"{long_date(cycle.opens_on)} to {long_date(cycle.closes_on)}",
        has_plan=placement is not None,
        lane=plan.lane_label, lane_why=placement.why if placement else "",
        lane_overridden=bool(placement and placement.override_lane),
        cohort=cohort.name if cohort else "",
        cohort_coach=cohort.cohort.coach.name if cohort and cohort.cohort.coach else "",
        cohort_why=cohort.cohort.why if cohort else "",
        cohort_members=tuple(m.name for m in cohort.members) if cohort else (),
        individual_reason=placement.individual_reason if placement else "",
        goals=tuple(_goal(g, plan, detail) for g in plan.goals),
        other_activities=tuple(_activity(a, detail) for a in plan.other_activities),
        strengths=strengths(cycle, educator) if ratings_visible else None,
        charts=(profile_chart(cycle, educator), growth_chart(cycle, educator)) if ratings_visible else (),
        hidden_note=_hidden_note(educator, cycle, detail, ratings_visible),
    )


def _hidden_note(educator: User, cycle: Cycle, detail: bool, ratings_visible: bool) -> str:
    if not detail:
        return (f"Goal levels, the reasons for each goal, evidence and reflections are not shown: "
                f"{educator.name} has not shared the ratings of {cycle.name} with their principal.")
    if not ratings_visible:
        return f"Ratings are not shown: they are private to {educator.name} and their coaches."
    return ""


def _goal(goal_plan: GoalPlan, plan: EducatorPlan, detail: bool) -> PlanGoal:
    goal, competency, cycle = goal_plan.goal, goal_plan.competency, plan.cycle
    start = (f"{plan.levels.get(goal.from_level, 'Level')} ({goal.from_level})" if goal.from_level
             else "not yet observed")
    criteria = [d.text for d in competency.descriptors if d.level == goal.to_level] if competency else []
    return PlanGoal(
        code=goal.competency_code, name=competency.name if competency else "",
        from_level=start if detail else None,
        to_level=f"{plan.levels.get(goal.to_level, 'Level')} ({goal.to_level})" if detail else None,
        due=long_date(cycle.closes_on),
        why=goal.why if detail else None,
        success=criteria[0] if detail and criteria else "",
        met=goal.status == GoalStatus.VERIFIED,
        activities=tuple(_activity(a, detail) for a in goal_plan.activities))


def _activity(activity: PathActivity, detail: bool) -> PlanActivity:
    resource = activity.resource
    return PlanActivity(
        title=resource.title, kind=resource.kind.label, hours=resource.hours, status=activity.status.label,
        evidence=bool(activity.evidence_url or activity.evidence_file_id) if detail else None,
        reflection=bool(activity.reflection.strip()) if detail else None)


def strengths(cycle: Cycle, educator: User) -> tuple[str, ...]:
    """"COG.1 Content and learning progressions" for each competency whose current level in
    this cycle (the district's policy) reaches the framework's target."""
    competencies = cycle.framework.competencies
    levels = educator_levels(_cycle_records(cycle, educator), [c.code for c in competencies],
                             planning_settings(cycle.district_id).current_level_policy)
    reached = cycle.framework.target_level - LEVEL_TOLERANCE
    return tuple(f"{c.code} {c.name}" for c in competencies if levels.get(c.code, 0) >= reached)


def _cycle_records(cycle: Cycle, educator: User) -> list[RatingRecord]:
    return [RatingRecord(educator.id, code, kind.value, rating.level, rating.interest)
            for kind in RaterKind for code, rating in ratings_by_code(cycle, educator, kind).items()]


def profile_chart(cycle: Cycle, educator: User) -> Chart:
    """Self and coach levels per competency in one cycle, against the target. A verified goal's
    evidence rating stands for the coach's, as in the planner."""
    competencies = cycle.framework.competencies
    mine = ratings_by_code(cycle, educator, RaterKind.SELF)
    # The evidence rating is newer than the coach's: it wins where both exist.
    theirs = (ratings_by_code(cycle, educator, RaterKind.COACH)
              | ratings_by_code(cycle, educator, RaterKind.EVIDENCE))
    return radar_chart(
        [c.code for c in competencies],
        [Series("Self", tuple(_level(mine, c.code) for c in competencies)),
         Series("Coach", tuple(_level(theirs, c.code) for c in competencies)),
         Series("Target", tuple(float(cycle.framework.target_level) for _ in competencies))],
        max_level=max(level.value for level in cycle.framework.levels),
        title=f"Profile in {cycle.name}: self and coach levels by competency")


def _level(ratings: dict, code: str) -> float | None:
    rating = ratings.get(code)
    return float(rating.level) if rating is not None and rating.level is not None else None


def growth_chart(cycle: Cycle, educator: User) -> Chart:
    """Domain means (current levels by the district's policy) in every cycle up to this one."""
    cycles, rows = rating_history(educator)
    # Oldest first, so the cycles up to this one are a prefix and the rows' cells still line up.
    cycles = [c for c in cycles if c.opens_on <= cycle.opens_on]
    framework = cycle.framework
    domain_of = {c.code: c.domain.code for c in framework.competencies}
    policy = planning_settings(cycle.district_id).current_level_policy
    means = []
    for index in range(len(cycles)):
        records = [RatingRecord(educator.id, row.code, rating.kind.value, rating.level)
                   for row in rows for rating in row.cells[index] if rating is not None]
        means.append(domain_means(educator_levels(records, list(domain_of), policy), domain_of))
    return domain_means_chart(
        [c.name for c in cycles],
        [Series(d.name, tuple(m.get(d.code) for m in means)) for d in framework.domains],
        max_level=max(level.value for level in framework.levels),
        title="Growth since baseline: domain means by cycle")
