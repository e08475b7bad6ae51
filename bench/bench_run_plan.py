"""Time the whole re-plan as the product runs it: `planning.services.run_plan(cycle)` + commit.

    .venv/bin/python -m bench.bench_run_plan [--sizes 1000 2500 5000 10000] [--repeats 5]
                                             [--seed 2026] [--database-url URL] [--no-first-plan]

For each size it builds a real database (not timed): the migrations, the default framework and
activity catalogue, and a synthetic district from `bench/synthetic_district.py` bulk-inserted as
rows: schools, teachers and their coaches (memberships, caseloads), 3 cycles (2 closed, the
last open) and the self and coach ratings of all three. Then it times `run_plan(open cycle)`
and the commit:

- first plan: the open cycle has no plan yet, so every row is created. One untimed warm-up,
  then `--repeats` timed runs, the cycle's plan cleared (untimed) between them;
- re-plan, the common case: people's decisions are added first (the generator's lane
  overrides and confirmed cohorts, some verified goals, started and coach-assigned
  activities), then `--repeats` timed re-plans, which must keep them. Before each one, 1
  educator in 50 changes their self-ratings by a level (untimed), so every re-plan has
  something new to plan, as it would after a week of ratings.

Beside each re-plan, in the same session and right before it, it times the floor: reading the
same ratings the planner reads (the newest cycle's, of the people it plans) with `pd.read_sql`
and grouping them to the shape the planner starts from, one row per (educator, competency,
kind) with the highest level and interest (see `floor`). The re-plan row ends with the floor's
median and the ratio of the medians (re-plan / floor).

Each run gets a fresh session, as a request or a CLI command would. It prints the median and the
95th percentile (nearest rank) in seconds, and the median of each stage: reading the inputs,
the core, storing cohorts, placements, goals and activities, the commit, and the rest ("other":
the audit event, freeing the plan's objects, the garbage collector catching up); "store" is
the four stores and the commit together.

The default database is a new SQLite file in a temporary directory. With --database-url
postgresql://... the named database is emptied (its public schema dropped) for every size, so
the bench refuses a database whose name does not contain "bench"; after loading it runs
VACUUM ANALYZE, as autovacuum would. See docs/PERFORMANCE.md.
"""

import argparse
import logging
import math
import os
import platform
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import sqlalchemy
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import (
    Integer,
    String,
    case,
    create_engine,
    delete,
    func,
    insert,
    select,
    text,
    type_coerce,
    update,
)

from bench.synthetic_district import SyntheticDistrict, synthetic_district
from config import database_url
from pdplanner import create_app
from pdplanner.accounts.models import Role, User
from pdplanner.assessments.models import Cycle, RaterKind, Rating
from pdplanner.assessments.services import close_cycle, create_cycle, open_cycle
from pdplanner.cli import DEFAULT_CATALOGUE, DEFAULT_FRAMEWORK
from pdplanner.database import utcnow
from pdplanner.extensions import db
from pdplanner.framework.models import Competency
from pdplanner.framework.services import import_native, read_native_file
from pdplanner.organisation.models import CaseloadAssignment, District, Membership, School
from pdplanner.planning import services
from pdplanner.planning.models import (
    ActivityStatus,
    Cohort,
    CohortStatus,
    GoalStatus,
    PathActivity,
    Placement,
    PlannedGoal,
)

DEFAULT_SIZES = (1_000, 2_500, 5_000, 10_000)
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
CYCLES = (("Baseline", date(2025, 9, 1)), ("Mid-year", date(2026, 1, 12)), ("End of year", date(2026, 4, 20)))
CHUNK = 20_000
# The stages of run_plan, by the name it calls them with; whatever is left is "other" (the audit
# event, autoflushes).
STAGES = {"read": "planning_input", "core": "plan", "cohorts": "_store_cohorts",
          "placements": "_store_placements", "goals": "_store_goals", "activities": "_store_activities"}
