"""SPEC 5.6: cohorts, pooling, individual coaching, coaches within caseloads, mentors."""

from pdplanner.core.cohorts import CohortSeeker, cohort_key, propose_cohorts, split_within_bounds
from pdplanner.core.planner import plan
from pdplanner.core.types import CohortProposal, EducatorInfo, PlanningSettings
from tests.core.builders import DOMAIN_NAMES, FRAMEWORK, NAMED_FRAMEWORK, educators, planning_input, uniform

ORDER = {c.code: i for i, c in enumerate(FRAMEWORK)}
DOMAIN_ORDER = {"A": 0, "B": 1}
NAMES = {c.code: c.name for c in FRAMEWORK}


def seeker(educator_id, school_id=1, focus="A.1", lane="slow"):
    if focus is None:
        return CohortSeeker(educator_id, school_id, lane, rated=6)
    domain = focus.split(".")[0]
    return CohortSeeker(educator_id, school_id, lane, focus, domain, ORDER[focus], DOMAIN_ORDER[domain], 6)


def propose(seekers, confirmed=(), coaches_of=None, strong=None, settings=None, domain_names=None):
    coaches_of = coaches_of if coaches_of is not None else {s.educator_id: (900,) for s in seekers}
    return propose_cohorts(seekers, confirmed, coaches_of, strong or {}, NAMES,
                           settings or PlanningSettings(), domain_names=domain_names)


def shape(cohorts):
    return [(c.lane, c.focus, c.school_ids, c.member_ids) for c in cohorts]


def test_balanced_splits():
    people = [seeker(i) for i in range(1, 18)]
    assert [len(c) for c in split_within_bounds(people[:9], 3, 8)[0]] == [5, 4]
    assert [len(c) for c in split_within_bounds(people, 3, 8)[0]] == [6, 6, 5]
    assert split_within_bounds(people[:2], 3, 8) == ([], people[:2])
    chunks, rest = split_within_bounds(people[:9], 6, 8)     # no even split of 9 fits 6..8
    assert [len(c) for c in chunks] == [8] and rest == people[8:9]


def test_shared_top_goal_in_a_school_and_lane_splits_in_id_order():
    cohorts, individual = propose([seeker(i) for i in (10, 3, 7, 1, 9, 2, 8, 4, 6, 5)])
    assert shape(cohorts) == [("slow", "A.1", (1,), (1, 2, 3, 4, 5)), ("slow", "A.1", (1,), (6, 7, 8, 9, 10))]
    assert individual == []
    assert cohorts[0].why.startswith('5 educators at one school in the "Building readiness" lane share '
                                     'the top goal Alpha one (A.1).')


def test_lanes_are_never_mixed():
    seekers = [seeker(i, lane="fast") for i in (1, 2, 3)] + [seeker(i, lane="slow") for i in (4, 5, 6)]
    assert shape(propose(seekers)[0]) == [("fast", "A.1", (1,), (1, 2, 3)), ("slow", "A.1", (1,), (4, 5, 6))]


def test_small_groups_merge_by_domain_within_the_school():
    seekers = [seeker(1, focus="A.1"), seeker(2, focus="A.2"), seeker(3, focus="A.2"),
               seeker(4, focus="B.1"), seeker(5, focus="B.2")]
    cohorts, individual = propose(seekers)
    assert shape(cohorts) == [("slow", "A", (1,), (1, 2, 3))]
    assert ("work together on A: their top goals (Alpha one, Alpha two) are all in that domain"
            in cohorts[0].why)
    assert [i for i, _ in individual] == [4, 5]     # B has only two: too few, and no other school


def test_a_one_person_school_pools_with_another_school_on_the_same_goal():
    seekers = [seeker(1, school_id=1), seeker(2, school_id=1), seeker(3, school_id=2, focus="B.1"),
               seeker(4, school_id=3)]
    cohorts, individual = propose(seekers)
    assert shape(cohorts) == [("slow", "A.1", (1, 3), (1, 2, 4))]
    assert "from 2 schools" in cohorts[0].why
    assert individual == [(3, individual[0][1])]
    assert "fewer than 3 educators" in individual[0][1]


