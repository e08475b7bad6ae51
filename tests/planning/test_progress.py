"""Plans in use: paths assigned to a cohort and adjusted per person, progress and evidence,
verification and the evidence rating it records, lane overrides and cohort edits."""

import html
import re

import pytest
from sqlalchemy import func, select

from pdplanner.accounts.models import Role
from pdplanner.assessments.models import RaterKind, Rating
from pdplanner.assessments.services import RatingInput, save_self_ratings
from pdplanner.audit.models import AuditEvent
from pdplanner.framework.models import Competency
from pdplanner.planning.models import (
    ActivityStatus,
    CohortStatus,
    GoalStatus,
    PathActivity,
    Placement,
    PlannedGoal,
    Resource,
)
from pdplanner.planning.services import PlanningError, assign_activity, run_plan
from tests.factories import create_school, create_user
from tests.helpers import pdf_upload, sign_in_directly


@pytest.fixture(autouse=True)
def no_csrf(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)  # CSRF has tests of its own


def _resource(db, key: str) -> Resource:
    return db.session.scalar(select(Resource).where(Resource.key == key))


def _activities(db, educator, resource=None) -> list[PathActivity]:
    query = select(PathActivity).where(PathActivity.educator_id == educator.id)
    if resource is not None:
        query = query.where(PathActivity.resource_id == resource.id)
    return list(db.session.scalars(query.order_by(PathActivity.position)))


def _unassigned_cog1(db, planned) -> Resource:
    suggested = {a.resource_id for t in planned.teachers for a in _activities(db, t)}
    return next(r for r in db.session.scalars(select(Resource).order_by(Resource.key))
                if "COG.1" in r.competencies and r.id not in suggested)


def test_a_coach_assigns_an_activity_to_a_whole_cohort_in_one_action(client, db, planned):
    resource = _unassigned_cog1(db, planned)
    sign_in_directly(client, planned.coach)
    response = client.post(f"/cohorts/{planned.cohort.id}/path", data={"choice": f"{resource.id}|COG.1"},
                           follow_redirects=True)
    assert "added to 4 paths" in response.get_data(as_text=True)
    for teacher in planned.teachers:
        [row] = _activities(db, teacher, resource)
        assert row.source == "coach" and row.status == ActivityStatus.PLANNED
        assert "Assigned by" in row.why and "cohort" in row.why
    again = client.post(f"/cohorts/{planned.cohort.id}/path", data={"choice": f"{resource.id}|COG.1"},
                        follow_redirects=True)
    assert "added to 0 paths; 4 already had it" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "path.assigned")) == 2


def test_then_the_coach_changes_one_persons_path_only(client, db, planned):
    resource = _unassigned_cog1(db, planned)
    sign_in_directly(client, planned.coach)
    client.post(f"/cohorts/{planned.cohort.id}/path", data={"choice": f"{resource.id}|COG.1"})
    first, others = planned.teachers[0], planned.teachers[1:]
    [row] = _activities(db, first, resource)
    assert client.post(f"/path-activities/{row.id}/remove").status_code == 302
    replacement = next(r for r in db.session.scalars(select(Resource).order_by(Resource.key.desc()))
                       if "COG.1" in r.competencies and r.id != resource.id)
    client.post(f"/educators/{first.id}/path?cycle={planned.cycle.id}",
                data={"choice": f"{replacement.id}|COG.1"})
    db.session.expire_all()
    assert _activities(db, first, resource) == []
    assert len(_activities(db, first, replacement)) == 1
    assert all(len(_activities(db, t, resource)) == 1 for t in others)


def test_an_activity_with_progress_cannot_be_removed(client, db, planned):
    teacher = planned.teachers[0]
    activity = _activities(db, teacher)[0]
    activity.status = ActivityStatus.IN_PROGRESS
    db.session.commit()
    sign_in_directly(client, planned.coach)
    response = client.post(f"/path-activities/{activity.id}/remove", follow_redirects=True)
    assert "has recorded progress" in response.get_data(as_text=True)
    assert db.session.get(PathActivity, activity.id) is not None


def test_an_activity_must_cover_the_competency_it_is_assigned_on(db, planned):
    resource = next(r for r in db.session.scalars(select(Resource)) if "COG.1" not in r.competencies)
    with pytest.raises(PlanningError, match=re.escape(f"{resource.title} does not cover COG.1")):
        assign_activity(planned.cycle, planned.teachers, resource, "COG.1", actor=planned.coach)
    assert _activities(db, planned.teachers[0], resource) == []


