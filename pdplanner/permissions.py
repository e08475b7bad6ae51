"""The whole access policy: who may call each route, and which objects they may see.

Every view declares a policy with `public` or `role_required`. A route without one is refused
at run time (deny by default) and fails the role x route test. Objects outside what the rules
allow are answered with 404, so their existence is not revealed.
"""

from functools import wraps

from flask import abort, current_app, g, request
from flask_login import current_user
from sqlalchemy import exists, or_, select

from pdplanner.accounts.models import Role, User
from pdplanner.assessments.models import SelfAssessment
from pdplanner.extensions import db
from pdplanner.organisation.models import CaseloadAssignment, Membership, School
from pdplanner.planning.models import Cohort, Placement

PUBLIC = "public"
ANY_ROLE = frozenset(Role)


def deny(subject: str, subject_id: int | None = None):
    """Refuse with 404, and let the error handler record the refusal in the audit log."""
    g.access_denied = {"denied": subject, "denied_id": subject_id}
    abort(404)


def mark_public(view):
    view.access_policy = PUBLIC
    return view


def public(view):
    """Anyone, signed in or not, may use this route."""
    return mark_public(view)


def role_required(*roles: Role):
    """Only signed-in people holding one of `roles` (in any of their schools) may use the route."""
    allowed = frozenset(roles) or ANY_ROLE

    def decorator(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not (current_user.roles & allowed):
                deny("route")
            return view(*args, **kwargs)

        guarded.access_policy = allowed
        return guarded

    return decorator


signed_in = role_required(*Role)


def deny_undeclared_routes():
    view = current_app.view_functions.get(request.endpoint)
    if view is not None and not hasattr(view, "access_policy"):
        abort(404)


# -- object rules --------------------------------------------------------------------------

def same_district(viewer: User, person: User) -> bool:
    return viewer.district_id == person.district_id


def coaches(coach: User, educator: User) -> bool:
    return db.session.scalar(
        select(exists().where(
            CaseloadAssignment.coach_id == coach.id,
            CaseloadAssignment.educator_id == educator.id,
        ))
    )


def can_see_person(viewer: User, person: User) -> bool:
    """Whether `viewer` may see `person`'s record (name, roles, lane, cohort, progress)."""
    if not same_district(viewer, person):
        return False
    if viewer.id == person.id or Role.DISTRICT_ADMIN in viewer.roles:
        return True
    if viewer.school_ids(Role.PRINCIPAL) & person.school_ids():
        return True
    return Role.COACH in viewer.roles and coaches(viewer, person)


def can_see_ratings(viewer: User, educator: User, cycle) -> bool:
    """Individual ratings (self and coach) are private to the educator and their coaches; a
    principal or district admin sees them only when the educator shared that cycle's."""
    if not same_district(viewer, educator) or cycle.district_id != viewer.district_id:
        return False
    if viewer.id == educator.id or coaches(viewer, educator):
        return True
    if not can_see_person(viewer, educator):
        return False
    return bool(db.session.scalar(select(SelfAssessment.shared_with_principal).where(
        SelfAssessment.cycle_id == cycle.id, SelfAssessment.educator_id == educator.id)))



def can_place(viewer: User, educator: User) -> bool:
    """Lane overrides: the educator's coach, a principal of their school, or a district admin;
    never the educator themself."""
    if not same_district(viewer, educator) or viewer.id == educator.id:
        return False
    leads_school = bool(viewer.school_ids(Role.PRINCIPAL) & educator.school_ids())
    return Role.DISTRICT_ADMIN in viewer.roles or leads_school or coaches(viewer, educator)


def guides(viewer: User, educator: User, cycle_id: int) -> bool:
    """Paths and evidence: the educator's coach, or the coach of the cohort they are in."""
    if not same_district(viewer, educator) or Role.COACH not in viewer.roles:
        return False
    return coaches(viewer, educator) or bool(db.session.scalar(select(exists().where(
        Placement.cycle_id == cycle_id, Placement.educator_id == educator.id,
        Placement.cohort_id == Cohort.id, Cohort.coach_id == viewer.id))))


def can_see_plan(viewer: User, educator: User, cycle_id: int) -> bool:
    """A plan (goals, lane, cohort, path): whoever may see the person, and the coach of a cohort
    they are in, who may lead people from other caseloads or schools (pooled cohorts)."""
    return can_see_person(viewer, educator) or guides(viewer, educator, cycle_id)


def get_plan_owner_or_404(viewer: User, educator_id: int, cycle_id: int) -> User:
    person = db.session.get(User, educator_id)
    if person is None:
        abort(404)
    if not can_see_plan(viewer, person, cycle_id):
        deny("user", person.id)
    return person


def can_lead_cohort(viewer: User, cohort: Cohort) -> bool:
    """Confirming and editing a cohort: its coach, a principal of one of its schools, a district
    admin of its district."""
    if cohort.cycle.district_id != viewer.district_id:
        return False
    return (cohort.coach_id == viewer.id or Role.DISTRICT_ADMIN in viewer.roles
            or bool(viewer.school_ids(Role.PRINCIPAL) & set(cohort.school_ids)))


def can_see_school_figures(viewer: User, school) -> bool:
    """A school's aggregates (SPEC 9): its principals and coaches, and the district's admins."""
    if school.district_id != viewer.district_id:
        return False
    return Role.DISTRICT_ADMIN in viewer.roles or school.id in viewer.school_ids(Role.PRINCIPAL, Role.COACH)


def can_see_rating_figures(viewer: User, school) -> bool:
    """A school's figures derived from ratings (means, shares, readiness): its principals and the
    district's admins. Its coaches read its counts only: they know their caseload's ratings and
    could subtract them from a published mean (docs/PRIVACY.md, "Aggregates")."""
    return can_see_school_figures(viewer, school) and (
        Role.DISTRICT_ADMIN in viewer.roles or school.id in viewer.school_ids(Role.PRINCIPAL))


def get_school_or_404(viewer: User, school_id: int):
    school = db.session.get(School, school_id)
    if school is None:
        abort(404)
    if not can_see_school_figures(viewer, school):
        deny("school", school.id)
    return school


def visible_people_query(viewer: User):
    """A select() of the users `viewer` may see, following `can_see_person`."""
    query = select(User).where(User.district_id == viewer.district_id)
    if Role.DISTRICT_ADMIN in viewer.roles:
        return query
    principal_of = viewer.school_ids(Role.PRINCIPAL)
    conditions = [User.id == viewer.id]
    if principal_of:
        conditions.append(
            User.id.in_(select(Membership.user_id).where(Membership.school_id.in_(principal_of)))
        )
    if Role.COACH in viewer.roles:
        conditions.append(
            User.id.in_(
                select(CaseloadAssignment.educator_id)
                .where(CaseloadAssignment.coach_id == viewer.id)
            )
        )
    return query.where(or_(*conditions))


def get_person_or_404(viewer: User, person_id: int) -> User:
    person = db.session.get(User, person_id)
    if person is None:
        abort(404)
    if not can_see_person(viewer, person):
        deny("user", person.id)
    return person
