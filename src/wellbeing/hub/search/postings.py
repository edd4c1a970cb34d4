"""PostgreSQL search: one row per lexeme listing where it occurs (``SearchPosting``).

Each occurrence of a lexeme in a resource's weighted ``document`` is one key,
``resource id << 15 | position << 1 | 1 if in the title`` (title positions carry
weight A), and a lexeme's keys are stored sorted, as big-endian 8-byte integers.
Reading the row of a word found in 30,000 resources is one index lookup and
0.3 MB; the GIN index answers the same question with a bitmap scan (20-60 ms
the first time a word is asked for) and a phrase by re-reading every document
that holds all its words (up to 0.4 s).

From the keys, in memory:

- a word's matches are the distinct ids, its title matches the ids of keys with
  the title bit;
- a phrase matches where its lexemes sit at the same distances as in the phrase
  (``to_tsvector`` of the phrase gives those distances, stop words included, as
  ``<->`` and ``<N>`` in a tsquery do);
- a prefix is the union of the rows of every lexeme that starts with it.

The rows are written in the same transaction as the documents (``update`` for
edits, ``build`` for a full rebuild) under one advisory lock, so they always
describe exactly the documents a query sees.
"""

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import connection

from wellbeing.hub.search.terms import distinct_sorted, intersect_sorted

ID_SHIFT = 15  # key = id << 15 | position << 1 | title bit
POSITION_MASK = (1 << 14) - 1  # tsvector positions are 1..16383
# Transaction-level advisory lock held by every write to the search index, so two
# edits never read and rewrite the same lexeme's row at once ("hubindex" in ASCII).
LOCK_KEY = 0x687562696E646578

_KEYS = """
    SELECT u.lexeme,
      (d.resource_id::int8 << 15) | (p.pos::int8 << 1) | (p.w = 'A')::int::int8 AS k
    FROM hub_searchdocument d
    CROSS JOIN LATERAL unnest(d.document) u
    CROSS JOIN LATERAL unnest(u.positions, u.weights) AS p(pos, w)
"""
ENTRIES_SQL = (
    f"SELECT lexeme, string_agg(int8send(k), ''::bytea ORDER BY k) FROM ({_KEYS} "
    "WHERE d.resource_id = ANY(%s)) s GROUP BY lexeme"
)
BUILD_SQL = (
    "INSERT INTO hub_searchposting (lexeme, keys) "
    f"SELECT lexeme, string_agg(int8send(k), ''::bytea ORDER BY k) FROM ({_KEYS}) s "
    "GROUP BY lexeme"
)
MAX_CODE_POINT = chr(0x10FFFF)


@dataclass(frozen=True)
class TermMatch:
    """The sorted ids a query term matches anywhere, and those it matches in the title."""

    ids: np.ndarray
    title_ids: np.ndarray

    def __len__(self) -> int:
        return len(self.ids) + len(self.title_ids)


def decode(blob: bytes | memoryview | None) -> np.ndarray:
    return np.frombuffer(bytes(blob or b""), dtype=">i8").astype(np.int64)


def encode(keys: np.ndarray) -> bytes:
    return keys.astype(">i8").tobytes()


def word_match(keys: np.ndarray) -> TermMatch:
    """The matches of one lexeme's keys, or of several lexemes' keys merged (sorted)."""
    ids = keys >> ID_SHIFT
    title = ids[(keys & 1) == 1]
    return TermMatch(distinct_sorted(ids), distinct_sorted(title))


def phrase_match(at: Sequence[tuple[int, np.ndarray]]) -> TermMatch:
    """Where lexemes occur at the given relative positions: ``at`` is (position in the
    phrase, the lexeme's keys), in phrase order. A title match needs every word of
    the phrase in the title."""
    return TermMatch(_phrase_ids(at, title=False), _phrase_ids(at, title=True))


def _phrase_ids(at: Sequence[tuple[int, np.ndarray]], *, title: bool) -> np.ndarray:
    first = at[0][0]
    starts = _spots(at[0][1], title)
    for position, keys in at[1:]:
        # Where the phrase would start; a spot too early in its document has none.
        offset = position - first
        spots = _spots(keys, title)
        spots = spots[(spots & POSITION_MASK) > offset] - offset
        starts = intersect_sorted(starts, spots)
    return distinct_sorted(starts >> (ID_SHIFT - 1))


