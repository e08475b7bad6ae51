"""/api/v1: the resources. Each view loads, authorizes, validates, calls one service, commits and
responds; the decorators' schemas are the OpenAPI document."""

import math
from contextlib import contextmanager
from functools import wraps
from http import HTTPStatus

from flask import g, jsonify
from flask_login import current_user
from flask_smorest import Blueprint, abort, current_api
from sqlalchemy import select

from pdplanner.accounts.models import EDUCATOR_ROLES, ROLE_RANK, Role, User
from pdplanner.api import schemas
from pdplanner.api.auth import authenticate_api_request
from pdplanner.api.plans import plan_document
from pdplanner.api.readiness import readiness_document
from pdplanner.api.refusals import REFUSED_CHANGES, refusal
from pdplanner.assessments.models import Cycle, RaterKind, Rating
from pdplanner.assessments.queries import (
    current_cycle,
    cycle_in_district,
    cycles_of_district,
    ratings_by_code,
)
from pdplanner.assessments.services import (
    RatingInput,
    save_coach_ratings,
    save_self_ratings,
    submit_self_assessment,
)
from pdplanner.dashboards.queries import leader_dashboard
from pdplanner.extensions import csrf, db
from pdplanner.framework.exchange import case_package
from pdplanner.framework.queries import framework_for_browsing, visible_frameworks
from pdplanner.framework.services import framework_to_native
from pdplanner.organisation.models import Membership
from pdplanner.organisation.queries import people
from pdplanner.permissions import (
    can_see_rating_figures,
    can_see_ratings,
    coaches,
    deny,
    get_person_or_404,
    get_plan_owner_or_404,
    get_school_or_404,
    public,
    signed_in,
    visible_people_query,
)
from pdplanner.planning.queries import plan_of, planned_cycle

bp = Blueprint("api", __name__, url_prefix="/api/v1",
               description="pdplanner's JSON API: Bearer token or signed-in session.")
csrf.exempt(bp)  # auth.authenticate_api_request applies CSRF to session-authenticated writes
bp.before_request(authenticate_api_request)


def answers(*statuses: int):
    """Document the problem responses an operation gives, besides 422 and the default."""

    def decorator(view):
        for status in statuses:
            view = bp.alt_response(status, response=HTTPStatus(status).name)(view)
        return view

    return decorator


def caller() -> User:
    return current_user._get_current_object()


def problem(status: int, detail: str, errors: dict[str, str] | None = None):
    abort(status, message=detail, errors=errors)


def refuse(subject: str, subject_id: int, detail: str):
    """403 for a record the caller may see but not change; audited like every refusal."""
    g.access_denied = {"denied": subject, "denied_id": subject_id}
    problem(403, detail)


@contextmanager
def one_transaction():
    """Commit what the service wrote, or roll all of it back and answer its problem."""
    try:
        yield
    except REFUSED_CHANGES as exc:
        db.session.rollback()
        problem(*refusal(exc))
    db.session.commit()


def envelope(items: list, total: int, args: dict) -> dict:
    return {"items": items, "page": args["page"], "per_page": args["per_page"], "total": total,
            "pages": math.ceil(total / args["per_page"])}


def page_of_list(items: list, args: dict) -> dict:
    start = (args["page"] - 1) * args["per_page"]
    return envelope(items[start:start + args["per_page"]], len(items), args)


# -- the caller, frameworks, cycles ---------------------------------------------------------

@bp.route("/openapi.json", tags=["Documentation"])
@public
@bp.doc(security=[])
@bp.response(200, description="This OpenAPI 3 document.")
def openapi_document():
    """The OpenAPI 3 document of this API, generated from the code."""
    return current_api.spec.to_dict()


@bp.route("/me", tags=["Caller"])
@signed_in
@bp.response(200, schemas.MeSchema)
@answers(401)
def me():
    """The caller: who they are, their widest role, and their schools."""
    user = caller()
    memberships = sorted(user.memberships, key=lambda m: m.school.name)
    return {"id": user.id, "email": user.email, "name": user.name, "role": user.role,
            "schools": [{"id": m.school.id, "code": m.school.code, "name": m.school.name,
                         "role": m.role} for m in memberships]}


@bp.route("/frameworks", tags=["Frameworks"])
@signed_in
@bp.arguments(schemas.PageArgs, location="query")
@bp.response(200, schemas.page_of(schemas.FrameworkSummarySchema, "FrameworkPage"))
@answers(401)
def frameworks(args):
    """The frameworks the caller's district can use: shared ones and its own."""
    return page_of_list(visible_frameworks(caller().district_id), args)


