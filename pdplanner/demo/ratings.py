"""Cycles and ratings for the demo district.

Two halves, kept apart on purpose:

- `plan_demo_ratings` draws every number (pure: plain strings and numbers in, plain data out, one
  `random.Random` for everything, so the same seed always gives the same demo);
- `seed_demo_cycles` writes that plan through the assessment services, the way the application
  itself builds data (every write validated and audited): create a cycle, open it, write the
  ratings, close it, then the next one; the last cycle stays open.

The story the numbers tell: every educator has a latent "true" level per competency (some strong
overall, some early in their career, each with a stronger and a weaker domain); true levels rise a
little from cycle to cycle; coaches rate close to the true level; most educators rate themselves a
little above their coach, some below, and a few disagree by two levels or more on a couple of
competencies, which the calibration view flags.
"""

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from pdplanner.accounts.models import EDUCATOR_ROLES, Role, User, user_by_email
from pdplanner.assessments.models import CycleStatus
from pdplanner.assessments.services import (
    AssessmentError,
    RatingInput,
    close_cycle,
    create_cycle,
    open_cycle,
    save_coach_ratings,
    save_self_ratings,
    set_sharing,
    submit_self_assessment,
)
from pdplanner.core.gaps import CALIBRATION_FLAG_AT
from pdplanner.demo.services import demo_email
from pdplanner.extensions import db
from pdplanner.framework.models import Framework
from pdplanner.framework.queries import visible_frameworks
from pdplanner.organisation.models import District, Membership
from pdplanner.organisation.queries import coaches_of

FRAMEWORK_SLUG = "educator-competencies"
PHASES = ("baseline", "mid-year", "end of year")
MAX_CYCLES = len(PHASES)

SUBMITTED, IN_PROGRESS, NOT_STARTED = "submitted", "in_progress", "not_started"

# Shares of educators, per cycle.
CLOSED_NOT_SUBMITTED = 0.05
OPEN_SUBMITTED, OPEN_IN_PROGRESS = 0.40, 0.35
COACH_RATED_CLOSED, COACH_RATED_OPEN = 0.90, 0.50
UNDER_RATERS = 0.15
DISAGREERS = 0.08
SHARERS = 0.30
NOT_OBSERVED = 0.03
FOCUS_ANSWERED = 8  # teacher@ has rated about 8 of 19 in the open cycle, so the walk-through resumes

# Notes, in the words of the person rating. Picked by how the rating sits on the scale.
GROWING_NOTES = (
    "I plan for this, but it falls apart when the day gets busy.",
    "Still figuring out what this looks like with my group this year.",
    "I'd like to watch someone do this well before I try it again.",
    "Tried it in one unit and the kids liked it, but I haven't kept it up.",
    "Honestly, this is the part of my practice I tend to avoid.",
    "Our PLC talked about this and I realised I'm not there yet.",
    "Time is the problem here, not interest.",
)
CONFIDENT_NOTES = (
    "I do this every week now; exit tickets tell me who needs what.",
    "Family conferences went much better since I started two-way notes home.",
    "I've shared my rubrics with the grade-level team and they use them.",
    "This has come a long way since the start of the year.",
    "Students choose their own practice sets on Fridays and take it seriously.",
    "I mentor a first-year teacher on this, which keeps me sharp.",
    "Solid in my own room; less sure how to lead it with colleagues.",
)
NOT_OBSERVED_NOTES = (
    "Haven't had a chance to try this with my current class yet.",
    "New to this grade level, so I don't have evidence yet.",
)
COACH_CALIBRATION_NOTES = (
    "Our ratings differ here. Let's compare evidence at our next check-in.",
    "I rated this from two observations only; bring examples you're proud of.",
    "I saw something different in the lessons I visited. Let's talk it through.",
)
COACH_NOTES = (
    "Clear growth since the last cycle.",
    "Strong in the lessons I observed; worth sharing at the next PLC.",
    "Let's plan a peer observation around this.",
)


