"""Reading addresses: pasted text, or a CSV, TXT or Excel file held in memory.

One address a line (commas and semicolons also separate pasted addresses), or a header
row naming an ``email`` column and, optionally, a ``unit`` column. Every problem of the
file itself is an ``InputError`` whose message is for the person who uploaded it. A text
file is read by the project's text-table reader (``core.tables``: UTF-8, UTF-16,
Windows-1252 or Mac Roman; any line ends; comma, semicolon or tab).
"""

import csv
import io
import os
from dataclasses import dataclass

from wellbeing.core.tables import DamagedText, NotText, UnreadableText, read_text_table

MAX_ADDRESSES = 10_000  # per batch
MAX_FILE_BYTES = 5 * 1024 * 1024
EMAIL_HEADERS = {"email", "e-mail", "email address", "e-mail address", "mail"}
UNIT_HEADERS = {"unit", "unit name"}


class InputError(ValueError):
    """The pasted text or file cannot be read as addresses; the message says why."""


@dataclass(frozen=True)
class Line:
    row: int  # the line of the pasted text or the row of the file, from 1
    address: str
    unit_name: str = ""


def pasted_lines(text: str) -> list[Line]:
    """Pasted addresses: one a line, or several separated by commas or semicolons."""
    return _lines(_csv_rows(text, delimiter=","), split_cells=True)


def file_lines(content: bytes, filename: str) -> list[Line]:
    """A CSV, TXT or Excel file: one address a line, or a column ``email`` (and ``unit``)."""
    if not content:
        raise InputError("The file is empty.")
    if len(content) > MAX_FILE_BYTES:
        raise InputError(f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.")
    ext = os.path.splitext(filename.lower())[1].lstrip(".")
    if ext == "xlsx":
        return _lines(_xlsx_rows(content), split_cells=False)
    if ext in ("csv", "txt", "tsv", ""):
        return _lines(_text_rows(content), split_cells=False)
    raise InputError(f"Expected a .csv, .txt or .xlsx file, got “{filename}”.")


def _text_rows(content: bytes) -> list[list[str]]:
    """The rows of a text file; its problems in this page's words."""
    try:
        return read_text_table(content, delimiters=",;\t").rows()
    except NotText as error:
        raise InputError("The file is not a text, CSV or Excel (.xlsx) file.") from error
    except DamagedText as error:
        raise InputError(str(error)) from error
    except UnreadableText as error:
        raise InputError(f"The text cannot be read as lines of addresses: {error}") from error


def _csv_rows(text: str, delimiter: str) -> list[list[str]]:
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise InputError(f"The text cannot be read as lines of addresses: {error}") from error


def _xlsx_rows(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise InputError("The file cannot be read as an Excel workbook (.xlsx).") from error
    try:
        if not book.worksheets:
            raise InputError("The workbook has no sheet.")
        rows = []
        for row in book.worksheets[0].iter_rows(values_only=True):
            rows.append([_cell(v) for v in row])
            if len(rows) > MAX_ADDRESSES * 2:
                break
        return rows
    except InputError:
        raise
    except Exception as error:
        raise InputError("The file cannot be read as an Excel workbook (.xlsx).") from error
    finally:
        book.close()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _lines(rows: list[list[str]], *, split_cells: bool) -> list[Line]:
    """Rows of cells as lines: through the ``email`` (and ``unit``) column if the first row
    names one, else every non-empty cell is an address."""
    first = [c.strip().lower() for c in rows[0]] if rows else []
    email_col = next((i for i, c in enumerate(first) if c in EMAIL_HEADERS), None)
    if email_col is None:
        if sum(1 for c in first if c) > 1 and not any("@" in c for c in first):
            raise InputError(
                "The first row looks like a header row but has no “email” column: name the"
                " column of addresses “email”."
            )
        cells = (
            (number, cell)
            for number, row in enumerate(rows, start=1)
            for raw in row
            for cell in (raw.replace(";", ",").split(",") if split_cells else [raw])
        )
        return [Line(number, cell.strip()) for number, cell in cells if cell.strip()]
    unit_col = next((i for i, c in enumerate(first) if c in UNIT_HEADERS), None)
    lines = []
    for number, row in enumerate(rows[1:], start=2):
        address = row[email_col].strip() if email_col < len(row) else ""
        unit = row[unit_col].strip() if unit_col is not None and unit_col < len(row) else ""
        if address or unit:
            lines.append(Line(number, address, unit))
    return lines
