"""Issue 12, item 5: a principal set a coach who was a member of a cohort as its coach, and that
coach marked their own activity done and verified it. Nobody verifies their own evidence, and a
cohort's coach is never one of its members; each attack replayed through the pages and the API."""

import re

import pytest
from sqlalchemy import select

from pdplanner.accounts.models import Role
from pdplanner.accounts.services import create_token
from pdplanner.planning.models import ActivityStatus, GoalStatus, PathActivity, Placement, PlannedGoal
from pdplanner.planning.services import PlanningError, return_activity, verify_activity
from tests.factories import create_user
from tests.helpers import sign_in_directly


@pytest.fixture(autouse=True)
def no_csrf(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)  # CSRF has tests of its own


@pytest.fixture
def member_coach(db, planned):
    """A coach of the school who is a member of the cohort, with a goal and an activity on it."""
    coach = create_user(Role.COACH, school=planned.school, coach=planned.coach, given_name="Milo",
                        family_name="Member")
    cycle = planned.cycle
    db.session.add_all([
        Placement(cycle_id=cycle.id, educator_id=coach.id, lane="slow", rated=1, at_target=0,
                  lowest_domain="COG", lowest_domain_mean=2.0, why="numbers", cohort_id=planned.cohort.id),
        PlannedGoal(cycle_id=cycle.id, educator_id=coach.id, competency_code="COG.1", from_level=2,
                    to_level=3, priority=1.0, rank=1, why="gap"),
    ])
    resource_id = db.session.scalar(select(PathActivity.resource_id).where(
        PathActivity.educator_id == planned.teachers[0].id))
    db.session.add(PathActivity(cycle_id=cycle.id, educator_id=coach.id, resource_id=resource_id,
                                competency_code="COG.1", position=0))
    db.session.commit()
    return coach


def own_activity(db, person) -> PathActivity:
    return db.session.scalar(select(PathActivity).where(PathActivity.educator_id == person.id))


