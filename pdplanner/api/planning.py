"""/api/v1: an educator's plan (goals with their activities, lane, cohort), learning paths (list,
assign to a person or a cohort, progress, verify, return, remove), lanes and their overrides,
cohorts (list, detail, confirm, members, coach), planning runs, the district's planning
settings, and the catalogue of activities. The same services, queries and rules as the plan,
planning, settings and catalogue pages."""

import marshmallow as ma
from marshmallow import fields, validate

from pdplanner.accounts.models import Role, User
from pdplanner.api.assessments import cycle_meant
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
    row_id,
)
from pdplanner.api.schemas import PersonSchema, PlanArgs
from pdplanner.assessments.models import Cycle
from pdplanner.assessments.queries import schools_led_by
from pdplanner.core.types import CURRENT_LEVEL_POLICIES, LANES
from pdplanner.extensions import db
from pdplanner.permissions import (
    NOTHING,
    PersonView,
    can_lead_cohort,
    can_place,
    can_see_person,
    deny,
    get_cohort_or_404,
    get_cycle_or_404,
    get_path_activity_or_404,
    get_person_or_404,
    get_plan_owner_or_404,
    get_resource_or_404,
    guides,
    person_view,
    person_views,
    role_required,
    signed_in,
)
from pdplanner.planning import queries, services
from pdplanner.planning.models import Cohort, CohortStatus, PathActivity, Resource, ResourceKind
from pdplanner.planning.queries import EducatorPlan, activity_why
from pdplanner.planning.services import EDUCATOR_STATUSES, REFLECTION_LIMIT

admin_only = role_required(Role.DISTRICT_ADMIN)
coaches_only = role_required(Role.COACH)
planners = role_required(Role.COACH, Role.PRINCIPAL, Role.DISTRICT_ADMIN)
leaders = role_required(Role.PRINCIPAL, Role.DISTRICT_ADMIN)

routes = Routes()


# -- schemas --------------------------------------------------------------------------------

class ActivitySchema(ma.Schema):
    id = fields.Integer()
    resource = fields.Integer(attribute="resource_id", allow_none=True, **described(
        "The catalogue activity's id. This, its title, kind and hours are null for a caller who may "
        "not see the educator's levels: the catalogue says which levels each activity suits."))
    title = fields.String(allow_none=True)
    kind = fields.String(allow_none=True)
    hours = fields.Float(allow_none=True)
    competency = fields.String(attribute="competency_code")
    status = fields.String(validate=validate.OneOf(["planned", "in_progress", "done", "verified"]))
    source = fields.String(**described("`suggested` by the planner or assigned by a `coach`."))
    why = fields.String(**described("Why it is on the path; without levels for a caller who may not "
                                    "see them (docs/PRIVACY.md)."))
    reflection = fields.String(allow_none=True, **described("Null unless the caller may see ratings."))
    evidence_url = fields.String(allow_none=True, **described("Null unless the caller may see ratings."))


class GoalSchema(ma.Schema):
    competency = fields.String()
    from_level = fields.Integer(allow_none=True, **described(
        "Null when not yet observed, or when the caller may not see the educator's ratings."))
    to_level = fields.Integer(allow_none=True)
    why = fields.String(allow_none=True)
    status = fields.String(validate=validate.OneOf(["active", "verified"]))
    activities = fields.List(fields.Nested(ActivitySchema))


class LaneSchema(ma.Schema):
    name = fields.String(validate=validate.OneOf(["fast", "slow"]))
    label = fields.String(**described("The district's growth-framed name of the lane."))
    why = fields.String(**described("The numbers behind the lane, or the reason of an override; without "
                                    "numbers for a caller who may not see the levels (docs/PRIVACY.md)."))
    overridden = fields.Boolean()


class PlanCohortSchema(ma.Schema):
    id = fields.Integer()
    name = fields.String()
    status = fields.String(validate=validate.OneOf(["proposed", "confirmed"]))
    coach = fields.Nested(PersonSchema, allow_none=True)
    members = fields.List(fields.Nested(PersonSchema))


