"""The coach's workflow in Chromium: ratings save as the coach types and survive a reload, the
coach comes back to the page they changed last, reads what the educator said beside each
self-rating, records the outcome of the calibration conversation and finds it in the history.
axe-core checks each page on the way."""

import re

import pytest
from playwright.sync_api import Page, expect

from pdplanner.accounts.models import Role, user_by_email
from pdplanner.assessments.queries import current_cycle
from pdplanner.assessments.services import RatingInput, save_self_ratings
from pdplanner.extensions import db
from pdplanner.organisation.services import create_user
from tests.e2e.browser import assert_accessible, path_of
from tests.e2e.conftest import DEMO_EMAILS, DEMO_PASSWORD
from tests.e2e.test_self_assessment_journey import choose, sign_in_by_keyboard

pytestmark = pytest.mark.browser

NOTE = "Plans units two weeks ahead; wants help with feedback"


@pytest.fixture(scope="module")
def rated_teacher(e2e_app):
    """A teacher on coach@'s caseload who rated COG.1 with a note, a confidence and a link."""
    with e2e_app.app_context():
        coach = user_by_email(DEMO_EMAILS["coach"])
        school = next(m.school for m in coach.memberships)
        teacher = create_user(district_id=coach.district_id, email="calibrated.teacher@demo.pdplanner.org",
                              given_name="Ada", family_name="Quinn", role=Role.TEACHER, school=school,
                              coach=coach, password="calibrated passphrase 2026")
        save_self_ratings(teacher, current_cycle(coach.district_id), [RatingInput(
            "COG.1", level=4, confidence="high", note=NOTE, evidence_url="https://example.org/ada-units")])
        db.session.commit()
        return teacher.id


def _saved_after(page: Page, action) -> None:
    """Do `action` and wait for the autosave it starts to be answered and announced."""
    with page.expect_response(lambda r: r.request.method == "POST" and "/coach-rating/" in r.url) as saved:
        action()
    assert saved.value.status == 200
    expect(page.locator("#save-state")).to_contain_text("All changes saved")


def test_coach_autosaves_resumes_and_records_a_calibration_outcome(page: Page, rated_teacher):
    sign_in_by_keyboard(page, DEMO_EMAILS["coach"], DEMO_PASSWORD)
    page.goto(f"/educators/{rated_teacher}/coach-rating")
    assert path_of(page).endswith("/coach-rating/COG")
    expect(page.locator("#progress")).to_contain_text("0 of 19 rated")
    assert_accessible(page)
    choose(page, "COG.1", 2)
    _saved_after(page, lambda: page.locator("#COG_1__note").type("Saw one lesson on fractions"))
    page.get_by_role("link", name="Interpersonal", exact=True).click()
    choose(page, "INTER.1", 3)

    # A reload keeps every value, and the progress counts them.
    page.reload()
    expect(page.locator("#INTER_1-level-3")).to_be_checked()
    expect(page.locator("#progress")).to_contain_text("2 of 19 rated")
    # Coming back starts on the page changed last; the first page kept its note.
    page.goto(f"/educators/{rated_teacher}/coach-rating")
    assert path_of(page).endswith("/coach-rating/INTER")
    page.get_by_role("link", name="Cognitive", exact=True).click()
    expect(page.locator("#COG_1-level-2")).to_be_checked()
    expect(page.locator("#COG_1__note")).to_have_value("Saw one lesson on fractions")

    # The calibration view: what Ada said beside her self-rating, and the conversation's outcome.
    page.get_by_role("link", name=re.compile("^Compare with Ada")).click()
    row = page.locator("#outcome-COG_1")
    expect(row).to_contain_text(NOTE)
    expect(row).to_contain_text("High")
    expect(row.get_by_role("link", name="https://example.org/ada-units")).to_be_visible()
    expect(row).to_have_class(re.compile("flagged"))
    assert_accessible(page)
    row.get_by_role("link", name=re.compile("^Record the outcome")).click()
    assert_accessible(page)
    page.get_by_label("Level you agreed on").select_option("3")
    page.get_by_label("What you agreed").fill("Agreed on Proficient; next: feedback cycles")
    page.get_by_role("button", name="Save the outcome").click()
    row = page.locator("#outcome-COG_1")
    expect(row).to_contain_text("3 Proficient")
    expect(row).to_contain_text("Agreed on Proficient; next: feedback cycles")
    expect(row.locator("td").nth(2)).to_have_text("3")  # the agreed level is now the coach's rating
    expect(page.locator(".flash--success")).to_contain_text("is saved")
    assert_accessible(page)

    # The coach's view of Ada's history shows it in this cycle's column.
    page.get_by_role("link", name=re.compile("^Ada's ratings and calibration outcomes")).click()
    expect(page.locator("table.history")).to_contain_text("Agreed on Proficient; next: feedback cycles")
    assert_accessible(page)
