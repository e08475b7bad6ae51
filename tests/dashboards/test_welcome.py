"""The first-run welcome (issue 15, 17): each role's home page says what pdplanner is and the
three things to do first, until the person closes it; closed, it stays closed, on any device.
The glossary the pages link to explains the words they use."""

import html
import re

import pytest

from pdplanner.accounts.models import Role
from tests.conftest import csrf_from
from tests.factories import create_school, create_user
from tests.helpers import sign_in_directly

FIRST_STEPS = {
    Role.TEACHER: ["Rate yourself", "Talk your ratings through with your coach", "your plan"],
    Role.COACH: ["caseload", "Rate each educator", "the planning page"],
    Role.PRINCIPAL: ["participation and readiness", "the planning page", "the words used here"],
    Role.DISTRICT_ADMIN: ["Load your roster", "Open a cycle", "planning settings"],
}


def text_of(response) -> str:
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split()))


def welcome_items(response) -> list[str]:
    body = response.get_data(as_text=True)
    section = re.search(r'<section class="card welcome".*?</section>', body, re.S)
    if section is None:
        return []
    return [html.unescape(re.sub(r"<[^>]+>", "", item)).strip()
            for item in re.findall(r"<li>(.*?)</li>", section.group(0), re.S)]


@pytest.mark.parametrize("role", list(FIRST_STEPS))
def test_each_role_is_welcomed_with_three_first_steps_until_they_close_it(client, db, role):
    school = create_school()
    person = create_user(role, school=school) if role != Role.DISTRICT_ADMIN else create_user(
        role, district=school.district)
    sign_in_directly(client, person)
    items = welcome_items(client.get("/"))
    assert len(items) == 3
    for item, expected in zip(items, FIRST_STEPS[role], strict=True):
        assert expected in item
    token = csrf_from(client, "/")
    response = client.post("/welcome/dismiss", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert welcome_items(client.get("/")) == []
    db.session.refresh(person)
    assert person.welcome_dismissed_at is not None
    # Remembered with the person, not the browser: a new session does not bring it back.
    client.get("/logout")
    with client.session_transaction() as session:
        session.clear()
    sign_in_directly(client, person)
    assert welcome_items(client.get("/")) == []


def test_closing_the_welcome_needs_the_csrf_token(client, db):
    person = create_user(Role.TEACHER, school=create_school())
    sign_in_directly(client, person)
    assert client.post("/welcome/dismiss").status_code == 400
    db.session.refresh(person)
    assert person.welcome_dismissed_at is None


def test_the_glossary_explains_the_words_the_pages_use(client, db):
    person = create_user(Role.PRINCIPAL, school=create_school())
    sign_in_directly(client, person)
    page = text_of(client.get("/help/words"))
    for word in ("Lane", "Cohort", "Readiness", "Mean readiness", "current mean", "Calibration",
                 "Competency"):
        assert word in page
    body = client.get("/help/words").get_data(as_text=True)
    for anchor in ("lane", "cohort", "readiness", "mean"):
        assert f'id="{anchor}"' in body