def bearer(db, person) -> dict:
    _, secret = create_token(person, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def coach_of_cohort(db, planned):
    db.session.expire_all()
    return db.session.get(type(planned.cohort), planned.cohort.id).coach_id


def test_a_principal_cannot_make_a_member_the_cohorts_coach_on_the_page(client, db, planned, member_coach):
    sign_in_directly(client, planned.principal)
    response = client.post(f"/cohorts/{planned.cohort.id}/coach", data={"person_id": member_coach.id},
                           follow_redirects=True)
    assert "Milo Member is a member of this cohort, so cannot coach it" in response.get_data(as_text=True)
    assert coach_of_cohort(db, planned) == planned.coach.id


def test_nor_through_the_api(client, db, planned, member_coach):
    response = client.put(f"/api/v1/cohorts/{planned.cohort.id}/coach", json={"coach": member_coach.id},
                          headers=bearer(db, planned.principal))
    assert response.status_code == 409
    assert response.content_type == "application/problem+json"
    assert "Milo Member is a member of this cohort" in response.json["detail"]
    assert coach_of_cohort(db, planned) == planned.coach.id


def test_the_cohorts_coach_cannot_be_added_as_a_member(client, db, planned, member_coach):
    # Take Milo out, make him the coach: now he may not join the cohort he leads.
    db.session.get(Placement, db.session.scalar(select(Placement.id).where(
        Placement.educator_id == member_coach.id))).cohort_id = None
    planned.cohort.coach_id = member_coach.id
    db.session.commit()
    sign_in_directly(client, planned.principal)
    page = client.post(f"/cohorts/{planned.cohort.id}/members", data={"person_id": member_coach.id},
                       follow_redirects=True)
    assert "Milo Member coaches this cohort, so cannot be one of its members" in page.get_data(as_text=True)
    api = client.post(f"/api/v1/cohorts/{planned.cohort.id}/members", json={"person": member_coach.id},
                      headers=bearer(db, planned.principal))
    assert api.status_code == 409 and "Milo Member coaches this cohort" in api.json["detail"]
    db.session.expire_all()
    assert db.session.scalar(select(Placement.cohort_id).where(
        Placement.educator_id == member_coach.id)) is None



def test_the_planning_page_offers_neither_a_member_as_coach_nor_the_coach_as_member(client, db, planned,
                                                                                    member_coach):
    sign_in_directly(client, planned.principal)
    page = client.get(f"/planning?cycle={planned.cycle.id}").get_data(as_text=True)
    cohort = planned.cohort.id
    coach_select = re.search(rf'<select id="coach-{cohort}".*?</select>', page, re.S).group(0)
    add_select = re.search(rf'<select id="add-{cohort}".*?</select>', page, re.S)
    assert f'value="{member_coach.id}"' not in coach_select
    assert f'value="{planned.coach.id}"' in coach_select
    assert add_select is None or f'value="{planned.coach.id}"' not in add_select.group(0)

@pytest.fixture
def coach_of_own_cohort(db, planned, member_coach):
    """Existing data from before the rule: the member is the cohort's coach, and has marked their
    own activity done."""
    planned.cohort.coach_id = member_coach.id
    activity = own_activity(db, member_coach)
    activity.status, activity.reflection = ActivityStatus.DONE, "Did it myself."
    db.session.commit()
    return member_coach


def test_a_coach_cannot_verify_their_own_evidence_on_the_page(client, db, planned, coach_of_own_cohort):
    coach = coach_of_own_cohort
    activity = own_activity(db, coach)
    sign_in_directly(client, coach)
    plan = client.get(f"/plan?cycle={planned.cycle.id}").get_data(as_text=True)
    assert f"/path-activities/{activity.id}/verify" not in plan      # no button on one's own plan
    assert client.post(f"/path-activities/{activity.id}/verify", data={"goal_met": "y"}).status_code == 404
    assert client.post(f"/path-activities/{activity.id}/return", data={"note": "x"}).status_code == 404
    db.session.expire_all()
    assert own_activity(db, coach).status == ActivityStatus.DONE
    assert db.session.scalar(select(PlannedGoal.status).where(PlannedGoal.educator_id == coach.id)) \
        == GoalStatus.ACTIVE


def test_nor_through_the_api_and_their_queue_leaves_it_out(client, db, planned, coach_of_own_cohort):
    coach = coach_of_own_cohort
    activity, headers = own_activity(db, coach), bearer(db, coach)
    response = client.post(f"/api/v1/path-activities/{activity.id}/verify", json={"goal_met": True},
                           headers=headers)
    assert response.status_code == 404
    assert client.post(f"/api/v1/path-activities/{activity.id}/return", json={"note": "more"},
                       headers=headers).status_code == 404
    queue = client.get(f"/api/v1/evidence-queue?cycle={planned.cycle.id}", headers=headers).json
    assert activity.id not in [a["id"] for a in queue["items"]]
    db.session.expire_all()
    assert own_activity(db, coach).status == ActivityStatus.DONE


def test_the_service_refuses_too(db, planned, coach_of_own_cohort):
    activity = own_activity(db, coach_of_own_cohort)
    with pytest.raises(PlanningError, match="Nobody may verify their own evidence"):
        verify_activity(activity, actor=coach_of_own_cohort, goal_met=True)
    with pytest.raises(PlanningError, match="Nobody may send back their own evidence"):
        return_activity(activity, "more", actor=coach_of_own_cohort)


def test_their_own_coach_still_verifies_it(client, db, planned, coach_of_own_cohort):
    activity = own_activity(db, coach_of_own_cohort)
    sign_in_directly(client, planned.coach)   # Milo's caseload coach
    client.post(f"/path-activities/{activity.id}/verify", data={"goal_met": "y"})
    db.session.expire_all()
    verified = own_activity(db, coach_of_own_cohort)
    assert verified.status == ActivityStatus.VERIFIED and verified.verified_by_id == planned.coach.id
