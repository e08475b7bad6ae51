"""Current levels, gaps, strengths (and the strong colleagues offered as mentors), and
calibration between self and coach ratings."""

from collections.abc import Iterable, Mapping, Sequence
from statistics import fmean

import numpy as np
import pandas as pd

from pdplanner.core.frames import (
    COACH_LEVEL,
    CODE,
    COMP,
    CURRENT,
    DEFAULT_TARGET_LEVEL,
    DEFAULT_TARGET_WEIGHT,
    DOMAIN,
    DOMAIN_ORDER,
    EDUCATOR,
    FOUNDATIONAL,
    GAP,
    INTEREST,
    KIND,
    LEVEL,
    POSITION,
    RATING_KINDS,
    SCHOOL,
    SELF_LEVEL,
    STRENGTH,
    TARGET,
    WEIGHT,
)
from pdplanner.core.types import CURRENT_LEVEL_POLICIES, CalibrationRow, RatingColumns, RatingRecord

CALIBRATION_FLAG_AT = 2


def calibrate(codes: Sequence[str], self_levels: Mapping[str, int | None],
              coach_levels: Mapping[str, int | None],
              flag_at: int = CALIBRATION_FLAG_AT) -> list[CalibrationRow]:
    """Self and coach side by side for each competency in `codes`, in that order.

    A difference of `flag_at` levels or more, either way, is flagged for a calibration
    conversation. A competency with a level missing on either side has no difference.
    """
    rows = []
    for code in codes:
        mine, theirs = self_levels.get(code), coach_levels.get(code)
        difference = mine - theirs if mine is not None and theirs is not None else None
        rows.append(CalibrationRow(code, mine, theirs, difference,
                                   difference is not None and abs(difference) >= flag_at))
    return rows


# -- current levels, gaps and strengths (SPEC 5.1, 5.2) --------------------------------------

LEVEL_TOLERANCE = 1e-9   # levels are means of integers; compare with a hair of slack, never exactly


def current_levels(ratings: pd.DataFrame, policy: str) -> pd.DataFrame:
    """The current level of every (educator, competency) that has one, by the district's policy.

    `ratings` is `frames.ratings_frame`. Only ratings with a level count: "not yet observed"
    (level NaN) is ignored. An "evidence" rating (a verified goal's) counts as the coach's and,
    being newer, wins over a coach rating on the same competency. Policies:

    - "self": the self-rating; "coach": the coach's (or the evidence) rating;
    - "mean": the mean of the two where both exist, else whichever exists;
    - "min": the lower of the two where both exist, else whichever exists.

    A competency with no level under the policy has no row at all: it is neither a strength nor
    a goal candidate, because nothing is known about it. Should the input carry several records
    of the same kind for one competency (say, a query that did not filter by cycle), the highest
    level is taken, so the result never depends on the order of the records.

    Returns columns educator_id, comp, self_level, coach_level, current (float64, NaN where a
    side is missing) and interest (the educator's self-rating says "I want to grow here"),
    sorted by educator and framework order.
    """
    keys, comp, mine, theirs, current, wanted = _current_levels(
        ratings[EDUCATOR].to_numpy(), ratings[COMP].to_numpy(), ratings[LEVEL].to_numpy(),
        ratings[KIND].to_numpy(), ratings[INTEREST].to_numpy(), policy)
    return pd.DataFrame({
        EDUCATOR: keys,
        COMP: comp,
        SELF_LEVEL: mine,
        COACH_LEVEL: theirs,
        CURRENT: current,
        INTEREST: wanted,
    })


def _current_levels(educator: np.ndarray, comp: np.ndarray, level: np.ndarray, kind: np.ndarray,
                    interest: np.ndarray, policy: str) -> tuple[np.ndarray, ...]:
    """`current_levels`' rule on plain arrays (numpy rather than a pandas groupby: the same rule
    runs for a whole district and for one person's page, where pandas' fixed cost per call would
    be most of the time). Returns (educator, comp, self level, coach level, current, interest),
    one entry per (educator, competency) that has a current level, sorted by both."""
    if policy not in CURRENT_LEVEL_POLICIES:
        raise ValueError(f"unknown current level policy {policy!r}; use one of {CURRENT_LEVEL_POLICIES}")
    n_comp = int(comp.max()) + 1 if len(comp) else 1
    key = educator * n_comp + comp
    observed = ~np.isnan(level)

    rated = observed & np.isin(kind, ("self", "coach", "evidence"))
    keys, slot = np.unique(key[rated], return_inverse=True)
    mine, theirs = level_sides(slot, kind[rated], level[rated], len(keys))
    current = CURRENT_LEVEL_RULES[policy](mine, theirs)
    keys = keys.astype(np.int64)
    wanted = np.isin(keys, key[(kind == "self") & interest])
    known = ~np.isnan(current)
    return (keys[known] // n_comp, keys[known] % n_comp, mine[known], theirs[known], current[known],
            wanted[known])


