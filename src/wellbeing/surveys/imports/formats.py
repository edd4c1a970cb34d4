"""Read an uploaded file into a table of text columns: CSV (any text table), XLSX or SPSS ``.sav``.

Every cell comes back as a string ("" for empty), so validation treats all formats alike
and reports the value exactly as the file holds it. SPSS value labels are kept beside the
table, so recoding rules may name a label instead of a code. Text files are decoded and
split by the project's one text-table reader (``core.tables``: UTF-8, UTF-16, Windows-1252
or Mac Roman; CR, LF or CRLF; comma, semicolon or tab), and what it chose is kept in
``Table.notes`` for the page to say; the rows of a plain file are split by pandas' C
parser (``parse_quickly``), any other by the csv module (``parse_exactly``), which a test
holds equal. A header that names a column twice (REDCap's label export names every form's
status column "Complete?") gets numbered names, said too.

Every reader works on the bytes in memory: an upload may hold names, e-mail or IP
addresses, and a temporary file would leave them on disk after a crash.

Once the columns are mapped, an import keeps only the mapped columns of the table
(``keep_columns``), stored as ``KEPT`` (``dump_kept``/``load_kept``): the uploaded bytes
are dropped then, so unmapped columns are never stored past the mapping. What the tool's
own columns said of each row (finished or not, its event: ``completeness``) is read before
they are dropped and kept as the table's ``markers``.

pandas is imported inside the functions that build frames: the web app starts without it.
"""

from __future__ import annotations

import dataclasses
import io
import json
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wellbeing.core.tables import TextTable, UnreadableText, read_text_table

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

MAX_BYTES = 50 * 1024 * 1024
FORMATS = {"csv": "CSV", "xlsx": "Excel (.xlsx)", "sav": "SPSS (.sav)"}
# An import's ``format`` once its content is the kept table, no longer the uploaded file.
KEPT = "mapped"
KEPT_VERSION = 2  # 2 added each row's file row number and the completeness markers


class FileError(ValueError):
    """The file cannot be read as a table; the message says why, for the person who uploaded it."""


@dataclass(frozen=True)
class Table:
    columns: list[str]
    data: pd.DataFrame  # str cells, columns named as ``columns``
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    # Lines of the file before the first data row (header rows), for row numbers in errors.
    header_lines: int = 1
    # Each data row's row in the file as a spreadsheet shows it (the header is row 1), when
    # blank rows were skipped; None: the rows follow the header lines without a gap.
    row_numbers: tuple[int, ...] | None = None
    notes: tuple[str, ...] = ()  # how the file was read, for the person importing it
    # Rows a tool writes under its header (Qualtrics' question text), as skipped.
    skipped_rows: tuple[tuple[str, ...], ...] = ()
    # What the tool's own columns say of each row (``completeness.Markers`` as JSON).
    markers: dict[str, Any] = field(default_factory=dict)

    @property
    def n_rows(self) -> int:
        return len(self.data)

    def file_row(self, position: int) -> int:
        """The file's row number (the header is row 1) of the data row at ``position``."""
        if self.row_numbers is not None:
            return self.row_numbers[position]
        return self.header_lines + 1 + position

    def rows_at(self, positions: Sequence[int]) -> Table:
        """The table with only the rows at ``positions``; each keeps its file row number.

        The frame keeps the original positions as its index, so a row selected out of a
        larger table can still be told apart by where it stood.
        """
        index = list(positions)
        if len(index) == self.n_rows:  # every row (positions are distinct and in order)
            return self
        numbers = tuple(self.file_row(p) for p in index)
        return dataclasses.replace(self, data=self.data.iloc[index], row_numbers=numbers)

    def without_first_rows(self, count: int) -> Table:
        """The table without its first ``count`` data rows: a tool's extra header rows."""
        if count <= 0:
            return self
        skipped = tuple(tuple(str(v) for v in row) for row in self.data.iloc[:count].values)
        numbers = None if self.row_numbers is None else self.row_numbers[count:]
        return dataclasses.replace(
            self,
            data=self.data.iloc[count:].reset_index(drop=True),
            header_lines=self.header_lines + count,
            row_numbers=numbers,
            skipped_rows=self.skipped_rows + skipped,
        )


def detect_format(filename: str) -> str:
    ext = os.path.splitext(filename.lower())[1].lstrip(".")
    if ext in ("csv", "txt", "tsv"):
        return "csv"
    if ext in FORMATS:
        return ext
    raise FileError(f"Expected a .csv, .xlsx or .sav file, got “{filename}”.")


def read_table(content: bytes, filename: str) -> Table:
    if not content:
        raise FileError("The file is empty.")
    if len(content) > MAX_BYTES:
        raise FileError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    kind = detect_format(filename)
    reader = {"csv": _read_csv, "xlsx": _read_xlsx, "sav": _read_sav}[kind]
    return reader(content)


