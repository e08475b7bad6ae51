from pdplanner.core.gaps import calibrate

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
