"""Grouping into cohorts (SPEC 5.6), deterministically.

The steps, each a function below:

1. Members of confirmed cohorts stay exactly where they are; those cohorts come back unchanged.
2. Educators with no goal go to individual coaching.
3. Within each school and lane, educators sharing a top goal (rank 1) form a cohort; a group
   bigger than `cohort_max_size` is split into balanced chunks (members in id order).
4. Groups smaller than `cohort_min_size` merge with the other small groups of the same lane and
   domain in that school (split again if too big).
5. What is still too small is pooled across schools: same lane and top goal first, then same
   lane and domain, then same lane (members in school, then id order, so a cohort spans as few
   schools as possible). A school with fewer than `small_school_size` educators in a lane goes
   straight to pooling.
6. Whoever is left goes to individual coaching, with the reason.
7. Each new cohort gets a coach within the caseload limit, and up to two peer mentors.
"""

import hashlib
import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from pdplanner.core.lanes import in_the_lane
from pdplanner.core.types import CohortProposal, PlanningSettings

MENTORS_PER_COHORT = 2


@dataclass(frozen=True)
class CohortSeeker:
    """An educator to place: school, lane (after overrides) and top goal."""

    educator_id: int
    school_id: int
    lane: str
    focus: str | None = None        # the top goal's competency code; None: no goal
    domain: str | None = None       # that competency's domain code
    order: int = 0                  # that competency's index in framework order
    domain_order: int = 0           # that domain's index in framework order
    rated: int = 0                  # how many competencies have a current level


@dataclass(frozen=True)
class CohortDraft:
    """A cohort before its coach and mentors are chosen. `how`: "goal" (shared top goal),
    "domain" (small groups merged by domain) or "pooled" (across schools)."""

    lane: str
    members: tuple[CohortSeeker, ...]
    how: str

    @property
    def member_ids(self) -> tuple[int, ...]:
        """Members' ids, ascending."""
        return tuple(sorted(m.educator_id for m in self.members))

    @property
    def school_ids(self) -> tuple[int, ...]:
        """The members' schools, ascending."""
        return tuple(sorted({m.school_id for m in self.members}))


def split_within_bounds(members: Sequence[CohortSeeker], smallest: int,
                        largest: int) -> tuple[list[tuple[CohortSeeker, ...]], list[CohortSeeker]]:
    """Cut `members` (in the given order) into consecutive chunks of `smallest`..`largest`
    people, as few and as even as possible; returns (chunks, rest).

    Nothing fits when there are fewer than `smallest` (all are rest). With bounds too tight for
    any even split (say 9 people, sizes 6-8) it takes as many full chunks as it can and the last
    people are the rest.
    """
    n = len(members)
    if n < smallest:
        return [], list(members)
    count = math.ceil(n / largest)
    if count * smallest > n:                       # no even split fits the bounds
        count = n // smallest
        return ([tuple(members[i * largest:(i + 1) * largest]) for i in range(count)],
                list(members[count * largest:]))
    base, extra = divmod(n, count)
    chunks, start = [], 0
    for i in range(count):
        size = base + (1 if i < extra else 0)
        chunks.append(tuple(members[start:start + size]))
        start += size
    return chunks, []


def _grouped(seekers: Iterable[CohortSeeker],
             key: Callable[[CohortSeeker], Hashable]) -> list[list[CohortSeeker]]:
    """Seekers grouped by `key`, groups in key order, members in the seekers' order."""
    groups: dict = defaultdict(list)
    for seeker in seekers:
        groups[key(seeker)].append(seeker)
    return [groups[k] for k in sorted(groups)]


