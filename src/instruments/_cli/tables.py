"""Reading a response file into chunks of text cells.

CSV is read with the standard library (no pandas); ``.xlsx`` and ``.sav`` through pandas and
pyreadstat, loaded only for those files. Rows come in chunks of ``CHUNK_ROWS`` so a file of a
million responses never exists as a million Python lists at once.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from instruments._cli.messages import CliError

CHUNK_ROWS = 50_000
OTHER_DELIMITERS = {";": "';'", "\t": "tab", "|": "'|'"}


@dataclass(frozen=True)
class Chunk:
    """Consecutive response rows as columns of text cells, padded to the header's width."""

    columns: list[Sequence[str]]
    numbers: list[int]  # the spreadsheet row number of each row (header = 1)


@dataclass(frozen=True)
class Table:
    """A response file: its header and its rows, read chunk by chunk (once)."""

    name: str
    header: list[str]
    chunks: Iterator[Chunk]
    rows: int  # about how many rows follow the header (for the progress bar)


def read(path: Path, delimiter: str) -> Table:
    if not path.exists():
        raise CliError(f"{path}: file not found")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        text = _decode(path, path.read_bytes())
        records = csv_records(path, text, delimiter)
        rows = max(text.count("\n"), text.count("\r")) - 1
    elif suffix in (".xlsx", ".sav"):
        found = _excel_records(path) if suffix == ".xlsx" else _sav_records(path)
        records, rows = iter(found), len(found) - 1
    else:
        raise CliError(
            f"{path}: expected a .csv, .xlsx or .sav file, got {suffix or 'no extension'!r}"
        )
    header = next(records, [])
    if not any(cell.strip() for cell in header):
        raise CliError(f"{path}: the file is empty (expected a header row of column names)")
    if suffix == ".csv" and len(header) == 1:
        _check_delimiter(path, header[0])
    return Table(str(path), header, _chunks(path, records, len(header)), rows)


def read_map(path: Path) -> list[list[str]]:
    """The records of a small CSV file such as a --map-file."""
    if not path.exists():
        raise CliError(f"{path}: file not found")
    return list(csv_records(path, _decode(path, path.read_bytes()), ","))


def csv_records(path: Path, text: str, delimiter: str) -> Iterator[list[str]]:
    """Each record of CSV text; a blank line is an empty record, so row numbers stay true."""
    # newline="" lets the csv module see CR, LF and CRLF line ends and quoted line breaks.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error as error:
        raise CliError(f"{path}: row {reader.line_num}: {error}") from error


def _decode(path: Path, data: bytes) -> str:
    """UTF-8 (with or without a BOM) or UTF-16 with a BOM (Excel's "Unicode Text")."""
    if data.startswith(b"PK\x03\x04"):
        raise CliError(f"{path}: this is a zip file such as an Excel workbook; name it .xlsx")
    utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    if b"\x00" in data and not utf16:
        raise CliError(f"{path}: not a text file (it holds NUL bytes); expected CSV text")
    try:
        return data.decode("utf-16" if utf16 else "utf-8-sig")
    except UnicodeDecodeError as error:
        raise CliError(
            f"{path}: not UTF-8 text (byte {data[error.start]:#04x} at offset {error.start}); "
            "save it as 'CSV UTF-8'"
        ) from error


def _excel_records(path: Path) -> list[list[str]]:
    import pandas as pd

    try:
        frame = pd.read_excel(path, dtype=str, header=None, keep_default_na=False)
    except Exception as error:  # openpyxl and zipfile raise many types for a damaged file
        raise CliError(f"{path}: cannot be read as an Excel workbook: {error}") from error
    return [[_text(cell) for cell in row] for row in frame.itertuples(index=False)]


def _sav_records(path: Path) -> list[list[str]]:
    try:
        import pyreadstat
    except ImportError as error:
        raise CliError(f"{path}: reading .sav files needs pyreadstat installed") from error
    try:
        frame, _meta = pyreadstat.read_sav(str(path))
    except Exception as error:  # pyreadstat raises its own types for a damaged file
        raise CliError(f"{path}: cannot be read as an SPSS .sav file: {error}") from error
    rows = [[_text(cell) for cell in row] for row in frame.itertuples(index=False)]
    return [[str(name) for name in frame.columns], *rows]


def _text(cell: object) -> str:
    """A cell as SPSS or Excel shows it: whole numbers without '.0', empty for missing."""
    if isinstance(cell, float):
        if cell != cell:
            return ""
        return str(int(cell)) if cell.is_integer() else repr(cell)
    return "" if cell is None else str(cell)


def _chunks(path: Path, records: Iterable[list[str]], width: int) -> Iterator[Chunk]:
    """Chunks of rows; at least one, so a header-only file still gets its output header."""
    rows: list[list[str]] = []
    numbers: list[int] = []
    yielded = False
    for number, record in enumerate(records, start=2):
        if not record:  # a blank line
            continue
        rows.append(record if len(record) == width else _fit(path, number, record, width))
        numbers.append(number)
        if len(rows) == CHUNK_ROWS:
            yield Chunk(list(zip(*rows, strict=True)), numbers)
            rows, numbers, yielded = [], [], True
    if rows or not yielded:
        yield Chunk(list(zip(*rows, strict=True)) if rows else [()] * width, numbers)


def _fit(path: Path, number: int, record: list[str], width: int) -> list[str]:
    """A short record padded to the header's width; cells beyond it must be empty."""
    if len(record) > width:
        if any(cell.strip() for cell in record[width:]):
            raise CliError(
                f"{path}: row {number} has {len(record)} cells but the header has {width}"
            )
        return record[:width]  # trailing empty cells, as spreadsheets write them
    return record + [""] * (width - len(record))


def _check_delimiter(path: Path, header: str) -> None:
    """A one-column header holding ';' is a semicolon file read with commas: say so."""
    for delimiter, name in OTHER_DELIMITERS.items():
        if delimiter in header:
            raise CliError(
                f"{path}: the header is one column, {header[:60]!r}, holding {name}: the file "
                f"looks {name}-separated; pass --delimiter {name}"
            )
