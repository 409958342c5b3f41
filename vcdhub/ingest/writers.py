"""Bulk writes: COPY on PostgreSQL, executemany on SQLite. Both run inside the caller's transaction."""

import queue
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor

import polars as pl
from django.db import connection, transaction
from psycopg.copy import QueuedLibpqWriter

from vcdhub.platform import crashpoints

# SQLite page cache, in KiB, while a bulk insert's transaction is open. The default (settings.py, 64 MiB)
# is smaller than the indexes of a large crime table, and the crime_id index takes its rows in random order:
# with the small cache, pages are spilled to the WAL mid-transaction and written again. Only pages in use
# take memory; the connection's own size comes back once the transaction commits.
SQLITE_BULK_CACHE_KIB = 256 * 1024
COPY_SLICE_ROWS = 8_192


def bulk_insert(table: str, columns: Sequence[str], rows: Iterable[tuple]) -> int:
    if connection.vendor == "postgresql":
        return _copy(table, columns, rows)
    return _sqlite_insert(table, columns, rows)


def bulk_insert_frame(table: str, frame: pl.DataFrame) -> int:
    """Insert a whole frame whose column names are the table's; null is NULL, "" stays an empty string."""
    if connection.vendor != "postgresql":
        columns = frame.columns
        return _sqlite_insert(table, columns, zip(*(frame[name].to_list() for name in columns), strict=True))
    quoted = ", ".join(connection.ops.quote_name(c) for c in frame.columns)
    sql = f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN (FORMAT csv)"
    with connection.cursor() as wrapper:
        raw = wrapper.cursor
        # The queued writer sends from its own thread, so the next slice is written as CSV (polars, without
        # the GIL) while the server reads the last one.
        with raw.copy(sql, writer=QueuedLibpqWriter(raw)) as copy:
            for start in range(0, frame.height, COPY_SLICE_ROWS):
                # In COPY's CSV format an unquoted empty field is NULL and "" is an empty string, which is how
                # polars writes them.
                piece = frame.slice(start, COPY_SLICE_ROWS).write_csv(include_header=False, quote_style="necessary")
                copy.write(piece.encode())
    return frame.height


def _copy(table: str, columns: Sequence[str], rows: Iterable[tuple]) -> int:
    count = 0
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as wrapper:
        raw = wrapper.cursor  # the psycopg cursor, on Django's connection and transaction
        with raw.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
            write_row = copy.write_row
            for row in rows:
                write_row(row)
                count += 1
    return count


def _sqlite_insert(table: str, columns: Sequence[str], rows: Iterable[tuple]) -> int:
    """Insert straight into a table without triggers; into one with triggers, through a temporary staging
    table and then one INSERT ... SELECT.

    Row by row, each INSERT into a table with triggers (the crime cells') is a statement of its own that
    SQLite must be able to undo alone, and inside a long transaction that already changed the same pages
    (two files imported in one transaction) that cost grew without bound: 130 s instead of 1 s for the
    second file. One statement for the whole file has one such journal. Without triggers (a bulk load defers
    the cells') staging only writes every row twice."""
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    target = connection.ops.quote_name(table)
    connection.ensure_connection()
    raw = connection.connection.cursor()
    try:
        _raise_sqlite_cache(raw)
        if not _has_triggers(raw, table):
            return _sqlite_executemany(raw, target, quoted, len(columns), rows)
        stage = connection.ops.quote_name(f"vcdhub_stage_{table}")
        raw.execute(f"CREATE TEMP TABLE IF NOT EXISTS {stage} AS SELECT {quoted} FROM {target} WHERE 0")  # noqa: S608
        raw.execute(f"DELETE FROM temp.{stage}")  # noqa: S608
        count = _sqlite_executemany(raw, f"temp.{stage}", quoted, len(columns), rows)
        raw.execute(f"INSERT INTO {target} ({quoted}) SELECT {quoted} FROM temp.{stage}")  # noqa: S608
        raw.execute(f"DELETE FROM temp.{stage}")  # noqa: S608
    finally:
        raw.close()
    return count


def _has_triggers(raw, table: str) -> bool:
    return raw.execute("SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?)",
                       (table,)).fetchone()[0] == 1


def _sqlite_executemany(raw, table: str, quoted: str, width: int, rows: Iterable[tuple]) -> int:
    """executemany straight from the iterator: the rows are never held as a list."""
    placeholders = ", ".join("?" * width)
    raw.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})", rows)  # noqa: S608
    return raw.rowcount


