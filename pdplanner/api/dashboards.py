"""/api/v1: the dashboards' figures per role. A coach's (caseload completion, calibration
flags, lanes, cohorts they lead, the evidence queue) and the district's (the schools side by
side, with the same measures). A principal's are GET /schools/{id}/readiness; an educator's home
is GET /educators/{id}/assessment, /ratings and /plan. The same queries as the home pages."""

import marshmallow as ma
from marshmallow import fields

from pdplanner.accounts.models import Role
from pdplanner.api import schemas
from pdplanner.api.assessments import CycleQueryArgs, requested_cycle
from pdplanner.api.readiness import headline_document
from pdplanner.api.views import answers, bp, caller, problem
from pdplanner.assessments.models import AssessmentStatus
from pdplanner.assessments.queries import schools_led_by
from pdplanner.dashboards.queries import coach_dashboard, leader_dashboard
from pdplanner.extensions import db
from pdplanner.permissions import role_required

described = schemas.described


# -- schemas --------------------------------------------------------------------------------

class CaseloadLineSchema(ma.Schema):
    educator = fields.Nested(schemas.PersonSchema)
    status = fields.Enum(AssessmentStatus, by_value=True, allow_none=True)
    answered = fields.Integer()
    total = fields.Integer()
    coach_rated = fields.Integer()
    flags = fields.Integer()
    lane = fields.String(allow_none=True, **described("The district's label of their lane, once planned."))
    cohort = fields.String(allow_none=True, **described("The name of their cohort, if any."))


class LedCohortSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()
    members = fields.Integer()
    activities_done = fields.Integer()
    activities_total = fields.Integer()


class LaneTallySchema(ma.Schema):
    label = fields.String()
    count = fields.Integer()


class CoachDashboardSchema(ma.Schema):
    cycle = fields.Integer()
    submitted = fields.Integer(**described("Caseload self-assessments submitted."))
    coach_rated = fields.Integer(**described("Caseload educators the caller has rated at all."))
    flagged = fields.Integer(**described("Caseload educators with a calibration flag."))
    evidence_queue = fields.Integer(**described("Activities waiting for the caller to verify."))
    lanes = fields.List(fields.Nested(LaneTallySchema))
    caseload = fields.List(fields.Nested(CaseloadLineSchema))
    cohorts = fields.List(fields.Nested(LedCohortSchema), **described("The cohorts the caller leads."))


class HeadlineSchema(ma.Schema):
    participation = fields.Nested(schemas.ParticipationSchema)
    lanes = fields.List(fields.Nested(schemas.LaneCountSchema))
    not_planned = fields.Integer()
    readiness = fields.Nested(schemas.MeasureSchema)
    domains = fields.List(fields.Nested(schemas.DomainMeasureSchema))
    goals = fields.Nested(schemas.ProgressCountSchema)
    activities = fields.Nested(schemas.ActivityCountSchema)


class SchoolHeadlineSchema(HeadlineSchema):
    school = fields.Nested(schemas.SchoolRefSchema)


class DistrictSummarySchema(ma.Schema):
    district = fields.Nested(schemas.SchoolRefSchema)
    cycle = fields.Integer()
    privacy_min_group = fields.Integer()
    cohorts = fields.Integer(**described("Cohorts in the cycle."))
    totals = fields.Nested(HeadlineSchema, **described("The whole district."))
    schools = fields.List(fields.Nested(SchoolHeadlineSchema), **described("Each school, by name."))


# -- the routes -----------------------------------------------------------------------------

@bp.route("/dashboards/coach", tags=["Dashboards"])
@role_required(Role.COACH)
@bp.arguments(CycleQueryArgs, location="query", as_kwargs=True)
@bp.response(200, CoachDashboardSchema)
@answers(401, 404)
def coach_dashboard_figures(cycle: int | None):
    """The caller's coach dashboard in a cycle (coaches): their caseload's completion, flags,
    lanes and cohorts, the cohorts they lead, and how much evidence waits for them."""
    found = requested_cycle(cycle)
    board = coach_dashboard(caller(), found)
    return {
        "cycle": found.id, "submitted": board.submitted, "coach_rated": board.coach_rated,
        "flagged": board.flagged, "evidence_queue": board.queue,
        "lanes": [{"label": label, "count": count} for label, count in board.lane_counts.items()],
        "caseload": [{"educator": line.status.educator, "status": line.status.progress.status,
                      "answered": line.status.progress.answered, "total": line.status.progress.total,
                      "coach_rated": line.status.coach_rated, "flags": line.status.flags,
                      "lane": line.lane, "cohort": line.cohort} for line in board.caseload],
        "cohorts": [{"id": led.cohort.id, "name": led.name, "members": led.members,
                     "activities_done": led.activities_done, "activities_total": led.activities_total}
                    for led in board.cohorts],
    }


@bp.route("/districts/<int:district_id>/summary", tags=["Dashboards"])
@role_required(Role.DISTRICT_ADMIN)
@bp.arguments(CycleQueryArgs, location="query", as_kwargs=True)
@bp.response(200, DistrictSummarySchema)
@answers(401, 404)
def district_summary(district_id: int, cycle: int | None):
    """The caller's district in a cycle (district admins): its totals and every school side by
    side, with the same measures and privacy threshold as the district page."""
    if district_id != caller().district_id:
        problem(404, f"There is no district {district_id} you administer.")
    found = requested_cycle(cycle)
    schools = schools_led_by(caller())
    board = leader_dashboard(found, schools, whole_district=True)
    district = caller().district
    document = {
        "district": {"id": district.id, "code": district.code, "name": district.name},
        "cycle": found.id, "privacy_min_group": board.min_group, "cohorts": board.cohort_count,
        "totals": headline_document(board.measures, board),
        "schools": [{"school": s, **headline_document(board.by_school[s.id], board)}
                    for s in schools if s.id in board.by_school],
    }
    db.session.commit()   # keeps the summaries computed for this request, as the district page does
    return document
