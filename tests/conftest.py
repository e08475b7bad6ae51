"""The fixture quartet: app, db, client, login. Every database test runs on SQLite, and also on
PostgreSQL when TEST_DATABASE_URL is set: the `app` fixture is parametrised by backend."""

import os
import re

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

from pdplanner import create_app
from pdplanner.accounts.mail import OUTBOX_KEY
from pdplanner.extensions import db as _db
from pdplanner.extensions import limiter
from tests.factories import PASSWORD

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def _reset_postgresql(url: str) -> None:
    """Start from an empty schema so the migrations are tested from nothing."""
    from sqlalchemy import create_engine

    from config import database_url

    engine = create_engine(database_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def app(request, tmp_path_factory):
    if request.param == "postgresql":
        url = os.environ["TEST_DATABASE_URL"]
        _reset_postgresql(url)
    else:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")
    from config import database_url

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url(url),
                     EVIDENCE_DIR=str(tmp_path_factory.mktemp("evidence")),
                     ROSTER_DIR=str(tmp_path_factory.mktemp("rosters")))
    with app.app_context():
        upgrade(directory=os.path.join(os.path.dirname(__file__), "..", "migrations"))
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture
def db(app):
    """The database inside an app context; every table is emptied after the test."""
    with app.app_context():
        yield _db
        _db.session.rollback()
        _db.session.remove()
        with _db.engine.begin() as connection:
            for table in reversed(_db.metadata.sorted_tables):
                connection.execute(table.delete())
    limiter.reset()


class IsolatedClient(FlaskClient):
    """Each request gets its own app context (its own `g` and database session), as in a real
    server; otherwise requests would share the test's context and leak `g` between them."""

    def open(self, *args, **kwargs):
        # End the test's own transaction first: it would hold SQLite's write lock, and a real
        # client never shares a transaction with the server anyway.
        _db.session.commit()
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app, db):
    app.test_client_class = IsolatedClient
    return app.test_client()


CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_from(client, path: str) -> str:
    """The CSRF token a real browser would find in the page at `path`."""
    html = client.get(path).get_data(as_text=True)
    match = CSRF_FIELD.search(html)
    assert match, f"no CSRF token in {path}"
    return match.group(1) or match.group(2)


@pytest.fixture
def login(client):
    """login(user) signs `client` in through the real form and returns the response."""

    def sign_in(user, password: str = PASSWORD, **kwargs):
        token = csrf_from(client, "/login")
        return client.post("/login", data={"email": user.email, "password": password,
                                           "csrf_token": token}, **kwargs)

    return sign_in


@pytest.fixture
def outbox(app):
    """The mails sent during the test (the testing app keeps them instead of sending)."""
    box = app.extensions.setdefault(OUTBOX_KEY, [])
    box.clear()
    yield box
    box.clear()