def _named(header: list[str]) -> tuple[list[str], tuple[str, ...]]:
    """The header's names, a repeated one numbered ("Complete?", "Complete? (2)"), and a
    note for each repeated name."""
    if not header:
        raise FileError("The file has no header row.")
    blank = [i + 1 for i, c in enumerate(header) if not c.strip()]
    if blank:
        raise FileError(f"Column {blank[0]} has no name in the header row.")
    names: list[str] = []
    taken = set(header)
    repeated: dict[str, list[str]] = {}
    for name in header:
        if name not in names:
            names.append(name)
            continue
        number = len(repeated.setdefault(name, [name])) + 1
        while f"{name} ({number})" in taken:
            number += 1
        names.append(f"{name} ({number})")
        taken.add(names[-1])
        repeated[name].append(names[-1])
    notes = tuple(
        f"The header row names “{name}” {len(given)} times: the columns are called "
        + ", ".join(f"“{g}”" for g in given)
        + "."
        for name, given in repeated.items()
    )
    return names, notes


def _frame(width: int, rows: list[list[str]]) -> pd.DataFrame:
    """Rows of ``width`` text cells as a frame, its columns numbered."""
    import pandas as pd

    if not rows:
        return pd.DataFrame({i: pd.Series([], dtype=str) for i in range(width)})
    # From the rows as they are: several times faster than transposing them first.
    return pd.DataFrame(rows, dtype=str)


@dataclass(frozen=True)
class Parsed:
    """A text table split into its header, its rows and their record numbers (the header's
    record, counted from 1 as a spreadsheet numbers rows, then each row's)."""

    header: list[str]
    rows: pd.DataFrame  # one column a header name's position, every cell text
    first: int
    numbers: list[int]


def _read_csv(content: bytes) -> Table:
    try:
        reading = read_text_table(content)
        parsed = parse_quickly(reading) or parse_exactly(reading)
    except UnreadableText as error:
        raise FileError(str(error)) from error
    columns, notes = _named(parsed.header)
    frame = parsed.rows
    frame.columns = columns
    numbers = parsed.numbers
    gaps = numbers != list(range(parsed.first + 1, parsed.first + 1 + len(numbers)))
    return Table(
        columns,
        frame,
        header_lines=max(parsed.first, 1),
        row_numbers=tuple(numbers) if gaps else None,
        notes=(reading.describe(), *notes),
    )


def parse_exactly(reading: TextTable) -> Parsed:
    """The table by the project's reader (the csv module), row by row. The header is the
    first record with a cell in it; blank records and records of delimiters only are
    skipped; an empty last column (a delimiter ending every line) is dropped; a row with
    more filled cells than the header is a ``FileError`` naming it."""
    records = enumerate(reading.records(), start=1)
    first, header = next(((n, r) for n, r in records if any(c.strip() for c in r)), (0, []))
    header = [c.strip() for c in header]
    while header and not header[-1]:
        header.pop()
    width = len(header)
    rows, numbers = [], []
    for number, record in records:
        if not "".join(record).strip():
            continue
        rows.append(record if len(record) == width else _fitted(record, width, number))
        numbers.append(number)
    return Parsed(header, _frame(width, rows), first, numbers)


def parse_quickly(reading: TextTable) -> Parsed | None:
    """The same table as ``parse_exactly``, by pandas' C parser: several times faster on a
    large export. None when the file is not plain enough for it (a row longer than the
    first line, an extra column with a value in it): ``parse_exactly`` then reads it, or
    says which row is wrong. Both are told the reader's delimiter, and a test holds them
    equal on generated tables."""
    import numpy as np
    import pandas as pd

    try:
        frame = pd.read_csv(
            io.StringIO(reading.text, newline=""),
            sep=reading.delimiter,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
        ).fillna("")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError):
        return None
    filled = np.flatnonzero(~_blank(frame))
    if not len(filled):
        return Parsed([], _frame(0, []), 0, [])
    top = int(filled[0])
    header = [str(c).strip() for c in frame.iloc[top].tolist()]
    while header and not header[-1]:
        header.pop()
    body = frame.iloc[filled[1:]]
    extra = body.iloc[:, len(header) :]
    if extra.shape[1] and not _blank(extra).all():
        return None
    rows = body.iloc[:, : len(header)].reset_index(drop=True)
    rows.columns = range(len(header))
    return Parsed(header, rows, top + 1, [int(i) + 1 for i in filled[1:]])


def _blank(frame: pd.DataFrame) -> np.ndarray:
    """Which rows hold nothing but spaces: the cells joined column by column (numpy's loop)
    and each row's text stripped once, not each of its cells."""
    import numpy as np

    joined = np.full(len(frame), "", dtype=object)
    for position in range(frame.shape[1]):
        joined = joined + frame.iloc[:, position].to_numpy(dtype=object)
    return np.fromiter((not text.strip() for text in joined), dtype=bool, count=len(joined))


