import pytest
from sqlalchemy import select

from pdplanner.accounts.models import Role, User
from pdplanner.audit.models import AuditEvent
from pdplanner.organisation.models import CaseloadAssignment
from pdplanner.organisation.services import (
    OrganisationError,
    assign_coach,
    create_school,
    grant_role,
    set_active,
)
from tests.factories import create_district, create_user
from tests.factories import create_school as make_school


def _actions(db):
    return db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()


def test_every_change_to_people_and_roles_is_audited(db):
    school = make_school()
    coach = create_user(Role.COACH, school=school)
    teacher = create_user(Role.TEACHER, school=school, coach=coach)
    grant_role(teacher, Role.COACH, school, actor=coach)
    set_active(teacher, False, actor=coach)
    db.session.commit()
    actions = _actions(db)
    for action in ("user.created", "role.granted", "caseload.assigned", "role.revoked",
                   "user.deactivated", "school.created", "district.created"):
        assert action in actions
    revoked = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "role.revoked"))
    assert revoked.actor_id == coach.id and revoked.subject_id == teacher.id
    assert revoked.details == {"role": "teacher", "school": school.code}


def test_one_role_per_school_and_district_admin_is_district_wide(db):
    school = make_school()
    user = create_user(Role.TEACHER, school=school)
    grant_role(user, Role.COACH, school)
    grant_role(user, Role.DISTRICT_ADMIN, None)
    other = create_school(school.district, code="SECOND", name="Second School")
    grant_role(user, Role.TEACHER, other)
    db.session.commit()
    assert user.roles == {Role.COACH, Role.TEACHER, Role.DISTRICT_ADMIN}
    assert user.role == Role.DISTRICT_ADMIN
    assert len(user.memberships) == 2


def test_a_school_role_needs_a_school_in_the_same_district(db):
    user = create_user(Role.TEACHER)
    with pytest.raises(OrganisationError, match="needs a school"):
        grant_role(user, Role.PRINCIPAL, None)
    with pytest.raises(OrganisationError, match="is not in"):
        grant_role(user, Role.PRINCIPAL, make_school(create_district()))


def test_caseload_rules(db):
    school = make_school()
    coach = create_user(Role.COACH, school=school)
    teacher = create_user(Role.TEACHER, school=school)
    principal = create_user(Role.PRINCIPAL, school=school)
    assign_coach(coach, teacher)
    assign_coach(coach, teacher)  # idempotent
    assert db.session.scalar(select(CaseloadAssignment).where(
        CaseloadAssignment.educator_id == teacher.id)) is not None
    with pytest.raises(OrganisationError, match="is not a coach"):
        assign_coach(teacher, coach)
    with pytest.raises(OrganisationError, match="own caseload"):
        assign_coach(coach, coach)
    with pytest.raises(OrganisationError, match="not a teacher or coach"):
        assign_coach(coach, principal)
    with pytest.raises(OrganisationError, match="different districts"):
        assign_coach(coach, create_user(Role.TEACHER))


def test_deactivation_keeps_the_person_and_bumps_the_epoch(db):
    user = create_user()
    epoch = user.session_epoch
    set_active(user, False)
    db.session.commit()
    kept = db.session.get(User, user.id)
    assert kept is not None and not kept.active and kept.session_epoch == epoch + 1


def test_nobody_deactivates_themselves(db):
    admin = create_user(Role.DISTRICT_ADMIN)
    with pytest.raises(OrganisationError, match="your own account"):
        set_active(admin, False, actor=admin)


def test_duplicate_school_code_is_refused(db):
    school = make_school(code="DUP")
    with pytest.raises(OrganisationError, match="already has a school with the code DUP"):
        create_school(school.district, code="dup", name="Another")