def test_the_educator_records_progress_with_evidence_and_a_reflection(client, db, planned):
    teacher = planned.teachers[0]
    activity = _activities(db, teacher)[0]
    sign_in_directly(client, teacher)
    prefix = f"a{activity.id}-"
    response = client.post(f"/plan/activities/{activity.id}", data={
        prefix + "status": "done", prefix + "reflection": "Ran two feedback conferences.",
        prefix + "evidence_url": "https://docs.example.org/conference-notes",
        prefix + "evidence_file": pdf_upload("notes.pdf")}, follow_redirects=True)
    assert "Progress on" in response.get_data(as_text=True)
    db.session.expire_all()
    saved = db.session.get(PathActivity, activity.id)
    assert saved.status == ActivityStatus.DONE and saved.reflection == "Ran two feedback conferences."
    assert saved.evidence_url == "https://docs.example.org/conference-notes"
    assert saved.evidence_file.original_name == "notes.pdf"
    sign_in_directly(client, planned.coach)
    download = client.get(f"/evidence/{saved.evidence_file_id}")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    sign_in_directly(client, planned.teachers[1])
    assert client.get(f"/evidence/{saved.evidence_file_id}").status_code == 404


@pytest.mark.parametrize("fields,message", [
    ({"status": "done"}, "needs evidence (a link or a file) or a reflection"),
    ({"status": "in_progress", "evidence_url": "javascript:alert(1)"}, "must be a web address"),
    ({"status": "in_progress", "reflection": "x" * 5001}, "Reflection: Field cannot be longer"),
])
def test_bad_progress_is_refused_naming_the_field_and_nothing_is_saved(client, db, planned, fields, message):
    teacher = planned.teachers[0]
    activity = _activities(db, teacher)[0]
    sign_in_directly(client, teacher)
    response = client.post(f"/plan/activities/{activity.id}",
                           data={f"a{activity.id}-{k}": v for k, v in fields.items()}, follow_redirects=True)
    if response.status_code == 400:  # the form's own length limit answers before the service
        assert message.startswith("Reflection")
    else:
        assert message in response.get_data(as_text=True)
    db.session.expire_all()
    unchanged = db.session.get(PathActivity, activity.id)
    assert unchanged.status == ActivityStatus.PLANNED and unchanged.reflection == ""


def test_no_one_else_can_record_progress_on_a_path(client, db, planned):
    activity = _activities(db, planned.teachers[0])[0]
    sign_in_directly(client, planned.teachers[1])
    response = client.post(f"/plan/activities/{activity.id}", data={f"a{activity.id}-status": "done",
                                                                     f"a{activity.id}-reflection": "mine"})
    assert response.status_code == 404


def _done(db, planned, competency="COG.1") -> PathActivity:
    activity = next(a for a in _activities(db, planned.teachers[0]) if a.competency_code == competency)
    activity.status, activity.reflection = ActivityStatus.DONE, "Tried it with my class."
    db.session.commit()
    return activity


def test_verifying_with_the_goal_met_records_an_evidence_rating_the_next_plan_counts(client, db, planned):
    activity = _done(db, planned)
    teacher = planned.teachers[0]
    sign_in_directly(client, planned.coach)
    page = client.get("/planning").get_data(as_text=True)
    assert "Evidence to verify <span class=\"count\">(1)</span>" in page
    response = client.post(f"/path-activities/{activity.id}/verify",
                           data={"goal_met": "y", "back": "planning"}, follow_redirects=True)
    text = html.unescape(response.get_data(as_text=True))
    name = db.session.scalar(select(Competency.name).where(Competency.code == "COG.1"))
    # The message names the educator, the competency and the level by name (issue 15).
    assert (f"{teacher.name}'s evidence for {activity.resource.title} verified: their goal on "
            f"{name} is met, and Proficient (3) is recorded as their new level.") in text
    db.session.expire_all()
    goal = db.session.scalar(select(PlannedGoal).where(PlannedGoal.educator_id == teacher.id,
                                                       PlannedGoal.competency_code == "COG.1"))
    assert goal.status == GoalStatus.VERIFIED and goal.verified_by_id == planned.coach.id
    rating = db.session.scalar(select(Rating).where(Rating.educator_id == teacher.id,
                                                    Rating.kind == RaterKind.EVIDENCE))
    assert rating.level == 3 and rating.competency.code == "COG.1" and rating.rater_id == planned.coach.id
    assert db.session.get(PathActivity, activity.id).status == ActivityStatus.VERIFIED
    run_plan(planned.cycle)
    db.session.commit()
    codes = set(db.session.scalars(select(PlannedGoal.competency_code).where(
        PlannedGoal.educator_id == teacher.id, PlannedGoal.status == GoalStatus.ACTIVE)))
    assert "COG.1" not in codes  # grown to the target: no longer a goal
    sign_in_directly(client, teacher)
    history = client.get("/history").get_data(as_text=True)
    assert "Verified by evidence" in history


