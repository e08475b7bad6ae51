"""People, schools, the audit log and the dashboards' figures through the API: the same changes
and the same scopes as the People, Schools, Audit and home pages."""

import pytest
from sqlalchemy import select

from pdplanner.accounts.models import User
from pdplanner.audit.models import AuditEvent
from pdplanner.audit.services import record
from pdplanner.organisation.models import CaseloadAssignment

API = "/api/v1"


def actions(db) -> set[str]:
    return set(db.session.scalars(select(AuditEvent.action)))


def emails(client, user, bearer, query="") -> list[str]:
    return [p["email"] for p in client.get(f"{API}/people{query}", headers=bearer(user)).json["items"]]


def test_people_are_scoped_like_the_people_page(client, town, bearer):
    assert sorted(emails(client, town.coach, bearer)) == ["coach@town.org", "teacher@town.org"]
    assert "colleague@town.org" in emails(client, town.principal, bearer)
    assert town.other_principal.email not in emails(client, town.principal, bearer)
    assert town.stranger.email not in emails(client, town.admin, bearer)
    assert emails(client, town.admin, bearer, "?q=COLLEAGUE") == ["colleague@town.org"]
    row = client.get(f"{API}/people?q=teacher@", headers=bearer(town.admin)).json["items"][0]
    coach = {"id": town.coach.id, "name": town.coach.name, "email": "coach@town.org"}
    assert row | {"id": 0, "name": ""} == {"id": 0, "name": "", "email": "teacher@town.org",
                                           "role": "teacher", "active": True, "schools": ["NORTH"],
                                           "coaches": [coach]}
    assert client.get(f"{API}/people", headers=bearer(town.teacher)).status_code == 404


def test_a_person_in_detail(client, town, bearer):
    body = client.get(f"{API}/people/{town.coach.id}", headers=bearer(town.principal)).json
    assert body["memberships"] == [{"school": {"id": town.school.id, "code": "NORTH",
                                               "name": town.school.name}, "role": "coach"}]
    assert [p["email"] for p in body["caseload"]] == ["teacher@town.org"]
    assert client.get(f"{API}/people/{town.colleague.id}", headers=bearer(town.coach)).status_code == 404


def test_an_admin_adds_a_person_with_a_set_password_link(db, client, town, bearer):
    admin = bearer(town.admin)
    body = {"email": "New@Town.org", "given_name": "Nia", "family_name": "Okafor", "role": "teacher",
            "school": town.school.id, "coach": town.coach.id}
    created = client.post(f"{API}/people", json=body, headers=admin)
    assert created.status_code == 201
    assert created.json["email"] == "new@town.org"
    assert created.json["set_password_link"].startswith("/set-password/")
    assert [c["email"] for c in created.json["coaches"]] == ["coach@town.org"]
    again = client.post(f"{API}/people", json=body, headers=admin)
    assert again.status_code == 422 and "email" in again.json["errors"]
    no_school = client.post(f"{API}/people", json=body | {"email": "x@town.org", "school": None},
                            headers=admin)
    assert no_school.status_code == 422 and "school" in no_school.json["errors"]
    away = town.stranger.schools[0].id
    elsewhere = client.post(f"{API}/people", json=body | {"email": "y@town.org", "school": away},
                            headers=admin)
    assert elsewhere.status_code == 422 and "school" in elsewhere.json["errors"]
    assert db.session.scalar(select(User).where(User.email == "y@town.org")) is None
    assert {"user.created", "set_password_link.issued"} <= actions(db)


def test_roles_coaches_and_deactivation(db, client, town, bearer):
    admin = bearer(town.admin)
    url = f"{API}/people/{town.colleague.id}"
    promoted = client.post(f"{url}/roles", json={"role": "coach", "school": town.school.id}, headers=admin)
    assert promoted.json["role"] == "coach"
    coached = client.post(f"{url}/coaches", json={"coach": town.coach.id}, headers=admin)
    assert [c["email"] for c in coached.json["coaches"]] == ["coach@town.org"]
    twice = client.post(f"{url}/coaches", json={"coach": town.colleague.id}, headers=admin)
    assert twice.status_code == 409   # not on their own caseload
    assert client.delete(f"{url}/coaches/{town.coach.id}", headers=admin).json["coaches"] == []
    off = client.put(f"{url}/active", json={"active": False}, headers=admin)
    assert off.json["active"] is False
    self_off = client.put(f"{API}/people/{town.admin.id}/active", json={"active": False}, headers=admin)
    assert self_off.status_code == 409
    assert db.session.scalar(select(CaseloadAssignment).where(
        CaseloadAssignment.educator_id == town.colleague.id)) is None
    assert {"role.granted", "role.revoked", "user.deactivated"} & actions(db)


def test_deleting_needs_the_email_typed_again(db, client, town, bearer):
    admin, colleague_id = bearer(town.admin), town.colleague.id
    url = f"{API}/people/{colleague_id}"
    wrong = client.delete(f"{url}?confirm=someone@town.org", headers=admin)
    assert wrong.status_code == 422 and "confirm" in wrong.json["errors"]
    deleted = client.delete(f"{url}?confirm=Colleague@town.org", headers=admin)
    assert deleted.json == {"id": colleague_id, "email": "colleague@town.org", "deleted": True}
    assert client.get(url, headers=admin).status_code == 404
    assert "user.deleted" in actions(db)


@pytest.mark.parametrize("method,suffix,body", [
    ("GET", "", None), ("POST", "/roles", {"role": "teacher", "school": 1}),
    ("POST", "/coaches", {"coach": 1}), ("PUT", "/active", {"active": False}),
    ("DELETE", "?confirm=x", None), ("POST", "/set-password-link", None),
])
def test_another_districts_person_is_404(db, client, town, bearer, method, suffix, body):
    response = client.open(f"{API}/people/{town.stranger.id}{suffix}", method=method, json=body,
                           headers=bearer(town.admin))
    assert response.status_code == 404
    db.session.expire_all()
    assert town.stranger.active


