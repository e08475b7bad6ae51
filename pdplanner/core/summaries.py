"""School summaries: what dashboards, reports, exports and the API show of a school in a cycle.

A summary is counts and sums only (JSON-ready), computed once per (cycle, school) from the
school's rows and stored, so a dashboard reads one small row per school instead of the
ratings of everyone in scope. `school_measures` turns a summary into the figures people see,
with the privacy threshold applied; every page, PDF, export and API response goes through it,
so they all show the same numbers.
"""

from collections.abc import Collection, Iterable, Mapping, Sequence
from copy import deepcopy
from dataclasses import dataclass, field

import numpy as np

from pdplanner.core.disclosure import fingerprint, stat_at, unknown_people, withhold_complements
from pdplanner.core.gaps import CURRENT_LEVEL_RULES, LEVEL_TOLERANCE
from pdplanner.core.types import CURRENT_LEVEL_POLICIES, LANES

SUMMARY_VERSION = 4   # bump when the stored shape or rules change: older rows are recomputed
# 2: no current level where the policy has none to take (version 1 summed NaN into such rows).
# 3: rating-derived figures from submitted self-assessments only, published (core.disclosure).


@dataclass(frozen=True)
class SchoolFacts:
    """One school's rows in one cycle, as plain tuples.

    ratings: (educator_id, competency code, kind, level) with a level ("not yet observed" left out);
    assessments: (educator_id, submitted, shared_with_principal);
    placements: (educator_id, effective lane, readiness or None, cohort_id or None);
    goals: (educator_id, competency code, met);
    activities: (educator_id, status, verified);
    coached_by_leaders: educators whose coach is also a principal or district admin. Their coach
    sees their ratings, so leaders may know them even when they do not share.
    """

    educator_ids: tuple[int, ...]
    ratings: Sequence[tuple[int, str, str, int]] = ()
    assessments: Sequence[tuple[int, bool, bool]] = ()
    placements: Sequence[tuple[int, str, float | None, int | None]] = ()
    goals: Sequence[tuple[int, str, bool]] = ()
    activities: Sequence[tuple[int, str, bool]] = ()
    coached_by_leaders: Collection[int] = ()


SLOT_OF_KIND = {"self": 0, "coach": 1, "evidence": 2}   # a rating's place in its (self, coach, evidence)


def _levels_by_educator(ratings: Iterable[tuple[int, str, str, int]], policy: str,
                        ) -> dict[tuple[int, str], tuple[float | None, float | None, float | None]]:
    """(educator, code) -> (self level, coach level, current level by the policy). A verified
    goal's evidence rating stands for the coach's; several raters of one kind: the highest. The
    current level is None where the policy has no side to take (the "coach" policy and only a
    self-rating, say): as in `gaps.current_levels`, nothing is known, so it counts nowhere."""
    sides: dict[tuple[int, str], list] = {}
    for educator_id, code, kind, level in ratings:
        side = sides.setdefault((educator_id, code), [None, None, None])
        slot = SLOT_OF_KIND[kind]
        side[slot] = level if side[slot] is None else max(side[slot], level)
    if not sides:
        return {}
    mine = np.array([s[0] if s[0] is not None else np.nan for s in sides.values()], dtype=np.float64)
    theirs = np.array([s[2] if s[2] is not None else (s[1] if s[1] is not None else np.nan)
                       for s in sides.values()], dtype=np.float64)
    current = CURRENT_LEVEL_RULES[policy](mine, theirs)
    # Plain floats, NaN (the only value unequal to itself) as None: a whole district's ratings
    # pass through here on the first request after a re-plan.
    return {key: (m if m == m else None, t if t == t else None, c if c == c else None)
            for key, m, t, c in zip(sides, mine.tolist(), theirs.tolist(), current.tolist(), strict=True)}


def _add(stat: list, value: float, at_target: bool | None = None) -> None:
    stat[0] += 1
    stat[1] += value
    if at_target is not None:
        stat[2] += int(at_target)


