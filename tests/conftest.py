"""The fixture quartet: app, db, client, login. Every database test runs on SQLite, and also on
PostgreSQL when TEST_DATABASE_URL is set: the `app` fixture is parametrised by backend.

Isolation (docs/DECISIONS.md, "Tests"): a test runs inside one database transaction that is
rolled back at its end; the test's session and each request's session join it through
SAVEPOINTs, so their commits release a savepoint instead of committing. Tests that need real
commits (other connections or threads must see their data) are marked `real_commits` and get
every table emptied afterwards instead. A module's shared scenario is built and committed once
(tests/scenarios.py, `module_scenario`) and emptied when the module ends.

Under pytest-xdist each worker has its own SQLite file and its own PostgreSQL database."""

import os
import re
from contextlib import contextmanager

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session
from sqlalchemy import create_engine, make_url, text

from pdplanner import create_app
from pdplanner.accounts.mail import OUTBOX_KEY
from pdplanner.extensions import db as _db
from pdplanner.extensions import limiter
from tests.factories import PASSWORD
from tests.scenarios import empty_every_table

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def _reset_postgresql(url: str) -> None:
    """Start from an empty schema so the migrations are tested from nothing."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@contextmanager
def _worker_database(url: str, worker: str | None):
    """TEST_DATABASE_URL itself, or for an xdist worker its own database `<name>_<worker>`,
    created here and dropped at the end."""
    if worker is None:
        yield url
        return
    own = make_url(url).set(database=f"{make_url(url).database}_{worker}")
    server = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{own.database}"'))
        connection.execute(text(f'CREATE DATABASE "{own.database}"'))
    try:
        yield own.render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{own.database}" WITH (FORCE)'))
        server.dispose()


@pytest.fixture(scope="session")
def xdist_worker(request) -> str | None:
    """The xdist worker running this session ("gw0", ...), None without xdist."""
    workerinput = getattr(request.config, "workerinput", None)
    return workerinput["workerid"] if workerinput else None


@pytest.fixture(scope="session", params=BACKENDS)
def app(request, tmp_path_factory, xdist_worker):
    from config import database_url

    if request.param == "postgresql":
        database = _worker_database(database_url(os.environ["TEST_DATABASE_URL"]), xdist_worker)
        url = database.__enter__()
        request.addfinalizer(lambda: database.__exit__(None, None, None))
        _reset_postgresql(url)
    else:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url(url),
                     EVIDENCE_DIR=str(tmp_path_factory.mktemp("evidence")),
                     ROSTER_DIR=str(tmp_path_factory.mktemp("rosters")))
    with app.app_context():
        upgrade(directory=os.path.join(os.path.dirname(__file__), "..", "migrations"))
    yield app
    with app.app_context():
        _db.engine.dispose()


class _JoinedSession(Session):
    """A session on its own bind (the test's connection) rather than on the app's engine."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return bind if bind is not None else self.bind


class _SharedConnection:
    """What the engine's connect() gives during a rolled-back test: the test's own connection,
    which its user (read_connection, the health check) cannot close or commit, so that what
    it reads includes the test's uncommitted data."""

    def __init__(self, connection):
        self._connection = connection

    def __getattr__(self, name):
        return getattr(self._connection, name)

    def execution_options(self, **options):
        return self

    def begin(self):
        return self._connection.begin_nested()

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        pass


@contextmanager
def _rolled_back_transaction():
    """Every session made meanwhile joins one transaction on one connection through a SAVEPOINT
    (its commit releases the savepoint), and so does every connection the code asks the engine
    for; the transaction is rolled back at the end."""
    engine = _db.engine
    connection = engine.connect()
    transaction = connection.begin()
    factory = _db.session.session_factory
    saved_class, saved_kw = factory.class_, dict(factory.kw)
    factory.class_ = _JoinedSession
    factory.kw.update(bind=connection, join_transaction_mode="create_savepoint")
    engine.connect = lambda: _SharedConnection(connection)
    try:
        yield
    finally:
        _db.session.remove()
        del engine.connect
        factory.class_, factory.kw = saved_class, saved_kw
        transaction.rollback()
        connection.close()


@pytest.fixture
def db(app, request):
    """The database inside an app context, in a transaction rolled back after the test; or, for
    a test marked `real_commits`, with real commits and every table emptied after it."""
    with app.app_context():
        if request.node.get_closest_marker("real_commits"):
            yield _db
            empty_every_table()
        else:
            with _rolled_back_transaction():
                yield _db
    limiter.reset()


class IsolatedClient(FlaskClient):
    """Each request gets its own app context (its own `g` and database session), as in a real
    server; otherwise requests would share the test's context and leak `g` between them.

    The body is read whole before the context ends, as a server sends it all, unless a test asks
    for `buffered=False` to read a streamed body itself (and then reads it to its end): a streamed
    body left unread would keep its request's context open past the next request's."""

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)
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
