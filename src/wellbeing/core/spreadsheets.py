"""Every CSV and XLSX file the platform writes, written so that no cell runs as a formula.

A cell of free text (an open answer, a unit's name, a question an organization wrote) that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would run as a formula
when the file is opened in a spreadsheet (CSV injection). CSV rows go through
``csv_writer`` (such text gets a leading quote); XLSX rows through ``append_row``, which
writes every text cell as a string cell, never a formula, and keeps the text as it was.
"""

import csv
from collections.abc import Iterable
from typing import Any, Protocol

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """Neutralise spreadsheet formulas in free text (CSV injection): prefix a quote."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def safe_row(row: Iterable[object]) -> list[object]:
    return [safe_cell(value) for value in row]


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


class SafeWriter:
    """``csv.writer`` whose every row, header included, goes through ``safe_row``."""

    def __init__(self, stream: _Writable, **options: Any) -> None:
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[object]) -> Any:
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream: _Writable, **options: Any) -> SafeWriter:
    return SafeWriter(stream, **options)


def append_row(sheet: Any, row: Iterable[object]) -> None:
    """Append ``row`` to an openpyxl sheet with every text cell typed as a string.

    openpyxl stores a string starting with ``=`` as a formula; typing the cell as a string
    keeps the text verbatim and inert."""
    values = list(row)
    sheet.append([None if isinstance(v, str) else v for v in values])
    at = sheet.max_row
    for column, value in enumerate(values, start=1):
        if isinstance(value, str):
            cell = sheet.cell(row=at, column=column)
            cell.value = value
            cell.data_type = "s"


def xlsx_response(book: Any, filename: str | None = None) -> HttpResponse:
    """An openpyxl workbook as a download (``filename``: an attachment's name)."""
    response = HttpResponse(
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    book.save(response)
    return response
