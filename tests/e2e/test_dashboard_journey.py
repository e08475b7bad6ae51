"""Each dashboard in Chromium, axe-clean with its charts and their data tables open: the
educator's, the coach's, the principal's and the district admin's, who narrows the page to one
school with the keyboard, downloads its readiness report, then looks at a past cycle."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import assert_accessible
from tests.e2e.conftest import DEMO_EMAILS, DEMO_PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page: Page, role: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(DEMO_EMAILS[role])
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$"))


def open_every_data_table(page: Page) -> int:
    """Open each chart's data table (a <details>) and check it reads as a table with a caption."""
    summaries = page.locator("figure.chart details summary")
    for i in range(summaries.count()):
        summaries.nth(i).click()
    tables = page.locator("figure.chart details table")
    for i in range(tables.count()):
        expect(tables.nth(i).locator("caption")).not_to_be_empty()
    return summaries.count()


@pytest.mark.parametrize(("role", "charts"), [("teacher", 2), ("coach", 0), ("principal", 5), ("admin", 4)])
def test_each_dashboard_is_accessible_with_its_charts_and_tables(page: Page, role, charts):
    sign_in(page, role)
    figures = page.locator("figure.chart")
    expect(figures).to_have_count(charts)
    for i in range(charts):
        svg = figures.nth(i).locator("svg[role=img]")
        expect(svg).to_have_attribute("aria-labelledby", re.compile(r"-title .*-desc$"))
    assert open_every_data_table(page) <= charts
    assert_accessible(page)


def test_the_admin_narrows_to_a_school_and_a_cycle_and_downloads_its_report(page: Page):
    sign_in(page, "admin")
    expect(page.get_by_role("heading", level=2, name=re.compile("^The whole district"))).to_be_visible()
    school = page.get_by_label("School", exact=True)
    school_name = school.locator("option").nth(1).inner_text()
    school.select_option(label=school_name)
    show(page)
    heading = page.get_by_role("heading", level=2, name=re.compile(f"^{re.escape(school_name)} · "))
    expect(heading).to_be_visible()
    expect(page.get_by_role("table", name=re.compile("^Cohorts of"))).to_be_visible()
    expect(page.locator("#heatmap-chart")).to_be_visible()
    open_every_data_table(page)
    assert_accessible(page)
    link = page.get_by_role("link", name=f"Readiness report of {school_name} (PDF)")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.startswith("readiness-")
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    cycle = page.get_by_label("Cycle", exact=True)
    earlier = cycle.locator("option").nth(1).inner_text().split(" (")[0]   # the cycle before the open one
    cycle.select_option(index=1)
    show(page)
    expect(page.get_by_role("heading", level=2, name=f"{school_name} · {earlier}")).to_be_visible()
    expect(page.get_by_text("No cohorts in this cycle yet.")).to_be_visible()
    assert_accessible(page)


def show(page: Page) -> None:
    """Apply the filters with the keyboard."""
    page.get_by_role("button", name="Show").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
