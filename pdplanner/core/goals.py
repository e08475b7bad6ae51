"""Priority and goal selection (SPEC 5.3, 5.4): grow where growth is needed, one level at a time.

Levels are named in whys by the scale's own labels with the number beside them, "Proficient
(3)", so a reader sees both the words the framework uses and the number the ratings use.
"""

import math
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from pdplanner.core.frames import (
    COMP,
    CURRENT,
    DOMAIN_ORDER,
    EDUCATOR,
    FOUNDATIONAL,
    GAP,
    INTEREST,
    PRIORITY,
    RANK,
    STRENGTH,
    TARGET,
    WEIGHT,
)
from pdplanner.core.types import Goal, PlanningSettings

FROM_LEVEL = "from_level"
TO_LEVEL = "to_level"
PRIORITY_DIGITS = 9   # priorities are compared after rounding, so 0.1 + 0.2 ties with 0.3


def priorities(profile: pd.DataFrame, settings: PlanningSettings) -> pd.Series:
    """Priority of every row of a competency profile (`gaps.competency_profile`):
    gap x school weight + interest bonus (the self-rating says "I want to grow here") +
    foundational bonus. Strengths have a gap of 0 and are filtered out by `select_goals`."""
    value = (profile[GAP].to_numpy() * profile[WEIGHT].to_numpy()
             + settings.interest_bonus * profile[INTEREST].to_numpy()
             + settings.foundational_bonus * profile[FOUNDATIONAL].to_numpy())
    return pd.Series(np.round(value, PRIORITY_DIGITS), index=profile.index, name=PRIORITY)


def select_goals(profile: pd.DataFrame, settings: PlanningSettings) -> pd.DataFrame:
    """Each educator's goals: the top `goals_per_educator` competencies below target by priority,
    at most `goals_per_domain` from one domain, ties broken by framework order.

    Only rated competencies below target are candidates: strengths are never goals, and an
    unrated competency is not one either (nothing is known about it). from_level is the current
    level rounded down (a mean of 2.5 grows from 2), to_level the next level; since the target is
    a whole level above the current one, to_level never passes it.

    Returns the profile's columns for the chosen rows plus priority, rank (1 = top),
    from_level and to_level, sorted by educator and rank.
    """
    candidates = profile[~profile[STRENGTH].to_numpy()]
    candidates = candidates.assign(**{PRIORITY: priorities(candidates, settings)})
    candidates = candidates.sort_values([EDUCATOR, PRIORITY, COMP], ascending=[True, False, True],
                                        kind="stable")
    # Dropping what is past the domain cap first, then taking the first K, is the same as
    # walking down the priority list and skipping a competency whose domain is full.
    in_domain = candidates.groupby([EDUCATOR, DOMAIN_ORDER], sort=False).cumcount().to_numpy()
    candidates = candidates[in_domain < settings.goals_per_domain]
    rank = candidates.groupby(EDUCATOR, sort=False).cumcount().to_numpy() + 1
    chosen = candidates[rank <= settings.goals_per_educator].copy()
    chosen[RANK] = rank[rank <= settings.goals_per_educator]
    chosen[FROM_LEVEL] = np.floor(chosen[CURRENT].to_numpy() + 1e-9).astype(np.int64)
    chosen[TO_LEVEL] = chosen[FROM_LEVEL] + 1
    return chosen.reset_index(drop=True)


def plain_number(value: float) -> str:
    """A number as people write it: 1, 2.5, 0.75 (at most two decimals, no trailing zeros)."""
    return f"{round(float(value), 2):g}"


def level_labels_by_level(pairs: Iterable[tuple[int, str]]) -> dict[int, str]:
    """level -> label from `PlanningInput.level_labels`, blank labels left out. Should a level
    come twice, the pair sorting last wins, so the outcome never depends on the input's order."""
    return {level: label.strip() for level, label in sorted(pairs) if label.strip()}


def level_name(level: int, labels: Mapping[int, str]) -> str:
    """"Proficient (3)", or "level 3" when the scale has no label for it."""
    label = labels.get(level)
    return f"{label} ({level})" if label else f"level {level}"


def current_level_name(current: float, labels: Mapping[int, str]) -> str:
    """A current level as `level_name` shows a whole level; a mean between two levels as
    "2.5 (between Developing and Proficient)", or just "2.5" when a label is missing."""
    whole = round(current)
    if abs(current - whole) < 1e-9:
        return level_name(int(whole), labels)
    below, above = labels.get(math.floor(current)), labels.get(math.ceil(current))
    between = f" (between {below} and {above})" if below and above else ""
    return f"{plain_number(current)}{between}"


def goal_why(name: str, current: float, target: int, gap: float, weight: float, interest: bool,
             foundational: bool, labels: Mapping[int, str] | None = None) -> str:
    """The plain-language reason for one goal: where the educator is on `name`, where the
    school aims, how far that is, and what else raised it (the school's weight when it is not
    the usual 1, the educator's own wish to grow there, a foundational competency). Levels are
    named by the scale's labels (`labels`: level -> label; none: "level 3").

    The why is stored once and read by the educator, their coach and (when shared) their
    principal, so it speaks of nobody in the second or third person: "Marked in the
    self-assessment as a place to grow", never "you marked"."""
    labels = labels or {}
    levels = "level" if math.isclose(gap, 1) else "levels"
    parts = [f"Now at {current_level_name(current, labels)} in {name}; the school aims for "
             f"{level_name(target, labels)}, {plain_number(gap)} {levels} further on"]
    if not math.isclose(weight, 1):
        more = "more" if weight > 1 else "less"
        parts.append(f"the school gives this competency {more} weight than usual "
                     f"(weight {plain_number(weight)})")
    if interest:
        parts.append("marked in the self-assessment as a place to grow")
    if foundational:
        parts.append("a foundational competency that others build on")
    return ". ".join(part[0].upper() + part[1:] for part in parts) + "."


def private_goal_why(name: str) -> str:
    """A goal's reason for a reader who may not see the levels behind it (`goal_why` names them)."""
    return (f"A step to grow in {name}, chosen from ratings that are private to the educator and "
            "their coach.")


def goals_from_frame(chosen: pd.DataFrame, codes: np.ndarray, names: np.ndarray,
                     labels: Mapping[int, str] | None = None) -> list[Goal]:
    """`Goal` values for the rows of `select_goals`, with their why. `codes` and `names` are the
    competencies' codes and names in framework order (indexed by comp); `labels` the scale's
    level labels (see `goal_why`)."""
    comp = chosen[COMP].to_numpy()
    columns = (chosen[EDUCATOR].tolist(), codes[comp].tolist(), names[comp].tolist(),
               chosen[CURRENT].tolist(), chosen[TARGET].tolist(), chosen[GAP].tolist(),
               chosen[WEIGHT].tolist(), chosen[INTEREST].tolist(), chosen[FOUNDATIONAL].tolist(),
               chosen[FROM_LEVEL].tolist(), chosen[TO_LEVEL].tolist(), chosen[PRIORITY].tolist(),
               chosen[RANK].tolist())
    labels = labels or {}
    whys: dict[tuple, str] = {}      # many goals share their numbers: write each why once
    goals = []
    for (educator, code, name, current, target, gap, weight, interest, foundational,
         from_level, to_level, priority, rank) in zip(*columns, strict=True):
        numbers = (name, current, target, gap, weight, interest, foundational)
        why = whys.get(numbers)
        if why is None:
            why = whys[numbers] = goal_why(*numbers, labels)
        goals.append(Goal(educator, code, from_level, to_level, priority, rank, why))
    return goals
