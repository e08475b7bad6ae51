"""Readiness and lanes (SPEC 5.5): fast lane or slow lane, always with the numbers behind the
decision.

Whys never say "fast" or "slow", because teachers read them: they use the district's own
growth-framed lane labels (`PlanningSettings.fast_lane_label`, default "Ready to move"), quoted
and exactly as the district wrote them, so no label is ever re-cased or reworded. Domains are
named by their names ("Instructional"), not their codes.
"""

import math
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from pdplanner.core.frames import CURRENT, DOMAIN, DOMAIN_ORDER, EDUCATOR, STRENGTH
from pdplanner.core.gaps import LEVEL_TOLERANCE
from pdplanner.core.types import LANES, LaneDecision, PlanningSettings

DEFAULT_SETTINGS = PlanningSettings()


def _label(lane: str, settings: PlanningSettings) -> str:
    label = settings.fast_lane_label if lane == "fast" else settings.slow_lane_label
    default = DEFAULT_SETTINGS.fast_lane_label if lane == "fast" else DEFAULT_SETTINGS.slow_lane_label
    return label.strip() or default


def lane_label(lane: str, settings: PlanningSettings) -> str:
    """The district's label for `lane`, quoted for a sentence: '"Ready to move"'. A blank label
    falls back to the default one."""
    return f'"{_label(lane, settings)}"'


def in_the_lane(lane: str, settings: PlanningSettings) -> str:
    """'the "Ready to move" lane'; a label whose last word is already "lane" does not get a
    second one: 'the "Fast lane"'."""
    label = _label(lane, settings)
    last_word = label.split()[-1].lower()
    return f'the "{label}"' if last_word == "lane" else f'the "{label}" lane'


RATED = "rated"
AT_TARGET = "at_target"
READINESS = "readiness"
LOWEST_DOMAIN = "lowest_domain"
LOWEST_DOMAIN_MEAN = "lowest_domain_mean"


def readiness_table(profile: pd.DataFrame, educator_ids: np.ndarray) -> pd.DataFrame:
    """Per educator (index educator_id, every id in `educator_ids`): rated (competencies with a
    current level), at_target, readiness = at_target / rated (NaN when nothing is rated),
    lowest_domain (the domain with the lowest mean current level; ties go to the domain that
    comes first in the framework) and its mean."""
    by_educator = profile.groupby(EDUCATOR, sort=True)
    table = pd.DataFrame({RATED: by_educator.size(), AT_TARGET: by_educator[STRENGTH].sum()})
    means = profile.groupby([EDUCATOR, DOMAIN_ORDER, DOMAIN], sort=False)[CURRENT].mean()
    means = means.round(9).reset_index()
    lowest = (means.sort_values([EDUCATOR, CURRENT, DOMAIN_ORDER], kind="stable")
              .drop_duplicates(EDUCATOR).set_index(EDUCATOR))
    table[LOWEST_DOMAIN] = lowest[DOMAIN]
    table[LOWEST_DOMAIN_MEAN] = lowest[CURRENT]
    table = table.reindex(pd.Index(educator_ids, name=EDUCATOR))
    table[RATED] = table[RATED].fillna(0).astype(np.int64)
    table[AT_TARGET] = table[AT_TARGET].fillna(0).astype(np.int64)
    rated = table[RATED].to_numpy()
    table[READINESS] = np.where(rated > 0, table[AT_TARGET].to_numpy() / np.maximum(rated, 1), np.nan)
    return table


def shown_short_of(value: float, threshold: float, digits: int) -> float:
    """`value` rounded for display, except that a value below `threshold` is never shown as
    reaching it (0.597 against 0.6 shows as 0.59, not 0.6): the why must not contradict itself."""
    shown = round(value, digits)
    if value < threshold - LEVEL_TOLERANCE and shown >= threshold:
        shown = math.floor(value * 10 ** digits) / 10 ** digits
    return shown


def readiness_sentence(rated: int, at_target: int, readiness: float, lowest_domain: str,
                       lowest_mean: float, settings: PlanningSettings) -> str:
    """"14 of 19 rated competencies at target or above (74%); lowest domain average:
    Instructional 2.7", with what a shortfall missed named beside it. `lowest_domain` is the
    domain as shown: its name."""
    percent = round(shown_short_of(readiness, settings.fast_lane_readiness, 2) * 100)
    mean = shown_short_of(lowest_mean, settings.fast_lane_min_domain_mean, 1)
    fast = lane_label("fast", settings)
    text = f"{at_target} of {rated} rated competencies at target or above ({percent}%"
    if readiness < settings.fast_lane_readiness - LEVEL_TOLERANCE:
        text += f"; {fast} asks for {round(settings.fast_lane_readiness * 100)}%"
    text += f"); lowest domain average: {lowest_domain} {mean:.1f}"
    if lowest_mean < settings.fast_lane_min_domain_mean - LEVEL_TOLERANCE:
        text += f" ({fast} asks for {settings.fast_lane_min_domain_mean:g} in every domain)"
    return text


NOTHING_RATED = "nothing is rated yet"


