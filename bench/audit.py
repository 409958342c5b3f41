"""Audit cost: time per audited read, and how much the audit table grows per 100,000 reads.

Runs against a scratch database per engine (SQLite under var/bench/, PostgreSQL database
vcdhub_bench_audit), migrated fresh:

    .venv/bin/python bench/audit.py [--engine sqlite|postgres|both] [--reads 100000]
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("PG_URL", "postgres://postgres:postgres@127.0.0.1:5432/postgres")
PG_BENCH = PG_ADMIN.rsplit("/", 1)[0] + "/vcdhub_bench_audit"


def run_engine(engine: str, reads: int) -> None:
    """Re-run this script for one engine in a child process with DATABASE_URL set (settings read it once)."""
    env = dict(os.environ)
    if engine == "sqlite":
        path = ROOT / "var" / "bench" / "audit.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{path}"
    else:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS vcdhub_bench_audit")
            conn.execute("CREATE DATABASE vcdhub_bench_audit")
        env["DATABASE_URL"] = PG_BENCH
    subprocess.run([sys.executable, __file__, "--child", engine, "--reads", str(reads)], env=env, check=True)


def table_bytes(engine: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        if engine == "postgres":
            cursor.execute("SELECT pg_total_relation_size('audit_auditentry')")
            return cursor.fetchone()[0]
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.execute("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'audit_auditentry%' OR name IN "
                       "(SELECT name FROM sqlite_master WHERE tbl_name = 'audit_auditentry')")
        return cursor.fetchone()[0] or 0


def child(engine: str, reads: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vcdhub.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from vcdhub.audit.chain import verify
    from vcdhub.audit.context import acting_as
    from vcdhub.audit.log import record_reads
    from vcdhub.crime.models import Crime, ImportBatch

    call_command("migrate", verbosity=0)
    now = timezone.now()
    with acting_as("bench:setup"):
        batch = ImportBatch.objects.create(file_name="bench", source="bench", sha256="0" * 64, kind="street",
                                           force="bench", month="2017-07-01", rows=1, imported_by="bench",
                                           started_at=now, finished_at=now)
        crime = Crime.objects.create(month="2017-07-01", reported_by="Metropolitan Police Service",
                                     crime_type="Robbery", batch=batch, owner_unit_id="csu",
                                     sensitivity="OFFICIAL-SENSITIVE", location="On or near a benchmark street")

    # 1. One read at a time, as a detail view or an API fetch records it (its own transaction each).
    singles = 2000
    timings = []
    with acting_as("user:bench-reader", request_id="bench"):
        for _ in range(singles):
            start = time.perf_counter()
            record_reads([crime], "view")
            timings.append(time.perf_counter() - start)
    per_read_ms = statistics.median(timings) * 1000
    p95_ms = sorted(timings)[int(0.95 * len(timings))] * 1000

    # 2. Growth: `reads` more reads, appended as an export records them (1,000 rows to a transaction).
    before = table_bytes(engine)
    start = time.perf_counter()
    with acting_as("user:bench-reader", request_id="bench-export"):
        for _ in range(reads // 1000):
            record_reads([crime] * 1000, "export")
    bulk_seconds = time.perf_counter() - start
    growth = table_bytes(engine) - before

    start = time.perf_counter()
    result = verify()
    verify_seconds = time.perf_counter() - start
    assert result.ok, result.problem
    print(f"{engine}: audited read, one at a time: median {per_read_ms:.2f} ms, p95 {p95_ms:.2f} ms "
          f"({singles} reads)")
    print(f"{engine}: {reads:,} reads appended in batches of 1,000: {bulk_seconds:.1f} s "
          f"({bulk_seconds / reads * 1e6:.0f} µs a read); table growth {growth / 1e6:.1f} MB "
          f"({growth / reads:.0f} bytes a read, indexes included)")
    print(f"{engine}: verify walked {result.checked:,} entries in {verify_seconds:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--reads", type=int, default=100_000)
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.child:
        child(args.child, args.reads)
        return
    for engine in (["sqlite", "postgres"] if args.engine == "both" else [args.engine]):
        run_engine(engine, args.reads)


if __name__ == "__main__":
    main()
