"""The full-text index, per database: an FTS5 table on SQLite, a GIN index on PostgreSQL.

Both hold published resources only and are written by ``hub.search.indexing``.
FTS5 uses the Porter stemmer (so "nurses" finds "nurse") and prefix indexes
for the short prefix queries of search-as-you-type.
"""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS hub_resource_fts USING fts5("
    "title, summary, body, tokenize = 'porter unicode61 remove_diacritics 2', prefix = '3 4')",
]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS hub_resource_fts"]
POSTGRES_FORWARD = [
    "CREATE INDEX IF NOT EXISTS hub_searchdocument_gin ON hub_searchdocument USING GIN (document)",
]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS hub_searchdocument_gin"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("hub", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
