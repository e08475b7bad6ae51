from functools import partial

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from pdplanner.accounts.models import Role, User
from pdplanner.assessments.queries import cycles_of_district, schools_led_by
from pdplanner.database import id_argument
from pdplanner.extensions import db
from pdplanner.framework.queries import visible_frameworks
from pdplanner.organisation.forms import ConfirmForm
from pdplanner.pages import attempt
from pdplanner.permissions import (
    can_lead_cohort,
    can_place,
    deny,
    get_cohort_or_404,
    get_path_activity_or_404,
    get_person_or_404,
    get_plan_owner_or_404,
    get_resource_or_404,
    guides,
    requested_cycle,
    role_required,
    signed_in,
)
from pdplanner.planning import queries, services
from pdplanner.planning.forms import (
    AssignForm,
    LaneForm,
    ProgressForm,
    ResourceForm,
    ReturnForm,
    SettingsForm,
    VerifyForm,
)
from pdplanner.planning.models import Resource, ResourceKind

bp = Blueprint("planning", __name__)

admin_only = role_required(Role.DISTRICT_ADMIN)


@bp.route("/planning/settings", methods=["GET", "POST"])
@admin_only
def settings():
    row = queries.settings_row(current_user.district_id)
    form = SettingsForm(obj=row)
    if form.validate_on_submit():
        with attempt(services.PlanningError, flash_refusal=False) as saved:
            services.update_settings(current_user.district_id, form.values(), actor=current_user)
        for name, message in (saved.error.problems if saved.error else {}).items():
            form[name].errors.append(message)
        if saved.ok:
            flash("Planning settings saved. They apply from the next planning run.", "success")
            return redirect(url_for(".settings"))
    return render_template("planning/settings.html", form=form)


def _competencies():
    frameworks = visible_frameworks(current_user.district_id)
    return frameworks[0].competencies if frameworks else []


@bp.get("/resources")
@signed_in
def resources():
    code, kind = request.args.get("competency", ""), request.args.get("kind", "")
    shown = [r for r in queries.visible_resources(current_user.district_id)
             if (not code or code in r.competencies) and (not kind or r.kind.value == kind)]
    return render_template("planning/resources.html", resources=shown, kinds=list(ResourceKind),
                           competencies=_competencies(), code=code, kind=kind,
                           lane_labels=queries.lane_labels(current_user.district_id))


def _resource_form(resource=None):
    form = ResourceForm(competencies=_competencies(), obj=resource,
                        lane_labels=queries.lane_labels(current_user.district_id))
    if resource is not None and request.method == "GET":
        form.level_min.data, form.level_max.data = str(resource.level_min), str(resource.level_max)
        form.kind.data = resource.kind.value
    return form


def _edit(resource):
    form = _resource_form(resource)
    if form.validate_on_submit():
        with attempt(services.PlanningError, flash_refusal=False) as saved:
            services.save_resource(current_user.district_id, form.data, resource=resource,
                                   actor=current_user)
        if saved.error:
            form.form_errors.append(str(saved.error))
        else:
            flash(f"{form.title.data} saved.", "success")
            return redirect(url_for(".resources"))
    return render_template("planning/resource_form.html", form=form, resource=resource)


@bp.route("/resources/new", methods=["GET", "POST"])
@admin_only
def new_resource():
    return _edit(None)


@bp.route("/resources/<int:resource_id>/edit", methods=["GET", "POST"])
@admin_only
def edit_resource(resource_id: int):
    return _edit(get_resource_or_404(current_user, resource_id))


# -- plans ---------------------------------------------------------------------------------

educators_only = role_required(Role.TEACHER, Role.COACH)
coaches_only = role_required(Role.COACH)
planners = role_required(Role.COACH, Role.PRINCIPAL, Role.DISTRICT_ADMIN)


def _cycle():
    """The cycle named by ?cycle=, else the one plans open on (404 when there is none)."""
    cycle = requested_cycle(current_user, id_argument("cycle"), queries.planned_cycle)
    return cycle or abort(404, description="There is no cycle to plan yet.")


def _attempt(target: str, success, change, *args, **kwargs):
    """Make one change through a service as the current user: commit and flash `success` (or
    `success(result)`), or roll back and flash what the service refused; then go to `target`."""
    with attempt(services.PlanningError) as made:
        made.result = change(*args, actor=current_user, **kwargs)
    if made.ok:
        flash(success(made.result) if callable(success) else success, "success")
    return redirect(target)


