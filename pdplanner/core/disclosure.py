"""Statistical disclosure control for the figures leaders read (docs/PRIVACY.md, "Aggregates").

Three rules, each pure and applied to the summaries of `core.summaries`:

- Publish on k changes: a school's rating-derived figures (and each cohort's) are a published
  snapshot, replaced only once at least `min_group` contributors unknown to leaders (not
  sharing their ratings) have changed since the last one. Between two snapshots a leader sees
  the difference of at least `min_group` unknown people, never one person's new rating.
- Unknown-count threshold: a figure is shown only when at least `min_group` of the people in it
  are unknown to leaders; people who share are known and could be subtracted.
- Complementary suppression: where a total and its parts are shown, the parts withheld (and
  any part never shown) must together hold at least `min_group` unknown people, or the total
  minus the shown parts would give them away.
"""

import hashlib
import json
import pickle
from collections.abc import Callable, Collection, Hashable, Mapping, Sequence

import numpy as np

RATING_FIGURES = ("competencies", "domains", "readiness")   # a school's figures derived from ratings
COHORT_RATING_FIGURES = ("readiness", "levels")              # a cohort's
EMPTY_COMPETENCY = {"self": [0, 0.0], "coach": [0, 0.0], "current": [0, 0.0, 0]}
VIEWS = ("self", "coach", "current")


def copied(figures):
    """A copy of JSON-ready figures (dicts, lists, numbers, strings) sharing nothing with them:
    pickle's round trip, four times as fast as `copy.deepcopy` on a district's summaries."""
    return pickle.loads(pickle.dumps(figures, protocol=pickle.HIGHEST_PROTOCOL))


