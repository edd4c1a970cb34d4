"""Which indexed resources hold each query term, kept in this process (PostgreSQL).

Reading the ids of a common word's 30,000 matches costs PostgreSQL a pass over
the table's heap, every time; most queries repeat a few common words. So each
term's ids (a sorted array) are kept here, keyed by the index version
(``indexing.version()``, which changes on every write to the index), and a
query's matches are the intersection of its terms' arrays. The arrays kept are
bounded in total size; the least recently used go first.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

import numpy as np

MAX_IDS = 4_000_000  # about 32 MB of int64 in all


class TermSets:
    def __init__(self, max_ids: int = MAX_IDS) -> None:
        self.max_ids = max_ids
        self._sets: OrderedDict[Hashable, np.ndarray | None] = OrderedDict()
        self._size = 0
        self._version = ""
        self._lock = threading.Lock()

    def get(
        self, version: str, key: Hashable, fetch: Callable[[], np.ndarray | None]
    ) -> np.ndarray | None:
        """The ids of ``key`` in index ``version``; None: the term matches everything
        (a stop word, which the query ignores)."""
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


TERMS = TermSets()
