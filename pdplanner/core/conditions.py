"""The opportunity analysis of a district conditions review (issue 16, SPEC section 13).

From a review's responses (each respondent rates each area 1 to 4, or answers "I don't know")
it computes, for one scope (the district, or one school) and per area and respondent group:
the distribution over the four levels, the mean, the share of "I don't know" and the spread
(the standard deviation of the levels given); the perception gap between the leadership team
and every other group; strengths and opportunities with a plain "why"; ranked priority action
candidates; and growth against a baseline review. docs/DECISIONS.md ("The opportunity
analysis") gives the rules and their reasons.

Privacy (docs/PRIVACY.md): no figure covers fewer than `min_group` respondents, and the review's
whole table (schools x groups, their school totals, group totals and the grand total) is
suppressed at once with `core.disclosure.withhold_complements`, so no total minus the parts
shown beside it, on any page, gives away a withheld group. A school's page reads the same
decisions as the district's, so filtering to a school opens nothing the district keeps closed.
While a review is open, `publishable` says when a new analysis may replace the one leaders read
(at least `min_group` respondents changed), as `core.disclosure.publish` does for educators.

Every number is computed from integer counts, so the result does not depend on the order of the
responses, and the rules read the numbers as they are shown (means and spreads to one decimal,
shares to whole percents), so a "why" names exactly the numbers its rule compared.
"""

import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pdplanner.core.disclosure import changed_unknown, withhold_complements

GROUPS = ("leadership", "teachers", "coaches", "students", "families", "partners", "board")
REFERENCE_GROUP = "leadership"
ALL = "all"   # every group together: "all respondents"
GROUP_LABELS = {"leadership": "the leadership team", "teachers": "teachers", "coaches": "coaches",
                "students": "students", "families": "families", "partners": "community partners",
                "board": "board members", ALL: "all respondents"}
AREA_KINDS = ("condition", "theme")
LEVELS = (1, 2, 3, 4)
NOTE_KINDS = ("strength", "opportunity")
DONT_KNOW, UNANSWERED = 0, -1      # answers in a `ResponseMatrix` beside the levels


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    kind: str = "condition"       # a district condition, or a theme running through them all


@dataclass(frozen=True)
class ConditionResponse:
    """One respondent's answer on one area. level None: "I don't know". school None: a
    district-wide respondent (a board member, a district admin), counted in district figures
    only."""

    respondent: str
    group: str
    school: int | None
    area: str
    level: int | None


@dataclass(frozen=True)
class ResponseColumns:
    """Many responses as parallel columns, position i of each being one `ConditionResponse`'s
    fields; levels None (or NaN): "I don't know", schools None: district-wide."""

    respondents: Sequence
    groups: Sequence[str]
    schools: Sequence[int | None]
    areas: Sequence[str]
    levels: Sequence[float | None]

    def __post_init__(self):
        if len({len(self.respondents), len(self.groups), len(self.schools), len(self.areas),
                len(self.levels)}) > 1:
            raise ValueError("response columns must have the same length")

    @classmethod
    def of(cls, records: Iterable[ConditionResponse]) -> "ResponseColumns":
        records = list(records)
        return cls([r.respondent for r in records], [r.group for r in records], [r.school for r in records],
                   [r.area for r in records], [r.level for r in records])

    def matrix(self, codes: Sequence[str]) -> "ResponseMatrix":
        """The same responses, one row per respondent, with the areas `codes` as columns. Refuses
        a response with an unknown group, area or level (naming its position, from 1), a
        respondent answering an area twice, and a respondent in two groups or schools."""
        group = pd.Index(GROUPS).get_indexer(pd.Index(self.groups, dtype=object))
        area = pd.Index(list(codes), dtype=object).get_indexer(pd.Index(self.areas, dtype=object))
        levels = _numbers(self.levels, "level", "response")
        dont_know = np.isnan(levels)
        for name, bad, values in (("group", group < 0, self.groups), ("area", area < 0, self.areas),
                                  ("level", ~(dont_know | np.isin(levels, LEVELS)), self.levels)):
            if bad.any():
                row = int(np.flatnonzero(bad)[0])
                raise ValueError(f"response {row + 1}: unknown {name} {_named(values[row])}")
        person, keys = pd.factorize(np.asarray(self.respondents))
        n, width = len(keys), len(codes)
        seen = np.bincount(person * width + area, minlength=n * width)
        if (seen > 1).any():
            twice = int(np.flatnonzero(seen > 1)[0])
            raise ValueError(f"respondent {_named(keys[twice // width])} answered area "
                             f"{codes[twice % width]!r} more than once")
        schools = _numbers(self.schools, "school", "response")
        first = np.zeros(n, dtype=np.int64)
        first[person[::-1]] = np.arange(len(person))[::-1]    # each respondent's first response
        theirs = schools[first[person]]
        same_school = (schools == theirs) | (np.isnan(schools) & np.isnan(theirs))
        moved = (group != group[first[person]]) | ~same_school
        if moved.any():
            who = keys[person[int(np.flatnonzero(moved)[0])]]
            raise ValueError(f"respondent {_named(who)} appears in more than one group or school")
        answers = np.full((n, width), UNANSWERED, dtype=np.int8)
        answers[person, area] = np.where(dont_know, DONT_KNOW, np.nan_to_num(levels))
        return ResponseMatrix(np.asarray(keys), np.asarray(self.groups, dtype=object)[first], schools[first],
                              tuple(codes), answers)