def _raise_sqlite_cache(raw) -> None:
    """Enlarge the page cache until the transaction ends; shrinking it before the commit would spill pages."""
    (size,) = raw.execute("PRAGMA cache_size").fetchone()
    current_kib = -size if size < 0 else size * raw.execute("PRAGMA page_size").fetchone()[0] // 1024
    if current_kib >= SQLITE_BULK_CACHE_KIB:
        return
    raw.execute(f"PRAGMA cache_size = -{SQLITE_BULK_CACHE_KIB}")
    db = connection

    def restore() -> None:
        if db.connection is not None:
            db.connection.execute(f"PRAGMA cache_size = {int(size)}")

    # After a rollback the larger cache stays until the connection closes; it only holds pages in use.
    transaction.on_commit(restore)


def where_clause(conditions: dict[str, object]) -> tuple[str, list]:
    """SQL conditions and their parameters: a column equals a value, or is one of a list's values."""
    parts, params = [], []
    for column, value in conditions.items():
        if isinstance(value, list):
            parts.append(f"{connection.ops.quote_name(column)} IN ({', '.join(['%s'] * len(value))})")
            params += value
        else:
            parts.append(f"{connection.ops.quote_name(column)} = %s")
            params.append(value)
    return " AND ".join(parts), params


def delete_where(table: str, conditions: dict[str, object]) -> int:
    """DELETE with `where_clause` conditions, bypassing the ORM's row-by-row cascade collection."""
    where, params = where_clause(conditions)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)} WHERE {where}", params)  # noqa: S608
        return cursor.rowcount


def _constraints(model) -> dict[str, dict]:
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, model._meta.db_table)


def _constrained_foreign_keys(model) -> list:
    return [f for f in model._meta.concrete_fields if f.many_to_one and f.db_constraint]


def _foreign_key_indexes(model) -> list:
    """Foreign keys with their own plain index (db_index). Text keys are left alone: on PostgreSQL they
    carry a second, pattern-ops index that a plain rebuild would not restore."""
    return [f for f in model._meta.concrete_fields if f.many_to_one and f.db_index
            and not f.db_type(connection).startswith(("varchar", "text"))]


def _plain_index_on(present: dict[str, dict], column: str) -> str | None:
    for name, c in present.items():
        if c["index"] and not c["unique"] and not c["primary_key"] and c["columns"] == [column]:
            return name
    return None


def ensure_indexes(model, *, parallel: int = 1, alongside: tuple[str, ...] = ()) -> list[str]:
    """Put back any of the model's Meta indexes, foreign-key indexes and (PostgreSQL) foreign keys that a
    killed bulk load left out. `parallel` > 1 builds that many indexes at once on PostgreSQL, each on its own
    connection (outside any transaction of the caller's). `alongside`: other index statements built in the
    same parallel run, if it happens (best effort: a failure is left for their owner to deal with).

    Returns what was restored: index names, "index:<column>" and "fk:<column>".
    """
    present = _constraints(model)
    missing = [index for index in model._meta.indexes if index.name not in present]
    missing_key_indexes = [f for f in _foreign_key_indexes(model) if _plain_index_on(present, f.column) is None]
    missing_fks = []
    if connection.vendor == "postgresql":
        linked = {tuple(c["columns"]) for c in present.values() if c["foreign_key"]}
        missing_fks = [f for f in _constrained_foreign_keys(model) if (f.column,) not in linked]
    if not (missing or missing_key_indexes or missing_fks):
        return []
    # Widest keys first: they take longest to sort, and parallel builds finish sooner that way.
    missing.sort(key=lambda index: -_key_width(model, index.fields))
    in_parallel = parallel > 1 and connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.schema_editor(atomic=not in_parallel) as editor:
        # Django's own statements, named and made as migrations make them.
        statements = [str(index.create_sql(model, editor)) for index in missing]
        statements += [str(editor._create_index_sql(model, fields=[f])) for f in missing_key_indexes]
        # An index that appeared since the look above (a killed load's build finishing late) is no error.
        statements = [_if_not_exists(statement) for statement in statements]
        foreign_keys = [str(editor._create_fk_sql(model, field, "_fk_%(to_table)s_%(to_column)s"))
                        for field in missing_fks]
        crashpoints.reached("indexes:rebuilding")
        if in_parallel:
            # Adding a foreign key checks every row with the table locked against index builds, so the keys
            # come after this table's indexes, beside the first `alongside` build (another table's, the
            # largest): two keys took 14 s of a 14M-row load's end, one after the other (docs/benchmarks.md).
            ordered = [*statements, *alongside[:1], *foreign_keys, *alongside[1:]]
            _run_in_parallel(ordered, parallel, optional=alongside)
        else:
            for position, statement in enumerate([*statements, *foreign_keys]):
                editor.execute(statement)
                if position == 0:
                    crashpoints.reached("indexes:one-rebuilt")
    return ([index.name for index in missing] + [f"index:{f.column}" for f in missing_key_indexes]
            + [f"fk:{f.column}" for f in missing_fks])


