"""Organisation writes: districts, schools, people and their roles, caseloads, (de)activation,
deletion and the retention period. All audited."""


from sqlalchemy import select

from pdplanner.accounts.models import EDUCATOR_ROLES, SCHOOL_ROLES, Role, User, user_by_email
from pdplanner.accounts.passwords import hash_password
from pdplanner.accounts.services import (
    AccountError,
    check_new_password,
    revoke_tokens,
)
from pdplanner.audit.services import record
from pdplanner.extensions import db
from pdplanner.organisation.models import CaseloadAssignment, District, Membership, School
from pdplanner.organisation.queries import BulkChange, bulk_preview
from pdplanner.organisation.signals import deleting_person


class OrganisationError(ValueError):
    """A refused change to the organisation; the message names what is wrong."""


def create_district(*, code: str, name: str, actor: User | None = None) -> District:
    code = code.strip().upper()
    if db.session.scalar(select(District).where(District.code == code)):
        raise OrganisationError(f"A district with the code {code} already exists.")
    district = District(code=code, name=name.strip())
    db.session.add(district)
    db.session.flush()
    record("district.created", actor=actor, subject=district, district_id=district.id, code=code)
    return district


def create_school(district: District, *, code: str, name: str, actor: User | None = None) -> School:
    code = code.strip().upper()
    if school_by_code(district.id, code):
        raise OrganisationError(f"{district.name} already has a school with the code {code}.")
    school = School(district=district, code=code, name=name.strip())
    db.session.add(school)
    db.session.flush()
    record("school.created", actor=actor, subject=school, code=code, name=school.name)
    return school


def create_user(
    *, district_id: int, email: str, given_name: str, family_name: str, role: Role,
    school=None, coach: User | None = None, password: str | None = None,
    actor: User | None = None,
) -> User:
    """Create a person with one role (and a coach). `password`, when given, must pass the policy."""
    email = email.strip().lower()
    if user_by_email(email) is not None:
        raise AccountError(f"A person with the email {email} already exists.", field="email")
    user = User(
        district_id=district_id, email=email,
        given_name=given_name.strip(), family_name=family_name.strip(),
    )
    db.session.add(user)
    if password is not None:
        check_new_password(user, password)
        user.password_hash = hash_password(password)
    db.session.flush()
    record("user.created", actor=actor, subject=user, email=email)
    grant_role(user, role, school, actor=actor)
    if coach is not None:
        assign_coach(coach, user, actor=actor)
    return user


def school_by_code(district_id: int, code: str) -> School | None:
    return db.session.scalar(
        select(School).where(School.district_id == district_id, School.code == code.strip().upper())
    )


def grant_role(user: User, role: Role, school: School | None, *, actor: User | None = None) -> None:
    """Give `user` `role`: district-wide for district admins, in `school` for the others.

    A person holds one role per school; granting another role in the same school replaces it.
    """
    if role == Role.DISTRICT_ADMIN:
        if not user.is_district_admin:
            user.is_district_admin = True
            record("role.granted", actor=actor, subject=user, role=role.value)
        return
    if role not in SCHOOL_ROLES:
        raise OrganisationError(f"Unknown role {role!r}.")
    if school is None:
        raise OrganisationError(f"A {role.label.lower()} needs a school.")
    if school.district_id != user.district_id:
        raise OrganisationError(f"{school.name} is not in {user.name}'s district.")
    membership = next((m for m in user.memberships if m.school_id == school.id), None)
    if membership is None:
        user.memberships.append(Membership(school=school, role=role))
    elif membership.role != role:
        record("role.revoked", actor=actor, subject=user, role=membership.role.value,
               school=school.code)
        membership.role = role
    else:
        return
    db.session.flush()
    record("role.granted", actor=actor, subject=user, role=role.value, school=school.code)


def assign_coach(coach: User, educator: User, *, actor: User | None = None) -> None:
    if Role.COACH not in coach.roles:
        raise OrganisationError(f"{coach.email} is not a coach.")
    if coach.district_id != educator.district_id:
        raise OrganisationError(f"{coach.email} and {educator.email} are in different districts.")
    if coach.id == educator.id:
        raise OrganisationError("A coach cannot be on their own caseload.")
    if not educator.roles & set(EDUCATOR_ROLES):
        raise OrganisationError(f"{educator.email} is not a teacher or coach.")
    exists = db.session.scalar(select(CaseloadAssignment).where(
        CaseloadAssignment.coach_id == coach.id, CaseloadAssignment.educator_id == educator.id,
    ))
    if exists:
        return
    db.session.add(CaseloadAssignment(coach=coach, educator=educator))
    db.session.flush()
    record("caseload.assigned", actor=actor, subject=educator, coach=coach.email)


def unassign_coach(coach: User, educator: User, *, actor: User | None = None) -> None:
    assignment = db.session.scalar(select(CaseloadAssignment).where(
        CaseloadAssignment.coach_id == coach.id, CaseloadAssignment.educator_id == educator.id,
    ))
    if assignment is not None:
        db.session.delete(assignment)
        db.session.flush()
        record("caseload.unassigned", actor=actor, subject=educator, coach=coach.email)


