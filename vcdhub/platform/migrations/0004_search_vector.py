"""PostgreSQL keeps each document's words as a stored tsvector (a generated column), indexed by GIN, so a match
never computes to_tsvector row by row: a recheck or a filter on a candidate row reads the stored vector. SQLite's
FTS5 table is unchanged."""

from django.db import migrations


def add_vector(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS platform_search_gin")
    schema_editor.execute("ALTER TABLE platform_searchdocument ADD COLUMN IF NOT EXISTS vector tsvector "
                          "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, terms)) STORED")
    schema_editor.execute("CREATE INDEX IF NOT EXISTS platform_search_vector ON platform_searchdocument "
                          "USING gin (vector)")
    schema_editor.execute("ANALYZE platform_searchdocument")  # the planner's statistics of the new column


def drop_vector(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE platform_searchdocument DROP COLUMN IF EXISTS vector")
    schema_editor.execute("CREATE INDEX IF NOT EXISTS platform_search_gin ON platform_searchdocument "
                          "USING gin (to_tsvector('simple'::regconfig, terms))")


class Migration(migrations.Migration):
    dependencies = [("platform", "0003_search_document")]
    operations = [migrations.RunPython(add_vector, drop_vector)]