def computed_lane(rated: int, at_target: int, lowest_mean: float | None,
                  settings: PlanningSettings) -> str:
    """Fast lane when readiness (at_target / rated) >= fast_lane_readiness and the lowest domain
    mean >= fast_lane_min_domain_mean, both inclusive; otherwise slow. Nothing rated: slow,
    because nothing shows readiness yet."""
    if rated == 0 or lowest_mean is None:
        return "slow"
    ready = at_target / rated >= settings.fast_lane_readiness - LEVEL_TOLERANCE
    no_weak_domain = lowest_mean >= settings.fast_lane_min_domain_mean - LEVEL_TOLERANCE
    return "fast" if ready and no_weak_domain else "slow"


def lane_evidence(rated: int, at_target: int, lowest_domain: str | None, lowest_mean: float | None,
                  settings: PlanningSettings) -> str:
    """The numbers behind a lane, as a sentence fragment (see `readiness_sentence`)."""
    if rated == 0 or lowest_domain is None or lowest_mean is None:
        return NOTHING_RATED
    return readiness_sentence(rated, at_target, at_target / rated, lowest_domain, lowest_mean, settings)


def lane_for(rated: int, at_target: int, lowest_domain: str | None, lowest_mean: float | None,
             settings: PlanningSettings) -> tuple[str, str]:
    """The computed lane (`computed_lane`) and its why for one educator's readiness numbers:
    '14 of 19 rated competencies at target or above (74%); lowest domain average: Instructional 2.7.
    So: "Ready to move".'. `lowest_domain`
    is the domain as shown: its name."""
    lane = computed_lane(rated, at_target, lowest_mean, settings)
    evidence = lane_evidence(rated, at_target, lowest_domain, lowest_mean, settings)
    if evidence == NOTHING_RATED:
        return lane, (f"Nothing is rated yet, so {lane_label(lane, settings)} until there are "
                      "ratings to go on.")
    return lane, f"{evidence}. So: {lane_label(lane, settings)}."


def overridden_why(lane: str, computed: str, reason: str, rated: int, at_target: int,
                   lowest_domain: str | None, lowest_mean: float | None, settings: PlanningSettings) -> str:
    """The why of a lane set by a coach or principal: who, their reason, and what the numbers say.
    `lowest_domain` is as the why shows it (the domain's name)."""
    evidence = lane_evidence(rated, at_target, lowest_domain, lowest_mean, settings)
    return (f"Set to {lane_label(lane, settings)} by a coach or principal: {reason.strip().rstrip('.')}. "
            f"The numbers alone say {lane_label(computed, settings)}: {evidence}.")


def private_lane_why(lane: str, override_reason: str | None, settings: PlanningSettings) -> str:
    """A lane's reason for a reader who may not see the numbers behind it (`lane_for` and
    `overridden_why` name them): who set it and their reason, or that the ratings decided."""
    if override_reason is not None:
        reason = override_reason.strip().rstrip(".")
        return f"Set to {lane_label(lane, settings)} by a coach or principal: {reason}."
    return "Computed from ratings that are private to the educator and their coach."


def lane_overrides_by_educator(overrides: Iterable[tuple[int, str, str]]) -> dict[int, tuple[str, str]]:
    """educator_id -> (lane, reason). Overrides naming an unknown lane are refused (ValueError).
    One override per educator is expected; if several come, the one sorting last by (lane,
    reason) wins, so the outcome never depends on the order of the input."""
    chosen: dict[int, tuple[str, str]] = {}
    for educator_id, lane, reason in sorted(overrides):
        if lane not in LANES:
            raise ValueError(f"lane override for educator {educator_id}: {lane!r} is not one of {LANES}")
        chosen[educator_id] = (lane, reason)
    return chosen


def decide_lanes(table: pd.DataFrame, settings: PlanningSettings, overrides: dict[int, tuple[str, str]],
                 domain_names: Mapping[str, str] | None = None) -> list[LaneDecision]:
    """A `LaneDecision` per row of `readiness_table`, in its order. An override replaces the
    lane, keeps the computed numbers, and its why says who set it, why, and what the numbers
    alone say. `domain_names`: domain code -> name for the whys (a code not in it shows as
    itself); `LaneDecision.lowest_domain` stays the code."""
    domain_names = domain_names or {}
    decisions = []
    computed_whys: dict[tuple, tuple[str, str]] = {}   # many educators share their numbers
    columns = (table.index.tolist(), table[RATED].tolist(), table[AT_TARGET].tolist(),
               table[READINESS].tolist(), table[LOWEST_DOMAIN].tolist(), table[LOWEST_DOMAIN_MEAN].tolist())
    for educator_id, rated, at_target, readiness, lowest_domain, lowest_mean in zip(*columns, strict=True):
        if rated == 0:
            readiness = lowest_domain = lowest_mean = None
        shown_domain = None if lowest_domain is None else domain_names.get(lowest_domain, lowest_domain)
        numbers = (rated, at_target, shown_domain, lowest_mean)
        found = computed_whys.get(numbers)
        if found is None:
            found = computed_whys[numbers] = lane_for(*numbers, settings)
        lane, why = found
        overridden = educator_id in overrides
        if overridden:
            computed = lane
            lane, reason = overrides[educator_id]
            why = overridden_why(lane, computed, reason, *numbers, settings)
        decisions.append(LaneDecision(educator_id, lane, readiness, rated, at_target, lowest_domain,
                                      lowest_mean, why, overridden))
    return decisions
