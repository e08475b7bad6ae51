"""Ratings handed over as columns: the same frame as records, and the views an educator lacks."""

import pandas as pd
import pytest

from pdplanner.core.gaps import missing_views
from pdplanner.core.types import RatingColumns, RatingRecord
from tests.core.builders import CODES, coach_ratings, frame_of, self_ratings


def columns_of(records) -> RatingColumns:
    return RatingColumns(*(list(column) for column in zip(
        *((r.educator_id, r.competency, r.kind, r.level, r.interest) for r in records), strict=True)))


def test_columns_give_the_records_frame_and_drop_the_same_stray_rows():
    records = (self_ratings(1, {"A.1": 3, "B.2": None}, interest=("A.1",)) + coach_ratings(1, {"A.1": 2})
               + coach_ratings(1, {"B.2": 4}, kind="evidence")
               + [RatingRecord(1, "Z.9", "self", 2), RatingRecord(1, "A.2", "peer", 2)])
    pd.testing.assert_frame_equal(frame_of(columns_of(records)), frame_of(records))
    assert len(frame_of(records)) == 4


def test_interest_may_be_the_stored_zero_or_one():
    records = self_ratings(1, {"A.1": 3, "A.2": 2}, interest=("A.2",))
    stored = columns_of(records)
    stored = RatingColumns(stored.educator_ids, stored.competencies, stored.kinds, stored.levels, [0, 1])
    pd.testing.assert_frame_equal(frame_of(stored), frame_of(records))


def test_columns_must_have_the_same_length():
    with pytest.raises(ValueError):
        RatingColumns([1, 1], ["A.1", "A.2"], ["self", "self"], [3], [False, False])


def test_missing_views_by_hand():
    everything = {code: 2 for code in CODES}
    ratings = columns_of(
        self_ratings(1, everything) + coach_ratings(1, everything)            # nothing missing
        + self_ratings(2, everything | {"A.1": None})                         # no coach yet
        + self_ratings(3, {code: 2 for code in CODES[1:]})                     # A.1 self missing
        + coach_ratings(3, everything)[:-1]                                   # B.3 coach missing
        + coach_ratings(3, {"B.3": 3}, kind="evidence")                        # ... given as evidence
        + [RatingRecord(3, "Z.9", "self", 2)])                                 # not in the framework
    assert missing_views(ratings, CODES) == {
        2: {(code, "coach") for code in CODES},
        3: {("A.1", "self")},
    }
