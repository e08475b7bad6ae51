from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from pdplanner.accounts.models import Role
from pdplanner.extensions import db
from pdplanner.framework.queries import visible_frameworks
from pdplanner.permissions import deny, role_required, signed_in
from pdplanner.planning import queries, services
from pdplanner.planning.forms import ResourceForm, SettingsForm
from pdplanner.planning.models import Resource, ResourceKind

bp = Blueprint("planning", __name__)

admin_only = role_required(Role.DISTRICT_ADMIN)


@bp.route("/planning/settings", methods=["GET", "POST"])
@admin_only
def settings():
    row = queries.settings_row(current_user.district_id)
    form = SettingsForm(obj=row)
    if form.validate_on_submit():
        try:
            services.update_settings(current_user.district_id, form.values(), actor=current_user)
        except services.PlanningError as exc:
            db.session.rollback()
            for name, message in exc.problems.items():
                form[name].errors.append(message)
        else:
            db.session.commit()
            flash("Planning settings saved. They apply from the next planning run.", "success")
            return redirect(url_for(".settings"))
    return render_template("planning/settings.html", form=form)


def _competencies():
    frameworks = visible_frameworks(current_user.district_id)
    return frameworks[0].competencies if frameworks else []


def _lane_labels():
    row = queries.settings_row(current_user.district_id)
    return row.fast_lane_label, row.slow_lane_label


@bp.get("/resources")
@signed_in
def resources():
    code, kind = request.args.get("competency", ""), request.args.get("kind", "")
    shown = [r for r in queries.visible_resources(current_user.district_id)
             if (not code or code in r.competencies) and (not kind or r.kind.value == kind)]
    return render_template("planning/resources.html", resources=shown, kinds=list(ResourceKind),
                           competencies=_competencies(), code=code, kind=kind, lane_labels=_lane_labels())


def _resource_form(resource=None):
    form = ResourceForm(competencies=_competencies(), lane_labels=_lane_labels(), obj=resource)
    if resource is not None and request.method == "GET":
        form.level_min.data, form.level_max.data = str(resource.level_min), str(resource.level_max)
        form.kind.data = resource.kind.value
    return form


def _edit(resource):
    form = _resource_form(resource)
    if form.validate_on_submit():
        try:
            services.save_resource(current_user.district_id, form.data, resource=resource,
                                   actor=current_user)
        except services.PlanningError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
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
    resource = db.session.get(Resource, resource_id) or abort(404)
    if resource.district_id not in (None, current_user.district_id):
        deny("resource", resource.id)
    return _edit(resource)
