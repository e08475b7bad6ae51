"""The district admin imports a roster in Chromium: from People to the upload form, a preview
with its tables (people to add, a rejected row with its line), Apply, and the result; each page
axe-clean. The CSV is partial and names a school of its own, so the demo district the other
browser tests use keeps its people and its schools' figures."""

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.e2e.browser import assert_accessible
from tests.e2e.conftest import DEMO_EMAILS, DEMO_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def roster_csv(e2e_app, tmp_path):
    from pdplanner.extensions import db
    from pdplanner.organisation.models import District
    from pdplanner.organisation.services import create_school, school_by_code

    code = "ROSTER-E2E"
    with e2e_app.app_context():
        district = db.session.scalar(select(District).order_by(District.id))
        if school_by_code(district.id, code) is None:
            create_school(district, code=code, name="Roster Walk School")
            db.session.commit()
    path = tmp_path / "new-staff.csv"
    path.write_bytes(
        "\ufeffEmail,Given Name,Family Name,Role,School Code,Coach Email\r\n"
        f"roster.one@demo.pdplanner.org,Rosa,One,teacher,{code},\r\n"
        f"roster.two@demo.pdplanner.org,Ravi,Two,coach,{code},\r\n"
        "roster.three@demo.pdplanner.org,Rue,Three,teacher,NO-SUCH-SCHOOL,\r\n".encode())
    return path


def test_the_admin_previews_and_applies_a_roster(page: Page, roster_csv):
    page.goto("/login")
    page.get_by_label("Email").fill(DEMO_EMAILS["admin"])
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/people")
    page.get_by_role("link", name="Import a roster").click()
    expect(page.get_by_role("heading", level=1, name="Import a roster")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Preview").click()       # no file: the error summary
    expect(page.get_by_role("alert")).to_contain_text("Choose a .csv or .zip file.")
    assert_accessible(page)

    page.get_by_label("Roster file").set_input_files(str(roster_csv))
    page.get_by_label("This CSV lists only some people: deactivate nobody").check()
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", level=1, name="Roster preview: new-staff.csv")).to_be_visible()
    added = page.get_by_role("table", name="People to add, with their roles")
    expect(added.get_by_role("row")).to_have_count(3)         # the header and two people
    rejected = page.get_by_role("table", name="1 rejected row")
    expect(rejected).to_contain_text("NO-SUCH-SCHOOL")
    expect(rejected.get_by_role("cell", name="4", exact=True)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Apply this roster").click()
    expect(page.get_by_role("heading", level=1, name="Roster imported")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("2 added, 0 updated, 0 deactivated")
    assert_accessible(page)
