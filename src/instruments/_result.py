"""The immutable result of scoring many responses at once."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    import pandas as pd

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
ObjectArray = NDArray[np.object_]


class ResponseError(ValueError):
    """A response matrix holds a value that is not a code of its item.

    ``row`` is the 0-based row index in the matrix given to :func:`score`;
    ``column`` the 0-based column; ``item`` the item id; ``value`` what was found.
    """

    def __init__(
        self, row: int, column: int, item: str, value: object, expected: tuple[int, ...]
    ) -> None:
        self.row = row
        self.column = column
        self.item = item
        self.value = value
        self.expected = expected
        codes = ", ".join(str(c) for c in expected)
        super().__init__(
            f"responses[{row}, {column}] (item {item!r}): expected one of {codes} "
            f"(or -1/NaN for a missing answer), got {value!r}"
        )


class LazyLabels(Mapping[str, "ObjectArray"]):
    """Band labels per cut-off, built from the int8 band indices on first access.

    Object arrays of strings cost more to build than the scores themselves, so a
    caller that only needs counts per band (``ScoreResult.bands``) never pays.
    """

    def __init__(
        self, bands: Mapping[str, NDArray[np.int8]], labels: Mapping[str, tuple[str, ...]]
    ) -> None:
        self._bands = bands
        self._labels = labels
        self._built: dict[str, ObjectArray] = {}

    def __getitem__(self, cutoff_id: str) -> ObjectArray:
        if cutoff_id not in self._built:
            table = np.array([*self._labels[cutoff_id], None], dtype=object)
            self._built[cutoff_id] = frozen_array(table[self._bands[cutoff_id]])
        return self._built[cutoff_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._bands)

    def __len__(self) -> int:
        return len(self._bands)

    def __repr__(self) -> str:
        return f"LazyLabels({list(self._bands)})"


class LazyCounts(Mapping[str, "NDArray[np.int64]"]):
    """Items answered per scale, built on first access from the rows with a gap.

    Every other response answered all of a scale's items, so only the rows with a
    missing answer are kept (``counts``: one row per scale, in ``n_items``
    order); widening them to 8 bytes per response per scale costs as much as
    the scores, and a caller that never asks never pays.
    """

    def __init__(
        self, n: int, n_items: Mapping[str, int], rows: NDArray[np.intp], counts: FloatArray
    ) -> None:
        self._n = n
        self._n_items = n_items
        self._index = {scale_id: j for j, scale_id in enumerate(n_items)}
        self._rows = rows
        self._counts = counts
        self._built: dict[str, NDArray[np.int64]] = {}

    def __getitem__(self, scale_id: str) -> NDArray[np.int64]:
        if scale_id not in self._built:
            complete = np.int64(self._n_items[scale_id])
            if not self._rows.size:  # a zero-copy view: nobody skipped an item
                self._built[scale_id] = np.broadcast_to(complete, (self._n,))
            else:
                answered = np.full(self._n, complete, dtype=np.int64)
                answered[self._rows] = self._counts[self._index[scale_id]]
                self._built[scale_id] = frozen_array(answered)
        return self._built[scale_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._n_items)

    def __len__(self) -> int:
        return len(self._n_items)

    def __repr__(self) -> str:
        return f"LazyCounts({list(self._n_items)})"


def frozen_array(array: NDArray[Any]) -> NDArray[Any]:
    array.flags.writeable = False
    return array


def frozen_mapping(mapping: Mapping[str, NDArray[Any]]) -> Mapping[str, NDArray[Any]]:
    return MappingProxyType({k: frozen_array(v) for k, v in mapping.items()})


@dataclass(frozen=True)
class ScoreResult:
    """Scores of ``n`` responses to one instrument; arrays are read-only.

    - ``scales[scale_id]``: float64 scores, NaN where the missing-data rule fails.
    - ``answered[scale_id]``: items answered per item-based scale.
    - ``valid``: True where every scale could be scored.
    - ``categories[cutoff_id]``: object array of band labels, None where invalid.
    - ``bands[cutoff_id]``: int8 band index into ``instrument.cutoff(id).bands``, -1 where invalid.
    - ``category_verified[cutoff_id]``: False for cut-offs shipped unverified.
    - ``flags[flag_id]`` / ``safety_flags[flag_id]``: bool arrays (safety = PHQ-9 item 9 > 0 ...).
    """

    instrument_id: str
    n: int
    scales: Mapping[str, FloatArray]
    answered: Mapping[str, NDArray[np.int64]]
    valid: BoolArray
    categories: Mapping[str, ObjectArray]
    bands: Mapping[str, NDArray[np.int8]]
    category_verified: Mapping[str, bool]
    flags: Mapping[str, BoolArray]
    safety_flags: Mapping[str, BoolArray]

    def to_frame(self) -> pd.DataFrame:
        """One row per response: scales, ``valid``, categories and flags.

        Columns of unverified cut-offs end in ``__unverified`` so an export
        cannot present them as published thresholds.
        """
        import pandas as pd

        columns: dict[str, Any] = {}
        for scale_id, values in self.scales.items():
            columns[f"{self.instrument_id}.{scale_id}"] = values
        columns[f"{self.instrument_id}.valid"] = self.valid
        for cutoff_id, labels in self.categories.items():
            suffix = "" if self.category_verified[cutoff_id] else "__unverified"
            columns[f"{self.instrument_id}.{cutoff_id}{suffix}"] = labels
        for flag_id, raised in self.flags.items():
            columns[f"{self.instrument_id}.flag.{flag_id}"] = raised
        return pd.DataFrame(columns)
