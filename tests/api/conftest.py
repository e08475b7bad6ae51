from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from pdplanner.accounts.models import Role
from pdplanner.accounts.services import create_token
from pdplanner.assessments.services import RatingInput, create_cycle, open_cycle, save_self_ratings
from pdplanner.planning.models import ActivityStatus, Cohort, PathActivity, Placement, PlannedGoal, Resource
from pdplanner.planning.services import import_catalogue
from tests.factories import create_district, create_school, create_user
from tests.helpers import load_default_framework


@pytest.fixture
def town(db):
    """A district with two schools: a teacher on a coach's caseload, their principal, a second
    teacher in the same school with no coach, a district admin, another school's principal,
    and a teacher of another district; the default framework and an open cycle."""
    district = create_district("TOWN")
    school, other_school = create_school(district, "NORTH"), create_school(district, "SOUTH")
    coach = create_user(Role.COACH, school=school, email="coach@town.org")
    t = SimpleNamespace(district=district, school=school, coach=coach)
    t.teacher = create_user(Role.TEACHER, school=school, coach=coach, email="teacher@town.org")
    t.colleague = create_user(Role.TEACHER, school=school, email="colleague@town.org")
    t.principal = create_user(Role.PRINCIPAL, school=school, email="principal@town.org")
    t.admin = create_user(Role.DISTRICT_ADMIN, district=district, email="admin@town.org")
    t.other_principal = create_user(Role.PRINCIPAL, school=other_school)
    t.stranger = create_user(Role.TEACHER, school=create_school(create_district("AWAY")))
    t.framework = load_default_framework()
    t.cycle = create_cycle(district_id=district.id, name="Baseline", opens_on=date(2026, 9, 1),
                           closes_on=date(2026, 10, 15), framework=t.framework)
    open_cycle(t.cycle)
    db.session.commit()
    return t


@pytest.fixture
def bearer(db):
    """bearer(user) -> the Authorization header of a fresh token of theirs."""

    def make(user) -> dict:
        _, secret = create_token(user, "test")
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return make


@pytest.fixture
def planned_town(db, town):
    """`town`, planned: a catalogue activity on COG.2, a proposed cohort of the teacher's school led
    by the coach with the teacher in it, the teacher's goal on COG.2 and that activity on their
    path, done with a reflection; the teacher's self-rating of COG.1."""
    import_catalogue([{"key": "feedback-lab", "title": "Feedback lab", "kind": "workshop",
                       "competencies": ["COG.2"], "level_min": 1, "level_max": 3, "hours": 6.0,
                       "lanes": ["slow", "fast"], "description": "Practise feedback.", "evidence": ""}])
    town.resource = db.session.scalar(select(Resource))
    save_self_ratings(town.teacher, town.cycle, [RatingInput("COG.1", level=2)])
    town.cohort = Cohort(cycle_id=town.cycle.id, key="north-slow-cog2", lane="slow", focus="COG.2",
                         school_ids=[town.school.id], coach_id=town.coach.id)
    db.session.add(town.cohort)
    db.session.flush()
    db.session.add_all([
        Placement(cycle_id=town.cycle.id, educator_id=town.teacher.id, lane="slow", rated=1,
                  at_target=0, lowest_domain="COG", lowest_domain_mean=2.0, why="1 of 19 at target",
                  cohort_id=town.cohort.id),
        Placement(cycle_id=town.cycle.id, educator_id=town.colleague.id, lane="fast", rated=0,
                  at_target=0, why="not rated yet", individual_reason="no cohort fits"),
        PlannedGoal(cycle_id=town.cycle.id, educator_id=town.teacher.id, competency_code="COG.2",
                    from_level=2, to_level=3, priority=1.0, rank=1, why="gap of one level"),
    ])
    town.activity = PathActivity(cycle_id=town.cycle.id, educator_id=town.teacher.id,
                                 resource_id=town.resource.id, competency_code="COG.2", position=0,
                                 status=ActivityStatus.DONE, reflection="Tried it twice.")
    db.session.add(town.activity)
    db.session.commit()
    return town
