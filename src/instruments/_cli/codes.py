"""Cells to response codes, and the checks on them that need the whole file.

Each distinct cell text of a column is parsed once, so a column of 50,000 answers
costs a sort and a handful of conversions, not 50,000.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from instruments._cli.layout import Layout
from instruments._cli.messages import CliError
from instruments._cli.tables import Chunk, Table
from instruments._model import Instrument

MISSING = -1
NOT_A_CODE = -2
# A decimal number as R, SPSS, Stata and spreadsheets write codes: 3, 3.0, -9, 99.00.
NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)")
ALWAYS_MISSING = ("", "na", "nan")  # empty, R's NA, the nan of pandas and SPSS exports


@dataclass(frozen=True)
class Missing:
    """Cells meaning 'not answered': empty, NA, nan and the --missing values. Numbers are
    compared as numbers, so ``--missing 99`` matches the 99.0 that R, SPSS and pandas write."""

    texts: frozenset[str]
    numbers: frozenset[float]

    @classmethod
    def of(cls, values: Iterable[str]) -> Missing:
        cells = [value.strip() for value in values]
        numbers = frozenset(float(c) for c in cells if NUMBER.fullmatch(c))
        texts = {c.casefold() for c in cells if not NUMBER.fullmatch(c)}
        return cls(frozenset({*ALWAYS_MISSING, *texts}), numbers)


def _code(cell: str, codes: frozenset[int], missing: Missing) -> int:
    text = cell.strip()
    if text.casefold() in missing.texts:
        return MISSING
    if not NUMBER.fullmatch(text):
        return NOT_A_CODE
    number = float(text)
    if number in missing.numbers:
        return MISSING
    return int(number) if number.is_integer() and int(number) in codes else NOT_A_CODE


def codes(
    instrument: Instrument, table: Table, layout: Layout, chunk: Chunk, missing: Missing
) -> NDArray[np.int64]:
    """Integer codes (-1 missing) of one chunk, in the instrument's item order."""
    found = np.empty((len(chunk.numbers), instrument.n_items), dtype=np.int64)
    for k, (item, j) in enumerate(zip(instrument.items, layout.items, strict=True)):
        distinct, where = np.unique(np.asarray(chunk.columns[j], dtype=str), return_inverse=True)
        allowed = frozenset(item.option_set.codes)
        parsed = [_code(cell, allowed, missing) for cell in distinct.tolist()]
        found[:, k] = np.asarray(parsed, dtype=np.int64)[where.reshape(-1)]
    bad = found == NOT_A_CODE
    if bad.any():
        _reject(instrument, table, layout, chunk, bad)
    return found


def _reject(
    instrument: Instrument, table: Table, layout: Layout, chunk: Chunk, bad: NDArray[np.bool_]
) -> None:
    """Raise for the first cell that is not a code, in reading order (row, then column)."""
    row = int(np.flatnonzero(bad.any(axis=1))[0])
    k = min((int(k) for k in np.flatnonzero(bad[row])), key=lambda k: layout.items[k])
    item = instrument.items[k]
    j = layout.items[k]
    cell = chunk.columns[j][row].strip()
    numeric = NUMBER.fullmatch(cell) is not None
    hint = f"; pass --missing {_plain(cell)} if it means 'not answered'" if numeric else ""
    expected = ", ".join(str(code) for code in item.option_set.codes)
    raise CliError(
        f"{table.name}: row {chunk.numbers[row]}, column {table.header[j].strip()!r}: "
        f"value {cell if numeric else repr(cell)} is not a code of item {item.id!r} "
        f"(expected one of {expected}, or empty for missing{hint})"
    )


def _plain(number: str) -> str:
    """99.0 as 99: the --missing value to suggest (it matches 99.0 as well)."""
    value = float(number)
    return str(int(value)) if value.is_integer() else number


class RepeatedIds:
    """Counts rows whose id an earlier row had: two rows with one id are often one person
    twice (a re-submitted form, a file appended to itself). Empty ids are not ids."""

    def __init__(self, table: Table, layout: Layout) -> None:
        self.table = table
        self.column = layout.id_column
        self.first: dict[str, int] = {}
        self.repeats = 0
        self.example: tuple[str, int, int] | None = None

    def add(self, chunk: Chunk) -> None:
        if self.column is None:
            return
        for number, cell in zip(chunk.numbers, chunk.columns[self.column], strict=True):
            value = cell.strip()
            if not value:
                continue
            earlier = self.first.setdefault(value, number)
            if earlier != number:
                self.repeats += 1
                self.example = self.example or (value, earlier, number)

    def warnings(self) -> list[str]:
        if self.column is None or self.example is None:
            return []
        value, earlier, later = self.example
        return [
            f"warning: {self.table.name}: {self.repeats} row(s) repeat an id of column "
            f"{self.table.header[self.column].strip()!r}, first {value!r} on rows {earlier} "
            f"and {later}; each row was scored as its own response"
        ]
