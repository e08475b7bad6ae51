"""/api/v1: the dashboards' figures per role. A principal's: a school's readiness (participation,
lanes, per-domain and per-competency figures, cohorts); a coach's (caseload completion,
calibration flags, lanes, cohorts they lead, the evidence queue); the district's (the schools
side by side, with the same measures). An educator's home is GET /educators/{id}/assessment,
/ratings and /plan. The same queries and privacy threshold as the home pages."""

import marshmallow as ma
from marshmallow import fields, validate

from pdplanner.accounts.models import Role
from pdplanner.api.assessments import CycleQueryArgs, cycle_meant
from pdplanner.api.plumbing import Routes, caller, described, problem
from pdplanner.api.schemas import PersonSchema, PlanArgs, SchoolRefSchema
from pdplanner.assessments.models import AssessmentStatus
from pdplanner.assessments.queries import schools_led_by
from pdplanner.core.summaries import Measure, SchoolMeasures
from pdplanner.dashboards.queries import LeaderDashboard, coach_dashboard, leader_dashboard
from pdplanner.extensions import db
from pdplanner.permissions import can_see_rating_figures, get_school_or_404, role_required, signed_in

routes = Routes()


# -- schemas: a school's readiness ----------------------------------------------------------

class MeasureSchema(ma.Schema):
    people = fields.Integer(**described("How many people the figure is over."))
    mean = fields.Float(allow_none=True, **described(
        "The published mean, one decimal (a share 0-1 for readiness and at_target); null when suppressed "
        "or nobody is rated. Only submitted self-assessments count, and it changes only once "
        "privacy_min_group people who do not share their ratings have changed (docs/PRIVACY.md)."))
    suppressed = fields.Boolean(**described(
        "True when withheld: fewer than privacy_min_group people who do not share their ratings are in it, "
        "showing it would give away a withheld figure beside it, or the caller reads counts only (a coach)."))


class ParticipationSchema(ma.Schema):
    educators = fields.Integer()
    started = fields.Integer()
    submitted = fields.Integer()
    coach_rated = fields.Integer()
    shared = fields.Integer()


class LaneCountSchema(ma.Schema):
    name = fields.String(validate=validate.OneOf(["fast", "slow"]))
    label = fields.String()
    count = fields.Integer()


class DomainMeasureSchema(MeasureSchema):
    domain = fields.String()
    name = fields.String()


class CompetencyMeasureSchema(ma.Schema):
    competency = fields.String()
    self = fields.Nested(MeasureSchema)
    coach = fields.Nested(MeasureSchema)
    current = fields.Nested(MeasureSchema)
    at_target = fields.Nested(MeasureSchema)
    goals = fields.Integer(**described("Goals set on this competency in the cycle."))


class ProgressCountSchema(ma.Schema):
    total = fields.Integer()
    met = fields.Integer()


class ActivityCountSchema(ma.Schema):
    total = fields.Integer()
    done = fields.Integer()
    verified = fields.Integer()


class CohortActivityCountSchema(ma.Schema):
    total = fields.Integer()
    done = fields.Integer()


class CohortReadinessSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()
    lane = fields.String(validate=validate.OneOf(["fast", "slow"]))
    status = fields.String(validate=validate.OneOf(["proposed", "confirmed"]))
    coach = fields.Nested(PersonSchema, allow_none=True)
    members = fields.Integer(**described("Members from this school."))
    readiness = fields.Nested(MeasureSchema)
    goals = fields.Nested(ProgressCountSchema)
    activities = fields.Nested(CohortActivityCountSchema)


class ReadinessSchema(ma.Schema):
    school = fields.Nested(SchoolRefSchema)
    cycle = fields.Integer()
    privacy_min_group = fields.Integer()
    participation = fields.Nested(ParticipationSchema)
    lanes = fields.List(fields.Nested(LaneCountSchema))
    not_planned = fields.Integer()
    readiness = fields.Nested(MeasureSchema, **described("Mean share of rated competencies at target."))
    domains = fields.List(fields.Nested(DomainMeasureSchema))
    competencies = fields.List(fields.Nested(CompetencyMeasureSchema))
    strengths = fields.List(fields.String(), **described(
        "Up to three competency codes with the highest share at target."))
    opportunities = fields.List(fields.String(), **described(
        "Up to three competency codes with the lowest share at target, strengths excluded."))
    goals = fields.Nested(ProgressCountSchema)
    activities = fields.Nested(ActivityCountSchema)
    cohorts = fields.List(fields.Nested(CohortReadinessSchema))


# -- schemas: the coach's and the district's dashboards -------------------------------------

class CaseloadLineSchema(ma.Schema):
    educator = fields.Nested(PersonSchema)
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
    participation = fields.Nested(ParticipationSchema)
    lanes = fields.List(fields.Nested(LaneCountSchema))
    not_planned = fields.Integer()
    readiness = fields.Nested(MeasureSchema)
    domains = fields.List(fields.Nested(DomainMeasureSchema))
    goals = fields.Nested(ProgressCountSchema)
    activities = fields.Nested(ActivityCountSchema)


class SchoolHeadlineSchema(HeadlineSchema):
    school = fields.Nested(SchoolRefSchema)


class DistrictSummarySchema(ma.Schema):
    district = fields.Nested(SchoolRefSchema)
    cycle = fields.Integer()
    privacy_min_group = fields.Integer()
    cohorts = fields.Integer(**described("Cohorts in the cycle."))
    totals = fields.Nested(HeadlineSchema, **described("The whole district."))
    schools = fields.List(fields.Nested(SchoolHeadlineSchema), **described("Each school, by name."))


