"""Server time of the dashboards and of one growth-plan PDF on a synthetic district.

    .venv/bin/python -m bench.bench_dashboards [--size 10000] [--repeats 50] [--seed 2026]
                                               [--database-url URL]

It builds the district as `bench_run_plan` does (not timed): the default framework and
catalogue, N teachers with their coaches and three cycles of ratings, then a principal for
every school and a district admin, and plans the open cycle. Then, for each page, it signs in
as a person who would open it and times `--repeats` requests in process through Flask's test
client (the whole request: routing, authorization, queries, templates, charts; no network):

- educator: a teacher's home page; coach: a coach's home page (caseload of about ten);
- principal: the home page of the principal of the largest school;
- district: the district admin's home page, all schools side by side;
- growth plan: one teacher's growth-plan PDF, as their coach downloads it.

Pages read the school summaries kept per (cycle, school). A save recomputes its school's
summary when it commits and moves the district's row by the change; a re-plan recomputes the
cycle inside itself (docs/DECISIONS.md). Before that, a save deleted them and the next reader
recomputed them. Both are timed side by side in one run, for the principal's and the district
admin's pages:

- after one save: a coach's rating of a teacher of the principal's school, saved through the
  services ("before": the school's and the district's rows deleted instead, as saves did);
- after a re-plan: `plans_written` for the whole cycle, as the planning run sends it
  ("before": every row of the cycle deleted);
- while saves arrive: a second process saves `--saves-per-second` coach ratings a second through
  the services (random teachers of the district) while the pages are timed ("before": each
  save also deletes its school's and the district's rows).
"""

import argparse
import gc
import itertools
import logging
import multiprocessing
import os
import platform
import random
import statistics
import tempfile
import time
from functools import partial
from pathlib import Path

import sqlalchemy
from sqlalchemy import delete, func, insert, select

from bench.bench_run_plan import fresh_app, load_district, percentile, refuse_unless_bench, settle
from bench.synthetic_district import synthetic_district
from pdplanner.accounts.models import Role, User
from pdplanner.accounts.sessions import LAST_SEEN_AT, SIGNED_IN_AT
from pdplanner.assessments.models import Cycle
from pdplanner.assessments.services import RatingInput, save_coach_ratings
from pdplanner.dashboards.models import SchoolSummary
from pdplanner.database import utcnow
from pdplanner.extensions import db
from pdplanner.organisation.models import CaseloadAssignment, Membership, School
from pdplanner.planning.models import Placement
from pdplanner.planning.services import run_plan
from pdplanner.planning.signals import plans_written

TURNS = itertools.count()
UNDER_SAVES_AIMS_MS = {"principal": 100, "district": 300}
AIMS_MS = {"educator": 25, "coach": None, "principal": 150, "district": 300, "growth plan PDF": 100}


def add_leaders(district_id: int) -> tuple[int, int]:
    """A principal for every school and one district admin; returns (largest school's
    principal, admin)."""
    now = utcnow()
    schools = db.session.execute(
        select(Membership.school_id, func.count(Membership.id)).group_by(Membership.school_id)
        .order_by(func.count(Membership.id).desc(), Membership.school_id)).all()
    start = db.session.scalar(select(func.max(User.id))) + 1
    people = [{"id": start + i, "district_id": district_id, "email": f"principal{start + i}@bench.example",
               "given_name": "Principal", "family_name": str(start + i), "active": True,
               "created_at": now, "updated_at": now} for i in range(len(schools))]
    admin_id = start + len(schools)
    people.append({"id": admin_id, "district_id": district_id, "email": "admin@bench.example",
                   "given_name": "Admin", "family_name": "Bench", "active": True,
                   "is_district_admin": True, "created_at": now, "updated_at": now})
    db.session.execute(insert(User), people)
    db.session.execute(insert(Membership), [
        {"user_id": start + i, "school_id": school_id, "role": Role.PRINCIPAL, "created_at": now,
         "updated_at": now} for i, (school_id, _) in enumerate(schools)])
    db.session.commit()
    return start, admin_id


def planned_district(district) -> tuple[int, int, int]:
    """The synthetic district loaded, its open cycle planned and its leaders added:
    (cycle, largest school's principal, admin) ids."""
    cycle_id = load_district(district)
    run_plan(db.session.get(Cycle, cycle_id))
    db.session.commit()
    principal_id, admin_id = add_leaders(db.session.get(Cycle, cycle_id).district_id)
    return cycle_id, principal_id, admin_id


def signed_in_client(app, user_id: int):
    client = app.test_client()
    now = time.time()
    with app.app_context():
        session_id = db.session.get(User, user_id).get_id()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True
        session[SIGNED_IN_AT] = now
        session[LAST_SEEN_AT] = now
    return client


