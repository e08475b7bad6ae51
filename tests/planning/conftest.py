"""A small planned school: four teachers rated 2 everywhere by themselves and their coach, so the
planner puts all four in the second lane and in one cohort on COG.1 (the first foundational
competency), led by their coach."""

import pytest

from tests import scenarios
from tests.scenarios import load, module_scenario


@pytest.fixture(scope="module")
def built_planned(app):
    yield from module_scenario(app, scenarios.planned_school)


@pytest.fixture
def planned(db, built_planned):
    """tests/scenarios.py, planned_school: built once per module."""
    return load(built_planned)
