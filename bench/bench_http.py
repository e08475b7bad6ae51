"""Pages through HTTP under load: gunicorn on PostgreSQL, users rotating, beside the floor.

    .venv/bin/python -m bench.bench_http [--size 10000] [--duration 20] [--concurrency 8]
        [--database-url postgresql://postgres@127.0.0.1:5432/pdplanner_bench] [--reuse]

It builds the district as `bench_dashboards` does (not timed): `--size` teachers with their
coaches, three cycles of ratings, the open cycle planned, a principal for every school and a
district admin. `--reuse` skips the build when the database already holds it from an earlier run.
Then it starts gunicorn as the README's production section does (`--workers 4`, sync workers,
`wsgi:app`, PDPLANNER_ENV=production) on a free local port, and loads each page for `--duration`
seconds with `--concurrency` requests in flight, the pages taking turns in `--rounds` rounds so
that the machine's other load, which changes by the minute, falls on all of them alike.

Each page is first requested a few times per worker for its first person (untimed: templates and
lazy imports load; of the people, only that first one has been seen). Then:

- floor: `/static/css/pdplanner.css` without a cookie, the cheapest request the app answers
  (routing, the request hooks, a small file; no database);
- teacher home, `/` as up to `--teachers` teachers (every k-th placed teacher), rotating;
- coach home as every coach, principal home as every principal, district home as the admin.

Sessions are not paid for with argon2: each person's cookie is signed with the server's
SECRET_KEY by Flask's own session interface, with what a sign-in puts in it (the `id:epoch`
user id, fresh, permanent, the sign-in and last-seen times that the idle and absolute timeouts
read, and Flask-Login's identifier for this client's address and user agent). The load
generator is asyncio in this process, a new connection per request (gunicorn's sync workers
close each one). It reports, per page, requests a second, the median and 99th percentile
latency (nearest rank), and requests a second as a share of the floor's, all over the rounds
together (and the floor of each round, to show how much the machine's load moved). The client
shares the machine's cores with the server, so the floor is the floor of this setup, not of the
server alone. See docs/PERFORMANCE.md.
"""

import argparse
import asyncio
import gc
import logging
import math
import os
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, session
from flask_login.utils import _create_identifier
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select, text

from bench.bench_dashboards import planned_district
from bench.bench_run_plan import MIGRATIONS, settle
from bench.synthetic_district import synthetic_district
from config import database_url
from pdplanner import create_app
from pdplanner.accounts.models import Role, User
from pdplanner.accounts.sessions import LAST_SEEN_AT, SIGNED_IN_AT
from pdplanner.assessments.models import Cycle
from pdplanner.database import utcnow
from pdplanner.extensions import db
from pdplanner.organisation.models import CaseloadAssignment, Membership
from pdplanner.planning.models import Placement

ROOT = Path(__file__).resolve().parent.parent
FLOOR_PATH = "/static/css/pdplanner.css"
USER_AGENT = "pdplanner-bench-http"
CLIENT_ADDRESS = "127.0.0.1"


# -- statistics ----------------------------------------------------------------------------

def percentile(values: list[float], share: float) -> float:
    """Nearest rank: the smallest value that at least `share` of the values do not exceed."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass(frozen=True)
class Summary:
    requests: int
    errors: int
    per_second: float
    p50_ms: float
    p99_ms: float


def summarise(latencies: list[float], errors: int, elapsed: float) -> Summary:
    """Requests a second counts the successful requests finished in `elapsed` seconds; the
    percentiles are over their latencies (seconds in, milliseconds out)."""
    if not latencies:
        return Summary(0, errors, 0.0, math.nan, math.nan)
    return Summary(len(latencies), errors, len(latencies) / elapsed,
                   1000 * percentile(latencies, 0.50), 1000 * percentile(latencies, 0.99))


# -- the load generator --------------------------------------------------------------------

async def get(port: int, path: str, cookie: str | None) -> int:
    """One GET on a new connection, read to the end; returns the status code."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    headers = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: {USER_AGENT}\r\n"
    if cookie:
        headers += f"Cookie: {cookie}\r\n"
    writer.write((headers + "Connection: close\r\n\r\n").encode())
    await writer.drain()
    response = await reader.read()
    writer.close()
    await writer.wait_closed()
    return int(response[9:12]) if response.startswith(b"HTTP/1.") else 0


