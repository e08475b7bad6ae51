"""/api/v1: cycles (the list, one cycle; admin writes: create, open, close) and the district's
retention period; ratings (an educator's self and coach ratings, writing and submitting them),
an educator's self-assessment status, sharing and reopening, calibration, a coach's caseload, a
school's ratings. The same services, queries and rules as the Cycles, self-assessment,
calibration and caseload pages. The API's answer for a request's cycle (`cycle_meant`) is here."""

from collections.abc import Callable

import marshmallow as ma
from marshmallow import fields, validate

from pdplanner.accounts.models import Role, User
from pdplanner.api.plumbing import (
    PageArgs,
    Routes,
    caller,
    checked_first,
    described,
    one_transaction,
    page_of,
    page_of_list,
    problem,
    refuse,
    row_id,
)
from pdplanner.api.schemas import PersonSchema, SchoolRefSchema
from pdplanner.assessments import queries, services
from pdplanner.assessments.models import AssessmentStatus, Confidence, Cycle, CycleStatus, RaterKind, Rating
from pdplanner.assessments.services import NOTE_MAX, URL_MAX, RatingInput
from pdplanner.dashboards.queries import min_group, shown_measures
from pdplanner.extensions import db
from pdplanner.framework.queries import visible_frameworks
from pdplanner.organisation import services as organisation
from pdplanner.permissions import (
    can_see_ratings,
    coaches,
    deny,
    get_cycle_or_404,
    get_person_or_404,
    get_school_or_404,
    requested_cycle,
    role_required,
    signed_in,
)

admin_only = role_required(Role.DISTRICT_ADMIN)

routes = Routes()


# -- schemas --------------------------------------------------------------------------------

class CycleArgs(ma.Schema):
    cycle = row_id("The id of a cycle of the caller's district.", required=True)


class RatingInputSchema(ma.Schema):
    competency = fields.String(required=True, **described("A competency code, e.g. `COG.1`.",
                                                          example="COG.1"))
    level = fields.Integer(strict=True, allow_none=True, load_default=None,
                           **described("A level of the framework's scale; null for no level.", example=2))
    not_observed = fields.Boolean(load_default=False,
                                  **described("'Not yet observed' instead of a level."))
    confidence = fields.String(allow_none=True, load_default=None,
                               validate=validate.OneOf([c.value for c in Confidence]))
    interest = fields.Boolean(load_default=False, **described("'I want to grow here'."))
    note = fields.String(load_default="", validate=validate.Length(max=NOTE_MAX))
    evidence_url = fields.String(load_default="", validate=validate.Length(max=URL_MAX),
                                 **described("An http(s) link to evidence, or empty."))


class RatingsInputSchema(ma.Schema):
    ratings = fields.List(
        fields.Nested(RatingInputSchema), required=True, validate=validate.Length(min=1),
        **described("Some or all competencies. Each item replaces that competency's rating; "
                    "competencies not listed keep theirs."),
    )


class CycleSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()
    status = fields.Enum(CycleStatus, by_value=True)
    opens_on = fields.Date()
    closes_on = fields.Date()
    framework_id = fields.Integer()


class RatingRecordSchema(ma.Schema):
    level = fields.Integer(allow_none=True)
    not_observed = fields.Boolean()
    confidence = fields.Enum(Confidence, by_value=True, allow_none=True)
    interest = fields.Boolean()
    note = fields.String()
    evidence_url = fields.String()
    updated_at = fields.AwareDateTime()


class CoachRatingRecordSchema(RatingRecordSchema):
    rater = fields.String(attribute="rater.email", **described("The rater's email."))


class CompetencyRatingsSchema(ma.Schema):
    competency = fields.String()
    self_rating = fields.Nested(RatingRecordSchema, allow_none=True, data_key="self",
                                **described("The educator's self-rating, or null."))
    coach_rating = fields.Nested(CoachRatingRecordSchema, allow_none=True, data_key="coach",
                                 **described("The most recently saved coach rating, or null."))


class EducatorRatingsSchema(ma.Schema):
    cycle = fields.Integer()
    educator = fields.Integer()
    ratings = fields.List(fields.Nested(CompetencyRatingsSchema),
                          **described("Every competency of the cycle's framework, in order."))


class SavedRatingSchema(CoachRatingRecordSchema):
    competency = fields.String(attribute="competency.code")


class SavedRatingsSchema(ma.Schema):
    cycle = fields.Integer()
    educator = fields.Integer()
    kind = fields.String(validate=validate.OneOf(["self", "coach"]))
    ratings = fields.List(fields.Nested(SavedRatingSchema),
                          **described("The ratings this request saved."))


