"""Assessment writes: cycles, self and coach ratings, submit and reopen, sharing.

Every write validates the whole input before touching a row, so a request with one bad item
changes nothing. Services flush; the request or command commits once.
"""

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from sqlalchemy import delete, func, or_, select

from pdplanner.accounts.models import EDUCATOR_ROLES, Role, User
from pdplanner.assessments.models import (
    AssessmentStatus,
    CalibrationOutcome,
    Confidence,
    Cycle,
    CycleStatus,
    EvidenceFile,
    RaterKind,
    Rating,
    SelfAssessment,
)
from pdplanner.assessments.queries import cycle_contents, cycle_evidence_files
from pdplanner.audit.services import record
from pdplanner.database import utcnow
from pdplanner.extensions import db
from pdplanner.framework.models import Competency, Framework
from pdplanner.organisation.signals import PersonRemoval, deleting_person
from pdplanner.permissions import coaches

NOTE_MAX = 2000
URL_MAX = 500


class AssessmentError(ValueError):
    """A refused assessment change. `problems` maps a field path to what is wrong with it."""

    def __init__(self, message: str, problems: dict[str, str] | None = None, status: int = 422):
        super().__init__(message)
        self.problems = problems or {}
        self.status = status


@dataclass(frozen=True)
class RatingInput:
    """One competency's answer as it arrives from a form or the API (not yet validated)."""

    competency: str
    level: object = None
    not_observed: bool = False
    confidence: object = None
    interest: bool = False
    note: str = ""
    evidence_url: str = ""


# -- cycles --------------------------------------------------------------------------------

def create_cycle(*, district_id: int, name: str, opens_on: date, closes_on: date,
                 framework: Framework, actor: User | None = None) -> Cycle:
    name = " ".join(name.split())
    if not name:
        raise AssessmentError("A cycle needs a name.", {"name": "is required"})
    if closes_on < opens_on:
        raise AssessmentError("The cycle closes before it opens.",
                              {"closes_on": f"{closes_on} is before {opens_on}"})
    if framework.district_id not in (None, district_id):
        raise AssessmentError("That framework belongs to another district.", {"framework": "unknown"})
    if db.session.scalar(select(Cycle).where(Cycle.district_id == district_id, Cycle.name == name)):
        raise AssessmentError(f"A cycle named {name!r} already exists.", {"name": "already used"})
    cycle = Cycle(district_id=district_id, name=name, opens_on=opens_on, closes_on=closes_on,
                  framework=framework)
    db.session.add(cycle)
    db.session.flush()
    record("cycle.created", actor=actor, subject=cycle, name=name, framework_id=framework.id)
    return cycle


def open_cycle(cycle: Cycle, *, actor: User | None = None) -> None:
    """Open a draft cycle. A district has at most one open cycle, so everyone knows which one
    they are rating in."""
    if cycle.status != CycleStatus.DRAFT:
        raise AssessmentError(f"{cycle.name} is {cycle.status.value}; only a draft cycle opens.")
    already = _open_cycle(cycle.district_id)
    if already is not None:
        raise AssessmentError(f"{already.name} is still open. Close it first.")
    cycle.status = CycleStatus.OPEN
    record("cycle.opened", actor=actor, subject=cycle)


def close_cycle(cycle: Cycle, *, actor: User | None = None) -> None:
    """Close an open cycle: from now on its ratings are read-only (`reopen_cycle` undoes it)."""
    if cycle.status != CycleStatus.OPEN:
        raise AssessmentError(f"{cycle.name} is {cycle.status.value}; only an open cycle closes.")
    cycle.status = CycleStatus.CLOSED
    record("cycle.closed", actor=actor, subject=cycle)


def reopen_cycle(cycle: Cycle, *, actor: User) -> None:
    """Undo closing a cycle (a district admin's, audited): its ratings can be changed again.
    Refused while another cycle is open, since a district has one open cycle at a time."""
    if cycle.status != CycleStatus.CLOSED:
        raise AssessmentError(f"{cycle.name} is {cycle.status.value}; only a closed cycle reopens.")
    already = _open_cycle(cycle.district_id)
    if already is not None:
        raise AssessmentError(f"{already.name} is open. Close it before reopening {cycle.name}.")
    cycle.status = CycleStatus.OPEN
    record("cycle.reopened", actor=actor, subject=cycle)


