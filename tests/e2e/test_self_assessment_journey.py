"""The first half of the loop in Chromium, by keyboard only: an educator completes a
self-assessment over two sittings, reloads mid-way and loses nothing, submits; their coach rates
them and sees the calibration flag. axe-core checks each kind of page on the way."""

import re

import pytest
from playwright.sync_api import Page, expect

from pdplanner.accounts.models import Role, user_by_email
from pdplanner.extensions import db
from pdplanner.organisation.services import create_user
from tests.e2e.browser import assert_accessible, path_of, tab_until
from tests.e2e.conftest import DEMO_EMAILS, DEMO_PASSWORD

pytestmark = pytest.mark.browser

EMAIL = "journey.teacher@demo.pdplanner.org"
PASSWORD = "journey passphrase 2026"
# Self-ratings per domain page; "none" is "not yet observed".
LEVELS = {
    "COG": {"COG.1": 3, "COG.2": 2, "COG.3": 3, "COG.4": 2},
    "INTRA": {"INTRA.1": 4, "INTRA.2": 3, "INTRA.3": 3, "INTRA.4": 2, "INTRA.5": 2},
    "INTER": {"INTER.1": 3, "INTER.2": 3, "INTER.3": 2, "INTER.4": 1},
    "INST": {"INST.1": 2, "INST.2": 2, "INST.3": 3, "INST.4": "none", "INST.5": 1, "INST.6": 2},
}


@pytest.fixture(scope="module")
def journey_teacher(e2e_app):
    """A teacher who has not started, on coach@'s caseload, at coach@'s school."""
    with e2e_app.app_context():
        coach = user_by_email(DEMO_EMAILS["coach"])
        school = next(m.school for m in coach.memberships)
        create_user(district_id=coach.district_id, email=EMAIL, given_name="Jo", family_name="Rivera",
                    role=Role.TEACHER, school=school, coach=coach, password=PASSWORD)
        db.session.commit()
    return EMAIL


def sign_in_by_keyboard(page: Page, email: str, password: str) -> None:
    page.goto("/login")
    tab_until(page, lambda f: f["id"] == "email", "the email field")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert path_of(page) == "/"


def follow_link_by_keyboard(page: Page, text: str) -> None:
    tab_until(page, lambda f: f["tag"] == "a" and f["text"].startswith(text), f"the link {text!r}", 60)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def press_button(page: Page, text: str) -> None:
    tab_until(page, lambda f: f["tag"] == "button" and f["text"].startswith(text),
              f"the {text!r} button", 200)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def sign_out_by_keyboard(page: Page) -> None:
    page.get_by_role("button", name=re.compile("^Sign out")).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def choose(page: Page, code: str, level) -> None:
    """Tab to the competency's radio group and pick a level with Space and the arrow keys."""
    key = code.replace(".", "_")
    tab_until(page, lambda f: f["name"] == f"{key}__level", f"the level of {code}", 40)
    page.keyboard.press("Space")  # checks the focused (first) option: level 1
    for _ in range((5 if level == "none" else level) - 1):
        page.keyboard.press("ArrowRight")
    page.wait_for_load_state("networkidle")
    value = "none" if level == "none" else str(level)
    expect(page.locator(f"#{key}-level-{value}")).to_be_checked()
    expect(page.locator("#save-state")).to_contain_text("All changes saved")


def test_self_assessment_over_two_sittings_then_coach_calibration(page: Page, journey_teacher):
    # First sitting: the whole Cognitive page and two Intrapersonal competencies.
    sign_in_by_keyboard(page, journey_teacher, PASSWORD)
    follow_link_by_keyboard(page, "Self-assessment")
    assert path_of(page).endswith("/COG")
    expect(page.get_by_role("status").filter(has_text="rated")).to_contain_text("0 of 19 rated")
    assert_accessible(page)
    for code, level in LEVELS["COG"].items():
        choose(page, code, level)
    press_button(page, "Save and continue")
    assert path_of(page).endswith("/INTRA")
    intra = list(LEVELS["INTRA"].items())
    for code, level in intra[:2]:
        choose(page, code, level)

    # A reload mid-way loses nothing.
    page.reload()
    expect(page.locator("#INTRA_1-level-4")).to_be_checked()
    expect(page.locator("#INTRA_2-level-3")).to_be_checked()
    expect(page.locator("#progress")).to_contain_text("6 of 19 rated")
    sign_out_by_keyboard(page)

    # Second sitting: resume exactly where they left off, finish, submit.
    sign_in_by_keyboard(page, journey_teacher, PASSWORD)
    follow_link_by_keyboard(page, "Self-assessment")
    assert path_of(page).endswith("/INTRA")
    for code, level in intra[2:]:
        choose(page, code, level)
    press_button(page, "Save and continue")
    for domain in ("INTER", "INST"):
        assert path_of(page).endswith(f"/{domain}")
        for code, level in LEVELS[domain].items():
            choose(page, code, level)
        press_button(page, "Save and continue")
    assert path_of(page).endswith("/review")
    expect(page.locator("#progress")).to_contain_text("19 of 19 rated")
    assert_accessible(page)
    press_button(page, "Submit my self-assessment")
    expect(page.get_by_role("status").filter(has_text="Submitted").first).to_be_visible()
    sign_out_by_keyboard(page)

    # The coach rates COG.1 two levels below the self-rating and sees the flag.
    sign_in_by_keyboard(page, DEMO_EMAILS["coach"], DEMO_PASSWORD)
    follow_link_by_keyboard(page, "Caseload")
    assert_accessible(page)
    follow_link_by_keyboard(page, "Rate Jo Rivera")
    assert path_of(page).endswith("/coach-rating/COG")
    assert_accessible(page)
    choose(page, "COG.1", 1)  # saved as it is chosen, like the self-assessment
    page.get_by_role("link", name=re.compile("^Compare with Jo")).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert re.search(r"/educators/\d+/calibration", path_of(page))
    expect(page.get_by_role("status").filter(has_text="differ")).to_contain_text("by 2 or more levels")
    expect(page.locator("tr.flagged").first).to_contain_text("COG.1")
    assert_accessible(page)

