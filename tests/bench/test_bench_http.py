"""The HTTP benchmark's statistics (bench/bench_http.py), against an answer worked by hand."""

import math

from bench.bench_http import Sample, percentile, summarise


def test_percentiles_are_nearest_rank():
    values = [0.010 * i for i in range(100, 0, -1)]  # 0.01 .. 1.00, in any order
    assert percentile(values, 0.50) == 0.50
    assert percentile(values, 0.99) == 0.99
    assert percentile([0.3], 0.99) == 0.3
    assert percentile([0.1, 0.2, 0.3], 0.50) == 0.2


def test_a_summary_counts_successes_per_second_and_reports_milliseconds():
    latencies = [0.002] * 98 + [0.050, 0.900]
    summary = summarise(latencies, errors=3, elapsed=4.0)
    assert (summary.requests, summary.errors) == (100, 3)
    assert summary.per_second == 25.0    # errors are not counted as served
    assert summary.p50_ms == 2.0
    assert summary.p99_ms == 50.0        # the 99th of 100, not the slowest


def test_a_run_with_no_success_has_no_percentiles():
    summary = summarise([], errors=5, elapsed=2.0)
    assert summary.per_second == 0.0 and math.isnan(summary.p50_ms) and math.isnan(summary.p99_ms)


def test_samples_from_several_rounds_are_summarised_together():
    total = Sample([0.010, 0.030], errors=1, elapsed=1.0)
    total.add(Sample([0.020, 0.040, 0.050], errors=0, elapsed=4.0))
    summary = total.summary()
    assert (summary.requests, summary.errors) == (5, 1)
    assert summary.per_second == 1.0     # 5 served in the 5 seconds of both rounds
    assert summary.p50_ms == 30.0
