from datetime import date
from types import SimpleNamespace

import pytest

from pdplanner.accounts.models import Role
from pdplanner.accounts.services import create_token
from pdplanner.assessments.services import create_cycle, open_cycle
from tests.factories import create_district, create_school, create_user
from tests.helpers import load_default_framework


@pytest.fixture
def town(db):
    """A district with two schools: a teacher on a coach's caseload, their principal, a second
    teacher in the same school with no coach, a district admin, another school's principal,
    and a teacher of another district; the default framework and an open cycle."""
    district = create_district("TOWN")
    school, other_school = create_school(district, "NORTH"), create_school(district, "SOUTH")
    coach = create_user(Role.COACH, school=school, email="coach@town.org")
    t = SimpleNamespace(district=district, school=school, coach=coach)
    t.teacher = create_user(Role.TEACHER, school=school, coach=coach, email="teacher@town.org")
    t.colleague = create_user(Role.TEACHER, school=school, email="colleague@town.org")
    t.principal = create_user(Role.PRINCIPAL, school=school, email="principal@town.org")
    t.admin = create_user(Role.DISTRICT_ADMIN, district=district, email="admin@town.org")
    t.other_principal = create_user(Role.PRINCIPAL, school=other_school)
    t.stranger = create_user(Role.TEACHER, school=create_school(create_district("AWAY")))
    t.framework = load_default_framework()
    t.cycle = create_cycle(district_id=district.id, name="Baseline", opens_on=date(2026, 9, 1),
                           closes_on=date(2026, 10, 15), framework=t.framework)
    open_cycle(t.cycle)
    db.session.commit()
    return t


@pytest.fixture
def bearer(db):
    """bearer(user) -> the Authorization header of a fresh token of theirs."""

    def make(user) -> dict:
        _, secret = create_token(user, "test")
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return make
