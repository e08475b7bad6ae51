"""The district admin's confirmations in Chromium (issue 15, items 6 and 7), axe clean: closing a
cycle asks first and "Keep it open" changes nothing; the dates page; a roster that would
deactivate most of the district asks for typed words and, when they are wrong, says so on the
field and applies nothing. Nothing here changes the shared demo."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import assert_accessible
from tests.e2e.conftest import DEMO_EMAILS, DEMO_PASSWORD

pytestmark = pytest.mark.browser


def sign_in_as_admin(page: Page) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(DEMO_EMAILS["admin"])
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def test_closing_a_cycle_asks_first_and_the_dates_page_is_accessible(page: Page):
    sign_in_as_admin(page)
    page.goto("/cycles")
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("^Close…")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile(r"^Close .+\?$"))
    expect(page.get_by_text(re.compile(r"\d+ of \d+ teachers and coaches have submitted"))).to_be_visible()
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Keep it open").click()
    expect(page.get_by_role("cell", name="Open", exact=True)).to_have_count(1)

    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("^Edit dates")).first.click()
    expect(page.get_by_label("Closes on")).to_be_visible()
    assert_accessible(page)


def test_a_roster_deactivating_most_people_wants_the_words(page: Page, tmp_path):
    roster = tmp_path / "only-the-admin.csv"
    roster.write_text("email,given name,family name,role,school code,coach email\n"
                      f"{DEMO_EMAILS['admin']},Ad,Min,district_admin,,\n")
    sign_in_as_admin(page)
    page.goto("/roster")
    page.get_by_label("Roster file").set_input_files(str(roster))
    with page.expect_navigation():
        page.get_by_role("button", name="Preview").click()
    words = page.get_by_label(re.compile(r"^Type DEACTIVATE \d+ to confirm$"))
    expect(words).to_be_visible()
    assert_accessible(page)
    words.fill("DEACTIVATE")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply this roster").click()
    expect(page.locator(".field__error")).to_contain_text(re.compile(r"type DEACTIVATE \d+ exactly"))
    expect(page.get_by_label(re.compile(r"^Type DEACTIVATE \d+ to confirm$"))).to_have_attribute(
        "aria-invalid", "true")
    assert_accessible(page)
    page.goto("/people")
    expect(page.get_by_text("teacher2@demo.pdplanner.org")).to_have_count(1)
