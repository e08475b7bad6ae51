"""The read endpoints, as each role: what they contain and what they leave out."""

import json

import pytest

from pdplanner.accounts.models import Role
from pdplanner.assessments.services import RatingInput, save_coach_ratings, save_self_ratings, set_sharing
from tests.factories import create_user
from tests.helpers import load_default_framework, sign_in_directly

CODES = ([f"COG.{i}" for i in range(1, 5)] + [f"INTRA.{i}" for i in range(1, 6)]
         + [f"INTER.{i}" for i in range(1, 5)] + [f"INST.{i}" for i in range(1, 7)])


def get(client, user, bearer, path):
    return client.get(path, headers=bearer(user))


def test_me(client, town, bearer):
    body = get(client, town.teacher, bearer, "/api/v1/me").json
    assert body == {"id": town.teacher.id, "email": "teacher@town.org", "name": town.teacher.name,
                    "role": "teacher",
                    "schools": [{"id": town.school.id, "code": "NORTH", "name": town.school.name,
                                 "role": "teacher"}]}
    admin = get(client, town.admin, bearer, "/api/v1/me").json
    assert admin["role"] == "district_admin" and admin["schools"] == []


def test_session_works_as_well_as_a_token(client, town):
    sign_in_directly(client, town.coach)
    assert client.get("/api/v1/me").json["email"] == "coach@town.org"


def test_frameworks_list_and_detail(db, client, town, bearer):
    load_default_framework(district_id=town.stranger.district_id)  # another district's own copy
    db.session.commit()
    page = get(client, town.teacher, bearer, "/api/v1/frameworks").json
    assert page["total"] == 1 and page["page"] == 1 and page["pages"] == 1
    assert page["items"] == [{"id": town.framework.id, "slug": town.framework.slug,
                              "title": town.framework.title, "version": town.framework.version}]

    detail = get(client, town.teacher, bearer, f"/api/v1/frameworks/{town.framework.id}").json
    assert detail["id"] == town.framework.id and detail["slug"] == town.framework.slug
    codes = [c["code"] for d in detail["domains"] for c in d["competencies"]]
    assert codes == CODES
    assert [d["code"] for d in detail["domains"]] == ["COG", "INTRA", "INTER", "INST"]
    assert detail["scale"]["levels"]


def test_another_districts_framework_is_404(db, client, town, bearer):
    theirs = load_default_framework(district_id=town.stranger.district_id)
    db.session.commit()
    response = get(client, town.teacher, bearer, f"/api/v1/frameworks/{theirs.id}")
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"


def test_framework_format(client, town, bearer):
    url = f"/api/v1/frameworks/{town.framework.id}"
    headers = bearer(town.teacher)
    assert client.get(url + "?format=native", headers=headers).status_code == 200
    case = client.get(url + "?format=case", headers=headers)
    assert case.status_code == 200 and case.content_type == "application/json"
    assert case.json["CFDocument"]["title"] == town.framework.title
    assert client.get(url + "?format=xml", headers=headers).json["errors"] == {
        "format": "Must be native or case."}


def test_cycles_are_the_callers_districts(client, town, bearer):
    body = get(client, town.principal, bearer, "/api/v1/cycles").json
    assert body["items"] == [{"id": town.cycle.id, "name": "Baseline", "status": "open",
                              "opens_on": "2026-09-01", "closes_on": "2026-10-15",
                              "framework_id": town.framework.id}]
    assert get(client, town.stranger, bearer, "/api/v1/cycles").json["items"] == []


def emails(client, user, bearer, query=""):
    body = get(client, user, bearer, "/api/v1/educators" + query).json
    return [item["email"] for item in body["items"]], body


@pytest.mark.parametrize("role,expected", [
    ("teacher", {"teacher@town.org"}),
    ("coach", {"coach@town.org", "teacher@town.org"}),
    ("principal", {"coach@town.org", "teacher@town.org", "colleague@town.org"}),
    ("admin", {"coach@town.org", "teacher@town.org", "colleague@town.org"}),
])
def test_educators_are_those_the_caller_may_see(client, town, bearer, role, expected):
    found, _ = emails(client, getattr(town, role), bearer)
    assert set(found) == expected


def test_educator_fields(client, town, bearer):
    _, body = emails(client, town.coach, bearer)
    teacher = next(i for i in body["items"] if i["email"] == "teacher@town.org")
    assert teacher == {"id": town.teacher.id, "email": "teacher@town.org", "name": town.teacher.name,
                       "role": "teacher", "school": "NORTH", "coach": "coach@town.org",
                       "coaches": ["coach@town.org"]}
    coach = next(i for i in body["items"] if i["email"] == "coach@town.org")
    assert coach["role"] == "coach" and coach["coach"] is None