STORE_STAGES = ("cohorts", "placements", "goals", "activities", "commit")


def percentile(times: list[float], share: float) -> float:
    """Nearest-rank percentile: the smallest time at least `share` of the runs did not exceed."""
    ordered = sorted(times)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


# -- the database --------------------------------------------------------------------------

def fresh_app(url: str | None, workdir: Path) -> Flask:
    """An app on an empty, migrated database: a new SQLite file, or the emptied PostgreSQL one."""
    if url is None:
        url = "sqlite:///" + str(workdir / f"bench-{time.monotonic_ns()}.sqlite3")
    elif not url.startswith("sqlite"):
        engine = create_engine(database_url(url), isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    app = create_app("development", SQLALCHEMY_DATABASE_URI=database_url(url))
    with app.app_context():
        upgrade(directory=str(MIGRATIONS))
    return app


def _insert(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(model), rows[start:start + CHUNK])


def _copy(table, rows: list[dict]) -> None:
    """PostgreSQL's COPY, many times faster than INSERTs for a million ratings. It skips the
    models' defaults: every row names every NOT NULL column. A loaded machine can take longer
    than the app's statement timeout to copy a cycle's ratings, so the load lifts it."""
    columns = list(rows[0])
    cursor = db.session.connection().connection.dbapi_connection.cursor()
    cursor.execute("SET LOCAL statement_timeout = 0")
    with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])


def load_district(district: SyntheticDistrict) -> int:
    """Store the synthetic district; returns the open cycle's id. Users and schools keep the
    generator's ids, so its overrides and cohorts apply as they are."""
    framework = import_native(read_native_file(DEFAULT_FRAMEWORK)).framework
    services.import_catalogue(services.read_catalogue(DEFAULT_CATALOGUE))
    row = District(code="BENCH", name="Synthetic district")
    db.session.add(row)
    db.session.flush()
    now = utcnow()
    stamps = {"created_at": now, "updated_at": now}
    school_ids = sorted({e.school_id for e in district.educators})
    _insert(School, [{"id": s, "district_id": row.id, "code": f"S{s}", "name": f"School {s}", **stamps}
                     for s in school_ids])
    coach_school = {c: e.school_id for e in district.educators for c in e.coach_ids}
    people = [(e.id, e.school_id, Role.TEACHER) for e in district.educators]
    people += [(c, s, Role.COACH) for c, s in sorted(coach_school.items())]
    _insert(User, [{"id": i, "district_id": row.id, "email": f"{role.value}{i}@bench.example",
                    "given_name": role.label, "family_name": str(i), "active": True, **stamps}
                   for i, _, role in people])
    _insert(Membership, [{"user_id": i, "school_id": s, "role": role, **stamps} for i, s, role in people])
    _insert(CaseloadAssignment, [{"coach_id": c, "educator_id": e.id, **stamps}
                                 for e in district.educators for c in e.coach_ids])
    cycles = []
    for (name, opens_on), records in zip(CYCLES, district.ratings_by_cycle, strict=True):
        cycle = create_cycle(district_id=row.id, name=name, opens_on=opens_on,
                             closes_on=opens_on + timedelta(days=60), framework=framework)
        open_cycle(cycle)
        _insert_ratings(cycle, district, records)
        cycles.append(cycle)
        if len(cycles) < len(CYCLES):
            close_cycle(cycle)
    db.session.commit()
    return cycles[-1].id


