"""Cycles, self-assessment status, sharing, reopening, calibration, caseload and retention
through the API: the same changes as the pages, scoped the same way."""

from sqlalchemy import select

from pdplanner.assessments.models import CycleStatus, SelfAssessment
from pdplanner.assessments.services import (
    RatingInput,
    save_coach_ratings,
    save_self_ratings,
    submit_self_assessment,
)
from pdplanner.audit.models import AuditEvent
from pdplanner.database import ID_MAX
from tests.helpers import load_default_framework

API = "/api/v1"


def actions(db) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_an_admin_creates_opens_and_closes_cycles(db, client, town, bearer):
    headers = bearer(town.admin)
    body = {"name": "  Mid  year ", "opens_on": "2027-01-10", "closes_on": "2027-02-10",
            "framework": town.framework.id}
    created = client.post(f"{API}/cycles", json=body, headers=headers)
    assert created.status_code == 201
    assert created.json | {"id": 0} == {"id": 0, "name": "Mid year", "status": "draft",
                                        "opens_on": "2027-01-10", "closes_on": "2027-02-10",
                                        "framework_id": town.framework.id}
    new_id = created.json["id"]
    refused = client.post(f"{API}/cycles/{new_id}/open", headers=headers)
    assert refused.status_code == 422 and "Baseline is still open" in refused.json["detail"]
    assert client.post(f"{API}/cycles/{town.cycle.id}/close", headers=headers).json["status"] == "closed"
    assert client.post(f"{API}/cycles/{new_id}/open", headers=headers).json["status"] == "open"
    assert client.get(f"{API}/cycles/{new_id}", headers=bearer(town.teacher)).json["status"] == "open"
    assert {"cycle.created", "cycle.opened", "cycle.closed"} <= set(actions(db))


def test_cycle_input_is_checked_field_by_field(db, client, town, bearer):
    theirs = load_default_framework(district_id=town.stranger.district_id)
    db.session.commit()
    headers = bearer(town.admin)
    wrong = client.post(f"{API}/cycles", headers=headers, json={
        "name": "X", "opens_on": "2027-01-10", "closes_on": "2027-02-10", "framework": theirs.id})
    assert wrong.status_code == 422 and "framework" in wrong.json["errors"]
    backwards = client.post(f"{API}/cycles", headers=headers, json={
        "name": "X", "opens_on": "2027-03-10", "closes_on": "2027-02-10", "framework": town.framework.id})
    assert backwards.status_code == 422
    assert backwards.json["errors"] == {"closes_on": "2027-02-10 is before 2027-03-10"}
    huge = client.post(f"{API}/cycles", headers=headers, json={
        "name": "X", "opens_on": "2027-01-10", "closes_on": "2027-02-10", "framework": ID_MAX + 1})
    assert huge.status_code == 422 and "framework" in huge.json["errors"]
    assert client.get(f"{API}/cycles?per_page=200", headers=headers).json["total"] == 1


def test_ids_beyond_the_integer_range_are_404_or_422_never_500(client, town, bearer):
    headers = bearer(town.teacher)
    assert client.get(f"{API}/cycles/{ID_MAX + 1}", headers=headers).status_code == 404
    assert client.get(f"{API}/educators/{town.teacher.id}/ratings?cycle={10**30}",
                      headers=headers).status_code == 422
    assert client.get(f"{API}/educators?page={10**12}", headers=headers).status_code == 422


def test_another_districts_cycle_is_404(client, town, bearer):
    assert client.get(f"{API}/cycles/{town.cycle.id}", headers=bearer(town.stranger)).status_code == 404


def test_sharing_opens_the_ratings_to_the_principal(db, client, town, bearer):
    save_self_ratings(town.teacher, town.cycle, [RatingInput("COG.1", level=2)])
    db.session.commit()
    url = f"{API}/educators/{town.teacher.id}"
    principal = bearer(town.principal)
    assert client.get(f"{url}/ratings?cycle={town.cycle.id}", headers=principal).status_code == 404
    assert client.put(f"{url}/assessment/sharing?cycle={town.cycle.id}", json={"shared": True},
                      headers=bearer(town.coach)).status_code == 403
    shared = client.put(f"{url}/assessment/sharing?cycle={town.cycle.id}", json={"shared": True},
                        headers=bearer(town.teacher))
    assert shared.status_code == 200 and shared.json["shared_with_principal"] is True
    assert shared.json["answered"] == 1 and shared.json["total"] == 19
    assert shared.json["domains"][0] == {"domain": "COG", "answered": 1, "total": 4}
    assert client.get(f"{url}/ratings?cycle={town.cycle.id}", headers=principal).status_code == 200
    assert client.get(f"{url}/assessment?cycle={town.cycle.id}", headers=principal).status_code == 200
    assert "self_ratings.shared" in actions(db)


