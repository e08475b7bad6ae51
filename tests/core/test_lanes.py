"""SPEC 5.5: readiness, the lane rule at its boundaries, overrides, and the why."""

import pytest

from pdplanner.core.lanes import in_the_lane, lane_for, lane_label, shown_short_of
from pdplanner.core.planner import plan
from pdplanner.core.types import PlanningSettings
from tests.core.builders import FRAMEWORK, NAMED_FRAMEWORK, both_ratings, educators, planning_input, uniform

# A district that named its lanes its own way.
OWN_WORDS = PlanningSettings(fast_lane_label="Leading the way", slow_lane_label="Growing with support")


def lane_of(ratings, overrides=(), settings=None, competencies=FRAMEWORK):
    result = plan(planning_input(educators(1), ratings, settings, overrides=overrides,
                                 competencies=competencies))
    (decision,) = result.lanes
    return decision


def test_exactly_at_both_thresholds_is_fast():
    # 3 of 5 rated at target = 0.6; domain A mean (3 + 2) / 2 = 2.5; domain B (3 + 3 + 2) / 3.
    decision = lane_of(both_ratings(1, {"A.1": 3, "A.2": 2, "B.1": 3, "B.2": 3, "B.3": 2}))
    assert (decision.lane, decision.rated, decision.at_target, decision.readiness) == ("fast", 5, 3, 0.6)
    assert (decision.lowest_domain, decision.lowest_domain_mean) == ("A", 2.5)
    # The defaults: the default lane labels; a framework without domain names shows the codes.
    assert decision.why == ('3 of 5 rated competencies at target or above (60%); '
                            'lowest domain average: A 2.5. So: "Ready to move".')
    assert not decision.overridden


def test_just_below_the_readiness_threshold_is_slow_and_says_what_is_needed():
    # 2 of 4 at target = 0.5; lowest domain B (3 + 2) / 2 = 2.5
    decision = lane_of(both_ratings(1, {"A.1": 3, "A.2": 2, "B.1": 3, "B.2": 2}))
    assert (decision.lane, decision.readiness) == ("slow", 0.5)
    assert decision.why == ('2 of 4 rated competencies at target or above '
                            '(50%; "Ready to move" asks for 60%); lowest domain average: A 2.5. So: '
                            '"Building readiness".')


def test_a_low_domain_keeps_a_ready_educator_in_the_slow_lane():
    # 4 of 6 at target (67%) but domain B's mean is (3 + 2 + 2) / 3 = 2.33
    decision = lane_of(uniform(1, 3, {"B.2": 2, "B.3": 2}))
    assert decision.lane == "slow"
    assert decision.lowest_domain == "B" and decision.lowest_domain_mean == pytest.approx(7 / 3)
    assert decision.why == ('4 of 6 rated competencies at target or above (67%); '
                            'lowest domain average: B 2.3 '
                            '("Ready to move" asks for 2.5 in every domain). So: "Building readiness".')


def test_domain_ties_go_to_the_first_domain_in_the_framework():
    decision = lane_of(uniform(1, 3, {"A.1": 2, "B.1": 2, "A.3": 4, "B.3": 4}))
    assert (decision.lowest_domain, decision.lowest_domain_mean) == ("A", 3.0)


def test_everyone_at_target_is_fast():
    decision = lane_of(uniform(1, 3))
    assert (decision.lane, decision.readiness, decision.at_target) == ("fast", 1.0, 6)


def test_nothing_rated_is_slow_with_no_readiness():
    decision = lane_of(both_ratings(1, {"A.1": None}))
    assert decision.lane == "slow" and decision.rated == 0
    assert decision.readiness is None and decision.lowest_domain is None
    assert decision.why.startswith("Nothing is rated yet")


def test_thresholds_are_settings():
    ratings = both_ratings(1, {"A.1": 3, "A.2": 2, "B.1": 3, "B.2": 3, "B.3": 2})
    assert lane_of(ratings, settings=PlanningSettings(fast_lane_readiness=0.61)).lane == "slow"
    assert lane_of(ratings, settings=PlanningSettings(fast_lane_min_domain_mean=2.6)).lane == "slow"


