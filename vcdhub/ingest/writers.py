"""Bulk writes: COPY on PostgreSQL, executemany on SQLite. Both run inside the caller's transaction."""

from collections.abc import Iterable, Sequence

from django.db import connection


def bulk_insert(table: str, columns: Sequence[str], rows: Iterable[tuple]) -> int:
    count = 0
    if connection.vendor == "postgresql":
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        with connection.cursor() as wrapper:
            raw = wrapper.cursor  # the psycopg cursor, on Django's connection and transaction
            with raw.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        return count
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    placeholders = ", ".join("?" * len(columns))
    sql = f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({placeholders})"  # noqa: S608
    connection.ensure_connection()
    raw = connection.connection.cursor()
    chunk: list[tuple] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= 10_000:
            raw.executemany(sql, chunk)
            count += len(chunk)
            chunk.clear()
    if chunk:
        raw.executemany(sql, chunk)
        count += len(chunk)
    raw.close()
    return count


def delete_where(table: str, conditions: dict[str, object]) -> int:
    """DELETE with equality conditions, bypassing the ORM's row-by-row cascade collection."""
    where = " AND ".join(f"{connection.ops.quote_name(c)} = %s" for c in conditions)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)} WHERE {where}",  # noqa: S608
                       list(conditions.values()))
        return cursor.rowcount
