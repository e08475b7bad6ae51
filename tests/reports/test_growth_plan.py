"""The educator's growth plan PDF: what it says, to whom, and the download itself."""

from datetime import date
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from pdplanner.accounts.models import Role
from pdplanner.accounts.services import create_token
from pdplanner.assessments.services import (
    RatingInput,
    create_cycle,
    save_self_ratings,
    set_sharing,
)
from pdplanner.audit.models import AuditEvent
from pdplanner.extensions import db
from pdplanner.planning.models import PlannedGoal
from tests.factories import create_district, create_school, create_user
from tests.helpers import load_default_framework, sign_in_directly

HOSTILE = "<b>&\"Smith's\""


def url(educator, cycle=None) -> str:
    return f"/reports/educators/{educator.id}/growth-plan.pdf" + (f"?cycle={cycle.id}" if cycle else "")


def text_of(pdf: bytes) -> tuple[str, list[str]]:
    """The whole text with whitespace collapsed (wrapped lines rejoined), and each page's."""
    pages = [page.extract_text() for page in PdfReader(BytesIO(pdf)).pages]
    return " ".join(" ".join(pages).split()), pages


def goals_of(educator, cycle) -> list[PlannedGoal]:
    return list(db.session.scalars(select(PlannedGoal).where(
        PlannedGoal.educator_id == educator.id, PlannedGoal.cycle_id == cycle.id).order_by(PlannedGoal.rank)))


def downloads() -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report.downloaded")))


def test_the_educator_downloads_their_own_plan(client, planned):
    teacher, cycle = planned.teachers[0], planned.cycle
    sign_in_directly(client, teacher)
    response = client.get(url(teacher, cycle))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    expected_name = f"growth-plan-T0-{teacher.family_name}-Autumn.pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{expected_name}"'
    text, pages = text_of(response.data)
    assert teacher.name in text and "Autumn" in text and "Building readiness" in text
    goals = goals_of(teacher, cycle)
    assert goals
    competencies = {c.code: c.name for c in cycle.framework.competencies}
    for goal in goals:
        assert f"{goal.competency_code} {competencies[goal.competency_code]}" in text
        assert " ".join(goal.why.split()) in text
    assert "Developing (2) to Proficient (3)" in text
    assert "Page 1 of" in pages[0] and f"Page {len(pages)} of {len(pages)}" in pages[-1]
    assert "Profile in Autumn" in text and "Strengths" not in text   # everything is at 2, below target
    assert downloads() == []   # one's own data: not audited


def test_strengths_are_what_reaches_the_target_by_the_districts_policy(client, planned):
    teacher, cycle = planned.teachers[0], planned.cycle
    save_self_ratings(teacher, cycle, [RatingInput("COG.2", level=4), RatingInput("COG.3", level=4)])
    db.session.commit()
    sign_in_directly(client, teacher)
    text, _ = text_of(client.get(url(teacher, cycle)).data)
    names = {c.code: c.name for c in cycle.framework.competencies}
    assert "Strengths At or above the target level in Autumn:" in text
    strengths = text.split("Strengths", 1)[1].split("Page", 1)[0]
    assert f"COG.2 {names['COG.2']}" in strengths   # self 4, coach 2 (the fixture's): the mean is 3
    assert f"COG.3 {names['COG.3']}" in strengths
    assert f"COG.1 {names['COG.1']}" not in strengths


def test_pdf_metadata(client, planned):
    teacher = planned.teachers[0]
    sign_in_directly(client, teacher)
    reader = PdfReader(BytesIO(client.get(url(teacher)).data))
    assert reader.metadata.title == "Growth plan"
    assert reader.metadata.author == "pdplanner"
    assert teacher.name in reader.metadata.subject
    assert str(reader.trailer["/Root"].get("/Lang")) == "en-US"


def test_the_cycle_defaults_to_the_planned_one_and_an_unknown_cycle_is_404(client, planned):
    teacher = planned.teachers[0]
    elsewhere = create_cycle(district_id=create_district("ELSE").id, name="Elsewhere",
                             opens_on=date(2026, 9, 1), closes_on=date(2026, 12, 1),
                             framework=planned.cycle.framework)
    db.session.commit()
    sign_in_directly(client, teacher)
    assert client.get(url(teacher)).status_code == 200
    assert client.get(f"{url(teacher)}?cycle=999999").status_code == 404
    assert client.get(url(teacher, elsewhere)).status_code == 404


