"""The district's retention period (set on the Cycles page) and `flask data purge`: the preview
changes nothing; --apply deletes only closed cycles past the period, with everything tied to them."""

from datetime import date

import pytest
from sqlalchemy import func, select

from pdplanner.assessments.models import Cycle, EvidenceFile, Rating, SelfAssessment
from pdplanner.assessments.queries import months_before
from pdplanner.audit.models import AuditEvent
from pdplanner.organisation.models import District
from pdplanner.planning.models import Cohort, PathActivity, Placement, PlannedGoal
from tests.conftest import csrf_from
from tests.helpers import sign_in_directly
from tests.scenarios import load, module_scenario, put_back, retention_scene

TABLES = (Rating, SelfAssessment, Placement, PlannedGoal, PathActivity, Cohort)


def run(app, *args):
    return app.test_cli_runner().invoke(args=["data", "purge", *args])


@pytest.fixture(scope="module")
def built(app):
    yield from module_scenario(app, retention_scene)


@pytest.fixture
def scene(db, built):
    scene = load(built)
    put_back(scene.files)
    return scene


def counts(db, cycle_id: int) -> dict[str, int]:
    return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model)
                                                   .where(model.cycle_id == cycle_id)) for model in TABLES}


def test_no_retention_period_keeps_everything(app, db, scene):
    result = run(app, "--district", "HOME", "--apply")
    assert result.exit_code == 0, result.output
    assert "HOME: keeps everything" in result.output
    assert db.session.scalar(select(func.count()).select_from(Cycle)) == 5


def test_the_preview_lists_old_closed_cycles_and_changes_nothing(app, db, scene):
    scene.district.retention_months = 24
    db.session.commit()
    before = {c.id: counts(db, c.id) for c in (scene.old, scene.recent, scene.current)}
    result = run(app, "--district", "home")
    assert result.exit_code == 0, result.output
    assert "HOME: keeps closed cycles 24 months; 1 to purge." in result.output
    assert "  Old (closed " in result.output
    assert "ratings: 57" in result.output and "evidence files: 1" in result.output
    assert "Recent" not in result.output and "Old draft" not in result.output
    assert "Preview only: nothing was deleted." in result.output
    db.session.expire_all()
    assert {c.id: counts(db, c.id) for c in (scene.old, scene.recent, scene.current)} == before
    assert scene.old_file.exists()


def test_apply_deletes_only_old_closed_cycles_with_everything_tied_to_them(app, db, scene):
    scene.district.retention_months = 24
    db.session.commit()
    old_id = scene.old.id
    recent_before, current_before = counts(db, scene.recent.id), counts(db, scene.current.id)
    assert all(counts(db, old_id)[t] for t in ("ratings", "placements", "planned_goals", "cohorts"))
    result = run(app, "--district", "HOME", "--apply")
    assert result.exit_code == 0, result.output
    assert "Purged 1 cycle and 1 evidence file." in result.output
    db.session.expire_all()
    assert db.session.get(Cycle, old_id) is None
    assert set(counts(db, old_id).values()) == {0}
    assert not scene.old_file.exists()
    assert db.session.scalar(select(func.count()).select_from(EvidenceFile)) == 0
    assert counts(db, scene.recent.id) == recent_before and counts(db, scene.current.id) == current_before
    assert db.session.get(Cycle, scene.old_draft.id) is not None
    assert db.session.get(Cycle, scene.away_old.id) is not None    # --district HOME only
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "cycle.purged"))
    assert event.subject_id == old_id and event.details["ratings"] == 57 and event.details["name"] == "Old"


def test_without_district_every_district_with_a_period_is_purged(app, db, scene):
    result = run(app, "--apply")
    assert result.exit_code == 0, result.output
    assert "AWAY: keeps closed cycles 12 months; 1 to purge." in result.output
    assert "HOME: keeps everything" in result.output
    db.session.expire_all()
    assert db.session.get(Cycle, scene.away_old.id) is None
    assert db.session.get(Cycle, scene.old.id) is not None


def test_an_open_cycle_is_never_purged_even_when_long_past(app, db, scene):
    scene.district.retention_months = 1
    scene.current.closes_on = date(2020, 1, 1)
    db.session.commit()
    result = run(app, "--district", "HOME", "--apply")
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(Cycle, scene.current.id) is not None
    assert db.session.get(Cycle, scene.old_draft.id) is not None
    assert db.session.get(Cycle, scene.recent.id) is None and db.session.get(Cycle, scene.old.id) is None


def test_admin_sets_and_clears_the_retention_period_on_the_cycles_page(db, client, scene):
    sign_in_directly(client, scene.admin)
    token = csrf_from(client, "/cycles")
    assert client.post("/cycles/retention", data={"months": "24", "csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert db.session.get(District, scene.district.id).retention_months == 24
    html = client.get("/cycles").get_data(as_text=True)
    assert 'value="24"' in html and "purged at the next run: Old." in html
    refused = client.post("/cycles/retention", data={"months": "0", "csrf_token": token})
    assert refused.status_code == 400 and "Keep closed cycles for (months)" in refused.get_data(as_text=True)
    assert client.post("/cycles/retention", data={"months": "", "csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert db.session.get(District, scene.district.id).retention_months is None
    changes = db.session.scalars(select(AuditEvent.details)
                                 .where(AuditEvent.action == "retention.changed")
                                 .order_by(AuditEvent.id)).all()
    assert [c["months"] for c in changes] == [[None, 24], [24, None]]


@pytest.mark.parametrize("day,months,expected", [
    (date(2026, 3, 31), 1, date(2026, 2, 28)), (date(2024, 2, 29), 12, date(2023, 2, 28)),
    (date(2026, 1, 15), 1, date(2025, 12, 15)), (date(2026, 5, 10), 36, date(2023, 5, 10)),
])
def test_months_before(day, months, expected):
    assert months_before(day, months) == expected