@bp.route("/frameworks/<int:framework_id>", tags=["Frameworks"])
@signed_in
@bp.arguments(schemas.FrameworkFormatArgs, location="query")
@bp.response(200, schemas.FrameworkSchema)
@bp.doc(responses={"200": {
    "description": "`Framework` for format=native, `CFPackage` for format=case.",
    "content": {"application/json": {
        "schema": {"oneOf": [schemas.FrameworkSchema, schemas.CFPackageSchema]}}},
}})
@answers(400, 401, 404)
def framework(args, framework_id: int):
    """One framework: scale, domains, competencies, descriptors, natively or as a CASE package."""
    found = framework_for_browsing(caller().district_id, framework_id)
    if args["format"] == "case":
        # A Response goes out as it is, past the native schema of @bp.response.
        return jsonify(schemas.CFPackageSchema().dump(case_package(found)))
    return {"id": found.id, **framework_to_native(found)}


@bp.route("/cycles", tags=["Cycles"])
@signed_in
@bp.arguments(schemas.PageArgs, location="query")
@bp.response(200, schemas.page_of(schemas.CycleSchema, "CyclePage"))
@answers(401)
def cycles(args):
    """The assessment cycles of the caller's district, newest first."""
    return page_of_list(cycles_of_district(caller().district_id), args)


# -- educators ------------------------------------------------------------------------------

def educator_row(row) -> dict:
    person = row.person
    held = [m for m in person.memberships if m.role in EDUCATOR_ROLES]
    widest = max(held, key=lambda m: (ROLE_RANK[m.role], m.school.name)) if held else None
    return {"id": person.id, "email": person.email, "name": person.name,
            "role": widest.role if widest else None,
            "school": widest.school.code if widest else None,
            "coach": row.coaches[0].email if row.coaches else None,
            "coaches": [c.email for c in row.coaches]}


@bp.route("/educators", tags=["Educators"])
@signed_in
@bp.arguments(schemas.PageArgs, location="query")
@bp.response(200, schemas.page_of(schemas.EducatorSchema, "EducatorPage"))
@answers(401)
def educators(args):
    """The teachers and coaches the caller may see.

    Active people only: for a coach, their caseload and themself; for a principal, their
    school; for a district admin, the district; for a teacher, themself.
    """
    educators_only = visible_people_query(caller()).where(User.id.in_(
        select(Membership.user_id).where(Membership.role.in_(EDUCATOR_ROLES))))
    rows, pagination = people(educators_only, page=args["page"], per_page=args["per_page"])
    return envelope([educator_row(row) for row in rows], pagination.total, args)


def cycle_or_404(cycle_id: int) -> Cycle:
    cycle = cycle_in_district(caller().district_id, cycle_id)
    if cycle is None:
        problem(404, f"There is no cycle {cycle_id} in your district.")
    return cycle


@bp.route("/educators/<int:educator_id>/ratings", tags=["Ratings"])
@signed_in
@bp.arguments(schemas.CycleArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.EducatorRatingsSchema)
@answers(401, 404)
def educator_ratings(educator_id: int, cycle: int):
    """An educator's self and coach ratings, per competency code.

    Visible to the educator and their coaches, and to their principal and district admin
    when the educator shared that cycle's self-assessment.
    """
    educator = get_person_or_404(caller(), educator_id)
    found = cycle_or_404(cycle)
    if not can_see_ratings(caller(), educator, found):
        deny("ratings", educator.id)
    own = ratings_by_code(found, educator, RaterKind.SELF)
    coach = ratings_by_code(found, educator, RaterKind.COACH)
    return {"cycle": found.id, "educator": educator.id, "ratings": [
        {"competency": c.code, "self_rating": own.get(c.code), "coach_rating": coach.get(c.code)}
        for c in found.framework.competencies]}


# -- writing ratings ------------------------------------------------------------------------

def may_write(kind: RaterKind, writer: User, educator: User) -> bool:
    if kind == RaterKind.SELF:
        return writer.id == educator.id
    return Role.COACH in writer.roles and coaches(writer, educator)


REFUSALS = {
    RaterKind.SELF: "Only the educator themself can change their self-assessment.",
    RaterKind.COACH: "Only the educator's coach can save coach ratings.",
}


def rating_writer(kind: RaterKind):
    """Load the educator and cycle of a ratings write and check that the caller may make it,
    before the body is read: someone who may not write is told so whatever they sent."""

    def decorator(view):
        @wraps(view)
        def guarded(*args, educator_id: int, cycle: int, **kwargs):
            educator = get_person_or_404(caller(), educator_id)
            found = cycle_or_404(cycle)
            if not may_write(kind, caller(), educator):
                refuse(f"{kind.value}_ratings", educator.id, REFUSALS[kind])
            return view(*args, educator=educator, cycle=found, **kwargs)

        return guarded

    return decorator


