"""Sessions end server-side on sign-out, password change and deactivation; idle and absolute
timeouts; a new session at sign-in; hardened cookies."""

from datetime import timedelta

from pdplanner.accounts.models import User
from pdplanner.accounts.sessions import LAST_SEEN_AT, SIGNED_IN_AT
from pdplanner.organisation.services import set_active
from tests.conftest import csrf_from
from tests.factories import PASSWORD, create_user


def _session_cookie(client):
    return client.get_cookie("session").value


def test_a_signed_out_session_cookie_no_longer_works(app, db, client, login):
    user = create_user()
    login(user)
    stolen = _session_cookie(client)
    assert client.get("/account").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_from(client, "/")})
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    response = replay.get("/account")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_signing_out_ends_the_sessions_on_other_devices_too(app, db, client, login):
    user = create_user()
    login(user)
    laptop = _session_cookie(client)
    phone = app.test_client()
    phone.set_cookie("session", laptop)
    client.post("/logout", data={"csrf_token": csrf_from(client, "/")})
    assert phone.get("/").status_code == 302


def test_password_change_ends_other_sessions_but_keeps_this_one(app, db, client, login):
    user = create_user()
    login(user)
    other_device = app.test_client()
    other_device.set_cookie("session", _session_cookie(client))
    token = csrf_from(client, "/account/password")
    response = client.post("/account/password", data={
        "current": PASSWORD, "password": "a brand new passphrase", "confirm": "a brand new passphrase",
        "csrf_token": token})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert other_device.get("/account").status_code == 302


def test_deactivation_ends_every_session(db, client, login):
    user = create_user()
    login(user)
    set_active(db.session.get(User, user.id), False)
    db.session.commit()
    assert client.get("/account").status_code == 302


def test_sign_in_starts_a_new_session(db, client, login):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker before sign-in"
    login(create_user())
    with client.session_transaction() as session:
        assert "planted" not in session
        assert SIGNED_IN_AT in session


def _age_session(client, *, signed_in_ago: timedelta, last_seen_ago: timedelta):
    with client.session_transaction() as session:
        session[SIGNED_IN_AT] -= signed_in_ago.total_seconds()
        session[LAST_SEEN_AT] -= last_seen_ago.total_seconds()


def test_idle_timeout(db, client, login):
    login(create_user())
    _age_session(client, signed_in_ago=timedelta(minutes=29), last_seen_ago=timedelta(minutes=29))
    assert client.get("/account").status_code == 200  # activity resets the idle clock
    _age_session(client, signed_in_ago=timedelta(minutes=31), last_seen_ago=timedelta(minutes=31))
    response = client.get("/account", follow_redirects=True)
    assert response.request.path == "/login"
    assert "Your session timed out" in response.get_data(as_text=True)


def test_absolute_timeout_even_when_active(db, client, login):
    login(create_user())
    _age_session(client, signed_in_ago=timedelta(hours=12, minutes=1), last_seen_ago=timedelta(0))
    assert client.get("/account").status_code == 302


def test_session_cookie_is_httponly_and_samesite_lax(db, client, login):
    response = login(create_user())
    cookie, = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # only in production, where the site is served over HTTPS


def test_production_cookies_are_secure(monkeypatch):
    import config
    from pdplanner import create_app

    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", "x" * 40)
    app = create_app("production", SQLALCHEMY_DATABASE_URI="sqlite://")
    assert app.config["SESSION_COOKIE_SECURE"] is True
