"""What the planner is given: each competency's self and coach view from the newest cycle that
has it, so a half-done self-assessment and a verified goal both count."""

from datetime import date

import pytest
from sqlalchemy import select

from pdplanner.assessments.services import (
    RatingInput,
    close_cycle,
    create_cycle,
    open_cycle,
    save_coach_ratings,
    save_self_ratings,
)
from pdplanner.planning.models import ActivityStatus, PathActivity
from pdplanner.planning.queries import planning_input
from pdplanner.planning.services import verify_activity


@pytest.fixture
def spring(db, planned):
    close_cycle(planned.cycle)
    cycle = create_cycle(district_id=planned.cycle.district_id, name="Spring", opens_on=date(2027, 2, 1),
                         closes_on=date(2027, 5, 1), framework=planned.cycle.framework)
    open_cycle(cycle)
    db.session.commit()
    return cycle


def _views(cycle, educator) -> dict[tuple[str, str], set[int | None]]:
    views: dict[tuple[str, str], set[int | None]] = {}
    ratings = planning_input(cycle).ratings
    for educator_id, code, kind, level in zip(ratings.educator_ids, ratings.competencies, ratings.kinds,
                                             ratings.levels, strict=True):
        if educator_id == educator.id:
            views.setdefault((code, kind), set()).add(level)
    return views


def test_a_half_done_self_assessment_keeps_last_cycles_levels_for_the_rest(db, planned, spring):
    teacher = planned.teachers[0]
    save_self_ratings(teacher, spring, [RatingInput(f"COG.{i}", level=3) for i in range(1, 5)])
    db.session.commit()
    views = _views(spring, teacher)
    assert views[("COG.1", "self")] == {3}          # re-rated this cycle
    assert views[("INTRA.1", "self")] == {2}        # not yet: last cycle's level stands
    assert views[("COG.1", "coach")] == {2}         # the coach has not re-rated: last cycle's
    assert len(views) == 2 * 19


def test_a_verified_goal_counts_until_the_coach_rates_again(db, planned, spring):
    teacher = planned.teachers[1]
    activity = db.session.scalars(select(PathActivity).where(
        PathActivity.educator_id == teacher.id, PathActivity.cycle_id == planned.cycle.id,
        PathActivity.competency_code == "COG.1")).first()
    activity.status, activity.reflection = ActivityStatus.DONE, "Two lessons planned from a progression."
    verify_activity(activity, actor=planned.coach, goal_met=True)
    save_self_ratings(teacher, spring, [RatingInput("INTRA.1", level=2)])
    db.session.commit()
    assert _views(spring, teacher)[("COG.1", "evidence")] == {3}
    save_coach_ratings(planned.coach, teacher, spring, [RatingInput("COG.1", level=2)])
    db.session.commit()
    views = _views(spring, teacher)
    assert views[("COG.1", "coach")] == {2} and ("COG.1", "evidence") not in views


def test_a_finished_self_assessment_keeps_the_coachs_last_levels_and_only_the_new_self_levels(
        db, planned, spring):
    teacher = planned.teachers[2]
    codes = [c.code for c in spring.framework.competencies]
    save_self_ratings(teacher, spring, [RatingInput(code, level=4) for code in codes])
    db.session.commit()
    views = _views(spring, teacher)
    assert all(views[(code, "self")] == {4} for code in codes)      # last cycle's 2s are not read
    assert all(views[(code, "coach")] == {2} for code in codes)
    assert len(views) == 2 * len(codes)