def _insert_ratings(cycle: Cycle, district: SyntheticDistrict, records) -> None:
    """Self and coach ratings (the coach's rater is the educator's first coach). The generator's
    "evidence" records are left out: the database has no such rating kind."""
    competency_id = dict(db.session.execute(
        select(Competency.code, Competency.id).where(Competency.framework_id == cycle.framework_id)).all())
    first_coach = {e.id: e.coach_ids[0] for e in district.educators}
    now = utcnow()
    rows = [{"cycle_id": cycle.id, "educator_id": r.educator_id, "competency_id": competency_id[r.competency],
             "rater_id": r.educator_id if r.kind == "self" else first_coach[r.educator_id],
             "kind": RaterKind(r.kind), "level": r.level, "not_observed": r.level is None,
             "interest": r.interest, "note": "", "evidence_url": "", "created_at": now, "updated_at": now}
            for r in records if r.kind in ("self", "coach")]
    if db.engine.dialect.name == "postgresql":
        _copy(Rating.__table__, rows)
    else:
        _insert(Rating, rows)


def settle(engine) -> None:
    """On PostgreSQL, what autovacuum does soon after a bulk load: statistics for the planner and
    a visibility map, without which the (cycle_id, educator_id) index cannot answer alone."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))


def clear_plan(cycle_id: int) -> None:
    for model in (PathActivity, PlannedGoal, Placement, Cohort):
        db.session.execute(delete(model).where(model.cycle_id == cycle_id))
    db.session.commit()


def add_decisions(cycle_id: int, district: SyntheticDistrict) -> dict[str, int]:
    """What people decide between two plans, and a re-plan keeps: the generator's lane overrides
    and confirmed cohorts, 1 educator in 12 with a verified top goal, 1 in 20 who started their
    first activity, 1 in 50 whose coach assigned their second."""
    placements = Placement.__table__
    for educator_id, lane, reason in district.lane_overrides:
        db.session.execute(update(placements).where(
            placements.c.cycle_id == cycle_id, placements.c.educator_id == educator_id)
            .values(override_lane=lane, override_reason=reason))
    for proposal in district.confirmed_cohorts:
        cohort = Cohort(cycle_id=cycle_id, key=proposal.key, lane=proposal.lane, focus=proposal.focus,
                        school_ids=list(proposal.school_ids), coach_id=proposal.coach_id,
                        mentor_ids=list(proposal.mentor_ids), why=proposal.why,
                        status=CohortStatus.CONFIRMED)
        db.session.add(cohort)
        db.session.flush()
        db.session.execute(update(placements).where(
            placements.c.cycle_id == cycle_id, placements.c.educator_id.in_(proposal.member_ids))
            .values(cohort_id=cohort.id, individual_reason=""))
    goals = db.session.execute(update(PlannedGoal).where(
        PlannedGoal.cycle_id == cycle_id, PlannedGoal.rank == 1, PlannedGoal.educator_id % 12 == 0)
        .values(status=GoalStatus.VERIFIED)).rowcount
    started = db.session.execute(update(PathActivity).where(
        PathActivity.cycle_id == cycle_id, PathActivity.position == 0, PathActivity.educator_id % 20 == 0)
        .values(status=ActivityStatus.IN_PROGRESS)).rowcount
    assigned = db.session.execute(update(PathActivity).where(
        PathActivity.cycle_id == cycle_id, PathActivity.position == 1, PathActivity.educator_id % 50 == 0)
        .values(source="coach")).rowcount
    db.session.commit()
    return {"overrides": len(district.lane_overrides), "confirmed cohorts": len(district.confirmed_cohorts),
            "verified goals": goals, "started": started, "assigned": assigned}


def rerate(cycle_id: int, step: int) -> None:
    """1 educator in 50 (a different one each step) moves their self-ratings up a level (4 to 3)."""
    db.session.execute(update(Rating).where(
        Rating.cycle_id == cycle_id, Rating.kind == RaterKind.SELF, Rating.level.is_not(None),
        Rating.educator_id % 50 == step % 50)
        .values(level=case((Rating.level == 4, 3), else_=Rating.level + 1)))
    db.session.commit()


def decisions_kept(cycle_id: int, district: SyntheticDistrict, decided: dict[str, int]) -> bool:
    """A re-plan that loses a decision is not a fair figure: check they are all still there."""
    def count(model, *where) -> int:
        return db.session.scalar(select(func.count()).select_from(model).where(model.cycle_id == cycle_id,
                                                                               *where))

    return (count(Placement, Placement.override_lane.is_not(None)) == decided["overrides"]
            and count(Cohort, Cohort.status == CohortStatus.CONFIRMED) == decided["confirmed cohorts"]
            and count(Placement, Placement.cohort_id.in_(select(Cohort.id).where(
                Cohort.status == CohortStatus.CONFIRMED))) == sum(
                    len(c.member_ids) for c in district.confirmed_cohorts)
            and count(PlannedGoal, PlannedGoal.status == GoalStatus.VERIFIED) == decided["verified goals"]
            and count(PathActivity, PathActivity.status == ActivityStatus.IN_PROGRESS) == decided["started"]
            and count(PathActivity, PathActivity.source == "coach") == decided["assigned"])


# -- timing --------------------------------------------------------------------------------

@contextmanager
def stage_timers(stages: dict[str, float]) -> Iterator[None]:
    """Wrap the functions run_plan calls so each run's stage times add up in `stages`."""
    def timed(label: str, function: Callable) -> Callable:
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                stages[label] += time.perf_counter() - start
        return wrapper

    originals = {name: getattr(services, name) for name in STAGES.values()}
    for label, name in STAGES.items():
        setattr(services, name, timed(label, originals[name]))
    try:
        yield
    finally:
        for name, function in originals.items():
            setattr(services, name, function)