def test_schools(db, client, town, bearer):
    admin = bearer(town.admin)
    listed = client.get(f"{API}/schools", headers=admin).json["items"]
    north = next(s for s in listed if s["code"] == "NORTH")
    assert (north["teachers"], north["coaches"], north["principals"]) == (2, 1, 1)
    created = client.post(f"{API}/schools", json={"code": "EAST", "name": "East School"}, headers=admin)
    assert created.status_code == 201 and created.json["teachers"] == 0
    taken = client.post(f"{API}/schools", json={"code": "EAST", "name": "Again"}, headers=admin)
    assert taken.status_code == 409
    bad = client.post(f"{API}/schools", json={"code": "a b", "name": "Spaces"}, headers=admin)
    assert bad.status_code == 422 and "code" in bad.json["errors"]
    assert client.get(f"{API}/schools", headers=bearer(town.principal)).status_code == 404


def test_the_audit_log_is_the_districts_newest_first(db, client, town, bearer):
    admin = bearer(town.admin)
    record("test.first", actor=town.admin, district_id=town.district.id)
    record("test.second", actor=town.admin, district_id=town.district.id)
    record("test.away", actor=town.stranger, district_id=town.stranger.district_id)
    db.session.commit()
    page = client.get(f"{API}/audit?per_page=2", headers=admin).json
    assert [e["action"] for e in page["items"]] == ["test.second", "test.first"]
    assert page["items"][0]["actor"] == "admin@town.org"
    everything = client.get(f"{API}/audit?per_page=200", headers=admin).json["items"]
    assert "test.away" not in {e["action"] for e in everything}


def test_the_audit_log_filters_and_reads_in_words(db, client, town, bearer):
    admin = bearer(town.admin)
    record("sign_out", actor=town.teacher, subject=town.teacher)
    record("sign_out", actor=town.stranger, subject=town.stranger)
    db.session.commit()
    page = client.get(f"{API}/audit?person={town.teacher.id}&kind=sign_out", headers=admin).json
    assert [(e["description"], e["kind_title"]) for e in page["items"]] == [
        (f"{town.teacher.name} signed out", "Signed out")]
    assert page["total"] == 1
    everything = client.get(f"{API}/audit?kind=sign_out&since=2020-01-01", headers=admin).json
    assert everything["total"] == 1   # the stranger's district is not the admin's
    assert client.get(f"{API}/audit?kind=sign_out&until=2020-01-01", headers=admin).json["total"] == 0
    for query, field in [("kind=no.such", "kind"), ("since=2026-13-01", "since"), ("person=0", "person"),
                         ("since=2026-02-01&until=2026-01-01", "until")]:
        refused = client.get(f"{API}/audit?{query}", headers=admin)
        assert refused.status_code == 422 and field in str(refused.json["errors"]), query


def test_the_coach_dashboard(client, planned_town, bearer):
    t = planned_town
    board = client.get(f"{API}/dashboards/coach?cycle={t.cycle.id}", headers=bearer(t.coach)).json
    assert board["evidence_queue"] == 1 and board["submitted"] == 0
    [line] = board["caseload"]
    assert (line["educator"]["email"], line["lane"], line["answered"]) == (
        "teacher@town.org", "Building readiness", 1)
    assert line["cohort"] == "Communication and feedback techniques · Building readiness"
    assert board["cohorts"] == [{"id": t.cohort.id, "name": line["cohort"], "members": 1,
                                 "activities_done": 1, "activities_total": 1}]


def test_the_district_summary_puts_schools_side_by_side(client, planned_town, bearer):
    t = planned_town
    url = f"{API}/districts/{t.district.id}/summary?cycle={t.cycle.id}"
    summary = client.get(url, headers=bearer(t.admin)).json
    assert summary["district"]["code"] == "TOWN"
    assert [s["school"]["code"] for s in summary["schools"]] == ["NORTH", "SOUTH"]
    assert summary["totals"]["participation"]["educators"] == 3
    assert summary["schools"][0]["participation"]["educators"] == 3
    assert summary["totals"]["readiness"]["mean"] is None   # fewer than the privacy threshold rated
    away = f"{API}/districts/{t.stranger.district_id}/summary"
    assert client.get(away, headers=bearer(t.admin)).status_code == 404
    assert client.get(url, headers=bearer(t.principal)).status_code == 404


def test_text_with_a_nul_character_is_refused_naming_the_field(db, client, town, bearer, login):
    """PostgreSQL's text columns cannot hold U+0000: a search or a note carrying one was a server
    error there (found by the schemathesis run). Pages and API refuse it up front."""
    search = client.get(f"{API}/people?q=a%00b", headers=bearer(town.admin))
    assert search.status_code == 422 and search.json["errors"] == {"q": "contains a NUL character (U+0000)"}
    note = client.put(f"{API}/educators/{town.teacher.id}/ratings/self?cycle={town.cycle.id}",
                      json={"ratings": [{"competency": "COG.1", "level": 2, "note": "a\u0000b"}]},
                      headers=bearer(town.teacher))
    assert note.status_code == 422 and list(note.json["errors"]) == ["ratings[0].note"]
    assert client.get(f"{API}/educators/{town.teacher.id}/ratings?cycle={town.cycle.id}",
                      headers=bearer(town.teacher)).json["ratings"][0]["self"] is None
    login(town.admin)
    assert client.get("/people?q=a%00b").status_code == 422
