"""The crime cells: counts of crime records by month, force, crime type, owning unit, marking and place
(CrimeCell), kept exact by database triggers on the crime table.

Counting 1.42M rows under a user's restriction reads every row's marking and unit (about 0.5 s on
PostgreSQL); summing their 0.5M cells takes a tenth of that. Triggers, rather than code in each writer, keep
the cells right whoever writes: the import's COPY, supersession's DELETE, relinking's UPDATE, an edit in the
web app, a cascade from a deleted batch, or a hand-written SQL statement. They run in the writer's
transaction, so the cells never disagree with committed rows.

- PostgreSQL: statement-level triggers with transition tables, so a COPY of 60,000 rows updates the cells
  once, grouped, not 60,000 times.
- SQLite has row-level triggers only: one upsert per row (about 2.5 microseconds).

A bulk load defers them (`deferred`), as it defers the crime table's indexes: the triggers and the cells'
key index are dropped, and each file's transaction adds the cells of the rows it wrote, grouped in Python
(`add_rows`), after forgetting the cells of any period it replaced (`forget_periods`). The writer asks
`maintained_by_triggers()` to know which applies. At the end the key index is built once and the triggers
go back. This keeps the cells exact file by file at a fraction of the triggers' cost in a bulk load (on
PostgreSQL the statement trigger added about 0.3 s to each 56,000-row file; docs/benchmarks.md). Should the
triggers be missing outside a load (a killed load, a restore without them, a table rebuilt by a migration),
`ensure`, run at the start of every import and after every migrate, counts every cell again and puts them
back: idempotent, and cheap when nothing is missing.
"""

# ruff: noqa: S608 - every name in this SQL comes from the models and the constants below, never from input

import hashlib
from contextlib import contextmanager
from dataclasses import dataclass

import polars as pl
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import IntegrityError, connection, transaction

from vcdhub.crime.models import Crime, CrimeCell, CrimeCellBorough, CrimeCellWard

CRIMES = Crime._meta.db_table
# The dimensions, in the unique key's order: month first, so a month range reads part of the index, then the
# LSOA, which tells most cells apart before any text is compared (the index builds in half the time).
DIMENSIONS = ("month", "lsoa_id", "crime_type", "ward_id", "borough_id", "reported_by", "owner_unit_id",
              "sensitivity")
NULLABLE = {"lsoa_id", "ward_id", "borough_id"}  # unplaced records; -1 in the key, so NULLs compare equal
# The triggers' names carry the version of what they keep: a change to the cells (a new column, a new rule, a
# new table) raises it, and `ensure` then finds the triggers "missing", and counts every cell again.
VERSION = 5
TRIGGERS = tuple(f"crime_cells_{event}_v{VERSION}" for event in ("insert", "delete", "update"))
OLDER_TRIGGERS = ("crime_cells_insert", "crime_cells_delete", "crime_cells_update",  # version 1
                  *(f"crime_cells_{event}_v{v}" for v in (2, 3, 4) for event in ("insert", "delete", "update")))
# PostgreSQL: a one-row table whose number changes, in the writer's transaction, with every change to the
# cells, so that an aggregate read from them can be cached under it (`cached`) and never be stale. The
# numbers come from a sequence, which a rollback does not take back: no number is ever used for two states.
DATA_VERSION = "crime_cells_version"
TRUNCATED = f"crime_cells_truncated_v{VERSION}"
OLDER_TRUNCATED = ("crime_cells_truncated_v3", "crime_cells_truncated_v4")


@dataclass(frozen=True)
class CellTable:
    """One table of counts: the cells, or a coarser copy of them without the LSOA (and the ward), which
    answers most questions from far fewer rows. The same triggers keep all of them."""

    model: type
    dimensions: tuple[str, ...]
    key_index: str

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    @property
    def columns(self) -> str:
        return ", ".join(self.dimensions)

    @property
    def key(self) -> str:
        return ", ".join(f"(coalesce({d}, -1))" if d in NULLABLE else d for d in self.dimensions)

    def matches(self, left: str, right: str) -> str:
        """SQL: the cell `left` has the key of `right` (NULL areas equal, through the key's -1)."""
        return " AND ".join(f"coalesce({left}.{d}, -1) = coalesce({right}.{d}, -1)" if d in NULLABLE
                            else f"{left}.{d} = {right}.{d}" for d in self.dimensions)

    def key_index_sql(self) -> str:
        return f"CREATE UNIQUE INDEX IF NOT EXISTS {self.key_index} ON {self.table} ({self.key})"