def summarise_school(facts: SchoolFacts, competencies: Sequence[tuple[str, str]], *, target_level: int,
                     policy: str) -> dict:
    """Counts and sums of one school in one cycle. `competencies` are (code, domain code) in
    framework order. Levels count by person: a competency's self stat is [people, sum of levels];
    current is [people, sum, people at or above target]; a domain's is [people, sum of each
    person's domain mean]. Cohorts are keyed by id (as a string, JSON's only key type) and count
    only this school's members.

    Only people who submitted their self-assessment contribute to the figures derived from
    ratings (levels, readiness): a draft changes as its author types. `contributors` maps each
    of them to (a digest of their contribution, their cohort) and `known_to_leaders` lists who a
    leader may know (they share their ratings with the principal, or a leader coaches them), for
    `core.disclosure.publish`; neither is ever shown."""
    if policy not in CURRENT_LEVEL_POLICIES:
        raise ValueError(f"unknown current level policy {policy!r}")
    in_school = set(facts.educator_ids)
    submitted = {a[0] for a in facts.assessments if a[0] in in_school and a[1]}
    domain_of = dict(competencies)
    rated = [r for r in facts.ratings if r[0] in submitted and r[1] in domain_of]
    levels = _levels_by_educator(rated, policy)
    per_competency = {code: {"self": [0, 0.0], "coach": [0, 0.0], "current": [0, 0.0, 0]}
                      for code, _ in competencies}
    domain_sums: dict[tuple[int, str], list] = {}
    for (educator_id, code), (mine, theirs, current) in levels.items():
        stats = per_competency[code]
        if mine is not None:
            _add(stats["self"], mine)
        if theirs is not None:
            _add(stats["coach"], theirs)
        if current is None:
            continue
        _add(stats["current"], current, current >= target_level - LEVEL_TOLERANCE)
        _add(domain_sums.setdefault((educator_id, domain_of[code]), [0, 0.0]), current)
    domains = {domain: [0, 0.0] for domain in dict.fromkeys(domain_of.values())}
    for (_, domain), (n, total) in domain_sums.items():
        _add(domains[domain], total / n)

    cohort_of: dict[int, int] = {}
    lanes = dict.fromkeys(LANES, 0)
    readiness = [0, 0.0]
    cohorts: dict[str, dict] = {}
    for educator_id, lane, ready, cohort_id in facts.placements:
        if educator_id not in in_school:
            continue
        lanes[lane] = lanes.get(lane, 0) + 1
        counted = ready is not None and educator_id in submitted
        if counted:
            _add(readiness, ready)
        if cohort_id is not None:
            cohort_of[educator_id] = cohort_id
            cohort = cohorts.setdefault(str(cohort_id), {
                "members": 0, "readiness": [0, 0.0], "goals": [0, 0], "activities": [0, 0], "levels": {}})
            cohort["members"] += 1
            if counted:
                _add(cohort["readiness"], ready)
    for (educator_id, code), (_, _, current) in levels.items():
        if educator_id in cohort_of and current is not None:
            _add(cohorts[str(cohort_of[educator_id])]["levels"].setdefault(code, [0, 0.0]), current)

    goals = {"total": 0, "met": 0, "by_competency": {}}
    for educator_id, code, met in facts.goals:
        if educator_id not in in_school:
            continue
        goals["total"] += 1
        goals["met"] += int(met)
        goals["by_competency"][code] = goals["by_competency"].get(code, 0) + 1
        if educator_id in cohort_of:
            cohort_goals = cohorts[str(cohort_of[educator_id])]["goals"]
            cohort_goals[0] += int(met)
            cohort_goals[1] += 1
    activities = {"total": 0, "done": 0, "verified": 0}
    for educator_id, status, verified in facts.activities:
        if educator_id not in in_school:
            continue
        activities["total"] += 1
        activities["done"] += int(status == "done" or verified)
        activities["verified"] += int(verified)
        if educator_id in cohort_of:
            cohort_activities = cohorts[str(cohort_of[educator_id])]["activities"]
            cohort_activities[0] += int(status == "done" or verified)
            cohort_activities[1] += 1

    given: dict[int, list[tuple[str, str, float]]] = {}
    for educator_id, code, kind, level in rated:
        given.setdefault(educator_id, []).append((code, kind, level))
    ready_of = {p[0]: p[2] for p in facts.placements if p[0] in submitted}
    contributors = {str(e): [fingerprint(given.get(e, ()), ready_of.get(e)), cohort_of.get(e)]
                    for e in sorted(submitted)}
    rated_self = {r[0] for r in facts.ratings if r[0] in in_school and r[2] == "self"}
    coach_rated = {r[0] for r in facts.ratings if r[0] in in_school and r[2] in ("coach", "evidence")}
    assessed = [a for a in facts.assessments if a[0] in in_school]
    return {
        "version": SUMMARY_VERSION,
        "educators": len(in_school),
        "participation": {
            "started": len(rated_self | {a[0] for a in assessed}),
            "submitted": sum(1 for a in assessed if a[1]),
            "shared": sum(1 for a in assessed if a[2]),
            "coach_rated": len(coach_rated),
        },
        "lanes": lanes,
        "planned": sum(lanes.values()),
        "readiness": readiness,
        "competencies": per_competency,
        "domains": domains,
        "cohorts": cohorts,
        "goals": goals,
        "activities": activities,
        "contributors": contributors,
        "known_to_leaders": sorted(str(e) for e in in_school & (
            {a[0] for a in assessed if a[2]} | set(facts.coached_by_leaders))),
    }


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
            total = deepcopy(s)
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
                total["cohorts"][cohort_id] = deepcopy(cohort)
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
        return summarise_school(SchoolFacts(()), (), target_level=3, policy="mean")
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
