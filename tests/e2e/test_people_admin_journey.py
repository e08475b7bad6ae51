"""The district admin's People tools in Chromium: selecting people with the keyboard, the preview
of a change to them (not applied: the other browser tests share the demo district), a person's
edit page, and the audit log's filters and pages; each page axe-clean at 1280 and 390 px."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import assert_accessible
from tests.e2e.conftest import DEMO_EMAILS, DEMO_PASSWORD

pytestmark = pytest.mark.browser
WIDTHS = (1280, 390)


def sign_in_as_admin(page: Page) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(DEMO_EMAILS["admin"])
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$"))


def accessible_at_every_width(page: Page) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page)
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def test_the_admin_selects_people_previews_a_change_and_edits_a_person(page: Page):
    sign_in_as_admin(page)
    page.goto("/people")
    boxes = page.locator("main input[type=checkbox][name=person]")
    for i in (1, 2):                                  # by keyboard: focus, then Space
        boxes.nth(i).focus()
        page.keyboard.press("Space")
        expect(boxes.nth(i)).to_be_checked()
    first_name = page.locator("main table tbody tr").nth(1).locator("th a").inner_text()
    page.get_by_label("Set their coach").check()
    page.get_by_label("Coach", exact=True).select_option(index=1)
    accessible_at_every_width(page)
    page.get_by_role("button", name="Preview the change").click()

    expect(page.get_by_role("heading", level=1, name="Preview: Set their coach")).to_be_visible()
    preview = page.get_by_role("table", name=re.compile(r"^What changes for each of the 2 people"))
    expect(preview.get_by_role("rowheader").first).to_contain_text(first_name)
    accessible_at_every_width(page)

    page.get_by_role("link", name="Back to People").click()
    page.locator("main table tbody th[scope=row] a").first.click()
    page.get_by_role("link", name=re.compile(r"^Edit name and email")).click()
    expect(page.get_by_role("heading", level=1, name=re.compile(r"^Edit "))).to_be_visible()
    expect(page.get_by_label("Given name")).to_be_focused()
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Email: That is not an email address.")
    accessible_at_every_width(page)


def test_the_audit_log_filters_and_pages_by_keyboard(page: Page):
    sign_in_as_admin(page)
    page.goto("/audit")
    expect(page.get_by_role("table")).to_contain_text("signed in")
    page.get_by_label("Kind of event").select_option(label="Signed in")
    page.get_by_role("button", name="Filter").press("Enter")
    page.wait_for_url(re.compile(r"kind=sign_in\.succeeded"))
    rows = page.locator("main table tbody tr")
    expect(rows.first.locator("td").nth(1)).to_have_text(re.compile(r"^\S.* signed in$"))
    accessible_at_every_width(page)
    older = page.get_by_role("link", name="Older events")
    if older.count():                                   # more than one page of sign-ins
        older.focus()
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"page=2"))
        accessible_at_every_width(page)