def level_sides(slots: np.ndarray, kinds: np.ndarray, levels: np.ndarray, size: int,
                ) -> tuple[np.ndarray, np.ndarray]:
    """(self level, coach level) of each of `size` (educator, competency) slots from ratings
    with a level: the highest of each kind, and a verified goal's evidence standing for the
    coach's rating (it is newer). NaN where a side has no rating."""
    def highest(of_kind: str) -> np.ndarray:
        found = np.full(size, np.nan)
        mask = kinds == of_kind
        np.fmax.at(found, slots[mask], levels[mask])
        return found

    evidence = highest("evidence")
    return highest("self"), np.where(np.isnan(evidence), highest("coach"), evidence)


def _self_only(mine: np.ndarray, theirs: np.ndarray) -> np.ndarray:
    return mine


def _coach_only(mine: np.ndarray, theirs: np.ndarray) -> np.ndarray:
    return theirs


def _mean_of_both(mine: np.ndarray, theirs: np.ndarray) -> np.ndarray:
    both = (mine + theirs) / 2
    return np.where(np.isnan(mine), theirs, np.where(np.isnan(theirs), mine, both))


def _lower_of_both(mine: np.ndarray, theirs: np.ndarray) -> np.ndarray:
    return np.fmin(mine, theirs)       # fmin ignores a missing side


CURRENT_LEVEL_RULES = {"self": _self_only, "coach": _coach_only, "mean": _mean_of_both, "min": _lower_of_both}


def levels_by_educator(ratings: Iterable[RatingRecord], codes: Sequence[str],
                       policy: str) -> dict[int, dict[str, float]]:
    """Each educator's current level per competency code under the district's policy: the
    planner's rule (`current_levels`), for a page or report about a few people. One person's
    ratings across several cycles go through in one pass too, with each cycle's position as the
    "educator" id. Codes with no level (unrated, not yet observed) are left out, and so is an
    educator with none."""
    position = {code: i for i, code in enumerate(codes)}
    # As `frames.ratings_frame` does: ratings on other codes, or of other kinds, are dropped.
    kept = [r for r in ratings if r.competency in position and r.kind in RATING_KINDS]
    educator, comp, _, _, current, _ = _current_levels(
        np.array([r.educator_id for r in kept], dtype=np.int64),
        np.array([position[r.competency] for r in kept], dtype=np.int64),
        np.array([r.level for r in kept], dtype=np.float64),           # None becomes NaN
        np.array([r.kind for r in kept], dtype=object),
        np.array([r.interest for r in kept], dtype=bool), policy)
    found: dict[int, dict[str, float]] = {}
    for each, index, level in zip(educator.tolist(), comp.tolist(), current.tolist(), strict=True):
        found.setdefault(each, {})[codes[index]] = level
    return found


def domain_means(levels: Mapping[str, float], domain_of: Mapping[str, str]) -> dict[str, float]:
    """The mean level of each domain over its competencies that have one, in `domain_of`'s
    order; a domain with none is left out."""
    by_domain: dict[str, list[float]] = {}
    for code, domain in domain_of.items():
        if code in levels:
            by_domain.setdefault(domain, []).append(levels[code])
    return {domain: fmean(values) for domain, values in by_domain.items()}


# Which view of a competency a rating gives: a verified goal's evidence rating stands where the
# coach's rating would (`current_levels` takes it over the coach's when both are given).
VIEW_OF_KIND = {"self": "self", "coach": "coach", "evidence": "coach"}
VIEWS = ("self", "coach")


