"""The second half of the loop in Chromium: a coach assigns an activity to a whole cohort in one
action, then changes one member's path; that educator sees it, records progress with evidence
and a reflection; the coach verifies it with the goal met and the growth shows in the
educator's plan and ratings history. axe-core checks each kind of page on the way."""

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from pdplanner.accounts.models import User, user_by_email
from pdplanner.assessments.queries import current_cycle
from pdplanner.core.wording import possessive
from pdplanner.extensions import db
from pdplanner.planning.models import Cohort, GoalStatus, PathActivity, Placement, PlannedGoal
from pdplanner.planning.queries import cohort_name, focus_codes, focus_names, lane_labels, visible_resources
from tests.e2e.browser import assert_accessible, path_of
from tests.e2e.conftest import DEMO_EMAILS, DEMO_PASSWORD

pytestmark = pytest.mark.browser


@dataclass
class Scene:
    cohort_heading: str       # the cohort's name, as its heading shows it
    focus: str                # the competency the member's goal and the activities are on
    member_email: str
    member_name: str
    for_cohort: tuple[str, str]     # (option value, title): on nobody's path in the cohort yet
    for_member: tuple[str, str]     # another activity on the focus, for that one member


@pytest.fixture(scope="module")
def scene(e2e_app) -> Scene:
    """A cohort coach@ leads, a member with an open goal on a competency of its focus, and two
    activities on that competency no member has yet, read from the database the server uses."""
    with e2e_app.app_context():
        coach = user_by_email(DEMO_EMAILS["coach"])
        cycle = current_cycle(coach.district_id)
        for cohort in db.session.scalars(select(Cohort).where(
                Cohort.cycle_id == cycle.id, Cohort.coach_id == coach.id).order_by(Cohort.key)):
            members = list(db.session.scalars(select(User).join(Placement, Placement.educator_id == User.id)
                                              .where(Placement.cohort_id == cohort.id).order_by(User.id)))
            taken = set(db.session.scalars(select(PathActivity.resource_id).where(
                PathActivity.cycle_id == cycle.id, PathActivity.educator_id.in_([m.id for m in members]))))
            goal = select(PlannedGoal.educator_id, PlannedGoal.competency_code)
            open_goals = db.session.execute(goal.where(
                PlannedGoal.cycle_id == cycle.id, PlannedGoal.status == GoalStatus.ACTIVE,
                PlannedGoal.educator_id.in_([m.id for m in members if m.id != coach.id]),
                PlannedGoal.competency_code.in_(focus_codes(cycle, cohort.focus)))
                .order_by(PlannedGoal.educator_id, PlannedGoal.rank)).all()
            for educator_id, code in open_goals:
                fresh = [r for r in visible_resources(coach.district_id)
                         if code in r.competencies and r.id not in taken]
                if len(fresh) >= 2:
                    member = next(m for m in members if m.id == educator_id)
                    heading = cohort_name(cohort, focus_names(cycle), lane_labels(cycle.district_id))
                    return Scene(heading, code, member.email, member.name,
                                 (f"{fresh[0].id}|{code}", fresh[0].title),
                                 (f"{fresh[1].id}|{code}", fresh[1].title))
        pytest.fail("the demo should give coach@ a cohort with an open goal and two unused activities")


def sign_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def sign_out(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("^Sign out")).click()


def submit(page: Page, button) -> None:
    with page.expect_navigation():
        button.click()


def flash(page: Page):
    return page.locator(".flash--success")


def test_cohort_path_then_one_persons_change_then_evidence_verified(page: Page, scene: Scene):
    # The coach assigns one activity to everyone in the cohort in one action.
    sign_in(page, DEMO_EMAILS["coach"])
    page.get_by_role("link", name="Planning", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Planning")
    assert_accessible(page)
    cohort = page.locator("article.cohort").filter(
        has=page.get_by_role("heading", name=re.compile(re.escape(scene.cohort_heading)))).filter(
        has=page.get_by_label("Assign an activity to everyone in this cohort")).first
    cohort.get_by_label("Assign an activity to everyone in this cohort").select_option(scene.for_cohort[0])
    submit(page, cohort.get_by_role("button", name="Assign to the cohort"))
    expect(flash(page)).to_contain_text(re.compile(rf"{re.escape(scene.for_cohort[1])} added to \d+ paths"))

    # Then changes one member's path: the cohort's activity off, another one on.
    cohort.get_by_role("link", name=scene.member_name).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{scene.member_name}'s growth plan")
    assert_accessible(page)
    submit(page, page.get_by_role("button", name=f"Remove {scene.for_cohort[1]} from this path"))
    expect(flash(page)).to_contain_text("removed from the path")
    page.get_by_label("Activity", exact=True).select_option(scene.for_member[0])
    submit(page, page.get_by_role("button", name="Add to this path"))
    expect(flash(page)).to_contain_text(f"{scene.for_member[1]} added to 1 path")
    sign_out(page)

    # The educator sees the change and records progress with evidence and a reflection.
    sign_in(page, scene.member_email)
    page.get_by_role("link", name="My plan").click()
    assert path_of(page) == "/plan"
    assert_accessible(page)
    expect(page.get_by_role("heading", name=scene.for_cohort[1])).to_have_count(0)
    step = page.locator("li.path__step").filter(has=page.get_by_role("heading", name=scene.for_member[1]))
    expect(step).to_contain_text("from your coach")
    step.get_by_text("Record progress").click()
    step.get_by_label("Status").select_option("done")
    step.get_by_label("Reflection").fill("Tried it in two lessons; learners explained their next step.")
    step.get_by_label("Link to evidence").fill("https://docs.example.org/lesson-notes")
    submit(page, step.get_by_role("button", name=re.compile("^Save progress")))
    expect(flash(page)).to_contain_text("Progress on")
    sign_out(page)

    # The coach verifies it from the evidence queue, with the goal met.
    sign_in(page, DEMO_EMAILS["coach"])
    page.goto("/planning")
    item = page.locator("ul.queue li").filter(has_text=scene.for_member[1]).filter(has_text=scene.member_name)
    expect(item).to_contain_text("learners explained their next step")
    item.get_by_label(re.compile(f"The goal on {re.escape(scene.focus)} is met")).check()
    submit(page, item.get_by_role("button", name=re.compile("^Verify")))
    # The message names the educator (issue 15).
    verified = f"{possessive(scene.member_name)} evidence for {scene.for_member[1]} verified"
    expect(flash(page)).to_contain_text(verified)
    expect(flash(page)).to_contain_text("is met, and")
    assert_accessible(page)
    sign_out(page)

    # The growth shows: the goal is met in the plan, and the new level in the ratings history.
    sign_in(page, scene.member_email)
    page.goto("/plan")
    goal = page.locator("section.goal").filter(has_text=scene.focus)
    expect(goal).to_contain_text("Met")
    expect(goal).to_contain_text("recorded as your new level")
    page.goto("/history")
    expect(page.locator("tr").filter(has_text=scene.focus)).to_contain_text("Verified by evidence")
    assert_accessible(page)
