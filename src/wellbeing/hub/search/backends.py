"""The two full-text backends behind ``hub.search``: SQLite FTS5 and PostgreSQL.

Both match a query term by term (``_Backend``): each phrase's or word's matches and
title matches come from the database once per index version (one FTS5 query on
SQLite, the lexeme rows of ``postings`` on PostgreSQL) and a query's matches are
their intersection, computed in memory. Both rank a page in two tiers, title
matches first (ranked in memory), then the rest by the database's own score
(bm25 or ``ts_rank``). Each backend also gives highlighted snippets for a page,
keeps its index in step (``index``/``unindex``) and gives the raw query the
benchmark compares against. Filters, facet counts and paging are shared, in
``hub.search``.

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

from wellbeing.hub.search import postings
from wellbeing.hub.search.query import ParsedQuery
from wellbeing.hub.search.terms import TERMS, intersect_sorted, union_sorted

HIT_START = "\ue000"
HIT_END = "\ue001"
FTS_TABLE = "hub_resource_fts"
SNIPPET_TABLE = "hub_snippet_fts"
TOKENIZE = "porter unicode61 remove_diacritics 2"  # as the index (migration hub.0002)
# bm25 column weights for title, summary, body: a title hit outranks a body hit.
BM25_WEIGHTS = "10.0, 4.0, 1.0"


class _Backend:
    """What both backends share: a query is the AND of its terms (phrases and words, the
    last word maybe a prefix); each term's matches and title matches are computed once per
    index version (``terms.TERMS``) and intersected in memory; the page is ranked in two
    tiers (``ranked_page``)."""

    vendor = ""

    def specs(self, query: ParsedQuery) -> list[tuple[str, str]]:
        """Each phrase and word as (kind, text): kind is phrase, word or prefix."""
        specs = [("phrase", " ".join(p)) for p in query.phrases]
        for i, word in enumerate(query.words):
            last = i == len(query.words) - 1
            specs.append(("prefix" if last and query.prefix_last else "word", word))
        return specs

    def _term(self, spec: tuple[str, str]) -> postings.TermMatch | None:
        raise NotImplementedError

    def _document_tier(
        self, query: ParsedQuery, ids: np.ndarray, offset: int, limit: int
    ) -> list[tuple[int, float]]:
        raise NotImplementedError

    def _matches(self, query: ParsedQuery, version: str) -> list[postings.TermMatch]:
        found = [
            TERMS.get(version, (self.vendor, *spec), functools.partial(self._term, spec))
            for spec in self.specs(query)
        ]
        return [match for match in found if match is not None]

    def matching_ids(self, query: ParsedQuery, version: str) -> np.ndarray:
        sets = sorted((m.ids for m in self._matches(query, version)), key=len)
        if not sets:
            return np.empty(0, np.int64)  # stop words only: PostgreSQL matches nothing either
        return functools.reduce(intersect_sorted, sets)

    def ranked_page(
        self,
        query: ParsedQuery,
        ids: np.ndarray,
        start: int,
        per_page: int,
        date_key: np.ndarray,
        title_words: np.ndarray,
        version: str,
    ) -> list[tuple[int, float]]:
        """The page among ``ids`` (the filtered matches): title matches first, ranked in
        memory (``_title_tier``), then the rest by the backend's own score of the whole
        document (``_document_tier``, ranks below 1), read only when the page reaches them.

        Scoring every match first costs what the raw query costs, on both databases: for a
        common word, bm25 or ``ts_rank`` of 30,000 documents.
        """
        titled = [m.title_ids for m in self._matches(query, version)]
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


class SqliteBackend(_Backend):
    """The FTS5 table ``hub_resource_fts`` (title, summary, body; Porter stemmer; prefix
    indexes for 3 and 4 characters). A term's matches are one FTS5 query, its title
    matches the same with the column filter ``title :``; the document tier is bm25 with
    column weights 10 / 4 / 1 over the rest of the page's candidates."""

    vendor = "sqlite"

    def expression(self, query: ParsedQuery) -> str:
        return " AND ".join(self.term_expression(spec) for spec in self.specs(query))

    def term_expression(self, spec: tuple[str, str]) -> str:
        # Every term is double-quoted (it holds only letters, digits and spaces), so
        # FTS5 reads it as a string, never as an operator or a column name.
        kind, text = spec
        return f'"{text}"*' if kind == "prefix" else f'"{text}"'

    def _term(self, spec: tuple[str, str]) -> postings.TermMatch:
        expression = self.term_expression(spec)
        ids = f"SELECT group_concat(rowid, ',') FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT ({ids}), ({ids})", [expression, f"title : {expression}"])
            anywhere, in_title = cursor.fetchone()
        return postings.TermMatch(np.sort(_id_array(anywhere)), np.sort(_id_array(in_title)))

    def match_sql(self, query: ParsedQuery, *, scored: bool = True) -> tuple[str, list[Any]]:
        rank = f"-bm25({FTS_TABLE}, {BM25_WEIGHTS})" if scored else "0.0"
        sql = f"SELECT rowid AS id, {rank} AS rank FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
        return sql, [self.expression(query)]

    def _document_tier(
        self, query: ParsedQuery, ids: np.ndarray, offset: int, limit: int
    ) -> list[tuple[int, float]]:
        # One JSON parameter, not one placeholder per id (SQLite caps those). The
        # unary + keeps the planner from driving the MATCH once per listed id
        # (1.5 s instead of 12 ms for 2,000 ids): FTS5 matches once, then filters.
        match, params = self.match_sql(query)
        sql = (
            f"SELECT m.id, m.rank FROM ({match}) m "
            "WHERE +m.id IN (SELECT value FROM json_each(%s)) "
            "ORDER BY m.rank DESC, m.id LIMIT %s OFFSET %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, json.dumps([int(pk) for pk in ids]), limit, offset])
            # -bm25 is positive; r / (1 + r) keeps the order and stays below every title match.
            return [(pk, float(rank) / (1.0 + float(rank))) for pk, rank in cursor.fetchall()]

    def raw_sql(self, query: ParsedQuery, limit: int) -> tuple[str, list[Any]]:
        sql = (
            f"SELECT rowid, bm25({FTS_TABLE}, {BM25_WEIGHTS}) AS score FROM {FTS_TABLE} "
            f"WHERE {FTS_TABLE} MATCH %s ORDER BY score LIMIT %s"
        )
        return sql, [self.expression(query), limit]

    def snippets(self, query: ParsedQuery, ids: Sequence[int]) -> dict[int, str]:
        """Snippets of the page's rows, from a scratch FTS5 table holding only them.

        On the full index a prefix term is expanded over every document again for each
        row looked up (80 ms for a page of a common prefix); on 20 rows it costs nothing.
        The scratch table is per connection (``temp``) and tokenizes like the index.
        """
        if not ids:
            return {}
        marks = ", ".join(["%s"] * len(ids))
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{SNIPPET_TABLE} USING fts5("
                f"title, summary, body, tokenize = '{TOKENIZE}')"
            )
            cursor.execute(f"DELETE FROM temp.{SNIPPET_TABLE}")  # the previous page's rows
            cursor.execute(
                f"INSERT INTO temp.{SNIPPET_TABLE} (rowid, title, summary, body) "
                f"SELECT rowid, title, summary, body FROM {FTS_TABLE} WHERE rowid IN ({marks})",
                list(ids),
            )
            cursor.execute(
                f"SELECT rowid, snippet({SNIPPET_TABLE}, -1, %s, %s, '…', 24) "
                f"FROM temp.{SNIPPET_TABLE} WHERE {SNIPPET_TABLE} MATCH %s",
                [HIT_START, HIT_END, self.expression(query)],
            )
            return dict(cursor.fetchall())

    def unindex(self, ids: Iterable[int]) -> None:
        ids = list(ids)
        with connection.cursor() as cursor:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})", chunk)

    def lock(self) -> None:
        """SQLite lets one writer at a time anyway."""

    def finish_rebuild(self) -> None:
        """FTS5 keeps its own index as rows arrive."""

    def index(
        self, rows: Sequence[tuple[int, str, str, str]], *, postings_too: bool = True
    ) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {FTS_TABLE} (rowid, title, summary, body) VALUES (%s, %s, %s, %s)",
                rows,
            )

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE}")