def rate_everything(db, town):
    codes = [c.code for c in town.framework.competencies]
    save_self_ratings(town.teacher, town.cycle, [RatingInput(code, level=2) for code in codes])
    submit_self_assessment(town.teacher, town.cycle)
    db.session.commit()


def test_the_coach_reopens_a_submitted_self_assessment(db, client, town, bearer):
    rate_everything(db, town)
    url = f"{API}/educators/{town.teacher.id}/assessment"
    status = client.get(f"{url}?cycle={town.cycle.id}", headers=bearer(town.teacher)).json["status"]
    assert status == "submitted"
    reopened = client.post(f"{url}/reopen?cycle={town.cycle.id}", headers=bearer(town.coach))
    assert reopened.status_code == 200 and reopened.json["status"] == "in_progress"
    assert reopened.json["submitted_at"] is None
    again = client.post(f"{url}/reopen?cycle={town.cycle.id}", headers=bearer(town.coach))
    assert again.status_code == 409
    assert "self_assessment.reopened" in actions(db)
    # A colleague outside the coach's caseload is not theirs to see.
    other = f"{API}/educators/{town.colleague.id}/assessment/reopen?cycle={town.cycle.id}"
    assert client.post(other, headers=bearer(town.coach)).status_code == 404


def test_calibration_flags_differences_of_two_levels(db, client, town, bearer):
    save_self_ratings(town.teacher, town.cycle,
                      [RatingInput("COG.1", level=1), RatingInput("COG.2", level=3)])
    save_coach_ratings(town.coach, town.teacher, town.cycle,
                       [RatingInput("COG.1", level=3), RatingInput("COG.2", level=3)])
    db.session.commit()
    url = f"{API}/educators/{town.teacher.id}/calibration?cycle={town.cycle.id}"
    body = client.get(url, headers=bearer(town.coach)).json
    assert body["flagged"] == 1
    assert body["rows"][0] == {"competency": "COG.1", "self_level": 1, "coach_level": 3, "difference": -2,
                               "flagged": True}
    assert body["history"] == [{"cycle": town.cycle.id, "name": "Baseline", "flagged": 1,
                                "rows": body["rows"]}]
    assert client.get(url, headers=bearer(town.principal)).status_code == 404


def test_the_caseload_is_the_coachs_own(db, client, town, bearer):
    save_self_ratings(town.teacher, town.cycle, [RatingInput("COG.1", level=2)])
    db.session.commit()
    body = client.get(f"{API}/caseload", headers=bearer(town.coach)).json
    assert [row["educator"]["email"] for row in body["items"]] == ["teacher@town.org"]
    assert body["items"][0] | {"educator": None} == {
        "educator": None, "status": "in_progress", "answered": 1, "total": 19, "coach_rated": 0, "flags": 0}
    assert client.get(f"{API}/caseload", headers=bearer(town.principal)).status_code == 404


def test_school_ratings_are_for_the_schools_leaders(client, town, bearer):
    url = f"{API}/schools/{town.school.id}/ratings?cycle={town.cycle.id}"
    body = client.get(url, headers=bearer(town.principal)).json
    assert body["school"]["code"] == "NORTH" and len(body["competencies"]) == 19
    assert body["competencies"][0]["self_mean"] is None   # fewer than the privacy threshold rated
    assert client.get(url, headers=bearer(town.other_principal)).status_code == 404
    assert client.get(url, headers=bearer(town.coach)).status_code == 404


def test_retention_is_set_by_the_admin(db, client, town, bearer):
    headers = bearer(town.admin)
    assert client.get(f"{API}/retention", headers=headers).json == {"months": None}
    assert client.put(f"{API}/retention", json={"months": 24}, headers=headers).json == {"months": 24}
    bad = client.put(f"{API}/retention", json={"months": 0}, headers=headers)
    assert bad.status_code == 422 and "months" in bad.json["errors"]
    db.session.expire_all()
    assert town.district.retention_months == 24
    assert client.get(f"{API}/retention", headers=bearer(town.principal)).status_code == 404


def test_a_closed_cycle_stays_closed_for_ratings(db, client, town, bearer):
    client.post(f"{API}/cycles/{town.cycle.id}/close", headers=bearer(town.admin))
    db.session.expire_all()
    assert town.cycle.status == CycleStatus.CLOSED
    saved = client.put(f"{API}/educators/{town.teacher.id}/ratings/self?cycle={town.cycle.id}",
                       json={"ratings": [{"competency": "COG.1", "level": 2}]}, headers=bearer(town.teacher))
    assert saved.status_code == 409
    assert db.session.scalar(select(SelfAssessment)) is None