def _without(*names: str) -> tuple[str, ...]:
    return tuple(d for d in DIMENSIONS if d not in names)


CELLS = CellTable(CrimeCell, DIMENSIONS, "crime_cell_key")
TABLES = (CELLS,
          CellTable(CrimeCellWard, _without("lsoa_id"), "crime_cellward_key"),
          CellTable(CrimeCellBorough, _without("lsoa_id", "ward_id"), "crime_cellborough_key"))
KEY_INDEX = CELLS.key_index


def holds(model, *fields: str) -> bool:
    """Whether the table of counts `model` has every one of `fields` ("ward_id", "crime_type")."""
    table = next(t for t in TABLES if t.model is model)
    return all(name in table.dimensions or name in ("records", "key_sum") for name in fields)


def smallest_model(*fields: str):
    """The model of the smallest table of counts that has every one of `fields` ("ward_id", "lsoa_id")."""
    return next((t.model for t in reversed(TABLES) if holds(t.model, *fields)), CELLS.model)


def key_index_sqls() -> tuple[str, ...]:
    return tuple(t.key_index_sql() for t in TABLES)


# --- PostgreSQL: statement-level triggers -------------------------------------------------------------------

_grouped = "(SELECT {columns}, count(*) AS n, sum(record_key) AS k FROM {rows} GROUP BY {columns}) AS {alias}"


def _pg_add(rows: str) -> str:
    return "".join(
        f"INSERT INTO {t.table} AS cell ({t.columns}, records, key_sum) "
        f"SELECT {t.columns}, count(*), sum(record_key) FROM {rows} GROUP BY {t.columns} "
        f"ON CONFLICT ({t.key}) DO UPDATE SET records = cell.records + excluded.records, "
        f"key_sum = cell.key_sum + excluded.key_sum;" for t in TABLES)


def _pg_subtract(rows: str) -> str:
    statements = []
    for t in TABLES:
        gone = _grouped.format(columns=t.columns, rows=rows, alias="gone")
        keys = f"(SELECT DISTINCT {t.columns} FROM {rows}) AS gone"
        statements.append(
            f"UPDATE {t.table} AS cell SET records = cell.records - gone.n, key_sum = cell.key_sum - gone.k "
            f"FROM {gone} WHERE {t.matches('cell', 'gone')};"
            f"DELETE FROM {t.table} AS cell USING {keys} WHERE {t.matches('cell', 'gone')} AND cell.records <= 0;")
    return "".join(statements)


def _pg_changed(side: str) -> str:
    """Rows of an UPDATE whose key changed, as they were (`removed`) or are (`added`); others cost nothing."""
    other = "added" if side == "removed" else "removed"
    differs = " OR ".join(f"{side}.{d} IS DISTINCT FROM {other}.{d}" for d in (*DIMENSIONS, "record_key"))
    return f"(SELECT {side}.* FROM {side} JOIN {other} ON {other}.id = {side}.id WHERE {differs}) AS changed"


