"""Recovery after a killed load: put the database back as a finished load leaves it. Idempotent.

A bulk load drops the crime table's secondary indexes and (PostgreSQL) foreign keys and the crime cells'
triggers and key index, and puts them back as it ends; a load killed before its end leaves them out, and
the planner without fresh statistics. Every file is still all-or-nothing (its own transaction), so the rows
are whole; only what the load deferred is missing. `recover` runs at the start of every import, after every
migrate (ingest.apps) and at the server's start (`vcdhub serve`), through the module registry.

On PostgreSQL the index builds of a killed load run on connections of their own, which the server may carry
on with for a while after the load died: recovery waits for them (a build of the same index at the same time
would fail on the catalogue's unique key), and an index left invalid is dropped and built again.
"""

import time

from django.db import connection

from vcdhub.crime import cells
from vcdhub.crime.models import Crime, Outcome, StopSearch
from vcdhub.ingest.writers import INDEX_BUILDER, analyze, ensure_indexes

ORPHAN_WAIT_SECONDS = 600


def recover() -> list[str]:
    """What had to be put back ("index:...", "fk:...", "crime cells", "planner statistics"); [] when nothing
    was missing, after one look at the table's constraints and the cells' triggers."""
    if connection.in_atomic_block:  # index DDL cannot run inside a caller's transaction on SQLite
        return []
    if Crime._meta.db_table not in connection.introspection.table_names():
        return []  # before the first migrate
    done = []
    if connection.vendor == "postgresql":
        _wait_for_orphaned_builds()
        done += _drop_invalid_indexes(Crime)
    done += ensure_indexes(Crime)
    if cells.ensure():
        done.append("crime cells")
    if done:
        analyze(Crime, Outcome, StopSearch)  # a killed load never reached its ANALYZE
        done.append("planner statistics")
    return done


def _wait_for_orphaned_builds() -> None:
    """Wait for index builds still running for a load whose process is gone (their connections are named).
    Each ends by itself; waiting, rather than cancelling, keeps an index that is nearly built."""
    deadline = time.monotonic() + ORPHAN_WAIT_SECONDS
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s AND state <> 'idle' "
                           "AND pid <> pg_backend_pid()", [INDEX_BUILDER])
            if not cursor.fetchone()[0]:
                return
            time.sleep(0.2)


def _drop_invalid_indexes(model) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "JOIN pg_class t ON t.oid = x.indrelid WHERE t.relname = %s AND NOT x.indisvalid",
            [model._meta.db_table])
        invalid = [name for (name,) in cursor.fetchall()]
        for name in invalid:
            cursor.execute(f"DROP INDEX IF EXISTS {connection.ops.quote_name(name)}")
    return [f"invalid index dropped: {name}" for name in invalid]
