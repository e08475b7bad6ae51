"""The district's retention period (set on the Cycles page) and `flask data purge`: the preview
changes nothing; --apply deletes only closed cycles past the period, with everything tied to them."""

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pdplanner.accounts.models import Role
from pdplanner.assessments.evidence import evidence_path, store_evidence
from pdplanner.assessments.models import Cycle, EvidenceFile, Rating, SelfAssessment
from pdplanner.assessments.queries import months_before
from pdplanner.assessments.services import (
    RatingInput,
    close_cycle,
    create_cycle,
    open_cycle,
    save_self_ratings,
)
from pdplanner.audit.models import AuditEvent
from pdplanner.cli import DEFAULT_CATALOGUE
from pdplanner.database import utcnow
from pdplanner.organisation.models import District
from pdplanner.planning.models import Cohort, PathActivity, Placement, PlannedGoal
from pdplanner.planning.services import import_catalogue, read_catalogue, run_plan
from tests.conftest import csrf_from
from tests.factories import create_district, create_school, create_user
from tests.helpers import load_default_framework, pdf_upload, sign_in_directly

TABLES = (Rating, SelfAssessment, Placement, PlannedGoal, PathActivity, Cohort)


@dataclass
class Scene:
    district: object
    admin: object
    teacher: object
    old: object          # closed three years ago, with ratings, a plan and an evidence file
    recent: object       # closed 45 days ago
    old_draft: object    # never opened, dated long ago
    current: object      # open
    old_file: Path
    away_old: object     # another district's old closed cycle


def run(app, *args):
    return app.test_cli_runner().invoke(args=["data", "purge", *args])


def cycle_with_ratings(framework, district, name, opens_on, closes_on, teachers, *, close=True):
    """A cycle in which `teachers` rated themselves and were planned (three make a cohort)."""
    cycle = create_cycle(district_id=district.id, name=name, opens_on=opens_on, closes_on=closes_on,
                         framework=framework)
    open_cycle(cycle)
    ratings = [save_self_ratings(t, cycle, [RatingInput(c.code, level=2) for c in framework.competencies])
               for t in teachers][0]
    run_plan(cycle)
    if close:
        close_cycle(cycle)
    return cycle, ratings


@pytest.fixture
def scene(db):
    today = utcnow().date()
    district = create_district("HOME")
    school = create_school(district, "S1")
    coach = create_user(Role.COACH, school=school)
    teachers = [create_user(Role.TEACHER, school=school, coach=coach) for _ in range(3)]
    admin = create_user(Role.DISTRICT_ADMIN, district=district)
    framework = load_default_framework()
    import_catalogue(read_catalogue(DEFAULT_CATALOGUE))
    old, ratings = cycle_with_ratings(framework, district, "Old", today - timedelta(days=3 * 365 + 60),
                                      today - timedelta(days=3 * 365), teachers)
    ratings[0].evidence_file_id = store_evidence(teachers[0], pdf_upload()).id
    old_file = evidence_path(ratings[0].evidence_file)
    recent, _ = cycle_with_ratings(framework, district, "Recent", today - timedelta(days=100),
                                   today - timedelta(days=45), teachers)
    old_draft = create_cycle(district_id=district.id, name="Old draft", opens_on=date(2019, 1, 1),
                             closes_on=date(2019, 2, 1), framework=framework)
    current, _ = cycle_with_ratings(framework, district, "Current", today - timedelta(days=10),
                                    today + timedelta(days=30), teachers,
                                    close=False)
    away = create_district("AWAY", name="Away")
    away_teacher = create_user(Role.TEACHER, school=create_school(away, "A1"))
    away_old, _ = cycle_with_ratings(framework, away, "Away old", date(2020, 9, 1), date(2020, 10, 1),
                                     [away_teacher])
    away.retention_months = 12
    db.session.commit()
    return Scene(district, admin, teachers[0], old, recent, old_draft, current, old_file, away_old)


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