@dataclass
class Sample:
    """What one or more timed stretches of a page gave: successful latencies (seconds), failed
    requests, and the seconds they took together."""
    latencies: list[float]
    errors: int = 0
    elapsed: float = 0.0

    def add(self, other: "Sample") -> None:
        self.latencies += other.latencies
        self.errors += other.errors
        self.elapsed += other.elapsed

    def summary(self) -> Summary:
        return summarise(self.latencies, self.errors, self.elapsed)


async def load(port: int, path: str, cookies: list[str | None], duration: float,
               concurrency: int) -> Sample:
    """`concurrency` loops, each sending the next cookie's request as soon as its last one
    finished, until `duration` seconds have passed; requests still in flight then count too."""
    sample = Sample([])
    turn = 0
    deadline = time.perf_counter() + duration

    async def loop():
        nonlocal turn
        while time.perf_counter() < deadline:
            cookie = cookies[turn % len(cookies)]
            turn += 1
            start = time.perf_counter()
            try:
                status = await get(port, path, cookie)
            except OSError:
                status = 0
            if status == 200:
                sample.latencies.append(time.perf_counter() - start)
            else:
                sample.errors += 1

    start = time.perf_counter()
    await asyncio.gather(*(loop() for _ in range(concurrency)))
    sample.elapsed = time.perf_counter() - start
    return sample


# -- the district and its sessions ---------------------------------------------------------

