"""Bulk writes: COPY on PostgreSQL, executemany on SQLite. Both run inside the caller's transaction."""

from collections.abc import Iterable, Sequence

from django.db import connection, transaction

# SQLite page cache, in KiB, while a bulk insert's transaction is open. The default (settings.py, 64 MiB)
# is smaller than the indexes of a large crime table, and the crime_id index takes its rows in random order:
# with the small cache, pages are spilled to the WAL mid-transaction and written again. Only pages in use
# take memory; the connection's own size comes back once the transaction commits.
SQLITE_BULK_CACHE_KIB = 256 * 1024
SQLITE_CHUNK = 10_000


def bulk_insert(table: str, columns: Sequence[str], rows: Iterable[tuple]) -> int:
    if connection.vendor == "postgresql":
        return _copy(table, columns, rows)
    return _sqlite_insert(table, columns, rows)


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
    count = 0
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    placeholders = ", ".join("?" * len(columns))
    sql = f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({placeholders})"  # noqa: S608
    connection.ensure_connection()
    raw = connection.connection.cursor()
    try:
        _raise_sqlite_cache(raw)
        chunk: list[tuple] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= SQLITE_CHUNK:
                raw.executemany(sql, chunk)
                count += len(chunk)
                chunk.clear()
        if chunk:
            raw.executemany(sql, chunk)
            count += len(chunk)
    finally:
        raw.close()
    return count


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


def delete_where(table: str, conditions: dict[str, object]) -> int:
    """DELETE with equality conditions, bypassing the ORM's row-by-row cascade collection."""
    where = " AND ".join(f"{connection.ops.quote_name(c)} = %s" for c in conditions)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)} WHERE {where}",  # noqa: S608
                       list(conditions.values()))
        return cursor.rowcount


def _index_names(model) -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, model._meta.db_table))


def ensure_indexes(model) -> list[str]:
    """Recreate any of the model's Meta indexes that are missing (a bulk load that was killed mid-way)."""
    missing = [index for index in model._meta.indexes if index.name not in _index_names(model)]
    if missing:
        with connection.schema_editor() as editor:
            for index in missing:
                editor.add_index(model, index)
    return [index.name for index in missing]


class SecondaryIndexesDropped:
    """Drop a model's secondary indexes for a large load and build them again afterwards, however it ends.

    Building an index once over sorted data is far cheaper than updating it row by row (pg_restore loads
    the same way). Queries that need the indexes are slow until the load finishes.
    """

    def __init__(self, model):
        self.model = model

    def __enter__(self):
        present = _index_names(self.model)
        with connection.schema_editor() as editor:
            for index in self.model._meta.indexes:
                if index.name in present:
                    editor.remove_index(self.model, index)
        return self

    def __exit__(self, *exc):
        ensure_indexes(self.model)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(self.model._meta.db_table)}")
        return False
