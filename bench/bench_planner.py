"""Time `plan()` on synthetic districts of 1,000 to 10,000 educators.

    .venv/bin/python -m bench.bench_planner [--sizes 1000 2500 5000 10000] [--repeats 20]
                                            [--seed 2026] [--no-stress]

For each size it builds the district once (not timed), plans it once to warm up, then times
`--repeats` plans of the latest cycle and prints the median and the 95th percentile (nearest
rank) in seconds. The last row plans the largest district with all three cycles' records at
once, as a stress test of the record count. See docs/PERFORMANCE.md.
"""

import argparse
import math
import os
import platform
import statistics
import time

import pandas as pd

from bench.synthetic_district import synthetic_district
from pdplanner.core.planner import plan
from pdplanner.core.types import PlanningInput

DEFAULT_SIZES = (1_000, 2_500, 5_000, 10_000)


def percentile(times: list[float], share: float) -> float:
    """Nearest-rank percentile: the smallest time at least `share` of the runs did not exceed."""
    ordered = sorted(times)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def time_plans(inputs: PlanningInput, repeats: int) -> list[float]:
    """Seconds of `repeats` runs of `plan(inputs)`, after one untimed warm-up run."""
    plan(inputs)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        plan(inputs)
        times.append(time.perf_counter() - start)
    return times


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-stress", action="store_true", help="skip the all-cycles row")
    args = parser.parse_args(argv)

    print(f"Python {platform.python_version()}, pandas {pd.__version__}, {os.cpu_count()} CPUs, "
          f"{args.repeats} timed runs per row")
    print(f"{'educators':>9} {'cycles':>6} {'records':>9} {'median s':>9} {'p95 s':>7} {'per 1k s':>8}")
    district = None
    for size in args.sizes:
        district = synthetic_district(size, seed=args.seed)
        inputs = district.planning_input()
        times = time_plans(inputs, args.repeats)
        median = statistics.median(times)
        print(f"{size:>9,} {'latest':>6} {len(inputs.ratings):>9,} {median:>9.3f} "
              f"{percentile(times, 0.95):>7.3f} {median / size * 1000:>8.3f}", flush=True)
    if district is not None and not args.no_stress:
        inputs = district.planning_input(all_cycles=True)
        times = time_plans(inputs, args.repeats)
        median = statistics.median(times)
        size = len(district.educators)
        print(f"{size:>9,} {'all 3':>6} {len(inputs.ratings):>9,} {median:>9.3f} "
              f"{percentile(times, 0.95):>7.3f} {median / size * 1000:>8.3f}")


if __name__ == "__main__":
    main()
