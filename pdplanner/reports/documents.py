"""What the PDF reports are built from: the growth plan and the leader report (the school
readiness report and the district summary), worded as the pages word them."""

from pdplanner.accounts.models import User
from pdplanner.assessments.models import Cycle, RaterKind
from pdplanner.assessments.queries import ratings_by_code
from pdplanner.core.charts import Chart
from pdplanner.core.gaps import LEVEL_TOLERANCE, levels_by_educator
from pdplanner.core.types import RatingRecord
from pdplanner.dashboards.charts import educator_charts
from pdplanner.dashboards.queries import LeaderDashboard
from pdplanner.permissions import PersonView
from pdplanner.planning.models import GoalStatus, PathActivity
from pdplanner.planning.queries import EducatorPlan, GoalPlan, planning_settings
from pdplanner.reports.pdf import (
    NOT_SHOWN,
    FiguresTable,
    GrowthPlan,
    LeaderReport,
    PlanActivity,
    PlanGoal,
    long_date,
)

# -- the growth plan PDF ---------------------------------------------------------------------

def growth_plan(plan: EducatorPlan) -> GrowthPlan:
    """The growth plan PDF's content for the plan's viewer (`plan.view`, permissions.person_view):
    goal levels, whys, lane numbers, evidence and reflections with the levels; the rating charts
    and strengths with the ratings."""
    cycle, educator, placement = plan.cycle, plan.educator, plan.placement
    cohort, view = plan.cohort, plan.view
    detail, ratings_visible = view.levels, view.ratings
    return GrowthPlan(
        educator=educator.name, school=", ".join(s.name for s in educator.schools), cycle=cycle.name,
        cycle_dates=f"{long_date(cycle.opens_on)} to {long_date(cycle.closes_on)}",
        has_plan=placement is not None,
        lane=plan.lane_label, lane_why=plan.lane_why,
        lane_overridden=bool(placement and placement.override_lane),
        cohort=cohort.name if cohort else "",
        cohort_coach=cohort.cohort.coach.name if cohort and cohort.cohort.coach else "",
        cohort_why=(cohort.why or "") if cohort else "",
        cohort_members=tuple(m.name for m in cohort.members) if cohort else (),
        individual_reason=plan.individual_reason,
        goals=tuple(_goal(g, plan) for g in plan.goals),
        other_activities=tuple(_activity(a, view) for a in plan.other_activities),
        strengths=strengths(cycle, educator) if ratings_visible else None,
        charts=(educator_charts(cycle, educator, plan.settings.current_level_policy)
                if ratings_visible else ()),
        hidden_note=_hidden_note(educator, cycle, detail, ratings_visible),
        basis=" ".join(text for text in (plan.basis, plan.status) if text),
    )


def _hidden_note(educator: User, cycle: Cycle, detail: bool, ratings_visible: bool) -> str:
    if not detail:
        return (f"Goal levels, the reasons for each goal, evidence and reflections are not shown: "
                f"{educator.name} has not shared the ratings of {cycle.name} with their principal.")
    if not ratings_visible:
        return f"Ratings are not shown: they are private to {educator.name} and their coaches."
    return ""


def _goal(goal_plan: GoalPlan, plan: EducatorPlan) -> PlanGoal:
    goal, competency, cycle, detail = goal_plan.goal, goal_plan.competency, plan.cycle, plan.view.levels
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
        activities=tuple(_activity(a, plan.view) for a in goal_plan.activities))


def _activity(activity: PathActivity, view: PersonView) -> PlanActivity:
    """Which catalogue activity it is only with the levels (it tells the levels it suits)."""
    resource, shown, detail = activity.resource, view.levels, view.evidence
    return PlanActivity(
        title=resource.title if shown else NOT_SHOWN, kind=resource.kind.label if shown else "",
        hours=resource.hours if shown else None, status=activity.status.label,
        evidence=bool(activity.evidence_url or activity.evidence_file_id) if detail else None,
        reflection=bool(activity.reflection.strip()) if detail else None)


def strengths(cycle: Cycle, educator: User) -> tuple[str, ...]:
    """"COG.1 Content and learning progressions" for each competency whose current level in
    this cycle (the district's policy) reaches the framework's target."""
    competencies = cycle.framework.competencies
    policy = planning_settings(cycle.district_id).current_level_policy
    levels = levels_by_educator(_cycle_records(cycle, educator), [c.code for c in competencies],
                                policy).get(educator.id, {})
    reached = cycle.framework.target_level - LEVEL_TOLERANCE
    return tuple(f"{c.code} {c.name}" for c in competencies if levels.get(c.code, 0) >= reached)


def _cycle_records(cycle: Cycle, educator: User) -> list[RatingRecord]:
    return [RatingRecord(educator.id, code, kind.value, rating.level, rating.interest)
            for kind in RaterKind for code, rating in ratings_by_code(cycle, educator, kind).items()]


# -- the school readiness report and the district summary --------------------------------------

