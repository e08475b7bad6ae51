"""Assessment reads: cycles, ratings, progress, caseload status, calibration and aggregates."""

import calendar
import math
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, bindparam, func, select

from pdplanner.accounts.models import Role, User
from pdplanner.assessments.models import (
    AssessmentStatus,
    CalibrationOutcome,
    Cycle,
    CycleStatus,
    EvidenceFile,
    RaterKind,
    Rating,
    SelfAssessment,
)
from pdplanner.core.gaps import calibrate
from pdplanner.core.types import CalibrationRow
from pdplanner.extensions import db
from pdplanner.framework.models import Competency
from pdplanner.framework.terms import framework_terms
from pdplanner.organisation.models import CaseloadAssignment, District, Membership, School
from pdplanner.planning.models import Cohort, PathActivity, PlannedGoal

SECONDS_PER_COMPETENCY = 45  # an estimate: reading four descriptors and choosing takes under a minute


def current_cycle(district_id: int) -> Cycle | None:
    """The open cycle, else the most recently closed one (a district has a few cycles a year)."""
    return current_of(cycles_of_district(district_id))


def current_of(cycles: list[Cycle]) -> Cycle | None:
    """`current_cycle` picked from a district's cycles already read, newest first
    (`cycles_of_district`)."""
    return (next((c for c in cycles if c.status == CycleStatus.OPEN), None)
            or next((c for c in cycles if c.status != CycleStatus.DRAFT), None))


# Built once: nearly every page reads it (see `PROGRESS` below).
CYCLES_OF_DISTRICT = (select(Cycle).where(Cycle.district_id == bindparam("district_id"))
                      .order_by(Cycle.opens_on.desc()))


def cycles_of_district(district_id: int) -> list[Cycle]:
    """Newest first."""
    return list(db.session.scalars(CYCLES_OF_DISTRICT, {"district_id": district_id}))


def ratings_by_code(cycle: Cycle, educator: User, kind: RaterKind,
                    rater: User | None = None) -> dict[str, Rating]:
    """The educator's ratings of one kind in a cycle, by competency code, the last changed last
    (one rater each; name `rater` when an educator may have two coaches)."""
    query = (select(Competency.code, Rating).join(Rating.competency)
             .where(Rating.cycle_id == cycle.id, Rating.educator_id == educator.id, Rating.kind == kind)
             .order_by(Rating.updated_at, Rating.id))
    if rater is not None:
        query = query.where(Rating.rater_id == rater.id)
    return dict(db.session.execute(query).all())


def last_changed_domain(cycle: Cycle, ratings: dict[str, Rating]) -> str:
    """The domain of the rating changed last (`ratings_by_code` order), where a rater who comes
    back picks up; the first domain when there is none."""
    domains = cycle.framework.domains
    if not ratings:
        return domains[0].code
    code = next(reversed(ratings))
    return next((d.code for d in domains if any(c.code == code for c in d.competencies)), domains[0].code)


def progress_in(cycle: Cycle, ratings: dict[str, Rating]) -> "Progress":
    """How far one rater is through a cycle's framework, from their ratings by code."""
    codes = {c.code for c in cycle.framework.competencies}
    answered = sum(1 for code, rating in ratings.items() if code in codes and rating.answered)
    return Progress(answered, len(codes), None)


def answered_by_domain(cycle: Cycle, ratings: dict[str, Rating]) -> dict[str, int]:
    """How many competencies of each domain `ratings` answer (a level or "not yet observed")."""
    return {d.code: sum(1 for c in d.competencies if c.code in ratings and ratings[c.code].answered)
            for d in cycle.framework.domains}


def calibration_outcomes(cycle: Cycle, educator: User) -> dict[str, CalibrationOutcome]:
    """The outcomes of the educator's calibration conversations in a cycle, by competency code."""
    return dict(db.session.execute(
        select(Competency.code, CalibrationOutcome).join(CalibrationOutcome.competency)
        .where(CalibrationOutcome.cycle_id == cycle.id, CalibrationOutcome.educator_id == educator.id)).all())


