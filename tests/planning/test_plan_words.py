"""The plan page in the reader's words (issue 15): which cycle's ratings a plan is built on, where
the self-assessment stands, whys without planner terms and without "you" about someone else, and
nothing a leader may not see of an unshared person."""

import html
import re

from tests.helpers import sign_in_directly
from tests.privacy.leaks import pdf_text


def text_of(client, url: str) -> str:
    body = client.get(url).get_data(as_text=True)
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", body).split()))


def test_the_educator_reads_which_ratings_their_plan_is_built_on_and_what_is_not_done(client, db, planned):
    teacher = planned.teachers[0]
    sign_in_directly(client, teacher)
    page = text_of(client, "/plan")
    assert "This plan is based on your Autumn ratings." in page
    assert ("Your Autumn self-assessment is not submitted yet (19 of 19 rated): once you submit it, "
            "your coach re-plans and your goals and lane follow your new ratings.") in page
    assert "How this plan works" in page
    assert "The lane is the pace of the plan" in page
    # The goal's why speaks plainly: no planner terms.
    assert "Now at Developing (2) in" in page
    assert "the school aims for Proficient (3), 1 level further on" in page
    for planner_term in ("Gap of", "priority weight", "too few on each top goal alone"):
        assert planner_term not in page


def test_the_coach_reads_the_educator_s_name_not_you(client, db, planned):
    teacher = planned.teachers[0]
    sign_in_directly(client, planned.coach)
    page = text_of(client, f"/educators/{teacher.id}/plan?cycle={planned.cycle.id}")
    assert f"This plan is based on {teacher.name}'s Autumn ratings." in page
    assert f"{teacher.name}'s Autumn self-assessment is not submitted yet (19 of 19 rated)" in page
    assert "once it is submitted and re-planned, the goals and lane follow the new ratings" in page
    for second_person in ("you marked", "your Autumn", "once you submit", "place you want to grow"):
        assert second_person not in page


def test_a_principal_reads_the_status_without_the_count_of_an_unshared_person(client, db, planned):
    teacher = planned.teachers[0]
    sign_in_directly(client, planned.principal)
    page = text_of(client, f"/educators/{teacher.id}/plan?cycle={planned.cycle.id}")
    assert f"{teacher.name}'s Autumn self-assessment is in progress:" in page
    assert "of 19 rated" not in page and "Now at" not in page


def test_the_cohort_why_on_the_planning_page_reads_as_a_sentence(client, db, planned):
    sign_in_directly(client, planned.coach)
    page = text_of(client, f"/planning?cycle={planned.cycle.id}")
    assert "share the top goal" in page and "too few on each top goal alone" not in page


def test_the_growth_plan_pdf_says_which_ratings_it_is_built_on_for_its_reader(client, db, planned):
    teacher = planned.teachers[0]
    url = f"/reports/educators/{teacher.id}/growth-plan.pdf?cycle={planned.cycle.id}"
    sign_in_directly(client, teacher)
    own = " ".join(pdf_text(client.get(url).data).split())
    assert "This plan is based on your Autumn ratings." in own
    sign_in_directly(client, planned.coach)
    coach = " ".join(pdf_text(client.get(url).data).split())
    assert f"This plan is based on {teacher.name}'s Autumn ratings." in coach
    assert "your Autumn" not in coach