class PlanSchema(ma.Schema):
    cycle = fields.Integer()
    educator = fields.Integer()
    ratings_visible = fields.Boolean(**described(
        "False for a principal or admin the educator has not shared this cycle's ratings with: "
        "levels, whys of goals, reflections and evidence are then null."))
    goals = fields.List(fields.Nested(GoalSchema), **described("In priority order."))
    other_activities = fields.List(fields.Nested(ActivitySchema), **described(
        "Activities on competencies that are not one of the goals."))
    lane = fields.Nested(LaneSchema, allow_none=True, **described("Null until the cycle is planned."))
    cohort = fields.Nested(PlanCohortSchema, allow_none=True, **described("Null: individual coaching."))
    individual_reason = fields.String(allow_none=True)


class PlanCycleArgs(ma.Schema):
    cycle = row_id("The id of a cycle of the caller's district; by default the open cycle, else "
                   "the newest planned.", load_default=None)


class PathArgs(PageArgs, PlanCycleArgs):
    pass


class PathActivitySchema(ActivitySchema):
    cycle = fields.Integer(attribute="cycle_id")
    educator = fields.Integer(attribute="educator_id")
    coach_note = fields.String(allow_none=True, **described(
        "What the coach asked for when sending it back; null unless the caller may see ratings."))


class AssignInputSchema(ma.Schema):
    resource = row_id("The id of an active activity of the catalogue (GET /resources).",
                      strict=True, required=True)
    competency = fields.String(required=True, validate=validate.Length(min=1, max=20), **described(
        "The competency code it works on; one the activity covers.", example="COG.2"))


class AssignedSchema(ma.Schema):
    added = fields.Integer(**described("Paths the activity was added to."))
    already = fields.Integer(**described("Paths that had it already (their progress is kept)."))


class ProgressInputSchema(ma.Schema):
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in EDUCATOR_STATUSES]),
                           **described("`done` needs a reflection or evidence; the coach then verifies."))
    reflection = fields.String(load_default="", validate=validate.Length(max=REFLECTION_LIMIT))
    evidence_url = fields.String(load_default="", validate=validate.Length(max=500),
                                 **described("An http(s) link to evidence, or empty."))


class VerifyInputSchema(ma.Schema):
    goal_met = fields.Boolean(load_default=False, **described(
        "Also mark the goal on the activity's competency as met, recording its level as evidence."))


class VerifiedSchema(ma.Schema):
    activity = fields.Nested(PathActivitySchema)
    goal_verified = fields.String(allow_none=True, **described("The competency of the goal marked met."))


class ReturnInputSchema(ma.Schema):
    note = fields.String(required=True, validate=validate.Length(min=1, max=REFLECTION_LIMIT),
                         **described("What is missing; the educator sees it."))


class LaneDetailSchema(ma.Schema):
    cycle = fields.Integer()
    educator = fields.Integer()
    lane = fields.String(validate=validate.OneOf(LANES))
    label = fields.String()
    why = fields.String()
    overridden = fields.Boolean()
    override_reason = fields.String(allow_none=True)
    rated = fields.Integer(allow_none=True, **described(
        "Competencies with a current level. This and the other numbers are null for a caller who may "
        "not see the educator's levels (docs/PRIVACY.md)."))
    at_target = fields.Integer(allow_none=True)
    lowest_domain = fields.String(allow_none=True)
    lowest_domain_mean = fields.Float(allow_none=True)


class LaneInputSchema(ma.Schema):
    lane = fields.String(required=True, allow_none=True, validate=validate.OneOf(LANES), **described(
        "The lane to set, or null to clear the override so the numbers decide again."))
    reason = fields.String(load_default="", validate=validate.Length(max=1000), **described(
        "Why (3 to 1000 characters), required with a lane: the educator sees it."))


class CohortSchema(ma.Schema):
    id = fields.Integer()
    cycle = fields.Integer()
    name = fields.String(**described("Its focus, with its lane for whoever leads it."))
    lane = fields.String(allow_none=True, validate=validate.OneOf(LANES), **described(
        "Null, as is `why`, for a member or the coach of a member who does not lead the cohort: "
        "they see its focus, coach and members, not each member's lane (docs/PRIVACY.md)."))
    focus = fields.String(**described("The competency (or domain) code the cohort works on."))
    status = fields.Enum(CohortStatus, by_value=True, **described(
        "A confirmed cohort stays as it is when the cycle is re-planned."))
    why = fields.String(allow_none=True)
    schools = fields.List(fields.Integer(), **described("The ids of its members' schools."))
    coach = fields.Nested(PersonSchema, allow_none=True)
    members = fields.List(fields.Nested(PersonSchema))