def time_requests(client, url: str, repeats: int) -> list[float]:
    response = client.get(url)   # warm-up: statement caches, templates, the kept summaries
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200
    return times


def request_after(app, client, url: str, change) -> tuple[float, float]:
    """(seconds `change` took with its commit, seconds of the next request)."""
    with app.app_context():
        start = time.perf_counter()
        change()
        db.session.commit()
        changed = time.perf_counter() - start
    start = time.perf_counter()
    assert client.get(url).status_code == 200
    return changed, time.perf_counter() - start


def forget_schools_of(cycle_id: int, educator_id: int) -> None:
    """What a save did before: delete the educator's schools' rows and the district's."""
    schools = select(Membership.school_id).where(Membership.user_id == educator_id)
    db.session.execute(delete(SchoolSummary).where(
        SchoolSummary.cycle_id == cycle_id,
        SchoolSummary.school_id.in_(schools) | SchoolSummary.school_id.is_(None)))


def forget_cycle(cycle_id: int) -> None:
    """What a re-plan did before: delete every row of the cycle."""
    db.session.execute(delete(SchoolSummary).where(SchoolSummary.cycle_id == cycle_id))


def forgotten(save, forget) -> None:
    save()
    forget()


def replanned(cycle_id: int) -> None:
    """What the planning run sends once it has written the cycle's plans."""
    plans_written.send(db.session.get(Cycle, cycle_id))


