"""The role x route authorization test: every route has a declared policy and an expected
answer for every role; requests for other people's data get 404."""

import re

import pytest

from pdplanner.accounts.models import Role
from pdplanner.assessments.evidence import store_evidence
from pdplanner.permissions import PUBLIC
from pdplanner.planning.models import Cohort, PathActivity
from tests.api.routes import API_ROUTES
from tests.helpers import load_default_framework, pdf_upload, sign_in_directly
from tests.route_table import (
    ADMIN,
    EDUCATORS,
    LEADERS,
    PLANNERS,
    ROLES,
    SIGNED_IN_OK,
    everyone,
    only,
)
from tests.scenarios import authorization_world, load, module_scenario


@pytest.fixture(scope="module")
def built_world(app):
    yield from module_scenario(app, authorization_world)


@pytest.fixture
def world(db, built_world):
    return load(built_world)


# endpoint -> (method, url builder, expected status per role)
PAGE_ROUTES = {
    "static": ("GET", lambda w: "/static/css/pdplanner.css", everyone(200)),
    "health.healthz": ("GET", lambda w: "/healthz", everyone(200)),
    "accounts.login": ("GET", lambda w: "/login", everyone(302) | {"anonymous": 200}),
    "accounts.logout": ("POST", lambda w: "/logout", everyone(302)),
    "accounts.account": ("GET", lambda w: "/account", SIGNED_IN_OK),
    "accounts.change_password": ("GET", lambda w: "/account/password", SIGNED_IN_OK),
    "accounts.password_reset": ("GET", lambda w: "/password-reset", everyone(200)),
    "accounts.set_password": ("GET", lambda w: f"/set-password/{w.secret}", everyone(200)),
    "dashboards.home": ("GET", lambda w: "/", SIGNED_IN_OK),
    "framework.index": ("GET", lambda w: "/frameworks/", everyone(302)),
    "framework.show": ("GET", lambda w: f"/frameworks/{w.framework_id}", SIGNED_IN_OK),
    "framework.import_file": ("GET", lambda w: "/frameworks/import", only(ADMIN, 200)),
    "framework.export_case": (
        "GET", lambda w: f"/frameworks/{w.framework_id}/export.case.json", SIGNED_IN_OK,
    ),
    "framework.export_native": ("GET", lambda w: f"/frameworks/{w.framework_id}/export.yaml", SIGNED_IN_OK),
    "framework.about": ("GET", lambda w: f"/frameworks/{w.framework_id}/about", SIGNED_IN_OK),
    "conditions.framework": ("GET", lambda w: "/conditions/framework", SIGNED_IN_OK),
    "organisation.people": ("GET", lambda w: "/people", only(("coach", "principal") + ADMIN, 200)),
    "organisation.person": (
        "GET", lambda w: f"/people/{w.people['teacher'].id}",
        only(("coach", "principal") + ADMIN, 200),
    ),
    "organisation.new_person": ("GET", lambda w: "/people/new", only(ADMIN, 200)),
    "organisation.grant_role": (
        "POST", lambda w: f"/people/{w.people['teacher'].id}/roles", only(ADMIN, 400),
    ),
    "organisation.add_coach": (
        "POST", lambda w: f"/people/{w.people['teacher'].id}/coaches", only(ADMIN, 400),
    ),
    "organisation.remove_coach": (
        "POST",
        lambda w: f"/people/{w.people['teacher'].id}/coaches/{w.people['coach'].id}/remove",
        only(ADMIN, 302),
    ),
    "organisation.set_active": (
        "POST", lambda w: f"/people/{w.people['teacher'].id}/active", only(ADMIN, 302),
    ),
    "organisation.set_password_link": (
        "POST", lambda w: f"/people/{w.people['teacher'].id}/set-password-link", only(ADMIN, 200),
    ),
    "organisation.delete_person": (
        "POST", lambda w: f"/people/{w.people['teacher'].id}/delete", only(ADMIN, 400),  # no email typed
    ),
    "organisation.edit_person": ("GET", lambda w: f"/people/{w.people['teacher'].id}/edit", only(ADMIN, 200)),
    "organisation.bulk_preview": (
        "GET", lambda w: f"/people/bulk?action=deactivate&person={w.people['teacher'].id}", only(ADMIN, 200),
    ),
    "organisation.bulk_apply": ("POST", lambda w: "/people/bulk", only(ADMIN, 400)),  # selects nobody
    "organisation.schools": ("GET", lambda w: "/schools", only(ADMIN, 200)),
    "audit.log": ("GET", lambda w: "/audit", only(ADMIN, 200)),
    "audit.export_csv": ("GET", lambda w: "/audit/export.csv?kind=sign_in.succeeded", only(ADMIN, 200)),
    "audit.export_json": (
        "GET", lambda w: f"/audit/export.json?since=2026-01-01&person={w.people['teacher'].email}",
        only(ADMIN, 200),
    ),
    "organisation.roster": ("GET", lambda w: "/roster", only(ADMIN, 200)),
    "organisation.apply_roster": ("POST", lambda w: "/roster/apply", only(ADMIN, 400)),  # names no upload
    "organisation.roster_template": ("GET", lambda w: "/roster/template.csv", only(ADMIN, 200)),
    "assessments.start": ("GET", lambda w: "/assessment", only(EDUCATORS, 302)),
    "assessments.domain_page": ("GET", lambda w: f"/assessment/{w.cycle_id}/COG", only(EDUCATORS, 200)),
    "assessments.review": ("GET", lambda w: f"/assessment/{w.cycle_id}/review", only(EDUCATORS, 200)),
    "assessments.submit": ("POST", lambda w: f"/assessment/{w.cycle_id}/submit", only(EDUCATORS, 302)),
    "assessments.share": ("POST", lambda w: f"/assessment/{w.cycle_id}/share", only(EDUCATORS, 302)),
    "assessments.history": ("GET", lambda w: "/history", only(EDUCATORS, 200)),
    "assessments.evidence": ("GET", lambda w: f"/evidence/{w.evidence_id}", only(EDUCATORS, 200)),
    "assessments.caseload": ("GET", lambda w: "/caseload", only(("coach",), 200)),
    "assessments.coach_rating": (  # picks up on the domain the coach changed last
        "GET", lambda w: f"/educators/{w.people['teacher'].id}/coach-rating?cycle={w.cycle_id}",
        only(("coach",), 302),
    ),
    "assessments.coach_rating_domain": (
        "GET", lambda w: f"/educators/{w.people['teacher'].id}/coach-rating/COG?cycle={w.cycle_id}",
        only(("coach",), 200),
    ),
    "assessments.calibration_outcome": (
        "GET", lambda w: f"/educators/{w.people['teacher'].id}/calibration/COG.1?cycle={w.cycle_id}",
        only(("coach",), 200),
    ),
    "assessments.educator_history": (  # the principal only for the cycles shared
        "GET", lambda w: f"/educators/{w.people['teacher'].id}/history", only(EDUCATORS, 200),
    ),
    "assessments.reopen": (
        "POST", lambda w: f"/educators/{w.people['teacher'].id}/reopen?cycle={w.cycle_id}",
        only(("coach",), 302),
    ),
    "assessments.calibration": (
        "GET", lambda w: f"/educators/{w.people['teacher'].id}/calibration?cycle={w.cycle_id}",
        only(EDUCATORS, 200),  # the teacher themself and their coach; the principal only if shared
    ),
    "dashboards.school_ratings": ("GET", lambda w: "/school-ratings", only(LEADERS, 200)),
    "dashboards.glossary": ("GET", lambda w: "/help/words", SIGNED_IN_OK),
    "dashboards.dismiss_welcome": ("POST", lambda w: "/welcome/dismiss", everyone(302)),
    "assessments.cycles": ("GET", lambda w: "/cycles", only(ADMIN, 200)),
    "assessments.confirm_close": ("GET", lambda w: f"/cycles/{w.cycle_id}/close", only(ADMIN, 200)),
    "assessments.edit_cycle": ("GET", lambda w: f"/cycles/{w.cycle_id}/edit", only(ADMIN, 200)),
    "assessments.change_cycle": ("POST", lambda w: f"/cycles/{w.cycle_id}/close", only(ADMIN, 302)),
    "assessments.set_retention": ("POST", lambda w: "/cycles/retention", only(ADMIN, 302)),
    "planning.settings": ("GET", lambda w: "/planning/settings", only(ADMIN, 200)),
    "planning.resources": ("GET", lambda w: "/resources", SIGNED_IN_OK),
    "planning.new_resource": ("GET", lambda w: "/resources/new", only(ADMIN, 200)),
    "planning.edit_resource": ("GET", lambda w: f"/resources/{w.resource_id}/edit", only(ADMIN, 200)),
    "planning.my_plan": ("GET", lambda w: f"/plan?cycle={w.cycle_id}", only(EDUCATORS, 200)),
    "planning.educator_plan": (
        "GET", lambda w: f"/educators/{w.people['teacher'].id}/plan?cycle={w.cycle_id}", only(PLANNERS, 200),
    ),
    "planning.update_progress": (
        "POST", lambda w: f"/plan/activities/{w.activity_id}", only(("teacher",), 400),
    ),
    "planning.assign_to_person": (
        "POST", lambda w: f"/educators/{w.people['teacher'].id}/path?cycle={w.cycle_id}",
        only(("coach",), 400),
    ),
    "planning.assign_to_cohort": ("POST", lambda w: f"/cohorts/{w.cohort_id}/path", only(("coach",), 400)),
    "planning.remove_activity": (
        "POST", lambda w: f"/path-activities/{w.activity_id}/remove", only(("coach",), 302),
    ),
    "planning.verify_activity": (
        "POST", lambda w: f"/path-activities/{w.activity_id}/verify", only(("coach",), 302),
    ),
    "planning.return_activity": (
        "POST", lambda w: f"/path-activities/{w.activity_id}/return", only(("coach",), 302),
    ),
    "planning.override_lane": (
        "POST", lambda w: f"/educators/{w.people['teacher'].id}/lane?cycle={w.cycle_id}", only(PLANNERS, 400),
    ),
    "planning.overview": ("GET", lambda w: f"/planning?cycle={w.cycle_id}", only(PLANNERS, 200)),
    "planning.replan_preview": ("GET", lambda w: f"/planning/run?cycle={w.cycle_id}", only(PLANNERS, 200)),
    "planning.replan": ("POST", lambda w: f"/planning/run?cycle={w.cycle_id}", only(PLANNERS, 302)),
    "planning.confirm_cohort": ("POST", lambda w: f"/cohorts/{w.cohort_id}/confirm", only(PLANNERS, 302)),
    # Nobody chosen: back to the planning page with a message.
    "planning.add_member": ("POST", lambda w: f"/cohorts/{w.cohort_id}/members", only(PLANNERS, 302)),
    "planning.remove_member": (
        "POST", lambda w: f"/cohorts/{w.cohort_id}/members/{w.people['teacher'].id}/remove",
        only(PLANNERS, 302),
    ),
    "planning.set_cohort_coach": ("POST", lambda w: f"/cohorts/{w.cohort_id}/coach", only(LEADERS, 302)),
    "reports.exports_page": ("GET", lambda w: f"/exports?cycle={w.cycle_id}", SIGNED_IN_OK),
    # Every role may export: each gets the rows it may see (tests/reports/test_scopes.py).
    "reports.cycle_export": ("GET", lambda w: f"/exports/ratings.csv?cycle={w.cycle_id}", SIGNED_IN_OK),
    "reports.my_data": ("GET", lambda w: "/me/data.zip", SIGNED_IN_OK),
    "reports.district_export": ("GET", lambda w: "/exports/district.zip", only(ADMIN, 200)),
    # School figures: its principal and coaches, and the district's admin (SPEC 9).
    "reports.school_readiness": (
        "GET", lambda w: f"/reports/schools/{next(iter(w.people['teacher'].school_ids()))}/readiness.pdf",
        only(("coach",) + LEADERS, 200),
    ),
    "reports.district_summary": (
        "GET", lambda w: f"/reports/districts/{w.people['teacher'].district_id}/summary.pdf",
        only(ADMIN, 200),
    ),
    "reports.growth_plan": (
        "GET", lambda w: f"/reports/educators/{w.people['teacher'].id}/growth-plan.pdf?cycle={w.cycle_id}",
        only(("teacher",) + PLANNERS, 200),  # the principal's copy leaves out the unshared levels
    ),
}
ROUTES = PAGE_ROUTES | API_ROUTES