def _plan_page(educator, cycle):
    plan = queries.plan_of(educator, cycle, current_user)
    guide = guides(current_user, educator, cycle.id)
    return render_template(
        "planning/plan.html", plan=plan, cycles=cycles_of_district(current_user.district_id),
        own=educator.id == current_user.id, guide=guide, can_place=can_place(current_user, educator),
        progress_form=lambda a: ProgressForm(prefix=f"a{a.id}", obj=a, status=a.status.value),
        assign_form=AssignForm(queries.activity_options(cycle, [g.goal.competency_code for g in plan.goals])),
        lane_form=LaneForm(queries.lane_labels(cycle.district_id), lane=(plan.placement.override_lane or "")
                           if plan.placement else ""))


@bp.get("/plan")
@educators_only
def my_plan():
    return _plan_page(current_user, _cycle())


@bp.get("/educators/<int:educator_id>/plan")
@planners
def educator_plan(educator_id: int):
    cycle = _cycle()
    educator = get_plan_owner_or_404(current_user, educator_id, cycle.id)
    if educator.id == current_user.id:
        return redirect(url_for(".my_plan", cycle=cycle.id))
    return _plan_page(educator, cycle)


@bp.post("/plan/activities/<int:activity_id>")
@educators_only
def update_progress(activity_id: int):
    activity = get_path_activity_or_404(current_user, activity_id, own=True)
    form = ProgressForm(prefix=f"a{activity.id}")
    form.validate_on_submit() or abort(400)
    update = services.ProgressUpdate(form.status.data, form.reflection.data or "",
                                     form.evidence_url.data or "", form.evidence_file.data or None)
    return _attempt(url_for(".my_plan", cycle=activity.cycle_id, _anchor=f"activity-{activity.id}"),
                    f"Progress on {activity.resource.title} saved.", services.update_progress,
                    activity, update)


def _back(cycle_id: int, educator_id: int | None = None) -> str:
    if request.form.get("back") == "planning" or educator_id is None:
        return url_for(".overview", cycle=cycle_id)
    return url_for(".educator_plan", educator_id=educator_id, cycle=cycle_id)


@bp.post("/educators/<int:educator_id>/path")
@coaches_only
def assign_to_person(educator_id: int):
    cycle = _cycle()
    educator = get_plan_owner_or_404(current_user, educator_id, cycle.id)
    if not guides(current_user, educator, cycle.id):
        deny("user", educator.id)
    return _assign(cycle, [educator], "", _back(cycle.id, educator.id))


@bp.post("/cohorts/<int:cohort_id>/path")
@coaches_only
def assign_to_cohort(cohort_id: int):
    cohort = get_cohort_or_404(current_user, cohort_id)
    if cohort.coach_id != current_user.id:
        deny("cohort", cohort.id)
    view = queries.cohort_view(cohort, current_user)
    return _assign(cohort.cycle, view.members, view.name, _back(cohort.cycle_id))


def _assign(cycle, educators, cohort_name: str, target: str):
    form = AssignForm(queries.activity_options(cycle, []))
    form.validate_on_submit() or abort(400)
    resource_id, code = form.choice.data.split("|")
    resource = db.session.get(Resource, int(resource_id)) or abort(400)

    def counted(result) -> str:
        added, had = result
        return f"{resource.title} added to {added} path{'s' * (added != 1)}" + (
            f"; {had} already had it." if had else ".")

    return _attempt(target, counted, services.assign_activity, cycle, educators, resource, code,
                    cohort_name=cohort_name)


@bp.post("/path-activities/<int:activity_id>/remove")
@coaches_only
def remove_activity(activity_id: int):
    activity = get_path_activity_or_404(current_user, activity_id)
    ConfirmForm().validate_on_submit() or abort(400)
    return _attempt(_back(activity.cycle_id, activity.educator_id),
                    f"{activity.resource.title} removed from the path.", services.remove_activity, activity)


@bp.post("/path-activities/<int:activity_id>/verify")
@coaches_only
def verify_activity(activity_id: int):
    activity = get_path_activity_or_404(current_user, activity_id)
    form = VerifyForm()
    form.validate_on_submit() or abort(400)

    return _attempt(_back(activity.cycle_id, activity.educator_id),
                    partial(queries.verified_message, activity), services.verify_activity,
                    activity, goal_met=form.goal_met.data)


@bp.post("/path-activities/<int:activity_id>/return")
@coaches_only
def return_activity(activity_id: int):
    activity = get_path_activity_or_404(current_user, activity_id)
    form = ReturnForm()
    note = form.note.data or "" if form.validate_on_submit() else ""
    return _attempt(_back(activity.cycle_id, activity.educator_id),
                    queries.returned_message(activity), services.return_activity,
                    activity, note)


