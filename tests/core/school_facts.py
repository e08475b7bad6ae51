"""One school's rows written as tuples, as the tests of summaries and disclosure state them,
summarised by `core.summaries.summarise_schools` as the one school of a cycle."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np

from pdplanner.core.summaries import CycleFacts, summarise_schools
from pdplanner.core.types import RatingColumns


@dataclass(frozen=True)
class SchoolFacts:
    """ratings: (educator, code, kind, level); assessments: (educator, submitted, shared);
    placements: (educator, lane, readiness or None, cohort or None); goals: (educator, code,
    met); activities: (educator, status, verified)."""

    educator_ids: tuple[int, ...]
    ratings: Sequence[tuple[int, str, str, int]] = ()
    assessments: Sequence[tuple[int, bool, bool]] = ()
    placements: Sequence[tuple[int, str, float | None, int | None]] = ()
    goals: Sequence[tuple[int, str, bool]] = ()
    activities: Sequence[tuple[int, str, bool]] = ()
    coached_by_leaders: Collection[int] = ()


def columns(rows, *dtypes) -> tuple[np.ndarray, ...]:
    found = tuple(zip(*rows, strict=True)) or ((),) * len(dtypes)
    return tuple(np.asarray(column, dtype=dtype) for column, dtype in zip(found, dtypes, strict=True))


def cycle_facts(members: Sequence[tuple[int, int]], facts: SchoolFacts) -> CycleFacts:
    """The rows of `facts` with `members` as (educator, school) pairs."""
    ratings = columns(facts.ratings, np.int64, object, object, np.float64)
    return CycleFacts(
        members=columns(members, np.int64, np.int64),
        ratings=RatingColumns(*ratings, np.zeros(len(ratings[0]), dtype=bool)),
        assessments=columns(facts.assessments, np.int64, bool, bool),
        placements=columns([(e, lane, np.nan if ready is None else ready, -1 if cohort is None else cohort)
                            for e, lane, ready, cohort in facts.placements],
                           np.int64, object, np.float64, np.int64),
        goals=columns(facts.goals, np.int64, object, bool),
        activities=columns([(e, status == "done", verified) for e, status, verified in facts.activities],
                           np.int64, bool, bool),
        coached_by_leaders=np.asarray(sorted(facts.coached_by_leaders), dtype=np.int64))


def summarise_school(facts: SchoolFacts, competencies, *, target_level: int, policy: str) -> dict:
    return summarise_schools(cycle_facts([(e, 0) for e in facts.educator_ids], facts), [0], competencies,
                             target_level=target_level, policy=policy)[0]
