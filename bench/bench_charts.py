"""Chart drawing time and page sizes on a synthetic district, beside an older drawing code.

    .venv/bin/python -m bench.bench_charts [--size 10000] [--repeats 20] [--seed 2026]
                                           [--before PATH/TO/core/charts.py] [--database-url URL]

It builds the district as `bench_dashboards` does (not timed), then:

- charts: two heatmaps of the sizes pages reach (`large_heatmaps`: a synthetic district's
  figures are mostly withheld, so its heatmaps are small), then every chart of the largest
  school's principal page, of the district admin's page and of one teacher's home, each drawn
  `--repeats` times from its figures to the page's SVG (the description built and written:
  nothing kept), with its SVG's size; the large heatmaps also drawn on a PDF canvas. With
  `--before`, the same charts drawn by that file's code (an older pdplanner/core/charts.py,
  which must offer the same chart functions and `to_svg`), side by side in the same process;
- pages: bytes and server time (in process, through Flask's test client) of the principal's
  home for schools not seen before (each request another school's principal: their charts are
  drawn and kept) and then again (their charts read from the summary), the district admin's
  home, and a teacher's home warm and for teachers not seen before (each request another one).

See docs/PERFORMANCE.md.
"""

import argparse
import gc
import importlib.util
import logging
import random
import statistics
import tempfile
import time
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from unittest.mock import patch

from reportlab.graphics import renderPDF
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import func, select

import pdplanner.core.charts as charts_now
from bench.bench_dashboards import planned_district, signed_in_client
from bench.bench_run_plan import fresh_app, refuse_unless_bench, settle
from bench.synthetic_district import synthetic_district
from pdplanner.accounts.models import User
from pdplanner.assessments.models import Cycle
from pdplanner.dashboards import charts as educator_charts
from pdplanner.dashboards import queries
from pdplanner.extensions import db
from pdplanner.organisation.models import Membership, School
from pdplanner.planning.models import Placement

CHART_FUNCTIONS = ("Series", "domain_means_chart", "heatmap_chart", "lane_distribution_chart",
                   "participation_chart", "radar_chart")


