"""plan run: stored per cycle, the same twice, and what people decided survives re-planning."""

from sqlalchemy import func, select, update

from pdplanner.accounts.models import user_by_email
from pdplanner.assessments.models import RaterKind, Rating
from pdplanner.assessments.queries import current_cycle
from pdplanner.core.planner import plan
from pdplanner.organisation.models import District
from pdplanner.planning.models import (
    ActivityStatus,
    Cohort,
    CohortStatus,
    GoalStatus,
    PathActivity,
    Placement,
    PlannedGoal,
)
from pdplanner.planning.queries import planning_input
from pdplanner.planning.services import run_plan


def _demo(app, db):
    runner = app.test_cli_runner()
    for args in (["seed", "framework"], ["seed", "resources"], ["seed", "demo"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    return current_cycle(db.session.scalar(select(District)).id)


def _snapshot(db, cycle):
    goals = sorted(db.session.execute(select(
        PlannedGoal.educator_id, PlannedGoal.competency_code, PlannedGoal.rank, PlannedGoal.from_level,
        PlannedGoal.to_level, PlannedGoal.why).where(PlannedGoal.cycle_id == cycle.id)).all())
    placements = sorted(db.session.execute(select(
        Placement.educator_id, Placement.lane, Placement.why, Cohort.key, Placement.individual_reason)
        .outerjoin(Cohort, Cohort.id == Placement.cohort_id).where(Placement.cycle_id == cycle.id)).all(),
        key=repr)
    paths = sorted(db.session.execute(select(
        PathActivity.educator_id, PathActivity.resource_id, PathActivity.position)
        .where(PathActivity.cycle_id == cycle.id)).all())
    return goals, placements, paths


def test_seed_demo_ends_with_the_open_cycle_planned_within_the_rules(app, db):
    cycle = _demo(app, db)
    goals, placements, paths = _snapshot(db, cycle)
    assert placements and paths
    per_educator = {}
    for educator_id, *_ in goals:
        per_educator[educator_id] = per_educator.get(educator_id, 0) + 1
    assert max(per_educator.values()) <= 3
    for _, _, why, cohort_key, individual in placements:
        assert any(ch.isdigit() for ch in why)  # the lane's why names its numbers
        assert (cohort_key is None) != (individual == "")  # a cohort or individual coaching


def test_plan_run_twice_gives_the_same_result(app, db):
    cycle = _demo(app, db)
    before = _snapshot(db, cycle)
    result = app.test_cli_runner().invoke(args=["plan", "run", "--cycle", cycle.name])
    assert result.exit_code == 0 and "Planned" in result.output
    db.session.expire_all()
    assert _snapshot(db, cycle) == before


def test_overrides_confirmed_cohorts_and_started_activities_survive_replanning(app, db):
    cycle = _demo(app, db)
    placement = db.session.scalars(select(Placement).where(Placement.cycle_id == cycle.id,
                                                           Placement.lane == "slow")).first()
    placement.override_lane, placement.override_reason = "fast", "Leads the grade-level team already"
    cohort = db.session.scalars(select(Cohort).where(Cohort.cycle_id == cycle.id)).first()
    cohort.status = CohortStatus.CONFIRMED
    members = set(db.session.scalars(select(Placement.educator_id).where(Placement.cohort_id == cohort.id)))
    activity = db.session.scalars(select(PathActivity).where(PathActivity.cycle_id == cycle.id)).first()
    activity.status = "in_progress"
    db.session.commit()
    run_plan(cycle)
    db.session.commit()
    db.session.expire_all()
    kept = db.session.get(Placement, placement.id)
    assert kept.lane == "fast" and kept.override_reason == "Leads the grade-level team already"
    assert "Leads the grade-level team already" in kept.why
    assert db.session.get(Cohort, cohort.id).status == CohortStatus.CONFIRMED
    assert set(db.session.scalars(select(Placement.educator_id).where(
        Placement.cohort_id == cohort.id))) == members
    assert db.session.get(PathActivity, activity.id).status == "in_progress"


def test_seed_demo_leaves_progress_to_see_and_evidence_to_verify(app, db):
    cycle = _demo(app, db)
    statuses = dict(db.session.execute(select(PathActivity.status, func.count()).where(
        PathActivity.cycle_id == cycle.id).group_by(PathActivity.status)).all())
    assert statuses["in_progress"] and statuses["done"] and statuses["verified"]
    verified_goals = db.session.scalars(select(PlannedGoal).where(
        PlannedGoal.cycle_id == cycle.id, PlannedGoal.status == GoalStatus.VERIFIED)).all()
    evidence = {(r.educator_id, r.competency.code): r.level for r in db.session.scalars(
        select(Rating).where(Rating.cycle_id == cycle.id, Rating.kind == RaterKind.EVIDENCE))}
    assert evidence == {(g.educator_id, g.competency_code): g.to_level for g in verified_goals}
    teacher = user_by_email("teacher@demo.pdplanner.org")
    assert not db.session.scalar(select(func.count()).select_from(PathActivity).where(
        PathActivity.educator_id == teacher.id, PathActivity.status != ActivityStatus.PLANNED))


def _goal_ids(db, educator_id):
    return set(db.session.scalars(select(PlannedGoal.id).where(PlannedGoal.educator_id == educator_id)))


def test_replanning_new_ratings_stores_the_new_plan_and_keeps_verified_goals_and_coach_activities(app, db):
    """Re-planning writes only what changed: what is stored must still be exactly the core's new
    plan, with people's decisions kept and unchanged rows kept as they were."""
    cycle = _demo(app, db)
    goals = db.session.scalars(select(PlannedGoal).where(PlannedGoal.cycle_id == cycle.id)
                               .order_by(PlannedGoal.educator_id, PlannedGoal.rank)).all()
    verified, rerated, untouched = goals[0], goals[-1].educator_id, goals[len(goals) // 2].educator_id
    verified.status = GoalStatus.VERIFIED
    assigned = db.session.scalars(select(PathActivity).where(PathActivity.educator_id == rerated)).first()
    assigned.source = "coach"
    db.session.execute(update(Rating).where(Rating.educator_id == rerated).values(level=1))
    db.session.commit()
    untouched_ids = _goal_ids(db, untouched)

    run_plan(cycle)
    db.session.commit()
    db.session.expire_all()
    result = plan(planning_input(cycle))

    assert db.session.get(PlannedGoal, verified.id).status == GoalStatus.VERIFIED
    active = set(db.session.execute(
        select(PlannedGoal.educator_id, PlannedGoal.competency_code, PlannedGoal.from_level, PlannedGoal.why)
        .where(PlannedGoal.cycle_id == cycle.id, PlannedGoal.status == GoalStatus.ACTIVE)).all())
    keys = select(PlannedGoal.educator_id, PlannedGoal.competency_code)
    verified_goals = set(db.session.execute(keys.where(
        PlannedGoal.cycle_id == cycle.id, PlannedGoal.status == GoalStatus.VERIFIED)).all())
    assert (verified.educator_id, verified.competency_code) in verified_goals
    assert active == {(g.educator_id, g.competency, g.from_level, g.why) for g in result.goals
                      if (g.educator_id, g.competency) not in verified_goals}
    assert {from_level for educator_id, _, from_level, _ in active if educator_id == rerated} == {1}
    assert _goal_ids(db, untouched) == untouched_ids  # unchanged goals are left as they were

    kept = db.session.get(PathActivity, assigned.id)
    assert (kept.source, kept.resource_id, kept.position) == (
        "coach", assigned.resource_id, assigned.position)
    suggested = set(db.session.execute(select(PathActivity.educator_id, PathActivity.resource_id).where(
        PathActivity.cycle_id == cycle.id, PathActivity.source == "suggested",
        PathActivity.status == ActivityStatus.PLANNED)).all())
    decided = set(db.session.execute(select(PathActivity.educator_id, PathActivity.resource_id).where(
        PathActivity.cycle_id == cycle.id, (PathActivity.source != "suggested")
        | (PathActivity.status != ActivityStatus.PLANNED))).all())
    assert (rerated, assigned.resource_id) in decided
    assert suggested == {(e, step.resource_id) for e, steps in result.paths for step in steps} - decided

    cohort_of = {m: c.key for c in result.cohorts for m in c.member_ids}
    placements = db.session.execute(select(Placement.educator_id, Placement.lane, Placement.why, Cohort.key)
                                    .outerjoin(Cohort, Cohort.id == Placement.cohort_id)
                                    .where(Placement.cycle_id == cycle.id)).all()
    assert set(placements) == {(d.educator_id, d.lane, d.why, cohort_of.get(d.educator_id))
                               for d in result.lanes}
    assert set(db.session.scalars(select(Cohort.key).where(Cohort.cycle_id == cycle.id))) == {
        c.key for c in result.cohorts}
