"""GET /api/v1/educators/{id}/plan: the SPEC's shape, the same rules as the plan page."""

from sqlalchemy import select

from pdplanner.accounts.services import create_token
from pdplanner.assessments.services import set_sharing
from pdplanner.planning.models import ActivityStatus, PathActivity
from tests.helpers import sign_in_directly


def _get(client, user, planned, educator=None):
    token, secret = create_token(user, "test")
    educator = educator or planned.teachers[0]
    return client.get(f"/api/v1/educators/{educator.id}/plan?cycle={planned.cycle.id}",
                      headers={"Authorization": f"Bearer {secret}"})


def test_the_educator_gets_goals_lane_and_cohort_in_the_spec_shape(client, db, planned):
    teacher = planned.teachers[0]
    activity = db.session.scalars(select(PathActivity).where(PathActivity.educator_id == teacher.id)).first()
    activity.status, activity.reflection = ActivityStatus.IN_PROGRESS, "Halfway there."
    db.session.commit()
    body = _get(client, teacher, planned).json
    assert body["cycle"] == planned.cycle.id and body["educator"] == teacher.id
    assert [g["competency"] for g in body["goals"]] == ["COG.1", "COG.4", "INTRA.1"]
    first = body["goals"][0]
    assert (first["from_level"], first["to_level"], first["status"]) == (2, 3, "active")
    assert first["why"].startswith("Now at ")
    assert first["activities"] and {"id", "title", "kind", "hours", "status", "source", "why"} <= set(
        first["activities"][0])
    assert any(a["reflection"] == "Halfway there." for g in body["goals"] for a in g["activities"])
    assert body["lane"] == {"name": "slow", "label": "Building readiness", "overridden": False,
                            "why": body["lane"]["why"]}
    assert "0 of 19 rated competencies at target or above" in body["lane"]["why"]
    assert body["cohort"]["id"] == planned.cohort.id
    assert body["cohort"]["coach"] == {"id": planned.coach.id, "name": planned.coach.name,
                                       "email": planned.coach.email}
    assert {m["id"] for m in body["cohort"]["members"]} == {t.id for t in planned.teachers}


def test_a_principal_gets_lane_and_progress_but_no_levels_until_shared(client, db, planned):
    hidden = _get(client, planned.principal, planned).json
    assert hidden["ratings_visible"] is False and hidden["lane"]["name"] == "slow"
    assert all(g["from_level"] is None and g["why"] is None for g in hidden["goals"])
    assert all(a["reflection"] is None for g in hidden["goals"] for a in g["activities"])
    set_sharing(planned.teachers[0], planned.cycle, True)
    db.session.commit()
    shown = _get(client, planned.principal, planned).json
    assert shown["ratings_visible"] is True and shown["goals"][0]["from_level"] == 2


def test_someone_who_may_not_see_the_educator_gets_404(client, db, planned):
    for outsider in (planned.other_principal, planned.other_coach, planned.teachers[1]):
        response = _get(client, outsider, planned)
        assert response.status_code == 404
        assert response.headers["Content-Type"] == "application/problem+json"


def test_without_a_cycle_the_open_one_is_used(client, db, planned):
    sign_in_directly(client, planned.teachers[0])
    body = client.get(f"/api/v1/educators/{planned.teachers[0].id}/plan").json
    assert body["cycle"] == planned.cycle.id and body["goals"]