def test_verifying_without_the_goal_keeps_the_goal_open(client, db, planned):
    activity = _done(db, planned)
    sign_in_directly(client, planned.coach)
    client.post(f"/path-activities/{activity.id}/verify", data={})
    db.session.expire_all()
    assert db.session.get(PathActivity, activity.id).status == ActivityStatus.VERIFIED
    assert db.session.scalar(select(func.count()).select_from(Rating).where(
        Rating.kind == RaterKind.EVIDENCE)) == 0


def test_a_verified_activity_is_locked_for_the_educator(client, db, planned):
    activity = _done(db, planned)
    activity.status = ActivityStatus.VERIFIED
    db.session.commit()
    sign_in_directly(client, planned.teachers[0])
    response = client.post(f"/plan/activities/{activity.id}", data={f"a{activity.id}-status": "planned"},
                           follow_redirects=True)
    assert "can no longer be changed" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(PathActivity, activity.id).status == ActivityStatus.VERIFIED


def test_sending_evidence_back_needs_a_note_that_the_educator_sees(client, db, planned):
    activity = _done(db, planned)
    sign_in_directly(client, planned.coach)
    refused = client.post(f"/path-activities/{activity.id}/return", data={"note": "  "},
                          follow_redirects=True)
    assert "Say what is missing" in refused.get_data(as_text=True)
    client.post(f"/path-activities/{activity.id}/return", data={"note": "Add a sample of learner work."})
    db.session.expire_all()
    returned = db.session.get(PathActivity, activity.id)
    assert returned.status == ActivityStatus.IN_PROGRESS
    assert returned.coach_note == "Add a sample of learner work."
    sign_in_directly(client, planned.teachers[0])
    assert "Add a sample of learner work." in client.get("/plan").get_data(as_text=True)


@pytest.mark.parametrize("who", ["other_coach", "principal"])
def test_only_the_coach_who_guides_them_verifies(client, db, planned, who):
    activity = _done(db, planned)
    sign_in_directly(client, getattr(planned, who))
    assert client.post(f"/path-activities/{activity.id}/verify", data={"goal_met": "y"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(PathActivity, activity.id).status == ActivityStatus.DONE


def test_a_lane_override_needs_a_reason_is_audited_and_survives_replanning(client, db, planned):
    teacher = planned.teachers[0]
    sign_in_directly(client, planned.principal)
    url = f"/educators/{teacher.id}/lane?cycle={planned.cycle.id}"
    refused = client.post(url, data={"lane": "fast", "reason": ""}, follow_redirects=True)
    assert "Give a reason" in refused.get_data(as_text=True)
    client.post(url, data={"lane": "fast", "reason": "Leads the grade team's PLC already"})
    run_plan(planned.cycle)
    db.session.commit()
    placement = db.session.scalar(select(Placement).where(Placement.educator_id == teacher.id))
    assert placement.lane == "fast" and placement.overridden_by_id == planned.principal.id
    assert "Leads the grade team's PLC already" in placement.why
    assert "0 of 19 rated competencies at target or above" in placement.why
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "lane.overridden"))
    assert event.actor_id == planned.principal.id and event.details["lane"] == [None, "fast"]
    client.post(url, data={"lane": "", "reason": ""})
    db.session.expire_all()
    cleared = db.session.get(Placement, placement.id)
    assert cleared.lane == "slow" and cleared.override_lane is None and "Leads" not in cleared.why


def test_an_educator_cannot_override_their_own_lane_nor_can_another_schools_principal(client, db, planned):
    teacher = planned.teachers[0]
    for who in (teacher, planned.other_principal):
        sign_in_directly(client, who)
        response = client.post(f"/educators/{teacher.id}/lane?cycle={planned.cycle.id}",
                               data={"lane": "fast", "reason": "because"})
        assert response.status_code == 404
    override = select(Placement.override_lane).where(Placement.educator_id == teacher.id)
    assert db.session.scalar(override) is None


def test_confirmed_and_edited_cohorts_keep_their_members_when_replanned(client, db, planned):
    cohort, leaving = planned.cohort, planned.teachers[3]
    sign_in_directly(client, planned.coach)
    client.post(f"/cohorts/{cohort.id}/members/{leaving.id}/remove")
    run_plan(planned.cycle)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(type(cohort), cohort.id).status == CohortStatus.CONFIRMED
    members = set(db.session.scalars(select(Placement.educator_id).where(Placement.cohort_id == cohort.id)))
    assert members == {t.id for t in planned.teachers[:3]}
    client.post(f"/cohorts/{cohort.id}/members", data={"person_id": leaving.id})
    db.session.expire_all()
    joined = select(Placement.cohort_id).where(Placement.educator_id == leaving.id)
    assert db.session.scalar(joined) == cohort.id