def test_an_override_replaces_the_lane_and_keeps_the_numbers():
    decision = lane_of(uniform(1, 3), overrides=[(1, "slow", "New to the school this year.")])
    assert (decision.lane, decision.overridden) == ("slow", True)
    assert (decision.readiness, decision.at_target, decision.lowest_domain_mean) == (1.0, 6, 3.0)
    assert decision.why == (
        'Set to "Building readiness" by a coach or principal: New to the school this year. '
        'The numbers alone say "Ready to move": 6 of 6 rated competencies at target or above (100%); '
        'lowest domain average: A 3.0.')


def test_an_override_for_someone_with_nothing_rated():
    decision = lane_of([], overrides=[(1, "fast", "Experienced, rating next week")])
    assert decision.lane == "fast" and decision.readiness is None
    assert decision.why.endswith('The numbers alone say "Building readiness": nothing is rated yet.')


def test_an_override_naming_an_unknown_lane_is_refused():
    with pytest.raises(ValueError, match="lane"):
        lane_of(uniform(1, 3), overrides=[(1, "express", "no")])


def test_shown_numbers_never_contradict_the_decision():
    assert shown_short_of(0.597, 0.6, 2) == 0.59
    assert shown_short_of(2.46, 2.5, 1) == 2.4
    assert shown_short_of(0.736, 0.6, 2) == 0.74
    lane, why = lane_for(rated=1000, at_target=597, lowest_domain="A", lowest_mean=3.0,
                         settings=PlanningSettings())
    assert lane == "slow" and '(59%; "Ready to move" asks for 60%)' in why


def test_whys_use_the_district_s_lane_labels_and_domain_names():
    fast = lane_of(both_ratings(1, {"A.1": 3, "A.2": 2, "B.1": 3, "B.2": 3, "B.3": 2}), settings=OWN_WORDS,
                   competencies=NAMED_FRAMEWORK)
    assert fast.why == ('3 of 5 rated competencies at target or above (60%); '
                        'lowest domain average: Assessment 2.5. '
                        'So: "Leading the way".')
    slow = lane_of(uniform(1, 3, {"A.1": 2, "B.2": 2, "B.3": 2}), settings=OWN_WORDS,
                   competencies=NAMED_FRAMEWORK)
    # 3 of 6 at target; domain B (3 + 2 + 2) / 3 = 2.33 is below A's (2 + 3 + 3) / 3 = 2.67
    assert slow.why == ('3 of 6 rated competencies at target or above (50%; "Leading the way" asks for 60%); '
                        'lowest domain average: Belonging 2.3 '
                        '("Leading the way" asks for 2.5 in every domain). '
                        'So: "Growing with support".')
    assert (fast.lowest_domain, slow.lowest_domain) == ("A", "B")     # the data keeps the code


def test_an_override_s_why_uses_the_district_s_words():
    decision = lane_of(uniform(1, 3), overrides=[(1, "slow", "Asked for support")], settings=OWN_WORDS,
                       competencies=NAMED_FRAMEWORK)
    assert decision.why == (
        'Set to "Growing with support" by a coach or principal: Asked for support. '
        'The numbers alone say "Leading the way": 6 of 6 rated competencies at target or above (100%); '
        'lowest domain average: Assessment 3.0.')
    nothing = lane_of([], settings=OWN_WORDS)
    assert nothing.why == ('Nothing is rated yet, so "Growing with support" until there are '
                           'ratings to go on.')


def test_labels_are_quoted_as_written_and_a_blank_one_falls_back_to_the_default():
    settings = PlanningSettings(fast_lane_label="  PLC Leaders ", slow_lane_label=" ")
    assert lane_label("fast", settings) == '"PLC Leaders"'
    assert lane_label("slow", settings) == '"Building readiness"'
    assert in_the_lane("fast", settings) == 'the "PLC Leaders" lane'
    assert in_the_lane("slow", PlanningSettings(slow_lane_label="Supported Lane")) == 'the "Supported Lane"'
    assert in_the_lane("slow", PlanningSettings(slow_lane_label="Plane")) == 'the "Plane" lane'
