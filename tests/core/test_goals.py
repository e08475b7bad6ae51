"""SPEC 5.3-5.4: priority, goal selection and the goal's why, computed by hand."""

import random

from pdplanner.core.goals import level_labels_by_level
from pdplanner.core.planner import plan
from pdplanner.core.types import PlanningSettings, Target
from tests.core.builders import (
    LEVEL_LABELS,
    both_ratings,
    coach_ratings,
    educators,
    no_bonus,
    planning_input,
    self_ratings,
    uniform,
)


def goals_of(ratings, settings=None, targets=(), educator_ids=(1,), level_labels=()):
    result = plan(planning_input(educators(*educator_ids), ratings, settings or no_bonus(), targets,
                                 level_labels=level_labels))
    return result.goals


def test_priority_is_gap_times_weight_plus_interest_and_foundational_bonuses():
    # A.1 (foundational) gap 1; A.2 gap 2 weight 1.5; B.2 gap 1 with interest; the rest at target.
    ratings = uniform(1, 3, {"A.1": 2, "A.2": 1, "B.2": 2})
    ratings = [r for r in ratings if not (r.kind == "self" and r.competency == "B.2")]
    ratings += self_ratings(1, {"B.2": 2}, interest=("B.2",))
    settings = PlanningSettings(interest_bonus=0.5, foundational_bonus=0.25)
    goals = goals_of(ratings, settings, targets=[Target(1, "A.2", 3, 1.5)])
    assert [(g.competency, g.priority, g.rank) for g in goals] == [
        ("A.2", 3.0, 1),     # 2 x 1.5
        ("B.2", 1.5, 2),     # 1 x 1 + 0.5 interest
        ("A.1", 1.25, 3),    # 1 x 1 + 0.25 foundational
    ]


def test_ties_go_to_framework_order_and_at_most_k_goals():
    goals = goals_of(uniform(1, 2))               # six gaps of 1, all equal
    assert [(g.competency, g.rank) for g in goals] == [("A.1", 1), ("A.2", 2), ("B.1", 3)]


def test_at_most_two_goals_per_domain():
    # Domain A has the three biggest gaps, but only two of them may be goals.
    goals = goals_of(uniform(1, 3, {"A.1": 1, "A.2": 1, "A.3": 1, "B.3": 2}))
    assert [g.competency for g in goals] == ["A.1", "A.2", "B.3"]


def test_the_domain_cap_and_goal_count_are_settings():
    ratings = uniform(1, 3, {"A.1": 1, "A.2": 1, "A.3": 1, "B.3": 2})
    goals = goals_of(ratings, no_bonus(goals_per_educator=4, goals_per_domain=3))
    assert [g.competency for g in goals] == ["A.1", "A.2", "A.3", "B.3"]
    assert [g.competency for g in goals_of(ratings, no_bonus(goals_per_educator=1))] == ["A.1"]


def test_strengths_and_unrated_competencies_are_never_goals():
    # Everything at or above target except A.3, which is not yet observed by anyone.
    ratings = both_ratings(1, {"A.1": 3, "A.2": 4, "A.3": None, "B.1": 3, "B.2": 4})  # B.3 not rated at all
    assert goals_of(ratings) == ()


def test_one_level_of_growth_from_the_level_rounded_down():
    ratings = (self_ratings(1, {"A.1": 3, "B.1": 1}) + coach_ratings(1, {"A.1": 2})
               + both_ratings(1, {"A.2": 1}))
    goals = {g.competency: (g.from_level, g.to_level) for g in goals_of(ratings)}
    # A.1: mean of self 3 and coach 2 = 2.5 -> from 2 to 3; A.2 from 1 to 2 (not to the target 3)
    assert goals == {"A.1": (2, 3), "A.2": (1, 2), "B.1": (1, 2)}


def test_to_level_never_passes_a_lower_target():
    goals = goals_of(uniform(1, 4, {"B.1": 1}), targets=[Target(1, "B.1", 2)])
    assert [(g.competency, g.from_level, g.to_level) for g in goals] == [("B.1", 1, 2)]


def test_why_names_the_numbers_in_plain_language():
    ratings = uniform(1, 3, {"A.1": 2})
    ratings = [r for r in ratings if not (r.kind == "self" and r.competency == "A.1")]
    ratings += self_ratings(1, {"A.1": 2}, interest=("A.1",))
    (goal,) = goals_of(ratings, PlanningSettings(), targets=[Target(1, "A.1", 3, 1.5)])
    # No level labels given: levels are shown by number.
    assert goal.why == ("Now at level 2 in Alpha one; the school aims for level 3, 1 level further on. "
                        "The school gives this competency more weight than usual (weight 1.5). "
                        "Marked in the self-assessment as a place to grow. "
                        "A foundational competency that others build on.")
    # The why is read by the educator, their coach and maybe their principal: no "you".
    assert "you" not in goal.why.lower().split()
    assert goal.priority == 1 * 1.5 + 0.5 + 0.25


def test_why_names_levels_by_the_scale_s_labels_with_their_numbers():
    # A.2 at 1 against a school target of 4 (weight 2): gap 3, priority 6, one level of growth.
    (goal,) = goals_of(uniform(1, 3, {"A.2": 1}), targets=[Target(1, "A.2", 4, 2.0)],
                       level_labels=LEVEL_LABELS)
    assert (goal.from_level, goal.to_level, goal.priority) == (1, 2, 6.0)
    assert goal.why == ("Now at Exploring (1) in Alpha two; the school aims for Leading (4), 3 levels "
                        "further on. The school gives this competency more weight than usual (weight 2).")


def test_a_current_level_between_two_levels_names_both():
    # A.3: self 3, coach 2 -> mean 2.5 against target 3: gap 0.5, grows from 2 to 3.
    ratings = uniform(1, 3, {"A.3": 2})
    ratings = [r for r in ratings if not (r.kind == "self" and r.competency == "A.3")]
    ratings += self_ratings(1, {"A.3": 3})
    (goal,) = goals_of(ratings, level_labels=LEVEL_LABELS)
    assert (goal.from_level, goal.to_level) == (2, 3)
    assert goal.why == ("Now at 2.5 (between Developing and Proficient) in Alpha three; the school aims "
                        "for Proficient (3), 0.5 levels further on.")
    # With a label missing on one side, the mean is shown as a number alone.
    (goal,) = goals_of(ratings, level_labels=[(3, "Proficient")])
    assert goal.why == ("Now at 2.5 in Alpha three; the school aims for Proficient (3), 0.5 levels "
                        "further on.")


def test_a_level_without_a_label_falls_back_to_its_number():
    (goal,) = goals_of(uniform(1, 3, {"A.2": 2}), level_labels=[(3, "Proficient"), (2, "  ")])
    assert goal.why == ("Now at level 2 in Alpha two; the school aims for Proficient (3), 1 level "
                        "further on.")


def test_level_labels_do_not_depend_on_the_order_of_the_input():
    pairs = [(2, "Developing"), (3, "Proficient"), (2, "Growing"), (1, " Exploring ")]
    expected = {1: "Exploring", 2: "Growing", 3: "Proficient"}     # a repeated level: the last by sort
    for seed in range(5):
        random.Random(seed).shuffle(pairs)
        assert level_labels_by_level(pairs) == expected


def test_everyone_at_target_has_no_goals():
    assert goals_of(uniform(1, 3) + uniform(2, 4), educator_ids=(1, 2)) == ()