def test_educators_pagination(db, client, town, bearer):
    for _ in range(5):
        create_user(Role.TEACHER, school=town.school)
    headers = bearer(town.admin)
    first = client.get("/api/v1/educators?per_page=3", headers=headers).json
    assert (first["total"], first["pages"], first["page"], first["per_page"]) == (8, 3, 1, 3)
    seen = [i["id"] for p in (1, 2, 3)
            for i in client.get(f"/api/v1/educators?per_page=3&page={p}", headers=headers).json["items"]]
    assert len(seen) == len(set(seen)) == 8
    assert client.get("/api/v1/educators?page=9", headers=headers).json["items"] == []


@pytest.mark.parametrize("query,field", [("?per_page=201", "per_page"), ("?per_page=0", "per_page"),
                                         ("?page=0", "page"), ("?page=x", "page")])
def test_pagination_bounds(client, town, bearer, query, field):
    response = client.get("/api/v1/educators" + query, headers=bearer(town.admin))
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert set(response.json["errors"]) == {field}


def test_per_page_200_is_allowed(client, town, bearer):
    assert client.get("/api/v1/educators?per_page=200", headers=bearer(town.admin)).status_code == 200


def rate(db, town):
    save_self_ratings(town.teacher, town.cycle, [
        RatingInput("COG.1", level=2, confidence="medium", interest=True, note="Working on it"),
        RatingInput("COG.2", not_observed=True)])
    save_coach_ratings(town.coach, town.teacher, town.cycle, [RatingInput("COG.1", level=3)])
    db.session.commit()


def test_ratings_per_competency(db, client, town, bearer):
    rate(db, town)
    url = f"/api/v1/educators/{town.teacher.id}/ratings?cycle={town.cycle.id}"
    for viewer in (town.teacher, town.coach):
        body = get(client, viewer, bearer, url).json
        assert body["cycle"] == town.cycle.id and body["educator"] == town.teacher.id
        assert [r["competency"] for r in body["ratings"]] == CODES
        cog1, cog2, cog3 = body["ratings"][:3]
        assert {k: v for k, v in cog1["self"].items() if k != "updated_at"} == {
            "level": 2, "not_observed": False, "confidence": "medium", "interest": True,
            "note": "Working on it", "evidence_url": ""}
        assert cog1["self"]["updated_at"].endswith("+00:00")
        assert cog1["coach"]["level"] == 3 and cog1["coach"]["rater"] == "coach@town.org"
        assert cog2["self"]["not_observed"] is True and cog2["self"]["level"] is None
        assert cog2["coach"] is None and cog3 == {"competency": "COG.3", "self": None, "coach": None}


@pytest.mark.parametrize("viewer", ["principal", "admin", "colleague", "other_principal", "stranger"])
def test_ratings_are_private_unless_shared(db, client, town, bearer, viewer):
    rate(db, town)
    url = f"/api/v1/educators/{town.teacher.id}/ratings?cycle={town.cycle.id}"
    assert get(client, getattr(town, viewer), bearer, url).status_code == 404


def test_shared_ratings_are_visible_to_the_principal(db, client, town, bearer):
    rate(db, town)
    set_sharing(town.teacher, town.cycle, True)
    db.session.commit()
    url = f"/api/v1/educators/{town.teacher.id}/ratings?cycle={town.cycle.id}"
    assert get(client, town.principal, bearer, url).json["ratings"][0]["self"]["level"] == 2
    assert get(client, town.other_principal, bearer, url).status_code == 404


def test_ratings_need_a_cycle_of_the_callers_district(db, client, town, bearer):
    headers = bearer(town.teacher)
    base = f"/api/v1/educators/{town.teacher.id}/ratings"
    missing = client.get(base, headers=headers)
    assert missing.status_code == 422 and set(missing.json["errors"]) == {"cycle"}
    assert client.get(base + "?cycle=999999", headers=headers).status_code == 404


def test_a_refused_and_a_missing_educator_look_the_same(client, town, bearer):
    headers = bearer(town.colleague)
    refused = client.get(f"/api/v1/educators/{town.teacher.id}/ratings?cycle={town.cycle.id}",
                         headers=headers)
    missing = client.get(f"/api/v1/educators/999999/ratings?cycle={town.cycle.id}", headers=headers)
    assert refused.status_code == missing.status_code == 404
    assert json.loads(refused.data) == json.loads(missing.data)


def test_unknown_api_path_and_method_answer_problem_json(client, town, bearer):
    headers = bearer(town.teacher)
    for response, status in [(client.get("/api/v1/nothing-here", headers=headers), 404),
                             (client.delete("/api/v1/me", headers=headers), 405)]:
        assert response.status_code == status
        assert response.content_type == "application/problem+json"
        assert set(response.json) >= {"type", "title", "status", "detail"}