def _pg_function(name: str, body: str) -> str:
    return (f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {body} IF {_NOT_YET_BUMPED} THEN {_BUMP} END IF; RETURN NULL; END $$;")


# Once per writing transaction, not once per statement: every update of the one version row adds a row version
# that later updates in the same transaction walk past, and holds a lock to the end. Once is enough, because
# readers inside a transaction that has written the cells do not use the cache (`data_version`).
_BUMPED = "vcdhub.cells_version_bumped"
_NOT_YET_BUMPED = f"current_setting('{_BUMPED}', true) IS DISTINCT FROM txid_current()::text"
_BUMP = (f"UPDATE {DATA_VERSION} SET n = nextval('{DATA_VERSION}_seq'); "
         f"PERFORM set_config('{_BUMPED}', txid_current()::text, true);")


def _pg_version_table() -> list[str]:
    return [f"CREATE SEQUENCE IF NOT EXISTS {DATA_VERSION}_seq",
            f"CREATE TABLE IF NOT EXISTS {DATA_VERSION} (id int PRIMARY KEY CHECK (id = 1), n bigint NOT NULL)",
            f"INSERT INTO {DATA_VERSION} (id, n) VALUES (1, nextval('{DATA_VERSION}_seq')) ON CONFLICT (id) DO NOTHING"]


def _pg_install() -> list[str]:
    insert, delete, update = TRIGGERS
    return [
        *_pg_version_table(),
        _pg_function(insert, _pg_add("added")),
        _pg_function(delete, _pg_subtract("removed")),
        _pg_function(update, _pg_subtract(_pg_changed("removed")) + _pg_add(_pg_changed("added"))),
        f"CREATE TRIGGER {insert} AFTER INSERT ON {CRIMES} REFERENCING NEW TABLE AS added "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {insert}()",
        f"CREATE TRIGGER {delete} AFTER DELETE ON {CRIMES} REFERENCING OLD TABLE AS removed "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {delete}()",
        f"CREATE TRIGGER {update} AFTER UPDATE ON {CRIMES} REFERENCING OLD TABLE AS removed "
        f"NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION {update}()",
        # Emptying the cells (a rebuild, a test database's flush) is a change too.
        _pg_function(TRUNCATED, ""),
        f"CREATE TRIGGER {TRUNCATED} AFTER TRUNCATE ON {CELLS.table} FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {TRUNCATED}()",
    ]


# --- SQLite: row-level triggers -------------------------------------------------------------------------------


def _sqlite_add(row: str) -> str:
    return "".join(
        f"INSERT INTO {t.table} ({t.columns}, records, key_sum) "
        f"VALUES ({', '.join(f'{row}.{d}' for d in t.dimensions)}, 1, {row}.record_key) "
        f"ON CONFLICT ({t.key}) DO UPDATE SET records = records + 1, key_sum = key_sum + {row}.record_key;"
        for t in TABLES)


def _sqlite_subtract(row: str) -> str:
    return "".join(
        f"UPDATE {t.table} SET records = records - 1, key_sum = key_sum - {row}.record_key "
        f"WHERE {t.matches(t.table, row)};"
        f"DELETE FROM {t.table} WHERE {t.matches(t.table, row)} AND records <= 0;" for t in TABLES)


def _sqlite_install() -> list[str]:
    insert, delete, update = TRIGGERS
    changed = " OR ".join(f"old.{d} IS NOT new.{d}" for d in (*DIMENSIONS, "record_key"))
    return [
        f"CREATE TRIGGER {insert} AFTER INSERT ON {CRIMES} BEGIN {_sqlite_add('new')} END",
        f"CREATE TRIGGER {delete} AFTER DELETE ON {CRIMES} BEGIN {_sqlite_subtract('old')} END",
        f"CREATE TRIGGER {update} AFTER UPDATE OF {CELLS.columns}, record_key ON {CRIMES} WHEN {changed} "
        f"BEGIN {_sqlite_subtract('old')} {_sqlite_add('new')} END",
    ]


# --- keeping them --------------------------------------------------------------------------------------------


def triggers_present() -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname = ANY(%s)",
                           [CRIMES, list(TRIGGERS)])
        else:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s "
                           "AND name IN (%s, %s, %s)", [CRIMES, *TRIGGERS])
        return cursor.fetchone()[0] == len(TRIGGERS)


def maintained_by_triggers() -> bool:
    """True when the triggers keep the cells; False while a bulk load defers them (the writer adds its rows'
    cells itself, with forget_periods and add_rows)."""
    return triggers_present()


def drop_triggers() -> None:
    """Drop the triggers, of this version and of older ones."""
    with connection.cursor() as cursor:
        for name in (*TRIGGERS, *OLDER_TRIGGERS):
            on = f" ON {CRIMES}" if connection.vendor == "postgresql" else ""
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}{on}")
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")
        if connection.vendor == "postgresql":
            for name in (TRUNCATED, *OLDER_TRUNCATED):
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {CELLS.table}")
                cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")


