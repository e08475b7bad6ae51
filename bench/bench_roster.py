"""Time a roster import of a whole district, as `flask roster import` runs it.

    .venv/bin/python -m bench.bench_roster [--people 10000] [--repeats 3] [--seed 2026]
                                           [--database-url URL]

For each repeat it builds a simple-CSV roster of `--people` people in a new district (not
timed): schools of 30 to 60 staff, one principal and a few coaches per school, teachers coached
by one or two of their school's coaches (a quoted comma list), and a few students and bad rows,
as real exports have. Then it times, each with a fresh session and reading the file from bytes:

- preview: reading the CSV and computing the preview (nothing written);
- apply: reading, computing and writing everything (people, roles, caseloads, set-password
  links, audit events) and the commit;
- re-import: reading and previewing the same file again (no change, as the product promises);
- change: 5% of people renamed or moved and 2% left out, applied (updates and deactivations).

Mailing the links is not timed in these steps (it happens after the commit, through the mail
backend). The last step, `pages`, is the import end to end as a district admin does it, through
the application's pages: uploading the file (it is stored, read and previewed), then Apply
(read again, applied, committed, and every new person mailed, by the in-memory backend). On
SQLite a probe connection tries to take the write lock every 5 ms meanwhile and reports the
longest time it could not (`write lock held`): how long an autosave would have waited.
The default database is a new SQLite file in a temporary directory. With --database-url
postgresql://... the named database is emptied first, so the name must contain "bench".
See docs/PERFORMANCE.md.
"""

