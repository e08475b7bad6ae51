"""School summaries by hand: what a principal's page, PDF, export and API show."""

import json
import math
import random

import pytest

from pdplanner.core.summaries import combine, school_measures, summarise_schools
from tests.core.school_facts import SchoolFacts, cycle_facts, summarise_school

COMPETENCIES = [("A.1", "A"), ("A.2", "A"), ("B.1", "B")]
NAMES = [("A.1", "First", "A"), ("A.2", "Second", "A"), ("B.1", "Third", "B")]


def facts(**overrides) -> SchoolFacts:
    base = dict(
        educator_ids=(1, 2, 3),
        ratings=[
            (1, "A.1", "self", 3), (1, "A.1", "coach", 2), (1, "A.2", "self", 4), (1, "B.1", "self", 1),
            (2, "A.1", "self", 2), (2, "A.1", "evidence", 4), (2, "A.1", "coach", 1),
            (3, "B.1", "coach", 3),
            (9, "A.1", "self", 4),                       # not in the school: ignored
        ],
        assessments=[(1, True, True), (2, True, False), (3, True, False), (9, True, True)],
        placements=[(1, "fast", 0.5, 10), (2, "slow", 1.0, 10), (3, "slow", None, None)],
        goals=[(1, "B.1", False), (2, "A.2", True), (3, "B.1", False)],
        activities=[(1, "done", False), (1, "planned", False), (2, "verified", True),
                    (3, "in_progress", False)],
    )
    return SchoolFacts(**(base | overrides))


def test_counts_and_sums_by_hand():
    s = summarise_school(facts(), COMPETENCIES, target_level=3, policy="mean")
    assert s["educators"] == 3
    # 1 and 2 rated themselves; all three submitted (3 without a self-rating); 1 shared.
    assert s["participation"] == {"started": 3, "submitted": 3, "shared": 1, "coach_rated": 3}
    # A.1: self 3 and 2; coach 2 (educator 1) and 4 (educator 2: evidence beats the coach's 1);
    # current (mean) 2.5 and 3.0, one at target.
    assert s["competencies"]["A.1"] == {"self": [2, 5.0], "coach": [2, 6.0], "current": [2, 5.5, 1]}
    assert s["competencies"]["A.2"] == {"self": [1, 4.0], "coach": [0, 0.0], "current": [1, 4.0, 1]}
    assert s["competencies"]["B.1"] == {"self": [1, 1.0], "coach": [1, 3.0], "current": [2, 4.0, 1]}
    # Domain A: educator 1 means (2.5 + 4) / 2 = 3.25, educator 2 3.0; domain B: 1 and 3.
    assert s["domains"] == {"A": [2, 6.25], "B": [2, 4.0]}
    assert s["lanes"] == {"fast": 1, "slow": 2} and s["planned"] == 3
    assert s["readiness"] == [2, 1.5]
    assert s["goals"] == {"total": 3, "met": 1, "by_competency": {"B.1": 2, "A.2": 1}}
    assert s["activities"] == {"total": 4, "done": 2, "verified": 1}
    cohort = s["cohorts"]["10"]
    assert cohort["members"] == 2 and cohort["readiness"] == [2, 1.5]
    assert cohort["goals"] == [1, 2] and cohort["activities"] == [2, 3]
    assert cohort["levels"] == {"A.1": [2, 5.5], "A.2": [1, 4.0], "B.1": [1, 1.0]}


def test_only_submitted_self_assessments_count_in_rating_figures():
    """A draft changes as its author types: it never reaches a figure derived from ratings,
    neither through a level nor through readiness; its author still counts as a person."""
    s = summarise_school(facts(assessments=[(1, True, True), (2, False, False)]), COMPETENCIES,
                         target_level=3, policy="mean")
    assert s["competencies"]["A.1"] == {"self": [1, 3.0], "coach": [1, 2.0], "current": [1, 2.5, 0]}
    assert s["readiness"] == [1, 0.5] and s["cohorts"]["10"]["readiness"] == [1, 0.5]
    assert s["participation"]["started"] == 2 and s["lanes"] == {"fast": 1, "slow": 2}
    assert list(s["contributors"]) == ["1"] and s["known_to_leaders"] == ["1"]



def test_people_a_leader_coaches_count_as_known_to_leaders():
    """A principal who also coaches sees her caseload's ratings: they are known, like sharers."""
    s = summarise_school(facts(assessments=[(1, True, False), (2, True, False), (3, True, False)],
                               coached_by_leaders={2, 99}), COMPETENCIES, target_level=3, policy="mean")
    assert s["known_to_leaders"] == ["2"]

def test_a_contributors_digest_changes_with_their_ratings_only():
    before = summarise_school(facts(), COMPETENCIES, target_level=3, policy="mean")["contributors"]
    ratings = [r if r[:3] != (2, "A.1", "self") else (2, "A.1", "self", 3) for r in facts().ratings]
    after = summarise_school(facts(ratings=ratings), COMPETENCIES, target_level=3,
                             policy="mean")["contributors"]
    assert before["1"] == after["1"] and before["3"] == after["3"] and before["2"] != after["2"]


@pytest.mark.parametrize(("policy", "expected"), [("self", [2, 5.0, 1]), ("coach", [2, 6.0, 1]),
                                                  ("min", [2, 4.0, 0])])
def test_the_district_policy_decides_the_current_level(policy, expected):
    s = summarise_school(facts(), COMPETENCIES, target_level=3, policy=policy)
    assert s["competencies"]["A.1"]["current"] == expected