def test_pooling_tries_the_domain_then_the_lane():
    by_domain = [seeker(1, 1, "A.1"), seeker(2, 2, "A.2"), seeker(3, 3, "A.3")]
    assert shape(propose(by_domain)[0]) == [("slow", "A", (1, 2, 3), (1, 2, 3))]
    by_lane = [seeker(1, 1, "A.1"), seeker(2, 2, "B.2"), seeker(3, 3, "B.3")]
    assert shape(propose(by_lane)[0]) == [("slow", "B", (1, 2, 3), (1, 2, 3))]   # the most common domain


def test_no_goal_means_individual_coaching():
    cohorts, individual = propose([seeker(1, focus=None), CohortSeeker(2, 1, "slow")])
    assert cohorts == []
    assert individual[0][1].startswith("Individual coaching: every rated competency is at or above")
    assert individual[1][1] == ("Individual coaching: nothing is rated yet, so there is no goal to share "
                                "with a cohort.")


def test_confirmed_cohorts_stay_unchanged_and_keep_their_members():
    confirmed = CohortProposal("kept", "fast", "B.2", (1,), (2, 4, 6), 901, (), "Confirmed.")
    cohorts, individual = propose([seeker(i) for i in range(1, 8)], confirmed=[confirmed])
    assert cohorts[0] is confirmed
    assert shape(cohorts[1:]) == [("slow", "A.1", (1,), (1, 3, 5, 7))]
    assert individual == []


def test_the_coach_of_most_members_within_the_caseload_limit():
    coaches_of = {1: (901,), 2: (901,), 3: (902,), 4: (901,), 5: (901,), 6: (902,)}
    seekers = [seeker(i, focus="A.1") for i in (1, 2, 3)] + [seeker(i, focus="B.1") for i in (4, 5, 6)]
    settings = PlanningSettings(coach_caseload_limit=4)
    cohorts, _ = propose(seekers, coaches_of=coaches_of, settings=settings)
    # 901 coaches two of each cohort; with room for 4 it takes the first, 902 the second.
    assert [(c.member_ids, c.coach_id) for c in cohorts] == [((1, 2, 3), 901), ((4, 5, 6), 902)]
    assert "Their coach already coaches 2 of them." in cohorts[0].why


def test_confirmed_cohorts_count_toward_the_caseload_and_no_room_means_no_coach():
    confirmed = CohortProposal("kept", "slow", "B.2", (1,), (7, 8), 901, (), "Confirmed.")
    cohorts, _ = propose([seeker(i) for i in (1, 2, 3)], confirmed=[confirmed],
                         coaches_of={1: (901,), 2: (901,), 3: (901,)},
                         settings=PlanningSettings(coach_caseload_limit=4))
    assert cohorts[1].coach_id is None
    assert "No coach has room under the caseload limit of 4" in cohorts[1].why


def test_least_loaded_coach_when_nobody_coaches_the_members():
    coaches_of = {1: (), 2: (), 3: (), 4: (), 5: (), 6: (), 7: (905,), 8: (904,)}
    seekers = [seeker(i) for i in range(1, 7)]
    cohorts, _ = propose(seekers, coaches_of=coaches_of, settings=PlanningSettings(cohort_max_size=3))
    assert [c.coach_id for c in cohorts] == [904, 905]
    assert cohorts[0].why.endswith("Their coach has room on their caseload.")


def test_a_coach_never_leads_their_own_cohort():
    cohorts, _ = propose([seeker(i) for i in (1, 2, 3)], coaches_of={1: (2,), 2: (), 3: (2,)})
    assert cohorts[0].coach_id is None


def test_mentors_are_strong_colleagues_of_the_school_not_members_at_most_two():
    strong = {(1, "A.1"): (2, 11, 12, 13), (2, "A.1"): (10,)}
    cohorts, _ = propose([seeker(i) for i in (1, 2, 3)], strong=strong)
    assert cohorts[0].mentor_ids == (11, 12)
    assert "2 colleagues strong on Alpha one offered as peer mentors." in cohorts[0].why


def test_keys_are_stable_and_describe_the_cohort():
    assert cohort_key("slow", "A.1", [2, 1], [5, 3]) == cohort_key("slow", "A.1", (1, 2), (3, 5))
    assert cohort_key("slow", "A.1", [1], [3, 5]) != cohort_key("fast", "A.1", [1], [3, 5])
    assert len(cohort_key("slow", "A.1", [1], [3])) == 12


