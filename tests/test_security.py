"""CSRF, headers, error pages and production configuration (SPEC section 11)."""

import pytest

from pdplanner import create_app
from tests.factories import PASSWORD, create_user
from tests.helpers import sign_in_directly


def test_form_post_without_csrf_token_is_refused_and_changes_nothing(db, client):
    user = create_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_logout_needs_csrf_so_another_site_cannot_sign_people_out(db, client):
    user = create_user()
    sign_in_directly(client, user)
    assert client.post("/logout").status_code == 400
    assert client.get("/account").status_code == 200


def test_logout_is_not_possible_by_get(db, client):
    sign_in_directly(client, create_user())
    assert client.get("/logout").status_code == 405


def test_json_post_from_the_browser_needs_csrf_too(db, client):
    sign_in_directly(client, create_user())
    response = client.post("/account/password", json={"current": PASSWORD})
    assert response.status_code == 400


@pytest.mark.parametrize("path", ["/login", "/", "/healthz"])
def test_security_headers(db, client, path):
    sign_in_directly(client, create_user())
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in headers


def test_static_files_may_be_cached(client):
    assert client.get("/static/css/pdplanner.css").headers.get("Cache-Control") != "no-store"


def test_production_refuses_the_default_secret(monkeypatch):
    import config

    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", config.DEFAULT_SECRET_KEY)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production", SQLALCHEMY_DATABASE_URI="sqlite://")


def test_production_sends_hsts(monkeypatch):
    import config

    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", "s" * 48)
    app = create_app("production", SQLALCHEMY_DATABASE_URI="sqlite://")
    assert "max-age" in app.test_client().get("/healthz").headers["Strict-Transport-Security"]


def test_unknown_environment_is_a_clear_error():
    with pytest.raises(RuntimeError, match="PDPLANNER_ENV='staging' is not one of"):
        create_app("staging")


def test_404_page_is_generic_html(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "We could not find that page" in response.get_data(as_text=True)


def test_json_callers_get_problem_json(client):
    response = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.get_json()["status"] == 404


def test_unexpected_errors_never_show_a_stack_trace(app, db, client, monkeypatch):
    import pdplanner.dashboards.views as views

    def explode(user):
        raise RuntimeError("SELECT secret FROM users -- internal detail")

    monkeypatch.setitem(views.HOME_BY_ROLE, next(iter(views.HOME_BY_ROLE)), explode)
    user = create_user()
    sign_in_directly(client, user)
    response = client.get("/")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in body
    assert "SELECT" not in body and "Traceback" not in body
