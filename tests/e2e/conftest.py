"""Fixtures for the browser tests: a live pdplanner on a free local port, seeded with the
framework and the demo district, and one Chromium for the whole session (a fresh context, so
fresh cookies, for every test).

Chromium is the Debian package at /usr/bin/chromium; `playwright install` is never needed. Without
it the browser tests are skipped, unless CI or PDPLANNER_REQUIRE_BROWSER=1 says they must run."""

import os
import threading

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from pdplanner import create_app
from pdplanner.extensions import db as _db
from pdplanner.extensions import limiter

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
MIGRATIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "migrations")
DEMO_PASSWORD = "demo-password"
DEMO_EMAILS = {
    "teacher": "teacher@demo.pdplanner.org",
    "coach": "coach@demo.pdplanner.org",
    "principal": "principal@demo.pdplanner.org",
    "admin": "admin@demo.pdplanner.org",
}
# Generous, but well under pytest's patience: a page that takes this long is a failure.
TIMEOUT_MS = 10_000


def _browser_required() -> bool:
    return bool(os.environ.get("CI")) or os.environ.get("PDPLANNER_REQUIRE_BROWSER") == "1"


@pytest.fixture(scope="session")
def e2e_app(tmp_path_factory):
    """The app on a file SQLite database (the server thread needs its own connections), migrated
    and seeded through the same CLI commands an operator would use."""
    path = tmp_path_factory.mktemp("e2e") / "e2e.sqlite3"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite:///" + str(path),
                     ROSTER_DIR=str(tmp_path_factory.mktemp("rosters")))
    with app.app_context():
        upgrade(directory=MIGRATIONS)
    runner = app.test_cli_runner()
    for args in (["seed", "framework"], ["seed", "conditions"], ["seed", "resources"], ["seed", "demo"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, f"flask {' '.join(args)} failed:\n{result.output}\n{result.exception!r}"
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture(scope="session")
def demo_given_names(e2e_app):
    """Given names of the demo sign-ins, read from the database the server uses."""
    from pdplanner.accounts.models import user_by_email

    with e2e_app.app_context():
        return {role: user_by_email(email).given_name for role, email in DEMO_EMAILS.items()}


@pytest.fixture(scope="session")
def live_server(e2e_app):
    """The base URL of the app served by werkzeug in a daemon thread."""
    server = make_server("127.0.0.1", 0, e2e_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="pdplanner-live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        message = "Chromium not found at /usr/bin/chromium: install it with apt-get install -y chromium"
        if _browser_required():
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A page in a fresh browser context: no cookies or storage carried over from other tests."""
    limiter.reset()  # sign-in throttling is in memory and shared by every test in the process
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()
