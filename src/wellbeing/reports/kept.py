"""What a process keeps of releases between requests: a release never changes, so its parts
(unpacked rows, restored plans, the report, key drivers, charts) are made once per process
and kept, the least recently used leaving first."""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class Kept(Generic[V]):
    """A bounded, thread-safe map from a key to a value made once by ``made_by``.

    Two threads asking for the same missing key may both make it; the values are equal
    (a release's parts depend on the release alone), so the second simply replaces the first.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, made_by: Callable[[], V]) -> V:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        value = made_by()
        with self._lock:
            self._values[key] = value
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