def test_a_principal_without_sharing_gets_no_levels_whys_or_ratings(client, planned):
    teacher, cycle = planned.teachers[0], planned.cycle
    sign_in_directly(client, planned.principal)
    response = client.get(url(teacher, cycle))
    assert response.status_code == 200
    text, _ = text_of(response.data)
    assert teacher.name in text and "Building readiness" in text
    for goal in goals_of(teacher, cycle):
        assert goal.competency_code in text
        assert " ".join(goal.why.split()) not in text
    assert "Developing (2)" not in text and "Proficient (3)" not in text
    assert "Profile in" not in text and "Growth since baseline" not in text
    assert "not shown" in text and "has not shared the ratings of Autumn" in text


def test_a_principal_sees_the_whole_plan_once_it_is_shared(client, planned):
    teacher, cycle = planned.teachers[0], planned.cycle
    set_sharing(teacher, cycle, True)
    db.session.commit()
    sign_in_directly(client, planned.principal)
    text, _ = text_of(client.get(url(teacher, cycle)).data)
    assert "Developing (2) to Proficient (3)" in text
    assert " ".join(goals_of(teacher, cycle)[0].why.split()) in text
    assert "Profile in Autumn" in text and "not shown" not in text


@pytest.mark.parametrize("viewer", ["other_teacher", "other_coach", "other_principal"])
def test_someone_elses_plan_is_404_and_the_refusal_is_audited(client, planned, viewer):
    people = {"other_teacher": planned.teachers[1], "other_coach": planned.other_coach,
              "other_principal": planned.other_principal}
    teacher = planned.teachers[0]
    sign_in_directly(client, people[viewer])
    assert client.get(url(teacher, planned.cycle)).status_code == 404
    refusals = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "access.denied")).all()
    assert [(e.actor_id, e.details["denied_id"]) for e in refusals] == [(people[viewer].id, teacher.id)]
    assert downloads() == []


def test_another_persons_download_is_audited(client, planned):
    teacher, cycle = planned.teachers[0], planned.cycle
    sign_in_directly(client, planned.coach)
    assert client.get(url(teacher, cycle)).status_code == 200
    [event] = downloads()
    assert (event.actor_id, event.subject_type, event.subject_id) == (planned.coach.id, "user", teacher.id)
    assert event.details == {"report": "growth-plan", "cycle_id": cycle.id}


def test_a_bearer_token_downloads_without_a_session(client, planned):
    teacher, cycle = planned.teachers[0], planned.cycle
    _, secret = create_token(planned.coach, "reports")
    db.session.commit()
    response = client.get(url(teacher, cycle), headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "Set-Cookie" not in response.headers
    assert teacher.name in text_of(response.data)[0]
    assert [e.actor_id for e in downloads()] == [planned.coach.id]


def test_a_bad_token_is_401_and_no_token_sends_to_sign_in(client, planned):
    teacher = planned.teachers[0]
    response = client.get(url(teacher), headers={"Authorization": "Bearer pdp_not-a-token"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    response = client.get(url(teacher))
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_hostile_name_is_printed_as_text_and_kept_out_of_the_file_name(client, db):
    district = create_district()
    teacher = create_user(Role.TEACHER, school=create_school(district, name=HOSTILE), given_name=HOSTILE,
                          family_name="Smith")
    cycle = create_cycle(district_id=district.id, name="Autumn & <i>Winter</i>", opens_on=date(2026, 9, 1),
                         closes_on=date(2026, 12, 15), framework=load_default_framework())
    db.session.commit()
    sign_in_directly(client, teacher)
    response = client.get(url(teacher, cycle))
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="growth-plan-b-Smith-s-Smith-Autumn-i-Winter-i.pdf"'
    text, _ = text_of(response.data)
    assert f"{HOSTILE} Smith" in text and "Autumn & <i>Winter</i>" in text
    assert "There is no plan for Autumn & <i>Winter</i> yet" in text

