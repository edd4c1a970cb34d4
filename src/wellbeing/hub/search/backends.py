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

import functools
import json
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from django.db import connection

from wellbeing.hub.search.query import ParsedQuery
from wellbeing.hub.search.terms import TERMS, intersect_sorted, union_sorted

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

    def matching_ids(self, query: ParsedQuery, version: str) -> np.ndarray:
        """Every indexed resource matching the query: one comma-separated string, no scoring."""
        match, params = self.match_sql(query, scored=False)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {self.id_list('m.id')} FROM ({match}) m", params)
            (joined,) = cursor.fetchone()
        return _id_array(joined)

    def ranked_page(
        self,
        query: ParsedQuery,
        ids: np.ndarray,
        filtered: bool,
        start: int,
        per_page: int,
        date_key: np.ndarray,
        title_words: np.ndarray,
        version: str,
    ) -> list[tuple[int, float]]:
        """The page by bm25 (title hits weigh most); with filters, scores only ``ids``."""
        match, params = self.match_sql(query)
        where = ""
        if filtered:
            where, extra = self.id_in("m.id", [int(pk) for pk in ids])
            where, params = f"WHERE {where}", [*params, extra]
        sql = (
            f"SELECT m.id, m.rank FROM ({match}) m {where} "
            "ORDER BY m.rank DESC, m.id LIMIT %s OFFSET %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, per_page, start])
            return [(pk, float(rank)) for pk, rank in cursor.fetchall()]

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
    """SearchDocument rows: a weighted tsvector (A title, B summary, C body) with a GIN index,
    and the title's own tsvector with another.

    Matching is per term (``terms``): each term's ids come from the GIN index once per
    index version and a query's matches are their intersection. Ranking is in two tiers:
    matches with a query term in the title come first, ordered in memory by how much of
    the title the query is (query terms in the title over ``1 + ln(title words)``, the
    length normalisation of ``ts_rank``), then newest; the other matches follow by
    ``ts_rank`` of the whole document, which is read only when the page reaches past the
    title matches. Scoring every match with ``ts_rank`` reads every matching document
    (0.5 s for a common word in 100,000 resources); the title tier reads nothing.
    """

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
        return " & ".join(self.terms(query))

    def terms(self, query: ParsedQuery) -> list[str]:
        """Each phrase and word as its own tsquery text (the query is their AND)."""
        terms = [f"({' <-> '.join(repr_lexeme(w) for w in p)})" for p in query.phrases]
        for i, word in enumerate(query.words):
            last = i == len(query.words) - 1
            terms.append(repr_lexeme(word) + (":*" if last and query.prefix_last else ""))
        return terms

    def _term_ids(self, column: str, term: str) -> np.ndarray | None:
        """Ids whose ``column`` matches ``term``; None for a stop word (no lexeme left).
        Through the GIN index always (``hub_term_ids``, migration ``hub.0004``)."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nodes, ids FROM hub_term_ids(%s::regconfig, %s, %s)",
                [self.config, term, column == "title_document"],
            )
            nodes, packed = cursor.fetchone()
        if not nodes:
            return None
        # Each resource once (its primary key), in index order: sorting is enough.
        return np.sort(np.frombuffer(bytes(packed or b""), dtype=">i8").astype(np.int64))

    def _sets(self, column: str, query: ParsedQuery, version: str) -> list[np.ndarray]:
        found = [
            TERMS.get(version, (column, term), functools.partial(self._term_ids, column, term))
            for term in self.terms(query)
        ]
        return [ids for ids in found if ids is not None]

    def matching_ids(self, query: ParsedQuery, version: str) -> np.ndarray:
        sets = sorted(self._sets("document", query, version), key=len)
        if not sets:
            return np.empty(0, np.int64)  # stop words only: PostgreSQL matches nothing either
        return functools.reduce(intersect_sorted, sets)

    def ranked_page(
        self,
        query: ParsedQuery,
        ids: np.ndarray,
        filtered: bool,
        start: int,
        per_page: int,
        date_key: np.ndarray,
        title_words: np.ndarray,
        version: str,
    ) -> list[tuple[int, float]]:
        titled = self._sets("title_document", query, version)
        first = intersect_sorted(ids, union_sorted(titled))
        page: list[tuple[int, float]] = []
        if start < len(first):
            page = _title_tier(first, titled, title_words, date_key, start, per_page)
        missing = per_page - len(page)
        if missing > 0:
            rest = np.setdiff1d(ids, first, assume_unique=True)
            offset = max(0, start - len(first))
            if len(rest) > offset:
                page += self._document_tier(query, rest, offset, missing)
        return page

    def _document_tier(
        self, query: ParsedQuery, ids: np.ndarray, offset: int, limit: int
    ) -> list[tuple[int, float]]:
        sql = (
            "SELECT d.resource_id, CAST(ts_rank(d.document, q.q) AS DOUBLE PRECISION) AS rank "
            "FROM hub_searchdocument d, to_tsquery(%s::regconfig, %s) AS q(q) "
            "WHERE d.resource_id = ANY(%s) ORDER BY rank DESC, d.resource_id LIMIT %s OFFSET %s"
        )
        params: list[Any] = [
            self.config,
            self.expression(query),
            [int(pk) for pk in ids],
            limit,
            offset,
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [(pk, min(float(rank), 0.999999)) for pk, rank in cursor.fetchall()]

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
                "INSERT INTO hub_searchdocument "
                "(resource_id, title, summary, body, document, title_document) "
                "VALUES (%s, %s, %s, %s, "
                "setweight(to_tsvector('english', %s), 'A') || "
                "setweight(to_tsvector('english', %s), 'B') || "
                "setweight(to_tsvector('english', %s), 'C'), "
                "setweight(to_tsvector('english', %s), 'A'))",
                [(pk, t, s, b, t, s, b, t) for pk, t, s, b in rows],
            )

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM hub_searchdocument")


def _title_tier(
    ids: np.ndarray,
    titled: list[np.ndarray],
    lengths: np.ndarray,
    date_key: np.ndarray,
    start: int,
    per_page: int,
) -> list[tuple[int, float]]:
    """The title matches ``ids`` in order: more query terms in the title over
    ``1 + ln(words in the title)`` first (``ts_rank``'s normalisation 1), then newest,
    then by id; ranked 1 + that score, so every title match scores above every
    document-only match (whose ``ts_rank`` is capped below 1)."""
    terms = np.zeros(len(ids), dtype=np.float64)
    for term_ids in titled:
        terms += np.isin(ids, term_ids, assume_unique=True)
    size = np.zeros(len(ids), dtype=np.int64)
    known = ids < len(lengths)
    size[known] = lengths[ids[known]]
    score = terms / (1.0 + np.log(np.maximum(size, 1)))
    dates = date_key[np.where(ids < len(date_key), ids, 0)]
    order = np.lexsort((ids, -dates, -np.round(score, 6)))[start : start + per_page]
    return [(int(ids[i]), 1.0 + float(score[i])) for i in order]


def _id_array(joined: str | None) -> np.ndarray:
    return np.array(joined.split(","), dtype=np.int64) if joined else np.empty(0, np.int64)


def repr_lexeme(word: str) -> str:
    return "'" + word.replace("'", "''") + "'"


def backend() -> SqliteBackend | PostgresBackend:
    if connection.vendor == "postgresql":
        return PostgresBackend()
    if connection.vendor == "sqlite":
        return SqliteBackend()
    raise ValueError(f"database vendor: expected sqlite or postgresql, got {connection.vendor!r}")
