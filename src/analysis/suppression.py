"""Minimum-group-size suppression of counts, with complementary suppression.

A published total and the published parts must never allow a suppressed part
to be recovered by subtraction: if the hidden parts together hold fewer than
``min_size`` (but more than zero) responses, the smallest shown parts are
hidden too until the hidden remainder is itself at least ``min_size``.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class CountCell:
    """One group's count: ``value`` is None when suppressed, with the reason."""

    label: Hashable
    value: int | None
    reason: str = ""

    @property
    def suppressed(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class CountTable(Generic[K]):
    """The publishable parts and total. ``table[label]`` is the part's cell."""

    cells: Mapping[K, CountCell]
    total: CountCell

    def __getitem__(self, label: K) -> CountCell:
        return self.cells[label]

    def items(self) -> Iterable[tuple[K, CountCell]]:
        return self.cells.items()

    def values(self) -> Iterable[CountCell]:
        return self.cells.values()


def suppress_counts(
    counts: Mapping[K, int], min_size: int, *, total_published: bool = True
) -> CountTable[K]:
    """Suppress parts below ``min_size``; protect them against subtraction from the total.

    ``counts`` are disjoint parts of one whole (units, categories). Zero counts
    are shown: "nobody answered" identifies nobody. When even hiding every part
    leaves a hidden remainder below ``min_size``, the total is hidden too.
    """
    if isinstance(min_size, bool) or not isinstance(min_size, int) or min_size < 1:
        raise ValueError(f"min_size: expected a positive integer, got {min_size!r}")
    for label, count in counts.items():
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"counts[{label!r}]: expected a non-negative integer, got {count!r}")
    small = f"hidden: fewer than {min_size} responses"
    hidden = {label for label, count in counts.items() if 0 < count < min_size}
    reasons = dict.fromkeys(hidden, small)
    if total_published:
        shown = sorted(
            (label for label in counts if label not in hidden and counts[label] > 0),
            key=lambda label: (counts[label], str(label)),
        )
        remainder = sum(counts[label] for label in hidden)
        while 0 < remainder < min_size and shown:
            extra = shown.pop(0)
            hidden.add(extra)
            reasons[extra] = "hidden so that a smaller group cannot be worked out by subtraction"
            remainder += counts[extra]
    cells = {
        label: CountCell(label, None if label in hidden else count, reasons.get(label, ""))
        for label, count in counts.items()
    }
    grand = sum(counts.values())
    remainder = sum(counts[label] for label in hidden)
    if not total_published:
        total = CountCell("total", None, "not published")
    elif 0 < grand < min_size or 0 < remainder < min_size:
        total = CountCell("total", None, small)
    else:
        total = CountCell("total", grand)
    return CountTable(cells, total)
