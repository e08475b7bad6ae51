"""Small factory functions for tests: create_user(role=...) and friends.

They go through the application's services, so what tests build is what the app would build.
"""

from itertools import count

from pdplanner.accounts.models import Role
from pdplanner.accounts.passwords import hash_password
from pdplanner.extensions import db
from pdplanner.organisation.services import create_district as create_district_service
from pdplanner.organisation.services import create_school as create_school_service
from pdplanner.organisation.services import create_user as create_user_service

PASSWORD = "correct horse battery staple"
_PASSWORD_HASH = hash_password(PASSWORD)  # hashed once: argon2 is slow on purpose
_serial = count(1)


def create_district(code: str | None = None, name: str = "Test District"):
    return create_district_service(code=code or f"D{next(_serial)}", name=name)


def create_school(district=None, code: str | None = None, name: str | None = None):
    district = district or create_district()
    n = next(_serial)
    return create_school_service(district, code=code or f"S{n}", name=name or f"School {n}")


def create_user(role: Role | str = Role.TEACHER, *, school=None, district=None, email=None,
                coach=None, given_name: str = "Test", family_name: str | None = None,
                active: bool = True, commit: bool = True):
    role = Role(role)
    if school is None and role != Role.DISTRICT_ADMIN:
        school = create_school(district)
    district_id = (district or (school.district if school else None) or create_district()).id
    n = next(_serial)
    user = create_user_service(
        district_id=district_id, email=email or f"{role.value}{n}@example.org",
        given_name=given_name, family_name=family_name or f"Person{n}", role=role, school=school,
        coach=coach,
    )
    user.password_hash = _PASSWORD_HASH
    user.active = active
    if commit:
        db.session.commit()
    return user
