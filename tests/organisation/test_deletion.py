"""A district admin deletes a person: everything of theirs goes, in one transaction, files after
the commit; the audit trail stays; nobody deletes themselves or another district's people."""


import pytest
from sqlalchemy import func, select

from pdplanner.accounts.models import ApiToken, Role, SetPasswordToken, User
from pdplanner.accounts.services import create_token
from pdplanner.assessments.models import EvidenceFile, Rating, SelfAssessment
from pdplanner.audit.models import AuditEvent
from pdplanner.organisation import services
from pdplanner.organisation.models import CaseloadAssignment, Membership
from pdplanner.planning.models import PathActivity, Placement, PlannedGoal
from tests.conftest import csrf_from
from tests.factories import create_user
from tests.helpers import sign_in_directly
from tests.scenarios import deletion_scene, load, module_scenario, put_back

OWNED_BY_EDUCATOR = (Membership.user_id, CaseloadAssignment.educator_id, SelfAssessment.educator_id,
                     Rating.educator_id, Placement.educator_id, PlannedGoal.educator_id,
                     PathActivity.educator_id, EvidenceFile.owner_id, ApiToken.user_id,
                     SetPasswordToken.user_id)


def rows_of(db, person_id: int) -> dict[str, int]:
    return {f"{c.class_.__tablename__}.{c.key}": db.session.scalar(
        select(func.count()).select_from(c.class_).where(c == person_id)) for c in OWNED_BY_EDUCATOR}


@pytest.fixture(scope="module")
def built(app):
    yield from module_scenario(app, deletion_scene)


@pytest.fixture
def scene(db, built):
    scene = load(built)
    put_back(scene.files)
    return scene


def delete_through_the_page(client, scene, person, typed: str):
    sign_in_directly(client, scene.admin)
    token = csrf_from(client, f"/people/{person.id}")
    return client.post(f"/people/{person.id}/delete", data={"email": typed, "csrf_token": token})


def test_admin_deletes_an_educator_and_everything_of_theirs(db, client, scene):
    ann_id, ben_id = scene.ann.id, scene.ben.id
    assert all(rows_of(db, ann_id)[k] for k in ("ratings.educator_id", "planned_goals.educator_id",
                                                  "path_activities.educator_id", "api_tokens.user_id"))
    ben_before = rows_of(db, ben_id)
    events_about_ann = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.subject_type == "user", AuditEvent.subject_id == ann_id))
    events_by_ann = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.actor_id == ann_id))

    response = delete_through_the_page(client, scene, scene.ann, " Ann@Example.org ")

    assert response.status_code == 302 and response.headers["Location"] == "/people"
    db.session.expire_all()
    assert db.session.get(User, ann_id) is None
    assert set(rows_of(db, ann_id).values()) == {0}
    assert not scene.ann_file.exists() and not scene.coach_file.exists()   # the coach's file on Ann's rating
    assert rows_of(db, ben_id) == ben_before and scene.ben_file.exists()
    assert db.session.scalar(select(func.count()).select_from(Rating).where(
        Rating.rater_id == scene.coach.id)) == 0   # Cora's only coach rating was of Ann
    deleted = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.deleted"))
    assert deleted.actor_id == scene.admin.id and deleted.subject_id == ann_id
    assert deleted.details["email"] == "ann@example.org" and deleted.details["evidence_files"] == 2
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.subject_type == "user", AuditEvent.subject_id == ann_id)) == events_about_ann + 1
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.actor_id == ann_id)) == events_by_ann > 0
    html = client.get("/audit").get_data(as_text=True)
    assert "deleted the account of ann@example.org" in html and "Person deleted" in html


def test_a_deleted_persons_session_and_token_stop_working(db, app, client, scene):
    _, secret = create_token(scene.ann, "later")
    db.session.commit()
    ann_client = app.test_client()
    sign_in_directly(ann_client, scene.ann)
    delete_through_the_page(client, scene, scene.ann, scene.ann.email)
    assert ann_client.get("/").status_code == 302
    token = {"Authorization": f"Bearer {secret}"}
    assert app.test_client().get("/api/v1/me", headers=token).status_code == 401


def test_a_wrong_email_deletes_nothing(db, client, scene):
    before = rows_of(db, scene.ann.id)
    response = delete_through_the_page(client, scene, scene.ann, "ben@example.org")
    assert response.status_code == 400
    assert "That is not ann@example.org. Nothing was deleted." in response.get_data(as_text=True)
    assert rows_of(db, scene.ann.id) == before and scene.ann_file.exists()


def test_nobody_deletes_themselves(db, client, scene):
    sign_in_directly(client, scene.admin)
    page = client.get(f"/people/{scene.admin.id}").get_data(as_text=True)
    assert "/delete" not in page
    token = csrf_from(client, f"/people/{scene.ann.id}")
    response = client.post(f"/people/{scene.admin.id}/delete", data={"email": scene.admin.email,
                                                                       "csrf_token": token})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You cannot delete your own account." in page
    assert db.session.get(User, scene.admin.id) is not None
    with pytest.raises(services.OrganisationError):
        services.delete_person(scene.admin, actor=scene.admin)


def test_another_districts_admin_cannot_delete(db, client, scene):
    stranger_admin = create_user(Role.DISTRICT_ADMIN, email="away@example.org")
    sign_in_directly(client, stranger_admin)
    token = csrf_from(client, "/")
    response = client.post(f"/people/{scene.ann.id}/delete",
                           data={"email": scene.ann.email, "csrf_token": token})
    assert response.status_code == 404
    assert db.session.get(User, scene.ann.id) is not None
    with pytest.raises(services.OrganisationError):
        services.delete_person(scene.ann, actor=stranger_admin)


def test_a_failed_deletion_leaves_everything(db, client, scene, monkeypatch):
    before = rows_of(db, scene.ann.id)

    def failing_record(action, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(services, "record", failing_record)
    response = delete_through_the_page(client, scene, scene.ann, scene.ann.email)
    assert response.status_code == 500
    db.session.expire_all()
    assert rows_of(db, scene.ann.id) == before
    assert scene.ann_file.exists() and scene.coach_file.exists()
    assert db.session.scalar(select(func.count()).select_from(EvidenceFile)) == 3


def test_only_the_district_admin_sees_the_delete_form(db, client, scene):
    sign_in_directly(client, scene.coach)
    assert "/delete" not in client.get(f"/people/{scene.ann.id}").get_data(as_text=True)
    sign_in_directly(client, scene.admin)
    html = client.get(f"/people/{scene.ann.id}").get_data(as_text=True)
    assert f'action="/people/{scene.ann.id}/delete"' in html and "Type ann@example.org exactly." in html