def leader_report(board: LeaderDashboard, charts: dict[str, Chart]) -> LeaderReport:
    """A LeaderDashboard as a report: the figures worded as the dashboards word them, so the
    page, the PDF and the API agree. The whole district gets its schools side by side; a school
    gets its cohorts."""
    m, cycle, threshold = board.measures, board.cycle, board.min_group
    where = (board.schools[0].district.name if board.whole_district
             else ", ".join(s.name for s in board.schools))
    lanes = "; ".join(f"{label}: {m.lanes.get(lane, 0)}" for lane, label in board.lane_labels.items())
    tables = []
    if board.whole_district:
        schools = [(s.name, board.by_school[s.id]) for s in board.schools]
        figures = 3 + len(board.lane_labels)
        tables.append(FiguresTable(
            "Schools side by side",
            ("School", "Educators", "Submitted", *board.lane_labels.values(), "Readiness"),
            tuple((name, str(f.educators), f.submitted_text,
                   *(str(f.lanes.get(lane, 0)) for lane in board.lane_labels),
                   f.readiness.text(threshold, share=True)) for name, f in schools),
            widths=_side_by_side_widths(figures), numeric=tuple(range(1, figures + 1))))
        tables.append(FiguresTable(
            "Domain means by school", ("School", *board.domain_names.values()),
            tuple((name, *(f.domains[code].text(threshold) if code in f.domains else "no ratings"
                           for code in board.domain_names)) for name, f in schools),
            widths=_side_by_side_widths(len(board.domain_names)),
            numeric=tuple(range(1, len(board.domain_names) + 1)),
            note="The mean current level of each domain."))
    tables.append(FiguresTable(
        "Competencies", ("Competency", "Self mean", "Coach mean", "Current mean", "At target", "Goals set"),
        tuple((f"{c.code} {c.name}", c.self_mean.text(threshold), c.coach_mean.text(threshold),
               c.current_mean.text(threshold), c.at_target.text(threshold, share=True),
               str(m.goal_focus.get(c.code, 0))) for c in m.competencies),
        widths=(0.40, 0.12, 0.12, 0.12, 0.12, 0.12), numeric=(1, 2, 3, 4, 5),
        note="Current mean: the district's current-level policy over self and coach ratings."))
    if not board.whole_district:
        tables.append(FiguresTable(
            "Cohorts", ("Cohort", "Coach", "Status", "Members", "Readiness", "Goals met", "Activities done"),
            tuple((row.name, row.cohort.coach.name if row.cohort.coach else "No coach yet",
                   row.cohort.status.value, str(row.figures.members),
                   row.figures.readiness.text(threshold, share=True),
                   f"{row.figures.goals_met} of {row.figures.goals_total}",
                   f"{row.figures.activities_done} of {row.figures.activities_total}")
                  for row in board.cohorts),
            widths=(0.25, 0.15, 0.10, 0.10, 0.14, 0.12, 0.14), numeric=(3, 4, 5, 6)))
    return LeaderReport(
        title="District summary" if board.whole_district else "School readiness report",
        subtitle=f"{where} · {cycle.name}",
        facts=(("District" if board.whole_district else "School", where),
               ("Cycle", f"{cycle.name} ({long_date(cycle.opens_on)} to {long_date(cycle.closes_on)})"),
               ("Educators", str(m.educators)),
               ("Self-assessments submitted", m.submitted_text),
               ("Rated by a coach", str(m.coach_rated)),
               ("Lanes", f"{lanes}; not planned yet: {max(m.educators - m.planned, 0)}"),
               ("Mean readiness", m.readiness.text(threshold, share=True)),
               ("Goals met", f"{m.goals_met} of {m.goals_total}"),
               ("Activities done", f"{m.activities_done} of {m.activities_total} "
                                   f"({m.activities_verified} verified by a coach)"),
               ("Cohorts", str(board.cohort_count))),
        privacy_note=(f"Means and shares count submitted self-assessments only and change only once "
                      f"{threshold} people who do not share their ratings have submitted or changed them. "
                      f"A figure over fewer than {threshold} such people is withheld (\"fewer than "
                      f"{threshold}\"), and so is one that would give a withheld figure away by subtraction "
                      f"(\"withheld\"), so that no one can be singled out; counts of people are shown."),
        strengths=tuple(f"{c.code} {c.name}: {c.at_target.text(threshold, share=True)} at target"
                        for c in m.strengths),
        opportunities=tuple(f"{c.code} {c.name}: {c.at_target.text(threshold, share=True)} at target"
                            for c in m.opportunities),
        tables=tuple(tables),
        charts=tuple(charts[name] for name in ("participation", "lanes", "profile", "growth", "heatmap")
                     if name in charts))


def _side_by_side_widths(figures: int) -> tuple[float, ...]:
    """The school's name gets a third of the page; its figures share the rest."""
    return (0.34, *([0.66 / figures] * figures))
