"""Build the demo district through the same services the application uses."""

import random
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from sqlalchemy import select

from pdplanner.accounts.models import Role, User
from pdplanner.accounts.passwords import hash_password
from pdplanner.extensions import db
from pdplanner.organisation.models import District
from pdplanner.organisation.services import assign_coach, create_district, create_school, grant_role

DEMO_SEED = Path(__file__).resolve().parents[2] / "seeds" / "demo" / "district.yaml"
DEMO_DOMAIN = "demo.pdplanner.org"
DEMO_PASSWORD = "demo-password"


class DemoRefused(RuntimeError):
    pass


@dataclass
class DemoSummary:
    district: District
    created: bool
    people_by_role: dict[Role, int] = field(default_factory=dict)


def demo_email(role_word: str, number: int) -> str:
    """teacher@, teacher2@, teacher3@ ... in the demo domain."""
    return f"{role_word}{'' if number == 1 else number}@{DEMO_DOMAIN}"


# The demo sign-ins the README and the development sign-in page list: who each one is.
DEMO_SIGN_INS = (
    ("teacher", "a teacher, with a half-done self-assessment and a plan to begin"),
    ("coach", "the coach of teacher@, with cohorts to confirm and evidence to verify"),
    ("principal", "the principal of teacher@'s school"),
    ("admin", "the district admin"),
)


@dataclass(frozen=True)
class DemoSignIn:
    email: str
    name: str
    who: str


def demo_sign_ins() -> list[DemoSignIn]:
    """The demo sign-ins that exist and are active, for the sign-in page in development only
    (pdplanner.register_template_globals): empty where no demo was seeded."""
    emails = {demo_email(word, 1): who for word, who in DEMO_SIGN_INS}
    people = {u.email: u for u in db.session.scalars(
        select(User).where(User.email.in_(emails), User.active.is_(True)))}
    return [DemoSignIn(email, people[email].name, who) for email, who in emails.items() if email in people]


def seed_demo_district(*, schools: int = 2, educators_per_school: int = 20,
                       random_seed: int = 2026, env_name: str) -> DemoSummary:
    """Create the demo district unless it exists. Refused in production.

    Each school gets a principal, one coach per ten educators (at least one) and teachers.
    Every teacher is on a coach's caseload at their school; coaches coach each other in a ring,
    so coaches are coached too. teacher@ is on coach@'s caseload, and principal@ leads their
    school.
    """
    if env_name == "production":
        raise DemoRefused("The demo district is refused in production: it has public passwords.")
    if schools < 1 or educators_per_school < 2:
        raise ValueError("The demo needs at least 1 school and 2 educators per school.")
    spec = yaml.safe_load(DEMO_SEED.read_text(encoding="utf-8"))
    existing = db.session.scalar(select(District).where(District.code == spec["district"]["code"]))
    if existing is not None:
        return DemoSummary(existing, created=False)

    rng = random.Random(random_seed)
    names = _unique_names(spec, rng)
    password_hash = hash_password(DEMO_PASSWORD)  # one hash for all: hashing is slow on purpose
    counters = {role: 0 for role in Role}
    summary = DemoSummary(create_district(**spec["district"]), created=True)

    def person(role: Role, word: str, school) -> User:
        counters[role] += 1
        given, family = next(names)
        user = User(
            district_id=summary.district.id, email=demo_email(word, counters[role]),
            given_name=given, family_name=family, password_hash=password_hash,
        )
        db.session.add(user)
        db.session.flush()
        grant_role(user, role, school)
        return user

    person(Role.DISTRICT_ADMIN, "admin", None)
    all_coaches = []
    for index in range(schools):
        code, name = _school_name(spec, index)
        school = create_school(summary.district, code=code, name=name)
        person(Role.PRINCIPAL, "principal", school)
        coach_count = max(1, round(educators_per_school / 10))
        coaches = [person(Role.COACH, "coach", school) for _ in range(coach_count)]
        all_coaches.extend(coaches)
        for n in range(educators_per_school - coach_count):
            assign_coach(coaches[n % coach_count], person(Role.TEACHER, "teacher", school))
    if len(all_coaches) > 1:
        for i, coach in enumerate(all_coaches):
            assign_coach(all_coaches[(i + 1) % len(all_coaches)], coach)
    summary.people_by_role = {role: n for role, n in counters.items() if n}
    return summary


def _school_name(spec: dict, index: int) -> tuple[str, str]:
    if index < len(spec["schools"]):
        school = spec["schools"][index]
        return school["code"], school["name"]
    return f"S{index + 1:03d}", f"Demo School {index + 1}"


def _unique_names(spec: dict, rng: random.Random):
    """Endless (given, family) pairs, never the same pair twice."""
    seen = set()
    while True:
        pair = (rng.choice(spec["given_names"]), rng.choice(spec["family_names"]))
        if pair not in seen or len(seen) >= len(spec["given_names"]) * len(spec["family_names"]):
            seen.add(pair)
            yield pair
