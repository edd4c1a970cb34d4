"""The two full-text backends behind ``hub.search``: SQLite FTS5 and PostgreSQL.

Each backend answers four questions with plain SQL: which published resources
match the query and how well (``match_sql``), highlighted snippets for a page
of them, how to keep its index in step (``index``/``unindex``), and the raw
query the benchmark compares against. Everything else (filters, facet counts,
paging) is shared SQL in ``hub.search``.

Snippets come back with private-use characters around the hits; the caller
escapes the text and only then turns those into ``<mark>``, so a resource's
own text can never inject markup.
"""

import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection

from wellbeing.hub.search.query import ParsedQuery

HIT_START = "\ue000"
HIT_END = "\ue001"
FTS_TABLE = "hub_resource_fts"
# bm25 column weights for title, summary, body: a title hit outranks a body hit.
BM25_WEIGHTS = "10.0, 4.0, 1.0"


class SqliteBackend:
    vendor = "sqlite"

    def id_list(self, column: str) -> str:
        return f"group_concat({column}, ',')"

    def id_in(self, column: str, ids: list[int]) -> tuple[str, Any]:
        # One JSON parameter, not one placeholder per id (SQLite caps those). The
        # unary + keeps the planner from driving the MATCH once per listed id
        # (1.5 s instead of 12 ms for 2,000 ids): FTS5 matches once, then filters.
        return f"+{column} IN (SELECT value FROM json_each(%s))", json.dumps(ids)

    def expression(self, query: ParsedQuery) -> str:
        # Every term is double-quoted (it holds only letters and digits), so
        # FTS5 reads it as a string, never as an operator or a column name.
        terms = [f'"{" ".join(p)}"' for p in query.phrases]
        for i, word in enumerate(query.words):
            last = i == len(query.words) - 1
            terms.append(f'"{word}"*' if last and query.prefix_last else f'"{word}"')
        return " AND ".join(terms)

    def match_sql(self, query: ParsedQuery, *, scored: bool = True) -> tuple[str, list[Any]]:
        rank = f"-bm25({FTS_TABLE}, {BM25_WEIGHTS})" if scored else "0.0"
        sql = f"SELECT rowid AS id, {rank} AS rank FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
        return sql, [self.expression(query)]

    def raw_sql(self, query: ParsedQuery, limit: int) -> tuple[str, list[Any]]:
        sql = (
            f"SELECT rowid, bm25({FTS_TABLE}, {BM25_WEIGHTS}) AS score FROM {FTS_TABLE} "
            f"WHERE {FTS_TABLE} MATCH %s ORDER BY score LIMIT %s"
        )
        return sql, [self.expression(query), limit]

    def snippets(self, query: ParsedQuery, ids: Sequence[int]) -> dict[int, str]:
        if not ids:
            return {}
        marks = ", ".join(["%s"] * len(ids))
        sql = (
            f"SELECT rowid, snippet({FTS_TABLE}, -1, %s, %s, '…', 24) FROM {FTS_TABLE} "
            f"WHERE {FTS_TABLE} MATCH %s AND rowid IN ({marks})"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [HIT_START, HIT_END, self.expression(query), *ids])
            return dict(cursor.fetchall())

    def unindex(self, ids: Iterable[int]) -> None:
        ids = list(ids)
        with connection.cursor() as cursor:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})", chunk)

    def index(self, rows: Sequence[tuple[int, str, str, str]]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {FTS_TABLE} (rowid, title, summary, body) VALUES (%s, %s, %s, %s)",
                rows,
            )

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE}")


class PostgresBackend:
    """SearchDocument rows: a weighted tsvector (A title, B summary, C body) with a GIN index."""

    vendor = "postgresql"
    config = "english"

    def id_list(self, column: str) -> str:
        return f"string_agg(CAST({column} AS TEXT), ',')"

    def id_in(self, column: str, ids: list[int]) -> tuple[str, Any]:
        return f"{column} = ANY(%s)", ids

    headline_options = (
        f"StartSel={HIT_START}, StopSel={HIT_END}, MaxWords=30, MinWords=12, "
        'MaxFragments=2, FragmentDelimiter=" … "'
    )

    def expression(self, query: ParsedQuery) -> str:
        # Lexemes are quoted and hold only letters and digits: no tsquery operator survives.
        terms = [f"({' <-> '.join(repr_lexeme(w) for w in p)})" for p in query.phrases]
        for i, word in enumerate(query.words):
            last = i == len(query.words) - 1
            suffix = ":*" if last and query.prefix_last else ""
            terms.append(repr_lexeme(word) + suffix)
        return " & ".join(terms)

    def match_sql(self, query: ParsedQuery, *, scored: bool = True) -> tuple[str, list[Any]]:
        rank = "CAST(ts_rank(d.document, q.q) AS DOUBLE PRECISION)" if scored else "0.0"
        sql = (
            f"SELECT d.resource_id AS id, {rank} AS rank "
            "FROM hub_searchdocument d, to_tsquery(%s::regconfig, %s) AS q(q) "
            "WHERE d.document @@ q.q"
        )
        return sql, [self.config, self.expression(query)]

    def raw_sql(self, query: ParsedQuery, limit: int) -> tuple[str, list[Any]]:
        sql = (
            "SELECT d.resource_id, ts_rank(d.document, q.q) AS score "
            "FROM hub_searchdocument d, to_tsquery(%s::regconfig, %s) AS q(q) "
            "WHERE d.document @@ q.q ORDER BY score DESC LIMIT %s"
        )
        return sql, [self.config, self.expression(query), limit]

    def snippets(self, query: ParsedQuery, ids: Sequence[int]) -> dict[int, str]:
        if not ids:
            return {}
        sql = (
            "SELECT d.resource_id, ts_headline(%s::regconfig, d.summary || ' ' || d.body, "
            "to_tsquery(%s::regconfig, %s), %s) FROM hub_searchdocument d "
            "WHERE d.resource_id = ANY(%s)"
        )
        params = [self.config, self.config, self.expression(query), self.headline_options]
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, list(ids)])
            return dict(cursor.fetchall())

    def unindex(self, ids: Iterable[int]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM hub_searchdocument WHERE resource_id = ANY(%s)", [list(ids)]
            )

    def index(self, rows: Sequence[tuple[int, str, str, str]]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO hub_searchdocument (resource_id, title, summary, body, document) "
                "VALUES (%s, %s, %s, %s, "
                "setweight(to_tsvector('english', %s), 'A') || "
                "setweight(to_tsvector('english', %s), 'B') || "
                "setweight(to_tsvector('english', %s), 'C'))",
                [(pk, t, s, b, t, s, b) for pk, t, s, b in rows],
            )

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM hub_searchdocument")


def repr_lexeme(word: str) -> str:
    return "'" + word.replace("'", "''") + "'"


def backend() -> SqliteBackend | PostgresBackend:
    if connection.vendor == "postgresql":
        return PostgresBackend()
    if connection.vendor == "sqlite":
        return SqliteBackend()
    raise ValueError(f"database vendor: expected sqlite or postgresql, got {connection.vendor!r}")
