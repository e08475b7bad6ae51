"""School summaries: what dashboards, reports, exports and the API show of a school in a cycle.

A summary is counts and sums only (JSON-ready), computed once per (cycle, school) from the
school's rows and stored, so a dashboard reads one small row per school instead of the
ratings of everyone in scope. `school_measures` turns a summary into the figures people see,
with the privacy threshold applied; every page, PDF, export and API response goes through it,
so they all show the same numbers.
"""

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pdplanner.core.disclosure import copied, fingerprints, stat_at, unknown_people, withhold_complements
from pdplanner.core.gaps import CURRENT_LEVEL_RULES, LEVEL_TOLERANCE, level_sides
from pdplanner.core.types import CURRENT_LEVEL_POLICIES, LANES, RatingColumns

SUMMARY_VERSION = 4   # bump when the stored shape or rules change: older rows are recomputed
# 2: no current level where the policy has none to take (version 1 summed NaN into such rows).
# 3: rating-derived figures from submitted self-assessments only, published (core.disclosure).


@dataclass(frozen=True)
class CycleFacts:
    """The rows of people in one cycle, as numpy columns (position i of a table's columns is
    one row), for summarising many schools in one pass.

    members: (educator id, school id), teachers and coaches on each school's roster;
    ratings: the cycle's ratings of those people with a level ("not yet observed" left out);
    assessments: (educator id, submitted, shared_with_principal), one row per person at most;
    placements: (educator id, effective lane, readiness (NaN: none), cohort id (-1: none)), one
    row per person at most;
    goals: (educator id, competency code, met); activities: (educator id, done, verified);
    coached_by_leaders: educators whose coach is also a principal or district admin. Their coach
    sees their ratings, so leaders may know them even when they do not share.
    """

    members: tuple[np.ndarray, np.ndarray]
    ratings: RatingColumns
    assessments: tuple[np.ndarray, np.ndarray, np.ndarray]
    placements: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
    goals: tuple[np.ndarray, np.ndarray, np.ndarray]
    activities: tuple[np.ndarray, np.ndarray, np.ndarray]
    coached_by_leaders: np.ndarray

    @classmethod
    def none(cls) -> "CycleFacts":
        """No rows at all."""
        ids, flags, texts = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool), np.zeros(0, dtype=object)
        return cls((ids, ids), RatingColumns(ids, texts, texts, np.zeros(0), flags), (ids, flags, flags),
                   (ids, texts, np.zeros(0), ids), (ids, texts, flags), (ids, flags, flags), ids)


