"""Simultaneous sign-ins: the slow password check holds no write lock, so none of them fails with
"database is locked" on SQLite (issue 12, item 11; docs/security/database-faults.md)."""

import re
import threading

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from pdplanner.accounts import services
from pdplanner.accounts.models import User
from pdplanner.audit.models import AuditEvent
from tests.factories import PASSWORD, create_school, create_user
from tests.helpers import write_lock_is_free

pytestmark = pytest.mark.real_commits  # sign-ins on threads, own connections, SQLite's write lock

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')




def test_the_password_is_checked_before_the_write_transaction_begins(app, db, client, login,
                                                                     monkeypatch):
    user = create_user()
    seen = []
    verify = services.verify_password

    def watched_verify(password_hash, password):
        seen.append({"session in a transaction": db.session().in_transaction(),
                     "write lock free": write_lock_is_free(app)})
        return verify(password_hash, password)

    monkeypatch.setattr(services, "verify_password", watched_verify)
    assert login(user).status_code == 302
    assert seen == [{"session in a transaction": False, "write lock free": True}]


def test_a_password_changed_during_the_check_is_not_signed_in_with_the_old_one(app, db, client,
                                                                              login, monkeypatch):
    user = create_user()
    user_id = user.id
    verify = services.verify_password

    def verify_then_change(password_hash, password):
        with app.app_context():   # another request changes the password meanwhile
            services.set_password(db.session.get(User, user_id), "a brand new passphrase here")
            db.session.commit()
        return verify(password_hash, password)

    monkeypatch.setattr(services, "verify_password", verify_then_change)
    response = login(user)
    assert response.status_code == 200
    assert "do not match an active account" in response.get_data(as_text=True)


def test_forty_simultaneous_sign_ins_all_succeed(app, db):
    school = create_school()
    emails = [create_user(school=school, commit=False).email for _ in range(40)]
    db.session.commit()
    start = threading.Barrier(len(emails))
    outcomes = {}

    def sign_in(email):
        client = FlaskClient(app)
        try:
            token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
            start.wait()
            response = client.post("/login", data={"email": email, "password": PASSWORD,
                                                   "csrf_token": token})
            outcomes[email] = (response.status_code, response.headers.get("Location"))
        except Exception as exc:  # noqa: BLE001 - the test reports whatever went wrong
            outcomes[email] = repr(exc)

    threads = [threading.Thread(target=sign_in, args=(email,)) for email in emails]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == dict.fromkeys(emails, (302, "/"))
    succeeded = select(func.count()).where(AuditEvent.action == "sign_in.succeeded")
    assert db.session.scalar(succeeded) == len(emails)
