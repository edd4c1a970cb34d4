"""Plain INSERT statements for the submit path, built once per shape and reused.

``Model.objects.create`` and ``bulk_create`` build their SQL afresh on every call, which on
the busiest write of the platform (a respondent's final submit) costs more CPU than the
database spends storing the rows. These helpers keep Django's own column names, quoting and
value preparation (``Field.get_db_prep_save``, so JSON, dates and foreign keys are adapted
exactly as the ORM would for the connected database) and only cache the statement text.
They run inside the caller's transaction and send no signals, like ``bulk_create``.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.db.models import Field, Model


@functools.cache
def _statement(
    model: type[Model], names: tuple[str, ...], n_rows: int, vendor: str, returning: bool
) -> tuple[str, tuple[Field, ...]]:
    del vendor  # part of the cache key only: quoting and RETURNING differ per database
    fields = tuple(model._meta.get_field(name) for name in names)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in fields)  # type: ignore[union-attr]
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    # Identifiers come from the model's metadata, quoted; every value is a parameter.
    table = quote(model._meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) VALUES " + ", ".join([row] * n_rows)
    if returning:
        sql += f" RETURNING {quote(str(model._meta.pk.column))}"  # type: ignore[union-attr]
    return sql, fields  # type: ignore[return-value]


def insert_rows(model: type[Model], names: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """INSERT ``rows`` (values in the order of ``names``: field names) in one statement."""
    if rows:
        _execute(model, names, rows, returning=False)


def insert_row(model: type[Model], names: Sequence[str], values: Sequence[object]) -> int:
    """INSERT one row and return its primary key."""
    return _execute(model, names, [values], returning=True)


def _execute(
    model: type[Model], names: Sequence[str], rows: Sequence[Sequence[object]], returning: bool
) -> int:
    use_returning = returning and connection.features.can_return_columns_from_insert
    sql, fields = _statement(model, tuple(names), len(rows), connection.vendor, use_returning)
    params = [
        field.get_db_prep_save(value, connection)
        for values in rows
        for field, value in zip(fields, values, strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if use_returning:
            return int(cursor.fetchone()[0])
        return int(cursor.lastrowid) if returning else 0  # SQLite before 3.35 only


@functools.cache
def _one_statement(n_scores: int, n_comments: int) -> str:
    from wellbeing.surveys.models import Comment, Response, Score, Wave

    q = connection.ops.quote_name

    def table(model: type[Model]) -> str:
        return q(model._meta.db_table)

    def columns(model: type[Model], names: tuple[str, ...]) -> str:
        return ", ".join(q(str(model._meta.get_field(n).column)) for n in names)  # type: ignore[union-attr]

    def values(n_rows: int, casts: tuple[str, ...]) -> str:
        return ", ".join(["(" + ", ".join(f"%s::{c}" for c in casts) + ")"] * n_rows)

    # Identifiers come from the models' metadata, quoted; every value is a parameter.
    parts = [
        f"WITH open_wave AS ({Wave.objects.accepting_sql()}),"
        f" response AS (INSERT INTO {table(Response)}"
        f" ({columns(Response, ('wave', 'unit', 'submitted_on', 'idempotency_key', 'answers', 'demographics'))})"
        f" SELECT open_wave.{q('id')}, %s::bigint, %s::date, %s, %s, %s FROM open_wave"
        f" RETURNING {q('id')})"
    ]
    if n_scores:
        parts.append(
            f", scores AS (INSERT INTO {table(Score)}"
            f" ({columns(Score, ('response', 'wave', 'instrument', 'scale', 'value', 'category'))})"
            f" SELECT response.{q('id')}, %s, v.instrument, v.scale, v.value, v.category"
            f" FROM response, (VALUES {values(n_scores, ('text', 'text', 'float8', 'text'))})"
            " AS v (instrument, scale, value, category))"
        )
    if n_comments:
        parts.append(
            f", comments AS (INSERT INTO {table(Comment)}"
            f" ({columns(Comment, ('wave', 'unit', 'question', 'text'))})"
            f" SELECT %s, %s::bigint, v.question, v.body"
            f" FROM response, (VALUES {values(n_comments, ('int', 'text'))}) AS v (question, body))"
        )
    parts.append(f" SELECT {q('id')} FROM response")
    return "".join(parts)


def store_response_in_one_statement(
    *,
    wave_id: int,
    unit_id: int | None,
    submitted_on: date,
    key: str,
    answers: object,
    demographics: object,
    scores: Sequence[tuple[str, str, float | None, str]],
    comments: Sequence[tuple[int, str]],
    now: datetime,
) -> int | None:
    """PostgreSQL: store a response, its scores and comments in one statement.

    The statement checks that the wave takes responses and writes all rows, or none
    (``None`` is returned when the wave does not take responses). One statement is one
    transaction and one round trip, against six for BEGIN, the check, three INSERTs and
    COMMIT: on the busiest write path this halves the database's CPU per response. A
    duplicate idempotency key raises IntegrityError, as the separate INSERTs would.
    """
    from wellbeing.surveys.models import Response, Wave

    field = Response._meta.get_field("answers")
    params: list[Any] = [*Wave.objects.accepting_params(wave_id, now), unit_id, submitted_on, key]
    params += [
        field.get_db_prep_save(answers, connection),  # type: ignore[union-attr]
        field.get_db_prep_save(demographics, connection),  # type: ignore[union-attr]
    ]
    if scores:
        params.append(wave_id)
        params += [value for row in scores for value in row]
    if comments:
        params += [wave_id, unit_id]
        params += [value for row in comments for value in row]
    with connection.cursor() as cursor:
        cursor.execute(_one_statement(len(scores), len(comments)), params)
        row = cursor.fetchone()
    return None if row is None else int(row[0])
