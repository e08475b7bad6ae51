"""The scenarios several test modules share, built once per module.

A builder here creates its people and data through the factories and services and returns a
namespace of model instances. `module_scenario` runs a builder once for a module and commits
it; the module's function-scoped fixture then calls `load` to get the same namespace with every
instance fetched in the test's own session (the test's changes are rolled back after it, see
tests/conftest.py). Every table is emptied when the module ends.
"""

from dataclasses import fields, is_dataclass, replace
from datetime import date
from types import SimpleNamespace

from sqlalchemy import inspect, select

from pdplanner.accounts.models import Role
from pdplanner.accounts.services import issue_set_password_link
from pdplanner.assessments.evidence import store_evidence
from pdplanner.assessments.services import RatingInput, create_cycle, open_cycle, save_self_ratings
from pdplanner.extensions import db, limiter
from pdplanner.planning.models import ActivityStatus, Cohort, PathActivity, Placement, PlannedGoal, Resource
from pdplanner.planning.services import import_catalogue
from tests.factories import create_district, create_school, create_user
from tests.helpers import load_default_framework, pdf_upload
from tests.route_table import World


def empty_every_table() -> None:
    db.session.rollback()
    db.session.remove()
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())


class _Row:
    """A model instance remembered by class and primary key, to be fetched again per test."""

    def __init__(self, instance):
        self.model, self.key = type(instance), inspect(instance).identity


def _remember(value):
    if isinstance(value, dict):
        return {name: _remember(item) for name, item in value.items()}
    if isinstance(value, list):
        return [_remember(item) for item in value]
    if isinstance(value, SimpleNamespace):
        return SimpleNamespace(**_remember(vars(value)))
    if is_dataclass(value):
        return replace(value, **{f.name: _remember(getattr(value, f.name)) for f in fields(value)})
    if hasattr(type(value), "__mapper__"):
        return _Row(value)
    return value


def load(remembered):
    """The scenario as the builder returned it, each instance fetched in the current session."""
    if isinstance(remembered, _Row):
        return db.session.get(remembered.model, remembered.key)
    if isinstance(remembered, dict):
        return {name: load(item) for name, item in remembered.items()}
    if isinstance(remembered, list):
        return [load(item) for item in remembered]
    if isinstance(remembered, SimpleNamespace):
        return SimpleNamespace(**load(vars(remembered)))
    if is_dataclass(remembered):
        return replace(remembered, **{f.name: load(getattr(remembered, f.name)) for f in fields(remembered)})
    return remembered


def module_scenario(app, build):
    """The body of a module-scoped fixture: `yield from module_scenario(app, build)` builds and
    commits the scenario once and yields it remembered (pass it to `load` in each test)."""
    with app.app_context():
        remembered = _remember(build())
        db.session.commit()
        db.session.remove()
    yield remembered
    with app.app_context():
        empty_every_table()
    limiter.reset()


# -- the scenarios ---------------------------------------------------------------------------


def authorization_world() -> World:
    """test_authorization's world (tests/route_table.py, World): two districts, a planned teacher
    with a self-rating carrying evidence, a set-password link."""
    district = create_district("HOME")
    school, other_school = create_school(district, "S1"), create_school(district, "S2")
    w = World()
    coach = create_user(Role.COACH, school=school)
    w.people = {
        "coach": coach,
        "teacher": create_user(Role.TEACHER, school=school, coach=coach),
        "principal": create_user(Role.PRINCIPAL, school=school),
        "district_admin": create_user(Role.DISTRICT_ADMIN, district=district),
        "other_coach": create_user(Role.COACH, school=school),
        "other_principal": create_user(Role.PRINCIPAL, school=other_school),
        "stranger": create_user(Role.TEACHER, school=create_school(create_district("AWAY"))),
    }
    framework = load_default_framework()
    w.framework_id = framework.id
    cycle = create_cycle(district_id=district.id, name="Baseline", opens_on=date(2026, 9, 1),
                         closes_on=date(2026, 10, 15), framework=framework)
    open_cycle(cycle)
    w.cycle_id = cycle.id
    [rating] = save_self_ratings(w.people["teacher"], cycle, [RatingInput("COG.1", level=2)])
    rating.evidence_file_id = store_evidence(w.people["teacher"], pdf_upload()).id
    w.evidence_id = rating.evidence_file_id
    import_catalogue([{"key": "feedback-lab", "title": "Feedback lab", "kind": "workshop",
                       "competencies": ["COG.2"], "level_min": 1, "level_max": 2, "hours": 6.0,
                       "lanes": ["slow"], "description": "Practise feedback.", "evidence": ""}])
    w.resource_id = db.session.scalar(select(Resource.id))
    w.cohort_id, w.activity_id = _plan_for_teacher(cycle, w.people, w.resource_id)
    w.secret = issue_set_password_link(w.people["teacher"]).rsplit("/", 1)[1]
    return w


def _plan_for_teacher(cycle, people, resource_id) -> tuple[int, int]:
    teacher = people["teacher"]
    cohort = Cohort(cycle_id=cycle.id, key="s1-slow-cog2", lane="slow", focus="COG.2",
                    school_ids=list(teacher.school_ids()), coach_id=people["coach"].id)
    db.session.add(cohort)
    db.session.flush()
    db.session.add_all([
        Placement(cycle_id=cycle.id, educator_id=teacher.id, lane="slow", rated=1, at_target=0,
                  lowest_domain="COG", lowest_domain_mean=2.0, why="numbers", cohort_id=cohort.id),
        PlannedGoal(cycle_id=cycle.id, educator_id=teacher.id, competency_code="COG.2", from_level=2,
                    to_level=3, priority=1.0, rank=1, why="gap"),
    ])
    activity = PathActivity(cycle_id=cycle.id, educator_id=teacher.id, resource_id=resource_id,
                            competency_code="COG.2", position=0, status=ActivityStatus.DONE,
                            reflection="Tried it twice.")
    db.session.add(activity)
    db.session.flush()
    return cohort.id, activity.id