# -- documents ------------------------------------------------------------------------------
# A LeaderDashboard as the API's readiness document (SPEC section 10): the same measures as the
# principal's page, the same privacy threshold.

def _measure(m: Measure) -> dict:
    return {"people": m.people, "mean": m.value, "suppressed": m.suppressed}


def headline_document(m: SchoolMeasures, board: LeaderDashboard) -> dict:
    """The headline figures of some schools (one, or the whole district): what the district
    page shows side by side."""
    return {
        "participation": {"educators": m.educators, "started": m.started, "submitted": m.submitted,
                          "coach_rated": m.coach_rated, "shared": m.shared},
        "lanes": [{"name": lane, "label": label, "count": m.lanes.get(lane, 0)}
                  for lane, label in board.lane_labels.items()],
        "not_planned": max(m.educators - m.planned, 0),
        "readiness": _measure(m.readiness),
        "domains": [{"domain": code, "name": name, **_measure(m.domains[code])}
                    for code, name in board.domain_names.items() if code in m.domains],
        "goals": {"total": m.goals_total, "met": m.goals_met},
        "activities": {"total": m.activities_total, "done": m.activities_done,
                       "verified": m.activities_verified},
    }


def readiness_document(board: LeaderDashboard) -> dict:
    school, m = board.schools[0], board.measures
    return {
        "school": {"id": school.id, "code": school.code, "name": school.name},
        "cycle": board.cycle.id,
        "privacy_min_group": board.min_group,
        **headline_document(m, board),
        "competencies": [{"competency": c.code, "self": _measure(c.self_mean),
                          "coach": _measure(c.coach_mean),
                          "current": _measure(c.current_mean), "at_target": _measure(c.at_target),
                          "goals": m.goal_focus.get(c.code, 0)} for c in m.competencies],
        "strengths": [c.code for c in m.strengths],
        "opportunities": [c.code for c in m.opportunities],
        "cohorts": [{"id": row.cohort.id, "name": row.name, "lane": row.cohort.lane,
                     "status": row.cohort.status.value,
                     "coach": ({"id": row.cohort.coach.id, "name": row.cohort.coach.name,
                                "email": row.cohort.coach.email} if row.cohort.coach else None),
                     "members": row.figures.members, "readiness": _measure(row.figures.readiness),
                     "goals": {"total": row.figures.goals_total, "met": row.figures.goals_met},
                     "activities": {"total": row.figures.activities_total,
                                    "done": row.figures.activities_done}}
                    for row in board.cohorts],
    }


# -- the coach's and the district's dashboards ----------------------------------------------

@routes.route("/dashboards/coach", tags=["Dashboards"])
@role_required(Role.COACH)
@routes.arguments(CycleQueryArgs, location="query")
@routes.response(200, CoachDashboardSchema)
@routes.answers(401, 404)
def coach_dashboard_figures(args):
    """The caller's coach dashboard in a cycle (coaches): their caseload's completion, flags,
    lanes and cohorts, the cohorts they lead, and how much evidence waits for them."""
    cycle = cycle_meant(args["cycle"])
    board = coach_dashboard(caller(), cycle)
    return {
        "cycle": cycle.id, "submitted": board.submitted, "coach_rated": board.coach_rated,
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


@routes.route("/districts/<int:district_id>/summary", tags=["Dashboards"])
@role_required(Role.DISTRICT_ADMIN)
@routes.arguments(CycleQueryArgs, location="query")
@routes.response(200, DistrictSummarySchema)
@routes.answers(401, 404)
def district_summary(args, district_id: int):
    """The caller's district in a cycle (district admins): its totals and every school side by
    side, with the same measures and privacy threshold as the district page."""
    if district_id != caller().district_id:
        problem(404, f"There is no district {district_id} you administer.")
    cycle = cycle_meant(args["cycle"])
    schools = schools_led_by(caller())
    board = leader_dashboard(cycle, schools, whole_district=True)
    district = caller().district
    document = {
        "district": {"id": district.id, "code": district.code, "name": district.name},
        "cycle": cycle.id, "privacy_min_group": board.min_group, "cohorts": board.cohort_count,
        "totals": headline_document(board.measures, board),
        "schools": [{"school": s, **headline_document(board.by_school[s.id], board)}
                    for s in schools if s.id in board.by_school],
    }
    db.session.commit()   # keeps the summaries computed for this request, as the district page does
    return document


# -- a school's readiness -------------------------------------------------------------------

@routes.route("/schools/<int:school_id>/readiness", tags=["Schools"])
@signed_in
@routes.arguments(PlanArgs, location="query")
@routes.response(200, ReadinessSchema)
@routes.answers(401, 404)
def school_readiness(args, school_id: int):
    """A school's readiness in a cycle: participation, lane counts, per-domain and per-competency
    figures (withheld below the privacy threshold) and cohorts with their progress.

    For the school's principals and coaches and the district's admins.
    """
    school = get_school_or_404(caller(), school_id)
    cycle = cycle_meant(args["cycle"])
    document = readiness_document(leader_dashboard(cycle, [school],
                                                   ratings=can_see_rating_figures(caller(), school)))
    db.session.commit()   # keeps the school's summary if it was computed for this request
    return document
