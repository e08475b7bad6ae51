"""A person's own data (GET /me/data.zip): the document of everything that is theirs, and their
plans for the growth plan PDFs that go with it."""

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from pdplanner.accounts.models import ApiToken, User
from pdplanner.assessments.models import CalibrationOutcome, Cycle, EvidenceFile, Rating, SelfAssessment
from pdplanner.audit.models import AuditEvent
from pdplanner.database import utcnow
from pdplanner.extensions import db
from pdplanner.framework.models import Competency, Domain
from pdplanner.organisation.models import CaseloadAssignment
from pdplanner.planning.models import Cohort, PathActivity, Placement, PlannedGoal
from pdplanner.planning.queries import EducatorPlan, cohort_name, focus_names, lane_labels, plan_of
from pdplanner.reports.exports import iso, safe_file_name


def my_data_document(user: User) -> tuple[dict, list[tuple[str, EvidenceFile]]]:
    """Everything about `user` that is theirs, as a JSON-ready document, and the evidence files
    that go with it, each with its path inside the zip. What counts as theirs is in
    docs/DECISIONS.md; another person's data is left out even where `user` wrote it (a coach's
    ratings of their caseload belong with the rated educator)."""
    rater = aliased(User, name="rater")
    ratings = db.session.execute(
        select(Rating, Domain.code, Competency.code, rater.email)
        .join(Competency, Competency.id == Rating.competency_id)
        .join(Domain, Domain.id == Competency.domain_id)
        .join(rater, rater.id == Rating.rater_id).where(Rating.educator_id == user.id)
        .order_by(Rating.cycle_id, Competency.position, Rating.kind, rater.email)).all()
    coach = aliased(User, name="coach")
    outcomes = db.session.execute(
        select(CalibrationOutcome, Competency.code, coach.email)
        .join(Competency, Competency.id == CalibrationOutcome.competency_id)
        .outerjoin(coach, coach.id == CalibrationOutcome.coach_id)
        .where(CalibrationOutcome.educator_id == user.id)
        .order_by(CalibrationOutcome.cycle_id, Competency.position)).all()
    assessments = db.session.scalars(select(SelfAssessment).where(SelfAssessment.educator_id == user.id)
                                     .order_by(SelfAssessment.cycle_id)).all()
    goals = db.session.scalars(select(PlannedGoal).where(PlannedGoal.educator_id == user.id)
                               .order_by(PlannedGoal.cycle_id, PlannedGoal.rank)).all()
    activities = db.session.scalars(
        select(PathActivity).options(selectinload(PathActivity.resource))
        .where(PathActivity.educator_id == user.id)
        .order_by(PathActivity.cycle_id, PathActivity.position, PathActivity.id)).all()
    placements = db.session.scalars(
        select(Placement).options(selectinload(Placement.cohort).selectinload(Cohort.coach))
        .where(Placement.educator_id == user.id).order_by(Placement.cycle_id)).all()
    led = db.session.execute(
        select(Cohort, func.count(Placement.id)).outerjoin(Placement, Placement.cohort_id == Cohort.id)
        .where(Cohort.coach_id == user.id).group_by(Cohort.id).order_by(Cohort.cycle_id, Cohort.key)).all()
    cycle_ids = ({r.cycle_id for r, *_ in ratings} | {o.cycle_id for o, *_ in outcomes}
                 | {a.cycle_id for a in assessments}
                 | {g.cycle_id for g in goals} | {a.cycle_id for a in activities}
                 | {p.cycle_id for p in placements} | {c.cycle_id for c, _ in led})
    cycles = {c.id: c for c in db.session.scalars(select(Cycle).where(Cycle.id.in_(cycle_ids))
                                                  .order_by(Cycle.opens_on))}
    labels = lane_labels(user.district_id)
    names = {c.id: focus_names(c) for c in cycles.values()}
    level_labels = {c.id: {lv.value: lv.label for lv in c.framework.levels} for c in cycles.values()}

    attached = ({r.evidence_file_id for r, *_ in ratings} | {a.evidence_file_id for a in activities}) - {None}
    files = db.session.scalars(select(EvidenceFile).where(
        or_(EvidenceFile.owner_id == user.id, EvidenceFile.id.in_(attached))).order_by(EvidenceFile.id)).all()
    zip_path = {f.id: f"evidence/{f.id}-{safe_file_name(f.original_name)}" for f in files}

    def cohort(c: Cohort | None) -> dict | None:
        return None if c is None else {
            "id": c.id, "name": cohort_name(c, names[c.cycle_id], labels), "focus": c.focus, "lane": c.lane,
            "status": c.status.value, "coach_email": c.coach.email if c.coach else None}

    document = {
        "format": "pdplanner-my-data", "version": 1, "generated_at": iso(utcnow()),
        "person": _person_document(user),
        "coaches": [{"email": c.email, "name": c.name} for c in _people_linked(user, as_coach=False)],
        "caseload": [{"email": e.email, "name": e.name} for e in _people_linked(user, as_coach=True)],
        "cycles": [{"id": c.id, "name": c.name, "status": c.status.value, "opens_on": iso(c.opens_on),
                    "closes_on": iso(c.closes_on)} for c in cycles.values()],
        "self_assessments": [
            {"cycle_id": a.cycle_id, "status": a.status.value, "submitted_at": iso(a.submitted_at),
             "shared_with_principal": a.shared_with_principal, "updated_at": iso(a.updated_at)}
            for a in assessments],
        "ratings": [
            {"cycle_id": r.cycle_id, "domain": domain, "competency": code, "kind": r.kind.value,
             "rater_email": rater_email, "level": r.level,
             "level_label": level_labels[r.cycle_id].get(r.level) if r.level is not None else None,
             "not_observed": r.not_observed, "confidence": r.confidence.value if r.confidence else None,
             "interest": r.interest, "note": r.note, "evidence_url": r.evidence_url or None,
             "evidence_file": zip_path.get(r.evidence_file_id), "created_at": iso(r.created_at),
             "updated_at": iso(r.updated_at)}
            for r, domain, code, rater_email in ratings],
        "calibration_outcomes": [
            {"cycle_id": o.cycle_id, "competency": code, "agreed_level": o.agreed_level, "note": o.note,
             "coach_email": coach_email, "updated_at": iso(o.updated_at)}
            for o, code, coach_email in outcomes],
        "goals": [
            {"cycle_id": g.cycle_id, "competency": g.competency_code, "from_level": g.from_level,
             "to_level": g.to_level, "rank": g.rank, "priority": g.priority, "status": g.status.value,
             "why": g.why, "verified_at": iso(g.verified_at)} for g in goals],
        "path_activities": [
            {"cycle_id": a.cycle_id, "competency": a.competency_code, "position": a.position,
             "activity": {"key": a.resource.key, "title": a.resource.title, "kind": a.resource.kind.value,
                          "hours": a.resource.hours},
             "source": a.source, "status": a.status.value, "why": a.why, "reflection": a.reflection,
             "evidence_url": a.evidence_url or None, "evidence_file": zip_path.get(a.evidence_file_id),
             "coach_note": a.coach_note, "verified_at": iso(a.verified_at), "updated_at": iso(a.updated_at)}
            for a in activities],
        "placements": [
            {"cycle_id": p.cycle_id, "lane": p.lane, "lane_label": labels.get(p.lane, p.lane),
             "readiness": p.readiness, "rated": p.rated, "at_target": p.at_target,
             "lowest_domain": p.lowest_domain, "lowest_domain_mean": p.lowest_domain_mean, "why": p.why,
             "override_lane": p.override_lane, "override_reason": p.override_reason or None,
             "cohort": cohort(p.cohort), "individual_reason": p.individual_reason or None}
            for p in placements],
        "cohorts_led": [cohort(c) | {"cycle_id": c.cycle_id, "member_count": n} for c, n in led],
        "evidence_files": [
            {"id": f.id, "file": zip_path[f.id], "original_name": f.original_name,
             "content_type": f.content_type, "size": f.size, "uploaded_at": iso(f.created_at)}
            for f in files],
        "api_tokens": [
            {"name": t.name, "prefix": t.prefix, "created_at": iso(t.created_at),
             "last_used_at": iso(t.last_used_at), "revoked_at": iso(t.revoked_at)}
            for t in db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                        .order_by(ApiToken.id))],
        "audit_events": _own_audit_events(user),
    }
    return document, [(zip_path[f.id], f) for f in files]


