"""Writing ratings through the API: who may, what is saved, and refusals that change nothing."""

import pytest
from sqlalchemy import func, select

from pdplanner.assessments.models import AssessmentStatus, RaterKind, Rating, SelfAssessment
from pdplanner.assessments.services import close_cycle
from pdplanner.audit.models import AuditEvent

GOOD = {"ratings": [{"competency": "COG.1", "level": 2, "confidence": "medium", "interest": True,
                     "note": "Working on it"}]}


def self_url(town, educator=None, cycle=None, suffix=""):
    educator_id = (educator or town.teacher).id
    return f"/api/v1/educators/{educator_id}/ratings/self{suffix}?cycle={(cycle or town.cycle).id}"


def coach_url(town, educator=None):
    return f"/api/v1/educators/{(educator or town.teacher).id}/ratings/coach?cycle={town.cycle.id}"


def snapshot(db):
    """Everything a ratings write could touch."""
    db.session.expire_all()
    ratings = db.session.execute(select(
        Rating.educator_id, Rating.competency_id, Rating.kind, Rating.level, Rating.note,
        Rating.confidence).order_by(Rating.id)).all()
    assessments = db.session.execute(select(
        SelfAssessment.educator_id, SelfAssessment.status).order_by(SelfAssessment.id)).all()
    events = db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action.in_(["self_ratings.saved", "coach_ratings.saved"])))
    return ratings, assessments, events


def test_educator_saves_their_own_ratings(db, client, town, bearer):
    response = client.put(self_url(town), json=GOOD, headers=bearer(town.teacher))
    assert response.status_code == 200, response.json
    body = response.json
    assert body["cycle"] == town.cycle.id and body["educator"] == town.teacher.id
    assert body["kind"] == "self"
    [saved] = body["ratings"]
    assert saved["competency"] == "COG.1" and saved["level"] == 2
    assert saved["confidence"] == "medium" and saved["interest"] is True
    rating = db.session.scalar(select(Rating))
    assert (rating.level, rating.kind, rating.rater_id) == (2, RaterKind.SELF, town.teacher.id)


def test_partial_saves_accumulate_and_replace_per_competency(db, client, town, bearer):
    headers = bearer(town.teacher)
    client.put(self_url(town), json=GOOD, headers=headers)
    response = client.put(self_url(town), json={"ratings": [
        {"competency": "COG.2", "not_observed": True},
        {"competency": "COG.1", "level": 3, "evidence_url": "https://example.org/lesson"}]},
        headers=headers)
    assert response.status_code == 200
    rows = dict(db.session.execute(select(Rating.competency_id, Rating.level)).all())
    assert sorted(rows.values(), key=str) == [3, None]
    cog1 = db.session.scalar(select(Rating).where(Rating.level == 3))
    assert cog1.note == "" and cog1.evidence_url == "https://example.org/lesson"


def test_coach_saves_coach_ratings(db, client, town, bearer):
    response = client.put(coach_url(town), json=GOOD, headers=bearer(town.coach))
    assert response.status_code == 200, response.json
    assert response.json["kind"] == "coach"
    assert response.json["ratings"][0]["rater"] == "coach@town.org"
    rating = db.session.scalar(select(Rating))
    assert (rating.kind, rating.rater_id, rating.educator_id) == (
        RaterKind.COACH, town.coach.id, town.teacher.id)


def test_submit_needs_every_competency(db, client, town, bearer):
    headers = bearer(town.teacher)
    client.put(self_url(town), json=GOOD, headers=headers)
    response = client.post(self_url(town, suffix="/submit"), headers=headers)
    assert response.status_code == 409
    assert response.content_type == "application/problem+json"
    assert "COG.2" in response.json["errors"]["missing"]
    assert "COG.1" not in response.json["errors"]["missing"]
    assert db.session.scalar(select(SelfAssessment.status)) == AssessmentStatus.IN_PROGRESS


def test_submit_then_saving_is_refused(db, client, town, bearer):
    headers = bearer(town.teacher)
    everything = {"ratings": [{"competency": c.code, "level": 1} for c in town.framework.competencies]}
    assert client.put(self_url(town), json=everything, headers=headers).status_code == 200
    response = client.post(self_url(town, suffix="/submit"), headers=headers)
    assert response.status_code == 200
    assert response.json["status"] == "submitted" and response.json["submitted_at"]
    before = snapshot(db)
    refused = client.put(self_url(town), json=GOOD, headers=headers)
    assert refused.status_code == 409
    assert "submitted" in refused.json["detail"]
    assert snapshot(db) == before


# -- refusals change nothing ----------------------------------------------------------------

def test_a_level_outside_the_scale_is_422_naming_the_field(db, client, town, bearer):
    before = snapshot(db)
    body = {"ratings": [{"competency": "COG.2", "level": 1},
                        {"competency": "COG.1", "level": 7}]}
    response = client.put(self_url(town), json=body, headers=bearer(town.teacher))
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert list(response.json["errors"]) == ["ratings[1].level"]
    assert "7" in response.json["errors"]["ratings[1].level"]
    assert snapshot(db) == before


