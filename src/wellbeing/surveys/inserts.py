"""Plain SQL for the submit path and for settling a wave's submissions.

``Model.objects.create`` builds its SQL afresh on every call, which on the busiest write of
the platform (a respondent's final submit) costs more CPU than the database spends storing
the row. ``insert_pending`` keeps Django's own column names, quoting and value preparation
(``Field.get_db_prep_save``) and only caches the statement text; it runs inside the
caller's transaction and sends no signals, like ``bulk_create``.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from django.db import connection


@functools.cache
def _pending_statement(vendor: str) -> str:
    from wellbeing.surveys.models import Pending, Wave

    q = connection.ops.quote_name
    names = ("id", "wave", "unit", "idempotency_key", "body_digest", "sealed")
    columns = ", ".join(q(str(Pending._meta.get_field(n).column)) for n in names)  # type: ignore[union-attr]
    # PostgreSQL types the parameters of a SELECT list from casts; SQLite takes them as given.
    bigint = "%s::bigint" if vendor == "postgresql" else "%s"
    # Identifiers come from the models' metadata, quoted; every value is a parameter.
    return (
        f"INSERT INTO {q(Pending._meta.db_table)} ({columns})"
        f" SELECT {bigint}, open_wave.{q('id')}, {bigint}, %s, %s, %s"
        f" FROM ({Wave.objects.accepting_sql()}) AS open_wave"
    )


def insert_pending(
    *, wave_id: int, unit_id: int | None, key: str, digest: str, sealed: bytes, now: datetime
) -> bool:
    """Store one sealed submission if the wave takes responses now, in one statement.

    The statement itself asks whether the wave is open (so a wave closed a moment ago,
    or an open link's cached wave, never takes a late row). Returns whether a row was
    written; a duplicate idempotency key raises IntegrityError."""
    from wellbeing.surveys.models import Pending, Wave, random_id

    sealed_field = Pending._meta.get_field("sealed")
    params: list[Any] = [
        random_id(),
        unit_id,
        key,
        digest,
        sealed_field.get_db_prep_save(sealed, connection),  # type: ignore[union-attr]
        *Wave.objects.accepting_params(wave_id, now),  # the sub-select's, last in the text
    ]
    with connection.cursor() as cursor:
        cursor.execute(_pending_statement(connection.vendor), params)
        return cursor.rowcount == 1


def rewrite_in_random_order(wave_id: int) -> None:
    """Write the wave's responses, scores and comments again, in one random order.

    A table keeps traces of the order its rows were written in: SQLite numbers them with a
    hidden ``rowid`` (the random ``id`` is not its alias) and dumps them in that order;
    PostgreSQL keeps them in its heap in that order, and each row's ``xmin`` names the
    transaction that wrote it. Deleting and re-inserting the wave's rows in one transaction,
    in random order, gives every row of the wave one ``xmin`` and a random place. Keys are
    kept (foreign keys to comments, such as theme assignments, are checked at commit: Django
    declares them deferrable on both databases). Call inside a transaction."""
    from wellbeing.surveys.models import Comment, Response, Score

    q = connection.ops.quote_name
    postgres = connection.vendor == "postgresql"
    shuffle = "gen_random_uuid()" if postgres else "randomblob(16)"
    tables = [
        (q(Response._meta.db_table), "wb_mix_response"),
        (q(Score._meta.db_table), "wb_mix_score"),
        (q(Comment._meta.db_table), "wb_mix_comment"),
    ]
    wave = q("wave_id")
    with connection.cursor() as cursor:
        for table, temp in tables:
            cursor.execute(f"DROP TABLE IF EXISTS {temp}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {temp} AS SELECT * FROM {table} WHERE {wave} = %s",
                [wave_id],
            )
        # Children first: scores point at responses.
        for table, _temp in (tables[1], tables[2], tables[0]):
            cursor.execute(f"DELETE FROM {table} WHERE {wave} = %s", [wave_id])
        for table, temp in tables:
            cursor.execute(f"INSERT INTO {table} SELECT * FROM {temp} ORDER BY {shuffle}")
            cursor.execute(f"DROP TABLE {temp}")