def rebuild() -> int:
    """Every cell counted again from the rows, with the triggers back; in one transaction. Returns the
    number of cells."""
    with transaction.atomic(), connection.cursor() as cursor:
        drop_triggers()
        if connection.vendor == "postgresql":
            # Writers wait until the recount and its triggers are in place, so none is missed in between.
            cursor.execute(f"LOCK TABLE {CRIMES} IN SHARE ROW EXCLUSIVE MODE")
        # Emptied and refilled without their key indexes, which are built once at the end: much faster than
        # deleting and inserting half a million indexed rows. The coarser tables are grouped from the cells.
        for t in TABLES:
            cursor.execute(f"DROP INDEX IF EXISTS {t.key_index}")
            cursor.execute(f"TRUNCATE {t.table}" if connection.vendor == "postgresql" else f"DELETE FROM {t.table}")
        cursor.execute(f"INSERT INTO {CELLS.table} ({CELLS.columns}, records, key_sum) "
                       f"SELECT {CELLS.columns}, count(*), sum(record_key) FROM {CRIMES} GROUP BY {CELLS.columns}")
        cells = cursor.rowcount
        for t in TABLES[1:]:
            cursor.execute(f"INSERT INTO {t.table} ({t.columns}, records, key_sum) "
                           f"SELECT {t.columns}, sum(records), sum(key_sum) FROM {CELLS.table} GROUP BY {t.columns}")
        _install(cursor)
        _bump(cursor)
        _analyze(cursor)
    return cells


def _analyze(cursor) -> None:
    """Fresh planner statistics after refilling: without them PostgreSQL guessed 13 cells for 130,000."""
    for t in TABLES:
        cursor.execute(f"ANALYZE {t.table}")


def _bump(cursor) -> None:
    """A change the triggers did not make (a bulk load's own counting, a rebuild): a new data version."""
    if connection.vendor == "postgresql":
        for statement in _pg_version_table():
            cursor.execute(statement)
        cursor.execute(f"SELECT {_NOT_YET_BUMPED}")
        if cursor.fetchone()[0]:
            cursor.execute(f"UPDATE {DATA_VERSION} SET n = nextval('{DATA_VERSION}_seq')")
            cursor.execute(f"SELECT set_config('{_BUMPED}', txid_current()::text, true)")


def data_version() -> int | None:
    """The cells' data version (PostgreSQL), or None where none is kept (SQLite, or not installed yet), or
    where it cannot be trusted: inside a transaction that has itself changed the cells (its later writes would
    not change the version again, so nothing it reads may be cached)."""
    if connection.vendor != "postgresql":
        return None
    # Within one GET (or HEAD) request, which changes no records, the version read first serves the request's
    # other counts (a page asked it once per count). Inside a transaction block it is read every time, and the
    # request's reading forgotten: a block may change the cells. Another process's change meanwhile only means
    # this request's answers, from the newer rows, may be kept under the older version, which no later request
    # asks for.
    if connection.in_atomic_block:
        connection._vcdhub_request_version = None
        return _read_data_version()
    memo = getattr(connection, "_vcdhub_request_version", None)
    if memo is not None:
        return memo
    version = _read_data_version()
    if getattr(connection, "_vcdhub_safe_request", False):
        connection._vcdhub_request_version = version
    return version


def request_started(environ=None, **kwargs) -> None:
    safe = (environ or {}).get("REQUEST_METHOD") in ("GET", "HEAD")
    connection._vcdhub_safe_request, connection._vcdhub_request_version = safe, None


def request_finished(**kwargs) -> None:
    connection._vcdhub_safe_request, connection._vcdhub_request_version = False, None


def _read_data_version() -> int | None:
    with connection.cursor() as cursor:
        # The table is made once (migrate, or the triggers' install) and never dropped: once seen on this
        # connection it is not looked for again, so a cached count costs one small query, not two.
        if not getattr(connection, "_vcdhub_has_cells_version", False):
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [DATA_VERSION])
            if not cursor.fetchone()[0]:
                return None
            connection._vcdhub_has_cells_version = True
        cursor.execute(f"SELECT n, coalesce(current_setting('{_BUMPED}', true), '') = "
                       f"coalesce(txid_current_if_assigned()::text, '-') FROM {DATA_VERSION} WHERE id = 1")
        row = cursor.fetchone()
    return None if row is None or row[1] else row[0]