def timed_run(cycle_id: int) -> dict[str, float]:
    """One run_plan + commit in a fresh session; seconds per stage and in total."""
    db.session.remove()
    cycle = db.session.get(Cycle, cycle_id)
    stages: dict[str, float] = defaultdict(float)
    with stage_timers(stages):
        start = time.perf_counter()
        services.run_plan(cycle)
        before_commit = time.perf_counter()
        db.session.commit()
        end = time.perf_counter()
    stages["commit"] = end - before_commit
    stages["total"] = end - start
    stages["other"] = stages["total"] - sum(stages[label] for label in (*STAGES, "commit"))
    db.session.remove()
    return dict(stages)


def floor(cycle_id: int) -> float:
    """Seconds to read the ratings the planner reads with `pd.read_sql` and group them: the
    cheapest the re-plan could be with pandas, as issue 14 defines it.

    The statement is the planner's read of the newest cycle (`queries._ratings_in`): educator,
    competency, kind (as its stored text), level and interest (as its stored 0/1) of the
    ratings of the cycle, of every active teacher or coach of the district. The groupby gives
    one row per (educator, competency, kind) with the highest level and interest: what each
    person's current levels are computed from. The bench district rates everyone in the open
    cycle, so this is everything the planner reads of the ratings but its few earlier-cycle
    views (which the re-plan's figure includes)."""
    db.session.remove()
    cycle = db.session.get(Cycle, cycle_id)
    planned = (select(Membership.user_id).join(User, User.id == Membership.user_id)
               .where(User.district_id == cycle.district_id, User.active.is_(True),
                      Membership.role.in_([Role.TEACHER, Role.COACH])))
    statement = (select(Rating.educator_id, Rating.competency_id,
                        type_coerce(Rating.kind, String).label("kind"), Rating.level,
                        type_coerce(Rating.interest, Integer).label("interest"))
                 .where(Rating.cycle_id == cycle_id, Rating.educator_id.in_(planned)))
    start = time.perf_counter()
    frame = pd.read_sql(statement, db.session.connection())
    grouped = frame.groupby(["educator_id", "competency_id", "kind"]).agg(
        level=("level", "max"), interest=("interest", "max"))
    seconds = time.perf_counter() - start
    assert len(grouped) > 0
    db.session.remove()
    return seconds


