"""Migrations build the schema from nothing and match the models; SQLite is hardened."""

import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from pdplanner.accounts.models import User
from tests.factories import create_user

pytestmark = pytest.mark.real_commits  # a second thread's connection and the migrations see committed rows


def test_migrations_match_the_models(app, db):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations differ; run `flask db migrate`: {diff}"


def test_sqlite_pragmas(app, db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_foreign_keys_are_enforced(app, db):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO schools (district_id, code, name, created_at, updated_at) "
            "VALUES (987654, 'X', 'Nowhere', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))


def test_concurrent_writes_queue_instead_of_failing(app, db):
    """Many threads renaming the same person at once: none fails with 'database is locked'."""
    user_id = create_user().id
    db.session.commit()  # the test's own transaction must not hold the lock while threads write
    errors = []

    def rename(n):
        try:
            with app.app_context():
                user = db.session.get(User, user_id)  # reads first, then writes: the risky pattern
                user.given_name = f"Name{n}"
                db.session.commit()
        except Exception as exc:  # noqa: BLE001 - the test reports whatever went wrong
            errors.append(repr(exc))

    threads = [threading.Thread(target=rename, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    db.session.expire_all()
    assert db.session.get(User, user_id).given_name.startswith("Name")
