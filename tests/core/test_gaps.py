from pdplanner.core.gaps import calibrate, domain_means, levels_by_educator
from pdplanner.core.types import RatingRecord

CODES = ["A.1", "A.2", "A.3", "A.4", "A.5"]


def test_calibration_side_by_side_with_flags_both_ways():
    rows = calibrate(CODES, {"A.1": 4, "A.2": 3, "A.3": 1, "A.4": None},
                     {"A.1": 2, "A.2": 2, "A.3": 3, "A.4": 3, "A.5": 2})
    assert [(r.competency, r.self_level, r.coach_level, r.difference, r.flagged) for r in rows] == [
        ("A.1", 4, 2, 2, True),       # self above coach by 2: flagged
        ("A.2", 3, 2, 1, False),
        ("A.3", 1, 3, -2, True),      # under-rating is flagged too
        ("A.4", None, 3, None, False),  # not yet observed: nothing to compare
        ("A.5", None, 2, None, False),  # not rated by self
    ]


def test_threshold_is_a_parameter_and_order_follows_the_codes():
    rows = calibrate(["B", "A"], {"A": 3, "B": 2}, {"A": 2, "B": 2}, flag_at=1)
    assert [(r.competency, r.flagged) for r in rows] == [("B", False), ("A", True)]


# -- one educator's levels, for pages and reports ---------------------------------------------

def test_levels_by_educator_follow_the_policy_and_skip_what_has_no_level():
    ratings = [RatingRecord(7, "A.1", "self", 3), RatingRecord(7, "A.1", "coach", 2),
               RatingRecord(7, "A.2", "self", None), RatingRecord(7, "A.3", "coach", 1),
               RatingRecord(7, "A.3", "evidence", 3), RatingRecord(7, "X.9", "self", 4),
               RatingRecord(0, "A.2", "coach", 4), RatingRecord(5, "A.4", "self", None)]
    assert levels_by_educator(ratings, CODES, "mean") == {7: {"A.1": 2.5, "A.3": 3.0}, 0: {"A.2": 4.0}}
    assert levels_by_educator(ratings, CODES, "self") == {7: {"A.1": 3.0}}
    assert levels_by_educator([], CODES, "mean") == {}


def test_domain_means_average_the_competencies_that_have_a_level():
    domains = {"A.1": "A", "A.2": "A", "B.1": "B", "C.1": "C"}
    assert domain_means({"A.1": 2.0, "A.2": 3.0, "C.1": 1.5}, domains) == {"A": 2.5, "C": 1.5}
