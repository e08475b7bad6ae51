"""Organisation reads, returning rows for pages."""

from dataclasses import dataclass

from sqlalchemy import bindparam, case, func, or_, select
from sqlalchemy.orm import lazyload, selectinload

from pdplanner.accounts.models import EDUCATOR_ROLES, Role, User
from pdplanner.extensions import db
from pdplanner.organisation.models import CaseloadAssignment, Membership, School

# Built once: every educator's home page reads it, and building a statement and its cache key
# takes more CPU than the database takes to answer it.
COACHES_OF = (
    select(User).options(lazyload(User.memberships))   # their names and emails are shown
    .join(CaseloadAssignment, CaseloadAssignment.coach_id == User.id)
    .where(CaseloadAssignment.educator_id == bindparam("educator_id"))
    .order_by(User.family_name, User.given_name))


def coaches_of(educator: User) -> list[User]:
    return list(db.session.scalars(COACHES_OF, {"educator_id": educator.id}))


def caseload(coach: User) -> list[User]:
    return list(db.session.scalars(
        select(User)
        .join(CaseloadAssignment, CaseloadAssignment.educator_id == User.id)
        .where(CaseloadAssignment.coach_id == coach.id, User.active.is_(True))
        .order_by(User.family_name, User.given_name)
    ))


def schools_of_district(district_id: int) -> list[School]:
    return list(db.session.scalars(
        select(School).where(School.district_id == district_id).order_by(School.name)
    ))


@dataclass(frozen=True)
class SchoolHeadcount:
    school: School
    teachers: int
    coaches: int
    principals: int


def school_headcounts(school_ids) -> list[SchoolHeadcount]:
    """Active people per role in each school, in one query."""
    def count(role: Role):
        return func.count(case((Membership.role == role, 1)))

    rows = db.session.execute(
        select(School, count(Role.TEACHER), count(Role.COACH), count(Role.PRINCIPAL))
        .outerjoin(Membership, Membership.school_id == School.id)
        .outerjoin(User, (User.id == Membership.user_id) & User.active.is_(True))
        .where(School.id.in_(school_ids), or_(Membership.id.is_(None), User.id.is_not(None)))
        .group_by(School.id)
        .order_by(School.name)
    )
    return [SchoolHeadcount(*row) for row in rows]


@dataclass(frozen=True)
class PersonRow:
    person: User
    coaches: list[User]


def people(scope_query, *, search: str = "", school_id: int | None = None,
           include_inactive: bool = False, page: int = 1, per_page: int = 50):
    """A page of people from a permission-scoped select(User), with their coaches."""
    query = scope_query.options(selectinload(User.memberships))
    if not include_inactive:
        query = query.where(User.active.is_(True))
    if search:
        pattern = f"%{search.strip().lower()}%"
        query = query.where(or_(
            func.lower(User.email).like(pattern),
            func.lower(User.given_name + " " + User.family_name).like(pattern),
        ))
    if school_id:
        query = query.where(User.id.in_(select(Membership.user_id).where(Membership.school_id == school_id)))
    pagination = db.paginate(query.order_by(User.family_name, User.given_name, User.id),
                             page=page, per_page=per_page, error_out=False)
    ids = [p.id for p in pagination.items]
    coach_rows = db.session.execute(
        select(CaseloadAssignment.educator_id, User)
        .join(User, User.id == CaseloadAssignment.coach_id)
        .where(CaseloadAssignment.educator_id.in_(ids))
        .order_by(User.family_name)
    ) if ids else []
    coaches_by_person: dict[int, list[User]] = {}
    for educator_id, coach in coach_rows:
        coaches_by_person.setdefault(educator_id, []).append(coach)
    rows = [PersonRow(p, coaches_by_person.get(p.id, [])) for p in pagination.items]
    return rows, pagination


def coaches_in_district(district_id: int) -> list[User]:
    return list(db.session.scalars(
        select(User)
        .where(User.district_id == district_id, User.active.is_(True),
               User.id.in_(select(Membership.user_id).where(Membership.role == Role.COACH)))
        .order_by(User.family_name, User.given_name)
    ))


# -- bulk changes on a selection of people -------------------------------------------------

BULK_ACTIONS = {"set_coach": "Set their coach", "set_school": "Move them to a school",
                "deactivate": "Deactivate them"}
MAX_BULK = 200


@dataclass(frozen=True)
class BulkChange:
    action: str                    # a key of BULK_ACTIONS
    coach: User | None = None      # for set_coach
    school: School | None = None   # for set_school


@dataclass(frozen=True)
class BulkRow:
    """One selected person: what they have now, what they would have, or why they cannot."""

    person: User
    now: str
    after: str
    problem: str | None = None

    @property
    def unchanged(self) -> bool:
        return self.problem is None and self.now == self.after


def _school_roles(person: User) -> str:
    return "; ".join(f"{m.role.label} at {m.school.name}" for m in person.memberships) or "no school"


def _coach_row(person: User, change: BulkChange, coaches: list[User], actor: User) -> BulkRow:
    now = ", ".join(c.name for c in coaches) or "no coach"
    if person.id == change.coach.id:
        return BulkRow(person, now, now, "a coach cannot be on their own caseload.")
    if not person.roles & set(EDUCATOR_ROLES):
        return BulkRow(person, now, now, "only teachers and coaches have a coach.")
    return BulkRow(person, now, change.coach.name)


def _school_row(person: User, change: BulkChange, coaches: list[User], actor: User) -> BulkRow:
    now = _school_roles(person)
    if len(person.memberships) != 1:
        why = ("has no school role." if not person.memberships
               else "holds roles in several schools: change them on their own page.")
        return BulkRow(person, now, now, why)
    return BulkRow(person, now, f"{person.memberships[0].role.label} at {change.school.name}")


def _deactivate_row(person: User, change: BulkChange, coaches: list[User], actor: User) -> BulkRow:
    now = "active" if person.active else "deactivated"
    if person.id == actor.id:
        return BulkRow(person, now, now, "you cannot deactivate your own account.")
    return BulkRow(person, now, "deactivated")


_BULK_ROWS = {"set_coach": _coach_row, "set_school": _school_row, "deactivate": _deactivate_row}


def bulk_preview(people: list[User], change: BulkChange, *, actor: User) -> list[BulkRow]:
    """What `change` would do to each person, in the order given: the preview the admin confirms,
    and the check `services.apply_bulk` repeats row by row."""
    coaches: dict[int, list[User]] = {}
    if people and change.action == "set_coach":
        for educator_id, coach in db.session.execute(
                select(CaseloadAssignment.educator_id, User)
                .join(User, User.id == CaseloadAssignment.coach_id)
                .where(CaseloadAssignment.educator_id.in_([p.id for p in people]))
                .order_by(User.family_name, User.given_name)):
            coaches.setdefault(educator_id, []).append(coach)
    row_for = _BULK_ROWS[change.action]
    return [row_for(person, change, coaches.get(person.id, []), actor) for person in people]
