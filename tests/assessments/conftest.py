from dataclasses import dataclass
from datetime import date

import pytest

from pdplanner.accounts.models import Role
from pdplanner.assessments.services import create_cycle, open_cycle
from tests.factories import create_school, create_user
from tests.helpers import load_default_framework


@dataclass
class Scene:
    school: object
    coach: object
    teacher: object
    principal: object
    admin: object
    cycle: object


@pytest.fixture
def scene(db):
    """A school with a teacher on a coach's caseload, their principal, a district admin and an
    open cycle on the default framework."""
    school = create_school()
    coach = create_user(Role.COACH, school=school, given_name="Cora")
    teacher = create_user(Role.TEACHER, school=school, coach=coach, given_name="Tess")
    principal = create_user(Role.PRINCIPAL, school=school)
    admin = create_user(Role.DISTRICT_ADMIN, district=school.district)
    cycle = create_cycle(district_id=school.district_id, name="2026-27 baseline",
                         opens_on=date(2026, 9, 1), closes_on=date(2026, 10, 15),
                         framework=load_default_framework())
    open_cycle(cycle)
    db.session.commit()
    return Scene(school, coach, teacher, principal, admin, cycle)
