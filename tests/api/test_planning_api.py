"""Paths, lanes, cohorts, planning runs, settings and the catalogue through the API: the same
changes as the plan and planning pages, scoped the same way."""

from sqlalchemy import select

from pdplanner.assessments.models import RaterKind, Rating
from pdplanner.audit.models import AuditEvent
from pdplanner.planning.models import (
    ActivityStatus,
    CohortStatus,
    GoalStatus,
    PathActivity,
    Placement,
    Resource,
)
from pdplanner.planning.services import import_catalogue

API = "/api/v1"


def actions(db) -> set[str]:
    return set(db.session.scalars(select(AuditEvent.action)))


def test_the_path_is_read_with_detail_only_where_ratings_are_visible(client, planned_town, bearer):
    t = planned_town
    url = f"{API}/educators/{t.teacher.id}/path?cycle={t.cycle.id}"
    own = client.get(url, headers=bearer(t.teacher)).json
    assert own["total"] == 1
    assert own["items"][0] | {"id": 0} == {
        "id": 0, "resource": t.resource.id, "title": "Feedback lab", "kind": "workshop", "hours": 6.0,
        "competency": "COG.2", "status": "done", "source": "suggested", "why": "",
        "reflection": "Tried it twice.", "evidence_url": "", "cycle": t.cycle.id, "educator": t.teacher.id,
        "coach_note": ""}
    leader = client.get(url, headers=bearer(t.principal)).json["items"][0]
    assert leader["reflection"] is None and leader["coach_note"] is None
    assert client.get(url, headers=bearer(t.stranger)).status_code == 404
    assert client.get(url, headers=bearer(t.other_principal)).status_code == 404


def second_activity(db):
    import_catalogue([{"key": "peer-visit", "title": "Peer visit", "kind": "peer-observation",
                       "competencies": ["COG.2", "COG.3"], "level_min": 1, "level_max": 4, "hours": 2.0,
                       "lanes": ["fast", "slow"], "description": "", "evidence": ""}])
    db.session.commit()
    return db.session.scalar(select(Resource).where(Resource.key == "peer-visit"))


def test_a_coach_assigns_to_a_person_and_to_a_cohort(db, client, planned_town, bearer):
    t, visit = planned_town, second_activity(db)
    coach = bearer(t.coach)
    url = f"{API}/educators/{t.teacher.id}/path?cycle={t.cycle.id}"
    assert client.post(url, json={"resource": visit.id, "competency": "COG.3"},
                       headers=coach).json == {"added": 1, "already": 0}
    again = client.post(f"{API}/cohorts/{t.cohort.id}/path",
                        json={"resource": visit.id, "competency": "COG.3"}, headers=coach)
    assert again.json == {"added": 0, "already": 1}
    wrong = client.post(url, json={"resource": visit.id, "competency": "INST.1"}, headers=coach)
    assert wrong.status_code == 422 and "competency" in wrong.json["errors"]
    unknown = client.post(url, json={"resource": 10**6, "competency": "COG.3"}, headers=coach)
    assert unknown.status_code == 422 and "resource" in unknown.json["errors"]
    paths = db.session.scalars(select(PathActivity).where(PathActivity.resource_id == visit.id)).all()
    assert [(p.educator_id, p.source) for p in paths] == [(t.teacher.id, "coach")]
    assert "path.assigned" in actions(db)
    # Someone the coach does not guide: 404 whatever the body.
    other = f"{API}/educators/{t.colleague.id}/path?cycle={t.cycle.id}"
    assert client.post(other, json={}, headers=coach).status_code == 404


def test_progress_is_the_educators_own(db, client, planned_town, bearer):
    t = planned_town
    url = f"{API}/path-activities/{t.activity.id}"
    saved = client.put(url, json={"status": "in_progress", "reflection": " Second try ",
                                  "evidence_url": "https://example.org/video"}, headers=bearer(t.teacher))
    assert saved.status_code == 200
    assert (saved.json["status"], saved.json["reflection"]) == ("in_progress", "Second try")
    empty = client.put(url, json={"status": "done", "reflection": "", "evidence_url": ""},
                       headers=bearer(t.teacher))
    assert empty.status_code == 422 and "status" in empty.json["errors"]
    bad_link = client.put(url, json={"status": "planned", "evidence_url": "ftp://x"},
                          headers=bearer(t.teacher))
    assert bad_link.status_code == 422 and "evidence_url" in bad_link.json["errors"]
    assert client.put(url, json={"status": "planned"}, headers=bearer(t.coach)).status_code == 404
    db.session.expire_all()
    assert t.activity.status == ActivityStatus.IN_PROGRESS


