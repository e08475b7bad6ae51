"""A database that hangs, times out or stays locked: every wait is bounded, /healthz answers 503
within 2 seconds, pages answer the app's own "try again shortly" page and the API 503
problem+json, never Werkzeug's bare error page (issue 12, item 10; docs/security/database-faults.md)."""

import os
import socket
import threading
import time

import pytest
from sqlalchemy import create_engine, text

from config import database_url
from pdplanner import create_app
from pdplanner.extensions import db as _db
from pdplanner.permissions import public
from tests.factories import create_user
from tests.helpers import sign_in_directly

pytestmark = pytest.mark.real_commits  # locks, timeouts and lost connections need transactions of their own


@pytest.fixture(scope="module")
def hanging_server():
    """A loopback TCP server that accepts connections and never answers: a hung database."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held = []

    def accept_forever():
        while True:
            try:
                connection, _ = server.accept()
            except OSError:   # the server was closed
                return
            held.append(connection)

    threading.Thread(target=accept_forever, daemon=True).start()
    yield server.getsockname()[1]
    server.close()
    for connection in held:
        connection.close()


@pytest.fixture(scope="module")
def hung_app(hanging_server, tmp_path_factory):
    return create_app("testing", SQLALCHEMY_DATABASE_URI=database_url(
        f"postgresql://postgres@127.0.0.1:{hanging_server}/x"),
        DATABASE_CONNECT_TIMEOUT=1, DATABASE_POOL_TIMEOUT=1, WTF_CSRF_ENABLED=False,
        EVIDENCE_DIR=str(tmp_path_factory.mktemp("evidence")),
        ROSTER_DIR=str(tmp_path_factory.mktemp("rosters")))


def _assert_unavailable_page(response):
    body = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.mimetype == "text/html"
    assert "<h1>Try again shortly</h1>" in body
    assert "pdplanner cannot reach its database right now" in body
    assert "Service Unavailable" not in body   # Werkzeug's own page says this


def test_healthz_answers_503_within_two_seconds_when_the_database_hangs(hung_app):
    start = time.monotonic()
    response = hung_app.test_client().get("/healthz")
    assert time.monotonic() - start < 2
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unreachable"}


def test_a_signed_in_page_shows_the_try_again_page_when_the_database_hangs(hung_app):
    client = hung_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1:0"
        session["signed_in_at"] = session["last_seen_at"] = time.time()
    start = time.monotonic()
    response = client.get("/")
    assert time.monotonic() - start < 5   # the connect timeout (psycopg's minimum is 2 s)
    _assert_unavailable_page(response)
    assert 'href="/"' in response.get_data(as_text=True)


def test_the_sign_in_form_shows_the_try_again_page_when_the_database_hangs(hung_app):
    response = hung_app.test_client().post(
        "/login", data={"email": "someone@example.org", "password": "x" * 12})
    _assert_unavailable_page(response)
    assert "What you sent was not saved" in response.get_data(as_text=True)


def test_the_api_answers_503_problem_json_when_the_database_hangs(hung_app):
    response = hung_app.test_client().get("/api/v1/me", headers={"Authorization": "Bearer pdp_" + "x" * 43})
    assert response.status_code == 503
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.headers["Retry-After"] == "30"
    assert response.get_json() == {
        "type": "about:blank", "title": "Service Unavailable", "status": 503,
        "detail": "The service is not available right now. Please try again shortly."}


def test_healthz_is_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


# -- the real databases -------------------------------------------------------------------------

def _short_timeouts_app(app, tmp_path):
    """A second app on the test database whose statement, lock and busy timeouts are 1 s."""
    short = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                       DATABASE_STATEMENT_TIMEOUT=1, DATABASE_LOCK_TIMEOUT=1, SQLITE_BUSY_TIMEOUT=1,
                       WTF_CSRF_ENABLED=False, EVIDENCE_DIR=str(tmp_path / "evidence"),
                       ROSTER_DIR=str(tmp_path / "rosters"))

    @public
    def sleep():
        _db.session.execute(text("SELECT pg_sleep(3)"))
        return "slept"

    short.add_url_rule("/test-sleep", "test_sleep", sleep)
    return short


def test_a_statement_longer_than_the_timeout_gives_the_try_again_page(app, db, tmp_path):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's statement_timeout")
    short = _short_timeouts_app(app, tmp_path)
    start = time.monotonic()
    response = short.test_client().get("/test-sleep")
    assert time.monotonic() - start < 2.5
    _assert_unavailable_page(response)
    with short.app_context():
        _db.engine.dispose()


def test_a_locked_table_gives_the_try_again_page_after_the_lock_timeout(app, db, tmp_path):
    """A migration or a long write holds a lock the page needs: the page waits 1 s, not forever."""
    user = create_user()
    short = _short_timeouts_app(app, tmp_path)
    client = short.test_client()
    sign_in_directly(client, user)
    db.session.commit()   # the test's own transaction must not be the one holding the lock
    locker = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with locker.connect() as connection:
        if connection.dialect.name == "sqlite":
            connection.connection.driver_connection.isolation_level = None
            connection.exec_driver_sql("BEGIN IMMEDIATE")   # the write lock another writer holds
            start = time.monotonic()
            response = client.post("/logout")
            connection.exec_driver_sql("ROLLBACK")
        else:
            connection.exec_driver_sql("LOCK TABLE users IN ACCESS EXCLUSIVE MODE")
            start = time.monotonic()
            response = client.get("/")
            connection.rollback()
    locker.dispose()
    assert time.monotonic() - start < 2.5
    _assert_unavailable_page(response)
    with short.app_context():
        _db.engine.dispose()


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL")
def test_postgresql_sessions_carry_the_configured_timeouts(tmp_path):
    short = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url(os.environ["TEST_DATABASE_URL"]),
                       DATABASE_STATEMENT_TIMEOUT=7, DATABASE_LOCK_TIMEOUT=3,
                       EVIDENCE_DIR=str(tmp_path), ROSTER_DIR=str(tmp_path))
    with short.app_context():
        assert _db.session.execute(text("SHOW statement_timeout")).scalar() == "7s"
        assert _db.session.execute(text("SHOW lock_timeout")).scalar() == "3s"
        _db.session.rollback()
        _db.engine.dispose()