def rate(cycle_id: int, coach_id: int, teacher_id: int, turn: int) -> None:
    """A coach's rating of a teacher: the `turn`th of a sequence that changes a level each time."""
    cycle = db.session.get(Cycle, cycle_id)
    code = cycle.framework.competencies[turn % 7].code
    save_coach_ratings(db.session.get(User, coach_id), db.session.get(User, teacher_id), cycle,
                       [RatingInput(code, level=turn // 7 % 4 + 1)])


def rate_next(cycle_id: int, coach_id: int, teacher_id: int) -> None:
    rate(cycle_id, coach_id, teacher_id, next(TURNS))


def keep_saving(app, cycle_id: int, pairs: list[tuple[int, int]], per_second: float, forget: bool,
                stop, saved) -> None:
    """In a process of its own (a server's other worker): coach ratings through the services,
    `per_second` of them, each committed; with `forget`, each also deletes the rows (before)."""
    with app.app_context():
        db.engine.dispose(close=False)
        due = time.perf_counter()
        while not stop.is_set():
            coach_id, teacher_id = pairs[saved.value % len(pairs)]
            rate(cycle_id, coach_id, teacher_id, saved.value)
            if forget:
                forget_schools_of(cycle_id, teacher_id)
            db.session.commit()
            db.session.expire_all()
            saved.value += 1
            due += 1 / per_second
            time.sleep(max(0.0, due - time.perf_counter()))
        db.session.remove()


def under_saves(app, clients: dict, cycle_id: int, pairs, per_second: float, forget: bool,
                repeats: int) -> tuple[dict[str, list[float]], float]:
    """Each page timed `repeats` times while another process saves; (times by page, saves a
    second achieved)."""
    context = multiprocessing.get_context("fork")
    stop, saved = context.Event(), context.Value("i", 0)
    with app.app_context():
        db.engine.dispose()
    worker = context.Process(target=keep_saving, args=(app, cycle_id, pairs, per_second, forget, stop, saved))
    worker.start()
    time.sleep(1.0)
    start, first = time.perf_counter(), saved.value
    times: dict[str, list[float]] = {name: [] for name in clients}
    for _ in range(repeats):
        for name, (client, url) in clients.items():
            began = time.perf_counter()
            assert client.get(url).status_code == 200
            times[name].append(time.perf_counter() - began)
    achieved = (saved.value - first) / (time.perf_counter() - start)
    stop.set()
    worker.join()
    return times, achieved


def ms(seconds: float) -> str:
    return f"{1000 * seconds:.0f}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--saves-per-second", type=float, default=20.0)
    parser.add_argument("--database-url", help="default: a new SQLite file in a temporary directory")
    args = parser.parse_args(argv)
    logging.disable(logging.INFO)
    refuse_unless_bench(parser, args.database_url)

    with tempfile.TemporaryDirectory(prefix="pdplanner-bench-") as workdir:
        app = fresh_app(args.database_url, Path(workdir))
        app.config["RATELIMIT_ENABLED"] = False
        district = synthetic_district(args.size, seed=args.seed)
        with app.app_context():
            start = time.perf_counter()
            cycle_id, principal_id, admin_id = planned_district(district)
            settle(db.engine)
            schools = db.session.scalar(select(func.count()).select_from(School))
            teacher_id = db.session.scalar(select(Placement.educator_id).where(
                Placement.cycle_id == cycle_id, Placement.cohort_id.is_not(None))
                .order_by(Placement.educator_id))
            coach_id = db.session.scalar(select(CaseloadAssignment.coach_id).where(
                CaseloadAssignment.educator_id == teacher_id))
            backend = db.engine.dialect.name
            print(f"# {args.size:,} teachers in {schools} schools; built and planned in "
                  f"{time.perf_counter() - start:.0f} s")
        # The generator's million rating records are not part of a server: freed, so the cycle
        # collector does not walk them during the timed requests.
        del district
        gc.collect()
        print(f"Python {platform.python_version()}, SQLAlchemy {sqlalchemy.__version__}, "
              f"{os.cpu_count()} CPUs, {backend}, {args.repeats} timed requests per row")
        pages = {
            "educator": (teacher_id, "/"),
            "coach": (coach_id, "/"),
            "principal": (principal_id, "/"),
            "district": (admin_id, "/"),
        }
        if "reports.growth_plan" in app.view_functions:
            pages["growth plan PDF"] = (coach_id, f"/reports/educators/{teacher_id}/growth-plan.pdf")
        print(f"{'page':>16} {'median ms':>10} {'p95 ms':>8} {'aim ms':>7}")
        for name, (user_id, url) in pages.items():
            times = time_requests(signed_in_client(app, user_id), url, args.repeats)
            aim = AIMS_MS[name]
            print(f"{name:>16} {1000 * statistics.median(times):10.1f} {1000 * percentile(times, 0.95):8.1f} "
                  f"{aim if aim else '-':>7}", flush=True)

        with app.app_context():
            principal_school = db.session.scalar(select(Membership.school_id).where(
                Membership.user_id == principal_id))
            saver_teacher, saver_coach = db.session.execute(
                select(CaseloadAssignment.educator_id, CaseloadAssignment.coach_id)
                .join(Membership, Membership.user_id == CaseloadAssignment.educator_id)
                .where(Membership.school_id == principal_school)
                .order_by(CaseloadAssignment.educator_id)).first()
            pairs = db.session.execute(select(CaseloadAssignment.coach_id, CaseloadAssignment.educator_id)
                                       .order_by(CaseloadAssignment.educator_id)).all()
        pairs = random.Random(args.seed).sample([tuple(p) for p in pairs], min(len(pairs), 500))
        leaders = {"principal": (signed_in_client(app, principal_id), "/"),
                   "district": (signed_in_client(app, admin_id), "/")}
        print("\n# first request after a change (ms), before (rows deleted) | after (kept warm); "
              "the change's own time with its commit in brackets")
        print(f"{'page':>16} {'after a save':>24} {'after a re-plan':>28}")
        for name, (client, url) in leaders.items():
            assert client.get(url).status_code == 200
            cells = []
            save = partial(rate_next, cycle_id, saver_coach, saver_teacher)
            forget = partial(forget_schools_of, cycle_id, saver_teacher)
            for before, after in ((partial(forgotten, save, forget), save),
                                  (partial(forget_cycle, cycle_id), partial(replanned, cycle_id))):
                old_change, old_request = request_after(app, client, url, before)
                new_change, new_request = request_after(app, client, url, after)
                cells.append(f"{ms(old_request)} ({ms(old_change)}) | {ms(new_request)} ({ms(new_change)})")
            print(f"{name:>16} {cells[0]:>24} {cells[1]:>28}", flush=True)

        if backend == "sqlite":   # one writer at a time: readers that store summaries would fail
            print("\n# while saves arrive: PostgreSQL only")
        else:
            print(f"\n# while {args.saves_per_second:g} saves a second arrive from another process "
                  f"({args.repeats} requests a page): median / p95 ms")
            print(f"{'page':>16} {'before':>16} {'after':>16} {'aim p95':>8}")
            rows: dict[str, list[str]] = {name: [] for name in leaders}
            achieved = []
            for forget in (True, False):
                times, rate_achieved = under_saves(app, leaders, cycle_id, pairs, args.saves_per_second,
                                                   forget, args.repeats)
                achieved.append(rate_achieved)
                for name, each in times.items():
                    rows[name].append(f"{ms(statistics.median(each))} / {ms(percentile(each, 0.95))}")
            for name, (before, after) in rows.items():
                print(f"{name:>16} {before:>16} {after:>16} {UNDER_SAVES_AIMS_MS[name]:>8}")
            print(f"saves a second achieved: before {achieved[0]:.1f}, after {achieved[1]:.1f}; "
                  f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
