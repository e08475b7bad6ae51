"""Applying a roster: the preview (`roster.queries.roster_preview`) recomputed and written in the
current transaction, in bulk statements, every change audited. People are deactivated, never
deleted, and a deactivation revokes their API tokens."""

from dataclasses import dataclass

from sqlalchemy import delete, insert, select, update

from pdplanner.accounts.models import User
from pdplanner.accounts.services import issue_set_password_links, revoke_tokens
from pdplanner.audit.services import record, record_many
from pdplanner.extensions import db
from pdplanner.organisation.models import CaseloadAssignment, District, Membership, School
from pdplanner.organisation.roster import queries
from pdplanner.organisation.roster.match import RosterPreview
from pdplanner.organisation.roster.read import Roster
from pdplanner.organisation.services import OrganisationError
from pdplanner.organisation.signals import roster_applied


@dataclass(frozen=True)
class Invitation:
    """A set-password link for a person an import created, to mail once the import commits."""

    email: str
    given_name: str
    path: str


@dataclass(frozen=True)
class RosterOutcome:
    preview: RosterPreview
    invitations: list[Invitation]


class UnconfirmedDeactivation(OrganisationError):
    """A roster deactivating most of the district, applied without its typed confirmation.
    `preview` is what it would do, to show again with the message."""

    def __init__(self, message: str, preview: RosterPreview):
        super().__init__(message)
        self.preview = preview


def apply_roster(district: District, roster: Roster, *, actor: User | None = None,
                 expected: dict[str, int] | None = None, typed: str | None = None) -> RosterOutcome:
    """Make the district match `roster`, in the current transaction: create and update people,
    deactivate those a full roster leaves out (never delete), create the schools of new orgs,
    issue set-password links to new people. Rejected rows change nothing.

    The preview is recomputed here, inside the transaction, so what is written is what the
    database holds now; `expected` (the counts of the preview a person confirmed) refuses the
    import when the two differ. Writes go in bulk statements (10,000 people in seconds), so the
    dashboards hear of it by `roster_applied` and every change is audited explicitly.

    A roster that deactivates most of the district's active people is applied only when `typed`
    is its `confirmation_phrase` ("DEACTIVATE 812"): nothing is written before."""
    preview = queries.roster_preview(district, roster, actor)
    if expected is not None and preview.counts != expected:
        raise OrganisationError("The people of the district changed since this preview. "
                                "Nothing was imported; look at the new preview and apply it again.")
    problem = preview.confirmation_problem(typed)
    if problem:
        raise UnconfirmedDeactivation(problem, preview)
    school_ids = _roster_schools(district, preview, actor)
    created_ids = _create_people(district, preview, school_ids, actor)
    ids_by_email = {plan.email: created_ids[plan.email] for plan in preview.creates}
    _update_people(district, preview, school_ids, actor)
    _set_memberships(preview, school_ids, created_ids)
    _set_coaches(preview, created_ids)
    departed = [d.user_id for d in preview.deactivations]
    if departed:
        for chunk in queries.chunks(departed):
            db.session.execute(update(User).where(User.id.in_(chunk))
                               .values(active=False, session_epoch=User.session_epoch + 1))
        record_many("user.deactivated", actor=actor, district_id=district.id, subjects=[
            ("user", d.user_id, {"via": "roster", "reason": d.reason}) for d in preview.deactivations])
    revoke_tokens(departed, district_id=district.id, actor=actor, reason="deactivated")
    links = issue_set_password_links(list(created_ids.values()))
    invitations = [Invitation(plan.email, plan.given_name, links[ids_by_email[plan.email]])
                   for plan in preview.creates]
    record("roster.imported", actor=actor, subject=district, district_id=district.id,
           format=preview.format, full=preview.full, **preview.counts)
    roster_applied.send(district)   # bulk statements pass the flush watchers by
    db.session.flush()
    db.session.expire_all()
    return RosterOutcome(preview, invitations)


