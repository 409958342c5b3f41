"""Profile the import of a few months into the database DATABASE_URL names (already migrated, geography loaded).

    DATABASE_URL=sqlite:///var/bench/profile.sqlite3 .venv/bin/python bench/profile_import.py 2017-07 2017-08

Prints the cProfile top functions by own time and by cumulative time. Re-running imports nothing new
(the files are unchanged), so point it at a fresh database each time.
"""

import cProfile
import os
import pstats
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("VCDHUB_SHARED_DATA") or REPO.parent / "shared" / "data")


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vcdhub.settings")
    import django

    django.setup()
    from vcdhub.ingest.files import discover
    from vcdhub.ingest.pipeline import run_import

    months = sys.argv[1:] or ["2017-07", "2017-08"]
    files = [SHARED / "crime" / "police-uk" / m / f"{m}-metropolitan-street.csv.gz" for m in months]
    sources = discover(files)
    profiler = cProfile.Profile()
    profiler.enable()
    summary = run_import([], sources=sources, actor="bench:profile")
    profiler.disable()
    totals = summary.totals()
    print(f"{totals['rows_imported']} rows in {summary.seconds:.2f} s: "
          f"{totals['rows_imported'] / summary.seconds:,.0f} rows/s (under the profiler)")
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("tottime").print_stats(20)
    stats.sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