def _person_document(user: User) -> dict:
    return {
        "id": user.id, "email": user.email, "given_name": user.given_name, "family_name": user.family_name,
        "active": user.active, "district": {"code": user.district.code, "name": user.district.name},
        "district_admin": user.is_district_admin, "created_at": iso(user.created_at),
        "last_sign_in_at": iso(user.last_sign_in_at),
        "welcome_dismissed_at": iso(user.welcome_dismissed_at),
        "memberships": [{"school_code": m.school.code, "school_name": m.school.name, "role": m.role.value,
                         "since": iso(m.created_at)}
                        for m in sorted(user.memberships, key=lambda m: m.school.code)],
    }


def _people_linked(user: User, *, as_coach: bool) -> list[User]:
    """Their coaches, or (as_coach) the educators on their caseload."""
    mine, theirs = ((CaseloadAssignment.coach_id, CaseloadAssignment.educator_id) if as_coach
                    else (CaseloadAssignment.educator_id, CaseloadAssignment.coach_id))
    return list(db.session.scalars(select(User).join(CaseloadAssignment, theirs == User.id)
                                   .where(mine == user.id).order_by(User.email)))


def _own_audit_events(user: User) -> list[dict]:
    """Events the person caused, and events whose subject is their account. Only from their
    account's creation on: SQLite may give a new account the id of a deleted one, and the
    deleted person's events must not become the new person's."""
    actor = aliased(User, name="actor")
    about_them = and_(AuditEvent.subject_type == "user", AuditEvent.subject_id == user.id)
    rows = db.session.execute(
        select(AuditEvent, actor.email).outerjoin(actor, actor.id == AuditEvent.actor_id)
        .where(or_(AuditEvent.actor_id == user.id, about_them), AuditEvent.occurred_at >= user.created_at)
        .order_by(AuditEvent.occurred_at, AuditEvent.id)).all()
    return [{"occurred_at": iso(e.occurred_at), "action": e.action, "actor_email": actor_email,
             "subject_type": e.subject_type, "subject_id": e.subject_id, "details": e.details,
             "remote_addr": e.remote_addr} for e, actor_email in rows]


def own_plans(user: User) -> list[EducatorPlan]:
    """The person's plan in every cycle they were planned in, oldest first (for their data.zip)."""
    cycles = db.session.scalars(select(Cycle).join(Placement, Placement.cycle_id == Cycle.id)
                                .where(Placement.educator_id == user.id).order_by(Cycle.opens_on)).all()
    return [plan_of(user, cycle, user) for cycle in cycles]