@dataclass(frozen=True)
class Progress:
    answered: int
    total: int
    status: AssessmentStatus | None

    @property
    def minutes_left(self) -> int:
        return math.ceil((self.total - self.answered) * SECONDS_PER_COMPETENCY / 60)

    @property
    def started(self) -> bool:
        return self.status is not None

    @property
    def submitted(self) -> bool:
        return self.status == AssessmentStatus.SUBMITTED


def _progress_statement() -> Select:
    cycle_id = bindparam("cycle_id")
    answered = select(func.count(Rating.id)).where(
        Rating.cycle_id == cycle_id, Rating.educator_id == User.id, Rating.kind == RaterKind.SELF,
        (Rating.level.is_not(None)) | Rating.not_observed.is_(True)).scalar_subquery()
    status = select(SelfAssessment.status).where(
        SelfAssessment.cycle_id == cycle_id, SelfAssessment.educator_id == User.id).scalar_subquery()
    return select(User.id, answered, status).where(User.id.in_(bindparam("ids", expanding=True)))


# Built once, as the pages read them on every request: building a statement and its cache key
# takes more CPU than the database takes to answer it.
PROGRESS = _progress_statement()
RATINGS_OF = (
    select(Rating.cycle_id, Cycle.name, Cycle.opens_on, Cycle.framework_id, Competency.code, Rating.kind,
           Rating.level)
    .join(Cycle, Cycle.id == Rating.cycle_id).join(Competency, Competency.id == Rating.competency_id)
    .where(Rating.educator_id == bindparam("educator_id"))
    .order_by(Rating.updated_at, Rating.id))


def progress_of(cycle: Cycle, educators: list[User]) -> dict[int, Progress]:
    """Self-assessment progress of several educators in one statement (each one's count of
    answers and status side by side)."""
    ids = [e.id for e in educators]
    total = len(framework_terms(cycle.framework_id).competencies)
    found = {i: (count, state) for i, count, state in
             db.session.execute(PROGRESS, {"cycle_id": cycle.id, "ids": ids}).all()}
    return {i: Progress(found.get(i, (0, None))[0], total, found.get(i, (0, None))[1]) for i in ids}


def calibration(cycle: Cycle, educator: User) -> list[CalibrationRow]:
    codes = [c.code for c in cycle.framework.competencies]
    mine = {code: r.level for code, r in ratings_by_code(cycle, educator, RaterKind.SELF).items()}
    theirs = {code: r.level for code, r in ratings_by_code(cycle, educator, RaterKind.COACH).items()}
    return calibrate(codes, mine, theirs)


def calibration_history(educator: User, shown=lambda cycle: True) -> list[tuple[Cycle, list[CalibrationRow]]]:
    """Calibration in every cycle the educator has ratings in for which `shown(cycle)` holds
    (the viewer may see that cycle's ratings: a difference and a coach level give the self level
    away), oldest first."""
    cycles = db.session.scalars(
        select(Cycle).where(Cycle.id.in_(select(Rating.cycle_id).where(Rating.educator_id == educator.id)))
        .order_by(Cycle.opens_on)).all()
    return [(cycle, calibration(cycle, educator)) for cycle in cycles if shown(cycle)]


@dataclass(frozen=True)
class CaseloadRow:
    educator: User
    progress: Progress
    coach_rated: int
    flags: int


