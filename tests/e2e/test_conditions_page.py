"""The district conditions page in Chromium: reached from the framework page by its link,
every area there, axe-clean at a desktop and a phone width."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import assert_accessible
from tests.e2e.test_dashboard_journey import sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])
def test_conditions_page_lists_the_areas_and_is_accessible(page: Page, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "teacher")
    page.goto("/frameworks/")
    page.get_by_role("link", name="district conditions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "District Conditions for Personalized, Competency-Based Learning")
    expect(page.locator("main section[id^='area-']")).to_have_count(13)
    expect(page.get_by_role("table", name="Indicators of transparency")).to_be_visible()
    assert_accessible(page)
