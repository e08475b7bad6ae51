"""The whole access policy: who may call each route, and which objects they may see.

Every view declares a policy with `public` or `role_required`. A route without one is refused
at run time (deny by default) and fails the role x route test. Objects outside what the rules
allow are answered with 404, so their existence is not revealed.

Every object a route takes by id is loaded by one `get_<thing>_or_404(viewer, id)` here (the
"loaders" at the end): a missing record and a refused one give the same 404, and the refusal
goes to the audit log (`deny`). `requested_cycle` is the one rule for which cycle a request means.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import abort, current_app, g, request
from flask_login import current_user
from sqlalchemy import exists, or_, select

from pdplanner.accounts.models import ApiToken, Role, User
from pdplanner.assessments.models import Cycle, EvidenceFile, SelfAssessment
from pdplanner.assessments.queries import current_cycle, evidence_owner
from pdplanner.extensions import db
from pdplanner.organisation.models import CaseloadAssignment, Membership, School
from pdplanner.planning.models import Cohort, PathActivity, Placement, Resource

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


@dataclass(frozen=True)
class PersonView:
    """What a viewer sees of one person in one cycle: the one redaction rule every surface (plan
    page, API, PDF, export, chart, explanation text) applies. docs/PRIVACY.md has it as a table.

    - `plan`: that there is a plan, its goals' competencies, how many path activities and their
      status, the person's cohort (its name by focus, its members and coach).
    - `lane`: the lane and its label, whether it was set by hand and the reason given.
    - `levels`: every level of the plan and everything computed from levels: goals' from and to
      levels and whys, success criteria, a verified level, the lane's numbers (rated, at target,
      readiness, lowest domain and its mean) and why, why they are coached alone, the activities'
      whys and which catalogue activity each step is (the catalogue says which levels it suits).
    - `evidence`: reflections, evidence links and files, a coach's notes on them.
    - `ratings`: the individual self and coach ratings (the ratings pages, exports and charts).
    """

    plan: bool = False
    lane: bool = False
    levels: bool = False
    evidence: bool = False
    ratings: bool = False


NOTHING = PersonView()
EVERYTHING = PersonView(plan=True, lane=True, levels=True, evidence=True, ratings=True)
# The coach of a cohort someone is in leads their path and verifies their evidence: they see the
# plan whole, but not the person's rating records, which are their own coach's to see.
COHORT_COACH = PersonView(plan=True, lane=True, levels=True, evidence=True, ratings=False)


def leader_view(shared: bool) -> PersonView:
    """A principal of the person's school or a district admin: the plan and the lane always (SPEC
    9), and levels, evidence and ratings only for a cycle whose ratings the person shared."""
    return PersonView(plan=True, lane=True, levels=shared, evidence=shared, ratings=shared)


def person_views(viewer: User, people: Iterable[User], cycle) -> dict[int, PersonView]:
    """`PersonView` of each of `people` in `cycle` for `viewer`, in a handful of statements
    whatever the number of people. The rule:

    - the person themself and their coach (caseload): everything;
    - the coach of a cohort they are in that cycle: the plan whole, not the rating records;
    - a principal of their school or a district admin: `leader_view`, levels only when shared;
    - anyone else, a colleague in the same cohort or the coach of another member included:
      nothing of this person (a cohort's page shows them its members and focus, nothing more).
    """
    people = [p for p in people if same_district(viewer, p)]
    if cycle.district_id != viewer.district_id or not people:
        return {}
    ids = [p.id for p in people]
    caseload = set(db.session.scalars(select(CaseloadAssignment.educator_id).where(
        CaseloadAssignment.coach_id == viewer.id, CaseloadAssignment.educator_id.in_(ids))))
    led = set()
    if Role.COACH in viewer.roles:
        led = set(db.session.scalars(
            select(Placement.educator_id).join(Cohort, Cohort.id == Placement.cohort_id)
            .where(Placement.cycle_id == cycle.id, Cohort.coach_id == viewer.id,
                   Placement.educator_id.in_(ids))))
    visible = set(db.session.scalars(visible_people_query(viewer).where(User.id.in_(ids))
                                     .with_only_columns(User.id)))
    shared = set(db.session.scalars(select(SelfAssessment.educator_id).where(
        SelfAssessment.cycle_id == cycle.id, SelfAssessment.educator_id.in_(ids),
        SelfAssessment.shared_with_principal.is_(True))))
    views = {}
    for person_id in ids:
        if person_id == viewer.id or person_id in caseload:
            views[person_id] = EVERYTHING
        elif person_id in led:
            views[person_id] = COHORT_COACH
        elif person_id in visible:
            views[person_id] = leader_view(person_id in shared)
    return views


def person_view(viewer: User, person: User, cycle) -> PersonView:
    """What `viewer` sees of `person` in `cycle` (`person_views` for one person)."""
    if viewer.id == person.id and cycle.district_id == viewer.district_id:
        return EVERYTHING       # the most common case (every educator's own pages), without a query
    return person_views(viewer, [person], cycle).get(person.id, NOTHING)


def can_see_ratings(viewer: User, educator: User, cycle) -> bool:
    """Individual ratings (self and coach) are private to the educator and their coaches; a
    principal or district admin sees them only when the educator shared that cycle's."""
    return person_view(viewer, educator, cycle).ratings


def can_place(viewer: User, educator: User) -> bool:
    """Lane overrides: the educator's coach, a principal of their school, or a district admin;
    never the educator themself."""
    if not same_district(viewer, educator) or viewer.id == educator.id:
        return False
    leads_school = bool(viewer.school_ids(Role.PRINCIPAL) & educator.school_ids())
    return Role.DISTRICT_ADMIN in viewer.roles or leads_school or coaches(viewer, educator)


def guides(viewer: User, educator: User, cycle_id: int) -> bool:
    """Paths and evidence: the educator's coach, or the coach of the cohort they are in; never
    the educator themself, so nobody assigns to, verifies or sends back their own path."""
    if not same_district(viewer, educator) or Role.COACH not in viewer.roles or viewer.id == educator.id:
        return False
    return coaches(viewer, educator) or bool(db.session.scalar(select(exists().where(
        Placement.cycle_id == cycle_id, Placement.educator_id == educator.id,
        Placement.cohort_id == Cohort.id, Cohort.coach_id == viewer.id))))


def can_see_plan(viewer: User, educator: User, cycle_id: int) -> bool:
    """A plan (goals, lane, cohort, path): whoever may see the person, and the coach of a cohort
    they are in, who may lead people from other caseloads or schools (pooled cohorts)."""
    return can_see_person(viewer, educator) or guides(viewer, educator, cycle_id)


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


# -- loaders: one per object a route takes by id ----------------------------------------------
# Each answers a missing record and one outside the rules with the same 404, the refusal audited.

def _loaded(model, record_id: int, subject: str, allowed: Callable[[Any], bool]):
    """The record, or 404: plainly when it does not exist, audited (`deny`) when `allowed` refuses
    it, so the two look the same to the viewer."""
    record = db.session.get(model, record_id)
    if record is None:
        abort(404)
    if not allowed(record):
        deny(subject, record.id)
    return record


def get_person_or_404(viewer: User, person_id: int) -> User:
    """A person the viewer may see (`can_see_person`)."""
    return _loaded(User, person_id, "user", lambda person: can_see_person(viewer, person))


def get_plan_owner_or_404(viewer: User, educator_id: int, cycle_id: int) -> User:
    """A person whose plan in cycle `cycle_id` the viewer may see (`can_see_plan`)."""
    return _loaded(User, educator_id, "user", lambda person: can_see_plan(viewer, person, cycle_id))


def get_school_or_404(viewer: User, school_id: int) -> School:
    """A school whose figures the viewer may see (`can_see_school_figures`)."""
    return _loaded(School, school_id, "school", lambda school: can_see_school_figures(viewer, school))


def get_evidence_or_404(viewer: User, file_id: int) -> EvidenceFile:
    """An evidence file: on a rating, whoever may see that educator's ratings in that cycle; on a
    path activity, whoever sees their evidence (`PersonView.evidence`), which adds the coach of
    their cohort, who is asked to verify it."""
    evidence = db.session.get(EvidenceFile, file_id)
    attached_to = evidence_owner(file_id) if evidence is not None else None
    if attached_to is None:
        abort(404)
    seen = person_view(viewer, db.session.get(User, attached_to.educator_id),
                       db.session.get(Cycle, attached_to.cycle_id))
    if not (seen.evidence if isinstance(attached_to, PathActivity) else seen.ratings):
        deny("evidence", file_id)
    return evidence


def get_cycle_or_404(viewer: User, cycle_id: int) -> Cycle:
    """A cycle of the viewer's district."""
    return _loaded(Cycle, cycle_id, "cycle", lambda cycle: cycle.district_id == viewer.district_id)


def requested_cycle(viewer: User, cycle_id: int | None,
                    fallback: Callable[[int], Cycle | None] = current_cycle) -> Cycle | None:
    """The cycle a request means: the one it names (`get_cycle_or_404`), else `fallback` of the
    viewer's district: the current cycle (the open one, else the newest closed), or for a plan
    `planning.queries.planned_cycle`. None when the district has no such cycle: the caller says
    what is missing (`or abort(404, description=...)`)."""
    if cycle_id is not None:
        return get_cycle_or_404(viewer, cycle_id)
    return fallback(viewer.district_id)


def get_cohort_or_404(viewer: User, cohort_id: int) -> Cohort:
    """A cohort the viewer leads (`can_lead_cohort`)."""
    return _loaded(Cohort, cohort_id, "cohort", lambda cohort: can_lead_cohort(viewer, cohort))


def get_path_activity_or_404(viewer: User, activity_id: int, *, own: bool = False) -> PathActivity:
    """A path activity the viewer guides (`guides`), or with `own` one of the viewer's own path."""
    return _loaded(PathActivity, activity_id, "path_activity",
                   lambda activity: activity.educator_id == viewer.id if own
                   else guides(viewer, activity.educator, activity.cycle_id))


def get_resource_or_404(viewer: User, resource_id: int) -> Resource:
    """A catalogue resource: a shared one, or one of the viewer's district."""
    return _loaded(Resource, resource_id, "resource",
                   lambda resource: resource.district_id in (None, viewer.district_id))


def get_token_or_404(viewer: User, token_id: int) -> ApiToken:
    """An API token of the viewer's own."""
    return _loaded(ApiToken, token_id, "api_token", lambda token: token.user_id == viewer.id)