def test_through_the_planner_everyone_is_placed_once():
    people = [EducatorInfo(i, 1 if i <= 4 else 2, (900,)) for i in range(1, 8)]
    ratings = [r for i in range(1, 8) for r in uniform(i, 3, {"A.2": 2} if i != 7 else {})]
    result = plan(planning_input(people, ratings))
    placed = [m for c in result.cohorts for m in c.member_ids] + [i for i, _ in result.individual]
    assert sorted(placed) == list(range(1, 8))
    # Six share the top goal A.2 in the fast lane: four at school 1 make a cohort; school 2's two
    # have nobody left to pool with, and 7 has no goal: all three are coached individually.
    assert shape(result.cohorts) == [("fast", "A.2", (1,), (1, 2, 3, 4))]
    assert [i for i, _ in result.individual] == [5, 6, 7]


def test_nobody_rated_means_individual_coaching_for_all():
    result = plan(planning_input(educators(1, 2, 3), []))
    assert result.cohorts == () and [i for i, _ in result.individual] == [1, 2, 3]


def test_a_district_without_coaches_still_gets_cohorts_without_one():
    cohorts, _ = propose([seeker(i) for i in (1, 2, 3)], coaches_of={})
    assert cohorts[0].coach_id is None
    assert "No coach is on record for these educators" in cohorts[0].why


OWN_WORDS = PlanningSettings(fast_lane_label="Leading the way", slow_lane_label="Growing with support")


def test_whys_use_the_district_s_lane_labels_and_domain_names():
    seekers = [seeker(1, focus="A.1"), seeker(2, focus="A.2"), seeker(3, focus="A.2"),
               seeker(4, focus="B.1"), seeker(5, focus="B.2")]
    cohorts, individual = propose(seekers, settings=OWN_WORDS, domain_names=DOMAIN_NAMES)
    assert cohorts[0].why == (
        '3 educators at one school in the "Growing with support" lane work together on Assessment: their '
        'top goals (Alpha one, Alpha two) are all in that domain, and fewer than 3 share any one of them. '
        'Their coach already coaches 3 of them.')
    assert individual[0][1] == (
        'Individual coaching: fewer than 3 educators in the "Growing with support" lane share the top goal '
        'B.1 or its domain Belonging, at this school or pooled with other schools.')
    # Without domain names the codes stand in (the fallback).
    cohorts, individual = propose(seekers, settings=OWN_WORDS)
    assert "work together on A: their top goals (Alpha one, Alpha two)" in cohorts[0].why
    assert "share the top goal B.1 or its domain B," in individual[0][1]


def test_a_cohort_pooled_on_a_domain_names_the_domain():
    by_lane = [seeker(1, 1, "A.1", lane="fast"), seeker(2, 2, "B.2", lane="fast"),
               seeker(3, 3, "B.3", lane="fast")]
    (cohort,), _ = propose(by_lane, settings=OWN_WORDS, domain_names=DOMAIN_NAMES)
    assert cohort.focus == "B"
    assert cohort.why.startswith(
        '3 educators from 3 schools in the "Leading the way" lane work together on Belonging: too few '
        'at any one school to make a cohort of 3 (their top goals: Alpha one, Beta two, Beta three).')


def test_through_the_planner_cohort_whys_use_the_framework_s_domain_names():
    people = educators(1, 2, 3, 4, 5, coach_ids=(900,))
    changes = {1: {"A.1": 2}, 2: {"A.2": 2}, 3: {"A.2": 2}, 4: {"B.1": 2}, 5: {"B.2": 2}}
    ratings = [r for i in range(1, 6) for r in uniform(i, 3, changes[i])]
    result = plan(planning_input(people, ratings, settings=OWN_WORDS, competencies=NAMED_FRAMEWORK))
    (cohort,) = result.cohorts
    assert (cohort.lane, cohort.focus, cohort.member_ids) == ("fast", "A", (1, 2, 3))
    assert cohort.why.startswith('3 educators at one school in the "Leading the way" lane work together '
                                 'on Assessment: their top goals (Alpha one, Alpha two) are all in that '
                                 'domain, and fewer than 3 share any one of them.')
    assert [i for i, _ in result.individual] == [4, 5]
    assert "or its domain Belonging," in result.individual[0][1]