def group_within_school(seekers: Sequence[CohortSeeker],
                        settings: PlanningSettings) -> tuple[list[CohortDraft], list[CohortSeeker]]:
    """Cohorts of one school and lane (steps 3 and 4); returns (drafts, rest to pool).

    `seekers` all have a goal and share school and lane."""
    lo, hi = settings.cohort_min_size, settings.cohort_max_size
    ordered = sorted(seekers, key=lambda s: s.educator_id)
    if not ordered or len(ordered) < settings.small_school_size:
        return [], ordered
    lane = ordered[0].lane
    drafts, small = [], []
    for group in _grouped(ordered, key=lambda s: s.order):
        chunks, rest = split_within_bounds(group, lo, hi)
        drafts += [CohortDraft(lane, chunk, "goal") for chunk in chunks]
        small += rest
    leftover = []
    for group in _grouped(sorted(small, key=lambda s: s.educator_id), key=lambda s: s.domain_order):
        chunks, rest = split_within_bounds(group, lo, hi)
        drafts += [CohortDraft(lane, chunk, "domain") for chunk in chunks]
        leftover += rest
    return drafts, leftover


POOLING_STAGES: tuple[Callable[[CohortSeeker], Hashable], ...] = (
    lambda s: (s.lane, s.order),            # same lane, same top goal
    lambda s: (s.lane, s.domain_order),     # same lane, same domain
    lambda s: (s.lane,),                    # same lane
)


def pool_across_schools(seekers: Iterable[CohortSeeker],
                        settings: PlanningSettings) -> tuple[list[CohortDraft], list[CohortSeeker]]:
    """Cohorts from what schools could not place alone (step 5); returns (drafts, rest).

    Each stage groups the rest of the stage before; members are taken in (school, id) order so
    a cohort spans as few schools as possible."""
    rest = sorted(seekers, key=lambda s: (s.school_id, s.educator_id))
    drafts: list[CohortDraft] = []
    for stage in POOLING_STAGES:
        still = []
        for group in _grouped(rest, key=stage):
            chunks, left = split_within_bounds(group, settings.cohort_min_size, settings.cohort_max_size)
            drafts += [CohortDraft(group[0].lane, chunk, "pooled") for chunk in chunks]
            still += left
        rest = sorted(still, key=lambda s: (s.school_id, s.educator_id))
    return drafts, rest


def cohort_focus(members: Sequence[CohortSeeker]) -> str:
    """The shared top goal's code; else the shared domain's code; else (a cohort pooled by lane
    alone) the domain most members' goals are in, ties to the first in framework order."""
    codes = {m.focus for m in members}
    if len(codes) == 1:
        return members[0].focus or ""
    domains = Counter((m.domain_order, m.domain) for m in members)
    (_, domain), _ = min(domains.items(), key=lambda item: (-item[1], item[0][0]))
    return domain or ""


def mentor_competency(members: Sequence[CohortSeeker]) -> str:
    """The competency mentors should be strong on: the top goal most members share (ties to the
    first in framework order)."""
    counts = Counter((m.order, m.focus) for m in members)
    (_, code), _ = min(counts.items(), key=lambda item: (-item[1], item[0][0]))
    return code or ""


def cohort_key(lane: str, focus: str, school_ids: Iterable[int], member_ids: Iterable[int]) -> str:
    """A short stable id from what the cohort is: the same input always gives the same key."""
    text = f"{lane}|{focus}|{','.join(map(str, sorted(school_ids)))}|{','.join(map(str, sorted(member_ids)))}"
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:12]


class CoachAssigner:
    """Chooses cohort coaches within the caseload limit, counting members per cohort.

    Preference, in order: the coach of most members; a coach who already works in one of the
    cohort's schools; then any coach; among equals the least loaded, then the lowest id. A
    coach never leads a cohort they are a member of.
    """

    def __init__(self, coaches_of: Mapping[int, Sequence[int]], school_of: Mapping[int, int],
                 confirmed: Iterable[CohortProposal], limit: int):
        self.coaches_of = coaches_of
        self.limit = limit
        self.load: Counter = Counter()
        for cohort in confirmed:
            if cohort.coach_id is not None:
                self.load[cohort.coach_id] += len(cohort.member_ids)
        self.in_school: dict[int, set[int]] = defaultdict(set)
        for educator_id, coaches in coaches_of.items():
            self.in_school[school_of.get(educator_id, -1)].update(coaches)
        self.everyone = sorted({c for coaches in coaches_of.values() for c in coaches} | set(self.load))

    def choose(self, member_ids: Sequence[int], school_ids: Sequence[int]) -> tuple[int | None, int]:
        """(coach id or None, how many members that coach already coaches); books the load."""
        members, size = set(member_ids), len(member_ids)

        def fits(coach: int) -> bool:
            return coach not in members and self.load[coach] + size <= self.limit

        affinity = Counter(c for m in member_ids for c in self.coaches_of.get(m, ()))
        tiers = (
            list(affinity),
            sorted(set().union(*(self.in_school.get(s, set()) for s in school_ids))),
            self.everyone,
        )
        for tier in tiers:
            free = [c for c in tier if fits(c)]
            if free:
                coach = min(free, key=lambda c: (-affinity[c], self.load[c], c))
                self.load[coach] += size
                return coach, affinity[coach]
        return None, 0


