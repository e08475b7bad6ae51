"""Every screen size: the header menu at 1280 and 390 px, wide tables that scroll inside their
own region rather than the page, and a focused control never hidden behind the sticky save bar
(WCAG 2.2 2.4.11), checked by geometry along a whole keyboard journey."""

import pytest
from playwright.sync_api import Page, expect

from pdplanner.accounts.models import Role, user_by_email
from pdplanner.extensions import db
from pdplanner.organisation.services import create_user
from tests.e2e.browser import active_element, assert_accessible, path_of
from tests.e2e.conftest import DEMO_EMAILS, DEMO_PASSWORD

pytestmark = pytest.mark.browser

WIDE, NARROW = {"width": 1280, "height": 900}, {"width": 390, "height": 844}
PASSWORD = "screens passphrase 2026"


def sign_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password)
    with page.expect_navigation():
        page.press("#password", "Enter")
    assert path_of(page) == "/", f"signing in as {email} landed on {page.url}"


def header_rows(page: Page) -> int:
    """How many rows the header's visible items (brand, menu button, links, sign out) take."""
    return page.evaluate("""() => {
        const items = [...document.querySelectorAll('.site-header .brand, .site-header .menu-button, '
                                                    + '.site-header .nav a, .site-header .sign-out button')]
            .filter(el => el.offsetParent !== null);
        const rows = [];
        for (const el of items) {
            const r = el.getBoundingClientRect(), middle = (r.top + r.bottom) / 2;
            if (!rows.some(m => Math.abs(m - middle) < 12)) rows.push(middle);
        }
        return rows.length;
    }""")


def page_width(page: Page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


@pytest.mark.parametrize("role", ["teacher", "coach", "principal", "admin"])
def test_at_1280_the_menu_fits_on_one_row_with_no_menu_button(page: Page, role):
    page.set_viewport_size(WIDE)
    sign_in(page, DEMO_EMAILS[role])
    expect(page.locator(".menu-button")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link").first).to_be_visible()
    assert header_rows(page) == 1
    assert_accessible(page)


def test_at_390_the_menu_folds_behind_a_button_that_works_by_keyboard(page: Page):
    page.set_viewport_size(NARROW)
    sign_in(page, DEMO_EMAILS["admin"])
    button = page.get_by_role("button", name="Menu")
    links = page.get_by_role("navigation", name="Main").get_by_role("link")
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(button).to_have_attribute("aria-controls", "site-menu")
    expect(links.first).to_be_hidden()
    expect(page.get_by_role("button", name="Sign out")).to_be_hidden()
    assert header_rows(page) == 1 and page_width(page) == NARROW["width"]
    assert_accessible(page)

    # Focus order: skip link, brand, then the menu button; Enter opens it and Tab goes on into it.
    page.locator("body").focus()
    for expected in ("Skip to main content", "pdplanner", "Menu"):
        page.keyboard.press("Tab")
        assert active_element(page)["text"] == expected
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(links.first).to_be_visible()
    page.keyboard.press("Tab")
    assert active_element(page)["text"] == "Home"
    assert_accessible(page)

    # Escape closes it from inside and gives focus back to the button; Space opens it again.
    page.keyboard.press("Escape")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(button).to_be_focused()
    expect(links.first).to_be_hidden()
    page.keyboard.press("Space")
    expect(button).to_have_attribute("aria-expanded", "true")
    links.filter(has_text="Audit log").click()
    assert path_of(page) == "/audit"
    expect(page.get_by_role("button", name="Menu")).to_have_attribute("aria-expanded", "false")


def test_without_javascript_the_narrow_menu_stays_open_and_usable(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport=NARROW, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, DEMO_EMAILS["teacher"])
        expect(page.locator(".menu-button")).to_be_hidden()
        nav = page.get_by_role("navigation", name="Main")
        expect(nav.get_by_role("link", name="My plan")).to_be_visible()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    finally:
        context.close()


WIDE_TABLES = [("coach", "/caseload"), ("coach", "/"), ("principal", "/"), ("admin", "/people"),
               ("admin", "/audit"), ("admin", "/cycles")]


@pytest.mark.parametrize(("role", "path"), WIDE_TABLES)
def test_at_390_a_wide_table_scrolls_in_its_own_labelled_region_not_the_page(page: Page, role, path):
    page.set_viewport_size(NARROW)
    sign_in(page, DEMO_EMAILS[role])
    page.goto(path)
    assert page_width(page) == NARROW["width"], f"{path} is wider than the screen"
    wide = page.evaluate("""() => [...document.querySelectorAll('main table')]
        .filter(t => t.getBoundingClientRect().width > window.innerWidth)
        .map(t => { const r = t.closest('.table-scroll');
                    return !!r && r.getAttribute('role') === 'region'
                           && !!(r.getAttribute('aria-label') || r.getAttribute('aria-labelledby'))
                           && r.tabIndex === 0 && r.scrollWidth > r.clientWidth; })""")
    assert wide and all(wide), f"a wide table on {path} is not in a labelled, focusable scrolling region"
    assert_accessible(page)


@pytest.fixture(scope="module")
def fresh_teachers(e2e_app):
    """Two teachers who have not started (one per width), on coach@'s caseload. Made once per
    worker's demo: work stealing can set this module's fixture up again on the same worker."""
    emails = {}
    with e2e_app.app_context():
        coach = user_by_email(DEMO_EMAILS["coach"])
        school = next(m.school for m in coach.memberships)
        for width in (WIDE["width"], NARROW["width"]):
            email = f"screens.{width}@demo.pdplanner.org"
            emails[width] = email
            if user_by_email(email) is not None:
                continue
            create_user(district_id=coach.district_id, email=email, given_name="Sam",
                        family_name=f"Lee {width}", role=Role.TEACHER, school=school, coach=coach,
                        password=PASSWORD)
        db.session.commit()
    return emails


@pytest.mark.parametrize("viewport", [WIDE, NARROW], ids=["1280", "390"])
def test_no_focused_control_is_hidden_behind_the_sticky_save_bar(page: Page, fresh_teachers, viewport):
    """Tab through every control of a domain page of the self-assessment: each focused one lies
    inside the window and clear of the save bar's box."""
    page.set_viewport_size(viewport)
    sign_in(page, fresh_teachers[viewport["width"]], PASSWORD)
    page.goto("/assessment")
    bar = page.locator(".form-actions")
    expect(bar).to_be_visible()
    page.locator("h1").click()   # start the Tab order at the top of the page
    radio_groups, hidden = set(), []
    for _ in range(400):
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => {
            const el = document.activeElement, bar = document.querySelector('.form-actions');
            const r = el.getBoundingClientRect(), b = bar.getBoundingClientRect();
            return {name: el.getAttribute('name') || '', type: el.getAttribute('type') || '',
                    tag: el.tagName, inBar: bar.contains(el), top: r.top, bottom: r.bottom,
                    barTop: b.top, barBottom: b.bottom, height: window.innerHeight};
        }""")
        if focused["inBar"]:
            break
        if focused["type"] == "radio":
            radio_groups.add(focused["name"])
        under_bar = focused["bottom"] > focused["barTop"] and focused["top"] < focused["barBottom"]
        off_screen = focused["top"] < 0 or focused["bottom"] > focused["height"]
        if under_bar or off_screen:
            hidden.append(focused)
    else:
        pytest.fail("Tab never reached the save bar")
    assert len(radio_groups) >= 4, f"the journey crossed only {sorted(radio_groups)}"
    assert not hidden, f"{len(hidden)} focused controls under the save bar or off screen: {hidden[:3]}"
    assert_accessible(page)
