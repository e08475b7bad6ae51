"""End-to-end tests in Chromium: keyboard-only sign-in and sign-out for every demo role, axe-core
checks on every page a role can reach from the main nav, the skip link, and the framework page.

Set PDPLANNER_SCREENSHOT_DIR to keep screenshots of each role's home page and of the framework."""

import os
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import active_element, assert_accessible, path_of, tab_until
from tests.e2e.conftest import DEMO_EMAILS, DEMO_PASSWORD

pytestmark = pytest.mark.browser

SCREENSHOT_DIR = os.environ.get("PDPLANNER_SCREENSHOT_DIR")
SIGN_IN_FAILED = "That email and password do not match an active account."
PERSON_LINK = re.compile(r"^/people/\d+$")

# What each role finds in the main nav, in order (the brief's "by role").
NAV_LABELS = {
    "teacher": ["Home", "Self-assessment", "My ratings", "My plan", "Framework", "Activities", "Exports",
                "My account"],
    "coach": ["Home", "Self-assessment", "My ratings", "My plan", "Planning", "Caseload", "Framework",
              "Activities", "People", "Exports", "My account"],
    "principal": ["Home", "Planning", "School ratings", "Framework", "Activities", "People", "Exports",
                  "My account"],
    "admin": ["Home", "Planning", "School ratings", "Framework", "Activities", "People", "Schools", "Cycles",
              "Planning settings", "Audit log", "Exports", "My account"],
}
ADMIN_HOME_HEADING = "Riverbend Unified School District (demo)"


# ---------------------------------------------------------------------------------------------
# Helpers


def sign_in_by_form(page: Page, role: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(DEMO_EMAILS[role])
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/")


def screenshot(page: Page, name: str) -> None:
    if SCREENSHOT_DIR:
        os.makedirs(SCREENSHOT_DIR, exist_ok=True)
        page.screenshot(path=os.path.join(SCREENSHOT_DIR, name), full_page=True)


def visit(page: Page, href: str) -> None:
    response = page.goto(href)
    assert response is not None and response.ok, f"{href} answered {response and response.status}"


def assert_role_home(page: Page, role: str, given_name: str) -> None:
    h1 = page.get_by_role("heading", level=1)
    if role == "admin":
        expect(h1).to_have_text(ADMIN_HOME_HEADING)
        expect(page.get_by_role("heading", level=2, name="Schools side by side")).to_be_visible()
        expect(page.get_by_role("table", name="Active staff by role in each school")).to_be_visible()
        side_by_side = page.get_by_role("table", name=re.compile(r"^Participation, lanes, readiness"))
        expect(side_by_side).to_be_visible()
        return
    expect(h1).to_have_text(f"Welcome, {given_name}")
    if role == "teacher":
        expect(page.get_by_role("heading", level=2, name=re.compile(r"^Your coach(es)?$"))).to_be_visible()
    elif role == "coach":
        caseload = page.get_by_role("region", name="Your caseload")
        expect(caseload.get_by_role("heading", level=2)).to_have_text("Your caseload")
        expect(caseload.locator("tbody a[href^='/people/']").first).to_be_visible()
        expect(page.get_by_role("heading", level=2, name="Evidence to verify")).to_be_visible()
    elif role == "principal":
        staff = page.get_by_role("region", name="Staff")
        expect(staff.get_by_role("table", name="Active staff by role")).to_be_visible()
        expect(staff.locator("tbody tr th[scope=row]").first).to_be_visible()
        expect(page.get_by_role("heading", level=2, name="Participation")).to_be_visible()
        expect(page.get_by_role("heading", level=2, name="Cohorts")).to_be_visible()


def first_person_href(page: Page, role: str) -> str:
    """A /people/<id> page the role may see: from the caseload for a coach, else from /people."""
    if role == "coach":
        visit(page, "/")
        links = page.get_by_role("region", name="Your caseload").locator("tbody a")
    else:
        visit(page, "/people")
        links = page.locator("main table tbody th[scope=row] a")
    hrefs = [h for h in (links.nth(i).get_attribute("href") for i in range(links.count())) if h]
    people = [h for h in hrefs if PERSON_LINK.match(h)]
    assert people, f"no /people/<id> link for the {role} on {page.url}: {hrefs}"
    return people[0]


# ---------------------------------------------------------------------------------------------
# Tests


@pytest.mark.parametrize("role", ["teacher", "coach", "principal", "admin"])
def test_keyboard_sign_in_accessible_pages_and_sign_out(page: Page, role, demo_given_names):
    visit(page, "/login")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert_accessible(page)

    # Sign in with the keyboard alone.
    tab_until(page, lambda el: el["tag"] == "input" and el["name"] == "email", "The email field")
    page.keyboard.type(DEMO_EMAILS[role])
    page.keyboard.press("Tab")
    focused = active_element(page)
    assert (focused["tag"], focused["name"]) == ("input", "password"), f"Tab from email went to {focused}"
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: urlsplit(url).path == "/")
    assert_role_home(page, role, demo_given_names[role])
    screenshot(page, f"home-{role}.png")

    # The main nav offers this role's pages, and every one of them is axe-clean at 1280 and 390 px.
    nav_links = page.get_by_role("navigation", name="Main").get_by_role("link")
    expect(nav_links).to_have_text(NAV_LABELS[role])
    hrefs = [nav_links.nth(i).get_attribute("href") for i in range(nav_links.count())]
    assert all(h and h.startswith("/") for h in hrefs), f"odd nav hrefs: {hrefs}"
    expect(nav_links.first).to_have_attribute("aria-current", "page")  # Home, while on home
    for href in hrefs:
        visit(page, href)
        expect(page.get_by_role("heading", level=1)).to_have_count(1)
        assert_accessible(page)
    wide = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})   # and every one again at a phone's width
    for href in hrefs:
        visit(page, href)
        assert_accessible(page)
    page.set_viewport_size(wide)

    if role == "teacher":  # pages one link further on, the same for every role: checked once
        for start, link in [("/frameworks/", "About this framework"), ("/account", "Change password")]:
            visit(page, start)
            visit(page, page.get_by_role("link", name=link).get_attribute("href"))
            expect(page.get_by_role("heading", level=1)).to_have_count(1)
            assert_accessible(page)

    if role != "teacher":
        visit(page, first_person_href(page, role))
        expect(page.get_by_role("heading", level=2, name="Coaches")).to_be_visible()
        assert_accessible(page)
    if role == "admin":
        visit(page, "/people/new")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(page)

    # Sign out with the keyboard: focus the header button and press Enter.
    visit(page, "/")
    sign_out = page.get_by_role("button", name=re.compile(r"^Sign out"))
    sign_out.focus()
    expect(sign_out).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: urlsplit(url).path == "/login")
    expect(page.get_by_role("status")).to_have_text("You have signed out.")
    expect(page.get_by_role("button", name=re.compile(r"^Sign out"))).to_have_count(0)

    # The session is gone: home sends us back to sign in.
    page.goto("/")
    assert path_of(page) == "/login", f"/ after sign-out landed on {page.url}"
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