class CohortArgs(PageArgs, PlanCycleArgs):
    school = row_id("Only the cohorts of this school (one the caller leads).", load_default=None)
    lane = fields.String(load_default=None, validate=validate.OneOf(LANES))
    status = fields.String(load_default=None, validate=validate.OneOf([s.value for s in CohortStatus]))


class MemberInputSchema(ma.Schema):
    person = row_id("The id of an educator with a plan in the cohort's cycle.", strict=True,
                    required=True)


class CohortCoachInputSchema(ma.Schema):
    coach = row_id("The id of a coach of the district; null for none.", strict=True,
                   required=True, allow_none=True)


class PlanRunSchema(ma.Schema):
    cycle = fields.Integer()
    educators = fields.Integer()
    goals = fields.Integer()
    fast = fields.Integer()
    slow = fields.Integer()
    cohorts = fields.Integer()
    confirmed_cohorts = fields.Integer()
    individual = fields.Integer()
    activities = fields.Integer()
    summary = fields.String()


class SettingsSchema(ma.Schema):
    current_level_policy = fields.String(required=True, validate=validate.OneOf(CURRENT_LEVEL_POLICIES))
    interest_bonus = fields.Float(required=True, validate=validate.Range(min=0, max=5))
    foundational_bonus = fields.Float(required=True, validate=validate.Range(min=0, max=5))
    goals_per_educator = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=10))
    goals_per_domain = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=10))
    fast_lane_readiness = fields.Float(required=True,
                                       validate=validate.Range(min=0, max=1, min_inclusive=False),
                                       **described("A share: 0.6 means 60% of rated competencies at target."))
    fast_lane_min_domain_mean = fields.Float(required=True, validate=validate.Range(min=1, max=4))
    cohort_min_size = fields.Integer(strict=True, required=True, validate=validate.Range(min=2, max=30))
    cohort_max_size = fields.Integer(strict=True, required=True, validate=validate.Range(min=2, max=30))
    coach_caseload_limit = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=200))
    fast_lane_label = fields.String(required=True, validate=validate.Length(min=1, max=60))
    slow_lane_label = fields.String(required=True, validate=validate.Length(min=1, max=60))


class ResourceSchema(ma.Schema):
    id = fields.Integer()
    key = fields.String()
    title = fields.String()
    kind = fields.Enum(ResourceKind, by_value=True)
    competencies = fields.List(fields.String())
    level_min = fields.Integer()
    level_max = fields.Integer()
    hours = fields.Float()
    lanes = fields.List(fields.String(validate=validate.OneOf(LANES)))
    description = fields.String()
    evidence = fields.String(**described("The evidence of mastery it produces."))
    active = fields.Boolean()
    shared = fields.Function(lambda r: r.district_id is None, **described(
        "True for the catalogue every district shares; editing it gives the district its own copy."))


class ResourceInputSchema(ma.Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in ResourceKind]))
    competencies = fields.List(fields.String(validate=validate.Length(max=20)), required=True,
                               validate=validate.Length(min=1, max=30),
                               **described("Competency codes.", example=["COG.2"]))
    level_min = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=4))
    level_max = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=4))
    hours = fields.Float(required=True, validate=validate.Range(min=0, max=500, min_inclusive=False))
    lanes = fields.List(fields.String(validate=validate.OneOf(LANES)), required=True,
                        validate=validate.Length(min=1, max=2))
    description = fields.String(load_default="", validate=validate.Length(max=5000))
    evidence = fields.String(load_default="", validate=validate.Length(max=5000))
    active = fields.Boolean(load_default=True)


class ResourceArgs(PageArgs):
    competency = fields.String(load_default=None, validate=validate.Length(max=20),
                               **described("Only activities on this competency code."))
    kind = fields.String(load_default=None, validate=validate.OneOf([k.value for k in ResourceKind]))


# -- loading and authorizing ----------------------------------------------------------------

def plan_cycle(cycle_id: int | None) -> Cycle:
    """The cycle a plan, path, lane or cohort list means: the one named, else the planned one."""
    return cycle_meant(cycle_id, queries.planned_cycle, "There is no cycle to plan yet.")


