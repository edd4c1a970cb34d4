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

from django.db import connection
from django.db.models import Field, Model


@functools.cache
def _statement(
    model: type[Model], names: tuple[str, ...], n_rows: int, vendor: str, returning: bool
) -> tuple[str, tuple[Field, ...]]:
    del vendor  # part of the cache key only: quoting and RETURNING differ per database
    fields = tuple(model._meta.get_field(name) for name in names)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)  # type: ignore[union-attr]
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    # Identifiers come from the model's metadata, quoted; every value is a parameter.
    table = quote(model._meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) VALUES " + ", ".join([row] * n_rows)  # noqa: S608
    if returning:
        sql += f" RETURNING {quote(model._meta.pk.column)}"  # type: ignore[union-attr]
    return sql, fields  # type: ignore[return-value]


def insert_rows(
    model: type[Model], names: Sequence[str], rows: Sequence[Sequence[object]]
) -> int | None:
    """INSERT ``rows`` (values in the order of ``names``, field names or attnames).

    Returns the primary key of the row when exactly one is inserted, else None.
    """
    if not rows:
        return None
    single = len(rows) == 1
    returning = single and connection.features.can_return_columns_from_insert
    sql, fields = _statement(model, tuple(names), len(rows), connection.vendor, returning)
    params = [
        field.get_db_prep_save(value, connection)
        for values in rows
        for field, value in zip(fields, values, strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if not single:
            return None
        if returning:
            return int(cursor.fetchone()[0])
        return int(cursor.lastrowid)
