"""CSRF on API writes (SPEC 11): required with a session cookie, JSON included; a token call
without a session cookie is exempt."""

from sqlalchemy import func, select

from pdplanner.assessments.models import Rating
from tests.conftest import csrf_from
from tests.helpers import sign_in_directly

BODY = {"ratings": [{"competency": "COG.1", "level": 2}]}


def url(town):
    return f"/api/v1/educators/{town.teacher.id}/ratings/self?cycle={town.cycle.id}"


def ratings(db) -> int:
    return db.session.scalar(select(func.count(Rating.id)))


def test_session_write_without_the_csrf_header_is_refused(db, client, town):
    sign_in_directly(client, town.teacher)
    response = client.put(url(town), json=BODY)
    assert response.status_code == 400
    assert response.content_type == "application/problem+json"
    assert "X-CSRFToken" in response.json["detail"]
    assert ratings(db) == 0


def test_session_write_with_a_wrong_csrf_header_is_refused(db, client, town):
    sign_in_directly(client, town.teacher)
    assert client.put(url(town), json=BODY, headers={"X-CSRFToken": "forged"}).status_code == 400
    assert ratings(db) == 0


def test_session_write_with_the_pages_csrf_token_is_accepted(db, client, town):
    sign_in_directly(client, town.teacher)
    token = csrf_from(client, "/account")
    response = client.put(url(town), json=BODY, headers={"X-CSRFToken": token})
    assert response.status_code == 200, response.json
    assert ratings(db) == 1


def test_session_reads_need_no_csrf_token(client, town):
    sign_in_directly(client, town.teacher)
    assert client.get("/api/v1/me").status_code == 200


def test_bearer_without_a_cookie_needs_no_csrf_token(db, client, town, bearer):
    response = client.put(url(town), json=BODY, headers=bearer(town.teacher))
    assert response.status_code == 200, response.json
    assert ratings(db) == 1


def test_bearer_with_a_session_cookie_still_needs_the_csrf_token(db, client, town, bearer):
    sign_in_directly(client, town.teacher)
    assert client.put(url(town), json=BODY, headers=bearer(town.teacher)).status_code == 400
    assert ratings(db) == 0
