"""Records -> DataFrames: the one place the planner's column names and dtypes are defined.

Every frame the planner works on comes from here, so the rest of the core can rely on clean,
typed columns: ids are int64, levels float64 (NaN: no level), flags bool. Competencies are also
carried as `comp`, their index in framework order (0 = first by position, then code), which is
what the vectorised steps sort and group on; the code string is looked up only for output.
"""

from collections.abc import Iterable

import numpy as np
import pandas as pd

from pdplanner.core.types import CompetencyInfo, EducatorInfo, RatingColumns, RatingRecord, Target

# -- column names ---------------------------------------------------------------------------
EDUCATOR = "educator_id"
SCHOOL = "school_id"
COMP = "comp"                # int: index of the competency in framework order
CODE = "code"                # competency code, "COG.1"
NAME = "name"
DOMAIN = "domain"            # domain code
DOMAIN_NAME = "domain_name"  # the domain's name for whys (its code when none is given)
DOMAIN_ORDER = "domain_order"  # int: domains ordered by the position of their first competency
POSITION = "position"
FOUNDATIONAL = "foundational"
KIND = "kind"
LEVEL = "level"              # float64, NaN = not yet observed
INTEREST = "interest"
SELF_LEVEL = "self_level"
COACH_LEVEL = "coach_level"
CURRENT = "current"          # float64: the current level by the district's policy
TARGET = "target"            # int64
WEIGHT = "weight"            # float64
GAP = "gap"
STRENGTH = "strength"        # bool: current level at or above target
PRIORITY = "priority"
RANK = "rank"

DEFAULT_TARGET_LEVEL = 3
DEFAULT_TARGET_WEIGHT = 1.0
RATING_KINDS = ("self", "coach", "evidence")


def competencies_frame(competencies: Iterable[CompetencyInfo]) -> pd.DataFrame:
    """One row per competency in framework order (position, then code), indexed by `comp` 0..n-1.

    Columns: code, name, domain, position, foundational, domain_order, domain_name. A domain's
    name is the first non-empty `domain_name` of its competencies in framework order, else its
    code, so every competency of a domain shows the same name. Raises ValueError when a code
    appears twice, since the planner could not tell which one a rating means.
    """
    ordered = sorted(competencies, key=lambda c: (c.position, c.code))
    codes = [c.code for c in ordered]
    if len(set(codes)) != len(codes):
        raise ValueError("competency codes must be unique")
    frame = pd.DataFrame({
        CODE: pd.Series(codes, dtype=object),
        NAME: pd.Series([c.name for c in ordered], dtype=object),
        DOMAIN: pd.Series([c.domain for c in ordered], dtype=object),
        POSITION: np.array([c.position for c in ordered], dtype=np.int64),
        FOUNDATIONAL: np.array([c.foundational for c in ordered], dtype=bool),
    })
    first_seen = dict.fromkeys(frame[DOMAIN])          # dicts keep insertion (framework) order
    domain_rank = {domain: i for i, domain in enumerate(first_seen)}
    frame[DOMAIN_ORDER] = frame[DOMAIN].map(domain_rank).astype(np.int64)
    named: dict[str, str] = {}
    for c in ordered:
        if c.domain_name.strip() and c.domain not in named:
            named[c.domain] = c.domain_name.strip()
    frame[DOMAIN_NAME] = pd.Series([named.get(d, d) for d in frame[DOMAIN]], dtype=object)
    frame.index.name = COMP
    return frame


def educators_frame(educators: Iterable[EducatorInfo]) -> pd.DataFrame:
    """One row per educator, sorted by id. Columns: educator_id, school_id (int64).

    Raises ValueError for a repeated id: the same person twice would be planned twice.
    """
    ordered = sorted(educators, key=lambda e: e.id)
    ids = np.array([e.id for e in ordered], dtype=np.int64)
    if len(ids) > 1 and (np.diff(ids) == 0).any():
        raise ValueError("educator ids must be unique")
    return pd.DataFrame({EDUCATOR: ids,
                         SCHOOL: np.array([e.school_id for e in ordered], dtype=np.int64)})


def ratings_frame(ratings: Iterable[RatingRecord] | RatingColumns,
                  competencies: pd.DataFrame) -> pd.DataFrame:
    """One row per rating, from records or from columns. Columns: educator_id (int64), comp
    (int64), kind (str), level (float64, NaN for "not yet observed"), interest (bool).

    Ratings on a competency the framework does not have, or of an unknown kind, are dropped:
    the planner plans against one framework, and stray rows must not invent competencies.
    """
    if not isinstance(ratings, RatingColumns):
        records = tuple(ratings)
        ratings = RatingColumns([r.educator_id for r in records], [r.competency for r in records],
                                [r.kind for r in records], [r.level for r in records],
                                [r.interest for r in records])
    # A hash lookup of every code among the framework's few, in one call; unknown codes get -1.
    comp = pd.Index(competencies[CODE]).get_indexer(pd.Index(ratings.competencies, dtype=object))
    frame = pd.DataFrame({
        EDUCATOR: np.asarray(ratings.educator_ids, dtype=np.int64),
        COMP: comp.astype(np.int64, copy=False),
        KIND: pd.Series(ratings.kinds, dtype=object),
        LEVEL: np.asarray(ratings.levels, dtype=np.float64),   # None becomes NaN
        INTEREST: np.asarray(ratings.interests, dtype=bool),
    })
    keep = (frame[COMP] >= 0) & frame[KIND].isin(RATING_KINDS)
    return frame[keep].reset_index(drop=True) if not keep.all() else frame


def targets_frame(targets: Iterable[Target], competencies: pd.DataFrame) -> pd.DataFrame:
    """One row per (school, competency) the school set. Columns: school_id, comp (int64),
    target (int64), weight (float64). Targets on unknown competencies are dropped.

    Raises ValueError when a school sets the same competency twice (which one would win would
    depend on the order of the input).
    """
    comp_of = {code: i for i, code in enumerate(competencies[CODE])}
    rows = [(t.school_id, comp_of[t.competency], t.level, t.weight)
            for t in targets if t.competency in comp_of]
    frame = pd.DataFrame({
        SCHOOL: np.array([r[0] for r in rows], dtype=np.int64),
        COMP: np.array([r[1] for r in rows], dtype=np.int64),
        TARGET: np.array([r[2] for r in rows], dtype=np.int64),
        WEIGHT: np.array([r[3] for r in rows], dtype=np.float64),
    })
    if frame.duplicated([SCHOOL, COMP]).any():
        raise ValueError("a school has two targets for the same competency")
    return frame