def path_activity_document(activity: PathActivity, view: PersonView, names: dict[str, str]) -> dict:
    return {**activity_document(activity, view, names), "cycle_id": activity.cycle_id,
            "educator_id": activity.educator_id, "coach_note": activity.coach_note if view.evidence else None}


def seen_activity_document(activity: PathActivity) -> dict:
    """One path activity as the caller sees it (`person_view`)."""
    cycle = db.session.get(Cycle, activity.cycle_id)
    return path_activity_document(activity, person_view(caller(), activity.educator, cycle),
                                  queries.competency_names(cycle))


def cohort_document(view: queries.CohortView) -> dict:
    cohort = view.cohort
    return {"id": cohort.id, "cycle": cohort.cycle_id, "name": view.name, "lane": view.lane,
            "focus": cohort.focus, "status": cohort.status, "why": view.why, "schools": cohort.school_ids,
            "coach": cohort.coach, "members": view.members}


# -- documents ------------------------------------------------------------------------------
# An EducatorPlan as the API's plan document (SPEC section 10), with what the caller may not
# see (`EducatorPlan.view`, permissions.person_view) blanked rather than left out, so the shape
# never changes.

def activity_document(activity, view: PersonView, names: dict[str, str]) -> dict:
    """`names`: competency code -> name (planning.queries.competency_names)."""
    evidence, shown = view.evidence, view.levels
    resource = activity.resource
    # Which catalogue activity it is would tell the levels it suits (permissions.PersonView).
    return {"id": activity.id, "resource_id": activity.resource_id if shown else None,
            "title": resource.title if shown else None, "kind": resource.kind.value if shown else None,
            "hours": resource.hours if shown else None,
            "competency_code": activity.competency_code, "status": activity.status.value,
            "source": activity.source, "why": activity_why(activity, view, names),
            "reflection": activity.reflection if evidence else None,
            "evidence_url": activity.evidence_url if evidence else None}


def _person(user) -> dict | None:
    return {"id": user.id, "name": user.name, "email": user.email} if user else None


def plan_document(plan: EducatorPlan) -> dict:
    placement, cohort, levels = plan.placement, plan.cohort, plan.view.levels

    def activities(listed) -> list[dict]:
        return [activity_document(a, plan.view, plan.competency_names) for a in listed]

    return {
        "cycle": plan.cycle.id, "educator": plan.educator.id, "ratings_visible": levels,
        "goals": [{"competency": g.goal.competency_code, "status": g.goal.status.value,
                   "from_level": plan.from_level(g.goal), "to_level": plan.to_level(g.goal),
                   "why": g.goal.why if levels else None,
                   "activities": activities(g.activities)} for g in plan.goals],
        "other_activities": activities(plan.other_activities),
        "lane": {"name": placement.lane, "label": plan.lane_label, "why": plan.lane_why,
                 "overridden": placement.override_lane is not None} if placement else None,
        "cohort": {"id": cohort.cohort.id, "name": cohort.name, "status": cohort.cohort.status.value,
                   "coach": _person(cohort.cohort.coach),
                   "members": [_person(m) for m in cohort.members]} if cohort else None,
        "individual_reason": plan.individual_reason or None if placement and not cohort else None,
    }


# -- learning paths -------------------------------------------------------------------------

@routes.route("/educators/<int:educator_id>/path", tags=["Paths"])
@role_required(*Role)
@routes.arguments(PathArgs, location="query")
@routes.response(200, page_of(PathActivitySchema, "PathActivityPage"))
@routes.answers(401, 404)
def path(args, educator_id: int):
    """An educator's learning path in a cycle: every activity, goals' first, in order.

    Whoever may see the plan; reflections, evidence and coach notes are null for a principal or
    district admin unless the educator shared that cycle's ratings."""
    cycle = plan_cycle(args["cycle"])
    educator = get_plan_owner_or_404(caller(), educator_id, cycle.id)
    plan = queries.plan_of(educator, cycle, caller())
    activities = [a for g in plan.goals for a in g.activities] + plan.other_activities
    return page_of_list([path_activity_document(a, plan.view, plan.competency_names) for a in activities],
                        args)


