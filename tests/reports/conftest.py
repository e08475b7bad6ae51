import pytest

from tests import scenarios
from tests.planning.conftest import built_planned, planned  # noqa: F401  (the planning tests' small planned school)
from tests.scenarios import load, module_scenario


@pytest.fixture(scope="module")
def built_district(app):
    yield from module_scenario(app, scenarios.export_district)


@pytest.fixture
def district(db, built_district):
    """tests/scenarios.py, export_district: built once per module."""
    return load(built_district)