class SubmissionSchema(ma.Schema):
    cycle = fields.Integer()
    educator = fields.Integer()
    status = fields.Enum(AssessmentStatus, by_value=True)
    submitted_at = fields.AwareDateTime(allow_none=True)


class CycleInputSchema(ma.Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    opens_on = fields.Date(required=True)
    closes_on = fields.Date(required=True)
    framework = row_id("The id of a framework the district can use (GET /frameworks).",
                       strict=True, required=True)


class RetentionSchema(ma.Schema):
    months = fields.Integer(strict=True, allow_none=True, required=True,
                            validate=validate.Range(min=1, max=1200), **described(
                                "How many months closed cycles are kept; null keeps every cycle."))


class SharingInputSchema(ma.Schema):
    shared = fields.Boolean(required=True, **described(
        "True lets the educator's principal see their individual self-ratings of the cycle."))


class DomainProgressSchema(ma.Schema):
    domain = fields.String()
    answered = fields.Integer()
    total = fields.Integer()


class AssessmentSchema(ma.Schema):
    cycle = fields.Integer()
    educator = fields.Integer()
    status = fields.Enum(AssessmentStatus, by_value=True, allow_none=True,
                         **described("Null until the educator saves a first rating."))
    submitted_at = fields.AwareDateTime(allow_none=True)
    shared_with_principal = fields.Boolean()
    answered = fields.Integer(**described("Competencies with a level or 'not yet observed'."))
    total = fields.Integer()
    minutes_left = fields.Integer(**described("About how long the rest takes."))
    domains = fields.List(fields.Nested(DomainProgressSchema))


class CalibrationRowSchema(ma.Schema):
    competency = fields.String()
    self_level = fields.Integer(allow_none=True)
    coach_level = fields.Integer(allow_none=True)
    difference = fields.Integer(allow_none=True, **described("Self minus coach, when both rated."))
    flagged = fields.Boolean(**described("A difference of 2 levels or more: worth a conversation."))


class CycleCalibrationSchema(ma.Schema):
    cycle = fields.Integer()
    name = fields.String()
    flagged = fields.Integer()
    rows = fields.List(fields.Nested(CalibrationRowSchema))


class CalibrationSchema(CycleCalibrationSchema):
    educator = fields.Integer()
    history = fields.List(fields.Nested(CycleCalibrationSchema), **described(
        "The flags in every cycle the educator has ratings in, oldest first."))


class CaseloadRowSchema(ma.Schema):
    educator = fields.Nested(PersonSchema)
    status = fields.Enum(AssessmentStatus, by_value=True, allow_none=True)
    answered = fields.Integer()
    total = fields.Integer()
    coach_rated = fields.Integer(**described("Competencies the caller has rated."))
    flags = fields.Integer(**described("Competencies where self and coach differ by 2 or more."))


class CompetencyAggregateSchema(ma.Schema):
    competency = fields.String()
    self_count = fields.Integer()
    self_mean = fields.Float(allow_none=True, **described(
        "As published: submitted self-assessments only, one decimal; null below the privacy threshold."))
    coach_count = fields.Integer()
    coach_mean = fields.Float(allow_none=True, **described(
        "As published, one decimal; null below the privacy threshold."))


class SchoolRatingsSchema(ma.Schema):
    school = fields.Nested(SchoolRefSchema)
    cycle = fields.Integer()
    privacy_min_group = fields.Integer()
    competencies = fields.List(fields.Nested(CompetencyAggregateSchema))
    shared = fields.List(fields.Nested(PersonSchema), **described(
        "Educators who shared this cycle's individual self-ratings (GET /educators/{id}/ratings)."))


class CycleQueryArgs(ma.Schema):
    cycle = row_id("The id of a cycle of the caller's district; by default the current one.",
                   load_default=None)


class CaseloadArgs(PageArgs, CycleQueryArgs):
    pass


# -- finding a cycle ------------------------------------------------------------------------

def cycle_meant(cycle_id: int | None, fallback: Callable[[int], Cycle | None] = queries.current_cycle,
                missing: str = "There is no cycle in your district yet.") -> Cycle:
    """The request's cycle (`permissions.requested_cycle`: by default the current one), 404 with
    `missing` when the district has no such cycle."""
    cycle = requested_cycle(caller(), cycle_id, fallback)
    if cycle is None:
        problem(404, missing)
    return cycle


# -- cycles ---------------------------------------------------------------------------------

@routes.route("/cycles/<int:cycle_id>", tags=["Cycles"])
@role_required(*Role)
@routes.response(200, CycleSchema)
@routes.answers(401, 404)
def cycle(cycle_id: int):
    """One assessment cycle of the caller's district."""
    return get_cycle_or_404(caller(), cycle_id)


@routes.route("/cycles", methods=["POST"], tags=["Cycles"])
@admin_only
@routes.arguments(CycleInputSchema)
@routes.response(201, CycleSchema)
@routes.answers(401, 404, 409)
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
    cycle = get_cycle_or_404(caller(), cycle_id)
    with one_transaction():
        CYCLE_CHANGES[action](cycle, actor=caller())
    return cycle


@routes.route("/cycles/<int:cycle_id>/open", methods=["POST"], tags=["Cycles"])
@admin_only
@routes.response(200, CycleSchema)
@routes.answers(401, 404, 422)
def open_cycle(cycle_id: int):
    """Open a draft cycle (district admins). At most one cycle of a district is open: 422 while
    another one is, or when this one is not a draft."""
    return change_cycle(cycle_id, "open")


@routes.route("/cycles/<int:cycle_id>/close", methods=["POST"], tags=["Cycles"])
@admin_only
@routes.response(200, CycleSchema)
@routes.answers(401, 404, 422)
def close_cycle(cycle_id: int):
    """Close the open cycle (district admins): its ratings become read-only."""
    return change_cycle(cycle_id, "close")


@routes.route("/retention", tags=["Cycles"])
@admin_only
@routes.response(200, RetentionSchema)
@routes.answers(401, 404)
def retention():
    """How long the district keeps closed cycles (district admins)."""
    return {"months": caller().district.retention_months}


@routes.route("/retention", methods=["PUT"], tags=["Cycles"])
@admin_only
@routes.arguments(RetentionSchema)
@routes.response(200, RetentionSchema)
@routes.answers(401, 404, 409)
def put_retention(body):
    """Set how long the district keeps closed cycles (district admins); audited."""
    with one_transaction():
        organisation.set_retention(caller().district, body["months"], actor=caller())
    return {"months": caller().district.retention_months}


@routes.route("/cycles", tags=["Cycles"])
@signed_in
@routes.arguments(PageArgs, location="query")
@routes.response(200, page_of(CycleSchema, "CyclePage"))
@routes.answers(401)
def cycles(args):
    """The assessment cycles of the caller's district, newest first."""
    return page_of_list(queries.cycles_of_district(caller().district_id), args)


# -- ratings --------------------------------------------------------------------------------

@routes.route("/educators/<int:educator_id>/ratings", tags=["Ratings"])
@signed_in
@routes.arguments(CycleArgs, location="query")
@routes.response(200, EducatorRatingsSchema)
@routes.answers(401, 404)
def educator_ratings(args, educator_id: int):
    """An educator's self and coach ratings, per competency code.

    Visible to the educator and their coaches, and to their principal and district admin
    when the educator shared that cycle's self-assessment.
    """
    educator = get_person_or_404(caller(), educator_id)
    cycle = get_cycle_or_404(caller(), args["cycle"])
    if not can_see_ratings(caller(), educator, cycle):
        deny("ratings", educator.id)
    own = queries.ratings_by_code(cycle, educator, RaterKind.SELF)
    coach = queries.ratings_by_code(cycle, educator, RaterKind.COACH)
    return {"cycle": cycle.id, "educator": educator.id, "ratings": [
        {"competency": c.code, "self_rating": own.get(c.code), "coach_rating": coach.get(c.code)}
        for c in cycle.framework.competencies]}


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
    """The loader of a ratings write (for `checked_first`): the educator and the cycle, once the
    caller may write that kind of ratings of them."""

    def load(educator_id: int, cycle: int) -> dict:
        educator = get_person_or_404(caller(), educator_id)
        loaded = {"educator": educator, "cycle": get_cycle_or_404(caller(), cycle)}
        if not may_write(kind, caller(), educator):
            refuse(f"{kind.value}_ratings", educator.id, REFUSALS[kind])
        return loaded

    return load


def saved(kind: RaterKind, cycle: Cycle, educator: User, ratings: list[Rating]) -> dict:
    return {"cycle": cycle.id, "educator": educator.id, "kind": kind.value, "ratings": ratings}


def inputs(body: dict) -> list[RatingInput]:
    return [RatingInput(**item) for item in body["ratings"]]


@routes.route("/educators/<int:educator_id>/ratings/self", methods=["PUT"], tags=["Ratings"])
@signed_in
@routes.arguments(CycleArgs, location="query", as_kwargs=True)
@routes.response(200, SavedRatingsSchema)
@routes.answers(400, 401, 403, 404, 409)
@checked_first(rating_writer(RaterKind.SELF))
@routes.arguments(RatingsInputSchema)
def put_self_ratings(body, educator: User, cycle: Cycle):
    """Save some or all of the caller's own self-ratings.

    Refused (409) once submitted or when the cycle is not open; with one invalid item nothing
    is saved (422). Anyone else gets 403, or 404 for an educator they may not see.
    """
    with one_transaction():
        ratings = services.save_self_ratings(educator, cycle, inputs(body))
    return saved(RaterKind.SELF, cycle, educator, ratings)


@routes.route("/educators/<int:educator_id>/ratings/self/submit", methods=["POST"], tags=["Ratings"])
@signed_in
@routes.arguments(CycleArgs, location="query", as_kwargs=True)
@routes.response(200, SubmissionSchema)
@routes.answers(400, 401, 403, 404, 409)
@checked_first(rating_writer(RaterKind.SELF))
def submit_self_ratings(educator: User, cycle: Cycle):
    """Submit (lock) the caller's self-assessment.

    Every competency needs a level or 'not yet observed': otherwise 409, with the codes still
    to rate in `errors.missing`. The educator's coach can reopen it.
    """
    with one_transaction():
        assessment = services.submit_self_assessment(educator, cycle)
    return {"cycle": cycle.id, "educator": educator.id, "status": assessment.status,
            "submitted_at": assessment.submitted_at}


@routes.route("/educators/<int:educator_id>/ratings/coach", methods=["PUT"], tags=["Ratings"])
@signed_in
@routes.arguments(CycleArgs, location="query", as_kwargs=True)
@routes.response(200, SavedRatingsSchema)
@routes.answers(400, 401, 403, 404, 409)
@checked_first(rating_writer(RaterKind.COACH))
@routes.arguments(RatingsInputSchema)
def put_coach_ratings(body, educator: User, cycle: Cycle):
    """Save the caller's coach ratings of an educator on their caseload.

    A separate record from the self-rating; the same body and rules as the self-ratings.
    """
    with one_transaction():
        ratings = services.save_coach_ratings(caller(), educator, cycle, inputs(body))
    return saved(RaterKind.COACH, cycle, educator, ratings)


# -- an educator's self-assessment ----------------------------------------------------------

def assessment_document(cycle: Cycle, educator: User) -> dict:
    assessment = services.self_assessment(cycle, educator)
    progress = queries.progress_of(cycle, [educator])[educator.id]
    ratings = queries.ratings_by_code(cycle, educator, RaterKind.SELF)
    return {"cycle": cycle.id, "educator": educator.id, "status": progress.status,
            "submitted_at": assessment.submitted_at if assessment else None,
            "shared_with_principal": bool(assessment and assessment.shared_with_principal),
            "answered": progress.answered, "total": progress.total, "minutes_left": progress.minutes_left,
            "domains": [{"domain": d.code, "total": len(d.competencies), "answered": sum(
                1 for c in d.competencies if c.code in ratings and ratings[c.code].answered)}
                for d in cycle.framework.domains]}


def ratings_visible_or_404(educator_id: int, cycle_id: int | None) -> tuple[User, Cycle]:
    educator = get_person_or_404(caller(), educator_id)
    cycle = cycle_meant(cycle_id)
    if not can_see_ratings(caller(), educator, cycle):
        deny("ratings", educator.id)
    return educator, cycle


@routes.route("/educators/<int:educator_id>/assessment", tags=["Ratings"])
@role_required(*Role)
@routes.arguments(CycleQueryArgs, location="query")
@routes.response(200, AssessmentSchema)
@routes.answers(401, 404)
def assessment(args, educator_id: int):
    """An educator's self-assessment in a cycle: status, progress by domain, sharing.

    For whoever may see the educator's ratings (the educator, their coaches; their principal
    and district admin when shared)."""
    educator, cycle = ratings_visible_or_404(educator_id, args["cycle"])
    return assessment_document(cycle, educator)


def educator_themself(educator_id: int, cycle: int) -> dict:
    educator = get_person_or_404(caller(), educator_id)
    loaded = {"educator": educator, "cycle": get_cycle_or_404(caller(), cycle)}
    if educator.id != caller().id:
        refuse("sharing", educator.id, "Only the educator themself decides whom to share with.")
    return loaded


@routes.route("/educators/<int:educator_id>/assessment/sharing", methods=["PUT"], tags=["Ratings"])
@role_required(Role.TEACHER, Role.COACH)
@routes.arguments(CycleArgs, location="query", as_kwargs=True)
@routes.response(200, AssessmentSchema)
@routes.answers(401, 403, 404)
@checked_first(educator_themself)
@routes.arguments(SharingInputSchema)
def put_sharing(body, educator: User, cycle: Cycle):
    """Share the caller's individual self-ratings of a cycle with their principal, or withdraw
    them. The educator themself only (403 for anyone else who may see them)."""
    with one_transaction():
        services.set_sharing(educator, cycle, body["shared"])
    return assessment_document(cycle, educator)


@routes.route("/educators/<int:educator_id>/assessment/reopen", methods=["POST"], tags=["Ratings"])
@role_required(Role.COACH)
@routes.arguments(CycleArgs, location="query")
@routes.response(200, AssessmentSchema)
@routes.answers(401, 403, 404, 409)
def reopen_assessment(args, educator_id: int):
    """Reopen a submitted self-assessment so the educator can change it (their coach; audited).
    409 when it is not submitted or the cycle is not open."""
    educator, cycle = get_person_or_404(caller(), educator_id), get_cycle_or_404(caller(), args["cycle"])
    if not coaches(caller(), educator):
        refuse("self_assessment", educator.id, "Only the educator's coach can reopen it.")
    with one_transaction():
        services.reopen_self_assessment(caller(), educator, cycle)
    return assessment_document(cycle, educator)


def calibration_rows(rows) -> dict:
    return {"rows": rows, "flagged": sum(1 for r in rows if r.flagged)}


@routes.route("/educators/<int:educator_id>/calibration", tags=["Ratings"])
@role_required(*Role)
@routes.arguments(CycleQueryArgs, location="query")
@routes.response(200, CalibrationSchema)
@routes.answers(401, 404)
def calibration(args, educator_id: int):
    """Self and coach levels side by side per competency, the difference, and the flags (2
    levels or more), with the flags of earlier cycles. Whoever may see the ratings."""
    educator, cycle = ratings_visible_or_404(educator_id, args["cycle"])
    history = [{"cycle": c.id, "name": c.name, **calibration_rows(rows)}
               for c, rows in queries.calibration_history(
                   educator, lambda c: can_see_ratings(caller(), educator, c))]
    return {"cycle": cycle.id, "name": cycle.name, "educator": educator.id,
            **calibration_rows(queries.calibration(cycle, educator)), "history": history}


# -- a coach's caseload; a school's ratings -------------------------------------------------

@routes.route("/caseload", tags=["Ratings"])
@role_required(Role.COACH)
@routes.arguments(CaseloadArgs, location="query")
@routes.response(200, page_of(CaseloadRowSchema, "CaseloadPage"))
@routes.answers(401, 404)
def caseload(args):
    """The caller's caseload (coaches) with each educator's self-assessment progress, how much
    the caller has rated, and the calibration flags, in a cycle."""
    cycle = cycle_meant(args["cycle"])
    rows = [{"educator": row.educator, "status": row.progress.status, "answered": row.progress.answered,
             "total": row.progress.total, "coach_rated": row.coach_rated, "flags": row.flags}
            for row in queries.caseload_status(caller(), cycle)]
    return page_of_list(rows, args)


@routes.route("/schools/<int:school_id>/ratings", tags=["Schools"])
@role_required(Role.PRINCIPAL, Role.DISTRICT_ADMIN)
@routes.arguments(CycleQueryArgs, location="query")
@routes.response(200, SchoolRatingsSchema)
@routes.answers(401, 404)
def school_ratings(args, school_id: int):
    """Mean self and coach level per competency over a school (withheld below the privacy
    threshold), and who shared their individual ratings. Its principals and district admins."""
    school = get_school_or_404(caller(), school_id)
    if school not in queries.schools_led_by(caller()):
        deny("school", school.id)
    cycle = cycle_meant(args["cycle"])
    measures, _ = shown_measures(cycle, [school.id])
    document = {"school": school, "cycle": cycle.id, "privacy_min_group": min_group(),
                "competencies": [{"competency": c.code, "self_count": c.self_mean.people,
                                  "self_mean": c.self_mean.value, "coach_count": c.coach_mean.people,
                                  "coach_mean": c.coach_mean.value} for c in measures.competencies],
                "shared": [a.educator for a in queries.shared_assessments(cycle, {school.id})]}
    db.session.commit()   # keeps the school's summary if it was computed for this request
    return document