def test_wrong_password_is_refused_without_revealing_which_part_was_wrong(page: Page):
    messages = {}
    for label, email, password in [
        ("wrong password", DEMO_EMAILS["teacher"], "not-the-password"),
        ("unknown email", "nobody@demo.pdplanner.org", DEMO_PASSWORD),
    ]:
        visit(page, "/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        assert path_of(page) == "/login", f"{label}: landed on {page.url}"
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text(SIGN_IN_FAILED)
        expect(page.get_by_role("button", name=re.compile(r"^Sign out"))).to_have_count(0)
        expect(page.get_by_label("Password")).to_have_value("")  # never echoed back
        messages[label] = alert.inner_text()
        assert_accessible(page)
    assert messages["wrong password"] == messages["unknown email"], messages

    page.goto("/")
    assert path_of(page) == "/login", f"a refused sign-in still reached {page.url}"


def test_the_device_cookie_outlives_sign_out_and_a_throttled_sign_in_says_what_to_do(page: Page):
    """Chromium keeps the signed device cookie (docs/security/sign-in.md) after sign-out, only
    for /login; a throttled attempt gets the sign-in page, accessible, with the way out."""
    sign_in_by_form(page, "teacher")
    page.get_by_role("button", name=re.compile(r"^Sign out")).click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/login")
    device, = [c for c in page.context.cookies() if c["name"] == "pdplanner_device"]
    assert (device["path"], device["httpOnly"], device["sameSite"]) == ("/login", True, "Strict")

    for _ in range(6):  # a made-up email from this address: the sixth is refused
        page.get_by_label("Email").fill("made-up@demo.pdplanner.org")
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
    expect(page.get_by_role("alert")).to_contain_text("Too many attempts to sign in")
    expect(page.get_by_role("link", name="Forgot your password?")).to_be_visible()
    assert_accessible(page)


def test_password_reset_by_keyboard_answers_without_revealing_accounts(page: Page):
    visit(page, "/login")
    page.get_by_role("link", name="Forgot your password?").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert path_of(page) == "/password-reset"
    assert_accessible(page)
    page.keyboard.type("nobody@demo.pdplanner.org")  # the email field has focus on arrival
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert path_of(page) == "/login"
    expect(page.get_by_role("status")).to_contain_text("If an active account uses that email")
    assert_accessible(page)


def test_skip_link_is_first_and_moves_focus_to_main(page: Page):
    sign_in_by_form(page, "coach")
    visit(page, "/")  # a fresh load, so focus starts at the top of the document
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # visible to sighted keyboard users once focused
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    assert active_element(page)["tag"] == "main"


def test_framework_page_lists_every_competency_with_its_descriptors(page: Page):
    sign_in_by_form(page, "teacher")
    visit(page, "/frameworks/")
    assert re.fullmatch(r"/frameworks/\d+", path_of(page)), f"/frameworks/ went to {page.url}"
    articles = page.locator("main article[id^='competency-']")
    expect(articles).to_have_count(19)
    expect(page.locator("article#competency-COG\\.1")).to_have_count(1)
    for i in range(articles.count()):
        article = articles.nth(i)
        article_id = article.get_attribute("id")
        expect(article.get_by_role("heading", level=3), article_id).to_have_count(1)
        expect(article.locator("ul li").first, f"{article_id} indicators").to_be_attached()
        tables = article.locator("table.descriptors")
        expect(tables, f"{article_id} descriptors table").to_have_count(1)
        expect(tables.locator("tbody tr"), f"{article_id} descriptor rows").to_have_count(4)
    screenshot(page, "framework.png")
