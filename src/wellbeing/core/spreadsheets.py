"""Cells of staff and report exports (CSV, XLSX) that a spreadsheet must not run."""

from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse


def safe_cell(value: object) -> object:
    """Neutralise spreadsheet formulas in free text (CSV injection): prefix a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def safe_row(row: Iterable[object]) -> list[object]:
    return [safe_cell(value) for value in row]


def xlsx_response(book: Any, filename: str | None = None) -> HttpResponse:
    """An openpyxl workbook as a download (``filename``: an attachment's name)."""
    response = HttpResponse(
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    book.save(response)
    return response