def resource_or_422(resource_id: int) -> Resource:
    resource = next((r for r in queries.visible_resources(caller().district_id) if r.id == resource_id), None)
    if resource is None:
        problem(422, "Nothing was assigned: choose an active activity of your catalogue.",
                {"resource": f"{resource_id} is not an active activity of your district's catalogue"})
    return resource


def guided_educator(educator_id: int, cycle: int | None) -> dict:
    planning_cycle = plan_cycle(cycle)
    educator = get_plan_owner_or_404(caller(), educator_id, planning_cycle.id)
    if not guides(caller(), educator, planning_cycle.id):
        deny("user", educator.id)
    return {"educator": educator, "cycle": planning_cycle}


@routes.route("/educators/<int:educator_id>/path", methods=["POST"], tags=["Paths"])
@coaches_only
@routes.arguments(PlanCycleArgs, location="query", as_kwargs=True)
@routes.response(200, AssignedSchema)
@routes.answers(401, 404, 409)
@checked_first(guided_educator)
@routes.arguments(AssignInputSchema)
def assign_to_person(body, educator: User, cycle: Cycle):
    """Add a catalogue activity to an educator's path (their coach, or their cohort's coach)."""
    resource = resource_or_422(body["resource"])
    with one_transaction():
        added, already = services.assign_activity(cycle, [educator], resource, body["competency"],
                                                  actor=caller())
    return {"added": added, "already": already}


def coached_cohort(cohort_id: int) -> dict:
    cohort = get_cohort_or_404(caller(), cohort_id)
    if cohort.coach_id != caller().id:
        deny("cohort", cohort.id)
    return {"cohort": cohort}


@routes.route("/cohorts/<int:cohort_id>/path", methods=["POST"], tags=["Paths"])
@coaches_only
@routes.response(200, AssignedSchema)
@routes.answers(401, 404, 409)
@checked_first(coached_cohort)
@routes.arguments(AssignInputSchema)
def assign_to_cohort(body, cohort: Cohort):
    """Add a catalogue activity to the path of every member of a cohort (the cohort's coach)."""
    resource = resource_or_422(body["resource"])
    view = queries.cohort_view(cohort, caller())
    with one_transaction():
        added, already = services.assign_activity(cohort.cycle, view.members, resource, body["competency"],
                                                  actor=caller(), cohort_name=view.name)
    return {"added": added, "already": already}


@routes.route("/path-activities/<int:activity_id>", methods=["PUT"], tags=["Paths"])
@role_required(Role.TEACHER, Role.COACH)
@routes.response(200, PathActivitySchema)
@routes.answers(401, 404, 409)
@checked_first(lambda activity_id: {"activity": get_path_activity_or_404(caller(), activity_id, own=True)})
@routes.arguments(ProgressInputSchema)
def put_progress(body, activity: PathActivity):
    """The caller's progress on one activity of their own path: status, reflection, evidence
    link. 409 once the coach has verified it."""
    update = services.ProgressUpdate(body["status"], body["reflection"], body["evidence_url"])
    with one_transaction():
        services.update_progress(activity, update, actor=caller())
    return seen_activity_document(activity)


@routes.route("/path-activities/<int:activity_id>/verify", methods=["POST"], tags=["Paths"])
@coaches_only
@routes.response(200, VerifiedSchema)
@routes.answers(401, 404, 409)
@checked_first(lambda activity_id: {"activity": get_path_activity_or_404(caller(), activity_id)})
@routes.arguments(VerifyInputSchema)
def verify_activity(body, activity: PathActivity):
    """Accept the evidence of an activity marked done (the educator's coach or cohort coach,
    never the educator themself: 404 on one's own path); with `goal_met`, the goal on its
    competency is met too. 409 when it is not done."""
    with one_transaction():
        goal = services.verify_activity(activity, actor=caller(), goal_met=body["goal_met"])
    return {"activity": seen_activity_document(activity),
            "goal_verified": goal.competency_code if goal else None}


@routes.route("/path-activities/<int:activity_id>/return", methods=["POST"], tags=["Paths"])
@coaches_only
@routes.response(200, PathActivitySchema)
@routes.answers(401, 404, 409)
@checked_first(lambda activity_id: {"activity": get_path_activity_or_404(caller(), activity_id)})
@routes.arguments(ReturnInputSchema)
def return_activity(body, activity: PathActivity):
    """Send an activity marked done back for more, saying what is missing. 409 when it is not
    waiting for verification."""
    with one_transaction():
        services.return_activity(activity, body["note"], actor=caller())
    return seen_activity_document(activity)


