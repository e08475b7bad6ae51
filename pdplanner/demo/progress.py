"""Progress on the demo's planned cycle, so every page of the loop has something true to show:
some educators have started their first activity, some have marked it done with evidence (the
coaches' evidence queues), and a few had it verified with the goal met (an evidence rating).

Written through the planning services like real use, so every step is validated and audited.
teacher@ is left untouched: the person a newcomer signs in as starts their path themself.
"""

import random
from dataclasses import dataclass

from sqlalchemy import select

from pdplanner.accounts.models import User
from pdplanner.assessments.models import Cycle
from pdplanner.extensions import db
from pdplanner.organisation.models import CaseloadAssignment
from pdplanner.planning.models import GoalStatus, PathActivity, PlannedGoal
from pdplanner.planning.services import ProgressUpdate, update_progress, verify_activity

REFLECTIONS = (
    "Tried the first step with one class; the learners who struggled most asked the best questions.",
    "Planned it with my grade team. The second lesson went better than the first once I slowed down.",
    "Recorded a short clip and watched it back: I talk more than I thought. Changing that next week.",
    "Used it in two lessons; exit tickets show most learners can now say what their next step is.",
)
# Shares of the educators with a plan (teacher@ excepted), in the order they are drawn.
STARTED, DONE, VERIFIED = 0.35, 0.2, 0.1


@dataclass(frozen=True)
class DemoProgressSummary:
    started: int
    done: int
    verified: int

    def line(self) -> str:
        return (f"Progress: {self.started} educators started their path, {self.done} wait for their coach "
                f"to verify evidence, {self.verified} met a goal with verified evidence.")


def seed_demo_progress(cycle: Cycle, *, keep_untouched: User, random_seed: int) -> DemoProgressSummary:
    rng = random.Random(random_seed)
    firsts = _first_activities_on_open_goals(cycle, keep_untouched)
    counts = {"started": 0, "done": 0, "verified": 0}
    for activity in firsts:
        draw = rng.random()
        if draw >= STARTED + DONE + VERIFIED:
            continue
        reflection = rng.choice(REFLECTIONS)
        if draw < STARTED:
            update_progress(activity, ProgressUpdate("in_progress", reflection), actor=activity.educator)
            counts["started"] += 1
            continue
        evidence = f"https://docs.example.org/demo/{activity.educator_id}/{activity.resource.key}"
        update_progress(activity, ProgressUpdate("done", reflection, evidence), actor=activity.educator)
        coach = _coach_of(activity.educator_id)
        if draw < STARTED + DONE or coach is None:
            counts["done"] += 1
        else:
            verify_activity(activity, actor=coach, goal_met=True)
            counts["verified"] += 1
    return DemoProgressSummary(**counts)


def _first_activities_on_open_goals(cycle: Cycle, keep_untouched: User) -> list[PathActivity]:
    """Each educator's first activity toward their top goal, by educator id."""
    goals = db.session.execute(select(PlannedGoal.educator_id, PlannedGoal.competency_code).where(
        PlannedGoal.cycle_id == cycle.id, PlannedGoal.rank == 1,
        PlannedGoal.status == GoalStatus.ACTIVE, PlannedGoal.educator_id != keep_untouched.id)).all()
    top = dict(goals)
    activities = db.session.scalars(select(PathActivity).where(
        PathActivity.cycle_id == cycle.id, PathActivity.educator_id.in_(top))
        .order_by(PathActivity.educator_id, PathActivity.position))
    firsts: dict[int, PathActivity] = {}
    for activity in activities:
        if activity.competency_code == top[activity.educator_id]:
            firsts.setdefault(activity.educator_id, activity)
    return [firsts[i] for i in sorted(firsts)]


def _coach_of(educator_id: int) -> User | None:
    return db.session.scalar(select(User).join(CaseloadAssignment, CaseloadAssignment.coach_id == User.id)
                             .where(CaseloadAssignment.educator_id == educator_id).order_by(User.id).limit(1))
