"""API rows of the role x route table (see tests/route_table.py), plus the token routes of the
account page, which belong to the API feature.

The matrix sends writes with an empty body through the session (CSRF off): whoever may write
gets 422 (or 409 for a submit with nothing rated); whoever may see the educator but not write
gets 403; the API answers anonymous callers 401, never a redirect.
"""

from pdplanner.accounts.services import create_token
from pdplanner.extensions import db
from tests.route_table import ADMIN, EDUCATORS, LEADERS, PLANNERS, everyone, only

API_OK = everyone(200) | {"anonymous": 401}


def api_only(roles, status: int, others: int) -> dict:
    return only(roles, status, others=others, anonymous=401)


def teacher(w) -> int:
    return w.people["teacher"].id


def teachers_token(w) -> int:
    """A token of the teacher's, made once per World."""
    if not hasattr(w, "token_id"):
        token, _ = create_token(w.people["teacher"], "matrix")
        db.session.commit()
        w.token_id = token.id
    return w.token_id


def teachers_school(w) -> int:
    return next(iter(w.people["teacher"].school_ids()))


def ratings_url(w, suffix: str = "") -> str:
    return f"/api/v1/educators/{teacher(w)}/ratings{suffix}?cycle={w.cycle_id}"


API_ROUTES: dict = {
    "accounts.create_token": ("POST", lambda w: "/account/tokens", everyone(200) | {"anonymous": 302}),
    "accounts.revoke_token": (
        "POST", lambda w: f"/account/tokens/{teachers_token(w)}/revoke",
        only(("teacher",), 302, anonymous=302),
    ),
    "api.openapi_document": ("GET", lambda w: "/api/v1/openapi.json", everyone(200)),
    "api.me": ("GET", lambda w: "/api/v1/me", API_OK),
    "api.frameworks": ("GET", lambda w: "/api/v1/frameworks", API_OK),
    "api.framework": ("GET", lambda w: f"/api/v1/frameworks/{w.framework_id}", API_OK),
    "api.cycles": ("GET", lambda w: "/api/v1/cycles", API_OK),
    "api.educators": ("GET", lambda w: "/api/v1/educators", API_OK),
    # Ratings are private to the educator and their coach unless shared (none are here).
    # School figures: its principal and coaches, and the district's admin.
    "api.school_readiness": (
        "GET", lambda w: f"/api/v1/schools/{teachers_school(w)}/readiness?cycle={w.cycle_id}",
        api_only(("coach", "principal", "district_admin"), 200, 404),
    ),
    "api.educator_ratings": ("GET", lambda w: ratings_url(w), api_only(("teacher", "coach"), 200, 404)),
    # A plan's lane, cohort and progress are visible to whoever may see the educator.
    "api.educator_plan": ("GET", lambda w: f"/api/v1/educators/{teacher(w)}/plan?cycle={w.cycle_id}", API_OK),
    "api.put_self_ratings": ("PUT", lambda w: ratings_url(w, "/self"), api_only(("teacher",), 422, 403)),
    "api.submit_self_ratings": (
        "POST", lambda w: ratings_url(w, "/self/submit"), api_only(("teacher",), 409, 403),
    ),
    "api.put_coach_ratings": ("PUT", lambda w: ratings_url(w, "/coach"), api_only(("coach",), 422, 403)),
    # -- cycles, self-assessments, calibration, caseload (pdplanner/api/assessments.py) --
    "api.cycle": ("GET", lambda w: f"/api/v1/cycles/{w.cycle_id}", API_OK),
    "api.create_cycle": ("POST", lambda w: "/api/v1/cycles", api_only(ADMIN, 422, 404)),
    # Imports: an empty body has no file to read.
    "api.roster_preview": ("POST", lambda w: "/api/v1/roster/preview", api_only(ADMIN, 422, 404)),
    "api.roster_import": ("POST", lambda w: "/api/v1/roster/import", api_only(ADMIN, 422, 404)),
    "api.import_framework": ("POST", lambda w: "/api/v1/frameworks", api_only(ADMIN, 422, 404)),
    # The cycle is open already: opening it again is refused; closing it works.
    "api.open_cycle": ("POST", lambda w: f"/api/v1/cycles/{w.cycle_id}/open", api_only(ADMIN, 422, 404)),
    "api.close_cycle": ("POST", lambda w: f"/api/v1/cycles/{w.cycle_id}/close", api_only(ADMIN, 200, 404)),
    "api.retention": ("GET", lambda w: "/api/v1/retention", api_only(ADMIN, 200, 404)),
    "api.put_retention": ("PUT", lambda w: "/api/v1/retention", api_only(ADMIN, 422, 404)),
    "api.assessment": (
        "GET", lambda w: f"/api/v1/educators/{teacher(w)}/assessment?cycle={w.cycle_id}",
        api_only(EDUCATORS, 200, 404),
    ),
    # The coach may see the teacher's self-assessment but not share it for them.
    "api.put_sharing": (
        "PUT", lambda w: f"/api/v1/educators/{teacher(w)}/assessment/sharing?cycle={w.cycle_id}",
        api_only(("teacher",), 422, 404) | {"coach": 403},
    ),
    # Not submitted yet: nothing to reopen.
    "api.reopen_assessment": (
        "POST", lambda w: f"/api/v1/educators/{teacher(w)}/assessment/reopen?cycle={w.cycle_id}",
        api_only(("coach",), 409, 404),
    ),
    "api.calibration": (
        "GET", lambda w: f"/api/v1/educators/{teacher(w)}/calibration?cycle={w.cycle_id}",
        api_only(EDUCATORS, 200, 404),
    ),
    "api.caseload": ("GET", lambda w: f"/api/v1/caseload?cycle={w.cycle_id}", api_only(("coach",), 200, 404)),
    "api.school_ratings": (
        "GET", lambda w: f"/api/v1/schools/{teachers_school(w)}/ratings?cycle={w.cycle_id}",
        api_only(LEADERS, 200, 404),
    ),
    # -- paths, lanes, cohorts, planning, the catalogue (pdplanner/api/planning.py) --------
    # The teacher's activity is done with a reflection: verifiable, not removable.
    "api.path": ("GET", lambda w: f"/api/v1/educators/{teacher(w)}/path?cycle={w.cycle_id}", API_OK),
    "api.assign_to_person": (
        "POST", lambda w: f"/api/v1/educators/{teacher(w)}/path?cycle={w.cycle_id}",
        api_only(("coach",), 422, 404),
    ),
    "api.assign_to_cohort": (
        "POST", lambda w: f"/api/v1/cohorts/{w.cohort_id}/path", api_only(("coach",), 422, 404),
    ),
    "api.put_progress": (
        "PUT", lambda w: f"/api/v1/path-activities/{w.activity_id}", api_only(("teacher",), 422, 404),
    ),
    "api.verify_activity": (
        "POST", lambda w: f"/api/v1/path-activities/{w.activity_id}/verify", api_only(("coach",), 200, 404),
    ),
    "api.return_activity": (
        "POST", lambda w: f"/api/v1/path-activities/{w.activity_id}/return", api_only(("coach",), 422, 404),
    ),
    "api.remove_activity": (
        "DELETE", lambda w: f"/api/v1/path-activities/{w.activity_id}", api_only(("coach",), 409, 404),
    ),
    "api.evidence_queue": (
        "GET", lambda w: f"/api/v1/evidence-queue?cycle={w.cycle_id}", api_only(("coach",), 200, 404),
    ),
    "api.lane": ("GET", lambda w: f"/api/v1/educators/{teacher(w)}/lane?cycle={w.cycle_id}", API_OK),
    "api.put_lane": (
        "PUT", lambda w: f"/api/v1/educators/{teacher(w)}/lane?cycle={w.cycle_id}",
        api_only(PLANNERS, 422, 404),
    ),
    "api.cohorts": ("GET", lambda w: f"/api/v1/cohorts?cycle={w.cycle_id}", api_only(PLANNERS, 200, 404)),
    # The teacher is a member; the coach leads it; it is of the principal's school.
    "api.cohort": ("GET", lambda w: f"/api/v1/cohorts/{w.cohort_id}", API_OK),
    "api.confirm_cohort": (
        "POST", lambda w: f"/api/v1/cohorts/{w.cohort_id}/confirm", api_only(PLANNERS, 200, 404),
    ),
    "api.add_member": (
        "POST", lambda w: f"/api/v1/cohorts/{w.cohort_id}/members", api_only(PLANNERS, 422, 404),
    ),
    "api.remove_member": (
        "DELETE", lambda w: f"/api/v1/cohorts/{w.cohort_id}/members/{teacher(w)}",
        api_only(PLANNERS, 200, 404),
    ),
    "api.put_cohort_coach": (
        "PUT", lambda w: f"/api/v1/cohorts/{w.cohort_id}/coach", api_only(LEADERS, 422, 404),
    ),
    "api.run_plan": ("POST", lambda w: f"/api/v1/cycles/{w.cycle_id}/plan/run", api_only(PLANNERS, 200, 404)),
    "api.planning_settings": ("GET", lambda w: "/api/v1/planning/settings", api_only(ADMIN, 200, 404)),
    "api.put_planning_settings": ("PUT", lambda w: "/api/v1/planning/settings", api_only(ADMIN, 422, 404)),
    "api.resources": ("GET", lambda w: "/api/v1/resources", API_OK),
    "api.create_resource": ("POST", lambda w: "/api/v1/resources", api_only(ADMIN, 422, 404)),
    "api.put_resource": ("PUT", lambda w: f"/api/v1/resources/{w.resource_id}", api_only(ADMIN, 422, 404)),
    # -- people, schools (pdplanner/api/organisation.py), the audit log (pdplanner/api/audit.py)
    "api.people": ("GET", lambda w: "/api/v1/people", api_only(("coach",) + LEADERS, 200, 404)),
    "api.person": ("GET", lambda w: f"/api/v1/people/{teacher(w)}", api_only(("coach",) + LEADERS, 200, 404)),
    "api.create_person": ("POST", lambda w: "/api/v1/people", api_only(ADMIN, 422, 404)),
    "api.grant_role": ("POST", lambda w: f"/api/v1/people/{teacher(w)}/roles", api_only(ADMIN, 422, 404)),
    "api.add_coach": ("POST", lambda w: f"/api/v1/people/{teacher(w)}/coaches", api_only(ADMIN, 422, 404)),
    "api.remove_coach": (
        "DELETE", lambda w: f"/api/v1/people/{teacher(w)}/coaches/{w.people['coach'].id}",
        api_only(ADMIN, 200, 404),
    ),
    "api.put_active": ("PUT", lambda w: f"/api/v1/people/{teacher(w)}/active", api_only(ADMIN, 422, 404)),
    "api.delete_person": ("DELETE", lambda w: f"/api/v1/people/{teacher(w)}", api_only(ADMIN, 422, 404)),
    "api.set_password_link": (
        "POST", lambda w: f"/api/v1/people/{teacher(w)}/set-password-link", api_only(ADMIN, 200, 404),
    ),
    "api.schools": ("GET", lambda w: "/api/v1/schools", api_only(ADMIN, 200, 404)),
    "api.create_school": ("POST", lambda w: "/api/v1/schools", api_only(ADMIN, 422, 404)),
    "api.audit_log": ("GET", lambda w: "/api/v1/audit", api_only(ADMIN, 200, 404)),
    # -- dashboards (pdplanner/api/dashboards.py) -----------------------------------------
    "api.coach_dashboard_figures": (
        "GET", lambda w: f"/api/v1/dashboards/coach?cycle={w.cycle_id}", api_only(("coach",), 200, 404),
    ),
    "api.district_summary": (
        "GET", lambda w: f"/api/v1/districts/{w.people['teacher'].district_id}/summary?cycle={w.cycle_id}",
        api_only(ADMIN, 200, 404),
    ),
}