def _open_cycle(district_id: int) -> Cycle | None:
    """The district's open cycle: there is at most one."""
    return db.session.scalar(select(Cycle).where(Cycle.district_id == district_id,
                                                 Cycle.status == CycleStatus.OPEN))


def change_cycle_dates(cycle: Cycle, opens_on: date, closes_on: date, *, actor: User,
                       today: date) -> None:
    """Move a draft or open cycle's window (audited with the old and new dates). It must close
    on or after it opens, an open cycle cannot close before `today` (close it instead), and a
    cycle keeps its place among the district's cycles: planning reads the newest ratings by the
    day each cycle opens."""
    if cycle.status == CycleStatus.CLOSED:
        raise AssessmentError(f"{cycle.name} is closed: reopen it to change its dates.")
    problems = {}
    if closes_on < opens_on:
        problems["closes_on"] = (f"must be on or after the day it opens: {closes_on:%d %B %Y} is before "
                                 f"{opens_on:%d %B %Y}")
    elif cycle.status == CycleStatus.OPEN and closes_on < today:
        problems["closes_on"] = (f"{closes_on:%d %B %Y} has passed and {cycle.name} is open: choose today "
                                 "or later, or close the cycle")
    others = db.session.execute(select(Cycle.name, Cycle.opens_on).where(
        Cycle.district_id == cycle.district_id, Cycle.id != cycle.id)).all()
    before = max(((day, name) for name, day in others if day <= cycle.opens_on), default=None)
    after = min(((day, name) for name, day in others if day > cycle.opens_on), default=None)
    if before and opens_on < before[0]:
        problems["opens_on"] = (f"{opens_on:%d %B %Y} is before {before[1]} opens ({before[0]:%d %B %Y}); "
                                "cycles keep their order")
    elif after and opens_on > after[0]:
        problems["opens_on"] = (f"{opens_on:%d %B %Y} is after {after[1]} opens ({after[0]:%d %B %Y}); "
                                "cycles keep their order")
    if problems:
        raise AssessmentError("Nothing was saved: " + "; ".join(f"{k.replace('_', ' ')} {v}"
                                                                 for k, v in problems.items()), problems)
    before_dates = (cycle.opens_on, cycle.closes_on)
    if before_dates == (opens_on, closes_on):
        return
    cycle.opens_on, cycle.closes_on = opens_on, closes_on
    db.session.flush()
    record("cycle.dates_changed", actor=actor, subject=cycle,
           opens_on=[before_dates[0].isoformat(), opens_on.isoformat()],
           closes_on=[before_dates[1].isoformat(), closes_on.isoformat()])


def purge_cycle(cycle: Cycle, *, actor: User | None = None) -> list[str]:
    """Delete a closed cycle and everything tied to it: self-assessments, ratings, plans
    (placements, goals, path activities), cohorts and the evidence files attached to them. The
    database's cascades (ondelete) remove the rows; the audit log keeps a `cycle.purged` event
    with the counts. Returns the stored names of the files to remove from disk once committed."""
    if cycle.status != CycleStatus.CLOSED:
        raise AssessmentError(f"{cycle.name} is {cycle.status.value}; only a closed cycle is purged.")
    files = cycle_evidence_files(cycle)
    record("cycle.purged", actor=actor, subject=cycle, name=cycle.name, closes_on=cycle.closes_on.isoformat(),
           **cycle_contents(cycle))
    db.session.execute(delete(EvidenceFile).where(EvidenceFile.id.in_([f.id for f in files])))
    db.session.delete(cycle)
    db.session.flush()
    return [f.stored_name for f in files]


# -- ratings -------------------------------------------------------------------------------

def _competencies_by_code(cycle: Cycle) -> dict[str, Competency]:
    return {c.code: c for c in db.session.scalars(
        select(Competency).where(Competency.framework_id == cycle.framework_id))}


