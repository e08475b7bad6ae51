import pytest

from pdplanner.accounts.services import create_token
from tests import scenarios
from tests.scenarios import load, module_scenario


@pytest.fixture(scope="module")
def built_town(app):
    yield from module_scenario(app, scenarios.town)


@pytest.fixture
def town(db, built_town):
    """tests/scenarios.py, town: built once per module."""
    return load(built_town)


@pytest.fixture
def bearer(db):
    """bearer(user) -> the Authorization header of a fresh token of theirs."""

    def make(user) -> dict:
        _, secret = create_token(user, "test")
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return make


@pytest.fixture
def planned_town(db, town):
    """tests/scenarios.py, plan_town: `town`, planned, for this test."""
    return scenarios.plan_town(town)
