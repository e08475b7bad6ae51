from flask import Blueprint, render_template
from flask_login import current_user

from pdplanner.accounts.models import Role
from pdplanner.assessments import queries as assessment_queries
from pdplanner.organisation import queries
from pdplanner.permissions import signed_in

bp = Blueprint("dashboards", __name__)


def _self_assessment_status(user) -> dict:
    cycle = assessment_queries.current_cycle(user.district_id)
    progress = assessment_queries.progress_of(cycle, [user])[user.id] if cycle else None
    return {"cycle": cycle, "progress": progress}


def educator_home(user):
    return render_template("dashboards/educator.html", coaches=queries.coaches_of(user),
                           **_self_assessment_status(user))


def coach_home(user):
    return render_template("dashboards/coach.html", coaches=queries.coaches_of(user),
                           caseload=queries.caseload(user), **_self_assessment_status(user))


def principal_home(user):
    headcounts = queries.school_headcounts(user.school_ids(Role.PRINCIPAL))
    return render_template("dashboards/principal.html", headcounts=headcounts)


def district_home(user):
    school_ids = [s.id for s in queries.schools_of_district(user.district_id)]
    return render_template("dashboards/district.html", headcounts=queries.school_headcounts(school_ids))


HOME_BY_ROLE = {
    Role.TEACHER: educator_home,
    Role.COACH: coach_home,
    Role.PRINCIPAL: principal_home,
    Role.DISTRICT_ADMIN: district_home,
}


@bp.get("/")
@signed_in
def home():
    return HOME_BY_ROLE[current_user.role](current_user)

