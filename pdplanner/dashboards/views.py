from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user

from pdplanner.accounts import services as account_services
from pdplanner.accounts.models import Role
from pdplanner.assessments import queries as assessment_queries
from pdplanner.dashboards import queries as dashboard_queries
from pdplanner.dashboards.charts import educator_charts, page_charts
from pdplanner.database import id_argument
from pdplanner.extensions import db
from pdplanner.organisation import queries
from pdplanner.organisation.forms import ConfirmForm
from pdplanner.pages import attempt
from pdplanner.permissions import requested_cycle, role_required, signed_in
from pdplanner.planning import queries as planning_queries

bp = Blueprint("dashboards", __name__)


def _cycles_and_choice():
    """The district's cycles, the one asked for by ?cycle= (`requested_cycle`) or else the
    current one, and the current one (the open cycle, else the newest closed)."""
    cycles = assessment_queries.cycles_of_district(current_user.district_id)
    current = assessment_queries.current_of(cycles)
    return cycles, requested_cycle(current_user, id_argument("cycle"), lambda _district_id: current), current


def _self_assessment_status(user, current) -> dict:
    progress = assessment_queries.progress_of(current, [user])[user.id] if current else None
    return {"cycle": current, "progress": progress}


def educator_home(user):
    cycles, chosen, current = _cycles_and_choice()
    planned = current if current and current.is_open else planning_queries.planned_cycle(user.district_id)
    settings = planning_queries.planning_settings(user.district_id)
    profile, growth = educator_charts(chosen, user, settings.current_level_policy) if chosen else (None, None)
    return render_template(
        "dashboards/educator.html", coaches=queries.coaches_of(user), cycles=cycles, chosen=chosen,
        plan=planning_queries.plan_summary(user, planned, user, settings) if planned else None,
        profile=profile, growth=growth, **_self_assessment_status(user, current))


def coach_home(user):
    cycles, chosen, current = _cycles_and_choice()
    return render_template(
        "dashboards/coach.html", coaches=queries.coaches_of(user), cycles=cycles, chosen=chosen,
        board=dashboard_queries.coach_dashboard(user, chosen) if chosen else None,
        caseload=queries.caseload(user) if not chosen else [],    # listed only before any cycle
        **_self_assessment_status(user, current))


def leader_home(user):
    cycles, chosen, _ = _cycles_and_choice()
    schools = assessment_queries.schools_led_by(user)
    school_id = id_argument("school")
    shown = [s for s in schools if s.id == school_id] if school_id else schools
    if school_id and not shown:
        abort(404)
    district = Role.DISTRICT_ADMIN in user.roles
    board = (dashboard_queries.leader_dashboard(chosen, shown, whole_district=district and not school_id)
             if chosen and shown else None)
    page = render_template(f"dashboards/{'district' if district else 'principal'}.html", cycles=cycles,
                           chosen=chosen, schools=schools, school=shown[0] if school_id else None,
                           board=board, charts=page_charts(board) if board else {},
                           headcounts=queries.school_headcounts([s.id for s in shown]))
    db.session.commit()   # keeps any school summary computed for this page (after rendering: a
    return page           # commit expires what the page reads)


@bp.get("/school-ratings")
@role_required(Role.PRINCIPAL, Role.DISTRICT_ADMIN)
def school_ratings():
    """Mean self and coach levels per competency over the leader's schools (or one of them), as
    published (docs/PRIVACY.md, "Aggregates"), and who shared their individual ratings."""
    cycles, cycle, _ = _cycles_and_choice()
    cycle = cycle or abort(404)
    schools = assessment_queries.schools_led_by(current_user)
    school = next((s for s in schools if s.id == id_argument("school")), None)
    school_ids = {school.id} if school else {s.id for s in schools}
    measures, _ = dashboard_queries.shown_measures(cycle, school_ids) if school_ids else (None, {})
    page = render_template(
        "assessments/school_ratings.html", cycle=cycle, schools=schools, school=school,
        cycles=cycles, min_group=dashboard_queries.min_group(), measures=measures,
        shared=assessment_queries.shared_assessments(cycle, school_ids))
    db.session.commit()   # keeps any summary computed for this page
    return page


HOME_BY_ROLE = {
    Role.TEACHER: educator_home,
    Role.COACH: coach_home,
    Role.PRINCIPAL: leader_home,
    Role.DISTRICT_ADMIN: leader_home,
}


@bp.get("/")
@signed_in
def home():
    return HOME_BY_ROLE[current_user.role](current_user)


@bp.post("/welcome/dismiss")
@signed_in
def dismiss_welcome():
    ConfirmForm().validate_on_submit() or abort(400)
    with attempt():
        account_services.dismiss_welcome(current_user)
    return redirect(url_for(".home"))


@bp.get("/help/words")
@signed_in
def glossary():
    return render_template("dashboards/glossary.html")
