"""Crash-safe loads (issue 10): a real bulk load, killed (SIGKILL, as `kill -9`) at several points, leaves a
database that the next import, `migrate` or the server's start-up check puts back whole and usable.

The load runs as `vcdhub import --bulk` in a subprocess against the test database; VCDHUB_CRASH_AT names the
point where it kills itself (platform.crashpoints).
"""

import os
import subprocess
import sys

import pytest
from django.db import connection

from tests.conftest import database_url
from vcdhub.crime import cells
from vcdhub.crime.models import Crime, ImportBatch
from vcdhub.ingest.pipeline import run_import
from vcdhub.ingest.recovery import recover

MONTHS = ("2017-05", "2017-06", "2017-07")
# Where the load dies, and what puts the database back afterwards.
CASES = [
    ("load:deferred", "import"),         # indexes, foreign keys, cell triggers and key index just dropped
    ("file:written", "migrate"),         # mid-file, before its commit: the file must leave no row
    ("file:committed", "serve"),         # one file in, the rest not
    ("indexes:rebuilding", "import"),    # every file in, nothing rebuilt yet
    ("indexes:one-rebuilt", "serve"),    # part of the indexes rebuilt (on PostgreSQL, others still building)
]


def _constraints() -> dict:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, Crime._meta.db_table)
    return {name: (tuple(c["columns"]), c["unique"], c["index"], bool(c["foreign_key"])) for name, c in found.items()}


def _cli(*args, crash_at: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url()}
    env.pop("VCDHUB_CRASH_AT", None)
    if crash_at:
        env["VCDHUB_CRASH_AT"] = crash_at
    return subprocess.run([sys.executable, "-m", "vcdhub.cli", *args], capture_output=True, text=True, env=env,
                          timeout=600)


def _whole() -> None:
    """Every batch holds exactly its file's rows (each file all or nothing), and the cells match the rows."""
    for batch in ImportBatch.objects.filter(superseded_by__isnull=True):
        assert Crime.objects.filter(batch=batch).count() == batch.rows, batch
    assert Crime.objects.filter(batch__isnull=True).count() == 0
    assert cells.triggers_present()
    assert cells.drift() == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("point, recovery", CASES, ids=[point for point, _ in CASES])
def test_a_bulk_load_killed_at_any_point_leaves_a_database_that_recovery_makes_whole(point, recovery, london,
                                                                                   demo_file):
    files = [demo_file(month, "metropolitan-street") for month in MONTHS]
    assert run_import([demo_file("2017-04", "metropolitan-street")], actor="test").ok  # data before the load
    intact = _constraints()

    killed = _cli("import", "--bulk", *map(str, files), crash_at=point)
    assert killed.returncode == -9, (killed.stdout, killed.stderr)
    written = ImportBatch.objects.count() - 1
    if point == "load:deferred" or point == "file:written":
        assert written == 0  # a file killed before its commit leaves no batch and no row
    if point == "file:written":
        assert Crime.objects.count() == ImportBatch.objects.get().rows
    if point != "file:committed" or connection.vendor == "sqlite":
        assert _constraints() != intact or point == "indexes:one-rebuilt"  # the load had deferred something

    if recovery == "import":
        again = _cli("import", "--bulk", *map(str, files))
        assert again.returncode == 0, again.stdout + again.stderr
    elif recovery == "migrate":
        done = _cli("migrate", "--verbosity", "0")
        assert done.returncode == 0, done.stderr
    else:
        check = _cli("serve", "--check-only")
        assert check.returncode == 0, check.stderr
        assert "start-up check: ingest: repaired" in check.stdout
    assert _constraints() == intact
    _whole()
    assert recover() == []  # idempotent: nothing left to do

    # Usable: the load can be finished, and a second run changes nothing.
    first = run_import(files, actor="test")
    assert first.ok
    second = run_import(files, actor="test")
    assert [f.status for f in second.files] == ["unchanged"] * len(files)
    assert ImportBatch.objects.filter(superseded_by__isnull=True).count() == len(MONTHS) + 1
    _whole()
    if connection.vendor == "postgresql":  # the planner has statistics again
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [Crime._meta.db_table])
            assert cursor.fetchone()[0] > 0


@pytest.mark.django_db(transaction=True)
def test_recovery_with_nothing_to_do_changes_nothing(london, street_sample):
    assert run_import([street_sample(50)], actor="test").ok
    intact = _constraints()
    assert recover() == []
    assert _constraints() == intact