def load_charts(path: str):
    spec = importlib.util.spec_from_file_location("charts_before", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def charts_by(module, cycle: Cycle, principal: User, admin: User, teacher: User) -> dict[str, object]:
    """Every chart of the three pages, made by `module`'s chart functions."""
    with ExitStack() as stack:
        for target in (queries, educator_charts):
            for name in CHART_FUNCTIONS:
                if hasattr(target, name):
                    stack.enter_context(patch.object(target, name, getattr(module, name)))
        school = db.session.get(School, db.session.scalar(
            select(Membership.school_id).where(Membership.user_id == principal.id)))
        made = {f"principal {name}": chart for name, chart in
                queries.leader_charts(queries.leader_dashboard(cycle, [school])).items()}
        schools = db.session.scalars(select(School).where(School.district_id == cycle.district_id)).all()
        made |= {f"district {name}": chart for name, chart in
                 queries.leader_charts(queries.leader_dashboard(cycle, schools, whole_district=True)).items()}
        made["teacher profile"] = educator_charts.profile_chart(cycle, teacher)
        made["teacher growth"] = educator_charts.growth_chart(cycle, teacher)
    return made


def large_heatmaps(module, seed: int) -> dict[str, object]:
    """Heatmaps of the sizes the pages reach, whatever a synthetic district's figures withhold:
    19 competencies by the largest school's 15 cohorts, and by 241 schools side by side; a
    third of the cells withheld, and a quarter of the columns and two rows withheld entirely."""
    made = {}
    for name, columns in (("heatmap 19 x 15", 15), ("heatmap 19 x 241", 241)):
        rng = random.Random(seed)
        empty_columns = set(rng.sample(range(columns), columns // 4))
        values = [[None if r in (3, 11) or c in empty_columns or rng.random() < 1 / 3
                   else round(rng.uniform(1, 4), 2) for c in range(columns)] for r in range(19)]
        made[name] = module.heatmap_chart(
            [f"COMP.{r + 1}" for r in range(19)], [f"Cohort {c + 1} · Focus" for c in range(columns)], values,
            max_level=4, title=name, missing_label="fewer than 5")
    return made


def svg_ms(module, chart, repeats: int) -> tuple[float, float, int]:
    """Median ms to draw `chart` to SVG from its figures, in wall-clock and in this process's CPU
    time (which a machine shared with other work inflates less), and the SVG's bytes."""
    times, cpu = [], []
    for _ in range(repeats):
        fresh = replace(chart)                  # the drawing is built again
        start, start_cpu = time.perf_counter(), time.process_time()
        svg = module.to_svg(fresh, chart_id="bench-chart-svg")
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return 1000 * statistics.median(times), 1000 * statistics.median(cpu), len(svg.encode())


def pdf_ms(module, chart, repeats: int) -> float:
    """Median ms to build `chart`'s drawing and draw it on a PDF canvas (not writing the file)."""
    times = []
    for _ in range(repeats):
        fresh = replace(chart)
        canvas = Canvas(None)
        start = time.perf_counter()
        if hasattr(module, "draw_pdf"):
            module.draw_pdf(fresh.drawing, canvas)
        else:
            renderPDF.draw(fresh.drawing, canvas, 0, 0)
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def print_chart(name: str, chart, old, before, repeats: int) -> None:
    ms, cpu, size = svg_ms(charts_now, chart, repeats)
    line = f"{name:>22} {ms:8.2f} {cpu:8.2f} {size:9,}"
    if old is not None:
        old_ms, old_cpu, old_size = svg_ms(before, old, repeats)
        line += f" {old_ms:10.2f} {old_cpu:10.2f} {old_size:13,}"
    print(line, flush=True)


def page(client, url="/") -> tuple[float, int]:
    start = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, (url, response.status_code)
    return 1000 * elapsed, len(response.get_data())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--before", help="an older pdplanner/core/charts.py to draw the same charts with")
    parser.add_argument("--database-url", help="default: a new SQLite file in a temporary directory")
    args = parser.parse_args(argv)
    logging.disable(logging.INFO)
    refuse_unless_bench(parser, args.database_url)
    before = load_charts(args.before) if args.before else None
    print(f"{'chart':>22} {'ms':>8} {'cpu ms':>8} {'bytes':>9}"
          + (f" {'before ms':>10} {'before cpu':>10} {'before bytes':>13}" if before else ""))
    then = large_heatmaps(before, args.seed) if before else {}
    for name, chart in large_heatmaps(charts_now, args.seed).items():
        print_chart(name, chart, then.get(name), before, args.repeats)
        line = f"{'  the same in a PDF':>22} {pdf_ms(charts_now, chart, args.repeats):8.2f} {'':>18}"
        print(line + (f" {pdf_ms(before, then[name], args.repeats):10.2f}" if before else ""), flush=True)

    with tempfile.TemporaryDirectory(prefix="pdplanner-bench-") as workdir:
        app = fresh_app(args.database_url, Path(workdir))
        app.config["RATELIMIT_ENABLED"] = False
        district = synthetic_district(args.size, seed=args.seed)
        with app.app_context():
            cycle_id, principal_id, admin_id = planned_district(district)
            cycle = db.session.get(Cycle, cycle_id)
            settle(db.engine)
            teachers = db.session.scalars(select(Placement.educator_id).where(
                Placement.cycle_id == cycle_id, Placement.cohort_id.is_not(None))
                .order_by(Placement.educator_id)).all()
            principals = db.session.scalars(select(User.id).where(User.id >= principal_id, User.id < admin_id)
                                            .order_by(User.id)).all()
            schools = db.session.scalar(select(func.count()).select_from(School))
            print(f"# {args.size:,} teachers in {schools} schools, {db.engine.dialect.name}; "
                  f"{args.repeats} repeats")
        del district
        gc.collect()

        with app.test_request_context():
            cycle = db.session.get(Cycle, cycle_id)
            people = [db.session.get(User, user_id) for user_id in (principal_id, admin_id, teachers[0])]
            now = charts_by(charts_now, cycle, *people)
            then = charts_by(before, cycle, *people) if before else {}
            for name, chart in now.items():
                print_chart(name, chart, then.get(name), before, args.repeats)

        print(f"{'page':>34} {'median ms':>10} {'max ms':>8} {'bytes':>9}")

        def report(name: str, results: list[tuple[float, int]]) -> None:
            times = [ms for ms, _ in results]
            print(f"{name:>34} {statistics.median(times):10.1f} {max(times):8.1f} {results[-1][1]:9,}",
                  flush=True)

        rotating = principals[:args.repeats]
        report("principal home, school not seen", [page(signed_in_client(app, p)) for p in rotating])
        report("principal home, seen before", [page(signed_in_client(app, p)) for p in rotating])
        admin = signed_in_client(app, admin_id)
        page(admin)
        report("district home", [page(admin) for _ in range(args.repeats)])
        teacher = signed_in_client(app, teachers[0])
        page(teacher)
        report("teacher home, warm", [page(teacher) for _ in range(args.repeats)])
        report("teacher home, not seen before",
               [page(signed_in_client(app, t)) for t in teachers[1:args.repeats + 1]])
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