def summarise(kind: str, size: int, runs: list[dict[str, float]]) -> str:
    totals = [run["total"] for run in runs]
    median = statistics.median(totals)
    parts = "  ".join(f"{label} {statistics.median(run[label] for run in runs):.3f}"
                      for label in (*STAGES, "commit", "other"))
    store = statistics.median(sum(run[label] for label in STORE_STAGES) for run in runs)
    parts += f"  | store {store:.3f}"
    return (f"{size:>9,} {kind:>10} {median:>8.3f} {percentile(totals, 0.95):>7.3f} "
            f"{median / size * 1000:>8.3f}   {parts}")


def bench_size(size: int, args, workdir: Path) -> None:
    app = fresh_app(args.database_url, workdir)
    district = synthetic_district(size, seed=args.seed)
    with app.app_context():
        start = time.perf_counter()
        cycle_id = load_district(district)
        settle(db.engine)
        planned = db.session.scalar(select(func.count()).select_from(Membership))
        ratings = db.session.scalar(select(func.count()).select_from(Rating))
        open_ratings = db.session.scalar(select(func.count()).select_from(Rating).where(
            Rating.cycle_id == cycle_id))
        print(f"# {size:,} teachers + {planned - size:,} coaches planned; {ratings:,} ratings in 3 cycles, "
              f"{open_ratings:,} in the open one; loaded in {time.perf_counter() - start:.0f} s", flush=True)

        timed_run(cycle_id)  # warm-up: imports, statement caches, the database's own caches
        if not args.no_first_plan:
            first = []
            for _ in range(args.repeats):
                clear_plan(cycle_id)
                first.append(timed_run(cycle_id))
            print(summarise("first plan", size, first), flush=True)

        decided = add_decisions(cycle_id, district)
        floor(cycle_id)  # warm-up of pandas' reading path
        replans, floors = [], []
        for step in range(args.repeats):
            rerate(cycle_id, step)
            floors.append(floor(cycle_id))
            replans.append(timed_run(cycle_id))
        kept = decisions_kept(cycle_id, district, decided)
        print(summarise("re-plan", size, replans) + ("" if kept else "  DECISIONS LOST"), flush=True)
        replan, least = statistics.median(run["total"] for run in replans), statistics.median(floors)
        print(f"{size:>9,} {'floor':>10} {least:>8.3f} {percentile(floors, 0.95):>7.3f} "
              f"{least / size * 1000:>8.3f}   re-plan / floor = {replan / least:.2f} "
              f"(load average {' '.join(f'{x:.2f}' for x in os.getloadavg())})", flush=True)
        db.engine.dispose()


def refuse_unless_bench(parser: argparse.ArgumentParser, url: str | None) -> None:
    """A bench empties its database: only a temporary SQLite file or one named for benches."""
    if url and not url.startswith("sqlite") and "bench" not in url.rsplit("/", 1)[-1]:
        parser.error("the database is emptied: name one whose name contains 'bench'")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", help="default: a new SQLite file in a temporary directory")
    parser.add_argument("--no-first-plan", action="store_true", help="time the re-plan and its floor only")
    args = parser.parse_args(argv)
    logging.disable(logging.INFO)  # the migrations' log lines; Alembic configures its own loggers
    refuse_unless_bench(parser, args.database_url)

    with tempfile.TemporaryDirectory(prefix="pdplanner-bench-") as workdir:
        backend = args.database_url.split(":", 1)[0] if args.database_url else "sqlite (temporary file)"
        print(f"Python {platform.python_version()}, pandas {pd.__version__}, SQLAlchemy "
              f"{sqlalchemy.__version__}, {os.cpu_count()} CPUs, {backend}, "
              f"{args.repeats} timed runs per row")
        print(f"{'teachers':>9} {'run':>10} {'median s':>8} {'p95 s':>7} {'per 1k s':>8}   stage medians (s)")
        for size in args.sizes:
            bench_size(size, args, Path(workdir))


if __name__ == "__main__":
    main()
