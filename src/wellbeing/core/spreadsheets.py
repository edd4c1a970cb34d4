"""Cells of staff exports (CSV, XLSX) that a spreadsheet must not run."""


def safe_cell(value: object) -> object:
    """Neutralise spreadsheet formulas in free text (CSV injection): prefix a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