def caseload_status(coach: User, cycle: Cycle) -> list[CaseloadRow]:
    educators = list(db.session.scalars(
        select(User).join(CaseloadAssignment, CaseloadAssignment.educator_id == User.id)
        .where(CaseloadAssignment.coach_id == coach.id, User.active.is_(True))
        .order_by(User.family_name, User.given_name)))
    progress = progress_of(cycle, educators)
    coach_rated = dict(db.session.execute(
        select(Rating.educator_id, func.count(Rating.id))
        # By the caseload's ids, so the (cycle, educator) index answers, not a scan of the cycle.
        .where(Rating.cycle_id == cycle.id, Rating.educator_id.in_([e.id for e in educators]),
               Rating.rater_id == coach.id, Rating.kind == RaterKind.COACH,
               (Rating.level.is_not(None)) | Rating.not_observed.is_(True))
        .group_by(Rating.educator_id)).all())
    flags = _flag_counts(cycle, [e.id for e in educators])
    return [CaseloadRow(e, progress[e.id], coach_rated.get(e.id, 0), flags.get(e.id, 0))
            for e in educators]


def _flag_counts(cycle: Cycle, educator_ids: list[int]) -> dict[int, int]:
    levels: dict[tuple[int, str], dict[RaterKind, int | None]] = {}
    rows = db.session.execute(
        select(Rating.educator_id, Competency.code, Rating.kind, Rating.level).join(Rating.competency)
        .where(Rating.cycle_id == cycle.id, Rating.educator_id.in_(educator_ids)))
    for educator_id, code, kind, level in rows:
        levels.setdefault((educator_id, code), {})[kind] = level
    counts: dict[int, int] = {}
    for (educator_id, code), by_kind in levels.items():
        [row] = calibrate([code], {code: by_kind.get(RaterKind.SELF)}, {code: by_kind.get(RaterKind.COACH)})
        counts[educator_id] = counts.get(educator_id, 0) + row.flagged
    return counts


def shared_assessments(cycle: Cycle, school_ids: set[int]) -> list[SelfAssessment]:
    """Self-assessments in these schools whose educators shared them with their principal."""
    members = select(Membership.user_id).where(Membership.school_id.in_(school_ids))
    return list(db.session.scalars(
        select(SelfAssessment).where(SelfAssessment.cycle_id == cycle.id,
                                     SelfAssessment.shared_with_principal.is_(True),
                                     SelfAssessment.educator_id.in_(members))))


@dataclass(frozen=True)
class HistoryRow:
    code: str
    name: str
    cells: list[tuple[Rating | None, Rating | None, Rating | None]]  # (self, coach, evidence) per cycle
    outcomes: list[CalibrationOutcome | None]  # the calibration conversation's outcome per cycle


def rating_history(educator: User, shown=lambda cycle: True) -> tuple[list[Cycle], list[HistoryRow]]:
    """An educator's self, coach and evidence ratings and calibration outcomes in every cycle for
    which `shown(cycle)` holds, matched by competency code (so a newer framework version lines up
    with an older one), in the newest framework's order."""
    rows = db.session.execute(
        select(Rating, Competency.code).join(Rating.competency)
        .where(Rating.educator_id == educator.id)).all()
    outcomes = db.session.execute(
        select(CalibrationOutcome, Competency.code).join(CalibrationOutcome.competency)
        .where(CalibrationOutcome.educator_id == educator.id)).all()
    cycle_ids = {rating.cycle_id for rating, _ in rows} | {outcome.cycle_id for outcome, _ in outcomes}
    cycles = [cycle for cycle in db.session.scalars(
        select(Cycle).where(Cycle.id.in_(cycle_ids)).order_by(Cycle.opens_on)) if shown(cycle)]
    if not cycles:
        return [], []
    by_key = {(rating.cycle_id, code, rating.kind): rating for rating, code in rows}
    agreed = {(outcome.cycle_id, code): outcome for outcome, code in outcomes}
    return cycles, [
        HistoryRow(c.code, c.name, [tuple(by_key.get((cy.id, c.code, kind)) for kind in RaterKind)
                                    for cy in cycles],
                   [agreed.get((cy.id, c.code)) for cy in cycles])
        for c in cycles[-1].framework.competencies
    ]


@dataclass(frozen=True)
class RatedCycle:
    id: int
    name: str
    opens_on: date
    framework_id: int