def fingerprints(owners: np.ndarray, codes: np.ndarray, kinds: np.ndarray, levels: np.ndarray,
                 readiness: Sequence[float | None]) -> list[str]:
    """What each person contributes to the rating-derived figures, as a short digest: equal
    digests, unchanged contribution. Person i (0 to len(readiness) - 1) has the ratings where
    `owners` is i, each (code, kind, integral level), and `readiness[i]` (None: none).

    The digest is of the JSON text of [the person's ratings as (code, kind, level) sorted,
    readiness rounded to 6 places]. Published snapshots keep digests (`publish`), so this text
    must never change: a new one would count every person as changed at once."""
    code_names, code_rank = np.unique(np.asarray(codes, dtype=object).astype(str), return_inverse=True)
    kind_names, kind_rank = np.unique(np.asarray(kinds, dtype=object).astype(str), return_inverse=True)
    levels = np.asarray(levels, dtype=np.float64).astype(np.int64)
    order = np.lexsort((levels, kind_rank, code_rank, owners))
    low = int(levels.min(initial=0))
    span, n_kinds = int(levels.max(initial=low)) - low + 1, len(kind_names)
    rating, which = np.unique((code_rank * n_kinds + kind_rank) * span + levels - low, return_inverse=True)
    texts = [json.dumps([str(code_names[r // span // n_kinds]), str(kind_names[r // span % n_kinds]),
                         r % span + low]) for r in rating.tolist()]
    parts = [texts[r] for r in which[order].tolist()]
    bounds = np.searchsorted(np.asarray(owners)[order], np.arange(len(readiness) + 1)).tolist()
    digests = []
    for i, ready in enumerate(readiness):
        ratings = ", ".join(parts[bounds[i]:bounds[i + 1]])
        text = f"[[{ratings}], {json.dumps(None if ready is None else round(ready, 6))}]"
        digests.append(hashlib.sha256(text.encode()).hexdigest()[:20])
    return digests


def changed_unknown(before: Mapping[str, str], after: Mapping[str, str], known: Collection[str]) -> int:
    """People whose contribution differs between two contributor maps (person -> fingerprint;
    joined, left or changed), leaving out those the viewer class knows."""
    return sum(1 for person in before.keys() | after.keys()
               if before.get(person) != after.get(person) and person not in known)


def _gate(previous: Mapping | None, contributors: dict[str, str], known: Collection[str], min_group: int,
          figures: Callable[[], dict]) -> dict | None:
    """The group's new snapshot if enough unknown people changed, else the previous one (None:
    nothing published yet)."""
    before = previous["contributors"] if previous else {}
    if changed_unknown(before, contributors, known) >= min_group:
        return {"contributors": contributors, **figures()}
    return copied(previous) if previous else None


def publish(live: Mapping, previous: Mapping | None, min_group: int) -> dict:
    """The snapshot to keep for one school, from its live summary and its last snapshot: the
    school's figures and each cohort's, each group replaced on its own only when at least
    `min_group` of its unknown contributors changed."""
    previous = previous or {"school": None, "cohorts": {}}
    known = set(live["known_to_leaders"])
    everyone = {person: fp for person, (fp, _) in live["contributors"].items()}
    school = _gate(previous["school"], everyone, known, min_group,
                   lambda: {key: copied(live[key]) for key in RATING_FIGURES})
    cohorts = {}
    for cohort_id, cohort in live["cohorts"].items():
        members = {person: fp for person, (fp, in_cohort) in live["contributors"].items()
                   if str(in_cohort) == cohort_id}
        gated = _gate(previous["cohorts"].get(cohort_id), members, known, min_group,
                      lambda cohort=cohort: {key: copied(cohort[key]) for key in COHORT_RATING_FIGURES})
        if gated is not None:
            cohorts[cohort_id] = gated
    return {"school": school, "cohorts": cohorts}


def served(live: Mapping, snapshot: Mapping) -> dict:
    """What leaders read of a school: the live counts of people (participation, lanes, goals,
    activities), the published rating-derived figures, and `known`, how many of each group's
    published contributors share their ratings now. No person's id or digest is left in it."""
    known = set(live["known_to_leaders"])
    figures = {key: copied(value) for key, value in live.items()
               if key not in ("contributors", "known_to_leaders")}
    school = snapshot["school"]
    if school is None:
        figures["competencies"] = {code: copied(EMPTY_COMPETENCY) for code in live["competencies"]}
        figures["domains"] = {domain: [0, 0.0] for domain in live["domains"]}
        figures["readiness"] = [0, 0.0]
    else:
        figures.update({key: copied(school[key]) for key in RATING_FIGURES})
    figures["known"] = len(known & school["contributors"].keys()) if school else 0
    # Groups with contributors but nothing published yet read "fewer than k", not "no ratings":
    # a first publication needs k unknown contributors.
    figures["pending"] = int(school is None and bool(live["contributors"]))
    for cohort_id, cohort in figures["cohorts"].items():
        published = snapshot["cohorts"].get(cohort_id)
        cohort["readiness"] = copied(published["readiness"]) if published else [0, 0.0]
        cohort["levels"] = copied(published["levels"]) if published else {}
        cohort["known"] = len(known & published["contributors"].keys()) if published else 0
        cohort["pending"] = int(published is None and any(
            str(in_cohort) == cohort_id for _, in_cohort in live["contributors"].values()))
    return figures


def unknown_people(stat, known: int) -> int:
    """People in a figure (its stat's count) not known to the viewer class, at least."""
    return max(int(stat[0]) - known, 0)


def withhold_complements(total: int, parts: Mapping[Hashable, int], min_group: int, *,
                         withheld: Collection[Hashable] = ()) -> tuple[set, bool]:
    """Which parts of a total to withhold, and whether to withhold the total, so that the total
    minus the shown parts never covers fewer than `min_group` unknown people.

    `total` and `parts` are unknown-people counts; people of the total in no part count as a
    part never shown. Parts below `min_group` (and `withheld`) are withheld first; then, while
    the withheld remainder is above nothing and below `min_group`, the smallest shown parts
    join it (ties by key order); failing that, the total goes."""
    if total < min_group:
        return set(parts), True
    hidden = {key for key, unknown in parts.items() if unknown < min_group} | set(withheld)
    remainder = max(total - sum(parts.values()), 0) + sum(parts[key] for key in hidden)
    for key in sorted((key for key in parts if key not in hidden), key=lambda key: (parts[key], str(key))):
        if remainder == 0 or remainder >= min_group:
            break
        hidden.add(key)
        remainder += parts[key]
    return hidden, 0 < remainder < min_group


def figure_paths(summary: Mapping) -> list[str]:
    """The rating-derived figures of a summary that a total and its parts both show, by path:
    "readiness", "domains/<domain>", "competencies/<code>/<self|coach|current>"."""
    return (["readiness"] + [f"domains/{d}" for d in summary["domains"]]
            + [f"competencies/{code}/{view}" for code in summary["competencies"] for view in VIEWS])


def stat_at(summary: Mapping, path: str):
    head, *rest = path.split("/")
    if head == "readiness":
        return summary["readiness"]
    if head == "domains":
        return summary["domains"].get(rest[0], [0, 0.0])
    return summary["competencies"].get(rest[0], EMPTY_COMPETENCY)[rest[1]]


def suppress_parts(total: Mapping, parts: Mapping[Hashable, Mapping], min_group: int, *,
                   withheld: Mapping[Hashable, Collection[str]] | None = None,
                   ) -> tuple[dict[Hashable, set[str]], set[str]]:
    """Complementary suppression of a total (a `combine` of `parts`) and its parts, figure by
    figure: (part -> paths withheld from it beyond its own threshold, paths withheld from the
    total). `withheld` names
    paths already withheld from a part elsewhere (a district's decision, kept on a school page)."""
    withheld = withheld or {}
    by_part: dict[Hashable, set[str]] = {key: set() for key in parts}
    from_total: set[str] = set()
    for path in figure_paths(total):
        unknown = {key: unknown_people(stat_at(part, path), part.get("known", 0))
                   for key, part in parts.items()}
        hidden, total_hidden = withhold_complements(
            unknown_people(stat_at(total, path), total.get("known", 0)), unknown, min_group,
            withheld=[key for key in parts if path in withheld.get(key, ())])
        for key in hidden:
            if unknown[key] >= min_group:   # below it, each part's own threshold withholds it
                by_part[key].add(path)
        if total_hidden:
            from_total.add(path)
    return by_part, from_total
