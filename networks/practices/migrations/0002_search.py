"""Full-text search of practices on PostgreSQL: a Spanish configuration that
also drops accents (so "evaluacion" finds "evaluación"), and a GIN index on
the stored vector. Other databases use the plain search on search_text."""

from django.db import migrations

SEARCH_SQL = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """
    DO $$
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'rme_spanish') THEN
            CREATE TEXT SEARCH CONFIGURATION rme_spanish (COPY = pg_catalog.spanish);
            ALTER TEXT SEARCH CONFIGURATION rme_spanish
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, spanish_stem;
        END IF;
    END
    $$
    """,
    "CREATE INDEX IF NOT EXISTS practices_practice_search_gin "
    "ON practices_practice USING gin (search_vector)",
]
DROP_SQL = [
    "DROP INDEX IF EXISTS practices_practice_search_gin",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS rme_spanish",
]


def create_search(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in SEARCH_SQL:
            schema_editor.execute(statement)


def drop_search(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP_SQL:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("practices", "0001_initial")]

    operations = [migrations.RunPython(create_search, drop_search)]
