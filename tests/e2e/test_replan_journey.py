"""A scoped re-plan in Chromium (issue 15, item 5): the coach's "Re-plan…" opens a preview of
what re-planning their caseload would change, nothing is written until they confirm, and then
only their caseload's plans are rewritten. The principal's preview names their school. axe-core
checks the preview page."""

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from pdplanner.accounts.models import user_by_email
from pdplanner.assessments.queries import current_cycle
from pdplanner.extensions import db
from pdplanner.organisation.models import CaseloadAssignment
from pdplanner.planning.models import PathActivity, Placement, PlannedGoal
from tests.e2e.browser import assert_accessible
from tests.e2e.conftest import DEMO_EMAILS, DEMO_PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def outside_the_caseload(e2e_app) -> list:
    """Every column of the placements, goals and path activities of everyone coach@ does not coach."""
    with e2e_app.app_context():
        coach = user_by_email(DEMO_EMAILS["coach"])
        cycle = current_cycle(coach.district_id)
        caseload = select(CaseloadAssignment.educator_id).where(CaseloadAssignment.coach_id == coach.id)
        rows = [sorted(db.session.execute(select(*model.__table__.columns).where(
            model.cycle_id == cycle.id, model.educator_id.not_in(caseload))).all(), key=repr)
            for model in (Placement, PlannedGoal, PathActivity)]
        db.session.remove()
        return rows


def caseload_size(e2e_app) -> int:
    with e2e_app.app_context():
        coach = user_by_email(DEMO_EMAILS["coach"])
        size = len(db.session.scalars(select(CaseloadAssignment.educator_id)
                                      .where(CaseloadAssignment.coach_id == coach.id)).all())
        db.session.remove()
        return size


def test_the_coach_previews_then_confirms_a_replan_of_their_caseload_only(page: Page, e2e_app):
    before = outside_the_caseload(e2e_app)
    people = caseload_size(e2e_app)
    sign_in(page, DEMO_EMAILS["coach"])
    page.get_by_role("link", name="Planning", exact=True).click()
    with page.expect_navigation():
        page.get_by_role("link", name="Re-plan…").click()

    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(re.compile(r"^Re-plan your caseload in .+\?$"))
    table = page.get_by_role("table", name="What re-planning your caseload changes")
    expect(table.get_by_role("row", name=re.compile("People re-planned"))).to_contain_text(str(people))
    expect(page.get_by_text("Plans of people outside your caseload stay exactly as they are")).to_be_visible()
    assert_accessible(page)
    assert outside_the_caseload(e2e_app) == before          # a preview writes nothing

    # Keyboard: the confirm button is reachable and announces how many people it re-plans.
    confirm = page.get_by_role("button", name=f"Re-plan {people} people")
    confirm.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".flash--success")).to_contain_text("Re-planned your caseload in")
    expect(page.locator(".flash--success")).to_contain_text(f"{people} educators")
    assert outside_the_caseload(e2e_app) == before


def test_the_principals_preview_names_their_school_and_cancel_goes_back(page: Page):
    sign_in(page, DEMO_EMAILS["principal"])
    page.goto("/planning")
    with page.expect_navigation():
        page.get_by_role("link", name="Re-plan…").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).not_to_contain_text("caseload")
    expect(heading).not_to_contain_text("district")
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Planning")
