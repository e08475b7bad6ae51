"""SPEC 5.1-5.2: current level by policy, gaps and strengths, computed by hand."""

import pytest

from pdplanner.core.frames import (
    CURRENT,
    DOMAIN_NAME,
    EDUCATOR,
    competencies_frame,
    educators_frame,
    targets_frame,
)
from pdplanner.core.gaps import competency_profile, current_levels, mentors_by_school, strengths
from pdplanner.core.types import CompetencyInfo, RatingRecord, Target
from tests.core.builders import CODES, FRAMEWORK, coach_ratings, educators, frame_of, self_ratings

# Educator 1: A.1 self 3 / coach 2; A.2 self only 2; A.3 coach only 4; B.1 neither has a level;
# B.2 coach 1 then evidence 3; B.3 self not yet observed, coach 2.
RATINGS = (
    self_ratings(1, {"A.1": 3, "A.2": 2, "B.1": None, "B.3": None}, interest=("A.2", "B.3"))
    + coach_ratings(1, {"A.1": 2, "A.3": 4, "B.1": None, "B.2": 1, "B.3": 2})
    + coach_ratings(1, {"B.2": 3}, kind="evidence")
)


def levels_by_code(policy, ratings=RATINGS):
    frame = current_levels(frame_of(ratings), policy)
    return {CODES[comp]: current for comp, current in zip(frame["comp"], frame[CURRENT], strict=True)}


@pytest.mark.parametrize("policy, expected", [
    ("self", {"A.1": 3, "A.2": 2}),
    ("coach", {"A.1": 2, "A.3": 4, "B.2": 3, "B.3": 2}),
    ("mean", {"A.1": 2.5, "A.2": 2, "A.3": 4, "B.2": 3, "B.3": 2}),
    ("min", {"A.1": 2, "A.2": 2, "A.3": 4, "B.2": 3, "B.3": 2}),
])
def test_each_policy_by_hand(policy, expected):
    assert levels_by_code(policy) == expected


def test_not_yet_observed_on_both_sides_has_no_current_level_under_any_policy():
    for policy in ("self", "coach", "mean", "min"):
        assert "B.1" not in levels_by_code(policy)


def test_evidence_wins_over_coach_even_when_lower():
    ratings = coach_ratings(1, {"A.1": 4}) + coach_ratings(1, {"A.1": 2}, kind="evidence")
    assert levels_by_code("coach", ratings) == {"A.1": 2}
    assert levels_by_code("mean", ratings + self_ratings(1, {"A.1": 3})) == {"A.1": 2.5}


def test_repeated_records_of_one_kind_take_the_highest_level_whatever_the_order():
    ratings = self_ratings(1, {"A.1": 2}) + self_ratings(1, {"A.1": None}) + self_ratings(1, {"A.1": 3})
    assert levels_by_code("self", ratings) == {"A.1": 3}
    assert levels_by_code("self", ratings[::-1]) == {"A.1": 3}


def test_interest_comes_from_the_self_rating_even_without_a_level():
    frame = current_levels(frame_of(RATINGS), "mean")
    wanted = {CODES[c] for c, flag in zip(frame["comp"], frame["interest"], strict=True) if flag}
    assert wanted == {"A.2", "B.3"}


def test_unknown_policy_and_unknown_codes():
    with pytest.raises(ValueError, match="policy"):
        current_levels(frame_of(RATINGS), "max")
    stray = [RatingRecord(1, "Z.9", "self", 4), RatingRecord(1, "A.1", "peer", 4)]
    assert levels_by_code("self", stray + self_ratings(1, {"A.2": 1})) == {"A.2": 1}


def profile_of(ratings, targets=(), educator_ids=(1,)):
    competencies = competencies_frame(FRAMEWORK)
    levels = current_levels(frame_of(ratings), "mean")
    return competency_profile(levels, educators_frame(educators(*educator_ids)), competencies,
                              targets_frame(targets, competencies)), competencies


def test_gaps_use_the_school_target_or_level_3_weight_1():
    profile, _ = profile_of(RATINGS, targets=[Target(1, "A.3", 4, 2.0), Target(2, "A.1", 4, 3.0)])
    rows = {CODES[r.comp]: (r.target, r.weight, r.gap, r.strength) for r in profile.itertuples()}
    assert rows == {
        "A.1": (3, 1.0, 0.5, False),    # mean 2.5; school 2's target does not apply
        "A.2": (3, 1.0, 1.0, False),
        "A.3": (4, 2.0, 0.0, True),     # 4 against a target of 4: a strength
        "B.2": (3, 1.0, 0.0, True),     # evidence 3 at target 3
        "B.3": (3, 1.0, 1.0, False),
    }


def test_strengths_are_rated_competencies_at_or_above_target_only():
    profile, competencies = profile_of(RATINGS)
    assert strengths(profile, competencies) == [(1, "A.3"), (1, "B.2")]


def test_ratings_of_people_not_being_planned_are_left_out():
    profile, _ = profile_of(RATINGS + self_ratings(99, {"A.1": 1}))
    assert set(profile[EDUCATOR]) == {1}


def test_mentors_are_one_level_above_target_or_at_level_4_sorted_by_id():
    ratings = (self_ratings(3, {"A.1": 4, "A.2": 4}) + self_ratings(2, {"A.1": 4})
               + self_ratings(1, {"A.1": 3, "A.2": 3}))
    targets = [Target(1, "A.2", 2), Target(1, "A.1", 4)]
    competencies = competencies_frame(FRAMEWORK)
    levels = current_levels(frame_of(ratings), "self")
    profile = competency_profile(levels, educators_frame(educators(1, 2, 3)), competencies,
                                 targets_frame(targets, competencies))
    strong = mentors_by_school(profile, competencies["code"].to_numpy())
    assert strong == {(1, "A.1"): (2, 3), (1, "A.2"): (1, 3)}


def test_duplicate_targets_and_educators_are_refused():
    competencies = competencies_frame(FRAMEWORK)
    with pytest.raises(ValueError):
        targets_frame([Target(1, "A.1", 3), Target(1, "A.1", 4)], competencies)
    with pytest.raises(ValueError):
        educators_frame(educators(1, 1))


def test_an_empty_district_has_no_levels():
    frame = current_levels(frame_of([]), "mean")
    assert len(frame) == 0
    assert list(frame.columns) == ["educator_id", "comp", "self_level", "coach_level", "current", "interest"]


def test_a_domain_s_name_is_the_first_given_in_framework_order_else_its_code():
    competencies = [CompetencyInfo("X.2", "Two", "X", 2, False, domain_name="Second"),
                    CompetencyInfo("Y.1", "Three", "Y", 3, False),
                    CompetencyInfo("X.1", "One", "X", 1, False, domain_name=" "),
                    CompetencyInfo("X.3", "Four", "X", 4, False, domain_name="Third")]
    frame = competencies_frame(competencies)
    assert frame[DOMAIN_NAME].tolist() == ["Second", "Second", "Y", "Second"]
    assert competencies_frame(competencies[::-1])[DOMAIN_NAME].tolist() == ["Second", "Second", "Y", "Second"]
