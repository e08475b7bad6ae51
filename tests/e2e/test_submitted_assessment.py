"""A submitted self-assessment reads as read-only in Chromium: no control that looks editable and
then refuses, no save button, no autosave, and the page says what happens next (issue 15, 4)."""

import pytest
from playwright.sync_api import Page, expect

from pdplanner.accounts.models import Role, user_by_email
from pdplanner.assessments.queries import current_cycle
from pdplanner.assessments.services import RatingInput, save_self_ratings, submit_self_assessment
from pdplanner.extensions import db
from pdplanner.organisation.services import create_user
from tests.e2e.browser import assert_accessible, path_of
from tests.e2e.conftest import DEMO_EMAILS

pytestmark = pytest.mark.browser

EMAIL = "submitted.teacher@demo.pdplanner.org"
PASSWORD = "submitted passphrase 2026"


@pytest.fixture(scope="module")
def submitted_teacher(e2e_app):
    """A teacher on coach@'s caseload who rated everything and submitted."""
    with e2e_app.app_context():
        coach = user_by_email(DEMO_EMAILS["coach"])
        school = next(m.school for m in coach.memberships)
        teacher = create_user(district_id=coach.district_id, email=EMAIL, given_name="Sam",
                              family_name="Okafor", role=Role.TEACHER, school=school, coach=coach,
                              password=PASSWORD)
        cycle = current_cycle(coach.district_id)
        save_self_ratings(teacher, cycle, [RatingInput(c.code, level=3, interest=c.code == "COG.1")
                                           for c in cycle.framework.competencies])
        submit_self_assessment(teacher, cycle)
        db.session.commit()
        return cycle.id


def sign_in(page: Page) -> None:
    page.goto("/login")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.press("#password", "Enter")


def test_a_submitted_self_assessment_is_read_only_and_says_what_happens_next(page: Page, submitted_teacher):
    sign_in(page)
    page.goto("/assessment")                                 # the start link goes to the review
    assert path_of(page) == f"/assessment/{submitted_teacher}/review"
    expect(page.get_by_role("heading", name="What happens next")).to_be_visible()
    expect(page.get_by_role("button", name="Submit my self-assessment")).to_have_count(0)
    assert_accessible(page)

    page.goto(f"/assessment/{submitted_teacher}/COG")
    expect(page.get_by_role("heading", name="What happens next")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Ask your coach to reopen")
    # The answers are there, in controls that are disabled (and say so), not editable ones.
    expect(page.locator("#COG_1-level-3")).to_be_checked()
    expect(page.locator("#COG_1-level-3")).to_be_disabled()
    controls = page.locator("main input:not([type=hidden]), main select, main textarea")
    assert controls.count() > 0
    assert page.locator("main input:not([type=hidden]):enabled, main select:enabled, "
                        "main textarea:enabled").count() == 0
    expect(page.get_by_role("button", name="Save")).to_have_count(0)
    expect(page.get_by_role("button", name="Save and continue")).to_have_count(0)
    assert page.locator("form[data-autosave]").count() == 0
    assert_accessible(page)
