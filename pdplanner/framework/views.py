from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from pdplanner.framework.queries import framework_for_browsing, visible_frameworks
from pdplanner.permissions import signed_in

bp = Blueprint("framework", __name__, url_prefix="/frameworks")


@bp.get("/")
@signed_in
def index():
    frameworks = visible_frameworks(current_user.district_id)
    if len(frameworks) == 1:
        return redirect(url_for(".show", framework_id=frameworks[0].id))
    return render_template("framework/index.html", frameworks=frameworks)


@bp.get("/<int:framework_id>")
@signed_in
def show(framework_id: int):
    framework = framework_for_browsing(current_user.district_id, framework_id)
    return render_template("framework/show.html", framework=framework)


@bp.get("/<int:framework_id>/about")
@signed_in
def about(framework_id: int):
    framework = framework_for_browsing(current_user.district_id, framework_id)
    return render_template("framework/about.html", framework=framework)
