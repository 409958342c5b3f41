"""Crime IDs compare byte by byte on PostgreSQL.

They are hexadecimal hashes, so a language-aware collation only slows comparisons: building the
crime_id index at the end of a bulk load took about 1.4 s with the database's default collation and
0.8-0.9 s with "C" on 1.42M rows (docs/benchmarks.md). Equality and the order of hex digits are the
same either way. Django does not track column collations on this field, so an AlterField on crime_id
must keep COLLATE "C" (this migration's statements show how). SQLite compares bytes already.
"""

from django.db import migrations

COLUMNS = (("crime_crime", "crime_id", 64), ("crime_outcome", "crime_id", 64))


def bytewise(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table, column, length in COLUMNS:
            schema_editor.execute(f'ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar({length}) COLLATE "C"')


def language_aware(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table, column, length in COLUMNS:
            schema_editor.execute(f'ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar({length}) '
                                  'COLLATE "default"')


class Migration(migrations.Migration):
    dependencies = [("crime", "0004_import_speed")]
    operations = [migrations.RunPython(bytewise, language_aware)]
