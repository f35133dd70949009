"""Trigram index on the upper-cased school name, so that a search by part of
a name (icontains) uses an index and the planner has statistics for it.
PostgreSQL only; other databases skip it."""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS schools_school_name_trgm "
    'ON schools_school USING gin ((UPPER("name"::text)) gin_trgm_ops)',
]
DROP = ["DROP INDEX IF EXISTS schools_school_name_trgm"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("schools", "0003_analystscope_supervisorprofile_position_and_more")]

    operations = [migrations.RunPython(forwards, backwards)]