import argparse
import html
import platform
import random
import re
import sqlite3
import statistics
import tempfile
import threading
import time
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from config import database_url
from pdplanner import create_app
from pdplanner.accounts.models import Role
from pdplanner.accounts.sessions import LAST_SEEN_AT, SIGNED_IN_AT
from pdplanner.extensions import db
from pdplanner.organisation.models import District
from pdplanner.organisation.roster.apply import apply_roster
from pdplanner.organisation.roster.queries import roster_preview
from pdplanner.organisation.roster.read import bundle_from_upload, read_roster
from pdplanner.organisation.services import create_district, create_school, create_user

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def fresh_app(url: str | None, workdir: Path) -> Flask:
    if url is None:
        url = "sqlite:///" + str(workdir / "bench-roster.sqlite3")
    else:
        if "bench" not in url.rsplit("/", 1)[-1]:
            raise SystemExit("Refusing to empty a database whose name does not contain 'bench'.")
        engine = create_engine(database_url(url), isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    app = create_app("development", SQLALCHEMY_DATABASE_URI=database_url(url), MAIL_BACKEND="memory",
                     ROSTER_DIR=str(workdir / "rosters"))
    with app.app_context():
        upgrade(directory=str(MIGRATIONS))
    return app


def synthetic_roster(n_people: int, prefix: str, rng: random.Random) -> tuple[list[str], list[dict]]:
    """School codes and roster rows: one principal and 10% coaches per school, the rest teachers."""
    rows, codes, made = [], [], 0
    while made < n_people:
        code = f"{prefix}S{len(codes) + 1}"
        codes.append(code)
        size = min(rng.randint(30, 60), n_people - made)
        coaches = [f"{prefix.lower()}.coach{made + i}@bench.example" for i in range(max(1, size // 10))]
        for i in range(size):
            n = made + i
            if i == 0:
                role, email, coached = "principal", f"{prefix.lower()}.principal{n}@bench.example", []
            elif i <= len(coaches):
                role, email, coached = "coach", coaches[i - 1], []
            else:
                role, email = "teacher", f"{prefix.lower()}.teacher{n}@bench.example"
                coached = rng.sample(coaches, min(len(coaches), rng.choice([1, 1, 2])))
            rows.append({"email": email, "given": f"Given{n}", "family": f"Family{n}", "role": role,
                         "school": code, "coach": ",".join(coached)})
        made += size
    return codes, rows


def to_csv(rows: list[dict], extra: int) -> bytes:
    lines = ["email,given name,family name,role,school code,coach email"]
    lines += [f'{r["email"]},{r["given"]},{r["family"]},{r["role"]},{r["school"]},"{r["coach"]}"'
              for r in rows]
    lines += [f"student{i}@bench.example,S,T,student,X," for i in range(extra)]   # skipped
    lines += [f"bad{i}@bench.example,B,R,janitor,X," for i in range(extra)]       # rejected
    return ("\r\n".join(lines) + "\r\n").encode()


@contextmanager
def timed(results: dict, name: str):
    start = time.perf_counter()
    yield
    results.setdefault(name, []).append(time.perf_counter() - start)


def one_run(app: Flask, n_people: int, repeat: int, seed: int, results: dict) -> dict:
    rng = random.Random(seed + repeat)
    prefix = f"R{repeat}"
    codes, rows = synthetic_roster(n_people, prefix, rng)
    content = to_csv(rows, extra=max(1, n_people // 200))
    with app.app_context():
        district = create_district(code=f"BENCH{repeat}", name=f"Bench district {repeat}")
        for code in codes:
            create_school(district, code=code, name=f"School {code}")
        db.session.commit()
        district_id = district.id

    def step(name: str, apply: bool, data: bytes) -> dict:
        with app.app_context():
            with timed(results, name):
                district = db.session.get(District, district_id)
                roster = read_roster(bundle_from_upload("roster.csv", data))
                if apply:
                    counts = apply_roster(district, roster).preview.counts
                    db.session.commit()
                else:
                    counts = roster_preview(district, roster).counts
                    db.session.rollback()
            db.session.remove()
        return counts

    counts = {"preview": step("preview", False, content), "apply": step("apply", True, content),
              "re-import": step("re-import", False, content)}
    changed = [dict(r) for r in rows]
    rng.shuffle(changed)
    cut = len(changed) // 50
    for row in changed[cut:cut + len(changed) // 20]:
        if row["role"] == "teacher":
            row["school"] = rng.choice(codes)
            row["coach"] = ""
        row["family"] += "-Moved"
    counts["change"] = step("change", True, to_csv(changed[cut:], extra=0))
    return counts


class WriteLockProbe:
    """On SQLite, the longest stretch during which another connection could not take the write
    lock (BEGIN IMMEDIATE without waiting), tried every 5 ms on a thread of its own."""

    def __init__(self, url: str):
        self.path = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else None
        self.longest = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._probe, daemon=True)

    def _probe(self):
        probe = sqlite3.connect(self.path, timeout=0, isolation_level=None)
        locked_since = None
        while not self._stop.is_set():
            now = time.perf_counter()
            try:
                probe.execute("BEGIN IMMEDIATE")
                probe.execute("ROLLBACK")
                if locked_since is not None:
                    self.longest = max(self.longest, now - locked_since)
                locked_since = None
            except sqlite3.OperationalError:
                locked_since = locked_since or now
            time.sleep(0.005)
        probe.close()

    def __enter__(self):
        if self.path:
            self._thread.start()
        return self

    def __exit__(self, *_):
        if self.path:
            self._stop.set()
            self._thread.join()


def through_pages(app: Flask, n_people: int, seed: int, results: dict) -> dict:
    """Upload, preview and apply `n_people` as a district admin, through the pages."""
    rng = random.Random(seed)
    codes, rows = synthetic_roster(n_people, "P", rng)
    content = to_csv(rows, extra=max(1, n_people // 200))
    with app.app_context():
        district = create_district(code="BENCHPAGES", name="Bench district, pages")
        for code in codes:
            create_school(district, code=code, name=f"School {code}")
        admin = create_user(district_id=district.id, email="admin@bench-pages.example",
                            given_name="Ada", family_name="Admin", role=Role.DISTRICT_ADMIN)
        db.session.commit()
        session_id = admin.get_id()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = session_id, True
        session[SIGNED_IN_AT] = session[LAST_SEEN_AT] = time.time()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get("/roster").get_data(as_text=True)).group(1)
    with WriteLockProbe(app.config["SQLALCHEMY_DATABASE_URI"]) as probe, timed(results, "pages"):
        with timed(results, "  upload + preview page"):
            page = client.post("/roster", content_type="multipart/form-data", data={
                "csrf_token": token, "file": (BytesIO(content), "roster.csv")})
        fields = {name: html.unescape(value) for name, value in re.findall(
            r'name="(\w+)" type="hidden" value="([^"]*)"', page.get_data(as_text=True))}
        with timed(results, "  apply + commit + mail"):
            done = client.post("/roster/apply", data=fields)
    results.setdefault("  write lock held (longest)", []).append(probe.longest)
    mailed = len(app.extensions.get("pdplanner.outbox", []))
    app.extensions.get("pdplanner.outbox", []).clear()
    return {"status": (page.status_code, done.status_code), "mailed": mailed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        app = fresh_app(args.database_url, Path(workdir))
        backend = app.config["SQLALCHEMY_DATABASE_URI"].split(":", 1)[0]
        print(f"roster import of {args.people} people, {backend}, Python {platform.python_version()}, "
              f"{args.repeats} repeats")
        results: dict[str, list[float]] = {}
        for repeat in range(args.repeats):
            counts = one_run(app, args.people, repeat, args.seed, results)
        counts["pages"] = through_pages(app, args.people, args.seed, results)
        for name in ("  upload + preview page", "  apply + commit + mail", "  write lock held (longest)"):
            counts[name] = {}
        for step, figures in counts.items():
            print(f"  {step:<10} median {statistics.median(results[step]):6.2f} s   "
                  f"max {max(results[step]):6.2f} s   {figures}")


if __name__ == "__main__":
    main()
