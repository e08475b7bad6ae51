"""Test helpers shared by several test packages."""

import re
import sqlite3
import time

from pdplanner.accounts.sessions import LAST_SEEN_AT, SIGNED_IN_AT
from pdplanner.cli import DEFAULT_FRAMEWORK
from pdplanner.framework.services import import_native, read_native_file


def sign_in_directly(client, user) -> None:
    """Put `user` in the client's session the way a sign-in does, without the slow form post."""
    now = time.time()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session[SIGNED_IN_AT] = now
        session[LAST_SEEN_AT] = now


def pdf_upload(name: str = "observation.pdf", body: bytes = b"%PDF-1.4 test evidence"):
    from io import BytesIO

    from werkzeug.datastructures import FileStorage

    return FileStorage(stream=BytesIO(body), filename=name, content_type="application/pdf")


def load_default_framework(district_id=None):
    return import_native(read_native_file(DEFAULT_FRAMEWORK), district_id=district_id).framework


def write_lock_is_free(app) -> bool:
    """Whether another connection could take SQLite's write lock now, without waiting (always
    true on PostgreSQL, which has no database-wide write lock)."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("sqlite"):
        return True
    other = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


def without_csrf_tokens(response) -> str:
    """The page without its forms' CSRF tokens, which are timestamped (they change by the second),
    for tests that compare two pages."""
    return re.sub(r'name="csrf_token"( type="hidden")? value="[^"]*"', "", response.get_data(as_text=True))
