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

Pages read the school summaries kept per (cycle, school). The first request after a save
computes the summaries it lacks: for the leader pages one request is also timed after one
teacher's save (their school's and the district's summaries are forgotten) and one after a
re-plan (every summary of the cycle is forgotten). See docs/PERFORMANCE.md.
"""

import argparse
import gc
import logging
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import sqlalchemy
from sqlalchemy import func, insert, select

from bench.bench_run_plan import fresh_app, load_district, percentile, settle
from bench.synthetic_district import synthetic_district
from pdplanner.accounts.models import Role, User
from pdplanner.accounts.sessions import LAST_SEEN_AT, SIGNED_IN_AT
from pdplanner.assessments.models import Cycle
from pdplanner.database import utcnow
from pdplanner.extensions import db
from pdplanner.organisation.models import CaseloadAssignment, Membership, School
from pdplanner.planning.models import Placement
from pdplanner.planning.services import run_plan
from pdplanner.planning.signals import plans_written

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


def request_after(app, client, url: str, forget) -> float:
    """One request after `forget` dropped kept summaries, as a save or a re-plan does (by the
    signal the planner sends)."""
    with app.app_context():
        forget()
        db.session.commit()
    start = time.perf_counter()
    assert client.get(url).status_code == 200
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", help="default: a new SQLite file in a temporary directory")
    args = parser.parse_args(argv)
    logging.disable(logging.INFO)
    if args.database_url and not args.database_url.startswith("sqlite") and \
            "bench" not in args.database_url.rsplit("/", 1)[-1]:
        parser.error("the database is emptied: name one whose name contains 'bench'")

    with tempfile.TemporaryDirectory(prefix="pdplanner-bench-") as workdir:
        app = fresh_app(args.database_url, Path(workdir))
        app.config["RATELIMIT_ENABLED"] = False
        district = synthetic_district(args.size, seed=args.seed)
        with app.app_context():
            start = time.perf_counter()
            cycle_id = load_district(district)
            cycle = db.session.get(Cycle, cycle_id)
            run_plan(cycle)
            db.session.commit()
            principal_id, admin_id = add_leaders(cycle.district_id)
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
        print(f"{'page':>16} {'median ms':>10} {'p95 ms':>8} {'aim ms':>7} {'after a save ms':>16} "
              f"{'after a re-plan ms':>19}")
        for name, (user_id, url) in pages.items():
            client = signed_in_client(app, user_id)
            times = time_requests(client, url, args.repeats)
            after = ["-", "-"]
            if name in ("principal", "district"):
                saved = request_after(app, client, url, lambda: plans_written.send(
                    db.session.get(Cycle, cycle_id), educator_ids=[teacher_id]))
                replanned = request_after(app, client, url,
                                          lambda: plans_written.send(db.session.get(Cycle, cycle_id)))
                after = [f"{1000 * saved:.0f}", f"{1000 * replanned:.0f}"]
            aim = AIMS_MS[name]
            print(f"{name:>16} {1000 * statistics.median(times):10.1f} {1000 * percentile(times, 0.95):8.1f} "
                  f"{aim if aim else '-':>7} {after[0]:>16} {after[1]:>19}", flush=True)
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