@routes.route("/path-activities/<int:activity_id>", methods=["DELETE"], tags=["Paths"])
@coaches_only
@routes.response(200, PathActivitySchema)
@routes.answers(401, 404, 409)
def remove_activity(activity_id: int):
    """Take an activity off the path (the educator's coach or cohort coach); answers what was
    removed. 409 when the educator has recorded progress on it."""
    activity = get_path_activity_or_404(caller(), activity_id)
    removed = seen_activity_document(activity)
    with one_transaction():
        services.remove_activity(activity, actor=caller())
    return removed


@routes.route("/evidence-queue", tags=["Paths"])
@coaches_only
@routes.arguments(PathArgs, location="query")
@routes.response(200, page_of(PathActivitySchema, "EvidenceQueuePage"))
@routes.answers(401, 404)
def evidence_queue(args):
    """Activities marked done by the people the caller guides, waiting for their verification,
    oldest first (coaches)."""
    cycle = plan_cycle(args["cycle"])
    queue = queries.evidence_queue(caller(), cycle)
    views = person_views(caller(), {a.educator for a in queue}, cycle)
    names = queries.competency_names(cycle)
    return page_of_list([path_activity_document(a, views.get(a.educator_id, NOTHING), names) for a in queue],
                        args)


# -- lanes ----------------------------------------------------------------------------------

def lane_document(cycle: Cycle, educator: User) -> dict:
    """The lane as the caller sees it: the numbers behind it (null otherwise) only for whoever
    may see the educator's levels (`person_view`)."""
    plan = queries.plan_of(educator, cycle, caller(), summary=True)
    placement, levels = plan.placement, plan.view.levels
    if placement is None:
        problem(404, f"{educator.name} has no plan in {cycle.name} yet.")
    return {"cycle": cycle.id, "educator": educator.id, "lane": placement.lane, "label": plan.lane_label,
            "why": plan.lane_why, "overridden": placement.override_lane is not None,
            "override_reason": placement.override_reason or None,
            **{name: getattr(placement, name) if levels else None
               for name in ("rated", "at_target", "lowest_domain", "lowest_domain_mean")}}


@routes.route("/educators/<int:educator_id>/lane", tags=["Lanes"])
@role_required(*Role)
@routes.arguments(PlanCycleArgs, location="query")
@routes.response(200, LaneDetailSchema)
@routes.answers(401, 404)
def lane(args, educator_id: int):
    """An educator's lane in a cycle, the numbers behind it, and any override. 404 until the
    cycle is planned. Whoever may see the plan."""
    cycle = plan_cycle(args["cycle"])
    return lane_document(cycle, get_plan_owner_or_404(caller(), educator_id, cycle.id))


def placeable(educator_id: int, cycle: int | None) -> dict:
    planning_cycle = plan_cycle(cycle)
    educator = get_person_or_404(caller(), educator_id)
    if not can_place(caller(), educator):
        deny("user", educator.id)
    return {"educator": educator, "cycle": planning_cycle}


@routes.route("/educators/<int:educator_id>/lane", methods=["PUT"], tags=["Lanes"])
@planners
@routes.arguments(PlanCycleArgs, location="query", as_kwargs=True)
@routes.response(200, LaneDetailSchema)
@routes.answers(401, 404, 409)
@checked_first(placeable)
@routes.arguments(LaneInputSchema)
def put_lane(body, educator: User, cycle: Cycle):
    """Override an educator's lane with a reason, or clear the override (their coach, a
    principal of their school, a district admin; audited; kept when re-planning)."""
    with one_transaction():
        services.override_lane(cycle, educator, body["lane"], body["reason"], actor=caller())
    return lane_document(cycle, educator)


# -- cohorts --------------------------------------------------------------------------------

