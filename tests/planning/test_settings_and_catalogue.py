from pathlib import Path

import pytest
from sqlalchemy import func, select

from pdplanner.accounts.models import Role
from pdplanner.audit.models import AuditEvent
from pdplanner.cli import DEFAULT_CATALOGUE
from pdplanner.core.types import PlanningSettings
from pdplanner.planning.models import Resource
from pdplanner.planning.queries import planning_settings, visible_resources
from pdplanner.planning.services import (
    import_catalogue,
    read_catalogue,
    save_resource,
)
from tests.conftest import csrf_from
from tests.factories import create_district, create_school, create_user
from tests.helpers import load_default_framework, sign_in_directly

CODES = {c["code"] for d in __import__("yaml").safe_load(
    (Path(__file__).parents[2] / "seeds/frameworks/educator-competencies.yaml").read_text())["domains"]
    for c in d["competencies"]}


def test_shipped_catalogue_covers_every_competency_in_both_lanes():
    activities = read_catalogue(DEFAULT_CATALOGUE)
    assert len(activities) >= 40
    assert {code for a in activities for code in a["competencies"]} == CODES
    for code in CODES:
        for lane in ("fast", "slow"):
            assert any(code in a["competencies"] and lane in a["lanes"] for a in activities), (code, lane)
    assert len({a["kind"] for a in activities}) == 8


def test_seed_resources_twice_changes_nothing(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed", "resources"])
    assert first.exit_code == 0 and "added, 0 updated, 0 unchanged" in first.output
    second = runner.invoke(args=["seed", "resources"])
    assert "0 added, 0 updated" in second.output
    assert db.session.scalar(select(func.count(Resource.id))) == len(read_catalogue(DEFAULT_CATALOGUE))


@pytest.mark.parametrize("line,message", [
    ("kind: lecture", "kind 'lecture' is not one of"),
    ("level_min: 4", "levels must satisfy 1 <= 4 <= 2 <= 4"),
    ("lanes: [medium]", "lanes needs one or both of fast, slow"),
    ("competencies: [cog1]", "competencies needs competency codes"),
])
def test_a_bad_catalogue_names_the_activity_and_field_and_writes_nothing(app, db, tmp_path, line, message):
    entry = {"key": "a", "title": "A", "kind": "workshop", "competencies": "[COG.1]", "level_min": "1",
             "level_max": "2", "hours": "3", "lanes": "[slow]", "description": "x"}
    name, value = line.split(": ")
    entry[name] = value
    path = tmp_path / "bad.yaml"
    path.write_text("activities:\n  - key: fine\n    title: Fine\n    kind: workshop\n"
                    "    competencies: [COG.2]\n    level_min: 1\n    level_max: 2\n    hours: 2\n"
                    "    lanes: [fast]\n    description: ok\n  - "
                    + "\n    ".join(f"{k}: {v}" for k, v in entry.items()) + "\n")
    result = app.test_cli_runner().invoke(args=["seed", "resources", str(path)])
    assert result.exit_code != 0
    assert "bad.yaml: activities[1] (a):" in result.output and message in result.output
    assert db.session.scalar(select(func.count(Resource.id))) == 0


def test_settings_default_to_the_spec_and_are_validated_on_the_page(db, client):
    admin = create_user(Role.DISTRICT_ADMIN)
    assert planning_settings(admin.district_id) == PlanningSettings()
    sign_in_directly(client, admin)
    html = client.get("/planning/settings").get_data(as_text=True)
    assert 'value="0.60"' in html and "Building readiness" in html
    token = csrf_from(client, "/planning/settings")
    values = {"current_level_policy": "coach", "goals_per_educator": "2", "goals_per_domain": "3",
              "interest_bonus": "0.5", "foundational_bonus": "0.25", "fast_lane_readiness": "0.7",
              "fast_lane_min_domain_mean": "2.5", "fast_lane_label": "Ready to move",
              "slow_lane_label": "Growing with support", "cohort_min_size": "3", "cohort_max_size": "8",
              "coach_caseload_limit": "20", "csrf_token": token}
    refused = client.post("/planning/settings", data=values).get_data(as_text=True)
    assert "at most the goals per educator" in refused
    assert planning_settings(admin.district_id) == PlanningSettings()
    client.post("/planning/settings", data=values | {"goals_per_domain": "1"})
    saved = planning_settings(admin.district_id)
    assert (saved.current_level_policy, saved.goals_per_educator, saved.fast_lane_readiness) == (
        "coach", 2, 0.7)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "planning_settings.changed"))
    assert event.details["changed"]["current_level_policy"] == ["mean", "coach"]


def test_editing_a_shared_activity_gives_the_district_its_own_copy(db):
    import_catalogue(read_catalogue(DEFAULT_CATALOGUE)[:3])
    shared = db.session.scalar(select(Resource).order_by(Resource.id))
    admin = create_user(Role.DISTRICT_ADMIN)
    other_admin = create_user(Role.DISTRICT_ADMIN, district=create_district())
    values = {"title": "Our feedback lab", "kind": shared.kind.value, "competencies": shared.competencies,
              "level_min": 1, "level_max": 3, "hours": 5, "lanes": ["slow"], "description": "Ours.",
              "evidence": "", "active": True}
    save_resource(admin.district_id, values, resource=shared, actor=admin)
    db.session.commit()
    mine = visible_resources(admin.district_id)
    assert "Our feedback lab" in {r.title for r in mine} and shared.title not in {r.title for r in mine}
    assert shared.title in {r.title for r in visible_resources(other_admin.district_id)}
    assert len(mine) == 3


def test_admin_adds_an_activity_through_the_page_and_everyone_can_browse(db, client):
    load_default_framework()
    school = create_school()
    admin = create_user(Role.DISTRICT_ADMIN, district=school.district)
    sign_in_directly(client, admin)
    token = csrf_from(client, "/resources/new")
    refused = client.post("/resources/new", data={
        "csrf_token": token, "title": "Data dive", "kind": "workshop", "competencies": ["INST.6"],
        "level_min": "3", "level_max": "2", "hours": "4", "lanes": ["fast"],
        "description": "Look at data together."})
    assert "levels must satisfy" in refused.get_data(as_text=True)
    client.post("/resources/new", data={"csrf_token": token, "title": "Data dive", "kind": "workshop",
                                        "competencies": ["INST.6"], "level_min": "2", "level_max": "3",
                                        "hours": "4", "lanes": ["fast"], "active": "y",
                                        "description": "Look at data together."})
    sign_in_directly(client, create_user(Role.TEACHER, school=school))
    html = client.get("/resources?competency=INST.6").get_data(as_text=True)
    assert "Data dive" in html and "Ready to move" in html
    assert "Data dive" not in client.get("/resources?competency=COG.1").get_data(as_text=True)