def saved(kind: RaterKind, cycle: Cycle, educator: User, ratings: list[Rating]) -> dict:
    return {"cycle": cycle.id, "educator": educator.id, "kind": kind.value, "ratings": ratings}


def inputs(body: dict) -> list[RatingInput]:
    return [RatingInput(**item) for item in body["ratings"]]


@bp.route("/educators/<int:educator_id>/ratings/self", methods=["PUT"], tags=["Ratings"])
@signed_in
@bp.arguments(schemas.CycleArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.SavedRatingsSchema)
@answers(400, 401, 403, 404, 409)
@rating_writer(RaterKind.SELF)
@bp.arguments(schemas.RatingsInputSchema)
def put_self_ratings(body, educator: User, cycle: Cycle):
    """Save some or all of the caller's own self-ratings.

    Refused (409) once submitted or when the cycle is not open; with one invalid item nothing
    is saved (422). Anyone else gets 403, or 404 for an educator they may not see.
    """
    with one_transaction():
        ratings = save_self_ratings(educator, cycle, inputs(body))
    return saved(RaterKind.SELF, cycle, educator, ratings)


@bp.route("/educators/<int:educator_id>/ratings/self/submit", methods=["POST"], tags=["Ratings"])
@signed_in
@bp.arguments(schemas.CycleArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.SubmissionSchema)
@answers(400, 401, 403, 404, 409)
@rating_writer(RaterKind.SELF)
def submit_self_ratings(educator: User, cycle: Cycle):
    """Submit (lock) the caller's self-assessment.

    Every competency needs a level or 'not yet observed': otherwise 409, with the codes still
    to rate in `errors.missing`. The educator's coach can reopen it.
    """
    with one_transaction():
        assessment = submit_self_assessment(educator, cycle)
    return {"cycle": cycle.id, "educator": educator.id, "status": assessment.status,
            "submitted_at": assessment.submitted_at}


@bp.route("/educators/<int:educator_id>/ratings/coach", methods=["PUT"], tags=["Ratings"])
@signed_in
@bp.arguments(schemas.CycleArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.SavedRatingsSchema)
@answers(400, 401, 403, 404, 409)
@rating_writer(RaterKind.COACH)
@bp.arguments(schemas.RatingsInputSchema)
def put_coach_ratings(body, educator: User, cycle: Cycle):
    """Save the caller's coach ratings of an educator on their caseload.

    A separate record from the self-rating; the same body and rules as the self-ratings.
    """
    with one_transaction():
        ratings = save_coach_ratings(caller(), educator, cycle, inputs(body))
    return saved(RaterKind.COACH, cycle, educator, ratings)


# -- plans ---------------------------------------------------------------------------------

@bp.route("/educators/<int:educator_id>/plan", tags=["Plans"])
@signed_in
@bp.arguments(schemas.PlanArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.PlanSchema)
@answers(401, 404)
def educator_plan(educator_id: int, cycle: int | None):
    """An educator's plan: goals with their activities, lane and cohort.

    Visible to whoever may see the educator, and to the coach of a cohort they are in. Levels,
    goal whys, reflections and evidence are null for a principal or district admin unless the
    educator shared that cycle's ratings.
    """
    found = cycle_or_404(cycle) if cycle else planned_cycle(caller().district_id)
    if found is None:
        problem(404, "There is no cycle in your district yet.")
    educator = get_plan_owner_or_404(caller(), educator_id, found.id)
    return plan_document(plan_of(educator, found, caller()))


# -- school readiness -----------------------------------------------------------------------

@bp.route("/schools/<int:school_id>/readiness", tags=["Schools"])
@signed_in
@bp.arguments(schemas.PlanArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.ReadinessSchema)
@answers(401, 404)
def school_readiness(school_id: int, cycle: int | None):
    """A school's readiness in a cycle: participation, lane counts, per-domain and per-competency
    figures (withheld below the privacy threshold) and cohorts with their progress.

    For the school's principals and coaches and the district's admins.
    """
    school = get_school_or_404(caller(), school_id)
    found = cycle_or_404(cycle) if cycle else current_cycle(caller().district_id)
    if found is None:
        problem(404, "There is no cycle in your district yet.")
    document = readiness_document(leader_dashboard(found, [school],
                                                   ratings=can_see_rating_figures(caller(), school)))
    db.session.commit()   # keeps the school's summary if it was computed for this request
    return document