def choose_mentors(strong: Mapping[tuple[int, str], Sequence[int]], code: str,
                   school_ids: Sequence[int], excluded: set[int]) -> tuple[int, ...]:
    """Up to two strong educators on `code` in the cohort's schools (`gaps.mentors_by_school`),
    lowest ids first, leaving out `excluded` (members and the coach)."""
    lists = [strong.get((school_id, code), ()) for school_id in school_ids]
    found = []
    for educator_id in heapq.merge(*lists):
        if educator_id not in excluded and (not found or found[-1] != educator_id):
            found.append(educator_id)
            if len(found) == MENTORS_PER_COHORT:
                break
    return tuple(found)


def _schools_phrase(school_ids: Sequence[int]) -> str:
    """Counted, not named: the core knows schools by id, and an id means nothing to a reader."""
    return "one school" if len(school_ids) == 1 else f"{len(school_ids)} schools"


def cohort_why(draft: CohortDraft, focus: str, names: Mapping[str, str], coach_id: int | None,
               coached: int, mentors: Sequence[int], mentor_code: str,
               settings: PlanningSettings, any_coach: bool = True,
               domain_names: Mapping[str, str] | None = None) -> str:
    """Why this cohort: who shares what, how it was formed, its coach and its mentors.
    `any_coach`: whether the district has any coach at all (else there was no one to choose);
    `names` and `domain_names`: competency and domain code -> name (a code not in them shows
    as itself); the lane is named by the district's label."""
    size, schools = len(draft.members), _schools_phrase(draft.school_ids)
    lane = in_the_lane(draft.lane, settings)
    goals = sorted({(m.order, m.focus) for m in draft.members})
    goal_list = ", ".join(names.get(code or "", code or "") for _, code in goals)
    # The focus is the shared top goal's code, or else a domain code (see `cohort_focus`).
    shown_focus = (names.get(focus, focus) if len(goals) == 1
                   else (domain_names or {}).get(focus, focus))
    smallest = settings.cohort_min_size
    if len(goals) == 1 and draft.how != "pooled":
        text = f"{size} educators at {schools} in {lane} share the top goal {shown_focus} ({focus})."
    elif draft.how != "pooled":
        text = (f"{size} educators at {schools} in {lane} work together on {shown_focus}: their top "
                f"goals ({goal_list}) are all in that domain, and fewer than {smallest} share any "
                "one of them.")
    elif len(draft.school_ids) == 1:
        text = (f"{size} educators at {schools} in {lane} work together on {shown_focus}: too few "
                f"share a top goal or its domain to make a cohort of {smallest} (their top goals: "
                f"{goal_list}).")
    else:
        text = (f"{size} educators from {schools} in {lane} work together on {shown_focus}: too few "
                f"at any one school to make a cohort of {smallest} (their top goals: {goal_list}).")
    if coach_id is None and not any_coach:
        text += " No coach is on record for these educators: a coach is still to be found."
    elif coach_id is None:
        text += (f" No coach has room under the caseload limit of {settings.coach_caseload_limit}: "
                 "a coach is still to be found.")
    elif coached:  # the page names the coach beside the why
        text += f" Their coach already coaches {coached} of them."
    else:
        text += " Their coach has room on their caseload."
    if mentors:
        strong_on = names.get(mentor_code, mentor_code)
        text += (f" {len(mentors)} colleague{'s' if len(mentors) > 1 else ''} strong on {strong_on} "
                 "offered as peer mentor" + ("s." if len(mentors) > 1 else "."))
    return text


