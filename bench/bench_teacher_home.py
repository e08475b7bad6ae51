"""Server time of the teacher home on a district an HTTP bench run built, warm and unseen.

    .venv/bin/python -m bench.bench_teacher_home --database-url URL [--repeats 50]
        [--unseen 50] [--profile FILE]

It reuses the 10,000-teacher district that `bench_http` (or `bench_dashboards`) left in a
PostgreSQL `*_bench` database: no build, so two checkouts can be timed against the same district
one after the other, in turns. In process through Flask's test client (the whole request:
routing, authorization, queries, templates, charts; no network):

- warm: one placed teacher's home requested once untimed, then `--repeats` times;
- unseen: `--unseen` other placed teachers, each requested once (the process has read the
  framework, the templates and the statement caches, not their rows).

It prints the medians and 95th percentiles (nearest rank), of the warm requests' CPU time in
this process too (what the machine's other load inflates least), the page's size and the number of
statements of a warm request. `--profile FILE` writes a cProfile of the warm requests, in CPU
time, instead of timing them (see docs/PERFORMANCE.md).
"""

import argparse
import cProfile
import logging
import math
import os
import statistics
import time

from sqlalchemy import event, func, select

from bench.bench_dashboards import signed_in_client
from config import database_url
from pdplanner import create_app
from pdplanner.accounts.models import Role
from pdplanner.assessments.models import Cycle
from pdplanner.extensions import db
from pdplanner.organisation.models import Membership
from pdplanner.planning.models import Placement


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def placed_teachers(count: int) -> list[int]:
    cycle_id = db.session.scalar(select(func.max(Cycle.id)))
    placed = db.session.scalars(
        select(Placement.educator_id).join(Membership, Membership.user_id == Placement.educator_id)
        .where(Placement.cycle_id == cycle_id, Membership.role == Role.TEACHER)
        .order_by(Placement.educator_id)).all()
    step = max(1, len(placed) // count)
    return list(placed[::step][:count])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--unseen", type=int, default=50)
    parser.add_argument("--profile", help="write a cProfile of the warm requests to this file")
    args = parser.parse_args(argv)
    logging.disable(logging.INFO)
    app = create_app("development", SQLALCHEMY_DATABASE_URI=database_url(args.database_url))
    app.config["RATELIMIT_ENABLED"] = False
    with app.app_context():
        teachers = placed_teachers(args.unseen + 1)
    client = signed_in_client(app, teachers[0])
    response = client.get("/")
    assert response.status_code == 200, response.status_code
    size = len(response.data)
    statements = []
    with app.app_context():
        engine = db.engine
    listener = lambda *_args: statements.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    client.get("/")
    event.remove(engine, "before_cursor_execute", listener)
    if args.profile:
        profiler = cProfile.Profile(time.process_time)   # CPU time: waits for the database left out
        profiler.enable()
        for _ in range(args.repeats):
            client.get("/")
        profiler.disable()
        profiler.dump_stats(args.profile)
        return
    warm, cpu = [], []
    for _ in range(args.repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        assert client.get("/").status_code == 200
        warm.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    unseen = []
    for teacher_id in teachers[1:]:
        other = signed_in_client(app, teacher_id)
        start = time.perf_counter()
        assert other.get("/").status_code == 200
        unseen.append(time.perf_counter() - start)
    ms = {name: (1000 * statistics.median(times), 1000 * percentile(times, 0.95))
          for name, times in (("warm", warm), ("warm CPU", cpu), ("unseen", unseen))}
    print("; ".join(f"{name} median {median:.1f} ms p95 {p95:.1f}" for name, (median, p95) in ms.items())
          + f"; {size:,} bytes; {len(statements)} statements warm; load {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