def test_an_unknown_competency_is_422(db, client, town, bearer):
    before = snapshot(db)
    body = {"ratings": [{"competency": "COG.1", "level": 2}, {"competency": "NOPE.9", "level": 2}]}
    response = client.put(self_url(town), json=body, headers=bearer(town.teacher))
    assert response.status_code == 422
    assert list(response.json["errors"]) == ["ratings[1].competency"]
    assert snapshot(db) == before


@pytest.mark.parametrize("item,path", [
    ({"competency": "COG.1", "level": "2"}, "ratings[0].level"),
    ({"competency": "COG.1", "level": True}, "ratings[0].level"),
    ({"competency": "COG.1", "confidence": "very"}, "ratings[0].confidence"),
    ({"competency": "COG.1", "colour": "blue"}, "ratings[0].colour"),
    ({"level": 2}, "ratings[0].competency"),
    ({"competency": "COG.1", "note": "x" * 2001}, "ratings[0].note"),
])
def test_malformed_items_are_422_by_field_path(db, client, town, bearer, item, path):
    before = snapshot(db)
    response = client.put(self_url(town), json={"ratings": [item]}, headers=bearer(town.teacher))
    assert response.status_code == 422
    assert list(response.json["errors"]) == [path]
    assert snapshot(db) == before


@pytest.mark.parametrize("body,path", [({}, "ratings"), ({"ratings": []}, "ratings"),
                                       ({"ratings": "COG.1"}, "ratings")])
def test_a_body_without_ratings_is_422(db, client, town, bearer, body, path):
    response = client.put(self_url(town), json=body, headers=bearer(town.teacher))
    assert response.status_code == 422
    assert list(response.json["errors"]) == [path]


def test_invalid_json_is_400(db, client, town, bearer):
    response = client.put(self_url(town), data="{not json", content_type="application/json",
                          headers=bearer(town.teacher))
    assert response.status_code == 400
    assert response.json["errors"]["body"].startswith("Invalid JSON body (Expecting property name")


def test_another_educators_self_ratings_are_404_for_a_teacher(db, client, town, bearer):
    before = snapshot(db)
    headers = bearer(town.colleague)  # same school, but a teacher sees only themself
    assert client.put(self_url(town), json=GOOD, headers=headers).status_code == 404
    assert client.put(self_url(town, educator=town.stranger), json=GOOD,
                      headers=headers).status_code == 404
    assert client.post(self_url(town, suffix="/submit"), headers=headers).status_code == 404
    assert snapshot(db) == before


@pytest.mark.parametrize("who", ["coach", "principal", "admin"])
def test_whoever_can_see_the_educator_still_cannot_write_their_self_ratings(
        db, client, town, bearer, who):
    before = snapshot(db)
    response = client.put(self_url(town), json=GOOD, headers=bearer(getattr(town, who)))
    assert response.status_code == 403
    assert response.content_type == "application/problem+json"
    assert snapshot(db) == before
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "access.denied"))


@pytest.mark.parametrize("who,status", [("teacher", 403), ("principal", 403), ("colleague", 404)])
def test_only_the_educators_coach_writes_coach_ratings(db, client, town, bearer, who, status):
    before = snapshot(db)
    assert client.put(coach_url(town), json=GOOD, headers=bearer(getattr(town, who))).status_code == status
    assert snapshot(db) == before


def test_a_coach_cannot_coach_rate_outside_their_caseload(db, client, town, bearer):
    before = snapshot(db)
    response = client.put(coach_url(town, educator=town.colleague), json=GOOD, headers=bearer(town.coach))
    assert response.status_code == 404
    assert snapshot(db) == before


def test_a_closed_cycle_is_409(db, client, town, bearer):
    client.put(self_url(town), json=GOOD, headers=bearer(town.teacher))
    close_cycle(town.cycle)
    db.session.commit()
    before = snapshot(db)
    changed = {"ratings": [{"competency": "COG.1", "level": 4}]}
    for url, user in [(self_url(town), town.teacher), (coach_url(town), town.coach)]:
        response = client.put(url, json=changed, headers=bearer(user))
        assert response.status_code == 409
        assert "read-only" in response.json["detail"]
    assert client.post(self_url(town, suffix="/submit"), headers=bearer(town.teacher)).status_code == 409
    assert snapshot(db) == before


def test_another_districts_cycle_is_404(db, client, town, bearer):
    from datetime import date

    from pdplanner.assessments.services import create_cycle

    theirs = create_cycle(district_id=town.stranger.district_id, name="Theirs",
                          opens_on=date(2026, 9, 1), closes_on=date(2026, 10, 1), framework=town.framework)
    db.session.commit()
    before = snapshot(db)
    response = client.put(self_url(town, cycle=theirs), json=GOOD, headers=bearer(town.teacher))
    assert response.status_code == 404
    assert snapshot(db) == before
