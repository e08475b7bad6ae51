"""One planned school, built once per test module, in which a curious reader tries every
surface for someone who has not shared her ratings.

School PRIV: Una rated herself with a known pattern (levels 2, 1, 2, 3 over the framework) and
did NOT share it; Tia, Pete and Vic rated themselves the same way, Vic shared his. The planner
puts all four in one cohort (same lane, same top goal). Coach Cora has Una and Tia on her
caseload and leads the cohort; coach Olga coaches only Pete, a member. Principal Pia leads the
school; Ada is the district admin. Una has evidence on her path: an activity done with a
reflection, a link and a file, verified with its goal met; another returned with a coach's
note. Every marker below is text that only her coach and she may read.
"""

from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from pdplanner.accounts.models import Role, User
from pdplanner.assessments.services import (
    RatingInput,
    create_cycle,
    open_cycle,
    save_self_ratings,
    set_sharing,
)
from pdplanner.cli import DEFAULT_CATALOGUE
from pdplanner.extensions import db as _db
from pdplanner.planning.models import Cohort, PathActivity, Placement
from pdplanner.planning.services import (
    ProgressUpdate,
    import_catalogue,
    read_catalogue,
    return_activity,
    run_plan,
    update_progress,
    verify_activity,
)
from tests.conftest import IsolatedClient
from tests.factories import create_district, create_school, create_user
from tests.helpers import load_default_framework, pdf_upload, sign_in_directly
from tests.scenarios import module_scenario

PATTERN = (2, 1, 2, 3)
REFLECTION = "Una-private-reflection-7Q"
SECOND_REFLECTION = "Una-second-reflection-8R"
EVIDENCE_URL = "https://evidence.example.org/una-private-9S"
EVIDENCE_FILE = "una-private-evidence.pdf"
COACH_NOTE = "Cora-note-on-una-4T"
# The scale's labels: none of them may appear in what a reader without the levels sees.
LEVEL_LABELS = ("Exploring", "Developing", "Proficient", "Leading")


def rate_pattern(cycle, educator) -> None:
    levels = [PATTERN[i % len(PATTERN)] for i in range(len(cycle.framework.competencies))]
    competencies = cycle.framework.competencies
    save_self_ratings(educator, cycle, [RatingInput(c.code, level=level)
                                        for c, level in zip(competencies, levels, strict=True)])


def build() -> SimpleNamespace:
    district = create_district("PRIV")
    school = create_school(district, "PRIV1")
    cora = create_user(Role.COACH, school=school, given_name="Cora", family_name="Coach")
    olga = create_user(Role.COACH, school=school, given_name="Olga", family_name="Other")
    una = create_user(Role.TEACHER, school=school, coach=cora, given_name="Una", family_name="Unshared")
    tia = create_user(Role.TEACHER, school=school, coach=cora, given_name="Tia", family_name="Peer")
    pete = create_user(Role.TEACHER, school=school, coach=olga, given_name="Pete", family_name="Member")
    vic = create_user(Role.TEACHER, school=school, given_name="Vic", family_name="Shared")
    pia = create_user(Role.PRINCIPAL, school=school, given_name="Pia", family_name="Principal")
    ada = create_user(Role.DISTRICT_ADMIN, district=district, given_name="Ada", family_name="Admin")
    import_catalogue(read_catalogue(DEFAULT_CATALOGUE))
    cycle = create_cycle(district_id=district.id, name="Privacy baseline", opens_on=date(2026, 9, 1),
                         closes_on=date(2026, 12, 15), framework=load_default_framework())
    open_cycle(cycle)
    for teacher in (una, tia, pete, vic):
        rate_pattern(cycle, teacher)
    set_sharing(vic, cycle, True)
    run_plan(cycle)
    _db.session.flush()
    cohort = _db.session.scalar(select(Cohort).where(Cohort.cycle_id == cycle.id))
    first, second = _db.session.scalars(select(PathActivity).where(
        PathActivity.cycle_id == cycle.id, PathActivity.educator_id == una.id)
        .order_by(PathActivity.position, PathActivity.id)).all()[:2]
    update_progress(first, ProgressUpdate("done", REFLECTION, EVIDENCE_URL, pdf_upload(EVIDENCE_FILE)),
                    actor=una)
    verify_activity(first, actor=cora, goal_met=True)
    update_progress(second, ProgressUpdate("done", SECOND_REFLECTION), actor=una)
    return_activity(second, COACH_NOTE, actor=cora)
    members = set(_db.session.scalars(select(Placement.educator_id).where(Placement.cohort_id == cohort.id)))
    assert members == {una.id, tia.id, pete.id, vic.id}, "the scenario needs all four in one cohort"
    assert cohort.coach_id == cora.id, "the scenario needs Cora to lead the cohort"
    placement = _db.session.scalar(select(Placement).where(Placement.educator_id == una.id))
    titles = sorted({a.resource.title for a in _db.session.scalars(select(PathActivity).where(
        PathActivity.educator_id == una.id))})
    return SimpleNamespace(
        district_id=district.id, school_id=school.id, cycle_id=cycle.id, cohort_id=cohort.id,
        lane=placement.lane, lane_why=placement.why, activity_ids=(first.id, second.id),
        activity_titles=titles,
        ids={"cora": cora.id, "olga": olga.id, "una": una.id, "tia": tia.id, "pete": pete.id,
             "vic": vic.id, "pia": pia.id, "ada": ada.id})


@pytest.fixture(scope="module")
def school(app):
    yield from module_scenario(app, build)


@pytest.fixture
def context(db, school):
    """An app context for one test, in a transaction rolled back after it; the tables are kept."""
    yield


@pytest.fixture
def person(context, school):
    """person(name) -> that person of the scenario, as a model of this test's session."""
    return lambda name: _db.session.get(User, school.ids[name])


@pytest.fixture
def client_as(app, context, person):
    """client_as(name) -> a test client signed in as that person of the scenario."""

    def make(name: str):
        app.test_client_class = IsolatedClient
        client = app.test_client()
        sign_in_directly(client, person(name))
        return client

    return make