def _level_number(level: object) -> int | None:
    """A level as sent by a form (text) or the API (a number). Text must be ASCII digits:
    str.isdigit() also accepts '²' (which int() refuses) and '５' (which int() reads as 5), and
    int() refuses 5,000 digits."""
    if isinstance(level, int) and not isinstance(level, bool):
        return level
    if isinstance(level, str) and re.fullmatch(r"[0-9]{1,3}", level):
        return int(level)
    return None


def _validated(cycle: Cycle, items: list[RatingInput]) -> list[tuple[Competency, dict]]:
    """Check every item against the cycle's framework; raise with every problem at once."""
    by_code = _competencies_by_code(cycle)
    levels = {lv.value for lv in cycle.framework.levels}
    problems, clean, seen = {}, [], set()
    for i, item in enumerate(items):
        where = f"ratings[{i}]"
        competency = by_code.get(str(item.competency).strip())
        if competency is None:
            problems[f"{where}.competency"] = (
                f"{item.competency!r} is not a competency of {cycle.framework.title}")
            continue
        if competency.code in seen:
            problems[f"{where}.competency"] = f"{competency.code} appears twice"
            continue
        seen.add(competency.code)
        level = item.level
        if level in ("", None):
            level = None
        elif _level_number(level) not in levels:
            shown = repr(level) if len(repr(level)) <= 20 else repr(level)[:20] + "..."
            problems[f"{where}.level"] = f"{shown} is not a level of the scale ({min(levels)}-{max(levels)})"
        else:
            level = _level_number(level)
        if item.not_observed and level is not None:
            problems[f"{where}.level"] = "choose a level or 'not yet observed', not both"
        confidence = item.confidence or None
        if confidence is not None and confidence not in {c.value for c in Confidence}:
            problems[f"{where}.confidence"] = f"{confidence!r} must be low, medium or high"
        note = (item.note or "").strip()
        if len(note) > NOTE_MAX:
            problems[f"{where}.note"] = f"is {len(note)} characters; at most {NOTE_MAX}"
        url = (item.evidence_url or "").strip()
        if url and (urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc
                    or len(url) > URL_MAX):
            problems[f"{where}.evidence_url"] = "must be a web address starting with https:// or http://"
        clean.append((competency, {
            "level": level, "not_observed": bool(item.not_observed) and level is None,
            "confidence": Confidence(confidence) if confidence in {c.value for c in Confidence} else None,
            "interest": bool(item.interest), "note": note, "evidence_url": url,
        }))
    if problems:
        raise AssessmentError("Nothing was saved: " + "; ".join(f"{k}: {v}" for k, v in problems.items()),
                              problems)
    return clean


def _write_ratings(cycle: Cycle, educator: User, rater: User, kind: RaterKind,
                   items: list[RatingInput]) -> list[Rating]:
    clean = _validated(cycle, items)
    existing = {r.competency_id: r for r in db.session.scalars(select(Rating).where(
        Rating.cycle_id == cycle.id, Rating.educator_id == educator.id,
        Rating.kind == kind, Rating.rater_id == rater.id))}
    saved = []
    for competency, values in clean:
        rating = existing.get(competency.id)
        if rating is None:
            rating = Rating(cycle_id=cycle.id, educator_id=educator.id, competency_id=competency.id,
                            rater_id=rater.id, kind=kind)
            db.session.add(rating)
        for name, value in values.items():
            setattr(rating, name, value)
        saved.append(rating)
    db.session.flush()
    return saved


def _require_open(cycle: Cycle) -> None:
    if not cycle.is_open:
        raise AssessmentError(f"{cycle.name} is {cycle.status.value}: its ratings are read-only.",
                              status=409)


def self_assessment(cycle: Cycle, educator: User, *, create: bool = False) -> SelfAssessment | None:
    assessment = db.session.scalar(select(SelfAssessment).where(
        SelfAssessment.cycle_id == cycle.id, SelfAssessment.educator_id == educator.id))
    if assessment is None and create:
        assessment = SelfAssessment(cycle_id=cycle.id, educator_id=educator.id)
        db.session.add(assessment)
        db.session.flush()
    return assessment


