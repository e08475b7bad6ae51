"""Lower packages announce what happened by signals; the packages above them do their part, in
the sender's transaction (docs/DECISIONS.md, "Layers and signals")."""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pdplanner import register_signal_receivers
from pdplanner.accounts.models import Role, User
from pdplanner.assessments.evidence import evidence_path, store_evidence
from pdplanner.assessments.models import EvidenceFile, Rating
from pdplanner.assessments.services import RatingInput, create_cycle, open_cycle, save_self_ratings
from pdplanner.audit.models import AuditEvent
from pdplanner.cli import DEFAULT_CATALOGUE
from pdplanner.dashboards.models import SchoolSummary
from pdplanner.organisation.services import delete_person
from pdplanner.organisation.signals import deleting_person, roster_applied
from pdplanner.planning.models import PathActivity, PlannedGoal
from pdplanner.planning.services import import_catalogue, read_catalogue, run_plan
from pdplanner.planning.signals import plans_written
from tests.factories import create_school, create_user
from tests.helpers import load_default_framework, pdf_upload

RECEIVERS = {
    deleting_person: ["pdplanner.assessments.services._remove_evidence_of_person",
                      "pdplanner.dashboards.services._forget_district_of_person",
                      "pdplanner.planning.services._remove_plans_of_person"],
    plans_written: ["pdplanner.dashboards.services._forget_plans"],
    roster_applied: ["pdplanner.dashboards.services._forget_district_of_roster"],
}
OWNED = (Rating.educator_id, PlannedGoal.educator_id, PathActivity.educator_id, EvidenceFile.owner_id)


def receivers(signal) -> list[str]:
    """In no set order: blinker's."""
    return sorted(f"{r.__module__}.{r.__qualname__}" for r in signal.receivers_for(object()))


def test_create_app_connects_each_receiver_once(app):
    assert {signal: receivers(signal) for signal in RECEIVERS} == RECEIVERS
    register_signal_receivers()   # as a second app in the same process does
    assert {signal: receivers(signal) for signal in RECEIVERS} == RECEIVERS


@dataclass
class Scene:
    admin: User
    ann: User
    cycle: object
    ann_file: Path
    schools: list


@pytest.fixture
def scene(db):
    """Ann has self-ratings (one with evidence) and a plan; the district's two schools (the
    second without anyone in it) and the district itself have kept summaries."""
    school = create_school()
    empty_school = create_school(school.district)
    admin = create_user(Role.DISTRICT_ADMIN, district=school.district)
    coach = create_user(Role.COACH, school=school)
    ann = create_user(Role.TEACHER, school=school, coach=coach, given_name="Ann")
    cycle = create_cycle(district_id=school.district_id, name="Baseline", opens_on=date(2026, 9, 1),
                         closes_on=date(2026, 10, 15), framework=load_default_framework())
    open_cycle(cycle)
    import_catalogue(read_catalogue(DEFAULT_CATALOGUE))
    ratings = save_self_ratings(ann, cycle, [RatingInput(c.code, level=2)
                                             for c in cycle.framework.competencies])
    ratings[0].evidence_file_id = store_evidence(ann, pdf_upload()).id
    run_plan(cycle)
    db.session.commit()
    scene = Scene(admin, ann, cycle, evidence_path(ratings[0].evidence_file), [school, empty_school])
    keep_summaries(db, scene)
    return scene


def keep_summaries(db, scene) -> None:
    for school_id in (scene.schools[0].id, scene.schools[1].id, None):
        db.session.add(SchoolSummary(cycle_id=scene.cycle.id, school_id=school_id, figures={}, headline={}))
    db.session.commit()


def summaries(db) -> list[int | None]:
    return sorted(db.session.scalars(select(SchoolSummary.school_id)), key=lambda i: i or 0)


def count(db, column, value) -> int:
    return db.session.scalar(select(func.count()).select_from(column.class_).where(column == value))


def test_deleting_a_person_reaches_every_subscriber(db, scene):
    ann_id = scene.ann.id
    goals = count(db, PlannedGoal.educator_id, ann_id)
    ratings = count(db, Rating.educator_id, ann_id)
    assert goals and ratings and count(db, PathActivity.educator_id, ann_id)

    files = delete_person(scene.ann, actor=scene.admin)
    db.session.commit()

    assert files == [scene.ann_file.name] and scene.ann_file.exists()   # the caller removes it
    assert {count(db, column, ann_id) for column in OWNED} == {0}
    assert summaries(db) == []        # the empty school's too: the whole district is forgotten
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.deleted"))
    assert {k: event.details[k] for k in ("ratings", "goals", "evidence_files")} == {
        "ratings": ratings, "goals": goals, "evidence_files": 1}


def test_a_receiver_that_raises_undoes_the_whole_deletion(db, scene):
    ann_id = scene.ann.id
    before = {column: count(db, column, ann_id) for column in OWNED}

    def refuse(person, **_):
        raise RuntimeError(f"cannot let {person.given_name} go")

    with deleting_person.connected_to(refuse), pytest.raises(RuntimeError, match="cannot let Ann go"):
        delete_person(scene.ann, actor=scene.admin)
    db.session.rollback()

    assert receivers(deleting_person) == RECEIVERS[deleting_person]
    assert db.session.get(User, ann_id) is not None
    assert {column: count(db, column, ann_id) for column in OWNED} == before
    assert scene.ann_file.exists() and len(summaries(db)) == 3
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "user.deleted")) == 0


def test_plans_written_for_some_educators_forgets_their_schools_and_the_district(db, scene):
    plans_written.send(scene.cycle, educator_ids=[scene.ann.id])
    db.session.commit()
    assert summaries(db) == [scene.schools[1].id]


def test_plans_written_for_a_whole_cycle_forgets_all_of_it(db, scene):
    plans_written.send(scene.cycle)
    db.session.commit()
    assert summaries(db) == []


def test_a_roster_applied_forgets_the_whole_district(db, scene):
    roster_applied.send(scene.schools[0].district)
    db.session.commit()
    assert summaries(db) == []


def test_a_saved_rating_still_forgets_its_schools_summary(db, scene):
    save_self_ratings(scene.ann, scene.cycle, [RatingInput("COG.1", level=4)])
    db.session.commit()
    assert summaries(db) == [scene.schools[1].id]