def _numbers(values: Sequence, name: str, row_name: str) -> np.ndarray:
    """A column of numbers or None (None becomes NaN), or a message naming the first value that
    is neither."""
    try:
        return np.array(values, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        for row, value in enumerate(values):
            try:
                float(np.nan if value is None else value)
            except (TypeError, ValueError):
                raise ValueError(f"{row_name} {row + 1}: unknown {name} {_named(value)}") from None
        raise


@dataclass(frozen=True, eq=False)
class ResponseMatrix:
    """A review's responses with one row per respondent: their key, group and school (None or
    NaN: district-wide), and `answers[i, j]` their answer on area `areas[j]`: a level 1-4,
    `DONT_KNOW` or `UNANSWERED`. The shape a query builds most cheaply for a whole district (a
    few thousand rows rather than one per answer)."""

    respondents: Sequence
    groups: Sequence[str]
    schools: Sequence[int | None]
    areas: tuple[str, ...]
    answers: np.ndarray

    def __post_init__(self):
        rows = {len(self.respondents), len(self.groups), len(self.schools)}
        if len(rows) > 1 or np.shape(self.answers) != (len(self.respondents), len(self.areas)):
            raise ValueError("a response matrix needs one row per respondent and one column per area")


@dataclass(frozen=True)
class SiteNote:
    """A leader's classroom-visit or focus-group note on an area, shown beside its figures."""

    area: str
    kind: str                     # "strength" or "opportunity"
    text: str
    school: int | None = None     # None: district-wide


@dataclass(frozen=True)
class ConditionRules:
    """The thresholds of the findings, as the numbers are shown: means and spreads to one
    decimal, shares to whole percents."""

    high_mean: float = 3.0        # a strength: mean at or above it ...
    agreed_spread: float = 0.8    # ... and spread at or below it
    low_mean: float = 2.5         # an opportunity: mean below it,
    divided_spread: float = 1.0   # or spread at or above it,
    unclear_share: float = 0.4    # or at least this share answered "I don't know"
    gap_flag: float = 1.0         # a perception gap of at least this many levels is flagged


@dataclass(frozen=True)
class GroupFigures:
    """One group's (or all respondents') figures on one area. `respondents` (answers, "I don't
    know" included) and `dont_know_share` are None when withheld; `distribution` (how many gave
    level 1, 2, 3, 4), `mean` and `spread` are None when withheld or when nobody gave a level.
    `answers_note` and `levels_note` say why a figure is missing: "fewer than 5", "withheld"
    (so that a total minus the parts shown singles no one out), "no answers", "no levels
    given"; "" when shown."""

    group: str
    respondents: int | None
    dont_know_share: float | None
    distribution: tuple[int, int, int, int] | None
    mean: float | None
    spread: float | None
    answers_note: str = ""
    levels_note: str = ""

    @property
    def rated(self) -> int | None:
        return sum(self.distribution) if self.distribution is not None else None


@dataclass(frozen=True)
class Finding:
    """A strength or an opportunity of one area for one group (or all respondents). reasons:
    ("high and agreed",) for a strength; any of "low", "divided", "unclear" for an opportunity."""

    area: str
    group: str
    kind: str
    reasons: tuple[str, ...]
    why: str


@dataclass(frozen=True)
class PerceptionGap:
    """A group's mean minus the leadership team's on one area, where both are shown."""

    area: str
    group: str
    mean: float
    leadership_mean: float
    gap: float
    flagged: bool
    why: str


@dataclass(frozen=True)
class PriorityCandidate:
    rank: int                     # 1: first
    area: str
    groups: tuple[str, ...]       # the groups (GROUPS order) finding it an opportunity
    lowest_mean: float | None
    largest_gap: float | None     # the largest flagged gap, in levels
    opportunity_notes: int
    why: str


@dataclass(frozen=True)
class Growth:
    area: str
    group: str
    baseline_mean: float
    mean: float
    change: float
    why: str


@dataclass(frozen=True)
class AreaAnalysis:
    area: Area
    figures: tuple[GroupFigures, ...]    # GROUPS order, then ALL
    gaps: tuple[PerceptionGap, ...]
    findings: tuple[Finding, ...]
    growth: tuple[Growth, ...]
    notes: tuple[SiteNote, ...]


@dataclass(frozen=True)
class Analysis:
    school: int | None                   # None: the district
    min_group: int
    respondents: dict[str, int | None]   # distinct respondents per group and ALL; None: withheld
    areas: tuple[AreaAnalysis, ...]
    priorities: tuple[PriorityCandidate, ...]


# -- the review's table, validated ----------------------------------------------------------

def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def _named(value) -> str:
    """A value as an error message quotes it: 'r12', 5 (a numpy scalar as its Python value)."""
    return repr(_plain(value))


@dataclass(frozen=True)
class _Table:
    """A review as counts: answers[school slot, group, area, answer] with answer 0 "I don't
    know" and 1-4 the levels; the last school slot holds district-wide respondents. people is
    the distinct respondents per (school slot, group)."""

    schools: np.ndarray          # school ids, ascending; slot len(schools) is "no school"
    answers: np.ndarray
    people: np.ndarray


def _table(areas: Sequence[Area], responses: ResponseColumns | ResponseMatrix) -> _Table:
    codes = [area.code for area in areas]
    if len(set(codes)) != len(codes):
        raise ValueError("area codes must be unique")
    matrix = responses if isinstance(responses, ResponseMatrix) else responses.matrix(codes)
    keys = np.asarray(matrix.respondents)
    person, unique_keys = pd.factorize(keys)
    if len(unique_keys) != len(keys):
        twice = int(np.flatnonzero(np.bincount(person) > 1)[0])
        raise ValueError(f"respondent {_named(unique_keys[twice])} appears more than once")
    group = pd.Index(GROUPS).get_indexer(pd.Index(matrix.groups, dtype=object))
    if (group < 0).any():
        row = int(np.flatnonzero(group < 0)[0])
        raise ValueError(f"respondent {_named(keys[row])}: unknown group {matrix.groups[row]!r}")
    unknown = [code for code in matrix.areas if code not in codes]
    if unknown:
        raise ValueError(f"unknown area {unknown[0]!r}")
    if len(set(matrix.areas)) != len(matrix.areas):
        raise ValueError("a response matrix names each area once")
    given = np.asarray(matrix.answers, dtype=np.int64).reshape(len(keys), len(matrix.areas))
    bad = (given < UNANSWERED) | (given > LEVELS[-1])
    if bad.any():
        row, column = (int(i[0]) for i in np.nonzero(bad))
        raise ValueError(f"respondent {_named(keys[row])}, area {matrix.areas[column]!r}: unknown answer "
                         f"{given[row, column]} (levels 1-4, {DONT_KNOW}: I don't know, {UNANSWERED}: none)")
    answers = np.full((len(keys), len(codes)), UNANSWERED, dtype=np.int64)
    answers[:, [codes.index(code) for code in matrix.areas]] = given
    school_values = _numbers(matrix.schools, "school", "respondent")
    without = np.isnan(school_values)
    schools = np.unique(school_values[~without]).astype(np.int64)
    slot = np.where(without, len(schools), np.searchsorted(schools, np.nan_to_num(school_values)))

    n_slots, n_groups, n_areas = len(schools) + 1, len(GROUPS), len(codes)
    place = (slot * n_groups + group)[:, None] * n_areas + np.arange(n_areas)[None, :]
    answered = answers >= 0
    counts = np.bincount((place * 5 + answers)[answered], minlength=n_slots * n_groups * n_areas * 5)
    someone = answered.any(axis=1)
    people = np.bincount((slot * n_groups + group)[someone], minlength=n_slots * n_groups)
    return _Table(schools, counts.reshape(n_slots, n_groups, n_areas, 5), people.reshape(n_slots, n_groups))


# -- complementary suppression over the whole table ------------------------------------------

@dataclass(frozen=True)
class _Hidden:
    """Which figures of a (school slot x group) count matrix are withheld: each school's group
    (cells; the "no school" row is never shown), each school's total (rows), each group's
    district total (columns) and the district's total of everyone (grand)."""

    cells: np.ndarray
    rows: np.ndarray
    columns: np.ndarray
    grand: bool


def _suppress(matrix: np.ndarray, k: int) -> _Hidden:
    """Complementary suppression of a school x group table with its margins: every line (a
    school's groups and its total, a group's schools and its district total, the groups and the
    grand total, the schools and the grand total) goes through `withhold_complements` until no
    line withholds anything more. Withholding only grows, so it ends; a line whose withheld
    parts (and people in no shown part) hold none or at least k people is left alone."""
    n = matrix.shape[0] - 1
    shown = matrix[:n]
    rows_total, columns_total, grand_total = shown.sum(axis=1), matrix.sum(axis=0), int(matrix.sum())
    cells = matrix < k
    cells[n] = True
    rows, columns, grand = rows_total < k, columns_total < k, grand_total < k
    outside = int(matrix[n].sum())
    changed = True
    while changed:
        changed = False
        remainder = (shown * cells[:n]).sum(axis=1)
        for s in np.flatnonzero(~rows & (remainder > 0) & (remainder < k)).tolist():
            hidden, total_hidden = withhold_complements(
                int(rows_total[s]), dict(enumerate(shown[s].tolist())), k,
                withheld=np.flatnonzero(cells[s]).tolist())
            cells[s, sorted(hidden)] = True
            rows[s] |= total_hidden
            changed = True
        remainder = (matrix * cells).sum(axis=0)
        for g in np.flatnonzero(~columns & (remainder > 0) & (remainder < k)).tolist():
            hidden, total_hidden = withhold_complements(
                int(columns_total[g]), dict(enumerate(shown[:, g].tolist())), k,
                withheld=np.flatnonzero(cells[:n, g]).tolist())
            cells[sorted(hidden), g] = True
            columns[g] |= total_hidden
            changed = True
        if not grand:
            for parts, hidden_parts in ((columns_total, columns), (rows_total, rows)):
                remainder = int(parts[hidden_parts].sum()) + (outside if parts is rows_total else 0)
                if 0 < remainder < k:
                    hidden, total_hidden = withhold_complements(
                        grand_total, dict(enumerate(parts.tolist())), k,
                        withheld=np.flatnonzero(hidden_parts).tolist())
                    hidden_parts[sorted(hidden)] = True
                    grand |= total_hidden
                    changed = True
    return _Hidden(cells, rows, columns, grand)


# -- figures of one scope ---------------------------------------------------------------------

def _tenths(numerator: int, denominator: int) -> int:
    """numerator / denominator in tenths, rounded half up, exactly."""
    return (20 * numerator + denominator) // (2 * denominator)


def _percent(numerator: int, denominator: int) -> int:
    return (200 * numerator + denominator) // (2 * denominator)


def _note(count: int, withheld: bool, k: int, nothing: str) -> str:
    if count == 0:
        return nothing
    if count < k:
        return f"fewer than {k}"
    return "withheld" if withheld else ""


def _figures(group: str, counts: np.ndarray, answers_hidden: bool, levels_hidden: bool,
             k: int) -> GroupFigures:
    """counts: [I don't know, level 1, ..., level 4]."""
    counts = [int(c) for c in counts]
    answered, rated = sum(counts), sum(counts[1:])
    answers_note = _note(answered, answers_hidden, k, "no answers")
    levels_note = _note(rated, levels_hidden, k, "no levels given") if answered else "no answers"
    show_answers, show_levels = not answers_note, not levels_note
    mean = spread = None
    if show_levels:
        total = sum(level * n for level, n in zip(LEVELS, counts[1:], strict=True))
        squares = sum(level * level * n for level, n in zip(LEVELS, counts[1:], strict=True))
        mean = _tenths(total, rated) / 10
        variance = (squares * rated - total * total) / (rated * rated)   # integers, then one division
        spread = math.floor(math.sqrt(max(variance, 0.0)) * 10 + 0.5 + 1e-9) / 10
    return GroupFigures(group, answered if show_answers or not answered else None,
                        _percent(counts[0], answered) / 100 if show_answers else None,
                        tuple(counts[1:]) if show_levels else None, mean, spread, answers_note, levels_note)


def _scope_figures(table: _Table, school: int | None, min_group: int) -> tuple[list[list[GroupFigures]],
                                                                              dict[str, int | None]]:
    """Per area, the figures of each group and of all respondents in the scope, and the distinct
    respondents per group, each withheld as the whole table's suppression decides."""
    n_areas = table.answers.shape[2]
    slot = None
    if school is not None:
        found = int(np.searchsorted(table.schools, school))
        absent = found == len(table.schools) or table.schools[found] != school
        slot = -1 if absent else found   # -1: nobody of this school answered
    answered = table.answers.sum(axis=3)
    rated = table.answers[..., 1:].sum(axis=3)

    def pick(hidden: _Hidden, counts: np.ndarray, g: int | None) -> tuple[np.ndarray, bool]:
        """The scope's counts of group g (None: everyone) and whether they are withheld."""
        if slot is None:
            return (counts.sum(axis=(0, 1)) if g is None else counts[:, g].sum(axis=0),
                    hidden.grand if g is None else bool(hidden.columns[g]))
        if slot < 0:
            return np.zeros(counts.shape[2:], dtype=np.int64), True
        return (counts[slot].sum(axis=0) if g is None else counts[slot, g],
                bool(hidden.rows[slot]) if g is None else bool(hidden.cells[slot, g]))

    people_hidden = _suppress(table.people, min_group)
    respondents = {}
    for g, name in [*enumerate(GROUPS), (None, ALL)]:
        count, hidden = pick(people_hidden, table.people[..., None], g)
        respondents[name] = int(count[0]) if int(count[0]) == 0 or not hidden else None
    per_area = []
    for a in range(n_areas):
        answers_hidden = _suppress(answered[:, :, a], min_group)
        levels_hidden = _suppress(rated[:, :, a], min_group)
        row = []
        for g, name in [*enumerate(GROUPS), (None, ALL)]:
            counts, answers_withheld = pick(answers_hidden, table.answers[:, :, a], g)
            _, levels_withheld = pick(levels_hidden, table.answers[:, :, a], g)
            row.append(_figures(name, counts, answers_withheld, levels_withheld, min_group))
        per_area.append(row)
    return per_area, respondents


# -- findings, gaps, priorities, growth -------------------------------------------------------

def _label(group: str, *, capital: bool = False) -> str:
    text = GROUP_LABELS[group]
    return text[0].upper() + text[1:] if capital else text


def _possessive(group: str) -> str:
    text = _label(group)
    return f"{text}'" if text.endswith("s") else f"{text}'s"


def _finding(area: Area, figures: GroupFigures, rules: ConditionRules) -> Finding | None:
    """A strength (high and agreed) or an opportunity (low, divided or unclear) of one group's
    figures, or None."""
    eps = 1e-9
    reasons, sentences = [], []
    who = _label(figures.group, capital=True)
    if figures.mean is not None:
        low_share = _percent(sum(figures.distribution[:2]), figures.rated)
        if figures.mean < rules.low_mean - eps:
            reasons.append("low")
            sentences.append(f"{who} rate {area.name} low: mean {figures.mean:.1f} of 4, {low_share}% at "
                             "level 1 or 2.")
        if figures.spread >= rules.divided_spread - eps:
            reasons.append("divided")
            sentences.append(f"{who} are divided on {area.name}: spread {figures.spread:.1f} (standard "
                             f"deviation), {low_share}% at level 1 or 2 and {100 - low_share}% at 3 or 4.")
    if figures.dont_know_share is not None and figures.dont_know_share >= rules.unclear_share - eps:
        reasons.append("unclear")
        sentences.append(f"{figures.dont_know_share * 100:.0f}% of {_label(figures.group)} answered "
                         f"\"I don't know\" on {area.name}.")
    if reasons:
        return Finding(area.code, figures.group, "opportunity", tuple(reasons), " ".join(sentences))
    if (figures.mean is not None and figures.mean >= rules.high_mean - eps
            and figures.spread <= rules.agreed_spread + eps):
        high_share = _percent(sum(figures.distribution[2:]), figures.rated)
        return Finding(area.code, figures.group, "strength", ("high and agreed",),
                       f"{who} rate {area.name} high and agree: mean {figures.mean:.1f} of 4, "
                       f"{high_share}% at level 3 or 4, spread {figures.spread:.1f} (standard deviation).")
    return None


def _gaps(area: Area, figures: Sequence[GroupFigures], rules: ConditionRules) -> list[PerceptionGap]:
    """Each group's mean against the leadership team's, where both are shown."""
    lead = figures[GROUPS.index(REFERENCE_GROUP)]
    if lead.mean is None:
        return []
    found = []
    for each in figures:
        if each.group in (REFERENCE_GROUP, ALL) or each.mean is None:
            continue
        tenths = round(each.mean * 10) - round(lead.mean * 10)
        who = _label(each.group, capital=True)
        if tenths == 0:
            why = f"{who} and the leadership team rate {area.name} alike ({each.mean:.1f})."
        else:
            way = "higher" if tenths > 0 else "lower"
            why = (f"{who} rate {area.name} {abs(tenths) / 10:.1f} levels {way} than the leadership team "
                   f"({each.mean:.1f} against {lead.mean:.1f}).")
        found.append(PerceptionGap(area.code, each.group, each.mean, lead.mean, tenths / 10,
                                   abs(tenths) >= round(rules.gap_flag * 10), why))
    return found


def _priorities(analyses: Sequence[AreaAnalysis]) -> tuple[PriorityCandidate, ...]:
    """Areas an opportunity for some group (or all respondents) or with a flagged perception gap,
    ranked: more groups finding it an opportunity first, then the lower lowest mean, the larger
    flagged gap, more site notes naming it an opportunity, and the areas' order."""
    candidates = []
    for position, each in enumerate(analyses):
        opportunities = [f for f in each.findings if f.kind == "opportunity"]
        flagged = [g for g in each.gaps if g.flagged]
        if not opportunities and not flagged:
            continue
        groups = tuple(f.group for f in opportunities if f.group != ALL)
        means = [(f.mean, f.group) for f in each.figures if f.mean is not None]
        lowest = min(means, key=lambda item: (item[0], item[1] == ALL)) if means else None
        widest = max(flagged, key=lambda g: (abs(g.gap), -GROUPS.index(g.group))) if flagged else None
        notes = sum(1 for note in each.notes if note.kind == "opportunity")
        parts = []
        if groups:
            shown = sum(1 for f in each.figures if f.group != ALL and f.mean is not None)
            parts.append(f"an opportunity for {len(groups)} of the {shown} groups shown "
                         f"({', '.join(_label(g) for g in groups)})")
        elif any(f.group == ALL for f in opportunities):
            parts.append("an opportunity for all respondents together")
        if lowest is not None:
            parts.append(f"lowest mean {lowest[0]:.1f} ({_label(lowest[1])})")
        if widest is not None:
            way = "below" if widest.gap < 0 else "above"
            parts.append(f"perception gap {abs(widest.gap):.1f} levels ({_label(widest.group)} {way} the "
                         "leadership team)")
        if notes:
            parts.append(f"{notes} site note{'s' if notes != 1 else ''} name{'s' if notes == 1 else ''} it "
                         "an opportunity")
        key = (-len(groups), lowest[0] if lowest else math.inf, -(abs(widest.gap) if widest else 0.0),
               -notes, position)
        candidates.append((key, each.area, groups, lowest, widest, notes, "; ".join(parts)))
    candidates.sort(key=lambda item: item[0])
    return tuple(
        PriorityCandidate(rank, area.code, groups, lowest[0] if lowest else None,
                          abs(widest.gap) if widest else None, notes, f"{area.name}: {why}.")
        for rank, (_, area, groups, lowest, widest, notes, why) in enumerate(candidates, start=1))


def _growth(area: Area, now: Sequence[GroupFigures], before: Sequence[GroupFigures]) -> list[Growth]:
    """Each group's mean against the baseline's, where both reviews show it."""
    found = []
    for current, baseline in zip(now, before, strict=True):
        if current.mean is None or baseline.mean is None:
            continue
        tenths = round(current.mean * 10) - round(baseline.mean * 10)
        whose = _possessive(current.group)
        whose = whose[0].upper() + whose[1:]
        if tenths == 0:
            why = f"{whose} mean on {area.name} held at {current.mean:.1f}."
        else:
            way = "rose" if tenths > 0 else "fell"
            why = (f"{whose} mean on {area.name} {way} from {baseline.mean:.1f} to {current.mean:.1f} "
                   f"({tenths / 10:+.1f}).")
        found.append(Growth(area.code, current.group, baseline.mean, current.mean, tenths / 10, why))
    return found


def _notes_in(notes: Iterable[SiteNote], area: str, school: int | None) -> tuple[SiteNote, ...]:
    kept = [n for n in notes if n.area == area and (school is None or n.school in (None, school))]
    return tuple(sorted(kept, key=lambda n: (NOTE_KINDS.index(n.kind), n.school is not None, n.school or 0,
                                             n.text)))


def analyse(areas: Sequence[Area], responses: ResponseColumns | ResponseMatrix, min_group: int, *,
            school: int | None = None, baseline: ResponseColumns | ResponseMatrix | None = None,
            notes: Sequence[SiteNote] = (), rules: ConditionRules = ConditionRules()) -> Analysis:
    """The opportunity analysis of a review for the district (`school` None) or one school.

    `responses` are the whole review's (every school's), whatever the scope: the suppression is
    decided over the whole table, so a school's page and the district's withhold consistently.
    `baseline` is an earlier review's responses, analysed the same way; growth is shown where
    both reviews show a group's mean. Site notes of the scope (a school's and the district-wide
    ones on a school's page; all on the district's) are attached to their area.
    """
    if min_group < 1:
        raise ValueError(f"min_group must be at least 1, not {min_group}")
    for note in notes:
        if note.kind not in NOTE_KINDS:
            raise ValueError(f"site note on {note.area!r}: unknown kind {note.kind!r}; "
                             f"use one of {NOTE_KINDS}")
        if note.area not in {area.code for area in areas}:
            raise ValueError(f"site note: unknown area {note.area!r}")
    for area in areas:
        if area.kind not in AREA_KINDS:
            raise ValueError(f"area {area.code!r}: unknown kind {area.kind!r}; use one of {AREA_KINDS}")
    per_area, respondents = _scope_figures(_table(areas, responses), school, min_group)
    before = _scope_figures(_table(areas, baseline), school, min_group)[0] if baseline is not None else None
    analyses = []
    for a, area in enumerate(areas):
        figures = per_area[a]
        findings = [f for f in (_finding(area, each, rules) for each in figures) if f is not None]
        growth = tuple(_growth(area, figures, before[a])) if before else ()
        analyses.append(AreaAnalysis(area, tuple(figures), tuple(_gaps(area, figures, rules)),
                                     tuple(findings), growth, _notes_in(notes, area.code, school)))
    return Analysis(school, min_group, respondents, tuple(analyses), _priorities(analyses))


def comment_groups(responses: ResponseColumns, min_group: int, *,
                   school: int | None = None) -> tuple[str, ...]:
    """The groups (GROUPS order) whose comments may be shown in a scope: those with at least
    `min_group` distinct respondents there. On the district's page a comment is shown without
    its school, since a school's group may be smaller than the threshold."""
    groups = np.asarray(responses.groups, dtype=object)
    schools = _numbers(responses.schools, "school", "response")
    keep = np.ones(len(groups), dtype=bool) if school is None else schools == school
    people = pd.DataFrame({"respondent": pd.Index(responses.respondents, dtype=object)[keep],
                           "group": groups[keep]}).drop_duplicates()
    counts: Mapping[str, int] = people["group"].value_counts().to_dict()
    return tuple(g for g in GROUPS if counts.get(g, 0) >= min_group)


# -- publishing while a review is open ------------------------------------------------------

def contributions(areas: Sequence[Area], responses: ResponseColumns | ResponseMatrix) -> dict[str, str]:
    """Each respondent's answers as a short digest (respondent key as text -> digest): equal
    digests, unchanged answers, whatever the order of areas or rows."""
    codes = [area.code for area in areas]
    matrix = responses if isinstance(responses, ResponseMatrix) else responses.matrix(codes)
    order = sorted(range(len(matrix.areas)), key=lambda j: matrix.areas[j])
    answers = np.asarray(matrix.answers, dtype=np.int64)[:, order]
    # One character per area ("0": unanswered, "1": I don't know, "2"-"5": levels 1-4), in code order.
    lines = np.ascontiguousarray(answers - UNANSWERED + ord("0"), dtype=np.uint8).view(f"S{len(order)}")
    schools = np.nan_to_num(_numbers(matrix.schools, "school", "respondent"), nan=-1).astype(np.int64)
    head = f"{','.join(matrix.areas[j] for j in order)}|".encode()
    keys = np.asarray(matrix.respondents).astype(str).tolist()
    return {key: hashlib.sha256(b"%s%s|%d|%s" % (head, group.encode(), school, line)).hexdigest()[:20]
            for key, group, school, line, answered in zip(
                keys, matrix.groups, schools.tolist(), lines.ravel().tolist(),
                (answers != UNANSWERED).any(axis=1).tolist(), strict=True)
            if answered}


def publishable(published: Mapping[str, str] | None, now: Mapping[str, str], min_group: int) -> bool:
    """Whether an open review's analysis may be republished: at least `min_group` respondents
    joined, left or changed their answers since the published one (`contributions` then and
    now), so the difference of two analyses a leader reads is never one person's answers."""
    return changed_unknown(published or {}, now, ()) >= min_group
