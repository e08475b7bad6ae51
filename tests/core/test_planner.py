"""`plan` end to end on small districts worked out by hand."""

import pytest

from pdplanner.core.planner import plan
from pdplanner.core.types import CohortProposal, EducatorInfo, PlanningResult, PlanningSettings, Target
from tests.core.builders import (
    LEVEL_LABELS,
    NAMED_FRAMEWORK,
    both_ratings,
    educators,
    planning_input,
    resource,
    uniform,
)


def test_everyone_at_target_has_no_goals_is_fast_and_coached_individually():
    result = plan(planning_input(educators(1, 2, 3), uniform(1, 3) + uniform(2, 4) + uniform(3, 3)))
    assert result.goals == ()
    assert [d.lane for d in result.lanes] == ["fast"] * 3
    assert result.cohorts == () and [i for i, _ in result.individual] == [1, 2, 3]
    assert all("at or above the school's target" in why for _, why in result.individual)
    assert len(result.strengths) == 18
    assert result.paths == ((1, ()), (2, ()), (3, ()))


def test_nobody_rated_has_no_goals_is_slow_and_coached_individually():
    result = plan(planning_input(educators(1, 2, 3), both_ratings(1, {"A.1": None})))
    assert result.goals == () and result.strengths == ()
    assert [(d.lane, d.readiness) for d in result.lanes] == [("slow", None)] * 3
    assert result.cohorts == ()
    assert [why for _, why in result.individual] == [
        "Individual coaching: nothing is rated yet, so there is no goal to share with a cohort."] * 3


def test_an_empty_district_plans_to_nothing():
    assert plan(planning_input([], [])) == PlanningResult((), (), (), (), (), ())


def test_a_worked_school():
    # Four teachers at school 1 all short on B.2 (a weighted priority) and one at target.
    people = [EducatorInfo(i, 1, (900,)) for i in (1, 2, 3, 4, 5)]
    ratings = [r for i in (1, 2, 3, 4) for r in uniform(i, 3, {"B.2": 2, "A.3": 2})] + uniform(5, 4)
    result = plan(planning_input(people, ratings, targets=[Target(1, "B.2", 3, 2.0)],
                                 resources=[resource(7, "micro-credential", codes=("B.2",), hours=6)]))
    first = [(g.competency, g.rank, g.priority) for g in result.goals if g.educator_id == 1]
    assert first == [("B.2", 1, 2.0), ("A.3", 2, 1.0)]
    assert [d.lane for d in result.lanes] == ["fast"] * 5      # 4 of 6 at target; lowest domain 2.67
    (cohort,) = result.cohorts
    assert (cohort.lane, cohort.focus, cohort.member_ids, cohort.coach_id, cohort.mentor_ids) == (
        "fast", "B.2", (1, 2, 3, 4), 900, (5,))
    assert result.individual == ((5, result.individual[0][1]),)
    assert result.paths[0] == (1, (result.paths[0][1][0],))
    assert result.paths[0][1][0].why == ('Fits the step from level 2 to level 3 and the "Ready to move" '
                                         'lane; micro-credential, 6 hours.')


def test_an_override_moves_the_person_into_that_lane_s_cohorts():
    ratings = [r for i in (1, 2, 3, 4) for r in uniform(i, 3, {"B.2": 2})]
    result = plan(planning_input(educators(1, 2, 3, 4), ratings,
                                 overrides=[(4, "slow", "Asked for support")]))
    assert [(c.lane, c.member_ids) for c in result.cohorts] == [("fast", (1, 2, 3))]
    assert result.individual[0][0] == 4


def test_confirmed_cohorts_come_back_unchanged_and_their_members_stay():
    kept = CohortProposal("abc", "slow", "A.1", (1,), (1, 2, 3), None, (), "Confirmed by the coach.")
    ratings = [r for i in (1, 2, 3, 4, 5, 6) for r in uniform(i, 3, {"B.2": 2})]
    result = plan(planning_input(educators(1, 2, 3, 4, 5, 6), ratings, confirmed=[kept]))
    assert result.cohorts[0] == kept
    assert [c.member_ids for c in result.cohorts[1:]] == [(4, 5, 6)]


def test_small_schools_go_straight_to_pooling():
    people = educators(1, 2, 3, school_id=1) + educators(4, 5, 6, school_id=2)
    ratings = [r for i in range(1, 7) for r in uniform(i, 3, {"B.2": 2})]
    apart = plan(planning_input(people, ratings))
    pooled = plan(planning_input(people, ratings, settings=PlanningSettings(small_school_size=4)))
    assert [c.school_ids for c in apart.cohorts] == [(1,), (2,)]
    assert [c.school_ids for c in pooled.cohorts] == [(1, 2)]


def test_the_same_input_reversed_plans_identically():
    people = [EducatorInfo(i, 1 + i % 2, (900 + i % 3,)) for i in range(1, 13)]
    ratings = [r for i in range(1, 13) for r in uniform(i, 2 + i % 3, {"A.1": 1 + i % 4, "B.3": 2})]
    forward = planning_input(people, ratings, resources=[resource(1, "workshop"), resource(2, "workshop")])
    backward = planning_input(people[::-1], ratings[::-1],
                              resources=[resource(2, "workshop"), resource(1, "workshop")])
    assert plan(forward) == plan(backward)


def test_repeated_educators_are_refused():
    with pytest.raises(ValueError, match="unique"):
        plan(planning_input(educators(1, 1), []))


def test_a_worked_school_in_the_district_s_own_words():
    # The worked school above, with the district's lane labels, domain names and level labels.
    people = [EducatorInfo(i, 1, (900,)) for i in (1, 2, 3, 4, 5)]
    ratings = [r for i in (1, 2, 3, 4) for r in uniform(i, 3, {"B.2": 2, "A.3": 2})] + uniform(5, 4)
    settings = PlanningSettings(fast_lane_label="Leading the way", slow_lane_label="Growing with support")
    result = plan(planning_input(people, ratings, settings, targets=[Target(1, "B.2", 3, 2.0)],
                                 resources=[resource(7, "micro-credential", codes=("B.2",), hours=6)],
                                 competencies=NAMED_FRAMEWORK, level_labels=LEVEL_LABELS))
    lane = result.lanes[0]
    # 4 of 6 at target; domain A (3 + 3 + 2) / 3 = 2.67, domain B (3 + 2 + 3) / 3 = 2.67: A comes first
    assert lane.why == ('4 of 6 rated competencies at target or above (67%); '
                       'lowest domain average: Assessment 2.7. '
                       'So: "Leading the way".')
    top = result.goals[0]
    assert top.why == ("Now at Developing (2) in Beta two; the school aims for Proficient (3), 1 level "
                       "further on. The school gives this competency more weight than usual (weight 2).")
    (cohort,) = result.cohorts
    assert cohort.why == ('4 educators at one school in the "Leading the way" lane share the top goal '
                          'Beta two (B.2). Their coach already coaches 4 of them. 1 colleague strong on '
                          'Beta two offered as peer mentor.')
    assert result.paths[0][1][0].why == ('Fits the step from Developing (2) to Proficient (3) and the '
                                         '"Leading the way" lane; micro-credential, 6 hours.')