@routes.route("/cohorts", tags=["Cohorts"])
@planners
@routes.arguments(CohortArgs, location="query")
@routes.response(200, page_of(CohortSchema, "CohortPage"))
@routes.answers(401, 404)
def cohorts(args):
    """The cohorts of a cycle the caller plans with: those of the schools they lead (a
    principal; all schools for a district admin), else of their caseload, and those they coach.
    Filter by school, lane and status."""
    cycle = plan_cycle(args["cycle"])
    led = schools_led_by(caller())
    if args["school"] is not None:
        led = [s for s in led if s.id == args["school"]]
        if not led:
            problem(404, f"There is no school {args['school']} you lead.")
    people = queries.planning_people(caller(), {s.id for s in led})
    overview = queries.planning_overview(caller(), cycle, people)
    shown = [v for v in overview.cohorts
             # On the lane as shown: filtering by lane must not tell a non-leader the lane.
             if (args["lane"] is None or v.lane == args["lane"])
             and (args["status"] is None or v.cohort.status.value == args["status"])
             and (args["school"] is None or args["school"] in v.cohort.school_ids)]
    return page_of_list([cohort_document(v) for v in shown], args)


@routes.route("/cohorts/<int:cohort_id>", tags=["Cohorts"])
@role_required(*Role)
@routes.response(200, CohortSchema)
@routes.answers(401, 404)
def cohort(cohort_id: int):
    """One cohort: its lane, focus, coach and members. For whoever may lead it, and whoever may
    see one of its members (a member sees their own cohort)."""
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None or cohort.cycle.district_id != caller().district_id:
        problem(404, f"There is no cohort {cohort_id}.")
    view = queries.cohort_view(cohort, caller())
    if not (can_lead_cohort(caller(), cohort) or any(can_see_person(caller(), m) for m in view.members)):
        deny("cohort", cohort.id)
    return cohort_document(view)


@routes.route("/cohorts/<int:cohort_id>/confirm", methods=["POST"], tags=["Cohorts"])
@planners
@routes.response(200, CohortSchema)
@routes.answers(401, 404)
def confirm_cohort(cohort_id: int):
    """Confirm a cohort: re-planning keeps it and its members as they are."""
    cohort = get_cohort_or_404(caller(), cohort_id)
    with one_transaction():
        services.confirm_cohort(cohort, actor=caller())
    return cohort_document(queries.cohort_view(cohort, caller()))


@routes.route("/cohorts/<int:cohort_id>/members", methods=["POST"], tags=["Cohorts"])
@planners
@routes.response(200, CohortSchema)
@routes.answers(401, 404, 409)
@checked_first(lambda cohort_id: {"cohort": get_cohort_or_404(caller(), cohort_id)})
@routes.arguments(MemberInputSchema)
def add_member(body, cohort: Cohort):
    """Move an educator (one the caller may see, with a plan in the cycle) into the cohort,
    out of any other; the cohort is confirmed. 409 for the cohort's own coach."""
    educator = get_person_or_404(caller(), body["person"])
    with one_transaction():
        services.add_member(cohort, educator, actor=caller())
    return cohort_document(queries.cohort_view(cohort, caller()))


@routes.route("/cohorts/<int:cohort_id>/members/<int:educator_id>", methods=["DELETE"], tags=["Cohorts"])
@planners
@routes.response(200, CohortSchema)
@routes.answers(401, 404, 409)
def remove_member(cohort_id: int, educator_id: int):
    """Move a member to individual coaching; the cohort is confirmed."""
    cohort = get_cohort_or_404(caller(), cohort_id)
    educator = get_plan_owner_or_404(caller(), educator_id, cohort.cycle_id)
    with one_transaction():
        services.remove_member(cohort, educator, actor=caller())
    return cohort_document(queries.cohort_view(cohort, caller()))


@routes.route("/cohorts/<int:cohort_id>/coach", methods=["PUT"], tags=["Cohorts"])
@leaders
@routes.response(200, CohortSchema)
@routes.answers(401, 404, 409)
@checked_first(lambda cohort_id: {"cohort": get_cohort_or_404(caller(), cohort_id)})
@routes.arguments(CohortCoachInputSchema)
def put_cohort_coach(body, cohort: Cohort):
    """Choose who leads a cohort, or nobody (a principal of one of its schools, a district admin).
    409 when the coach is one of its members: nobody verifies their own evidence."""
    coach = db.session.get(User, body["coach"]) if body["coach"] else None
    if body["coach"] and (coach is None or coach.district_id != caller().district_id):
        problem(422, "Nothing was changed: choose a coach of your district.",
                {"coach": f"{body['coach']} is not a coach of your district"})
    with one_transaction():
        services.set_cohort_coach(cohort, coach, actor=caller())
    return cohort_document(queries.cohort_view(cohort, caller()))