def individual_why(seeker: CohortSeeker, settings: PlanningSettings,
                   domain_names: Mapping[str, str] | None = None) -> str:
    """Why an educator gets individual coaching rather than a cohort. `domain_names`: domain code
    -> name (a code not in it shows as itself)."""
    if seeker.focus is None and seeker.rated == 0:
        return "Individual coaching: nothing is rated yet, so there is no goal to share with a cohort."
    if seeker.focus is None:
        return ("Individual coaching: every rated competency is at or above the school's target, "
                "so there is no goal to share with a cohort.")
    domain = (domain_names or {}).get(seeker.domain or "", seeker.domain)
    return (f"Individual coaching: fewer than {settings.cohort_min_size} educators in "
            f"{in_the_lane(seeker.lane, settings)} share the top goal {seeker.focus} or its domain "
            f"{domain}, at this school or pooled with other schools.")


def propose_cohorts(seekers: Iterable[CohortSeeker], confirmed: Iterable[CohortProposal],
                    coaches_of: Mapping[int, Sequence[int]],
                    strong: Mapping[tuple[int, str], Sequence[int]], names: Mapping[str, str],
                    settings: PlanningSettings, domain_names: Mapping[str, str] | None = None,
                    ) -> tuple[list[CohortProposal], list[tuple[int, str]]]:
    """Cohorts and individual coaching for everyone in `seekers` (steps in the module doc).

    `coaches_of`: educator id -> their coaches' ids; `strong`: (school, code) -> ids of
    possible mentors, sorted; `names`: code -> competency name; `domain_names`: domain code ->
    domain name (without it, whys show domain codes). Returns (cohorts, individual):
    confirmed cohorts unchanged first, then new ones; individual as (educator_id, why) by id.
    Every seeker ends in exactly one cohort or in individual coaching, provided no one is a
    member of two confirmed cohorts (confirmed cohorts are never edited, so such an input error
    comes back as it was given).
    """
    seekers = list(seekers)
    kept = sorted(confirmed, key=lambda c: (c.key, c.member_ids, c.lane, c.focus, c.school_ids,
                                            c.coach_id is None, c.coach_id or 0, c.mentor_ids, c.why))
    seated = {m for cohort in kept for m in cohort.member_ids}
    free = sorted((s for s in seekers if s.educator_id not in seated), key=lambda s: s.educator_id)
    individual = [s for s in free if s.focus is None]

    drafts, to_pool = [], []
    for group in _grouped((s for s in free if s.focus is not None), key=lambda s: (s.school_id, s.lane)):
        formed, rest = group_within_school(group, settings)
        drafts += formed
        to_pool += rest
    pooled, leftover = pool_across_schools(to_pool, settings)
    drafts += pooled
    individual += leftover

    school_of = {s.educator_id: s.school_id for s in seekers}
    coaches = CoachAssigner(coaches_of, school_of, kept, settings.coach_caseload_limit)
    cohorts = list(kept)
    for draft in sorted(drafts, key=lambda d: (d.school_ids, d.lane, d.member_ids)):
        member_ids, school_ids = draft.member_ids, draft.school_ids
        focus = cohort_focus(draft.members)
        coach_id, coached = coaches.choose(member_ids, school_ids)
        mentor_code = focus if focus in {m.focus for m in draft.members} else mentor_competency(draft.members)
        excluded = set(member_ids) | ({coach_id} if coach_id is not None else set())
        mentors = choose_mentors(strong, mentor_code, school_ids, excluded)
        why = cohort_why(draft, focus, names, coach_id, coached, mentors, mentor_code, settings,
                         any_coach=bool(coaches.everyone), domain_names=domain_names)
        cohorts.append(CohortProposal(cohort_key(draft.lane, focus, school_ids, member_ids), draft.lane,
                                      focus, school_ids, member_ids, coach_id, mentors, why))
    individual_rows = sorted((s.educator_id, individual_why(s, settings, domain_names)) for s in individual)
    return cohorts, individual_rows
