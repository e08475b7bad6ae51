"""Issue 12, item 6: the coach of a cohort could not open the evidence they are asked to verify
(404), and a replaced evidence file stayed on disk, unreachable even to its owner. Replayed
through the plan page and /evidence; the evidence folder must hold exactly the files the
database points to."""

from pathlib import Path

import pytest
from sqlalchemy import select

from pdplanner.accounts.models import Role
from pdplanner.assessments.models import EvidenceFile, RaterKind, Rating
from pdplanner.planning import services as planning_services
from pdplanner.planning.models import ActivityStatus, PathActivity
from pdplanner.planning.services import PlanningError, run_plan
from tests.factories import create_user
from tests.helpers import pdf_upload, sign_in_directly
from tests.scenarios import rate_everything


@pytest.fixture(autouse=True)
def fresh_evidence_dir(app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)  # CSRF has tests of its own
    monkeypatch.setitem(app.config, "EVIDENCE_DIR", str(tmp_path))
    return tmp_path


def on_disk(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def in_database(db) -> set[str]:
    db.session.expire_all()
    return set(db.session.scalars(select(EvidenceFile.stored_name)))


def first_activity(db, teacher) -> PathActivity:
    return db.session.scalar(select(PathActivity).where(PathActivity.educator_id == teacher.id)
                             .order_by(PathActivity.position))


def upload(client, activity, name: str, body: bytes, status: str = "done"):
    prefix = f"a{activity.id}-"
    return client.post(f"/plan/activities/{activity.id}", data={
        prefix + "status": status, prefix + "reflection": "Notes attached.",
        prefix + "evidence_file": pdf_upload(name, body)}, follow_redirects=True)


def evidence_of(db, activity) -> EvidenceFile:
    db.session.expire_all()
    return db.session.get(PathActivity, activity.id).evidence_file


def test_the_cohorts_coach_opens_the_evidence_they_verify_and_nobody_else_does(client, db, planned):
    teacher = planned.teachers[0]
    activity = first_activity(db, teacher)
    planned.cohort.coach_id = planned.other_coach.id   # leads the cohort, has no one on a caseload
    [rating] = [r for r in db.session.scalars(select(Rating).where(
        Rating.educator_id == teacher.id, Rating.kind == RaterKind.SELF)) if r.competency.code == "COG.1"]
    rating.evidence_file_id = None
    db.session.commit()
    sign_in_directly(client, teacher)
    upload(client, activity, "lesson.pdf", b"%PDF-1.4 lesson")
    sign_in_directly(client, teacher)
    client.post(f"/assessment/{planned.cycle.id}/COG", data={
        "COG_1__level": "2", "COG_1__evidence_file": pdf_upload("self.pdf")},
        content_type="multipart/form-data")
    on_activity = evidence_of(db, activity).id
    on_rating = db.session.get(Rating, rating.id).evidence_file_id
    assert on_rating is not None

    sign_in_directly(client, planned.other_coach)
    opened = client.get(f"/evidence/{on_activity}")
    assert opened.status_code == 200 and opened.data == b"%PDF-1.4 lesson"
    # The self-rating's evidence stays with the ratings: the educator and their own coach.
    assert client.get(f"/evidence/{on_rating}").status_code == 404
    stranger_coach = create_user(Role.COACH, school=planned.school)
    for viewer in (planned.teachers[1], planned.principal, planned.other_principal, stranger_coach):
        sign_in_directly(client, viewer)
        assert client.get(f"/evidence/{on_activity}").status_code == 404, viewer.email
    for viewer in (teacher, planned.coach):
        sign_in_directly(client, viewer)
        assert client.get(f"/evidence/{on_activity}").status_code == 200


def test_a_replaced_file_leaves_no_orphan_and_the_new_one_opens(client, db, planned, fresh_evidence_dir):
    teacher = planned.teachers[0]
    activity = first_activity(db, teacher)
    sign_in_directly(client, teacher)
    upload(client, activity, "draft.pdf", b"%PDF-1.4 draft")
    first = evidence_of(db, activity)
    first_id, first_name = first.id, first.stored_name
    upload(client, activity, "final.pdf", b"%PDF-1.4 final")
    second = evidence_of(db, activity)
    assert second.id != first_id
    assert on_disk(fresh_evidence_dir) == in_database(db) == {second.stored_name}
    assert first_name not in on_disk(fresh_evidence_dir)
    assert client.get(f"/evidence/{first_id}").status_code == 404
    assert client.get(f"/evidence/{second.id}").data == b"%PDF-1.4 final"


def test_the_same_for_a_self_ratings_evidence(client, db, planned, fresh_evidence_dir):
    sign_in_directly(client, planned.teachers[0])
    url = f"/assessment/{planned.cycle.id}/COG"
    for name in ("one.pdf", "two.pdf"):
        client.post(url, data={"COG_1__level": "2", "COG_1__evidence_file": pdf_upload(name)},
                    content_type="multipart/form-data")
    [kept] = db.session.scalars(select(EvidenceFile)).all()
    assert kept.original_name == "two.pdf"
    assert on_disk(fresh_evidence_dir) == in_database(db) == {kept.stored_name}


def test_a_replacement_that_fails_keeps_the_old_file_and_drops_the_new(client, db, planned, monkeypatch,
                                                                         fresh_evidence_dir):
    teacher = planned.teachers[0]
    activity = first_activity(db, teacher)
    sign_in_directly(client, teacher)
    upload(client, activity, "old.pdf", b"%PDF-1.4 old")
    old = evidence_of(db, activity)

    def failing_audit(*args, **kwargs):   # the transaction fails after the replacement is flushed
        raise PlanningError("The audit log is unavailable.")

    monkeypatch.setattr(planning_services, "record", failing_audit)
    response = upload(client, activity, "new.pdf", b"%PDF-1.4 new")
    assert "The audit log is unavailable." in response.get_data(as_text=True)
    assert on_disk(fresh_evidence_dir) == in_database(db) == {old.stored_name}
    assert evidence_of(db, activity).id == old.id
    assert client.get(f"/evidence/{old.id}").data == b"%PDF-1.4 old"


def test_re_planning_keeps_a_suggestion_the_educator_attached_evidence_to(client, db, planned,
                                                                         fresh_evidence_dir):
    teacher = planned.teachers[0]
    activity = first_activity(db, teacher)
    assert activity.source == "suggested"
    sign_in_directly(client, teacher)
    upload(client, activity, "started.pdf", b"%PDF-1.4 started", status="planned")
    rate_everything(planned.cycle, teacher, planned.coach, 4)   # no goal left: no suggestion either
    run_plan(planned.cycle)
    db.session.commit()
    kept = evidence_of(db, activity)
    assert kept is not None and kept.original_name == "started.pdf"
    assert db.session.get(PathActivity, activity.id).status == ActivityStatus.PLANNED
    assert on_disk(fresh_evidence_dir) == in_database(db) == {kept.stored_name}
    assert client.get(f"/evidence/{kept.id}").status_code == 200


def test_deleting_a_person_takes_their_files(client, db, planned, fresh_evidence_dir):
    teacher = planned.teachers[0]
    sign_in_directly(client, teacher)
    upload(client, first_activity(db, teacher), "mine.pdf", b"%PDF-1.4 mine")
    assert len(on_disk(fresh_evidence_dir)) == 1
    admin = create_user(Role.DISTRICT_ADMIN, district=planned.school.district)
    sign_in_directly(client, admin)
    response = client.post(f"/people/{teacher.id}/delete", data={"email": teacher.email})
    assert response.status_code == 302
    assert on_disk(fresh_evidence_dir) == in_database(db) == set()
