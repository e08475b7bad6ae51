"""API rows of the role x route table (see tests/route_table.py), plus the token routes of the
account page, which belong to the API feature.

The matrix sends writes with an empty body through the session (CSRF off): whoever may write
gets 422 (or 409 for a submit with nothing rated); whoever may see the educator but not write
gets 403; the API answers anonymous callers 401, never a redirect.
"""

from pdplanner.accounts.services import create_token
from pdplanner.extensions import db
from tests.route_table import ADMIN, EDUCATORS, LEADERS, everyone, only

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
}