@pytest.mark.parametrize("policy", ["self", "coach"])
def test_a_side_the_policy_needs_and_nobody_gave_counts_nowhere(policy):
    """Under "coach", a competency only self-rated has no current level (and under "self", one
    only coach-rated): it is left out of the current figures, never summed in as NaN (which
    PostgreSQL's JSON refuses to store)."""
    s = summarise_school(facts(), COMPETENCIES, target_level=3, policy=policy)
    a2, b1 = s["competencies"]["A.2"]["current"], s["competencies"]["B.1"]["current"]
    assert (a2, b1) == (([0, 0.0, 0], [1, 3.0, 1]) if policy == "coach" else ([1, 4.0, 1], [1, 1.0, 0]))
    assert json.loads(json.dumps(s, allow_nan=False)) == s
    assert all(not math.isnan(total) for _, total in s["domains"].values())


def test_figures_over_fewer_than_the_threshold_are_withheld_but_counts_of_people_are_not():
    s = summarise_school(facts(), COMPETENCIES, target_level=3, policy="mean")
    shown = school_measures(s, NAMES, min_group=2)
    a1 = shown.competencies[0]
    # One decimal: 2.75 (two) was part of the leak.
    assert a1.current_mean.value == 2.8 and a1.at_target.value == 0.5 and a1.self_mean.value == 2.5
    a2 = shown.competencies[1]
    assert a2.current_mean.value is None and a2.current_mean.suppressed and a2.current_mean.people == 1
    assert a2.coach_mean.value is None and not a2.coach_mean.suppressed   # nobody: nothing to withhold
    assert shown.domains["A"].value == 3.1
    assert shown.readiness.value == 0.75
    assert shown.lanes == {"fast": 1, "slow": 2} and shown.submitted == 3
    assert shown.cohorts[0].id == 10 and shown.cohorts[0].levels["A.2"].value is None
    strict = school_measures(s, NAMES, min_group=5)
    assert all(c.current_mean.value is None for c in strict.competencies)
    assert strict.strengths == () and strict.opportunities == ()
    assert strict.educators == 3 and strict.goals_met == 1


def test_strengths_and_opportunities_rank_by_share_at_target_and_do_not_overlap():
    ratings = [(e, code, "self", level) for e in range(1, 6)
               for code, level in (("A.1", 4), ("A.2", 2 if e < 4 else 3), ("B.1", 1))]
    s = summarise_school(SchoolFacts(tuple(range(1, 6)), ratings, [(e, True, False) for e in range(1, 6)]),
                         COMPETENCIES, target_level=3, policy="mean")
    shown = school_measures(s, NAMES, min_group=5)
    assert [c.code for c in shown.strengths] == ["A.1", "A.2", "B.1"]
    assert shown.opportunities == ()
    assert [c.at_target.value for c in shown.strengths] == [1.0, 0.4, 0.0]


def test_combining_schools_adds_their_counts():
    one = summarise_school(facts(), COMPETENCIES, target_level=3, policy="mean")
    other = summarise_school(facts(educator_ids=(9,)), COMPETENCIES, target_level=3, policy="mean")
    both = combine([one, other])
    assert both["educators"] == 4
    assert both["competencies"]["A.1"]["self"] == [3, 9.0]
    assert both["participation"]["submitted"] == 4
    assert one["competencies"]["A.1"]["self"] == [2, 5.0]     # the inputs are left as they were
    assert combine([])["educators"] == 0


def test_an_empty_school_has_zero_everywhere():
    s = summarise_school(SchoolFacts(()), COMPETENCIES, target_level=3, policy="mean")
    shown = school_measures(s, NAMES, min_group=5)
    assert shown.educators == 0 and shown.readiness.value is None and not shown.readiness.suppressed
    assert shown.cohorts == ()


def test_an_unknown_policy_is_refused():
    with pytest.raises(ValueError, match="policy"):
        summarise_school(facts(), COMPETENCIES, target_level=3, policy="median")


def test_schools_summarised_together_equal_each_alone_whatever_the_order_of_the_rows():
    """A district's schools are summarised in one pass; an educator on two rosters counts in
    both. Shuffling the rows (PostgreSQL returns them in no set order) changes no figure, down
    to the last bit of a float sum, so a kept row is only rewritten when something changed."""
    base = facts(educator_ids=(1, 2, 3, 4),
                 ratings=[*facts().ratings, (4, "A.1", "self", 2), (4, "B.1", "coach", 3)],
                 assessments=[*facts().assessments, (4, True, False)],
                 placements=[*facts().placements, (4, "fast", 1 / 3, 11)])
    members = [(1, 100), (2, 100), (2, 200), (3, 200), (4, 200)]
    together = summarise_schools(cycle_facts(members, base), [100, 200, 300], COMPETENCIES, target_level=3,
                                 policy="mean")
    for school in (100, 200):
        alone = SchoolFacts(tuple(e for e, s in members if s == school), base.ratings, base.assessments,
                            base.placements, base.goals, base.activities)
        assert together[school] == summarise_school(alone, COMPETENCIES, target_level=3, policy="mean")
    assert together[100]["educators"] == 2 and together[200]["educators"] == 3
    assert together[300] == summarise_school(SchoolFacts(()), COMPETENCIES, target_level=3, policy="mean")
    shuffled = random.Random(7)
    for _ in range(5):
        mixed = SchoolFacts(base.educator_ids, *(shuffled.sample(list(rows), len(rows)) for rows in (
            base.ratings, base.assessments, base.placements, base.goals, base.activities)))
        again = summarise_schools(cycle_facts(shuffled.sample(members, len(members)), mixed), [100, 200, 300],
                                  COMPETENCIES, target_level=3, policy="mean")
        assert json.dumps(again, sort_keys=True) == json.dumps(together, sort_keys=True)
