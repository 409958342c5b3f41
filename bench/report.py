"""Time the full performance report (and the equality report) over whatever a database holds.

Point DATABASE_URL at a database holding the full shared street data (bench/run.py leaves one on
PostgreSQL), then:

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/vcdhub_bench .venv/bin/python bench/report.py
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vcdhub.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from vcdhub.crime.models import Crime  # noqa: E402
from vcdhub.equality.engine import equality_report  # noqa: E402
from vcdhub.performance.engine import evaluate_all, parse_period  # noqa: E402
from vcdhub.performance.targets import current_targets  # noqa: E402

RUNS = 5


def timed(label, function):
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    print(f"{label}: median {statistics.median(times):.3f} s over {RUNS} runs (min {min(times):.3f} s)")
    return statistics.median(times)


def main() -> None:
    rows = Crime.objects.count()
    print(f"{connection.vendor}: {rows:,} crimes")
    targets = current_targets()
    period = parse_period(os.environ.get("BENCH_PERIOD", "2017-01..2017-12"))
    median = timed(f"performance report, {len(targets.indicators)} indicators, {period.label} against the year "
                   "before", lambda: evaluate_all(targets, period))
    print(f"target under 2 s: {'PASS' if median < 2 else 'FAIL'}")
    timed(f"equality report, {period.label}", lambda: equality_report(period.start, period.end))


if __name__ == "__main__":
    main()
