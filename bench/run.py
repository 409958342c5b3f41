"""Import and query benchmark: `make bench`. Not a test; nothing here runs in the test suite.

Imports every Met street file in the shared data (about 1.46M rows) into a fresh, migrated PostgreSQL
database and a fresh, migrated SQLite file, each through the real pipeline in its own process with
DATABASE_URL set, and prints rows per second. Targets:

- PostgreSQL import: at least 40% of the rate of a bare psycopg COPY of the same rows (csv module, raw
  text columns, plain unindexed table), measured in the same run. A COPY of the files' own bytes, with
  no parsing in Python, is measured too and reported for information.
- SQLite import: at least 50,000 rows/s.
- Memory independent of file size: one PostgreSQL import of the street months joined into one file, at two
  sizes (a quarter of the months, then all of them); the larger file's import process may peak at no more
  than ONE_FILE_MEMORY_SLACK_MIB above the smaller's (files over VCDHUB_IMPORT_WHOLE_FILE_BYTES are checked
  and written in blocks: vcdhub.ingest.streaming). PostgreSQL, because on SQLite the database's own page
  cache lives in the importing process: it grows with the transaction up to its fixed size (256 MiB,
  ingest.writers.SQLITE_BULK_CACHE_KIB), which is bounded but would hide what the import itself holds.
- PostgreSQL: the explorer's filtered count, as an analyst gets it (crime.counts.counted_crimes: from the
  crime cells, restricted to the user), over all rows in under 300 ms, median of several runs, for each of
  a few realistic filters.

Environment:
    VCDHUB_SHARED_DATA   the shared data folder (default: <repo>/../shared/data)
    VCDHUB_BENCH_PG_URL  PostgreSQL URL of the benchmark database, dropped and recreated
                         (default: postgres://postgres:postgres@127.0.0.1:5432/vcdhub_bench)
    VCDHUB_BENCH_SQLITE  the SQLite file of the benchmark (default var/bench/bench.sqlite3)
    VCDHUB_BENCH_MONTHS  import only files whose name starts with one of these comma-separated
                         YYYY-MM prefixes (for a quick look; the targets need the full set)

Exit status: 0 if every target passes, 1 if any fails, 2 if the benchmark cannot run.
"""

import argparse
import csv
import datetime as dt
import gzip
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("VCDHUB_SHARED_DATA") or REPO.parent / "shared" / "data")
POLICE_UK = SHARED / "crime" / "police-uk"
BENCH_DIR = REPO / "var" / "bench"
SQLITE_PATH = Path(os.environ.get("VCDHUB_BENCH_SQLITE") or BENCH_DIR / "bench.sqlite3")
RESULTS_PATH = BENCH_DIR / ("results.json" if SQLITE_PATH.stem == "bench" else f"results-{SQLITE_PATH.stem}.json")
PG_URL = os.environ.get("VCDHUB_BENCH_PG_URL", "postgres://postgres:postgres@127.0.0.1:5432/vcdhub_bench")
VCDHUB = Path(sys.executable).with_name("vcdhub")

PG_RATIO_TARGET = 0.40
SQLITE_RATE_TARGET = 50_000
COUNT_TARGET_MS = 300.0
COUNT_RUNS = 9  # timed runs per filter, after one untimed warm-up run
ONE_FILE_MEMORY_SLACK_MIB = 64

# Realistic explorer filters, as the explorer's query string gives them.
FILTERS = [
    ("violence, 12 months", "crime_type=Violence+and+sexual+offences&month_from=2017-01&month_to=2017-12"),
    ("Westminster + burglary, 12 months",
     "borough=E09000033&crime_type=Burglary&month_from=2017-01&month_to=2017-12"),
    ("two types, 12 months", "crime_type=Robbery&crime_type=Theft+from+the+person&month_from=2016-07"
                             "&month_to=2017-06"),
    ("no filter", ""),
]


def die(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr)
    sys.exit(2)


def street_files() -> list[Path]:
    if not POLICE_UK.is_dir():
        die(f"shared data not found at {POLICE_UK}. The benchmark needs the real police.uk files: "
            "put the shared data folder next to the repo (../shared/data) or set VCDHUB_SHARED_DATA.")
    files = sorted(POLICE_UK.glob("*/*-metropolitan-street.csv.gz"))
    months = [m.strip() for m in os.environ.get("VCDHUB_BENCH_MONTHS", "").split(",") if m.strip()]
    if months:
        files = [f for f in files if f.name.startswith(tuple(months))]
    if not files:
        die(f"no *-metropolitan-street.csv.gz files under {POLICE_UK}")
    return files


