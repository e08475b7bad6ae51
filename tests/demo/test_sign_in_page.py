"""The sign-in page lists the demo's sign-ins in development, and never in production or testing."""

import pytest

from pdplanner import create_app
from pdplanner.demo.services import DEMO_PASSWORD, demo_email
from tests.demo.test_demo_ratings import _cli, _empty_tables

DEMO_EMAILS = [demo_email(word, 1) for word in ("teacher", "coach", "principal", "admin")]


@pytest.fixture
def seeded(app, db):
    _cli(app, "seed", "demo", "--schools", "1", "--educators-per-school", "4", "--cycles", "0")
    yield app.config["SQLALCHEMY_DATABASE_URI"]
    _empty_tables()


def sign_in_page(env_name: str, database_uri: str) -> str:
    served = create_app(env_name, SQLALCHEMY_DATABASE_URI=database_uri)
    return served.test_client().get("/login").get_data(as_text=True)


def test_development_lists_the_demo_sign_ins_with_their_password(seeded):
    page = sign_in_page("development", seeded)
    assert "Demo sign-ins (development only)" in page
    assert all(email in page for email in DEMO_EMAILS)
    assert DEMO_PASSWORD in page


@pytest.mark.parametrize("env_name", ["production", "testing"])
def test_other_environments_never_list_them(seeded, env_name, monkeypatch):
    import config

    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", "s" * 48)
    page = sign_in_page(env_name, seeded)
    assert "Demo sign-ins" not in page and DEMO_PASSWORD not in page
    assert not any(email in page for email in DEMO_EMAILS)


def test_development_without_a_demo_lists_nothing(app, db):
    page = sign_in_page("development", app.config["SQLALCHEMY_DATABASE_URI"])
    assert "Sign in" in page and "Demo sign-ins" not in page
