"""Behind a reverse proxy (issue 12, item 8): X-Forwarded-For is trusted for exactly
PROXY_FIX_X_FOR proxies, for throttling and for the audit log alike; with 0 it is ignored."""

import pytest
from sqlalchemy import select

from pdplanner import create_app
from pdplanner.audit.models import AuditEvent
from pdplanner.extensions import db as database
from tests.conftest import IsolatedClient, csrf_from

PROXY = "10.0.0.2"  # every request reaches the app from the proxy


def attempt(browser, email, *, addr=PROXY, forwarded=None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    token = csrf_from(browser, "/login")
    return browser.post("/login", data={"email": email, "password": "a wrong password",
                                        "csrf_token": token},
                        environ_base={"REMOTE_ADDR": addr}, headers=headers).status_code


def audited_addresses(db) -> list[str]:
    return db.session.scalars(select(AuditEvent.remote_addr)
                              .where(AuditEvent.action == "sign_in.failed")
                              .order_by(AuditEvent.id)).all()


@pytest.fixture
def proxied_app(app, db, tmp_path):
    """The same database, served by an app configured with one trusted proxy."""
    proxied = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                         EVIDENCE_DIR=str(tmp_path), ROSTER_DIR=str(tmp_path),
                         PROXY_FIX_X_FOR=1, LOGIN_LIMIT_PER_ADDRESS="3 per minute")
    proxied.test_client_class = IsolatedClient
    yield proxied
    with proxied.app_context():
        database.engine.dispose()


def test_with_one_trusted_proxy_the_forwarded_address_is_throttled_and_audited(db, proxied_app):
    browser = proxied_app.test_client()
    assert [attempt(browser, f"guess{n}@example.org", forwarded="198.51.100.7")
            for n in range(4)] == [200, 200, 200, 429]
    # Someone else behind the same proxy has an address of their own.
    assert attempt(proxied_app.test_client(), "someone@example.org", forwarded="198.51.100.8") == 200
    # What a client writes in front of the proxy's own entry changes nothing.
    assert attempt(browser, "guess9@example.org", forwarded="192.0.2.1, 198.51.100.7") == 429
    assert audited_addresses(db) == ["198.51.100.7"] * 3 + ["198.51.100.8"]


def test_without_trusted_proxies_x_forwarded_for_is_ignored(db, app, client, monkeypatch):
    assert app.config["PROXY_FIX_X_FOR"] == 0  # the default
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ADDRESS", "3 per minute")
    statuses = [attempt(client, f"guess{n}@example.org", addr="203.0.113.5", forwarded=f"192.0.2.{n}")
                for n in range(4)]
    assert statuses == [200, 200, 200, 429]  # a client cannot pick a fresh address to dodge the limit
    assert audited_addresses(db) == ["203.0.113.5"] * 3


def test_a_negative_proxy_count_is_refused_at_start():
    with pytest.raises(RuntimeError, match="PROXY_FIX_X_FOR"):
        create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://", PROXY_FIX_X_FOR=-1)