def cached(queryset, what: str, compute):
    """`compute()`, an aggregate of `queryset` (a queryset of cells), cached under the cells' data version.

    The key is the version and the queryset's own SQL and parameters, so a cached answer is shared only by
    requests that ask the database exactly the same question, restriction included. The version is read
    first, in the same transaction as any later write could only raise it: an answer is never stored under
    a version older than the data it was computed from, so no reader gets a stale one. Without a version
    (SQLite) nothing is cached.
    """
    version = data_version()
    if version is None:
        return compute()
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # .none(): nothing to ask the database, nothing to cache
        return compute()
    key = "cells:" + hashlib.sha256(f"{version}|{what}|{sql}|{params!r}".encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, CACHE_SECONDS)
    return found


CACHE_SECONDS = 3600


def _install(cursor) -> None:
    for statement in key_index_sqls():
        cursor.execute(statement)
    drop_triggers()
    for statement in _pg_install() if connection.vendor == "postgresql" else _sqlite_install():
        cursor.execute(statement)


@contextmanager
def deferred():
    """A bulk load: no triggers and no key index while it runs (the writer keeps the cells, file by file);
    then the key index is built once and the triggers go back. Should the key index find two cells with one
    key (a write the load did not count, made while it ran), every cell is counted again instead."""
    with transaction.atomic(), connection.cursor() as cursor:
        drop_triggers()
        for t in TABLES:
            cursor.execute(f"DROP INDEX IF EXISTS {t.key_index}")
    try:
        yield
    finally:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                _install(cursor)
                _analyze(cursor)
        except IntegrityError:
            rebuild()


def forget_periods(periods) -> None:
    """Drop the cells of (force, YYYY-MM-01) periods whose rows were all deleted (supersession), while the
    triggers are deferred."""
    with connection.cursor() as cursor:
        for force, month in periods:
            for t in TABLES:
                cursor.execute(f"DELETE FROM {t.table} WHERE reported_by = %s AND month = %s", [force, month])
        _bump(cursor)


def add_rows(rows: pl.DataFrame) -> int:
    """Count rows just written while the triggers are deferred: `rows` has a column per dimension (the crime
    table's column names; month as YYYY-MM-DD text) and `record_key`. Returns the number of cells written."""
    if not rows.height:
        return 0
    written = 0
    with connection.cursor() as wrapper:
        for t in TABLES:
            grouped = rows.group_by(list(t.dimensions)).agg(records=pl.len(), key_sum=pl.col("record_key").sum())
            grouped = grouped.select(*t.dimensions, "records", "key_sum")
            columns = f"{t.columns}, records, key_sum"
            if connection.vendor == "postgresql":
                with wrapper.cursor.copy(f"COPY {t.table} ({columns}) FROM STDIN (FORMAT csv)") as copy:
                    copy.write(grouped.write_csv(include_header=False, quote_style="necessary").encode())
            else:
                placeholders = ", ".join(["%s"] * (len(t.dimensions) + 2))
                wrapper.executemany(f"INSERT INTO {t.table} ({columns}) VALUES ({placeholders})", grouped.rows())
            written += grouped.height if t is CELLS else 0
        _bump(wrapper)
    return written


def ensure() -> bool:
    """Put the triggers back and recount, if a killed bulk load left them out. True if it had to."""
    if triggers_present():
        return False
    rebuild()
    return True


def drift() -> list[tuple]:
    """Keys whose cell, in any of the tables, does not hold the count and key sum of its rows (for checks and
    tests): (table, key..., cell's count, rows' count, cell's key sum, rows' key sum).

    Both sides are grouped by the database and compared here: a join between the rows and the cells on the
    keys' coalesced areas could use no index on SQLite, and took seconds on a few months of rows."""
    found = []
    with connection.cursor() as cursor:
        for t in TABLES:
            cursor.execute(f"SELECT {t.columns}, count(*), sum(record_key) FROM {CRIMES} GROUP BY {t.columns}")
            rows = {tuple(row[:-2]): row[-2:] for row in cursor.fetchall()}
            cursor.execute(f"SELECT {t.columns}, records, key_sum FROM {t.table}")
            held = {tuple(row[:-2]): row[-2:] for row in cursor.fetchall()}
            for key, (n, k) in rows.items():
                records, key_sum = held.get(key, (None, None))
                if (records, key_sum) != (n, k):
                    found.append((t.table, *key, records or 0, n, key_sum, k))
            found += [(t.table, *key, records, 0, key_sum, 0) for key, (records, key_sum) in held.items()
                      if key not in rows]
    return found
