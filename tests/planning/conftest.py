"""A small planned school: four teachers rated 2 everywhere by themselves and their coach, so the
planner puts all four in the second lane and in one cohort on COG.1 (the first foundational
competency), led by their coach."""

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select

from pdplanner.accounts.models import Role
from pdplanner.assessments.services import (
    RatingInput,
    create_cycle,
    open_cycle,
    save_coach_ratings,
    save_self_ratings,
)
from pdplanner.cli import DEFAULT_CATALOGUE
from pdplanner.planning.models import Cohort
from pdplanner.planning.services import import_catalogue, read_catalogue, run_plan
from tests.factories import create_district, create_school, create_user
from tests.helpers import load_default_framework


@dataclass
class PlannedSchool:
    cycle: object
    school: object
    coach: object
    principal: object
    teachers: list
    cohort: object
    other_coach: object
    other_principal: object


def rate_everything(cycle, educator, coach, level: int) -> None:
    items = [RatingInput(c.code, level=level) for c in cycle.framework.competencies]
    save_self_ratings(educator, cycle, items)
    save_coach_ratings(coach, educator, cycle, items)


@pytest.fixture
def planned(db):
    district = create_district("PLAN")
    school, elsewhere = create_school(district, "P1"), create_school(district, "P2")
    coach = create_user(Role.COACH, school=school, given_name="Cora")
    teachers = [create_user(Role.TEACHER, school=school, coach=coach, given_name=f"T{i}") for i in range(4)]
    framework = load_default_framework()
    cycle = create_cycle(district_id=district.id, name="Autumn", opens_on=date(2026, 9, 1),
                         closes_on=date(2026, 12, 15), framework=framework)
    open_cycle(cycle)
    import_catalogue(read_catalogue(DEFAULT_CATALOGUE))
    for teacher in teachers:
        rate_everything(cycle, teacher, coach, 2)
    run_plan(cycle)
    db.session.commit()
    return PlannedSchool(
        cycle=cycle, school=school, coach=coach, principal=create_user(Role.PRINCIPAL, school=school),
        teachers=teachers, cohort=db.session.scalar(select(Cohort).where(Cohort.cycle_id == cycle.id)),
        other_coach=create_user(Role.COACH, school=school),
        other_principal=create_user(Role.PRINCIPAL, school=elsewhere))
