"""The district admin's whole-district ratings.csv and ratings.xlsx on a synthetic district.

    .venv/bin/python -m bench.bench_exports --database-url URL [--size 10000] [--seed 2026]
                                            [--reuse] [--tree DIR ...] [--format csv|xlsx]

It builds the district as `bench_dashboards` does (not timed): N teachers with their coaches,
three cycles of ratings, a principal for every school and a district admin, the open cycle
planned; then every educator submits and shares the open cycle's self-assessment, so the
admin's export holds every rating of the cycle (the largest download there is). `--reuse`
skips the build and uses the district already in the database.

Then, for each `--tree` (a checkout of pdplanner; default: this one), a fresh Python process
started in that tree downloads each file once through Flask's test client, in process, and
reports the time to the first chunk of the body, the whole time, the size and the process's
peak resident memory above what it held before the download (`ru_maxrss`). Trees are
measured one after the other, CSV then XLSX, so two checkouts compare side by side in one run.
"""

import argparse
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def build(url: str, size: int, seed: int) -> None:
    from sqlalchemy import func, insert, select

    from bench.bench_dashboards import planned_district
    from bench.bench_run_plan import fresh_app, settle
    from bench.synthetic_district import synthetic_district
    from pdplanner.assessments.models import AssessmentStatus, Rating, SelfAssessment
    from pdplanner.database import utcnow
    from pdplanner.extensions import db

    with tempfile.TemporaryDirectory(prefix="pdplanner-bench-") as workdir:
        app = fresh_app(url, Path(workdir))
        district = synthetic_district(size, seed=seed)
        with app.app_context():
            start = time.perf_counter()
            cycle_id, _, _ = planned_district(district)
            now = utcnow()
            db.session.execute(insert(SelfAssessment), [
                {"cycle_id": cycle_id, "educator_id": e.id, "status": AssessmentStatus.SUBMITTED,
                 "submitted_at": now, "shared_with_principal": True, "created_at": now, "updated_at": now}
                for e in district.educators])
            db.session.commit()
            settle(db.engine)
            ratings = db.session.scalar(select(func.count()).where(Rating.cycle_id == cycle_id))
            print(f"# {size:,} teachers, {ratings:,} ratings in the open cycle; built, planned and shared in "
                  f"{time.perf_counter() - start:.0f} s", flush=True)
            db.engine.dispose()


def measure(url: str, extension: str) -> dict:
    """One download in this process (started in the tree being measured)."""
    from sqlalchemy import select

    from bench.bench_dashboards import signed_in_client
    from config import database_url
    from pdplanner import create_app
    from pdplanner.accounts.models import User
    from pdplanner.extensions import db

    logging.disable(logging.INFO)
    app = create_app("development", SQLALCHEMY_DATABASE_URI=database_url(url))
    app.config["RATELIMIT_ENABLED"] = False
    with app.app_context():
        admin_id = db.session.scalar(select(User.id).where(User.email == "admin@bench.example"))
    client = signed_in_client(app, admin_id)
    client.get("/exports")   # warm-up: imports, templates, the first connection
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    response = client.get(f"/exports/ratings.{extension}", buffered=False)
    assert response.status_code == 200, response.status_code
    chunks = iter(response.response)
    size = len(next(chunks))
    first = time.perf_counter() - start
    size += sum(len(chunk) for chunk in chunks)
    response.close()
    total = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"first_byte_s": first, "total_s": total, "mb": size / 1e6, "rss_before_mb": before / 1024,
            "rss_growth_mb": (peak - before) / 1024}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reuse", action="store_true", help="use the district already built")
    parser.add_argument("--tree", action="append", help="a pdplanner checkout to measure (repeatable)")
    parser.add_argument("--format", action="append", choices=["csv", "xlsx"], help="default: both")
    parser.add_argument("--measure", choices=["csv", "xlsx"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.database_url, args.measure)))
        return
    from bench.bench_run_plan import refuse_unless_bench

    refuse_unless_bench(parser, args.database_url)
    if not args.reuse:
        build(args.database_url, args.size, args.seed)
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    print(f"{'tree':>28} {'file':>11} {'first byte s':>13} {'total s':>8} {'MB':>6} "
          f"{'RSS before MB':>14} {'RSS growth MB':>14}")
    for tree in args.tree or [str(HERE)]:
        for extension in args.format or ["csv", "xlsx"]:
            done = subprocess.run(
                [os.path.join(tree, ".venv", "bin", "python"), __file__, "--database-url", args.database_url,
                 "--measure", extension],
                cwd=tree, env=os.environ | {"PYTHONPATH": tree}, capture_output=True, text=True)
            if done.returncode:
                print(f"{tree:>28} ratings.{extension}: failed\n{done.stderr[-2000:]}", flush=True)
                continue
            figures = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"{Path(tree).name:>28} {'ratings.' + extension:>11} {figures['first_byte_s']:13.2f} "
                  f"{figures['total_s']:8.1f} {figures['mb']:6.1f} {figures['rss_before_mb']:14.0f} "
                  f"{figures['rss_growth_mb']:14.0f}", flush=True)
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")


if __name__ == "__main__":
    sys.exit(main())