def test_every_route_declares_a_policy(app):
    undeclared = [
        rule.rule for rule in app.url_map.iter_rules()
        if not hasattr(app.view_functions[rule.endpoint], "access_policy")
    ]
    assert undeclared == [], f"routes without an access policy: {undeclared}"


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(ROUTES), (
        f"missing from ROUTES: {sorted(endpoints - set(ROUTES))}; "
        f"stale in ROUTES: {sorted(set(ROUTES) - endpoints)}"
    )


def test_public_routes_are_exactly_the_expected_ones(app):
    public = {r.endpoint for r in app.url_map.iter_rules()
              if app.view_functions[r.endpoint].access_policy == PUBLIC}
    assert public == {"static", "health.healthz", "accounts.login", "accounts.set_password",
                      "accounts.password_reset", "api.openapi_document"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_role_x_route(app, client, world, monkeypatch, endpoint, role):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)  # CSRF has tests of its own
    method, url, expected = ROUTES[endpoint]
    if role != "anonymous":
        sign_in_directly(client, world.people[role])
    response = client.open(url(world), method=method)
    assert response.status_code == expected[role], f"{role} {method} {url(world)}"
    if role == "anonymous" and response.status_code == 302:
        assert response.headers["Location"].startswith("/login")


def test_undeclared_route_is_refused_at_run_time(app, client):
    """Deny by default: a view added without a policy answers 404 even before the test catches it."""
    app.view_functions["dashboards.home"].__dict__.pop("access_policy")
    try:
        assert client.get("/").status_code == 404
    finally:
        app.view_functions["dashboards.home"].access_policy = frozenset(Role)


