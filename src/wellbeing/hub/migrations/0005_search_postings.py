"""PostgreSQL search: a row per lexeme listing its occurrences (``SearchPosting``).

The lexeme sorts bytewise (collation "C") so that a prefix is a range of the
primary key; the keys are stored uncompressed (``STORAGE EXTERNAL``: they are
sorted integers that compress little, and reading them should not cost a
decompression). The rows of an existing index are built from its documents, by
the same statement as ``hub.search.postings.BUILD_SQL``. SQLite keeps its FTS5
table; this one stays empty there.
"""

from django.db import migrations, models

POSTGRES_FORWARD = [
    'ALTER TABLE hub_searchposting ALTER COLUMN lexeme TYPE text COLLATE "C"',
    "ALTER TABLE hub_searchposting ALTER COLUMN keys SET STORAGE EXTERNAL",
    """
    INSERT INTO hub_searchposting (lexeme, keys)
    SELECT lexeme, string_agg(int8send(k), ''::bytea ORDER BY k)
    FROM (
      SELECT u.lexeme,
        (d.resource_id::int8 << 15) | (p.pos::int8 << 1) | (p.w = 'A')::int::int8 AS k
      FROM hub_searchdocument d
      CROSS JOIN LATERAL unnest(d.document) u
      CROSS JOIN LATERAL unnest(u.positions, u.weights) AS p(pos, w)
    ) s
    GROUP BY lexeme
    """,
]


def _forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_FORWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("hub", "0004_term_ids_function")]

    operations = [
        migrations.CreateModel(
            name="SearchPosting",
            fields=[
                ("lexeme", models.TextField(primary_key=True, serialize=False)),
                ("keys", models.BinaryField()),
            ],
        ),
        migrations.RunPython(_forward, migrations.RunPython.noop),
    ]