@bp.post("/educators/<int:educator_id>/lane")
@planners
def override_lane(educator_id: int):
    educator, cycle = get_person_or_404(current_user, educator_id), _cycle()
    if not can_place(current_user, educator):
        deny("user", educator.id)
    form = LaneForm(queries.lane_labels(cycle.district_id))
    form.validate_on_submit() or abort(400)
    return _attempt(_back(cycle.id, educator.id),
                    f"{educator.name}'s lane is saved. Re-plan to propose a cohort in that lane.",
                    services.override_lane, cycle, educator, form.lane.data or None, form.reason.data or "")


# -- the planning page: lanes, cohorts, evidence --------------------------------------------

@bp.get("/planning")
@planners
def overview():
    cycle, schools = _cycle(), schools_led_by(current_user)
    school = next((s for s in schools if s.id == id_argument("school")),
                  schools[0] if schools else None)
    people = queries.planning_people(current_user, {school.id} if school else set())
    return render_template(
        "planning/overview.html", view=queries.planning_overview(current_user, cycle, people),
        cycles=cycles_of_district(current_user.district_id), schools=schools, school=school,
        people=people, assign_options=queries.activity_options(cycle, []), focus_codes=queries.focus_codes,
        coaches=queries.district_coaches(cycle.district_id), can_lead=partial(can_lead_cohort, current_user))


@bp.get("/planning/run")
@planners
def replan_preview():
    """What a re-plan would change for the people the viewer leads; the button confirms it."""
    cycle = _cycle()
    preview = queries.replan_preview(cycle, queries.replan_scope(current_user))
    return render_template("planning/replan.html", preview=preview, form=ConfirmForm(),
                           labels=queries.lane_labels(cycle.district_id))


@bp.post("/planning/run")
@planners
def replan():
    cycle, scope = _cycle(), queries.replan_scope(current_user)
    ConfirmForm().validate_on_submit() or abort(400)
    return _attempt(url_for(".overview", cycle=cycle.id),
                    lambda summary: f"Re-planned {scope.label} in {cycle.name}: {summary.line()} Confirmed "
                                    "cohorts and lane overrides are kept.",
                    services.run_plan, cycle, scope=scope)


@bp.post("/cohorts/<int:cohort_id>/confirm")
@planners
def confirm_cohort(cohort_id: int):
    cohort = get_cohort_or_404(current_user, cohort_id)
    ConfirmForm().validate_on_submit() or abort(400)
    return _attempt(url_for(".overview", cycle=cohort.cycle_id),
                    "Cohort confirmed: it stays as it is when the cycle is re-planned.",
                    services.confirm_cohort, cohort)


@bp.post("/cohorts/<int:cohort_id>/members")
@planners
def add_member(cohort_id: int):
    cohort = get_cohort_or_404(current_user, cohort_id)
    ConfirmForm().validate_on_submit() or abort(400)
    person_id = id_argument("person_id", request.form)
    if person_id is None:
        flash("Choose a person to add to the cohort.", "error")
        return redirect(url_for(".overview", cycle=cohort.cycle_id))
    educator = get_person_or_404(current_user, person_id)
    return _attempt(url_for(".overview", cycle=cohort.cycle_id),
                    f"{educator.name} joined the cohort; it is now confirmed.", services.add_member,
                    cohort, educator)


@bp.post("/cohorts/<int:cohort_id>/members/<int:educator_id>/remove")
@planners
def remove_member(cohort_id: int, educator_id: int):
    cohort = get_cohort_or_404(current_user, cohort_id)
    educator = get_plan_owner_or_404(current_user, educator_id, cohort.cycle_id)
    ConfirmForm().validate_on_submit() or abort(400)
    return _attempt(url_for(".overview", cycle=cohort.cycle_id),
                    f"{educator.name} moved to individual coaching; the cohort is now confirmed.",
                    services.remove_member, cohort, educator)


@bp.post("/cohorts/<int:cohort_id>/coach")
@role_required(Role.PRINCIPAL, Role.DISTRICT_ADMIN)
def set_cohort_coach(cohort_id: int):
    cohort = get_cohort_or_404(current_user, cohort_id)
    coach_id = id_argument("person_id", request.form)
    coach = db.session.get(User, coach_id) if coach_id else None
    ConfirmForm().validate_on_submit() or abort(400)
    return _attempt(url_for(".overview", cycle=cohort.cycle_id),
                    f"{coach.name if coach else 'No one'} now leads the cohort.", services.set_cohort_coach,
                    cohort, coach)