# -- object rules: another person's data is 404 --------------------------------------------

PERSON_ROUTES = [
    ("GET", "/people/{id}"),
    ("POST", "/people/{id}/roles"),
    ("POST", "/people/{id}/coaches"),
    ("POST", "/people/{id}/active"),
    ("POST", "/people/{id}/set-password-link"),
    ("POST", "/people/{id}/delete"),
    ("GET", "/people/{id}/edit"),
    ("POST", "/people/{id}/edit"),
    ("GET", "/people/bulk?action=deactivate&person={id}"),
]


@pytest.mark.parametrize("method,template", PERSON_ROUTES)
def test_district_admin_gets_404_for_another_districts_person(app, client, world, monkeypatch,
                                                               method, template):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    sign_in_directly(client, world.people["district_admin"])
    response = client.open(template.format(id=world.people["stranger"].id), method=method)
    assert response.status_code == 404
    assert world.people["stranger"].active


@pytest.mark.parametrize("viewer", ["other_coach", "other_principal"])
def test_coach_and_principal_get_404_outside_their_caseload_or_school(client, world, viewer):
    sign_in_directly(client, world.people[viewer])
    assert client.get(f"/people/{world.people['teacher'].id}").status_code == 404


def test_people_list_shows_only_whom_the_viewer_may_see(client, world):
    sign_in_directly(client, world.people["coach"])
    html = client.get("/people").get_data(as_text=True)
    assert world.people["teacher"].email in html
    assert world.people["principal"].email not in html
    assert world.people["stranger"].email not in html


