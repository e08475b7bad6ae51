"""Time the opportunity analysis (`core.conditions.analyse`) on a synthetic district review.

    .venv/bin/python -m bench.bench_conditions [--schools 100] [--respondents 50000]
                                               [--repeats 20] [--seed 2026]

The review (built once, not timed) has `--respondents` people, each answering all 13 areas
(1 in 5 answers "I don't know" for families, fewer for the others), one row per respondent (a
`ResponseMatrix`, as a query builds it for a district), spread over `--schools`
schools as a district's survey is: per school about 3 of the leadership team, 6% teachers, 1%
coaches, half students, a third families and a few community partners (so small groups fall
under the threshold at some schools); district-wide, a few district admins and the board
members. Levels follow a school's conditions, an area's and a group's lean (the leadership team
rates a little higher). A baseline review of the same shape, a little lower, and 300 site
notes go with it. It then times `--repeats` runs of the district's analysis and of one school's
(with and without the baseline, with the notes and the privacy threshold 5, after one untimed run) and
prints the median and 95th percentile (nearest rank); the last row takes the same review with
one row per answer (`ResponseColumns`, groups and areas as strings), and then the digests of
every respondent's answers that decide whether an open review is republished. See
docs/PERFORMANCE.md.
"""

import argparse
import math
import os
import platform
import statistics
import time

import numpy as np

from pdplanner.core.conditions import (
    DONT_KNOW,
    GROUPS,
    Area,
    ResponseColumns,
    ResponseMatrix,
    SiteNote,
    analyse,
    contributions,
    publishable,
)

AREAS = tuple(Area(code, name, kind) for code, name, kind in (
    ("CUR", "Curriculum", "condition"), ("INS", "Instruction", "condition"),
    ("ASM", "A comprehensive assessment system", "condition"), ("ENV", "Learning environments", "condition"),
    ("SUP", "Student supports", "condition"), ("PD", "Professional development", "condition"),
    ("LEAD", "Leadership development", "condition"), ("TECH", "Technology policy", "condition"),
    ("DATA", "A comprehensive data system", "condition"), ("PART", "Community partnerships", "condition"),
    ("VIS", "Vision", "theme"), ("CUL", "Culture", "theme"), ("TRAN", "Transparency", "theme")))
# Share of a school's respondents in each group after the leadership team's few people.
SCHOOL_SHARES = {"teachers": 0.06, "coaches": 0.01, "students": 0.5, "families": 0.33, "partners": 0.02}
DONT_KNOW_SHARE = {"leadership": 0.02, "teachers": 0.05, "coaches": 0.04, "students": 0.12, "families": 0.2,
             "partners": 0.15, "board": 0.1}
LEAN = {"leadership": 0.4, "teachers": 0.0, "coaches": 0.1, "students": -0.1, "families": -0.2,
        "partners": 0.0, "board": 0.2}


def review(schools: int, respondents: int, rng: np.random.Generator, shift: float = 0.0) -> ResponseMatrix:
    """A review's responses, one row per respondent (every respondent answers every area)."""
    district_wide = [("leadership", 8), ("board", 7)]
    per_school = max(respondents - sum(n for _, n in district_wide), 0) // schools
    group, school = [], []
    for s in range(1, schools + 1):
        counts = {"leadership": 3} | {g: int(per_school * share) for g, share in SCHOOL_SHARES.items()}
        counts["students"] += per_school - sum(counts.values())
        for name, n in counts.items():
            group += [name] * n
            school += [s] * n
    for name, n in district_wide:
        group += [name] * n
        school += [None] * n
    school_level = rng.normal(2.5 + shift, 0.35, schools + 1)
    area_lean = rng.normal(0.0, 0.3, len(AREAS))
    schools_column = np.array([np.nan if s is None else s for s in school])
    slots = np.nan_to_num(schools_column).astype(np.int64)
    base = (school_level[slots][:, None] + area_lean[None, :]
            + np.array([LEAN[g] for g in group])[:, None])
    levels = np.clip(np.rint(base + rng.normal(0, 0.8, base.shape)), 1, 4).astype(np.int8)
    unsure = rng.random(base.shape) < np.array([DONT_KNOW_SHARE[g] for g in group])[:, None]
    return ResponseMatrix(np.arange(len(group)), np.array(group, dtype=object), schools_column,
                          tuple(a.code for a in AREAS), np.where(unsure, DONT_KNOW, levels))


def long_form(matrix: ResponseMatrix) -> ResponseColumns:
    """The same responses with one row per answer, as a query reading answer rows returns them."""
    n, width = matrix.answers.shape
    answers = matrix.answers.ravel().astype(np.float64)
    return ResponseColumns(np.repeat(matrix.respondents, width), np.repeat(matrix.groups, width),
                           np.repeat(matrix.schools, width), np.tile(np.array(matrix.areas, dtype=object), n),
                           np.where(answers == DONT_KNOW, np.nan, answers))


def notes(schools: int, rng: np.random.Generator, count: int = 300) -> list[SiteNote]:
    kinds = ("strength", "opportunity")
    return [SiteNote(AREAS[int(rng.integers(len(AREAS)))].code, kinds[int(rng.integers(2))],
                     f"Visit note {i}.", int(rng.integers(1, schools + 1)) if i % 10 else None)
            for i in range(count)]


def percentile(times: list[float], share: float) -> float:
    ordered = sorted(times)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def timed(run, repeats: int) -> list[float]:
    run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return times


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=100)
    parser.add_argument("--respondents", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    current = review(args.schools, args.respondents, rng)
    baseline = review(args.schools, args.respondents, rng, shift=-0.3)
    site, rows_of_answers = notes(args.schools, rng), long_form(current)
    print(f"Python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} CPUs, "
          f"{args.repeats} timed runs per row; {args.schools} schools, {len(current.respondents):,} "
          f"respondents, {current.answers.size:,} answers per review, {len(GROUPS)} groups, "
          f"{len(AREAS)} areas")
    print(f"{'analysis':<34} {'median s':>9} {'p95 s':>7}")
    rows = (("district, with baseline", lambda: analyse(AREAS, current, 5, baseline=baseline, notes=site)),
            ("district, no baseline", lambda: analyse(AREAS, current, 5, notes=site)),
            ("one school, with baseline", lambda: analyse(AREAS, current, 5, school=1, baseline=baseline,
                                                          notes=site)),
            ("one school, no baseline", lambda: analyse(AREAS, current, 5, school=1, notes=site)),
            ("district, one row per answer", lambda: analyse(AREAS, rows_of_answers, 5, notes=site)),
            ("contributions (publish check)", lambda: publishable(None, contributions(AREAS, current), 5)))
    for name, run in rows:
        times = timed(run, args.repeats)
        print(f"{name:<34} {statistics.median(times):>9.3f} {percentile(times, 0.95):>7.3f}", flush=True)
    for scope in (None, 1):
        result = analyse(AREAS, current, 5, school=scope, baseline=baseline, notes=site)
        withheld = sum(1 for a in result.areas for f in a.figures if f.mean is None)
        print(f"{'district' if scope is None else f'school {scope}'}: {len(result.priorities)} priority "
              f"candidates, {withheld} of {sum(len(a.figures) for a in result.areas)} group means withheld, "
              f"{sum(len(a.growth) for a in result.areas)} growth lines")


if __name__ == "__main__":
    main()