# --- PostgreSQL housekeeping and the bare COPY baseline --------------------------------------------------


def pg_connect(url: str, **kwargs):
    import psycopg

    return psycopg.connect(url, **kwargs)


def with_dbname(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def recreate_pg_database(url: str) -> None:
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    if not name.startswith("vcdhub_bench"):
        die(f"refusing to drop {name!r}: the benchmark database's name must start with vcdhub_bench")
    with pg_connect(with_dbname(url, "postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def pg_checkpoint(url: str) -> None:
    """Flush dirty buffers so one phase's writes are not paid for by the next phase's timing."""
    with pg_connect(url, autocommit=True) as conn:
        conn.execute("CHECKPOINT")


# The 12 police.uk street columns as plain text: the baselines' table, with no indexes.
STREET_TEXT_COLUMNS = ("(crime_id text, month text, reported_by text, falls_within text, longitude text, "
                       "latitude text, location text, lsoa_code text, lsoa_name text, crime_type text, "
                       "last_outcome_category text, context text)")


def bare_copy(url: str, files: list[Path]) -> dict:
    """The floor: the same files read with the csv module and COPYed as raw text into an unindexed table."""
    with pg_connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_bare_copy")
        conn.execute(f"CREATE TABLE bench_bare_copy {STREET_TEXT_COLUMNS}")
    pg_checkpoint(url)
    rows = 0
    began = time.perf_counter()
    with pg_connect(url) as conn:
        for path in files:  # one transaction per file, as the pipeline commits each file
            text = gzip.decompress(path.read_bytes()).decode("utf-8-sig")
            reader = csv.reader(io.StringIO(text, newline=""))
            next(reader)
            with conn.transaction(), conn.cursor() as cur:
                with cur.copy("COPY bench_bare_copy FROM STDIN") as copy:
                    for fields in reader:
                        copy.write_row(fields)
                        rows += 1
    seconds = time.perf_counter() - began
    with pg_connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE bench_bare_copy")
    return {"rows": rows, "seconds": seconds, "rate": rows / seconds}


def raw_copy(url: str, files: list[Path]) -> dict:
    """For information: the files' own bytes streamed to COPY ... (FORMAT csv), no parsing in Python at all.

    This is the server's floor for the same rows; the target is measured against bare_copy, the row-by-row
    COPY of the same rows, and both are reported.
    """
    with pg_connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_raw_copy")
        conn.execute(f"CREATE TABLE bench_raw_copy {STREET_TEXT_COLUMNS}")
    pg_checkpoint(url)
    began = time.perf_counter()
    with pg_connect(url) as conn:
        for path in files:
            data = gzip.decompress(path.read_bytes())
            with conn.transaction(), conn.cursor() as cur:
                with cur.copy("COPY bench_raw_copy FROM STDIN (FORMAT csv, HEADER true)") as copy:
                    copy.write(data)
    seconds = time.perf_counter() - began
    with pg_connect(url, autocommit=True) as conn:
        rows = conn.execute("SELECT count(*) FROM bench_raw_copy").fetchone()[0]
        conn.execute("DROP TABLE bench_raw_copy")
    return {"rows": rows, "seconds": seconds, "rate": rows / seconds}


def pg_version(url: str) -> str:
    with pg_connect(url) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


# --- the pipeline, run in a child process per database ---------------------------------------------------


def run_child(database_url: str, *args: str, capture: bool = False) -> str:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "vcdhub.settings"}
    proc = subprocess.run(args, cwd=REPO, env=env, text=True, stdout=subprocess.PIPE if capture else None)
    if proc.returncode != 0:
        die(f"{' '.join(map(str, args))} failed with exit status {proc.returncode} (DATABASE_URL={database_url})")
    return proc.stdout if capture else ""


def worker(action: str, files: list[str]) -> None:
    """In the child: DATABASE_URL is set; print one JSON object on the last line of stdout."""
    import django

    django.setup()
    from django.db import connection

    if action == "import":
        from vcdhub.ingest.files import discover
        from vcdhub.ingest.pipeline import run_import

        sources = discover([Path(f) for f in files])
        summary = run_import([], sources=sources, actor="bench")
        totals = summary.totals()
        if not summary.ok:
            bad = [f"{f.name}: {f.errors[:3]}" for f in summary.files if f.status == "rejected"]
            print(f"bench: files rejected: {bad}", file=sys.stderr)
        import resource

        result = {"rows": totals["rows_imported"], "seconds": summary.seconds, "ok": summary.ok,
                  "files_imported": totals["files_imported"], "files": totals["files"],
                  # The import process's own peak resident memory (Linux reports KiB), Django and all.
                  "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    elif action == "count":
        from django.core.cache import cache
        from django.http import QueryDict

        from vcdhub.crime.counts import counted_crimes, usable
        from vcdhub.crime.models import Crime

        connection.ensure_connection()
        analyst = bench_analyst()
        result = {"vendor": connection.vendor, "total": Crime.objects.count(), "filters": [],
                  "as": "an analyst of the directorate (counts restricted as the explorer and counts API do)"}
        for label, query in FILTERS:
            params = QueryDict(query)
            times = []
            count = None
            try:
                for _ in range(COUNT_RUNS + 1):
                    cache.clear()  # time the database's work: a cached count (crime.cells.cached) costs nothing
                    began = time.perf_counter()
                    filterset, counted = counted_crimes(analyst, params or None)
                    count = counted.total()
                    times.append((time.perf_counter() - began) * 1000)
                    if not usable(filterset):
                        raise ValueError(f"the filter form is not valid: {filterset.errors.as_text()}")
            except Exception as exc:  # a broken filter is a result to report, not a reason to stop
                result["filters"].append({"label": label, "query": query, "error": f"{type(exc).__name__}: {exc}"})
                continue
            result["filters"].append({"label": label, "query": query, "count": count, "first_ms": times[0],
                                      "median_ms": statistics.median(times[1:]), "max_ms": max(times[1:])})
    elif action == "analyze":
        from vcdhub.crime.models import Crime

        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {Crime._meta.db_table}")
        result = {"seconds": time.perf_counter() - began}
    else:
        raise SystemExit(f"unknown worker action {action!r}")
    print(json.dumps(result))


def bench_analyst():
    """The user the explorer counts are timed as: counts go through the same restriction a user's do."""
    from django.contrib.auth import get_user_model

    from vcdhub.access.models import Membership, RoleAssignment, Unit
    from vcdhub.audit.context import acting_as

    with acting_as("bench"):
        user, _ = get_user_model().objects.get_or_create(username="bench-analyst")
        Membership.objects.get_or_create(user=user, unit=Unit.objects.get(code="vcd-analysts"))
        RoleAssignment.objects.get_or_create(user=user, role="analyst")
    return user


def child_json(database_url: str, action: str, files: list[Path] = ()) -> dict:
    out = run_child(database_url, sys.executable, __file__, "--worker", action, *map(str, files), capture=True)
    return json.loads(out.strip().splitlines()[-1])


def prepare(database_url: str) -> dict:
    """Migrate the fresh database and load the geography; timed for information, not in the import figure."""
    began = time.perf_counter()
    run_child(database_url, str(VCDHUB), "migrate", "--verbosity", "0")
    migrated = time.perf_counter()
    run_child(database_url, str(VCDHUB), "geography", "load", "--actor", "bench")
    return {"migrate_s": migrated - began, "geography_s": time.perf_counter() - migrated}


# --- the report --------------------------------------------------------------------------------------------


def joined_file(files: list[Path], path: Path) -> Path:
    """The street files as one CSV: one header, then every file's rows in order."""
    with path.open("wb") as out:
        for position, source in enumerate(files):
            with gzip.open(source, "rb") as f:
                header = f.readline()
                if position == 0:
                    out.write(header)
                for piece in iter(lambda: f.read(1 << 20), b""):
                    out.write(piece)
    return path


# The one-file measurement joins at most this many monthly files: two years of the Met, 316 MiB. Joining all
# 240 of `make bench-scale` would make a 3 GiB file, which the import refuses by design (larger than
# VCDHUB_IMPORT_MAX_FILE_BYTES, 1 GiB); what is measured (memory that does not grow with the file) is the same.
ONE_FILE_MONTHS = 24


def one_file_memory(files: list[Path]) -> list[dict]:
    """Peak memory importing one file of a quarter of the months, then one of all of them, up to ONE_FILE_MONTHS
    (PostgreSQL)."""
    measured = []
    url = with_dbname(PG_URL, f"{urlsplit(PG_URL).path.lstrip('/')}_one_file")
    files = files[:ONE_FILE_MONTHS]
    for share in (4, 1):
        chosen = files[: max(1, len(files) // share)]
        big = joined_file(chosen, BENCH_DIR / "one-file-street.csv")
        recreate_pg_database(url)
        prepare(url)
        result = child_json(url, "import", [big])
        if not result["ok"]:
            die("the one-file import rejected the file; see above")
        measured.append({"months": len(chosen), "mib": big.stat().st_size / 1024**2, "rows": result["rows"],
                         "peak_rss_mib": result["peak_rss_mib"], "seconds": result["seconds"]})
        big.unlink()
    return measured


def machine(pg_url: str) -> dict:
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    import sqlite3

    return {"date": dt.date.today().isoformat(), "nproc": os.cpu_count(), "memory_gib": round(mem_kb / 1024**2, 1),
            "cpu": cpu, "postgresql": pg_version(pg_url), "sqlite": sqlite3.sqlite_version,
            "python": platform.python_version()}


def load() -> float:
    return round(os.getloadavg()[0], 2)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(results: dict) -> bool:
    m = results["machine"]
    pg, sq, bare = results["postgresql"], results["sqlite"], results["bare_copy"]
    ratio = pg["rate"] / bare["rate"]
    checks = [
        ("PostgreSQL import vs bare COPY", f"{ratio:.0%} of {bare['rate']:,.0f} rows/s", f">= {PG_RATIO_TARGET:.0%}",
         ratio >= PG_RATIO_TARGET),
        ("SQLite import", f"{sq['rate']:,.0f} rows/s", f">= {SQLITE_RATE_TARGET:,} rows/s",
         sq["rate"] >= SQLITE_RATE_TARGET),
    ]
    one_file = results.get("one_file_memory")
    if one_file:
        small, large = one_file
        growth = large["peak_rss_mib"] - small["peak_rss_mib"]
        checks.append(("Import memory, one file x4 larger", f"{growth:+,.0f} MiB ({small['peak_rss_mib']:,.0f} -> "
                       f"{large['peak_rss_mib']:,.0f})", f"<= +{ONE_FILE_MEMORY_SLACK_MIB} MiB",
                       growth <= ONE_FILE_MEMORY_SLACK_MIB))
    # A count passes only if its median is under the target both straight after the import and after
    # VACUUM ANALYZE: the explorer is used in both states.
    for before, after in zip(results["pg_counts_before_analyze"]["filters"], results["pg_counts"]["filters"],
                             strict=True):
        label = f"PG count: {after['label']}"
        if "error" in before or "error" in after:
            checks.append((label, "error (see above)", f"< {COUNT_TARGET_MS:.0f} ms", False))
            continue
        worst = max(before["median_ms"], after["median_ms"])
        checks.append((label, f"{worst:.0f} ms (worse median)", f"< {COUNT_TARGET_MS:.0f} ms",
                       worst < COUNT_TARGET_MS))

    print()
    print(f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory_gib']} GiB; PostgreSQL {m['postgresql']}, "
          f"SQLite {m['sqlite']}, Python {m['python']}; {m['date']}")
    print(f"Data: {results['files']} Met street files, {bare['rows']:,} rows")
    print()
    print(f"{'import':<32}{'rows':>12}{'seconds':>10}{'rows/s':>12}")
    for label, r in (("bare psycopg COPY (baseline)", bare), ("PostgreSQL pipeline", pg), ("SQLite pipeline", sq)):
        print(f"{label:<32}{r['rows']:>12,}{r['seconds']:>10.1f}{r['rate']:>12,.0f}")
    peaks = [f"{name} {r['peak_rss_mib']:,.0f} MiB" for name, r in (("PostgreSQL", pg), ("SQLite", sq))
             if "peak_rss_mib" in r]
    print("Peak memory of the import process: " + ", ".join(peaks))
    for r in results.get("one_file_memory", []):
        print(f"One file of {r['months']} months ({r['mib']:,.0f} MiB, {r['rows']:,} rows) into PostgreSQL: "
              f"peak memory {r['peak_rss_mib']:,.0f} MiB, {r['seconds']:.1f} s")
    print(f"PostgreSQL pipeline / bare COPY: {ratio:.1%}")
    raw = results.get("raw_copy")
    if raw:
        print(f"For information: the files' bytes streamed to COPY (FORMAT csv), no parsing in Python: "
              f"{raw['seconds']:.1f} s, {raw['rate']:,.0f} rows/s; PostgreSQL pipeline / that: "
              f"{pg['rate'] / raw['rate']:.1%}")
    print("1-minute load average at the start and end of each timed import (other work on the machine slows "
          "the figures): " + ", ".join(f"{name} {r['load'][0]}->{r['load'][1]}" for name, r in
                                       (("bare COPY", bare), ("PostgreSQL", pg), ("SQLite", sq))))
    print(f"(untimed setup: PostgreSQL migrate {pg['setup']['migrate_s']:.1f} s + geography "
          f"{pg['setup']['geography_s']:.1f} s; SQLite migrate {sq['setup']['migrate_s']:.1f} s + geography "
          f"{sq['setup']['geography_s']:.1f} s)")
    for key, title in (("pg_counts_before_analyze", "straight after the import"),
                       ("pg_counts", "after VACUUM ANALYZE"), ("sqlite_counts", "SQLite, for information")):
        counts = results.get(key)
        if not counts:
            continue
        print()
        print(f"Explorer count as an analyst, counted_crimes(...).total() (the crime cells, cache cleared before each "
              f"run), {counts['total']:,} rows, {title}:")
        print(f"  {'filter':<36}{'count':>10}{'first ms':>10}{'median ms':>11}{'max ms':>9}")
        for f in counts["filters"]:
            if "error" in f:
                print(f"  {f['label']:<36}ERROR {f['error'][:200]}")
                continue
            print(f"  {f['label']:<36}{f['count']:>10,}{f['first_ms']:>10.1f}{f['median_ms']:>11.1f}"
                  f"{f['max_ms']:>9.1f}")
    print()
    width = max(len(c[0]) for c in checks) + 2
    print(f"{'target':<{width}}{'measured':<34}{'needed':<18}result")
    for label, measured, needed, ok in checks:
        print(f"{label:<{width}}{measured:<34}{needed:<18}{verdict(ok)}")
    passed = all(c[3] for c in checks)
    print()
    print(f"Overall: {verdict(passed)}. Results saved to {RESULTS_PATH.relative_to(REPO)}")
    return passed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("files", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.files)
        return

    files = street_files()
    if not VCDHUB.exists():
        die(f"{VCDHUB} not found; run `make install` first")
    for path in files:  # warm the OS file cache so that no phase pays for the first disk read
        path.read_bytes()
    try:
        recreate_pg_database(PG_URL)
    except Exception as exc:  # any failure to connect ends the run with its message
        die(f"cannot recreate the PostgreSQL benchmark database at {PG_URL}: {exc}")
    results: dict = {"machine": machine(PG_URL), "files": len(files)}
    print(f"Benchmark: {len(files)} Met street files from {POLICE_UK}", flush=True)

    print("PostgreSQL: migrate + geography (untimed) ...", flush=True)
    pg_setup = prepare(PG_URL)
    print("PostgreSQL: bare COPY baseline ...", flush=True)
    start_load = load()
    results["bare_copy"] = bare_copy(PG_URL, files)
    results["bare_copy"]["load"] = [start_load, load()]
    print("PostgreSQL: raw-bytes COPY (for information) ...", flush=True)
    results["raw_copy"] = raw_copy(PG_URL, files)
    pg_checkpoint(PG_URL)
    print("PostgreSQL: pipeline import ...", flush=True)
    start_load = load()
    pg = child_json(PG_URL, "import", files)
    pg["load"] = [start_load, load()]
    if not pg["ok"]:
        die("the PostgreSQL import rejected files; see above")
    pg["rate"] = pg["rows"] / pg["seconds"]
    pg["setup"] = pg_setup
    results["postgresql"] = pg
    print("PostgreSQL: explorer counts ...", flush=True)
    results["pg_counts_before_analyze"] = child_json(PG_URL, "count")
    results["pg_vacuum_analyze_s"] = child_json(PG_URL, "analyze")["seconds"]
    results["pg_counts"] = child_json(PG_URL, "count")

    pg_checkpoint(PG_URL)  # PostgreSQL's dirty pages are written now, not during the SQLite import
    os.sync()
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
    sqlite_url = f"sqlite:///{SQLITE_PATH}"
    print("SQLite: migrate + geography (untimed) ...", flush=True)
    sq_setup = prepare(sqlite_url)
    print("SQLite: pipeline import ...", flush=True)
    start_load = load()
    sq = child_json(sqlite_url, "import", files)
    sq["load"] = [start_load, load()]
    if not sq["ok"]:
        die("the SQLite import rejected files; see above")
    sq["rate"] = sq["rows"] / sq["seconds"]
    sq["setup"] = sq_setup
    results["sqlite"] = sq
    print("SQLite: explorer counts ...", flush=True)
    results["sqlite_counts"] = child_json(sqlite_url, "count")
    print("PostgreSQL: one-file imports, for memory ...", flush=True)
    results["one_file_memory"] = one_file_memory(files)

    RESULTS_PATH.write_text(json.dumps(results, indent=2))
    passed = report(results)
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
