"""The one redaction rule, permissions.person_view, for every role (issue 12 items 2 and 4); the
surfaces that apply it are tried in test_surfaces.py and test_peers.py."""

import pytest

from pdplanner.accounts.models import User
from pdplanner.assessments.models import Cycle
from pdplanner.extensions import db
from pdplanner.permissions import (
    COHORT_COACH,
    EVERYTHING,
    NOTHING,
    can_see_ratings,
    leader_view,
    person_view,
    person_views,
)
from pdplanner.reports import rows

NAMES = ["cora", "olga", "una", "tia", "pete", "vic", "pia", "ada"]

# What each viewer sees of Una (unshared), Vic (shared, no coach) and Pete (Olga's caseload,
# in the cohort Cora leads).
EXPECTED = {
    ("una", "una"): EVERYTHING, ("cora", "una"): EVERYTHING, ("pia", "una"): leader_view(False),
    ("ada", "una"): leader_view(False), ("tia", "una"): NOTHING, ("pete", "una"): NOTHING,
    ("olga", "una"): NOTHING, ("vic", "una"): NOTHING,
    ("pia", "vic"): leader_view(True), ("ada", "vic"): leader_view(True), ("cora", "vic"): COHORT_COACH,
    ("olga", "vic"): NOTHING, ("una", "vic"): NOTHING,
    ("olga", "pete"): EVERYTHING, ("cora", "pete"): COHORT_COACH, ("tia", "pete"): NOTHING,
}


def cycle_of(school) -> Cycle:
    return db.session.get(Cycle, school.cycle_id)


# -- the rule itself ---------------------------------------------------------------------------

@pytest.mark.parametrize(("viewer", "subject"), list(EXPECTED))
def test_person_view_for_every_role(school, person, viewer, subject):
    assert person_view(person(viewer), person(subject), cycle_of(school)) == EXPECTED[(viewer, subject)]


def test_leaders_see_plan_and_lane_but_levels_only_when_shared():
    assert leader_view(False) == EXPECTED[("pia", "una")]
    hidden = leader_view(False)
    assert hidden.plan and hidden.lane
    assert not (hidden.levels or hidden.evidence or hidden.ratings)
    shown = leader_view(True)
    assert shown.levels and shown.evidence and shown.ratings


@pytest.mark.parametrize("viewer", NAMES)
def test_bulk_views_and_can_see_ratings_agree_with_person_view(school, person, viewer):
    cycle, who = cycle_of(school), person(viewer)
    everyone = [person(name) for name in NAMES]
    bulk = person_views(who, everyone, cycle)
    for subject in everyone:
        one = person_view(who, subject, cycle)
        assert bulk.get(subject.id, NOTHING) == one, (viewer, subject.name)
        assert can_see_ratings(who, subject, cycle) == one.ratings


@pytest.mark.parametrize("viewer", NAMES)
def test_export_rules_in_sql_agree_with_person_view(school, person, viewer):
    """The exports read whole districts with the rule written as SQL (scopes.plan_detail);
    row by row it must say what person_view says."""
    cycle, who = cycle_of(school), person(viewer)
    for row in rows.placements_rows(who):
        view = person_view(who, db.session.get(User, row["educator_id"]), cycle)
        assert view.plan and view.lane
        assert (row["at_target"] is not None) == (row["individual_reason"] is not None) == view.levels, row
    for row in rows.path_activities_rows(who):
        view = person_view(who, db.session.get(User, row["educator_id"]), cycle)
        assert (row["reflection"] is not None) == view.evidence, row
        assert row["why"].startswith("An activity for a step in") != view.levels, row
        assert (row["resource_title"] is not None) == view.levels, row