class _People:
    """The distinct people of the wanted schools (sorted ids, indexed 0..n-1) and each
    (person, school) pair of them, sorted by person then school, so sums come out in one order
    whatever order the rows were read in."""

    def __init__(self, members: tuple[np.ndarray, np.ndarray], school_ids: Sequence[int]):
        educators = np.asarray(members[0], dtype=np.int64)
        schools = pd.Index(np.asarray(school_ids, dtype=np.int64)).get_indexer(
            np.asarray(members[1], dtype=np.int64))
        kept = schools >= 0
        n_schools = max(len(school_ids), 1)
        pairs = np.unique(educators[kept] * n_schools + schools[kept])
        self.ids = np.unique(pairs // n_schools)
        self.pair_person = np.searchsorted(self.ids, pairs // n_schools)
        self.pair_school = pairs % n_schools
        self.n_schools = len(school_ids)

    def index(self, educator_ids) -> tuple[np.ndarray, np.ndarray]:
        """(each id's person index, whether the id is one of them)."""
        ids = np.asarray(educator_ids, dtype=np.int64)
        where = np.minimum(np.searchsorted(self.ids, ids), max(len(self.ids) - 1, 0))
        return where, (self.ids[where] == ids) if len(self.ids) else np.zeros(len(ids), dtype=bool)

    def per_person(self, educator_ids, values, fill=0, dtype=None) -> np.ndarray:
        """A column over people from a table with one row per person at most."""
        where, found = self.index(educator_ids)
        values = np.asarray(values, dtype=dtype)
        column = np.full(len(self.ids), fill, dtype=values.dtype)
        column[where[found]] = values[found]
        return column

    def counted(self, educator_ids, weights=None) -> np.ndarray:
        """How many rows (or the sum of `weights`) each person has in a table."""
        where, found = self.index(educator_ids)
        weights = np.ones(len(where)) if weights is None else np.asarray(weights, dtype=np.float64)
        return np.bincount(where[found], weights[found], minlength=len(self.ids))

    def by_school(self, values: np.ndarray) -> np.ndarray:
        """Sums of a column (or of each column of a matrix) over each school's people."""
        total = np.zeros((self.n_schools, *values.shape[1:]), dtype=values.dtype)
        np.add.at(total, self.pair_school, values[self.pair_person])
        return total


def summarise_schools(facts: CycleFacts, school_ids: Sequence[int], competencies: Sequence[tuple[str, str]],
                      *, target_level: int, policy: str) -> dict[int, dict]:
    """Counts and sums of each school in one cycle, vectorised over the schools' people.
    `competencies` are (code, domain code) in framework order. Levels count by person: a
    competency's self stat is [people, sum of levels]; current is [people, sum, people at or
    above target]; a domain's is [people, sum of each person's domain mean]. Cohorts are keyed
    by id (as a string, JSON's only key type) and count only the school's members.

    Only people who submitted their self-assessment contribute to the figures derived from
    ratings (levels, readiness): a draft changes as its author types. `contributors` maps each
    of them to (a digest of their contribution, their cohort) and `known_to_leaders` lists who a
    leader may know (they share their ratings with the principal, or a leader coaches them), for
    `core.disclosure.publish`; neither is ever shown."""
    if policy not in CURRENT_LEVEL_POLICIES:
        raise ValueError(f"unknown current level policy {policy!r}")
    people = _People(facts.members, school_ids)
    n = len(people.ids)
    assessed = people.counted(facts.assessments[0]) > 0
    submitted = people.per_person(facts.assessments[0], facts.assessments[1], False, bool)
    shared = people.per_person(facts.assessments[0], facts.assessments[2], False, bool)
    lane = people.per_person(facts.placements[0], facts.placements[1], None, object)
    ready = people.per_person(facts.placements[0], facts.placements[2], np.nan, np.float64)
    cohort = people.per_person(facts.placements[0], facts.placements[3], -1, np.int64)
    counted_ready = submitted & ~np.isnan(ready)

    ratings = facts.ratings
    rater, rated_person = people.index(ratings.educator_ids)
    kinds = np.asarray(ratings.kinds, dtype=object)
    rated_self = np.bincount(rater[rated_person & (kinds == "self")], minlength=n) > 0
    coach_rated = np.bincount(rater[rated_person & (kinds != "self")], minlength=n) > 0
    codes = [code for code, _ in competencies]
    comp = pd.Index(codes).get_indexer(np.asarray(ratings.competencies, dtype=object))
    counts = rated_person & (comp >= 0)
    counts[counts] = submitted[rater[counts]]
    levels = np.asarray(ratings.levels, dtype=np.float64)
    mine, theirs = (side.reshape(n, len(codes)) for side in level_sides(
        rater[counts] * len(codes) + comp[counts], kinds[counts], levels[counts], n * len(codes)))
    current = CURRENT_LEVEL_RULES[policy](mine, theirs)
    known = ~np.isnan(current)
    at_target = known & (np.nan_to_num(current) >= target_level - LEVEL_TOLERANCE)

    def stat(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return people.by_school((~np.isnan(values)).astype(np.int64)), people.by_school(np.nan_to_num(values))

    self_n, self_sum = stat(mine)
    coach_n, coach_sum = stat(theirs)
    current_n, current_sum = stat(current)
    current_at = people.by_school(at_target.astype(np.int64))
    domain_codes = list(dict.fromkeys(domain for _, domain in competencies))
    domain_means = np.full((n, len(domain_codes)), np.nan)
    for d, domain in enumerate(domain_codes):
        columns = [i for i, (_, of) in enumerate(competencies) if of == domain]
        rated_here = known[:, columns].sum(axis=1)
        domain_means[rated_here > 0, d] = (np.nan_to_num(current[:, columns]).sum(axis=1)[rated_here > 0]
                                           / rated_here[rated_here > 0])
    domain_n, domain_sum = stat(domain_means)

    lane_names = list(LANES) + sorted({x for x in lane.tolist() if x is not None} - set(LANES))
    lane_counts = people.by_school(np.stack([lane == name for name in lane_names], axis=1).astype(np.int64)
                                   if n else np.zeros((0, len(lane_names)), dtype=np.int64))
    readiness_n = people.by_school(counted_ready.astype(np.int64))
    readiness_sum = people.by_school(np.where(counted_ready, ready, 0.0))

    goal_person, goal_found = people.index(facts.goals[0])
    goal_codes = np.asarray(facts.goals[1], dtype=object)[goal_found]
    goal_names, goal_code = np.unique(goal_codes.astype(str), return_inverse=True)
    goals_of = np.zeros((n, len(goal_names)), dtype=np.int64)
    np.add.at(goals_of, (goal_person[goal_found], goal_code), 1)
    goals_by_code = people.by_school(goals_of)
    goals_met = people.counted(facts.goals[0], facts.goals[2]).astype(np.int64)
    school_goals_met = people.by_school(goals_met)
    goals_total = goals_of.sum(axis=1)
    done = np.asarray(facts.activities[1], bool) | np.asarray(facts.activities[2], bool)
    activity_total, activity_done, activity_verified = (
        people.counted(facts.activities[0], weights).astype(np.int64)
        for weights in (None, done, facts.activities[2]))
    activities = [people.by_school(column) for column in (activity_total, activity_done, activity_verified)]

    cohorts = _cohorts(people, cohort, counted_ready, ready, current, codes,
                       (goals_met, goals_total), (activity_done, activity_total))
    rated_codes = np.asarray(ratings.competencies, dtype=object)[counts]
    digests = fingerprints(rater[counts], rated_codes, kinds[counts], levels[counts],
                           [r if r == r else None for r in ready.tolist()])
    coached = people.index(facts.coached_by_leaders)
    known_people = shared.copy()
    known_people[coached[0][coached[1]]] = True
    started = people.by_school((rated_self | assessed).astype(np.int64))
    participation = [people.by_school(column.astype(np.int64)) for column in (submitted, shared, coach_rated)]
    school_people = np.bincount(people.pair_school, minlength=people.n_schools)
    order = np.argsort(people.pair_school, kind="stable")
    bounds = np.searchsorted(people.pair_school[order], np.arange(people.n_schools + 1))

    summaries = {}
    for s, school_id in enumerate(school_ids):
        members = people.pair_person[order[bounds[s]:bounds[s + 1]]]
        lanes = {name: count for name, count in zip(lane_names, lane_counts[s].tolist(), strict=True)
                 if name in LANES or count}
        summaries[school_id] = {
            "version": SUMMARY_VERSION,
            "educators": int(school_people[s]),
            "participation": {"started": int(started[s]), "submitted": int(participation[0][s]),
                              "shared": int(participation[1][s]), "coach_rated": int(participation[2][s])},
            "lanes": lanes,
            "planned": sum(lanes.values()),
            "readiness": [int(readiness_n[s]), float(readiness_sum[s])],
            "competencies": {code: {"self": [a, b], "coach": [c, d], "current": [e, f, g]}
                             for code, a, b, c, d, e, f, g in zip(
                                 codes, self_n[s].tolist(), self_sum[s].tolist(), coach_n[s].tolist(),
                                 coach_sum[s].tolist(), current_n[s].tolist(), current_sum[s].tolist(),
                                 current_at[s].tolist(), strict=True)},
            "domains": {domain: [a, b] for domain, a, b in zip(
                domain_codes, domain_n[s].tolist(), domain_sum[s].tolist(), strict=True)},
            "cohorts": cohorts.get(s, {}),
            "goals": {"total": int(goals_by_code[s].sum()), "met": int(school_goals_met[s]),
                      "by_competency": {str(code): count for code, count in zip(
                          goal_names.tolist(), goals_by_code[s].tolist(), strict=True) if count}},
            "activities": {"total": int(activities[0][s]), "done": int(activities[1][s]),
                           "verified": int(activities[2][s])},
            "contributors": {str(e): [digests[i], None if cohort[i] < 0 else int(cohort[i])]
                             for i, e in zip(members.tolist(), people.ids[members].tolist(), strict=True)
                             if submitted[i]},
            "known_to_leaders": sorted(str(e) for e in people.ids[members[known_people[members]]].tolist()),
        }
    return summaries


def _cohorts(people: _People, cohort: np.ndarray, counted_ready: np.ndarray, ready: np.ndarray,
             current: np.ndarray, codes: Sequence[str], goals: tuple[np.ndarray, np.ndarray],
             activities: tuple[np.ndarray, np.ndarray]) -> dict[int, dict[str, dict]]:
    """Each school's cohorts (school index -> cohort id as a string -> figures), counting only
    the cohort's members among the school's people. `goals` and `activities` are each person's
    (met or done, total)."""
    in_cohort = cohort[people.pair_person] >= 0
    person = people.pair_person[in_cohort]
    groups, group = np.unique(people.pair_school[in_cohort].astype(np.int64) << 32 | cohort[person],
                              return_inverse=True)

    def total(values: np.ndarray) -> list:
        summed = np.zeros((len(groups), *values.shape[1:]), dtype=values.dtype)
        np.add.at(summed, group, values[person])
        return summed.tolist()

    members = np.bincount(group, minlength=len(groups)).tolist()
    readiness = zip(total(counted_ready.astype(np.int64)), total(np.where(counted_ready, ready, 0.0)),
                    strict=True)
    rated, level_sum = total((~np.isnan(current)).astype(np.int64)), total(np.nan_to_num(current))
    figures = zip(groups.tolist(), members, readiness, rated, level_sum, total(goals[0]), total(goals[1]),
                  total(activities[0]), total(activities[1]), strict=True)
    found: dict[int, dict[str, dict]] = {}
    for key, count, ready_stat, rated_n, rated_sum, met, goals_n, done, activities_n in figures:
        found.setdefault(key >> 32, {})[str(key & 0xFFFFFFFF)] = {
            "members": count, "readiness": list(ready_stat), "goals": [met, goals_n],
            "activities": [done, activities_n],
            "levels": {code: [n, value]
                       for code, n, value in zip(codes, rated_n, rated_sum, strict=True) if n}}
    return found


# -- what people see ------------------------------------------------------------------------

@dataclass(frozen=True)
class Measure:
    """A mean over `people` (as published); `value` is None when fewer than the privacy
    threshold of them are unknown to leaders (or nobody contributes), or when it is `withheld`
    so that a total minus its shown parts singles no one out (`core.disclosure`)."""

    people: int
    value: float | None
    withheld: bool = False
    pending: bool = False    # people contribute, but too few have been published yet

    @property
    def suppressed(self) -> bool:
        return self.value is None and (self.people > 0 or self.pending)

    def text(self, min_group: int, *, share: bool = False) -> str:
        """As pages, PDFs and exports print it: "2.8" (one decimal: coarse on purpose), or "63%"
        for a share; "fewer than 5" or "withheld" when withheld, "no ratings" when nobody
        contributes."""
        if self.value is None:
            if self.withheld:
                return "withheld"
            return f"fewer than {min_group}" if self.people or self.pending else "no ratings"
        return f"{self.value * 100:.0f}%" if share else f"{self.value:.1f}"


@dataclass(frozen=True)
class CompetencyMeasure:
    code: str
    name: str
    domain: str
    self_mean: Measure
    coach_mean: Measure
    current_mean: Measure
    at_target: Measure       # share of people at or above target, 0..1


@dataclass(frozen=True)
class CohortMeasure:
    id: int
    members: int             # this school's (or these schools') members
    readiness: Measure
    goals_met: int
    goals_total: int
    activities_done: int
    activities_total: int
    levels: dict[str, Measure] = field(default_factory=dict)   # code -> mean current level


@dataclass(frozen=True)
class SchoolMeasures:
    """The figures of one school (or several added up) in one cycle."""

    educators: int
    started: int
    submitted: int
    shared: int
    coach_rated: int
    planned: int
    lanes: dict[str, int]
    readiness: Measure
    competencies: tuple[CompetencyMeasure, ...]
    domains: dict[str, Measure]
    cohorts: tuple[CohortMeasure, ...]
    goals_total: int
    goals_met: int
    activities_total: int
    activities_done: int
    activities_verified: int
    goal_focus: dict[str, int]       # competency code -> goals set on it

    @property
    def submitted_text(self) -> str:
        """"8 (40%)": submitted self-assessments and their share of the educators."""
        return f"{self.submitted} ({self.submitted / self.educators * 100:.0f}%)" if self.educators \
            else str(self.submitted)

    @property
    def strengths(self) -> tuple[CompetencyMeasure, ...]:
        """Up to three competencies with the highest share at target, framework order on ties."""
        shown = [c for c in self.competencies if c.at_target.value is not None]
        return tuple(sorted(shown, key=lambda c: -c.at_target.value)[:3])

    @property
    def opportunities(self) -> tuple[CompetencyMeasure, ...]:
        """Up to three competencies with the lowest share at target that are not strengths."""
        strong = {c.code for c in self.strengths}
        shown = [c for c in self.competencies if c.at_target.value is not None and c.code not in strong]
        return tuple(sorted(shown, key=lambda c: c.at_target.value)[:3])


def _measure(stat: Sequence[float], min_group: int, *, known: int = 0, withheld: bool = False,
             index: int = 1, share: bool = False, pending: bool = False) -> Measure:
    """Mean levels to one decimal, shares (readiness, or index 2: at target) to whole percents."""
    people = int(stat[0])
    if withheld and people:
        return Measure(people, None, withheld=True)
    if not people:
        return Measure(0, None, pending=pending)
    shown = people and unknown_people(stat, known) >= min_group
    return Measure(people, round(stat[index] / people, 2 if share or index == 2 else 1) if shown else None)


def _plus(a: list, b: Sequence) -> list:
    return [x + y for x, y in zip(a, b, strict=True)]


HEADLINE = ("version", "educators", "participation", "lanes", "planned", "readiness", "domains", "activities",
            "known", "pending")


def headline(summary: Mapping) -> dict:
    """The part of a summary a row of schools side by side, or a growth line, needs: small enough
    to read for every school of a district on every request."""
    return {key: summary[key] for key in HEADLINE} | {
        "goals": {"total": summary["goals"]["total"], "met": summary["goals"]["met"], "by_competency": {}},
        "competencies": {}, "cohorts": {}}


def combine(summaries: Iterable[Mapping], *, cohorts: bool = True) -> dict:
    """Several schools' summaries added up (a district, or a principal's two schools). An
    educator in two schools counts in each, as they do in each school's figures. Without
    `cohorts`, the per-cohort figures are left out (a district has thousands of cohorts)."""
    total: dict | None = None
    for s in summaries:
        if total is None:
            total = copied(s)
            if not cohorts:
                total["cohorts"] = {}
            continue
        total["educators"] += s["educators"]
        total["known"] = total.get("known", 0) + s.get("known", 0)
        total["pending"] = total.get("pending", 0) + s.get("pending", 0)
        for key in total["participation"]:
            total["participation"][key] += s["participation"][key]
        for lane, n in s["lanes"].items():
            total["lanes"][lane] = total["lanes"].get(lane, 0) + n
        total["planned"] += s["planned"]
        total["readiness"] = _plus(total["readiness"], s["readiness"])
        for code, stats in s["competencies"].items():
            mine = total["competencies"].setdefault(code, {"self": [0, 0.0], "coach": [0, 0.0],
                                                           "current": [0, 0.0, 0]})
            for view in mine:
                mine[view] = _plus(mine[view], stats[view])
        for domain, stat in s["domains"].items():
            total["domains"][domain] = _plus(total["domains"].get(domain, [0, 0.0]), stat)
        for cohort_id, cohort in (s["cohorts"] if cohorts else {}).items():
            if cohort_id not in total["cohorts"]:
                total["cohorts"][cohort_id] = copied(cohort)
                continue
            mine = total["cohorts"][cohort_id]
            mine["members"] += cohort["members"]
            mine["known"] = mine.get("known", 0) + cohort.get("known", 0)
            mine["pending"] = mine.get("pending", 0) + cohort.get("pending", 0)
            for key in ("readiness", "goals", "activities"):
                mine[key] = _plus(mine[key], cohort[key])
            for code, stat in cohort["levels"].items():
                mine["levels"][code] = _plus(mine["levels"].get(code, [0, 0.0]), stat)
        for key in ("total", "met"):
            total["goals"][key] += s["goals"][key]
        for code, n in s["goals"]["by_competency"].items():
            total["goals"]["by_competency"][code] = total["goals"]["by_competency"].get(code, 0) + n
        for key in total["activities"]:
            total["activities"][key] += s["activities"][key]
    if total is None:
        return summarise_schools(CycleFacts.none(), [0], (), target_level=3, policy="mean")[0]
    return total


def shift(total: Mapping, old: Iterable[Mapping], new: Iterable[Mapping]) -> dict:
    """A `combine`d total (without cohorts) moved from some of its parts' old figures to their
    new ones: the total minus the old plus the new, so a district's row follows one school's
    save without reading the others. Sums are rounded to nine decimals, so rounding errors of
    many saves do not build up; counts stay whole. Keys other than the combined ones (the
    district's suppression, say) are the total's."""
    moved = combine([total, *(_negated(s) for s in old), *new], cohorts=False)
    moved["goals"]["by_competency"] = {code: n for code, n in moved["goals"]["by_competency"].items() if n}
    return _rounded(moved)


def _negated(summary: Mapping) -> dict:
    def negate(value):
        if isinstance(value, dict):
            return {key: negate(item) for key, item in value.items()}
        if isinstance(value, list):
            return [negate(item) for item in value]
        return -value
    return {key: value if key == "version" else negate(value) for key, value in summary.items()
            if key not in ("cohorts", "withheld", "total_withheld")} | {"cohorts": {}}


def _rounded(value):
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_rounded(item) for item in value]
    return round(value, 9) if isinstance(value, float) else value


def school_measures(summary: Mapping, competencies: Sequence[tuple[str, str, str]], min_group: int, *,
                    withheld: Collection[str] = (), ratings: bool = True) -> SchoolMeasures:
    """The figures people see, from a (served) summary or a `combine`d one. `competencies` are
    (code, name, domain code) in framework order. A rating-derived mean or share is shown only
    over at least `min_group` people unknown to leaders (the summary's `known` share their
    ratings), and not when its path is in `withheld` (`core.disclosure.suppress_parts`). A
    cohort's figures and the rest of the school (people in no cohort) are suppressed together
    so that the school's figure minus its cohorts' singles no one out. Without `ratings`
    (a coach), every rating-derived figure is withheld. Counts of people (participation, lanes,
    goals, activities) are shown: they reveal no one's ratings."""
    known, pending = summary.get("known", 0), bool(summary.get("pending"))

    def measure(path: str, *, index: int = 1) -> Measure:
        return _measure(stat_at(summary, path), min_group, known=known, index=index, pending=pending,
                        share=path == "readiness", withheld=not ratings or path in withheld)

    rows = [CompetencyMeasure(code, name, domain, measure(f"competencies/{code}/self"),
                              measure(f"competencies/{code}/coach"), measure(f"competencies/{code}/current"),
                              measure(f"competencies/{code}/current", index=2))
            for code, name, domain in competencies]
    cohort_withheld = _cohort_complements(summary, min_group, withheld)
    cohorts = tuple(
        CohortMeasure(int(cohort_id), c["members"],
                      _measure(c["readiness"], min_group, known=c.get("known", 0), share=True,
                               pending=bool(c.get("pending")),
                               withheld=not ratings or (cohort_id, "readiness") in cohort_withheld),
                      c["goals"][0], c["goals"][1], c["activities"][0], c["activities"][1],
                      {code: _measure(stat, min_group, known=c.get("known", 0),
                                      withheld=not ratings or (cohort_id, code) in cohort_withheld)
                       for code, stat in c["levels"].items()})
        for cohort_id, c in sorted(summary["cohorts"].items(), key=lambda item: int(item[0])))
    participation = summary["participation"]
    return SchoolMeasures(
        educators=summary["educators"], started=participation["started"],
        submitted=participation["submitted"],
        shared=participation["shared"], coach_rated=participation["coach_rated"], planned=summary["planned"],
        lanes=dict(summary["lanes"]), readiness=measure("readiness"),
        competencies=tuple(rows),
        domains={domain: measure(f"domains/{domain}") for domain in summary["domains"]},
        cohorts=cohorts, goals_total=summary["goals"]["total"], goals_met=summary["goals"]["met"],
        activities_total=summary["activities"]["total"], activities_done=summary["activities"]["done"],
        activities_verified=summary["activities"]["verified"],
        goal_focus=dict(summary["goals"]["by_competency"]))


def _cohort_complements(summary: Mapping, min_group: int, withheld: Collection[str]) -> set[tuple[str, str]]:
    """(cohort id, "readiness" or a competency code) of the cohort figures to withhold: a cohort's
    readiness and mean current level per competency are parts of the school's readiness and
    current mean, and the people in no cohort a part never shown."""
    cohorts = summary["cohorts"]
    if not cohorts:
        return set()
    known = summary.get("known", 0)
    hidden: set[tuple[str, str]] = set()
    codes = {code for c in cohorts.values() for code in c["levels"]}
    figures = [("readiness", "readiness"), *((c, f"competencies/{c}/current") for c in sorted(codes))]
    for figure, path in figures:
        total = 0 if path in withheld else unknown_people(stat_at(summary, path), known)
        parts = {cohort_id: unknown_people(c["readiness"] if figure == "readiness"
                                           else c["levels"].get(figure, [0, 0.0]), c.get("known", 0))
                 for cohort_id, c in cohorts.items()}
        withheld_parts, _ = withhold_complements(total, parts, min_group)
        hidden.update((cohort_id, figure) for cohort_id in withheld_parts)
    return hidden
