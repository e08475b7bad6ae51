"""The reads a roster import needs: the district as it is now (`DistrictNow`), in a handful of
queries so that 10,000 people take well under a second, and the preview they make with the
roster (`roster.match`). Nothing is written."""

from sqlalchemy import select

from pdplanner.accounts.models import Role, User
from pdplanner.extensions import db
from pdplanner.organisation.models import CaseloadAssignment, District, Membership, School
from pdplanner.organisation.roster.match import (
    DistrictNow,
    KnownPerson,
    KnownSchool,
    RosterPreview,
    match_roster,
)
from pdplanner.organisation.roster.read import Roster


def chunks(items: list, size: int = 1000):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def district_now(district: District, emails: set[str]) -> DistrictNow:
    """The district's people, school roles, coaches and schools, and which of `emails` (the
    roster's) belong to accounts outside it."""
    people = tuple(KnownPerson(*row) for row in db.session.execute(
        select(User.id, User.email, User.sourced_id, User.given_name, User.family_name, User.active,
               User.is_district_admin).where(User.district_id == district.id)))
    memberships: dict[int, dict[int, tuple[int, Role]]] = {}
    for membership_id, user_id, school_id, role in db.session.execute(
            select(Membership.id, Membership.user_id, Membership.school_id, Membership.role)
            .join(User, User.id == Membership.user_id).where(User.district_id == district.id)):
        memberships.setdefault(user_id, {})[school_id] = (membership_id, role)
    coaches: dict[int, set[int]] = {}
    for educator_id, coach_id in db.session.execute(
            select(CaseloadAssignment.educator_id, CaseloadAssignment.coach_id)
            .join(User, User.id == CaseloadAssignment.educator_id).where(User.district_id == district.id)):
        coaches.setdefault(educator_id, set()).add(coach_id)
    schools = tuple(KnownSchool(*row) for row in db.session.execute(
        select(School.id, School.code, School.name, School.sourced_id)
        .where(School.district_id == district.id)))
    outside = frozenset(email for chunk in chunks(sorted(emails - {p.email for p in people}))
                        for email in db.session.scalars(select(User.email).where(User.email.in_(chunk))))
    return DistrictNow(district.name, people, memberships, coaches, schools, outside)


def roster_preview(district: District, roster: Roster, actor: User | None = None) -> RosterPreview:
    """What importing `roster` into `district` would change (`match.match_roster`)."""
    now = district_now(district, {p.email for p in roster.people})
    return match_roster(roster, now, actor.id if actor else None)
