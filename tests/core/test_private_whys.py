"""The whys written for a reader who may not see a person's levels (docs/PRIVACY.md): they name
the competency, the activity and a lane's override reason, and no level, gap or number computed
from levels."""

import re

from pdplanner.core.goals import private_goal_why
from pdplanner.core.lanes import private_lane_why
from pdplanner.core.paths import private_step_why
from pdplanner.core.types import PlanningSettings

NUMBER = re.compile(r"\d")


def test_private_goal_why_names_the_competency_only():
    why = private_goal_why("Learner-centered vision")
    assert "Learner-centered vision" in why
    assert not NUMBER.search(why)


def test_private_step_why_names_neither_the_step_nor_the_activity():
    """The catalogue says which levels an activity suits: naming it, or its kind and hours, would
    name the level it was chosen for."""
    assert private_step_why("Competency-based assessment") == (
        "An activity for a step in Competency-based assessment.")


def test_private_lane_why_keeps_an_override_reason_and_no_numbers():
    settings = PlanningSettings()
    computed = private_lane_why("slow", None, settings)
    assert computed == "Computed from ratings that are private to the educator and their coach."
    overridden = private_lane_why("fast", " Leads the PLC already. ", settings)
    assert overridden == 'Set to "Ready to move" by a coach or principal: Leads the PLC already.'