def build(url: str, size: int, seed: int) -> None:
    """The district in the emptied database. Loading a million ratings by COPY can outlast the
    app's 15-second statement timeout on a loaded machine, so the build has none; the server
    keeps its own."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    app = create_app("development", SQLALCHEMY_DATABASE_URI=url, DATABASE_STATEMENT_TIMEOUT=0,
                     DATABASE_LOCK_TIMEOUT=0)
    district = synthetic_district(size, seed=seed)
    with app.app_context():
        upgrade(directory=str(MIGRATIONS))
        planned_district(district)
        settle(db.engine)
        db.engine.dispose()
    # The generator's million rating records are not part of the server: freed before the load.
    del district
    gc.collect()


def people(teachers: int) -> dict[str, list[int]]:
    """The ids to rotate through per page: every k-th placed teacher, every coach with a
    caseload, every principal, the district admin."""
    cycle_id = db.session.scalar(select(func.max(Cycle.id)))
    placed = db.session.scalars(
        select(Placement.educator_id).join(Membership, Membership.user_id == Placement.educator_id)
        .where(Placement.cycle_id == cycle_id, Membership.role == Role.TEACHER)
        .order_by(Placement.educator_id)).all()
    step = max(1, len(placed) // teachers)
    return {
        "teacher home": list(placed[::step][:teachers]),
        "coach home": db.session.scalars(select(CaseloadAssignment.coach_id).distinct()
                                         .order_by(CaseloadAssignment.coach_id)).all(),
        "principal home": db.session.scalars(select(Membership.user_id).where(
            Membership.role == Role.PRINCIPAL).order_by(Membership.user_id)).all(),
        "district home": db.session.scalars(select(User.id).where(User.is_district_admin)).all(),
    }


def session_cookie(app: Flask, user: User) -> str:
    """The `name=value` of the session cookie a sign-in of `user` from this client would set."""
    now = utcnow().timestamp()
    with app.test_request_context(environ_base={"REMOTE_ADDR": CLIENT_ADDRESS},
                                  headers={"User-Agent": USER_AGENT}):
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session["_id"] = _create_identifier()
        session[SIGNED_IN_AT] = now
        session[LAST_SEEN_AT] = now
        session.permanent = True
        value = app.session_interface.get_signing_serializer(app).dumps(dict(session))
    return f"{app.config['SESSION_COOKIE_NAME']}={value}"


# -- the server ----------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(url: str, secret_key: str, port: int, workers: int) -> subprocess.Popen:
    environment = {**os.environ, "PDPLANNER_ENV": "production", "SECRET_KEY": secret_key,
                   "DATABASE_URL": url, "MAIL_BACKEND": "log"}
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "--workers", str(workers),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env=environment)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not listen within a minute")


def warm_up(port: int, page: str, cookie: str, workers: int) -> None:
    """Before anything is timed, each page for its first person once (summaries a fresh build
    lacks are computed and kept, for every worker), then a few times per worker, so that every
    worker has loaded its templates and lazy imports; the other people stay unseen."""
    async def requests():
        return await asyncio.gather(*(get(port, "/", cookie) for _ in range(3 * workers)))

    statuses = {asyncio.run(get(port, "/", cookie))} | set(asyncio.run(requests()))
    if statuses != {200}:
        raise RuntimeError(f"{page}: {sorted(statuses)} for the first person")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--duration", type=float, default=20, help="seconds per page")
    parser.add_argument("--rounds", type=int, default=4,
                        help="the pages take turns this many times, the duration shared out")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--teachers", type=int, default=2_000, help="teachers rotating")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/pdplanner_bench")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the district an earlier run built in this database")
    args = parser.parse_args(argv)
    logging.disable(logging.INFO)
    url = database_url(args.database_url)
    if not url.startswith("postgresql") or "bench" not in url.rsplit("/", 1)[-1]:
        parser.error("a PostgreSQL database whose name contains 'bench' (it is emptied)")

    start = time.perf_counter()
    if not args.reuse:
        build(url, args.size, args.seed)
    secret_key = secrets.token_urlsafe(48)
    app = create_app("production", SECRET_KEY=secret_key, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        ids = people(args.teachers)
        placed = db.session.scalar(select(func.count()).select_from(Placement).where(
            Placement.cycle_id == select(func.max(Cycle.id)).scalar_subquery()))
        cookies = {page: [session_cookie(app, db.session.get(User, i)) for i in user_ids]
                   for page, user_ids in ids.items()}
        db.engine.dispose()
    print(f"# {placed:,} educators placed; ready in {time.perf_counter() - start:.0f} s; rotating "
          + ", ".join(f"{len(c):,} for {page}" for page, c in cookies.items()))

    port = free_port()
    server = start_gunicorn(url, secret_key, port, args.workers)
    try:
        for page, page_cookies in cookies.items():
            warm_up(port, page, page_cookies[0], args.workers)
        print(f"{os.cpu_count()} CPUs, gunicorn --workers {args.workers}, {args.concurrency} in "
              f"flight, {args.duration:g} s a page in {args.rounds} rounds; load average at the "
              "start " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
        pages = {"floor": (FLOOR_PATH, [None]), **{page: ("/", c) for page, c in cookies.items()}}
        samples = {page: Sample([]) for page in pages}
        floors = []
        for _ in range(args.rounds):
            for page, (path, page_cookies) in pages.items():
                sample = asyncio.run(load(port, path, page_cookies, args.duration / args.rounds,
                                          args.concurrency))
                samples[page].add(sample)
                # The next round goes on with the people after the last one asked for.
                done = len(sample.latencies) + sample.errors
                pages[page] = (path, page_cookies[done % len(page_cookies):]
                               + page_cookies[:done % len(page_cookies)])
                if page == "floor":
                    floors.append(sample.summary().per_second)
        floor = samples["floor"].summary().per_second
        print(f"floor by round, req/s: {', '.join(f'{f:.0f}' for f in floors)}")
        print(f"{'page':>15} {'requests':>9} {'errors':>7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
              f"{'of floor':>9}")
        for page, sample in samples.items():
            s = sample.summary()
            print(f"{page:>15} {s.requests:9,} {s.errors:7} {s.per_second:8.1f} {s.p50_ms:8.1f} "
                  f"{s.p99_ms:8.1f} {s.per_second / floor:9.3f}")
        print("load average at the end " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