def test_the_add_someone_control_starts_on_nobody_and_adding_nobody_is_refused_plainly(client, db, planned):
    cohort, leaving = planned.cohort, planned.teachers[3]
    sign_in_directly(client, planned.coach)
    client.post(f"/cohorts/{cohort.id}/members/{leaving.id}/remove")
    html = client.get(f"/planning?cycle={planned.cycle.id}").get_data(as_text=True)
    control = re.search(rf'<select id="add-{cohort.id}" name="person_id" required>(.*?)</select>', html, re.S)
    options = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', control.group(1))
    assert options[0] == ("", " selected", "Choose a person")
    assert (str(leaving.id), "", leaving.name) in options[1:]
    assert not any(chosen for _, chosen, _ in options[1:])
    members = select(Placement.educator_id).where(Placement.cohort_id == cohort.id)
    before = set(db.session.scalars(members))
    response = client.post(f"/cohorts/{cohort.id}/members", data={"person_id": ""}, follow_redirects=True)
    assert "Choose a person to add to the cohort." in response.get_data(as_text=True)
    db.session.expire_all()
    assert set(db.session.scalars(members)) == before


def test_a_principal_of_another_school_cannot_touch_the_cohort(client, db, planned):
    sign_in_directly(client, planned.other_principal)
    assert client.post(f"/cohorts/{planned.cohort.id}/confirm").status_code == 404
    assert db.session.get(type(planned.cohort), planned.cohort.id).status == CohortStatus.PROPOSED


def test_replanning_from_the_page_keeps_what_people_decided(client, db, planned):
    sign_in_directly(client, planned.principal)
    client.post(f"/cohorts/{planned.cohort.id}/confirm")
    response = client.post(f"/planning/run?cycle={planned.cycle.id}", follow_redirects=True)
    # A principal re-plans their school (issue 15): the message says whom and which cycle.
    assert f"Re-planned {planned.school.name} in Autumn" in response.get_data(as_text=True)
    assert db.session.get(type(planned.cohort), planned.cohort.id).status == CohortStatus.CONFIRMED


def test_the_plan_page_shows_goals_lane_cohort_and_path(client, db, planned):
    teacher = planned.teachers[0]
    sign_in_directly(client, teacher)
    page = " ".join(client.get("/plan").get_data(as_text=True).split())
    assert "Lane: Building readiness" in page and "0 of 19 rated competencies at target or above" in page
    assert "Cohort:" in page and planned.coach.name in page
    assert "Grow from Developing (2) to Proficient (3)" in page
    assert all(t.name in page for t in planned.teachers)


def test_a_principal_sees_lane_and_progress_but_not_levels_until_shared(client, db, planned):
    teacher = planned.teachers[0]
    sign_in_directly(client, planned.principal)
    url = f"/educators/{teacher.id}/plan?cycle={planned.cycle.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Lane: Building readiness" in page and "Grow from" not in page
    sign_in_directly(client, teacher)
    client.post(f"/assessment/{planned.cycle.id}/share", data={"shared": "1"})
    sign_in_directly(client, planned.principal)
    assert "Grow from Developing (2)" in " ".join(client.get(url).get_data(as_text=True).split())


def test_a_cohort_coach_guides_a_pooled_member_from_another_school(client, db, planned):
    pooled = create_user(Role.TEACHER, school=create_school(planned.school.district, "P3"))
    save_self_ratings(pooled, planned.cycle, [RatingInput(c.code, level=2)
                                              for c in planned.cycle.framework.competencies])
    run_plan(planned.cycle)
    placement = db.session.scalar(select(Placement).where(Placement.educator_id == pooled.id))
    placement.cohort_id = planned.cohort.id
    activity = _activities(db, pooled)[0]
    activity.status, activity.reflection = ActivityStatus.DONE, "Tried it."
    db.session.commit()
    sign_in_directly(client, planned.coach)
    assert client.get(f"/educators/{pooled.id}/plan?cycle={planned.cycle.id}").status_code == 200
    page = client.get("/planning").get_data(as_text=True)
    assert pooled.name in page
    assert 'Evidence to verify <span class="count">(1)</span>' in page  # theirs, from the cohort
    link = f'href="/educators/{pooled.id}/plan?cycle={planned.cycle.id}"'
    assert link in page
    sign_in_directly(client, planned.principal)
    assert link not in client.get("/planning").get_data(as_text=True)  # another school's teacher
    sign_in_directly(client, planned.coach)
    assert client.post(f"/path-activities/{activity.id}/verify").status_code == 302
    sign_in_directly(client, planned.other_coach)
    assert client.get(f"/educators/{pooled.id}/plan?cycle={planned.cycle.id}").status_code == 404