@dataclass(frozen=True)
class RatingLine:
    cycle_id: int
    code: str
    kind: RaterKind
    level: int | None


def ratings_of(educator: User) -> tuple[list[RatedCycle], list[RatingLine]]:
    """Every rating of an educator as plain values, in one statement: the cycles they are in,
    oldest first, and the ratings, least recently changed first (so that, read in order, the
    newest of several raters of one kind wins)."""
    rows = db.session.execute(RATINGS_OF, {"educator_id": educator.id}).all()
    cycles = {row[0]: RatedCycle(*row[:4]) for row in rows}
    return (sorted(cycles.values(), key=lambda c: c.opens_on),
            [RatingLine(cycle_id, code, kind, level) for cycle_id, _, _, _, code, kind, level in rows])


def schools_led_by(user: User) -> list[School]:
    """The schools whose aggregates `user` may see: all of the district for a district admin."""
    query = select(School).where(School.district_id == user.district_id).order_by(School.name)
    if Role.DISTRICT_ADMIN not in user.roles:
        query = query.where(School.id.in_(user.school_ids(Role.PRINCIPAL)))
    return list(db.session.scalars(query))


def evidence_owner(file_id: int) -> Rating | PathActivity | None:
    """What an evidence file is attached to (a rating or a path activity): its educator and cycle
    decide who may open it."""
    return (db.session.scalar(select(Rating).where(Rating.evidence_file_id == file_id))
            or db.session.scalar(select(PathActivity).where(PathActivity.evidence_file_id == file_id)))


# -- retention -----------------------------------------------------------------------------

def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (the month's last day when it is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def expired_cycles(district: District, today: date) -> list[Cycle]:
    """Closed cycles of the district that closed more than its retention period before `today`;
    none while the district keeps everything. Open and draft cycles are never among them."""
    if district.retention_months is None:
        return []
    return list(db.session.scalars(select(Cycle).where(
        Cycle.district_id == district.id, Cycle.status == CycleStatus.CLOSED,
        Cycle.closes_on < months_before(today, district.retention_months)).order_by(Cycle.opens_on)))


def submission_counts(cycle: Cycle) -> tuple[int, int]:
    """(submitted self-assessments, active teachers and coaches of the district) in a cycle:
    what closing it would leave unfinished."""
    educators = (select(Membership.user_id).join(User, User.id == Membership.user_id)
                 .where(User.district_id == cycle.district_id, User.active.is_(True),
                        Membership.role.in_([Role.TEACHER, Role.COACH])))
    submitted = db.session.scalar(select(func.count()).select_from(SelfAssessment).where(
        SelfAssessment.cycle_id == cycle.id, SelfAssessment.status == AssessmentStatus.SUBMITTED,
        SelfAssessment.educator_id.in_(educators)))
    total = db.session.scalar(select(func.count()).select_from(User).where(User.id.in_(educators)))
    return submitted, total


def cycle_contents(cycle: Cycle) -> dict[str, int]:
    """How many rows of each kind a cycle holds: what purging it deletes."""
    def count(model) -> int:
        return db.session.scalar(select(func.count()).select_from(model).where(model.cycle_id == cycle.id))

    return {"ratings": count(Rating), "self_assessments": count(SelfAssessment), "goals": count(PlannedGoal),
            "path_activities": count(PathActivity), "cohorts": count(Cohort),
            "evidence_files": len(cycle_evidence_files(cycle))}


def cycle_evidence_files(cycle: Cycle) -> list[EvidenceFile]:
    """The evidence files attached to a cycle's ratings and path activities."""
    on_ratings = select(Rating.evidence_file_id).where(Rating.cycle_id == cycle.id)
    on_activities = select(PathActivity.evidence_file_id).where(PathActivity.cycle_id == cycle.id)
    return list(db.session.scalars(select(EvidenceFile).where(
        EvidenceFile.id.in_(on_ratings) | EvidenceFile.id.in_(on_activities))))