def test_the_coach_verifies_returns_and_removes(db, client, planned_town, bearer):
    t = planned_town
    coach = bearer(t.coach)
    url = f"{API}/path-activities/{t.activity.id}"
    assert client.delete(url, headers=coach).status_code == 409   # the educator recorded progress
    returned = client.post(f"{url}/return", json={"note": "Add the video, please."}, headers=coach)
    assert (returned.json["status"], returned.json["coach_note"]) == ("in_progress", "Add the video, please.")
    assert client.post(f"{url}/verify", json={}, headers=coach).status_code == 409   # not done now
    client.put(url, json={"status": "done", "reflection": "Here it is."}, headers=bearer(t.teacher))
    verified = client.post(f"{url}/verify", json={"goal_met": True}, headers=coach)
    assert verified.status_code == 200
    assert verified.json["goal_verified"] == "COG.2" and verified.json["activity"]["status"] == "verified"
    evidence = db.session.scalar(select(Rating).where(Rating.kind == RaterKind.EVIDENCE))
    assert evidence.level == 3 and evidence.educator_id == t.teacher.id
    assert {"path_activity.returned", "path_activity.verified"} <= actions(db)
    assert client.post(f"{url}/verify", json={}, headers=bearer(t.principal)).status_code == 404


def test_a_lane_override_needs_a_reason_and_is_audited(db, client, planned_town, bearer):
    t = planned_town
    url = f"{API}/educators/{t.teacher.id}/lane?cycle={t.cycle.id}"
    lane = client.get(url, headers=bearer(t.teacher)).json
    assert (lane["lane"], lane["label"], lane["overridden"]) == ("slow", "Building readiness", False)
    no_reason = client.put(url, json={"lane": "fast"}, headers=bearer(t.principal))
    assert no_reason.status_code == 422 and "reason" in no_reason.json["errors"]
    set_ = client.put(url, json={"lane": "fast", "reason": "Leads our PLC already."},
                      headers=bearer(t.principal))
    assert set_.status_code == 200
    assert (set_.json["lane"], set_.json["overridden"], set_.json["override_reason"]) == (
        "fast", True, "Leads our PLC already.")
    assert "lane.overridden" in actions(db)
    cleared = client.put(url, json={"lane": None}, headers=bearer(t.coach)).json
    assert (cleared["lane"], cleared["overridden"]) == ("slow", False)
    mine = client.put(url, json={"lane": "fast", "reason": "Mine"}, headers=bearer(t.teacher))
    assert mine.status_code == 404
    assert client.put(url, json={"lane": "fast", "reason": "Because"},
                      headers=bearer(t.other_principal)).status_code == 404


def test_cohorts_are_listed_for_those_who_plan_with_them(client, planned_town, bearer):
    t = planned_town
    url = f"{API}/cohorts?cycle={t.cycle.id}"
    listed = client.get(url, headers=bearer(t.principal)).json["items"]
    assert [(c["id"], c["name"], c["status"]) for c in listed] == [
        (t.cohort.id, "Communication and feedback techniques · Building readiness", "proposed")]
    assert [m["email"] for m in listed[0]["members"]] == ["teacher@town.org"]
    assert client.get(url, headers=bearer(t.other_principal)).json["items"] == []
    assert client.get(url + "&lane=fast", headers=bearer(t.admin)).json["items"] == []
    assert client.get(url + "&status=proposed", headers=bearer(t.coach)).json["total"] == 1
    assert client.get(f"{url}&school={t.school.id}", headers=bearer(t.other_principal)).status_code == 404
    assert client.get(f"{API}/cohorts/{t.cohort.id}", headers=bearer(t.teacher)).status_code == 200
    assert client.get(f"{API}/cohorts/{t.cohort.id}", headers=bearer(t.colleague)).status_code == 404
    assert client.get(f"{API}/cohorts/{t.cohort.id}", headers=bearer(t.stranger)).status_code == 404


def test_members_coach_and_confirmation_change_the_cohort(db, client, planned_town, bearer):
    t = planned_town
    url = f"{API}/cohorts/{t.cohort.id}"
    principal = bearer(t.principal)
    removed = client.delete(f"{url}/members/{t.teacher.id}", headers=principal)
    assert removed.json["members"] == [] and removed.json["status"] == "confirmed"
    placement = db.session.scalar(select(Placement).where(Placement.educator_id == t.teacher.id))
    assert placement.cohort_id is None and placement.individual_reason
    added = client.post(f"{url}/members", json={"person": t.colleague.id}, headers=principal)
    assert [m["email"] for m in added.json["members"]] == ["colleague@town.org"]
    assert client.post(f"{url}/members", json={"person": t.stranger.id}, headers=principal).status_code == 404
    not_a_coach = client.put(f"{url}/coach", json={"coach": t.teacher.id}, headers=principal)
    assert not_a_coach.status_code == 422
    assert client.put(f"{url}/coach", json={"coach": None}, headers=principal).json["coach"] is None
    coached = client.put(f"{url}/coach", json={"coach": t.coach.id}, headers=principal)
    assert coached.json["coach"]["id"] == t.coach.id
    assert client.put(f"{url}/coach", json={"coach": None}, headers=bearer(t.coach)).status_code == 404
    db.session.expire_all()
    assert t.cohort.status == CohortStatus.CONFIRMED
    assert {"cohort.member_removed", "cohort.member_added", "cohort.coach_changed"} <= actions(db)


