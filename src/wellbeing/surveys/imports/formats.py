"""Read an uploaded file into a table of text columns: CSV, XLSX or SPSS ``.sav``.

Every cell comes back as a string ("" for empty), so validation treats all formats alike
and reports the value exactly as the file holds it. SPSS value labels are kept beside the
table, so recoding rules may name a label instead of a code.

Every reader works on the bytes in memory: an upload may hold names, e-mail or IP
addresses, and a temporary file would leave them on disk after a crash.

Once the columns are mapped, an import keeps only the mapped columns of the table
(``keep_columns``), stored as ``KEPT`` (``dump_kept``/``load_kept``): the uploaded bytes
are dropped then, so unmapped columns are never stored past the mapping.
"""

import csv
import io
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

MAX_BYTES = 50 * 1024 * 1024
FORMATS = {"csv": "CSV", "xlsx": "Excel (.xlsx)", "sav": "SPSS (.sav)"}
# An import's ``format`` once its content is the kept table, no longer the uploaded file.
KEPT = "mapped"
KEPT_VERSION = 1
ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")


class FileError(ValueError):
    """The file cannot be read as a table; the message says why, for the person who uploaded it."""


@dataclass(frozen=True)
class Table:
    columns: list[str]
    data: pd.DataFrame  # str cells, columns named as ``columns``
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    # Lines of the file before the first data row (header rows), for row numbers in errors.
    header_lines: int = 1

    @property
    def n_rows(self) -> int:
        return len(self.data)


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
    table = reader(content)
    _check_columns(table.columns)
    return table


def _check_columns(columns: list[str]) -> None:
    if not columns:
        raise FileError("The file has no header row.")
    blank = [i + 1 for i, c in enumerate(columns) if not c.strip()]
    if blank:
        raise FileError(f"Column {blank[0]} has no name in the header row.")
    seen: set[str] = set()
    for name in columns:
        if name in seen:
            raise FileError(f"The column name “{name}” appears twice in the header row.")
        seen.add(name)


def _decode(content: bytes) -> str:
    for encoding in ENCODINGS:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileError("The file's text encoding is not UTF-8 or Windows-1252.")  # pragma: no cover


def _read_csv(content: bytes) -> Table:
    text = _decode(content)
    sample = text[:16384]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=True,
            engine="c",
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise FileError(f"The file cannot be read as CSV: {error}") from error
    frame = frame.fillna("")
    # pandas renames a repeated column ("a", "a.1"): the header is taken as the file has it.
    header = next(csv.reader(io.StringIO(text), delimiter=delimiter), [])
    columns = [c.strip() for c in header]
    _check_columns(columns)
    if len(columns) != len(frame.columns):
        raise FileError("The header row and the data rows have different numbers of columns.")
    frame.columns = columns
    return Table(columns, frame)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if np.isnan(value):
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
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise FileError("The workbook's first sheet is empty.")
        columns = [_cell(c) for c in header]
        while columns and not columns[-1]:
            columns.pop()
        width = len(columns)
        body = [
            [_cell(v) for v in row[:width]] + [""] * (width - len(row[:width]))
            for row in rows
            if any(v is not None and str(v).strip() for v in row)
        ]
    finally:
        book.close()
    frame = (
        pd.DataFrame(body, columns=columns, dtype=str) if body else pd.DataFrame(columns=columns)
    )
    return Table(columns, frame)


def _read_sav(content: bytes) -> Table:
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
    return Table(kept, data, labels, header_lines=table.header_lines)


def dump_kept(table: Table) -> bytes:
    """The kept table as UTF-8 JSON: every cell exactly as read, no parsing left to redo.

    Not compressed, so what an import keeps can be checked by reading the stored bytes.
    """
    document = {
        "version": KEPT_VERSION,
        "columns": table.columns,
        "header_lines": table.header_lines,
        "rows": table.n_rows,
        "value_labels": table.value_labels,
        "data": {c: table.data[c].tolist() for c in table.columns},
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def load_kept(content: bytes) -> Table:
    """A table stored by ``dump_kept`` (only this module writes them)."""
    document = json.loads(content)
    if document.get("version") != KEPT_VERSION:
        raise FileError("The mapped columns of this import cannot be read; upload the file again.")
    columns = document["columns"]
    frame = pd.DataFrame(
        {c: document["data"][c] for c in columns},
        columns=columns,
        index=pd.RangeIndex(document["rows"]),
        dtype=str,
    )
    return Table(columns, frame, document["value_labels"], header_lines=document["header_lines"])