class DemoError(RuntimeError):
    pass


# -- the plan (pure) -------------------------------------------------------------------------

@dataclass(frozen=True)
class DemoPerson:
    """An educator as the plan sees them: a key (the email) and their coach's key, if any."""

    key: str
    coach: str | None = None


@dataclass(frozen=True)
class PlannedRating:
    code: str
    level: int | None  # None: "not yet observed"
    confidence: str | None = None
    interest: bool = False
    note: str = ""

    @property
    def not_observed(self) -> bool:
        return self.level is None


@dataclass(frozen=True)
class PlannedAssessment:
    person: str
    status: str  # SUBMITTED, IN_PROGRESS or NOT_STARTED
    self_ratings: tuple[PlannedRating, ...]  # framework order; a prefix of it when in progress
    coach_ratings: tuple[PlannedRating, ...]  # empty when the coach has not rated them
    shared: bool
    submitted_after: float  # how far into the cycle's window they submitted, 0..1


@dataclass(frozen=True)
class PlannedCycle:
    phase: str
    open: bool
    assessments: tuple[PlannedAssessment, ...]


@dataclass
class _Profile:
    true: dict[str, float]  # latent level on a 1..4 scale
    up: float  # chance of rating a competency one level above what a coach would see
    down: float  # ... one level below
    growth: float  # chance that a competency grows before the next cycle
    sharer: bool


def _round(x: float) -> int:
    return int(math.floor(x + 0.5))


def _pick(rng: random.Random, keys: Sequence[str], share: float, *, forced: Sequence[str] = (),
          barred: Sequence[str] = (), at_least: int = 0) -> set[str]:
    """round(share x len(keys)) keys (at least `at_least`), always with `forced`, never `barred`."""
    want = max(at_least, _round(share * len(keys)))
    chosen = [k for k in forced if k in keys]
    pool = [k for k in keys if k not in chosen and k not in barred]
    rng.shuffle(pool)
    return set(chosen + pool[:max(0, want - len(chosen))])


def _weighted_sample(rng: random.Random, items: list, weights: list[float], k: int) -> list:
    items, weights, chosen = list(items), list(weights), []
    for _ in range(min(k, len(items))):
        i = rng.choices(range(len(items)), weights=weights)[0]
        chosen.append(items.pop(i))
        weights.pop(i)
    return chosen


def _profile(rng: random.Random, domains: Sequence[tuple[str, Sequence[str]]], under: bool,
             sharer: bool) -> _Profile:
    stage = rng.choices(("early", "established", "strong"), weights=(25, 50, 25))[0]
    base = rng.uniform(*{"early": (1.4, 2.0), "established": (2.0, 2.6), "strong": (2.7, 3.3)}[stage])
    shift = {code: rng.gauss(0, 0.25) for code, _ in domains}
    if len(domains) >= 2:
        strong, weak = rng.sample([code for code, _ in domains], 2)
        shift[strong] += rng.uniform(0.3, 0.7)
        shift[weak] -= rng.uniform(0.3, 0.7)
    true = {c: min(4.0, max(1.0, base + shift[d] + rng.gauss(0, 0.35)))
            for d, codes in domains for c in codes}
    if under:
        up, down = rng.uniform(0.0, 0.08), rng.uniform(0.35, 0.6)
    else:
        up, down = rng.uniform(0.45, 0.75), rng.uniform(0.0, 0.08)
    growth = {"early": 0.7, "established": 0.55, "strong": 0.4}[stage]
    return _Profile(true, up, down, growth, sharer)


def _confidence(rng: random.Random, level: int | None, lo: int, hi: int, under: bool) -> str:
    if level is None:
        return rng.choices(("low", "medium"), weights=(7, 3))[0]
    position = (level - lo) / (hi - lo) if hi > lo else 0.5
    weights = [(5, 4, 1), (3, 5, 2), (1, 5, 3), (1, 3, 5)][min(3, int(position * 3 + 0.01))]
    if under:
        weights = (weights[0] + 3, weights[1], max(1, weights[2] - 1))
    return rng.choices(("low", "medium", "high"), weights=weights)[0]