def missing_views(ratings: RatingColumns, codes: Sequence[str]) -> dict[int, set[tuple[str, str]]]:
    """Educator id -> the (code, view) pairs of `codes` that none of their ratings gives, for
    each educator in `ratings` who lacks any (view: "self" or "coach", see `VIEW_OF_KIND`). A
    "not yet observed" rating gives its view: the rater has looked. `codes` must be unique.

    Vectorised, since it runs over a whole district's ratings to find the few who lack a view."""
    educators = np.asarray(ratings.educator_ids, dtype=np.int64)
    position, ids = pd.factorize(educators)
    comp = pd.Index(codes, dtype=object).get_indexer(pd.Index(ratings.competencies, dtype=object))
    kinds = np.asarray(ratings.kinds, dtype=object)
    view = np.full(len(kinds), -1)
    for kind, name in VIEW_OF_KIND.items():
        view[kinds == kind] = VIEWS.index(name)
    known = (comp >= 0) & (view >= 0)
    given = np.zeros((len(ids), len(codes) * len(VIEWS)), dtype=bool)
    given[position[known], comp[known] * len(VIEWS) + view[known]] = True
    pairs = [(code, view) for code in codes for view in VIEWS]    # the columns of `given`
    return {int(ids[i]): {pairs[j] for j in np.flatnonzero(~given[i]).tolist()}
            for i in np.flatnonzero(~given.all(axis=1))}


def competency_profile(levels: pd.DataFrame, educators: pd.DataFrame, competencies: pd.DataFrame,
                       targets: pd.DataFrame) -> pd.DataFrame:
    """Current levels with everything the rules need beside them: one row per (educator,
    competency) that has a current level, for educators in `educators` only.

    Adds school_id, domain, domain_order, position, foundational, the school's target and
    priority weight (level 3 and weight 1 when the school set none), gap = max(0, target -
    current) and strength (current at or above target). Sorted by educator, framework order.
    """
    profile = levels.merge(educators, on=EDUCATOR, how="inner", sort=False)
    comp = profile[COMP].to_numpy()
    for column in (DOMAIN, DOMAIN_ORDER, POSITION, FOUNDATIONAL):
        profile[column] = competencies[column].to_numpy()[comp]
    profile = profile.merge(targets, on=[SCHOOL, COMP], how="left", sort=False)
    profile[TARGET] = profile[TARGET].fillna(DEFAULT_TARGET_LEVEL).astype(np.int64)
    profile[WEIGHT] = profile[WEIGHT].fillna(DEFAULT_TARGET_WEIGHT).astype(np.float64)
    shortfall = profile[TARGET].to_numpy() - profile[CURRENT].to_numpy()
    profile[STRENGTH] = shortfall <= LEVEL_TOLERANCE
    profile[GAP] = np.where(profile[STRENGTH].to_numpy(), 0.0, shortfall)
    return profile.sort_values([EDUCATOR, COMP], kind="stable").reset_index(drop=True)


def strengths(profile: pd.DataFrame, competencies: pd.DataFrame) -> list[tuple[int, str]]:
    """(educator_id, code) for every rated competency at or above the school's target, by
    educator then framework order. Unrated competencies are never strengths."""
    strong = profile[profile[STRENGTH]]
    codes = competencies[CODE].to_numpy()[strong[COMP].to_numpy()]
    return list(zip(strong[EDUCATOR].tolist(), codes.tolist(), strict=True))


MENTOR_LEVEL = 4   # the top of the default scale: "Leading"


def mentors_by_school(profile: pd.DataFrame, codes: np.ndarray) -> dict[tuple[int, str], tuple[int, ...]]:
    """(school_id, code) -> ids (ascending) of educators strong enough on that competency to be
    offered as a cohort's peer mentor: a current level at least one above the school's target,
    or at least level 4 (so a target of 4 still has mentors)."""
    threshold = np.minimum(profile[TARGET].to_numpy() + 1, MENTOR_LEVEL)
    strong = profile[profile[CURRENT].to_numpy() >= threshold - LEVEL_TOLERANCE]
    strong = strong.sort_values([SCHOOL, COMP, EDUCATOR], kind="stable")
    schools, comps = strong[SCHOOL].to_numpy(), strong[COMP].to_numpy()
    ids = strong[EDUCATOR].to_numpy()
    if not len(ids):
        return {}
    starts = np.flatnonzero(np.r_[True, (schools[1:] != schools[:-1]) | (comps[1:] != comps[:-1])])
    ends = np.r_[starts[1:], len(ids)]
    return {(int(schools[a]), str(codes[comps[a]])): tuple(ids[a:b].tolist())
            for a, b in zip(starts.tolist(), ends.tolist(), strict=True)}
