"""Ten times the data: `make bench-scale`. Not a test.

Copies the shared Met street files ten times, each copy's months shifted two years earlier than the last
(the original 2016-2017, then 2014-2015, ... back to 1998-1999: twenty years of one force, about 14.2M rows),
into var/bench/scale/, laid out as the shared data is (geography and population linked, not copied). Then it
runs the same benchmarks as `make bench` on them, in their own databases: the imports (bench/run.py), the
report (bench/report.py), the place analyses (bench/places.py) and the load (bench/load.py). Every target
that holds at 1x should hold at 10x.

Environment: as bench/run.py, and
    VCDHUB_BENCH_SCALE_PG_URL  the PostgreSQL database for the ten-times data, dropped and recreated
                               (default: postgres://postgres:postgres@127.0.0.1:5432/vcdhub_bench_scale)
    VCDHUB_BENCH_COPIES        how many copies (default 10)

Exit status: 1 if any target fails, 2 if the benchmark cannot run.
"""

import gzip
import os
import subprocess
import sys
from pathlib import Path

import polars as pl

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("VCDHUB_SHARED_DATA") or REPO.parent / "shared" / "data")
SCALE = REPO / "var" / "bench" / "scale"
PG_URL = os.environ.get("VCDHUB_BENCH_SCALE_PG_URL", "postgres://postgres:postgres@127.0.0.1:5432/vcdhub_bench_scale")
COPIES = int(os.environ.get("VCDHUB_BENCH_COPIES", 10))
SHIFT_MONTHS = 24  # each copy two years before the last: the shared Met data spans 2016-01..2017-12


def shifted(month: str, months: int) -> str:
    year, number = int(month[:4]), int(month[5:7])
    index = year * 12 + number - 1 - months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def build() -> int:
    """Write the copies (once: an existing file is kept) and link the rest of the shared data. Returns rows."""
    originals = sorted((SHARED / "crime" / "police-uk").glob("*/*-metropolitan-street.csv.gz"))
    if not originals:
        print(f"bench-scale: no Met street files under {SHARED}", file=sys.stderr)
        sys.exit(2)
    for name in ("geography", "population"):
        link = SCALE / name
        if not link.exists():
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(SHARED / name, target_is_directory=True)
    rows = 0
    for original in originals:
        frame = None
        month = original.name[:7]
        for copy in range(COPIES):
            target_month = shifted(month, copy * SHIFT_MONTHS)
            target = SCALE / "crime" / "police-uk" / target_month / f"{target_month}-metropolitan-street.csv.gz"
            if frame is None:
                frame = pl.read_csv(original, infer_schema_length=0)
            rows += frame.height
            if target.exists():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(".part")
            text = frame.with_columns(pl.lit(target_month).alias("Month")).write_csv(quote_style="necessary")
            with gzip.open(partial, "wt", encoding="utf-8", compresslevel=1, newline="") as stream:
                stream.write(text)
            partial.rename(target)
    return rows


def run(script: str, env: dict) -> int:
    print(f"\n=== bench/{script} on the ten-times data", flush=True)
    return subprocess.run([sys.executable, str(REPO / "bench" / script)], env=env, cwd=REPO).returncode


def main() -> None:
    rows = build()
    print(f"Ten-times data: {COPIES} copies of the Met street files, {rows:,} rows, in {SCALE.relative_to(REPO)}")
    env = {**os.environ, "VCDHUB_SHARED_DATA": str(SCALE), "VCDHUB_BENCH_PG_URL": PG_URL,
           "VCDHUB_BENCH_SQLITE": str(REPO / "var" / "bench" / "scale.sqlite3")}
    status = run("run.py", env)
    with_db = {**env, "DATABASE_URL": PG_URL}
    run("report.py", with_db)
    status |= run("places.py", with_db)
    status |= run("load.py", with_db)
    sys.exit(1 if status else 0)


if __name__ == "__main__":
    main()