# -- planning runs and settings -------------------------------------------------------------

@routes.route("/cycles/<int:cycle_id>/plan/run", methods=["POST"], tags=["Planning"])
@planners
@routes.response(200, PlanRunSchema)
@routes.answers(401, 404)
def run_plan(cycle_id: int):
    """Re-plan a cycle for the people the caller leads, as the planning page's button does: a
    district admin the district, a principal their schools, a coach their caseload; the counts
    are of those people. Lane overrides, confirmed cohorts, verified goals and started or
    assigned activities are kept, and so is everyone else's plan."""
    cycle = get_cycle_or_404(caller(), cycle_id)
    with one_transaction():
        summary = services.run_plan(cycle, actor=caller(), scope=queries.replan_scope(caller()))
    return {"cycle": cycle.id, **summary.__dict__, "summary": summary.line()}


@routes.route("/planning/settings", tags=["Planning"])
@admin_only
@routes.response(200, SettingsSchema)
@routes.answers(401, 404)
def planning_settings():
    """The district's planning rules (district admins): current-level policy, bonuses, goals,
    lane thresholds and labels, cohort sizes, caseload limit."""
    return queries.settings_row(caller().district_id)


@routes.route("/planning/settings", methods=["PUT"], tags=["Planning"])
@admin_only
@routes.arguments(SettingsSchema)
@routes.response(200, SettingsSchema)
@routes.answers(401, 404)
def put_planning_settings(body):
    """Replace the district's planning rules (all of them; audited). They apply from the next
    planning run."""
    with one_transaction():
        row = services.update_settings(caller().district_id, body, actor=caller())
    return row


# -- the catalogue --------------------------------------------------------------------------

@routes.route("/resources", tags=["Resources"])
@role_required(*Role)
@routes.arguments(ResourceArgs, location="query")
@routes.response(200, page_of(ResourceSchema, "ResourcePage"))
@routes.answers(401)
def resources(args):
    """The district's catalogue of active activities, by title; filter by competency and kind."""
    shown = [r for r in queries.visible_resources(caller().district_id)
             if (not args["competency"] or args["competency"] in r.competencies)
             and (not args["kind"] or r.kind.value == args["kind"])]
    return page_of_list(shown, args)


@routes.route("/resources", methods=["POST"], tags=["Resources"])
@admin_only
@routes.arguments(ResourceInputSchema)
@routes.response(201, ResourceSchema)
@routes.answers(401, 404)
def create_resource(body):
    """Add an activity to the district's catalogue (district admins)."""
    with one_transaction():
        created = services.save_resource(caller().district_id, body, actor=caller())
    return created


@routes.route("/resources/<int:resource_id>", methods=["PUT"], tags=["Resources"])
@admin_only
@routes.response(200, ResourceSchema)
@routes.answers(401, 404)
@checked_first(lambda resource_id: {"resource": get_resource_or_404(caller(), resource_id)})
@routes.arguments(ResourceInputSchema)
def put_resource(body, resource: Resource):
    """Replace an activity of the catalogue (district admins). Editing a shared activity gives
    the district its own copy, which the answer is; other districts keep theirs."""
    with one_transaction():
        saved = services.save_resource(caller().district_id, body, resource=resource, actor=caller())
    return saved


# -- plans ----------------------------------------------------------------------------------

@routes.route("/educators/<int:educator_id>/plan", tags=["Plans"])
@signed_in
@routes.arguments(PlanArgs, location="query")
@routes.response(200, PlanSchema)
@routes.answers(401, 404)
def educator_plan(args, educator_id: int):
    """An educator's plan: goals with their activities, lane and cohort.

    Visible to whoever may see the educator, and to the coach of a cohort they are in. Levels,
    goal whys, reflections and evidence are null for a principal or district admin unless the
    educator shared that cycle's ratings.
    """
    cycle = cycle_meant(args["cycle"], queries.planned_cycle)
    educator = get_plan_owner_or_404(caller(), educator_id, cycle.id)
    return plan_document(queries.plan_of(educator, cycle, caller()))