def _spots(keys: np.ndarray, title: bool) -> np.ndarray:
    """``id << 14 | position`` of each key (of the title's only): sorted, distinct."""
    return (keys[(keys & 1) == 1] if title else keys) >> 1


def lexemes(config: str, text: str) -> list[tuple[int, str]]:
    """(position, lexeme) of ``text`` as the index would store it, in order; [] for stop words."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT lexeme, positions FROM unnest(to_tsvector(%s::regconfig, %s))", [config, text]
        )
        rows = cursor.fetchall()
    return sorted((int(position), lexeme) for lexeme, positions in rows for position in positions)


def _binary_rows(sql: str, params: Sequence[object]) -> list[tuple[Any, ...]]:
    """Rows in PostgreSQL's binary format, on the app's connection and transaction.

    A row of keys is up to a few MB of bytea: as text (hex, what Django's
    client-side cursor asks for) it takes five times as long to arrive and decode.
    """
    import psycopg  # here: only PostgreSQL sites load it (SQLite ones never reach this)

    connection.ensure_connection()
    started = time.monotonic()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, binary=True)
        rows = cursor.fetchall()
    if connection.queries_logged:  # counted like any other query (debug, query-count tests)
        connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})
    return rows


def fetch(words: Iterable[str]) -> dict[str, np.ndarray]:
    """The keys of each lexeme (a lexeme in no document is absent)."""
    rows = _binary_rows(
        "SELECT lexeme, keys FROM hub_searchposting WHERE lexeme = ANY(%s)", [sorted(words)]
    )
    return {lexeme: decode(blob) for lexeme, blob in rows}


def fetch_prefix(prefix: str) -> np.ndarray:
    """The keys of every lexeme starting with ``prefix``, merged in order."""
    rows = _binary_rows(
        "SELECT keys FROM hub_searchposting "
        "WHERE lexeme >= %s AND lexeme < %s AND starts_with(lexeme, %s)",
        [prefix, prefix + MAX_CODE_POINT, prefix],
    )
    if len(rows) < 2:
        return decode(rows[0][0]) if rows else np.empty(0, np.int64)
    # Sorted runs: the stable sort (timsort) merges them instead of sorting afresh.
    return np.sort(np.concatenate([decode(blob) for (blob,) in rows]), kind="stable")


def lock() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def build() -> None:
    """Every lexeme's row again, from the documents (after a full rebuild)."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM hub_searchposting")
        cursor.execute(BUILD_SQL)


def update(ids: Sequence[int], *, indexed: bool) -> None:
    """Bring the rows of every lexeme of these documents in step with them.

    Call with ``indexed=False`` before the documents are deleted (their keys leave)
    and with ``indexed=True`` after they are written (their keys replace any the
    rows still hold for these ids). Only the lexemes the documents contain are
    touched; a row left with no key is deleted.
    """
    if not ids:
        return
    entries = {lexeme: decode(blob) for lexeme, blob in _binary_rows(ENTRIES_SQL, [list(ids)])}
    if not entries:
        return
    locked = _binary_rows(
        "SELECT lexeme, keys FROM hub_searchposting WHERE lexeme = ANY(%s) "
        "ORDER BY lexeme FOR UPDATE",
        [sorted(entries)],
    )
    current = {lexeme: decode(blob) for lexeme, blob in locked}
    with connection.cursor() as cursor:
        changed = np.unique(np.asarray(ids, dtype=np.int64))
        writes, empty = [], []
        for lexeme, keys in entries.items():
            kept = current.get(lexeme, np.empty(0, np.int64))
            kept = kept[~np.isin(kept >> ID_SHIFT, changed)]
            if indexed:
                kept = np.unique(np.concatenate([kept, keys]))
            if len(kept):
                writes.append((lexeme, encode(kept)))
            else:
                empty.append(lexeme)
        if writes:
            cursor.executemany(
                "INSERT INTO hub_searchposting (lexeme, keys) VALUES (%s, %s) "
                "ON CONFLICT (lexeme) DO UPDATE SET keys = EXCLUDED.keys",
                writes,
            )
        if empty:
            cursor.execute("DELETE FROM hub_searchposting WHERE lexeme = ANY(%s)", [empty])
