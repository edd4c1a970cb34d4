"""What each query term matches, kept in this process (both backends).

A term's matches are read from FTS5 on SQLite or from its lexemes' rows
(``postings``) on PostgreSQL, as sorted id arrays; most queries repeat a few common words, so each term's arrays
are kept here, keyed by the index version (``indexing.version()``, which changes
on every write to the index), and a query's matches are the intersection of its
terms' arrays. The arrays kept are bounded in total size; the least recently
used go first.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sized
from typing import TYPE_CHECKING, Generic, TypeVar

import numpy as np

if TYPE_CHECKING:
    from wellbeing.hub.search.postings import TermMatch

MAX_IDS = 4_000_000  # about 32 MB of int64 in all
T = TypeVar("T", bound=Sized)


class TermSets(Generic[T]):
    """Values by key for one index version; their ``len`` (ids held) is bounded in all."""

    def __init__(self, max_ids: int = MAX_IDS) -> None:
        self.max_ids = max_ids
        self._sets: OrderedDict[Hashable, T | None] = OrderedDict()
        self._size = 0
        self._version = ""
        self._lock = threading.Lock()

    def get(self, version: str, key: Hashable, fetch: Callable[[], T | None]) -> T | None:
        """The value of ``key`` in index ``version``, fetched once; None: the term matches
        everything (a stop word, which the query ignores)."""
        with self._lock:
            if version != self._version:
                self._sets.clear()
                self._size = 0
                self._version = version
            elif key in self._sets:
                self._sets.move_to_end(key)
                return self._sets[key]
        value = fetch()
        with self._lock:
            if version == self._version and key not in self._sets:
                self._sets[key] = value
                self._size += 0 if value is None else len(value)
                while self._size > self.max_ids and len(self._sets) > 1:
                    _, dropped = self._sets.popitem(last=False)
                    self._size -= 0 if dropped is None else len(dropped)
        return value

    def clear(self) -> None:
        with self._lock:
            self._sets.clear()
            self._size = 0


TERMS: "TermSets[TermMatch]" = TermSets()


def intersect_sorted(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The ids in both sorted, duplicate-free arrays, sorted: a binary search of the
    smaller in the larger (``np.intersect1d`` sorts or hashes both again: 30 ms for two
    common words' 80,000 ids, where this takes well under one)."""
    if len(a) > len(b):
        a, b = b, a
    if not len(a) or not len(b):
        return a[:0]
    at = np.searchsorted(b, a)
    found = at < len(b)
    found[found] = b[at[found]] == a[found]
    return a[found]


def union_sorted(arrays: list[np.ndarray]) -> np.ndarray:
    """The ids in any of the sorted, duplicate-free arrays, sorted and without duplicates."""
    if not arrays:
        return np.empty(0, np.int64)
    return distinct_sorted(np.sort(np.concatenate(arrays), kind="stable"))


def distinct_sorted(values: np.ndarray) -> np.ndarray:
    """A sorted array without its repeats."""
    if len(values) < 2:
        return values
    keep = np.empty(len(values), dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]