class PostgresBackend(_Backend):
    """SearchDocument rows: a weighted tsvector (A title, B summary, C body) with a GIN index;
    SearchPosting rows: where each lexeme occurs (``postings``).

    Matching is per term: each phrase's or word's matches, and its title matches, come
    from its lexemes' rows (once per index version, kept in ``terms.TERMS``), and a
    query's matches are their intersection. Ranking is in two tiers: matches with a
    query term in the title come first, ordered in memory by how much of the title the
    query is (query terms in the title over ``1 + ln(title words)``, the length
    normalisation of ``ts_rank``), then newest; the other matches follow by ``ts_rank``
    of the whole document, which is read only when the page reaches past the title
    matches. Scoring every match with ``ts_rank`` reads every matching document (0.5 s
    for a common word in 100,000 resources); the title tier reads nothing.
    """

    vendor = "postgresql"
    config = "english"

    headline_options = (
        f"StartSel={HIT_START}, StopSel={HIT_END}, MaxWords=30, MinWords=12, "
        'MaxFragments=2, FragmentDelimiter=" … "'
    )

    def expression(self, query: ParsedQuery) -> str:
        # Lexemes are quoted and hold only letters and digits: no tsquery operator survives.
        return " & ".join(self.terms(query))

    def terms(self, query: ParsedQuery) -> list[str]:
        """Each phrase and word as its own tsquery text (the query is their AND)."""
        return [self.term_tsquery(spec) for spec in self.specs(query)]

    def term_tsquery(self, spec: tuple[str, str]) -> str:
        kind, text = spec
        if kind == "phrase":
            return f"({' <-> '.join(repr_lexeme(w) for w in text.split())})"
        return repr_lexeme(text) + (":*" if kind == "prefix" else "")

    def _term(self, spec: tuple[str, str]) -> postings.TermMatch | None:
        """What one phrase or word matches; None for stop words only (the query skips it)."""
        kind, text = spec
        at = postings.lexemes(self.config, text)
        if not at:
            return None
        if kind == "prefix":
            if len(at) > 1:
                return self._gin_term(spec)  # "ab½cd":* is two prefixes, "ab" <-> "cd"
            return postings.word_match(postings.fetch_prefix(at[0][1]))
        found = postings.fetch({lexeme for _, lexeme in at})
        nothing = np.empty(0, np.int64)
        if len(at) == 1:
            return postings.word_match(found.get(at[0][1], nothing))
        return postings.phrase_match([(pos, found.get(lexeme, nothing)) for pos, lexeme in at])

    def _gin_term(self, spec: tuple[str, str]) -> postings.TermMatch | None:
        """The same answer through the GIN index (``hub_term_ids``, migration ``hub.0004``)."""
        term = self.term_tsquery(spec)
        found = []
        for title_only in (False, True):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nodes, ids FROM hub_term_ids(%s::regconfig, %s, %s)",
                    [self.config, term, title_only],
                )
                nodes, packed = cursor.fetchone()
            if not nodes:
                return None
            found.append(np.sort(postings.decode(packed)))
        return postings.TermMatch(found[0], found[1])

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

    def lock(self) -> None:
        postings.lock()

    def unindex(self, ids: Iterable[int]) -> None:
        ids = list(ids)
        postings.update(ids, indexed=False)
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM hub_searchdocument WHERE resource_id = ANY(%s)", [ids])

    def index(
        self, rows: Sequence[tuple[int, str, str, str]], *, postings_too: bool = True
    ) -> None:
        """Write these documents; ``postings_too=False`` leaves the lexemes' rows to
        ``finish_rebuild`` (one pass over every document beats thousands of row updates)."""
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
        if postings_too:
            postings.update([pk for pk, *_ in rows], indexed=True)

    def finish_rebuild(self) -> None:
        postings.build()

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM hub_searchdocument")
            cursor.execute("DELETE FROM hub_searchposting")


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
