from flask import Blueprint, render_template
from flask_login import current_user

from pdplanner.conditions.queries import current_conditions_framework
from pdplanner.permissions import signed_in

bp = Blueprint("conditions", __name__, url_prefix="/conditions")


@bp.get("/framework")
@signed_in
def framework():
    conditions = current_conditions_framework(current_user.district_id)
    return render_template("conditions/framework.html", conditions=conditions)
