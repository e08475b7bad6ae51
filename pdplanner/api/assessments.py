"""/api/v1: cycles (admin writes), an educator's self-assessment status, sharing and reopening,
calibration, a coach's caseload, and the district's retention period. The same services,
queries and rules as the Cycles, self-assessment, calibration and caseload pages."""

import marshmallow as ma
from marshmallow import fields, validate

from pdplanner.accounts.models import Role, User
from pdplanner.api import schemas
from pdplanner.api.guards import checked_first
from pdplanner.api.views import (
    answers,
    bp,
    caller,
    cycle_or_404,
    one_transaction,
    page_of_list,
    problem,
    refuse,
)
from pdplanner.assessments import queries, services
from pdplanner.assessments.models import AssessmentStatus, Cycle, RaterKind
from pdplanner.dashboards.queries import min_group, shown_measures
from pdplanner.extensions import db
from pdplanner.framework.queries import visible_frameworks
from pdplanner.organisation import services as organisation
from pdplanner.permissions import (
    can_see_ratings,
    coaches,
    deny,
    get_person_or_404,
    get_school_or_404,
    role_required,
)

admin_only = role_required(Role.DISTRICT_ADMIN)


# -- schemas --------------------------------------------------------------------------------

class CycleInputSchema(ma.Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    opens_on = fields.Date(required=True)
    closes_on = fields.Date(required=True)
    framework = schemas.row_id("The id of a framework the district can use (GET /frameworks).",
                               strict=True, required=True)


class RetentionSchema(ma.Schema):
    months = fields.Integer(strict=True, allow_none=True, required=True,
                            validate=validate.Range(min=1, max=1200), **schemas.described(
                                "How many months closed cycles are kept; null keeps every cycle."))


class SharingInputSchema(ma.Schema):
    shared = fields.Boolean(required=True, **schemas.described(
        "True lets the educator's principal see their individual self-ratings of the cycle."))


class DomainProgressSchema(ma.Schema):
    domain = fields.String()
    answered = fields.Integer()
    total = fields.Integer()


class AssessmentSchema(ma.Schema):
    cycle = fields.Integer()
    educator = fields.Integer()
    status = fields.Enum(AssessmentStatus, by_value=True, allow_none=True,
                         **schemas.described("Null until the educator saves a first rating."))
    submitted_at = fields.AwareDateTime(allow_none=True)
    shared_with_principal = fields.Boolean()
    answered = fields.Integer(**schemas.described("Competencies with a level or 'not yet observed'."))
    total = fields.Integer()
    minutes_left = fields.Integer(**schemas.described("About how long the rest takes."))
    domains = fields.List(fields.Nested(DomainProgressSchema))


class CalibrationRowSchema(ma.Schema):
    competency = fields.String()
    self_level = fields.Integer(allow_none=True)
    coach_level = fields.Integer(allow_none=True)
    difference = fields.Integer(allow_none=True, **schemas.described("Self minus coach, when both rated."))
    flagged = fields.Boolean(**schemas.described("A difference of 2 levels or more: worth a conversation."))


class CycleCalibrationSchema(ma.Schema):
    cycle = fields.Integer()
    name = fields.String()
    flagged = fields.Integer()
    rows = fields.List(fields.Nested(CalibrationRowSchema))


class CalibrationSchema(CycleCalibrationSchema):
    educator = fields.Integer()
    history = fields.List(fields.Nested(CycleCalibrationSchema), **schemas.described(
        "The flags in every cycle the educator has ratings in, oldest first."))


class CaseloadRowSchema(ma.Schema):
    educator = fields.Nested(schemas.PersonSchema)
    status = fields.Enum(AssessmentStatus, by_value=True, allow_none=True)
    answered = fields.Integer()
    total = fields.Integer()
    coach_rated = fields.Integer(**schemas.described("Competencies the caller has rated."))
    flags = fields.Integer(**schemas.described("Competencies where self and coach differ by 2 or more."))


class CompetencyAggregateSchema(ma.Schema):
    competency = fields.String()
    self_count = fields.Integer()
    self_mean = fields.Float(allow_none=True, **schemas.described(
        "As published: submitted self-assessments only, one decimal; null below the privacy threshold."))
    coach_count = fields.Integer()
    coach_mean = fields.Float(allow_none=True, **schemas.described(
        "As published, one decimal; null below the privacy threshold."))


class SchoolRatingsSchema(ma.Schema):
    school = fields.Nested(schemas.SchoolRefSchema)
    cycle = fields.Integer()
    privacy_min_group = fields.Integer()
    competencies = fields.List(fields.Nested(CompetencyAggregateSchema))
    shared = fields.List(fields.Nested(schemas.PersonSchema), **schemas.described(
        "Educators who shared this cycle's individual self-ratings (GET /educators/{id}/ratings)."))


class CycleQueryArgs(ma.Schema):
    cycle = schemas.row_id("The id of a cycle of the caller's district; by default the current one.",
                           load_default=None)


class CaseloadArgs(schemas.PageArgs, CycleQueryArgs):
    pass


# -- cycles ---------------------------------------------------------------------------------

@bp.route("/cycles/<int:cycle_id>", tags=["Cycles"])
@role_required(*Role)
@bp.response(200, schemas.CycleSchema)
@answers(401, 404)
def cycle(cycle_id: int):
    """One assessment cycle of the caller's district."""
    return cycle_or_404(cycle_id)


@bp.route("/cycles", methods=["POST"], tags=["Cycles"])
@admin_only
@bp.arguments(CycleInputSchema)
@bp.response(201, schemas.CycleSchema)
@answers(401, 404, 409)
def create_cycle(body):
    """Create a draft cycle (district admins). Open it when educators should start."""
    framework = next((f for f in visible_frameworks(caller().district_id) if f.id == body["framework"]), None)
    if framework is None:
        problem(422, "Nothing was saved: choose a framework of your district.",
                {"framework": f"{body['framework']} is not a framework your district can use"})
    with one_transaction():
        created = services.create_cycle(district_id=caller().district_id, name=body["name"],
                                        opens_on=body["opens_on"], closes_on=body["closes_on"],
                                        framework=framework, actor=caller())
    return created


CYCLE_CHANGES = {"open": services.open_cycle, "close": services.close_cycle}


def change_cycle(cycle_id: int, action: str) -> Cycle:
    found = cycle_or_404(cycle_id)
    with one_transaction():
        CYCLE_CHANGES[action](found, actor=caller())
    return found


@bp.route("/cycles/<int:cycle_id>/open", methods=["POST"], tags=["Cycles"])
@admin_only
@bp.response(200, schemas.CycleSchema)
@answers(401, 404, 422)
def open_cycle(cycle_id: int):
    """Open a draft cycle (district admins). At most one cycle of a district is open: 422 while
    another one is, or when this one is not a draft."""
    return change_cycle(cycle_id, "open")


@bp.route("/cycles/<int:cycle_id>/close", methods=["POST"], tags=["Cycles"])
@admin_only
@bp.response(200, schemas.CycleSchema)
@answers(401, 404, 422)
def close_cycle(cycle_id: int):
    """Close the open cycle (district admins): its ratings become read-only."""
    return change_cycle(cycle_id, "close")


@bp.route("/retention", tags=["Cycles"])
@admin_only
@bp.response(200, RetentionSchema)
@answers(401, 404)
def retention():
    """How long the district keeps closed cycles (district admins)."""
    return {"months": caller().district.retention_months}


@bp.route("/retention", methods=["PUT"], tags=["Cycles"])
@admin_only
@bp.arguments(RetentionSchema)
@bp.response(200, RetentionSchema)
@answers(401, 404, 409)
def put_retention(body):
    """Set how long the district keeps closed cycles (district admins); audited."""
    with one_transaction():
        organisation.set_retention(caller().district, body["months"], actor=caller())
    return {"months": caller().district.retention_months}


# -- an educator's self-assessment ----------------------------------------------------------

def requested_cycle(cycle_id: int | None) -> Cycle:
    found = cycle_or_404(cycle_id) if cycle_id else queries.current_cycle(caller().district_id)
    if found is None:
        problem(404, "There is no cycle in your district yet.")
    return found


def assessment_document(found: Cycle, educator: User) -> dict:
    assessment = services.self_assessment(found, educator)
    progress = queries.progress_of(found, [educator])[educator.id]
    ratings = queries.ratings_by_code(found, educator, RaterKind.SELF)
    return {"cycle": found.id, "educator": educator.id, "status": progress.status,
            "submitted_at": assessment.submitted_at if assessment else None,
            "shared_with_principal": bool(assessment and assessment.shared_with_principal),
            "answered": progress.answered, "total": progress.total, "minutes_left": progress.minutes_left,
            "domains": [{"domain": d.code, "total": len(d.competencies), "answered": sum(
                1 for c in d.competencies if c.code in ratings and ratings[c.code].answered)}
                for d in found.framework.domains]}


def ratings_visible_or_404(educator_id: int, cycle_id: int | None) -> tuple[User, Cycle]:
    educator = get_person_or_404(caller(), educator_id)
    found = requested_cycle(cycle_id)
    if not can_see_ratings(caller(), educator, found):
        deny("ratings", educator.id)
    return educator, found


@bp.route("/educators/<int:educator_id>/assessment", tags=["Ratings"])
@role_required(*Role)
@bp.arguments(CycleQueryArgs, location="query", as_kwargs=True)
@bp.response(200, AssessmentSchema)
@answers(401, 404)
def assessment(educator_id: int, cycle: int | None):
    """An educator's self-assessment in a cycle: status, progress by domain, sharing.

    For whoever may see the educator's ratings (the educator, their coaches; their principal
    and district admin when shared)."""
    educator, found = ratings_visible_or_404(educator_id, cycle)
    return assessment_document(found, educator)


def educator_themself(educator_id: int, cycle: int) -> dict:
    educator, found = get_person_or_404(caller(), educator_id), cycle_or_404(cycle)
    if educator.id != caller().id:
        refuse("sharing", educator.id, "Only the educator themself decides whom to share with.")
    return {"educator": educator, "found": found}


@bp.route("/educators/<int:educator_id>/assessment/sharing", methods=["PUT"], tags=["Ratings"])
@role_required(Role.TEACHER, Role.COACH)
@bp.arguments(schemas.CycleArgs, location="query", as_kwargs=True)
@bp.response(200, AssessmentSchema)
@answers(401, 403, 404)
@checked_first(educator_themself)
@bp.arguments(SharingInputSchema)
def put_sharing(body, educator: User, found: Cycle):
    """Share the caller's individual self-ratings of a cycle with their principal, or withdraw
    them. The educator themself only (403 for anyone else who may see them)."""
    with one_transaction():
        services.set_sharing(educator, found, body["shared"])
    return assessment_document(found, educator)


@bp.route("/educators/<int:educator_id>/assessment/reopen", methods=["POST"], tags=["Ratings"])
@role_required(Role.COACH)
@bp.arguments(schemas.CycleArgs, location="query", as_kwargs=True)
@bp.response(200, AssessmentSchema)
@answers(401, 403, 404, 409)
def reopen_assessment(educator_id: int, cycle: int):
    """Reopen a submitted self-assessment so the educator can change it (their coach; audited).
    409 when it is not submitted or the cycle is not open."""
    educator, found = get_person_or_404(caller(), educator_id), cycle_or_404(cycle)
    if not coaches(caller(), educator):
        refuse("self_assessment", educator.id, "Only the educator's coach can reopen it.")
    with one_transaction():
        services.reopen_self_assessment(caller(), educator, found)
    return assessment_document(found, educator)


def calibration_rows(rows) -> dict:
    return {"rows": rows, "flagged": sum(1 for r in rows if r.flagged)}


@bp.route("/educators/<int:educator_id>/calibration", tags=["Ratings"])
@role_required(*Role)
@bp.arguments(CycleQueryArgs, location="query", as_kwargs=True)
@bp.response(200, CalibrationSchema)
@answers(401, 404)
def calibration(educator_id: int, cycle: int | None):
    """Self and coach levels side by side per competency, the difference, and the flags (2
    levels or more), with the flags of earlier cycles. Whoever may see the ratings."""
    educator, found = ratings_visible_or_404(educator_id, cycle)
    history = [{"cycle": c.id, "name": c.name, **calibration_rows(rows)}
               for c, rows in queries.calibration_history(educator)
               if can_see_ratings(caller(), educator, c)]
    return {"cycle": found.id, "name": found.name, "educator": educator.id,
            **calibration_rows(queries.calibration(found, educator)), "history": history}


# -- a coach's caseload; a school's ratings ---------------------------------------------------

@bp.route("/caseload", tags=["Ratings"])
@role_required(Role.COACH)
@bp.arguments(CaseloadArgs, location="query")
@bp.response(200, schemas.page_of(CaseloadRowSchema, "CaseloadPage"))
@answers(401, 404)
def caseload(args):
    """The caller's caseload (coaches) with each educator's self-assessment progress, how much
    the caller has rated, and the calibration flags, in a cycle."""
    found = requested_cycle(args["cycle"])
    rows = [{"educator": row.educator, "status": row.progress.status, "answered": row.progress.answered,
             "total": row.progress.total, "coach_rated": row.coach_rated, "flags": row.flags}
            for row in queries.caseload_status(caller(), found)]
    return page_of_list(rows, args)


@bp.route("/schools/<int:school_id>/ratings", tags=["Schools"])
@role_required(Role.PRINCIPAL, Role.DISTRICT_ADMIN)
@bp.arguments(CycleQueryArgs, location="query", as_kwargs=True)
@bp.response(200, SchoolRatingsSchema)
@answers(401, 404)
def school_ratings(school_id: int, cycle: int | None):
    """Mean self and coach level per competency over a school (withheld below the privacy
    threshold), and who shared their individual ratings. Its principals and district admins."""
    school = get_school_or_404(caller(), school_id)
    if school not in queries.schools_led_by(caller()):
        deny("school", school.id)
    found = requested_cycle(cycle)
    measures, _ = shown_measures(found, [school.id])
    document = {"school": school, "cycle": found.id, "privacy_min_group": min_group(),
                "competencies": [{"competency": c.code, "self_count": c.self_mean.people,
                                  "self_mean": c.self_mean.value, "coach_count": c.coach_mean.people,
                                  "coach_mean": c.coach_mean.value} for c in measures.competencies],
                "shared": [a.educator for a in queries.shared_assessments(found, {school.id})]}
    db.session.commit()   # keeps the school's summary if it was computed for this request
    return document

