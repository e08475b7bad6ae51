import pytest

from tests import scenarios
from tests.scenarios import load, module_scenario


@pytest.fixture(scope="module")
def built_scene(app):
    yield from module_scenario(app, scenarios.assessment_scene)


@pytest.fixture
def scene(db, built_scene):
    """tests/scenarios.py, assessment_scene: built once per module."""
    return load(built_scene)