def save_self_ratings(educator: User, cycle: Cycle, items: list[RatingInput], *,
                      domain_code: str | None = None) -> list[Rating]:
    """Save some or all of an educator's self-ratings (partial saves allowed)."""
    _require_open(cycle)
    if not educator.roles & set(EDUCATOR_ROLES):
        raise AssessmentError("Only teachers and coaches rate themselves.", status=403)
    assessment = self_assessment(cycle, educator, create=True)
    if assessment.submitted:
        raise AssessmentError("This self-assessment is submitted. Your coach can reopen it.",
                              status=409)
    saved = _write_ratings(cycle, educator, educator, RaterKind.SELF, items)
    record("self_ratings.saved", actor=educator, subject=educator, cycle_id=cycle.id,
           competencies=[r.competency.code for r in saved])
    if domain_code:
        assessment.last_domain_code = domain_code
    assessment.updated_at = utcnow()
    return saved


def submit_self_assessment(educator: User, cycle: Cycle) -> SelfAssessment:
    """Lock the self-assessment. Every competency needs a level or 'not yet observed'."""
    _require_open(cycle)
    assessment = self_assessment(cycle, educator, create=True)
    if assessment.submitted:
        raise AssessmentError("This self-assessment is already submitted.", status=409)
    answered = {r.competency_id for r in db.session.scalars(select(Rating).where(
        Rating.cycle_id == cycle.id, Rating.educator_id == educator.id, Rating.kind == RaterKind.SELF,
        Rating.rater_id == educator.id)) if r.answered}
    missing = [c.code for c in cycle.framework.competencies if c.id not in answered]
    if missing:
        raise AssessmentError(
            f"Rate every competency before submitting ('not yet observed' counts). Still to do: "
            f"{', '.join(missing)}.", {"missing": ", ".join(missing)}, status=409)
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.submitted_at = utcnow()
    record("self_assessment.submitted", actor=educator, subject=educator, cycle_id=cycle.id)
    return assessment


def reopen_self_assessment(coach: User, educator: User, cycle: Cycle) -> SelfAssessment:
    """The educator's coach reopens a submitted self-assessment so it can be edited again."""
    _require_open(cycle)
    if not coaches(coach, educator):
        raise AssessmentError("Only the educator's coach can reopen it.", status=403)
    assessment = self_assessment(cycle, educator)
    if assessment is None or not assessment.submitted:
        raise AssessmentError("This self-assessment is not submitted.", status=409)
    assessment.status = AssessmentStatus.IN_PROGRESS
    assessment.submitted_at = None
    record("self_assessment.reopened", actor=coach, subject=educator, cycle_id=cycle.id)
    return assessment


def save_coach_ratings(coach: User, educator: User, cycle: Cycle,
                       items: list[RatingInput]) -> list[Rating]:
    """A coach's ratings of an educator on their caseload: a separate record from the self-rating."""
    _require_open(cycle)
    if Role.COACH not in coach.roles or not coaches(coach, educator):
        raise AssessmentError("Only the educator's coach rates them.", status=403)
    saved = _write_ratings(cycle, educator, coach, RaterKind.COACH, items)
    record("coach_ratings.saved", actor=coach, subject=educator, cycle_id=cycle.id,
           competencies=[r.competency.code for r in saved])
    return saved