def set_active(user: User, active: bool, *, actor: User | None = None) -> None:
    """Deactivate (never delete: their data stays) or reactivate a person.

    Deactivation ends every session of theirs at once and revokes their API tokens for good:
    reactivating them does not bring the tokens back.
    """
    if user.active == active:
        return
    if actor is not None and actor.id == user.id and not active:
        raise OrganisationError("You cannot deactivate your own account.")
    user.active = active
    if not active:
        user.session_epoch += 1
    record("user.reactivated" if active else "user.deactivated", actor=actor, subject=user)
    if not active:
        revoke_tokens([user.id], district_id=user.district_id, actor=actor, reason="deactivated")


def delete_person(person: User, *, actor: User) -> list[str]:
    """Delete a person and everything of theirs, in the current transaction: their account,
    memberships, caseload links, tokens, self-assessments, every rating of them and every rating
    they gave, plans (lanes, goals, path activities) and evidence files. Cohorts they led lose
    their coach; records others made keep their content and lose the link to them. The audit log
    keeps its events: `subject_id` is a plain number and `actor_id` is set to NULL by its foreign
    key, and a `user.deleted` event says who deleted which id and email.

    Returns the stored names of the evidence files to remove from disk once the deletion is
    committed, so that a failed deletion leaves every file where it was. Their sessions end with
    the account (a session loads its user by id). The domains above this one remove their part
    as receivers of `signals.deleting_person`."""
    if person.id == actor.id:
        raise OrganisationError("You cannot delete your own account.")
    if person.district_id != actor.district_id:
        raise OrganisationError(f"{person.email} is not in your district.")
    removals = [removal for _, removal in deleting_person.send(person) if removal is not None]
    counts: dict[str, int] = {}
    for removal in removals:
        for what, n in removal.counts.items():
            counts[what] = counts.get(what, 0) + n
    counts = dict(sorted(counts.items()))   # receivers run in no set order
    files = sorted(stored_name for removal in removals for stored_name in removal.files)
    # The database's cascades (ondelete) remove every other row that belongs to the person with
    # the account.
    record("user.deleted", actor=actor, subject=person, email=person.email,
           **counts, evidence_files=len(files))
    db.session.delete(person)
    db.session.flush()
    return files


def update_person_details(person: User, *, email: str, given_name: str, family_name: str,
                          actor: User) -> list[str]:
    """Correct a person's name and email (their sign-in), audited with what changed, in words.
    An email another account holds is refused; one in another district is not named."""
    email, given_name, family_name = email.strip().lower(), given_name.strip(), family_name.strip()
    if not given_name:
        raise AccountError("Give their given name.", field="given_name")
    holder = user_by_email(email)
    if holder is not None and holder.id != person.id:
        if holder.district_id == person.district_id:
            raise AccountError(f"{holder.name} already has the email {email}.", field="email")
        raise AccountError(f"The email {email} belongs to an account outside your district.",
                           field="email")
    changes = []
    if (given_name, family_name) != (person.given_name, person.family_name):
        changes.append(f"name: {person.name} → {given_name} {family_name}")
    if email != person.email:
        changes.append(f"email: {person.email} → {email}")
    if changes:
        person.email, person.given_name, person.family_name = email, given_name, family_name
        db.session.flush()
        record("user.updated", actor=actor, subject=person, changes=changes)
    return changes


def apply_bulk(people: list[User], change: BulkChange, *, actor: User) -> int:
    """Apply one change to every person, in the current transaction, row by
    row with each row audited by the service it calls. A row that cannot take the change raises
    OrganisationError naming the person: the request then rolls every row back. Returns how many
    people changed."""
    changed = 0
    for row in bulk_preview(people, change, actor=actor):
        if row.problem:
            raise OrganisationError(f"{row.person.name} ({row.person.email}): {row.problem} "
                                    "Nobody was changed.")
        if row.unchanged:
            continue
        _BULK_ACTIONS[change.action](row.person, change, actor)
        changed += 1
    return changed


def _set_only_coach(person: User, change: BulkChange, actor: User) -> None:
    for assignment in db.session.scalars(select(CaseloadAssignment).where(
            CaseloadAssignment.educator_id == person.id, CaseloadAssignment.coach_id != change.coach.id)):
        unassign_coach(assignment.coach, person, actor=actor)
    assign_coach(change.coach, person, actor=actor)


def _move_to_school(person: User, change: BulkChange, actor: User) -> None:
    """A person with one school role holds it at the new school instead (audited as the role
    removed there and granted here, as on the person's page)."""
    [membership] = person.memberships
    record("role.revoked", actor=actor, subject=person, role=membership.role.value,
           school=membership.school.code)
    membership.school = change.school
    db.session.flush()
    record("role.granted", actor=actor, subject=person, role=membership.role.value, school=change.school.code)


_BULK_ACTIONS = {
    "set_coach": _set_only_coach,
    "set_school": _move_to_school,
    "deactivate": lambda person, change, actor: set_active(person, False, actor=actor),
}


def set_retention(district: District, months: int | None, *, actor: User) -> None:
    """How long closed cycles are kept before `flask data purge` deletes them; None keeps all."""
    if months is not None and not 1 <= months <= 1200:
        raise OrganisationError("Keep closed cycles between 1 and 1200 months, or leave it empty.")
    if district.retention_months != months:
        record("retention.changed", actor=actor, subject=district, district_id=district.id,
               months=[district.retention_months, months])
        district.retention_months = months