def _fitted(record: list[str], width: int, number: int) -> list[str]:
    """The record with the header's width: short rows padded, empty extra cells dropped."""
    if len(record) <= width:
        return record + [""] * (width - len(record))
    if any(c.strip() for c in record[width:]):
        raise FileError(
            f"Row {number} has {len(record)} cells, but the header row names {width} columns:"
            " check the delimiter and the quotes of that row."
        )
    return record[:width]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    return str(value).strip()


def _read_xlsx(content: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise FileError("The file cannot be read as an Excel workbook (.xlsx).") from error
    try:
        if not book.worksheets:
            raise FileError("The workbook has no sheet.")
        header, rows, numbers = _sheet_rows(book.worksheets[0])
    except FileError:
        raise
    except Exception as error:  # a damaged sheet inside a readable archive
        raise FileError("The file cannot be read as an Excel workbook (.xlsx).") from error
    finally:
        book.close()
    columns, notes = _named(header)
    frame = _frame(len(columns), rows)
    frame.columns = columns
    gaps = numbers != list(range(2, 2 + len(numbers)))
    return Table(columns, frame, row_numbers=tuple(numbers) if gaps else None, notes=notes)


def _sheet_rows(sheet: Any) -> tuple[list[str], list[list[str]], list[int]]:
    """The first sheet's header, its non-empty rows as text, and their sheet row numbers."""
    rows = sheet.iter_rows(values_only=True)
    first = next(rows, None)
    if first is None:
        raise FileError("The workbook's first sheet is empty.")
    header = [_cell(c) for c in first]
    while header and not header[-1]:
        header.pop()
    width = len(header)
    body, numbers = [], []
    for number, row in enumerate(rows, start=2):
        cells = [_cell(v) for v in row[:width]]
        if any(cells):
            body.append(cells + [""] * (width - len(cells)))
            numbers.append(number)
    return header, body, numbers


def _read_sav(content: bytes) -> Table:
    import pandas as pd
    import pyreadstat

    try:
        # From memory: pyreadstat reads file-like objects, so the upload never touches disk.
        frame, meta = pyreadstat.read_sav(io.BytesIO(content), apply_value_formats=False)
    except Exception as error:  # pyreadstat.ReadstatError and friends
        raise FileError("The file cannot be read as an SPSS data file (.sav).") from error
    columns = [str(c) for c in frame.columns]
    text = pd.DataFrame({c: [_cell(v) for v in frame[c].tolist()] for c in columns}, dtype=str)
    labels = {
        str(column): {_cell(value): str(label) for value, label in pairs.items()}
        for column, pairs in (meta.variable_value_labels or {}).items()
    }
    return Table(columns, text, value_labels=labels)


def keep_columns(table: Table, columns: Iterable[str]) -> Table:
    """The table with only ``columns`` (in the file's order), their value labels and every row.

    Rows are kept even when all their kept cells are empty, so row numbers in errors and
    the row positions that identify a response without an identifier column do not move.
    """
    wanted = set(columns)
    kept = [c for c in table.columns if c in wanted]
    labels = {c: dict(table.value_labels[c]) for c in kept if c in table.value_labels}
    data = table.data[kept].reset_index(drop=True)
    return dataclasses.replace(
        table, columns=kept, data=data, value_labels=labels, skipped_rows=(), notes=()
    )


def dump_kept(table: Table) -> bytes:
    """The kept table as UTF-8 JSON: every cell exactly as read, no parsing left to redo.

    Not compressed, so what an import keeps can be checked by reading the stored bytes.
    """
    document = {
        "version": KEPT_VERSION,
        "columns": table.columns,
        "header_lines": table.header_lines,
        "rows": table.n_rows,
        "row_numbers": list(table.row_numbers) if table.row_numbers is not None else None,
        "value_labels": table.value_labels,
        "markers": table.markers,
        "data": {c: table.data[c].tolist() for c in table.columns},
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def load_kept(content: bytes) -> Table:
    """A table stored by ``dump_kept`` (only this module writes them; version 1 had no row
    numbers or markers)."""
    import pandas as pd

    document = json.loads(content)
    if document.get("version") not in (1, KEPT_VERSION):
        raise FileError("The mapped columns of this import cannot be read; upload the file again.")
    columns = document["columns"]
    frame = pd.DataFrame(
        {c: document["data"][c] for c in columns},
        columns=columns,
        index=pd.RangeIndex(document["rows"]),
        dtype=str,
    )
    numbers = document.get("row_numbers")
    return Table(
        columns,
        frame,
        document["value_labels"],
        header_lines=document["header_lines"],
        row_numbers=tuple(numbers) if numbers is not None else None,
        markers=document.get("markers") or {},
    )