def test_a_nonexistent_person_and_a_forbidden_one_look_the_same(client, world):
    sign_in_directly(client, world.people["other_coach"])
    forbidden = client.get(f"/people/{world.people['teacher'].id}")
    missing = client.get("/people/999999")
    assert forbidden.status_code == missing.status_code == 404
    # The sign-out form's CSRF token carries a timestamp: it differs when a second ticks between.
    csrf = re.compile(rb'name="csrf_token" value="[^"]+"')
    assert csrf.sub(b"", forbidden.get_data()) == csrf.sub(b"", missing.get_data())


def test_another_districts_framework_is_404(db, client, world):
    own = load_default_framework(district_id=world.people["stranger"].district_id)
    db.session.commit()
    sign_in_directly(client, world.people["teacher"])
    assert client.get(f"/frameworks/{own.id}").status_code == 404
    assert client.get(f"/frameworks/{own.id}/export.case.json").status_code == 404
    assert client.get(f"/frameworks/{own.id}/export.yaml").status_code == 404
    assert client.get(f"/frameworks/{world.framework_id}").status_code == 200


# Evidence on a path activity is also for whoever guides the path: the coach of the educator's
# cohort, asked to verify it, opens it without having the educator on their caseload (issue 12).
ACTIVITY_EVIDENCE = {"teacher": 200, "coach": 200, "other_coach": 200, "principal": 404,
                     "other_principal": 404, "district_admin": 404, "stranger": 404}


@pytest.mark.parametrize("viewer", sorted(ACTIVITY_EVIDENCE))
def test_activity_evidence_by_role(db, client, world, viewer):
    cohort = db.session.get(Cohort, world.cohort_id)
    cohort.coach_id = world.people["other_coach"].id
    activity = db.session.get(PathActivity, world.activity_id)
    activity.evidence_file_id = store_evidence(world.people["teacher"], pdf_upload()).id
    db.session.commit()
    sign_in_directly(client, world.people[viewer])
    response = client.get(f"/evidence/{activity.evidence_file_id}")
    assert response.status_code == ACTIVITY_EVIDENCE[viewer]