def test_a_planner_runs_the_planner(db, client, planned_town, bearer):
    t = planned_town
    run = client.post(f"{API}/cycles/{t.cycle.id}/plan/run", headers=bearer(t.admin))
    assert run.status_code == 200
    assert run.json["cycle"] == t.cycle.id and run.json["educators"] >= 2
    assert run.json["summary"].startswith(f"{run.json['educators']} educators")
    assert "plan.run" in actions(db)
    assert client.post(f"{API}/cycles/{t.cycle.id}/plan/run", headers=bearer(t.teacher)).status_code == 404
    assert client.post(f"{API}/cycles/{t.cycle.id}/plan/run", headers=bearer(t.stranger)).status_code == 404


def settings_body(**changes) -> dict:
    return {"current_level_policy": "mean", "interest_bonus": 0.5, "foundational_bonus": 0.25,
            "goals_per_educator": 3, "goals_per_domain": 2, "fast_lane_readiness": 0.6,
            "fast_lane_min_domain_mean": 2.5, "cohort_min_size": 3, "cohort_max_size": 8,
            "coach_caseload_limit": 20, "fast_lane_label": "Ready to move",
            "slow_lane_label": "Building readiness"} | changes


def test_planning_settings(client, planned_town, bearer):
    headers = bearer(planned_town.admin)
    assert client.get(f"{API}/planning/settings", headers=headers).json == settings_body()
    bad = client.put(f"{API}/planning/settings", json=settings_body(goals_per_domain=4), headers=headers)
    assert bad.status_code == 422 and list(bad.json["errors"]) == ["goals_per_domain"]
    saved = client.put(f"{API}/planning/settings", json=settings_body(fast_lane_label="Self-directed"),
                       headers=headers)
    assert saved.json["fast_lane_label"] == "Self-directed"
    lane = client.get(f"{API}/educators/{planned_town.colleague.id}/lane?cycle={planned_town.cycle.id}",
                      headers=headers).json
    assert lane["label"] == "Self-directed"


def test_the_catalogue(db, client, planned_town, bearer):
    t = planned_town
    second_activity(db)
    listed = client.get(f"{API}/resources?competency=COG.3", headers=bearer(t.teacher)).json
    assert [r["title"] for r in listed["items"]] == ["Peer visit"]
    assert client.get(f"{API}/resources?kind=workshop", headers=bearer(t.teacher)).json["total"] == 1
    admin = bearer(t.admin)
    body = {"title": "Data dig", "kind": "plc-protocol", "competencies": ["INST.6"], "level_min": 1,
            "level_max": 3, "hours": 3, "lanes": ["slow"], "description": "Look at work together."}
    created = client.post(f"{API}/resources", json=body, headers=admin)
    assert created.status_code == 201 and created.json["key"] == "data-dig" and not created.json["shared"]
    edited = client.put(f"{API}/resources/{t.resource.id}", json=body | {"title": "Feedback lab, local"},
                        headers=admin)
    assert edited.json["id"] != t.resource.id and edited.json["key"] == "feedback-lab"
    titles = [r["title"] for r in client.get(f"{API}/resources", headers=admin).json["items"]]
    assert titles == ["Data dig", "Feedback lab, local", "Peer visit"]
    backwards = client.post(f"{API}/resources", json=body | {"level_min": 4, "level_max": 2}, headers=admin)
    assert backwards.status_code == 422 and "level_max" in backwards.json["errors"]
    assert client.post(f"{API}/resources", json=body, headers=bearer(t.principal)).status_code == 404


def test_the_evidence_queue_is_the_coachs(client, planned_town, bearer):
    t = planned_town
    queue = client.get(f"{API}/evidence-queue?cycle={t.cycle.id}", headers=bearer(t.coach)).json
    assert [a["id"] for a in queue["items"]] == [t.activity.id]
    assert client.get(f"{API}/evidence-queue", headers=bearer(t.principal)).status_code == 404


def test_a_verified_goal_is_shown_in_the_plan(db, client, planned_town, bearer):
    t = planned_town
    client.post(f"{API}/path-activities/{t.activity.id}/verify", json={"goal_met": True},
                headers=bearer(t.coach))
    plan = client.get(f"{API}/educators/{t.teacher.id}/plan?cycle={t.cycle.id}",
                      headers=bearer(t.teacher)).json
    assert plan["goals"][0]["status"] == GoalStatus.VERIFIED.value