def _roster_schools(district: District, preview: RosterPreview, actor: User | None) -> dict:
    """Each new school's id, after creating it; existing schools made by hand take their org's
    sourcedId."""
    ids = {}
    for new in preview.new_schools:
        school = School(district_id=district.id, code=new.code, name=new.name, sourced_id=new.sourced_id)
        db.session.add(school)
        db.session.flush()
        record("school.created", actor=actor, subject=school, code=school.code, name=school.name,
               via="roster")
        ids[new] = school.id
    for school_id, sourced_id in preview.adopted_schools.items():
        db.session.execute(update(School).where(School.id == school_id).values(sourced_id=sourced_id))
    return ids


def _create_people(district: District, preview: RosterPreview, school_ids: dict,
                   actor: User | None) -> dict[str, int]:
    if not preview.creates:
        return {}
    # Core statements (the table, not the mapped class) skip the ORM's bulk machinery, and a
    # plain executemany then one read of the ids is faster than INSERT ... RETURNING per row.
    db.session.execute(insert(User.__table__), [
        {"district_id": district.id, "email": plan.email, "given_name": plan.given_name,
         "family_name": plan.family_name, "sourced_id": plan.sourced_id,
         "is_district_admin": plan.district_admin, "active": True, "session_epoch": 0}
        for plan in preview.creates
    ])
    ids = dict(db.session.execute(select(User.email, User.id).where(User.district_id == district.id)).all())
    created = {plan.email: ids[plan.email] for plan in preview.creates}
    record_many("user.created", actor=actor, district_id=district.id, subjects=[
        ("user", created[plan.email], {"email": plan.email, "via": "roster", "roles": plan.roles_text})
        for plan in preview.creates])
    return created


def _update_people(district: District, preview: RosterPreview, school_ids: dict, actor: User | None) -> None:
    if not preview.updates:
        return
    db.session.execute(update(User), [
        {"id": plan.user_id, "email": plan.email, "given_name": plan.given_name,
         "family_name": plan.family_name, "is_district_admin": plan.district_admin, "active": True,
         **({"sourced_id": plan.sourced_id} if plan.sourced_id else {})}
        for plan in preview.updates
    ])
    record_many("user.updated", actor=actor, district_id=district.id, subjects=[
        ("user", plan.user_id, {"via": "roster", "changes": plan.changes}) for plan in preview.updates])


def _set_memberships(preview: RosterPreview, school_ids: dict, created: dict[str, int]) -> None:
    """Each person holds exactly the school roles the roster gives them."""
    inserts, role_changes, removals = [], [], []
    for plan in preview.creates + preview.updates:
        user_id = plan.user_id or created[plan.email]
        now = preview.memberships_now.get(user_id, {})
        for school, role in plan.memberships.items():
            school_id = school_ids.get(school, school)
            if school_id not in now:
                inserts.append({"user_id": user_id, "school_id": school_id, "role": role})
            elif now[school_id][1] != role:
                role_changes.append({"id": now[school_id][0], "role": role})
        targets = {school_ids.get(s, s) for s in plan.memberships}
        removals += [membership_id for school_id, (membership_id, _) in now.items()
                     if school_id not in targets]
    if inserts:
        db.session.execute(insert(Membership.__table__), inserts)
    if role_changes:
        db.session.execute(update(Membership), role_changes)
    for chunk in queries.chunks(removals):
        db.session.execute(delete(Membership).where(Membership.id.in_(chunk)))


def _set_coaches(preview: RosterPreview, created: dict[str, int]) -> None:
    """A roster that names coaches gives the person exactly those coaches."""
    inserts, removals = [], []
    for plan in preview.creates + preview.updates:
        if plan.coaches is None:
            continue
        user_id = plan.user_id or created[plan.email]
        wanted = {created[ref] if isinstance(ref, str) else ref for ref in plan.coaches}
        now = preview.coaches_now.get(user_id, set())
        inserts += [{"coach_id": coach_id, "educator_id": user_id} for coach_id in sorted(wanted - now)]
        removals += [(coach_id, user_id) for coach_id in sorted(now - wanted)]
    if inserts:
        db.session.execute(insert(CaseloadAssignment.__table__), inserts)
    for coach_id, educator_id in removals:
        db.session.execute(delete(CaseloadAssignment).where(
            CaseloadAssignment.coach_id == coach_id, CaseloadAssignment.educator_id == educator_id))
