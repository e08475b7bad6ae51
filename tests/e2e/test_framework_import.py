"""The district admin's framework import page in Chromium: reached from the framework page by
its link, axe-clean before and after a refused file, with the error summary linked to the field.
(The import itself is tested in tests/framework; the browser session's district keeps its one
framework, which other browser tests rely on.)"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import assert_accessible
from tests.e2e.test_dashboard_journey import sign_in

pytestmark = pytest.mark.browser
ZERO_ITEMS = Path(__file__).parent.parent / "framework" / "fixtures" / "case" / "zero-items.json"


def test_admin_import_page_is_accessible_and_names_a_refused_file(page: Page):
    sign_in(page, "admin")
    page.goto("/frameworks/")
    expect(page.get_by_role("link", name="CASE JSON")).to_have_attribute(
        "href", re.compile(r"/frameworks/\d+/export\.case\.json$"))
    page.get_by_role("link", name="Import a framework").click()
    expect(page.get_by_role("heading", level=1, name="Import a framework")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Framework file").set_input_files(str(ZERO_ITEMS))
    page.get_by_role("button", name="Import").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("zero-items.json: the package has no competencies: CFItems is empty")
    expect(page).to_have_title(re.compile("^Error: Import a framework"))
    expect(page.get_by_label("Framework file")).to_have_attribute("aria-invalid", "true")
    summary.get_by_role("link").click()
    expect(page.get_by_label("Framework file")).to_be_focused()
    assert_accessible(page)
