"""The demo's cycles and ratings (pdplanner/demo/ratings.py).

Most tests read one snapshot of the default demo (`seed framework` then `seed demo`), taken once
for the module so the suite stays quick; the snapshot is plain data and the tables are emptied
right after it is taken, as the `db` fixture does.
"""

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import mean

import pytest
from sqlalchemy import func, select

from pdplanner.accounts.models import EDUCATOR_ROLES, User, user_by_email
from pdplanner.assessments.models import Cycle, CycleStatus, Rating, SelfAssessment
from pdplanner.assessments.queries import calibration
from pdplanner.demo.ratings import (
    IN_PROGRESS,
    NOT_STARTED,
    SUBMITTED,
    DemoPerson,
    cycle_name,
    cycle_windows,
    plan_demo_ratings,
    school_year,
    seed_demo_cycles,
)
from pdplanner.demo.services import seed_demo_district
from pdplanner.extensions import db as _db
from pdplanner.framework.models import Competency, Framework
from pdplanner.organisation.models import District, Membership
from pdplanner.organisation.queries import coaches_of

TEACHER = "teacher@demo.pdplanner.org"
COACH = "coach@demo.pdplanner.org"


def _cli(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _empty_tables():
    _db.session.rollback()
    _db.session.remove()
    with _db.engine.begin() as connection:
        for table in reversed(_db.metadata.sorted_tables):
            connection.execute(table.delete())


@dataclass(frozen=True)
class Snapshot:
    cycles: list  # (name, status, framework id), oldest first
    newest_framework_id: int
    competencies: list  # codes in framework order
    ratings: list  # (email, cycle name, code, kind, level, not_observed, interest, note)
    assessments: dict  # (email, cycle name) -> (status, last_domain_code, shared)
    educators: set
    teacher_coach: str

    def levels(self, cycle: str, kind: str) -> dict:
        """{email: {code: level}} of one kind in one cycle, levels only."""
        found = defaultdict(dict)
        for email, name, code, k, level, *_ in self.ratings:
            if name == cycle and k == kind and level is not None:
                found[email][code] = level
        return found

    def flags(self, cycle: str) -> list:
        mine, theirs = self.levels(cycle, "self"), self.levels(cycle, "coach")
        return [(email, code) for email, levels in mine.items() for code, level in levels.items()
                if code in theirs.get(email, {}) and abs(level - theirs[email][code]) >= 2]

    @property
    def closed(self) -> list:
        return [name for name, status, _ in self.cycles if status == "closed"]

    @property
    def open(self) -> str:
        return next(name for name, status, _ in self.cycles if status == "open")


def _snapshot() -> Snapshot:
    cycles = _db.session.scalars(select(Cycle).order_by(Cycle.opens_on)).all()
    newest = _db.session.scalars(select(Framework).where(Framework.slug == "educator-competencies")
                                 .order_by(Framework.version.desc())).first()
    rows = _db.session.execute(
        select(User.email, Cycle.name, Competency.code, Rating.kind, Rating.level, Rating.not_observed,
               Rating.interest, Rating.note)
        .join(User, User.id == Rating.educator_id).join(Cycle, Cycle.id == Rating.cycle_id)
        .join(Competency, Competency.id == Rating.competency_id)).all()
    assessments = {(email, name): (status.value, last, shared) for email, name, status, last, shared in
                   _db.session.execute(
                       select(User.email, Cycle.name, SelfAssessment.status, SelfAssessment.last_domain_code,
                              SelfAssessment.shared_with_principal)
                       .join(User, User.id == SelfAssessment.educator_id)
                       .join(Cycle, Cycle.id == SelfAssessment.cycle_id))}
    educators = set(_db.session.scalars(select(User.email).where(User.id.in_(
        select(Membership.user_id).where(Membership.role.in_(EDUCATOR_ROLES))))))
    return Snapshot(
        cycles=[(c.name, c.status.value, c.framework_id) for c in cycles],
        newest_framework_id=newest.id,
        competencies=[c.code for c in newest.competencies],
        ratings=[(r[0], r[1], r[2], r[3].value, *r[4:]) for r in rows],
        assessments=assessments, educators=educators,
        teacher_coach=coaches_of(user_by_email(TEACHER))[0].email,
    )


@pytest.fixture(scope="module")
def demo(app):
    """The default demo as plain data."""
    with app.app_context():
        try:
            _cli(app, "seed", "framework")
            _cli(app, "seed", "demo")
            return _snapshot()
        finally:
            _empty_tables()


def test_three_cycles_the_last_open_all_pinned_to_the_framework(demo):
    assert [status for _, status, _ in demo.cycles] == ["closed", "closed", "open"]
    windows = cycle_windows(date.today(), 3)
    assert [name for name, _, _ in demo.cycles] == [cycle_name(opens) for opens, _ in windows]
    assert len({name for name, _, _ in demo.cycles}) == 3
    assert {framework_id for *_, framework_id in demo.cycles} == {demo.newest_framework_id}


def test_self_ratings_are_above_coach_ratings_on_average_in_closed_cycles(demo):
    for cycle in demo.closed:
        mine = [v for levels in demo.levels(cycle, "self").values() for v in levels.values()]
        theirs = [v for levels in demo.levels(cycle, "coach").values() for v in levels.values()]
        assert len(mine) > 500 and len(theirs) > 500, cycle
        assert 0.15 <= mean(mine) - mean(theirs) <= 0.7, (cycle, mean(mine), mean(theirs))


def test_some_educators_rate_themselves_below_their_coach(demo):
    for cycle in demo.closed:
        mine, theirs = demo.levels(cycle, "self"), demo.levels(cycle, "coach")
        under = [email for email, levels in mine.items() if email in theirs
                 and mean(levels.values()) < mean(theirs[email][c] for c in levels)]
        assert under, cycle
        assert len(under) < len(mine) / 3, cycle  # a minority


def test_every_closed_cycle_has_a_few_calibration_flags(demo):
    for cycle in demo.closed:
        flags = demo.flags(cycle)
        people = {email for email, _ in flags}
        assert flags, cycle
        assert len(people) <= 0.2 * len(demo.educators), (cycle, people)


def test_coach_levels_grow_from_baseline_to_the_last_closed_cycle(demo):
    first, last = demo.closed[0], demo.closed[-1]

    def district_mean(cycle):
        return mean(v for levels in demo.levels(cycle, "coach").values() for v in levels.values())

    assert district_mean(last) > district_mean(first) + 0.1


def test_open_cycle_has_submitted_in_progress_and_not_started_educators(demo):
    statuses = [demo.assessments.get((email, demo.open), ("not_started",))[0] for email in demo.educators]
    n = len(statuses)
    assert 0.25 * n <= statuses.count("submitted") <= 0.55 * n
    assert 0.2 * n <= statuses.count("in_progress") <= 0.5 * n
    assert 0.1 * n <= n - len([s for s in statuses if s != "not_started"]) <= 0.4 * n
    # In closed cycles nearly everyone submitted.
    for cycle in demo.closed:
        submitted = sum(demo.assessments.get((e, cycle), ("",))[0] == "submitted" for e in demo.educators)
        assert submitted >= 0.9 * n, cycle
    # Nobody who has not started has a rating, and every in-progress person has some.
    answered = {(e, c) for e, c, _, kind, *_ in demo.ratings if kind == "self"}
    assert all(key in answered for key, value in demo.assessments.items() if value[0] == "in_progress"
               and key[1] == demo.open)


def test_demo_teacher_resumes_in_the_open_cycle_and_has_a_flag_to_discuss(demo):
    status, last_domain, _ = demo.assessments[(TEACHER, demo.open)]
    answered = [r for r in demo.ratings if r[0] == TEACHER and r[1] == demo.open and r[3] == "self"]
    assert status == "in_progress" and 5 <= len(answered) <= 12
    assert last_domain and last_domain in {code.split(".")[0] for code in demo.competencies}
    assert demo.teacher_coach == COACH
    for cycle in demo.closed:
        assert demo.assessments[(TEACHER, cycle)][0] == "submitted"
        assert len(demo.levels(cycle, "coach")[TEACHER]) == len(demo.competencies), cycle
    assert any(email == TEACHER for email, _ in demo.flags(demo.closed[-1]))


def test_ratings_carry_interest_notes_not_observed_and_sharing(demo):
    for cycle in demo.closed:
        submitted = [e for e in demo.educators if demo.assessments.get((e, cycle), ("",))[0] == "submitted"]
        interest = defaultdict(int)
        for email, name, _, kind, _, _, wants, _ in demo.ratings:
            if name == cycle and kind == "self" and wants:
                interest[email] += 1
        assert all(2 <= interest[e] <= 4 for e in submitted), cycle
        shared = sum(demo.assessments[(e, cycle)][2] for e in submitted)
        assert 0.15 * len(submitted) <= shared <= 0.45 * len(submitted), cycle
    own = [r for r in demo.ratings if r[3] == "self"]
    assert 0.005 * len(own) <= sum(r[5] for r in own) <= 0.06 * len(own)  # not yet observed
    assert all(r[4] is None for r in own if r[5])
    notes = {r[7] for r in demo.ratings if r[7]}
    assert len(notes) >= 10


def test_the_plan_is_deterministic_for_a_seed():
    people = [DemoPerson(f"t{i}@x.org", "c1@x.org" if i % 2 else "c2@x.org") for i in range(30)]
    people += [DemoPerson("c1@x.org", "c2@x.org"), DemoPerson("c2@x.org", "c1@x.org")]
    domains = [("A", ["A.1", "A.2", "A.3", "A.4"]), ("B", ["B.1", "B.2", "B.3"]), ("C", ["C.1", "C.2"])]

    def tuples(seed):
        plan = plan_demo_ratings(people, domains, cycles=3, rng=random.Random(seed), focus="t1@x.org")
        return [(a.person, c.phase, r.code, kind, r.level) for c in plan for a in c.assessments
                for kind, ratings in (("self", a.self_ratings), ("coach", a.coach_ratings)) for r in ratings]

    assert tuples(11) == tuples(11)
    assert tuples(11) != tuples(12)


def test_the_plan_keeps_its_promises_for_the_focus_person():
    people = [DemoPerson(f"t{i}@x.org", "c@x.org") for i in range(12)] + [DemoPerson("c@x.org")]
    domains = [("A", [f"A.{i}" for i in range(1, 8)]), ("B", [f"B.{i}" for i in range(1, 8)]),
               ("C", [f"C.{i}" for i in range(1, 6)])]
    for seed in range(20):
        plan = plan_demo_ratings(people, domains, cycles=3, rng=random.Random(seed), focus="t3@x.org")
        assert [c.open for c in plan] == [False, False, True]
        focus = {c.phase: next(a for a in c.assessments if a.person == "t3@x.org") for c in plan}
        assert focus["end of year"].status == IN_PROGRESS and len(focus["end of year"].self_ratings) == 8
        last = focus["mid-year"]
        assert last.status == SUBMITTED and last.coach_ratings
        coach = {r.code: r.level for r in last.coach_ratings}
        assert any(r.level is not None and abs(r.level - coach[r.code]) >= 2 for r in last.self_ratings)
        # The coach, who has no coach, is never coach-rated; not-started people have no answers.
        for cycle in plan:
            for a in cycle.assessments:
                assert a.person != "c@x.org" or not a.coach_ratings
                assert (a.status == NOT_STARTED) == (not a.self_ratings)


def test_cycle_dates_and_school_year():
    today = date(2026, 11, 22)
    windows = cycle_windows(today, 3)
    assert windows[-1] == (today - timedelta(weeks=2), today + timedelta(weeks=6))
    assert windows[0][0] == date(2026, 3, 8) and windows[1][0] == date(2026, 7, 8)
    assert all(closes - opens == timedelta(weeks=6) for opens, closes in windows[:2])
    assert all(a[1] < b[0] for a, b in zip(windows, windows[1:], strict=False))
    assert cycle_windows(today, 1) == windows[-1:]
    assert school_year(date(2026, 8, 20)) == "2026-27"
    assert school_year(date(2026, 12, 31)) == "2026-27"
    assert school_year(date(2026, 3, 8)) == "2025-26"
    assert school_year(date(2099, 9, 1)) == "2099-00"


def test_a_demo_cycle_is_named_by_the_season_and_year_it_opens_in():
    windows = cycle_windows(date(2026, 11, 22), 3)
    assert [cycle_name(opens) for opens, _ in windows] == ["Spring 2026", "Summer 2026", "Autumn 2026"]
    assert cycle_name(date(2026, 12, 1)) == cycle_name(date(2027, 2, 28)) == "Winter 2026-27"
    assert cycle_name(date(2027, 6, 1)) == "Summer 2027"


def test_one_cycle_gives_one_open_cycle(app, db):
    _cli(app, "seed", "framework")
    _cli(app, "seed", "demo", "--schools", "1", "--educators-per-school", "8", "--cycles", "1")
    cycles = db.session.scalars(select(Cycle)).all()
    assert len(cycles) == 1 and cycles[0].status == CycleStatus.OPEN
    assert cycles[0].name == cycle_name(cycles[0].opens_on)
    assert db.session.scalar(select(func.count(Rating.id)).where(Rating.cycle_id == cycles[0].id)) > 0


def test_without_a_framework_the_demo_fails_and_writes_nothing(app, db):
    result = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code != 0
    assert "Load the framework first: flask --app wsgi seed framework" in result.output
    for model in (District, User, Cycle, Rating, SelfAssessment):
        assert db.session.scalar(select(func.count()).select_from(model)) == 0, model


def test_the_summary_matches_what_was_written(app, db):
    _cli(app, "seed", "framework")
    district = seed_demo_district(schools=1, educators_per_school=10, random_seed=4,
                                  env_name="testing").district
    summary = seed_demo_cycles(district, cycles=2, random_seed=4)
    assert [(c.status, c.name) for c in summary.cycles] == [
        ("closed", cycle_name(opens)) if n == 0 else ("open", cycle_name(opens))
        for n, (opens, _) in enumerate(cycle_windows(date.today(), 2))]
    for counts in summary.cycles:
        cycle = db.session.scalar(select(Cycle).where(Cycle.name == counts.name))
        statuses = db.session.scalars(select(SelfAssessment.status).where(
            SelfAssessment.cycle_id == cycle.id)).all()
        assert counts.submitted == statuses.count("submitted")
        assert counts.in_progress == statuses.count("in_progress")
        assert counts.submitted + counts.in_progress + counts.not_started == 10
        for kind, expected in (("self", counts.self_ratings), ("coach", counts.coach_ratings)):
            assert db.session.scalar(select(func.count(Rating.id)).where(
                Rating.cycle_id == cycle.id, Rating.kind == kind)) == expected
        flags_written = sum(row.flagged for e in db.session.scalars(select(User))
                            for row in calibration(cycle, e))
        assert counts.flags == flags_written
        assert counts.line().startswith(counts.name)


def test_two_fresh_seeds_write_the_same_ratings(app, db):
    def seeded():
        _cli(app, "seed", "framework")
        _cli(app, "seed", "demo", "--schools", "1", "--educators-per-school", "10", "--cycles", "2",
             "--random-seed", "5")
        return sorted(db.session.execute(
            select(User.email, Cycle.name, Competency.code, Rating.kind, Rating.level)
            .join(User, User.id == Rating.educator_id).join(Cycle, Cycle.id == Rating.cycle_id)
            .join(Competency, Competency.id == Rating.competency_id)).all())

    first = seeded()
    _empty_tables()
    assert first and seeded() == first
