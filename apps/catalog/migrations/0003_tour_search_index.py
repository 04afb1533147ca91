"""Text search that PostgreSQL answers from an index (docs/performance.md).

``catalog_search_text(text)`` is the one normal form both the index and every search
compare: accents removed (``unaccent``) and lower case. ``unaccent`` itself is only
STABLE (its dictionary could change), so it cannot appear in an index; this wrapper names
the dictionary and is declared IMMUTABLE, the documented way to index it. The trigram
index (``pg_trgm``) then serves ``LIKE '%term%'`` on a tour's title and summary. Other
databases (SQLite under ``make run``) get nothing here and search with ``icontains``.
"""

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION catalog_search_text(text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$
"""
INDEX = """
CREATE INDEX catalog_tour_search_trgm ON catalog_tour
USING gin (catalog_search_text(title || ' ' || summary) gin_trgm_ops)
"""


def on_postgresql(*statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_field_validators_mirror_checks"),
    ]

    operations = [
        UnaccentExtension(),
        TrigramExtension(),
        migrations.RunPython(
            on_postgresql(FUNCTION, INDEX),
            on_postgresql(
                "DROP INDEX catalog_tour_search_trgm", "DROP FUNCTION catalog_search_text(text)"
            ),
        ),
    ]