def _if_not_exists(statement: str) -> str:
    for create in ("CREATE UNIQUE INDEX ", "CREATE INDEX "):
        if statement.startswith(create) and not statement.startswith(create + "IF NOT EXISTS"):
            return create + "IF NOT EXISTS " + statement[len(create):]
    return statement


def _key_width(model, field_names) -> int:
    return sum(getattr(model._meta.get_field(name.lstrip("-")), "max_length", None) or 8 for name in field_names)


def _run_in_parallel(statements: list[str], workers: int, optional: tuple[str, ...] = ()) -> None:
    """Run DDL statements, in order, on `workers` fresh connections at once: each takes the next statement
    when it finishes one. The first error is raised after all have ended; the error of a statement that is
    also in `optional` is ignored (its owner checks for itself)."""
    params = connection.get_connection_params()
    pending = queue.SimpleQueue()
    for statement in statements:
        pending.put(statement)

    def build() -> None:
        raw = connection.get_new_connection(params)
        try:
            raw.autocommit = True
            with raw.cursor() as cursor:
                # Named, so that recovery after a killed load can wait for builds the server carries on with.
                cursor.execute(f"SET application_name = '{INDEX_BUILDER}'")
                cursor.execute(f"SET maintenance_work_mem = '{BULK_MAINTENANCE_WORK_MEM}'")
                # Two builds at once already fill two cores; extra sort workers per build gained nothing
                # (measured: about 4.6 s for the index phase either way).
                cursor.execute("SET max_parallel_maintenance_workers = 0")
                while True:
                    try:
                        statement = pending.get_nowait()
                    except queue.Empty:
                        return
                    try:
                        cursor.execute(statement)
                    except Exception:
                        if statement not in optional:
                            raise
                    crashpoints.reached("indexes:one-rebuilt")
        finally:
            raw.close()

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="vcdhub-index") as pool:
        for future in [pool.submit(build) for _ in range(min(workers, len(statements)))]:
            future.result()


INDEX_BUILDER = "vcdhub-index-build"  # application_name of the connections that build indexes in parallel
# Memory for each index build at the end of a bulk load (PostgreSQL's default is 64MB): a build that fits
# in memory sorts once instead of merging runs on disk.
BULK_MAINTENANCE_WORK_MEM = "512MB"
# Index builds at once at the end of a bulk load. Each build also uses PostgreSQL's parallel workers for
# its sort; two at a time still kept both cores of a 2-core machine busier (docs/benchmarks.md).
BULK_INDEX_BUILDS = 2


class SecondaryIndexesDropped:
    """Load without a model's secondary indexes (Meta indexes and foreign-key indexes) and, on PostgreSQL,
    its foreign-key checks, then put them back.

    Building an index once over all the rows is far cheaper than updating it row by row, and adding a
    foreign key checks every row in one join instead of a trigger per row (pg_restore loads the same way).
    They are put back however the load ends, and ensure_indexes restores them if the process was killed.
    Queries that need the indexes are slow until the load finishes. SQLite cannot drop a foreign key
    without rebuilding the table, so there only the indexes are deferred.
    """

    def __init__(self, model, *, alongside: tuple[str, ...] = ()):
        self.model = model
        self.alongside = alongside  # other index builds to run in the same parallel run (ensure_indexes)

    def __enter__(self):
        present = _constraints(self.model)
        with connection.schema_editor() as editor:
            for index in self.model._meta.indexes:
                if index.name in present:
                    editor.remove_index(self.model, index)
            for field in _foreign_key_indexes(self.model):
                name = _plain_index_on(present, field.column)
                if name:
                    editor.execute(editor._delete_index_sql(self.model, name))
            if connection.vendor == "postgresql":
                columns = {f.column for f in _constrained_foreign_keys(self.model)}
                for name, constraint in present.items():
                    if constraint["foreign_key"] and set(constraint["columns"]) <= columns:
                        editor.execute(editor._delete_fk_sql(self.model, name))
        return self

    def __exit__(self, *exc):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET maintenance_work_mem = %s", [BULK_MAINTENANCE_WORK_MEM])
            try:
                ensure_indexes(self.model, parallel=BULK_INDEX_BUILDS, alongside=self.alongside)
            finally:
                with connection.cursor() as cursor:
                    cursor.execute("RESET maintenance_work_mem")
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(self.model._meta.db_table)}")
        else:
            ensure_indexes(self.model)
            analyze(self.model)
        return False


def analyze(*models) -> None:
    """Refresh the planner's statistics for these models' tables."""
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