def plan_demo_ratings(people: Sequence[DemoPerson], domains: Sequence[tuple[str, Sequence[str]]], *,
                      cycles: int, rng: random.Random, levels: tuple[int, int] = (1, 4),
                      focus: str | None = None) -> list[PlannedCycle]:
    """Draw the demo's cycles: who submitted, every self and coach rating, sharing.

    `domains` is the framework in order: (domain code, competency codes). `levels` is the scale's
    lowest and highest value. `focus` (teacher@) is in progress in the open cycle with about 8
    answers, and submitted, coach-rated and flagged in the last closed cycle.
    """
    if not 1 <= cycles <= MAX_CYCLES:
        raise ValueError(f"cycles must be 1 to {MAX_CYCLES}, not {cycles}")
    lo, hi = levels
    codes = [c for _, cs in domains for c in cs]
    keys = [p.key for p in people]
    coached = [p.key for p in people if p.coach]
    focus = focus if focus in keys else None
    under = _pick(rng, keys, UNDER_RATERS, at_least=1 if len(keys) >= 4 else 0,
                  barred=[focus] if focus else [])
    sharers = _pick(rng, keys, SHARERS)  # most of them share every cycle; a few others now and then
    profiles = {k: _profile(rng, domains, k in under, k in sharers) for k in keys}

    def scaled(x: float) -> int:
        """A latent 1..4 value as a level of the framework's scale."""
        return min(hi, max(lo, lo + _round((min(4.0, max(1.0, x)) - 1) / 3 * (hi - lo))))

    planned, interests = [], {k: set() for k in keys}
    for index in range(cycles):
        is_open = index == cycles - 1
        last_closed = index == cycles - 2
        if index:  # growth since the last cycle, a little more where they wanted to grow
            for k in keys:
                p = profiles[k]
                for c in codes:
                    if rng.random() < p.growth + (0.25 if c in interests[k] else 0):
                        p.true[c] = min(4.0, p.true[c] + rng.uniform(0.3, 0.5))
                p.up, p.down = p.up * 0.9, p.down * 0.9  # calibration conversations help a bit
        forced_focus = [focus] if focus else []

        # Who submitted, who is in progress, who has not started.
        if is_open:
            submitted = _pick(rng, keys, OPEN_SUBMITTED, barred=forced_focus)
            rest = [k for k in keys if k not in submitted]
            in_progress = _pick(rng, rest, OPEN_IN_PROGRESS * len(keys) / max(1, len(rest)),
                                forced=forced_focus)
            coach_rated = _pick(rng, coached, COACH_RATED_OPEN)
        else:
            late = _pick(rng, keys, CLOSED_NOT_SUBMITTED, barred=forced_focus)
            submitted = set(keys) - late
            in_progress = {k for i, k in enumerate(sorted(late, key=keys.index)) if i % 2 == 0}
            coach_rated = _pick(rng, coached, COACH_RATED_CLOSED, forced=forced_focus)

        # Large disagreements: a few submitted, coach-rated educators, a couple of competencies each.
        eligible = [k for k in keys if k in submitted and k in coach_rated]
        disagree = _pick(rng, eligible, DISAGREERS, at_least=1 if eligible else 0,
                         forced=forced_focus if last_closed else [])

        assessments = []
        for k in keys:
            p = profiles[k]
            coach_levels = {c: scaled(p.true[c] + rng.gauss(0, 0.3)) for c in codes}
            self_levels = {}
            for c in codes:
                r = rng.random()
                step = 1 if r < p.up else -1 if r < p.up + p.down else 0
                self_levels[c] = min(hi, max(lo, coach_levels[c] + step))
            flagged = set()
            if k in disagree:
                over = k not in under
                wanted = rng.choice((2, 2, 3))
                fits_over = [c for c in codes if coach_levels[c] + 2 <= hi]
                fits_under = [c for c in codes if coach_levels[c] - 2 >= lo]
                step = 2 if over else -2
                preferred = fits_over if over else fits_under
                chosen = rng.sample(preferred, min(wanted, len(preferred)))
                other = [c for c in (fits_under if over else fits_over) if c not in chosen]
                for c in chosen + rng.sample(other, min(wanted - len(chosen), len(other))):
                    self_levels[c] = coach_levels[c] + (step if c in chosen else -step)
                    flagged.add(c)
            for c in codes:
                if c not in flagged and rng.random() < NOT_OBSERVED:
                    self_levels[c] = None

            status = SUBMITTED if k in submitted else IN_PROGRESS if k in in_progress else NOT_STARTED
            if status == SUBMITTED:
                answered = codes
            elif status == NOT_STARTED:
                answered = []
            elif k == focus and is_open:
                answered = codes[:min(FOCUS_ANSWERED, len(codes) - 1)]
            elif is_open:
                answered = codes[:rng.randint(min(2, len(codes) - 1), max(1, len(codes) - 2))]
            else:
                answered = codes[:rng.randint(max(1, len(codes) // 2), max(1, len(codes) - 1))]

            # "I want to grow here": 2-4 competencies, mostly where they rate themselves lower.
            grow = _weighted_sample(
                rng, list(answered),
                [2.0 if self_levels[c] is None else float(hi - self_levels[c] + 1) ** 2 for c in answered],
                rng.randint(2, 4))
            interests[k] = set(grow)
            # A short note on a few ratings (none for many people, up to two for some).
            noted = set(rng.sample(answered, min(len(answered), rng.choice((0, 0, 0, 1, 1, 2)))))
            self_ratings, used = [], set()
            for c in answered:
                level = self_levels[c]
                note = ""
                if c in noted or (level is None and rng.random() < 0.5):
                    pool = (NOT_OBSERVED_NOTES if level is None
                            else GROWING_NOTES if level - lo <= (hi - lo) / 3 else CONFIDENT_NOTES)
                    choices = [n for n in pool if n not in used]
                    note = rng.choice(choices) if choices else ""
                    used.add(note)
                self_ratings.append(PlannedRating(c, level, _confidence(rng, level, lo, hi, k in under),
                                                  c in interests[k], note))

            coach_ratings = []
            if k in coach_rated:
                for c in codes:
                    note = ""
                    if c in flagged and rng.random() < 0.6:
                        note = rng.choice(COACH_CALIBRATION_NOTES)
                    elif rng.random() < 0.02:
                        note = rng.choice(COACH_NOTES)
                    confidence = rng.choices(("low", "medium", "high"), weights=(1, 5, 4))[0]
                    coach_ratings.append(PlannedRating(c, coach_levels[c], confidence, note=note))

            shared = bool(answered) and rng.random() < (0.9 if p.sharer else 0.03)
            assessments.append(PlannedAssessment(k, status, tuple(self_ratings), tuple(coach_ratings),
                                                 shared, round(rng.uniform(0.05, 0.95), 3)))
        planned.append(PlannedCycle(PHASES[index], is_open, tuple(assessments)))
    return planned


# -- dates and names ---------------------------------------------------------------------------

def _months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    last_day = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last_day))


def cycle_windows(today: date, cycles: int) -> list[tuple[date, date]]:
    """(opens, closes) of each cycle, oldest first. The last one opened two weeks ago and closes
    in six weeks; each earlier one opened four months before the next and lasted six weeks."""
    opens = today - timedelta(weeks=2)
    windows = [(opens, today + timedelta(weeks=6))]
    for back in range(1, cycles):
        start = _months_before(opens, 4 * back)
        windows.insert(0, (start, start + timedelta(weeks=6)))
    return windows


def school_year(day: date) -> str:
    """The school year a day falls in, years starting in August: 2026-08-20 and 2027-03-01 are
    both in '2026-27'."""
    start = day.year if day.month >= 8 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


SEASONS = {12: "Winter", 1: "Winter", 2: "Winter", 3: "Spring", 4: "Spring", 5: "Spring",
           6: "Summer", 7: "Summer", 8: "Summer", 9: "Autumn", 10: "Autumn", 11: "Autumn"}


def cycle_name(opens: date) -> str:
    """A demo cycle's name, from the season and year it opens in ("Autumn 2026"), so it agrees
    with its dates whatever day the demo is seeded on; a winter spans two years ("Winter
    2026-27")."""
    season = SEASONS[opens.month]
    return f"{season} {school_year(opens) if season == 'Winter' else opens.year}"


# -- writing the plan ----------------------------------------------------------------------------

@dataclass(frozen=True)
class CycleCounts:
    name: str
    status: str
    submitted: int
    in_progress: int
    not_started: int
    self_ratings: int
    coach_ratings: int
    flags: int
    mean_self: float | None
    mean_coach: float | None

    def line(self) -> str:
        means = (f"; mean self {self.mean_self:.2f} vs coach {self.mean_coach:.2f}"
                 if self.mean_self is not None and self.mean_coach is not None else "")
        return (f"{self.name} ({self.status}): {self.submitted} submitted, {self.in_progress} in progress, "
                f"{self.not_started} not started; {self.self_ratings} self and {self.coach_ratings} coach "
                f"ratings, {self.flags} calibration flags{means}")


@dataclass
class DemoCyclesSummary:
    framework: str
    cycles: list[CycleCounts] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [c.line() for c in self.cycles]


def _counts(name: str, planned: PlannedCycle) -> CycleCounts:
    self_levels, coach_levels, flags = [], [], 0
    for a in planned.assessments:
        mine = {r.code: r.level for r in a.self_ratings}
        theirs = {r.code: r.level for r in a.coach_ratings}
        self_levels += [v for v in mine.values() if v is not None]
        coach_levels += [v for v in theirs.values() if v is not None]
        flags += sum(1 for c, v in mine.items() if v is not None and theirs.get(c) is not None
                     and abs(v - theirs[c]) >= CALIBRATION_FLAG_AT)
    statuses = [a.status for a in planned.assessments]
    return CycleCounts(
        name=name, status=(CycleStatus.OPEN if planned.open else CycleStatus.CLOSED).value,
        submitted=statuses.count(SUBMITTED), in_progress=statuses.count(IN_PROGRESS),
        not_started=statuses.count(NOT_STARTED),
        self_ratings=sum(len(a.self_ratings) for a in planned.assessments),
        coach_ratings=sum(len(a.coach_ratings) for a in planned.assessments), flags=flags,
        mean_self=round(sum(self_levels) / len(self_levels), 2) if self_levels else None,
        mean_coach=round(sum(coach_levels) / len(coach_levels), 2) if coach_levels else None,
    )


def demo_framework(district: District) -> Framework:
    """The newest version of the educator-competencies framework the district can see."""
    found = [f for f in visible_frameworks(district.id) if f.slug == FRAMEWORK_SLUG]
    if not found:
        raise DemoError("The demo ratings need the educator-competencies framework. "
                        "Load the framework first: flask --app wsgi seed framework")
    framework = max(found, key=lambda f: (f.version, f.district_id is not None))
    if not framework.competencies or not framework.levels:
        raise DemoError(f"Framework {framework.slug} version {framework.version} has no competencies "
                        "or no scale. Load the framework first: flask --app wsgi seed framework")
    return framework


def _educators(district: District) -> list[User]:
    return list(db.session.scalars(
        select(User)
        .where(User.district_id == district.id, User.active.is_(True),
               User.id.in_(select(Membership.user_id).where(Membership.role.in_(EDUCATOR_ROLES))))
        .order_by(User.id)))


def _inputs(ratings) -> list[RatingInput]:
    return [RatingInput(competency=r.code, level=r.level, not_observed=r.not_observed,
                        confidence=r.confidence, interest=r.interest, note=r.note) for r in ratings]


def _submitted_at(opens: date, closes: date, today: date, fraction: float) -> datetime:
    last = min(closes, today - timedelta(days=1))
    day = opens + timedelta(days=int((last - opens).days * fraction))
    minutes = int(fraction * 1000) % 600  # after school hours start: 07:00 to 17:00 UTC
    return datetime.combine(day, time(7, 0), tzinfo=UTC) + timedelta(minutes=minutes)


def seed_demo_cycles(district: District, *, cycles: int, random_seed: int,
                     today: date | None = None) -> DemoCyclesSummary:
    """Create up to three cycles (baseline, mid-year, end of year; the last one open) with ratings.

    Writes through the assessment services and flushes; the caller commits. `today` (default:
    the real today) places the open cycle's window around it.
    """
    if cycles == 0:
        return DemoCyclesSummary("")
    framework = demo_framework(district)
    if not 1 <= cycles <= MAX_CYCLES:
        raise DemoError(f"The demo has 1 to {MAX_CYCLES} cycles, not {cycles}.")
    educators = _educators(district)
    if not educators:
        raise DemoError(f"{district.name} has no teachers or coaches to rate. Seed the demo district first.")
    coach_of = {}
    for educator in educators:
        coach = next((c for c in coaches_of(educator) if Role.COACH in c.roles), None)
        coach_of[educator.email] = coach
    focus = user_by_email(demo_email("teacher", 1))
    domains = [(d.code, [c.code for c in d.competencies]) for d in framework.domains]
    values = [lv.value for lv in framework.levels]
    plan = plan_demo_ratings(
        [DemoPerson(e.email, coach_of[e.email].email if coach_of[e.email] else None) for e in educators],
        domains, cycles=cycles, rng=random.Random(random_seed), levels=(min(values), max(values)),
        focus=focus.email if focus is not None and focus.district_id == district.id else None)

    today = today or date.today()
    windows = cycle_windows(today, cycles)
    domain_of = {c: d for d, cs in domains for c in cs}
    by_email = {e.email: e for e in educators}
    summary = DemoCyclesSummary(f"{framework.slug} version {framework.version}")
    try:
        for planned, (opens, closes) in zip(plan, windows, strict=True):
            cycle = create_cycle(district_id=district.id, name=cycle_name(opens), opens_on=opens,
                                 closes_on=closes, framework=framework)
            open_cycle(cycle)
            for a in planned.assessments:
                educator = by_email[a.person]
                page: list = []
                for i, rating in enumerate(a.self_ratings):  # one domain page at a time, as in the app
                    page.append(rating)
                    following = a.self_ratings[i + 1] if i + 1 < len(a.self_ratings) else None
                    if following is None or domain_of[following.code] != domain_of[rating.code]:
                        save_self_ratings(educator, cycle, _inputs(page), domain_code=domain_of[rating.code])
                        page = []
                if a.status == SUBMITTED:
                    submit_self_assessment(educator, cycle).submitted_at = _submitted_at(
                        opens, closes, today, a.submitted_after)
                if a.shared:
                    set_sharing(educator, cycle, True)
                if a.coach_ratings:
                    save_coach_ratings(coach_of[a.person], educator, cycle, _inputs(a.coach_ratings))
            if not planned.open:
                close_cycle(cycle)
            db.session.flush()
            summary.cycles.append(_counts(cycle.name, planned))
    except AssessmentError as exc:
        raise DemoError(f"The demo ratings could not be written: {exc}") from exc
    return summary

