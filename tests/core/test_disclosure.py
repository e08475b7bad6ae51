"""Disclosure control by hand: publish on k changes, the unknown-people threshold, and
complementary suppression of a total and its parts."""

import hashlib
import json

import numpy as np

from pdplanner.core.disclosure import (
    changed_unknown,
    fingerprints,
    publish,
    served,
    suppress_parts,
    withhold_complements,
)
from pdplanner.core.summaries import combine, school_measures
from tests.core.school_facts import SchoolFacts, summarise_school

COMPETENCIES = [("A.1", "A")]
NAMES = [("A.1", "First", "A")]


def live(levels: dict[int, int], *, shared=(), submitted=None, cohort=None) -> dict:
    """A school whose educator e self-rated A.1 at levels[e]; all submitted unless told."""
    people = tuple(levels)
    submitted = people if submitted is None else submitted
    return summarise_school(SchoolFacts(
        people, [(e, "A.1", "self", level) for e, level in levels.items()],
        [(e, e in submitted, e in shared) for e in people],
        [(e, "slow", 0.5, cohort) for e in people] if cohort else []), COMPETENCIES, target_level=3,
        policy="self")


def mean(summary, min_group=5):
    return school_measures(summary, NAMES, min_group).competencies[0].self_mean


def test_nothing_is_published_until_k_unknown_people_contributed():
    four = publish(live({e: 2 for e in range(1, 5)}), None, 5)
    assert four["school"] is None
    assert mean(served(live({e: 2 for e in range(1, 5)}), four)).value is None
    five = publish(live({e: 2 for e in range(1, 6)}), four, 5)
    assert mean(served(live({e: 2 for e in range(1, 6)}), five)).value == 2.0


def test_a_snapshot_changes_only_after_k_unknown_people_changed():
    levels = {e: 2 for e in range(1, 11)}
    first = publish(live(levels), None, 5)
    for changed in range(1, 5):      # one to four people change: the old figures stay
        now = levels | {e: 4 for e in range(1, changed + 1)}
        assert publish(live(now), first, 5) == first
        assert mean(served(live(now), first)).value == 2.0
    now = levels | {e: 4 for e in range(1, 6)}
    assert mean(served(live(now), publish(live(now), first, 5))).value == 3.0


def test_changes_of_people_who_share_do_not_count_and_they_are_known():
    levels = {e: 2 for e in range(1, 11)}
    shared = {1, 2, 3, 4, 5}
    assert publish(live(levels, shared=shared | {6}), None, 5)["school"] is None   # four unknown joined
    first = publish(live(levels, shared=shared), None, 5)
    now = levels | {e: 4 for e in shared}
    assert publish(live(now, shared=shared), first, 5) == first     # five changed, all known
    assert mean(served(live(levels, shared=shared), first)).value == 2.0
    # A sixth shares later: ten published contributors, six known, four unknown: withheld.
    assert mean(served(live(levels, shared=shared | {6}), first)).value is None


def test_a_draft_never_moves_a_figure():
    levels = {e: 2 for e in range(1, 7)}
    first = publish(live(levels), None, 5)
    typing = live(levels | {7: 4}, submitted=tuple(range(1, 7)))
    assert publish(typing, first, 5) == first
    digests = {person: digest for person, (digest, _) in typing["contributors"].items()}
    assert changed_unknown(first["school"]["contributors"], digests, set()) == 0


def test_each_cohort_is_gated_on_its_own_members():
    levels = {e: 2 for e in range(1, 7)}
    first = publish(live(levels, cohort=10), None, 5)
    assert first["cohorts"]["10"]["readiness"] == [6, 3.0]
    assert first["cohorts"]["10"]["levels"] == {"A.1": [6, 12.0]}


def test_complements_are_withheld_smallest_first_until_k_unknown_are_hidden():
    assert withhold_complements(30, {"a": 12, "b": 8, "c": 6, "d": 4}, 5) == ({"d", "c"}, False)
    assert withhold_complements(30, {"a": 12, "b": 8, "c": 10}, 5) == (set(), False)
    assert withhold_complements(30, {"a": 20, "b": 9}, 5) == ({"b"}, False)   # one person in no part
    assert withhold_complements(4, {"a": 4}, 5) == ({"a"}, True)
    assert withhold_complements(12, {"a": 6, "b": 6}, 5, withheld=["a"]) == ({"a"}, False)
    hidden, total = withhold_complements(9, {"a": 5, "b": 3}, 5)
    assert hidden == {"a", "b"} and not total


def test_a_suppressed_school_cannot_be_recovered_from_the_total():
    def school(level, people, shared=()):
        levels = {e: level for e in range(1, people + 1)}
        return served(live(levels, shared=shared), publish(live(levels), None, 5))

    # School 3 was published over six people; two of them share now: four unknown, withheld.
    schools = {1: school(3, 8), 2: school(2, 6), 3: school(1, 6, shared={1, 2})}
    total = combine(schools.values())
    by_school, from_total = suppress_parts(total, schools, 5)
    path = "competencies/A.1/self"
    assert path in by_school[2] and path not in by_school[1]   # 3 is below the threshold on its own
    assert path not in from_total
    shown = school_measures(total, NAMES, 5, withheld=from_total).competencies[0].self_mean
    parts = [school_measures(s, NAMES, 5, withheld=by_school[k]).competencies[0].self_mean
             for k, s in schools.items()]
    assert shown.value is not None and [p.value for p in parts] == [3.0, None, None]
    assert parts[1].text(5) == "withheld" and parts[2].text(5) == "fewer than 5"


def test_a_cohort_is_withheld_when_the_rest_of_the_school_is_too_few():
    levels = {e: 2 for e in range(1, 8)}
    facts = SchoolFacts(tuple(levels), [(e, "A.1", "self", lv) for e, lv in levels.items()],
                        [(e, True, False) for e in levels],
                        [(e, "slow", 0.5, 10 if e <= 5 else None) for e in levels])
    school = summarise_school(facts, COMPETENCIES, target_level=3, policy="self")
    shown = school_measures(school, NAMES, 5)
    assert shown.readiness.value == 0.5
    assert shown.cohorts[0].readiness.value is None and shown.cohorts[0].readiness.withheld


def test_a_digest_is_of_the_json_text_published_snapshots_were_kept_with():
    """Published snapshots keep each contributor's digest; a digest computed any other way
    would count everyone as changed at once and publish a single person's change with them."""
    owners = np.array([1, 0, 1, 1, 0])
    codes = np.array(["B.1", "A.1", "A.1", "A.1", "A.10"], dtype=object)
    kinds = np.array(["self", "coach", "self", "coach", "self"], dtype=object)
    levels = np.array([2.0, 3.0, 4.0, 1.0, 2.0])

    def by_hand(ratings, readiness) -> str:
        text = json.dumps([sorted(ratings), None if readiness is None else round(readiness, 6)])
        return hashlib.sha256(text.encode()).hexdigest()[:20]

    assert fingerprints(owners, codes, kinds, levels, [0.1234567, None, None]) == [
        by_hand([("A.1", "coach", 3), ("A.10", "self", 2)], 0.1234567),
        by_hand([("B.1", "self", 2), ("A.1", "self", 4), ("A.1", "coach", 1)], None),
        by_hand([], None)]