def record_calibration_outcome(coach: User, educator: User, cycle: Cycle, competency_code: str, *,
                               agreed_level: object = None, note: str = "") -> CalibrationOutcome:
    """Record (or change) what a coach and an educator agreed on one competency in a cycle's
    calibration conversation: a level, a note, or both. An agreed level also becomes the coach's
    rating of that competency, written by `save_coach_ratings` like any coach rating (its
    confidence, note and evidence kept), so the planner and the published figures take it the
    way they take every coach rating (docs/DECISIONS.md, "Calibration outcomes")."""
    _require_open(cycle)
    if Role.COACH not in coach.roles or not coaches(coach, educator):
        raise AssessmentError("Only the educator's coach records a calibration outcome.", status=403)
    competency = _competencies_by_code(cycle).get(str(competency_code))
    if competency is None:
        raise AssessmentError(f"{competency_code!r} is not a competency of {cycle.framework.title}.",
                              {"competency": "unknown"}, status=404)
    levels = {lv.value for lv in cycle.framework.levels}
    level = None if agreed_level in ("", None) else _level_number(agreed_level)
    note = (note or "").strip()
    problems = {}
    if agreed_level not in ("", None) and level not in levels:
        problems["agreed_level"] = (f"{str(agreed_level)[:20]!r} is not a level of the scale "
                                    f"({min(levels)}-{max(levels)})")
    if len(note) > NOTE_MAX:
        problems["note"] = f"is {len(note)} characters; at most {NOTE_MAX}"
    if not problems and level is None and not note:
        problems["agreed_level"] = "choose the level you agreed on, or write a note"
    if problems:
        raise AssessmentError(f"Nothing was saved for {competency.name}: " + "; ".join(
            f"{'agreed level' if k == 'agreed_level' else k}: {v}" for k, v in problems.items()), problems)
    outcome = db.session.scalar(select(CalibrationOutcome).where(
        CalibrationOutcome.cycle_id == cycle.id, CalibrationOutcome.educator_id == educator.id,
        CalibrationOutcome.competency_id == competency.id))
    if outcome is None:
        outcome = CalibrationOutcome(cycle_id=cycle.id, educator_id=educator.id, competency_id=competency.id)
        db.session.add(outcome)
    outcome.coach_id, outcome.agreed_level, outcome.note = coach.id, level, note
    if level is not None:
        save_coach_ratings(coach, educator, cycle, [_with_level(cycle, educator, coach, competency, level)])
    db.session.flush()
    record("calibration_outcome.recorded", actor=coach, subject=educator, cycle_id=cycle.id,
           competency=competency.code, agreed_level=level)
    return outcome


def _with_level(cycle: Cycle, educator: User, coach: User, competency: Competency, level: int) -> RatingInput:
    """The coach's rating of `competency` with its level replaced by `level`, the rest kept."""
    rating = db.session.scalar(select(Rating).where(
        Rating.cycle_id == cycle.id, Rating.educator_id == educator.id, Rating.competency_id == competency.id,
        Rating.kind == RaterKind.COACH, Rating.rater_id == coach.id))
    if rating is None:
        return RatingInput(competency.code, level=level)
    return RatingInput(competency.code, level=level, interest=rating.interest, note=rating.note,
                       confidence=rating.confidence.value if rating.confidence else None,
                       evidence_url=rating.evidence_url)


def set_sharing(educator: User, cycle: Cycle, shared: bool) -> SelfAssessment:
    """Share (or withdraw) an educator's individual self-ratings of a cycle with their principal."""
    assessment = self_assessment(cycle, educator, create=True)
    if assessment.shared_with_principal != shared:
        assessment.shared_with_principal = shared
        record("self_ratings.shared" if shared else "self_ratings.unshared",
               actor=educator, subject=educator, cycle_id=cycle.id)
    return assessment


# -- what this package does when a lower one announces a change -----------------------------

def subscribe() -> None:
    """Connect this package's receivers of lower packages' signals; `create_app` calls it."""
    deleting_person.connect(_remove_evidence_of_person)


def _remove_evidence_of_person(person: User, **_) -> PersonRemoval:
    """Every rating of the person and every rating they gave go with their account by the
    database's cascades. The evidence files they uploaded, and the files others uploaded onto
    those ratings, go here: no cascade reaches a file from its rating."""
    ratings = or_(Rating.educator_id == person.id, Rating.rater_id == person.id)
    files = db.session.execute(select(EvidenceFile.id, EvidenceFile.stored_name).where(or_(
        EvidenceFile.owner_id == person.id,
        EvidenceFile.id.in_(select(Rating.evidence_file_id).where(ratings)),
    ))).all()
    count = db.session.scalar(select(func.count()).select_from(Rating).where(ratings))
    db.session.execute(delete(EvidenceFile).where(EvidenceFile.id.in_([file_id for file_id, _ in files])))
    return PersonRemoval(counts={"ratings": count}, files=[stored_name for _, stored_name in files])
