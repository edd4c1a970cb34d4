"""Every CSV and XLSX file goes through ``core.spreadsheets``, and no cell runs as a formula."""

import csv
import io
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook, load_workbook

from wellbeing.core.spreadsheets import append_row, csv_writer

SRC = Path(__file__).resolve().parents[2] / "src"
ATTACKS = ['=HYPERLINK("http://evil.test","x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def test_the_csv_writer_quotes_every_cell_that_would_run_headers_included():
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(ATTACKS)
    writer.writerows([ATTACKS, [1, -3, None, "plain"]])
    header, row, numbers = list(csv.reader(io.StringIO(out.getvalue())))
    for cells in (header, row):
        assert cells == ["'" + attack for attack in ATTACKS]
    assert numbers == ["1", "-3", "", "plain"]  # numbers stay numbers


def test_xlsx_rows_hold_text_cells_never_formulas():
    book = Workbook()
    sheet = book.active
    append_row(sheet, ATTACKS)
    append_row(sheet, [1, None, "=1+1", 2.5])
    buffer = io.BytesIO()
    book.save(buffer)
    xml = zipfile.ZipFile(io.BytesIO(buffer.getvalue())).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml  # no formula element anywhere
    loaded = load_workbook(io.BytesIO(buffer.getvalue()))
    rows = list(loaded.active.iter_rows(values_only=True))
    # The text kept as it was, with no quote added (XML stores a carriage return as a newline).
    assert list(rows[0]) == [a.replace("\r", "\n") for a in ATTACKS]
    assert list(rows[1])[:4] == [1, None, "=1+1", 2.5]
    assert all(c.data_type == "s" for c in loaded.active[1])


def test_no_module_writes_a_csv_or_a_sheet_row_but_through_the_helper():
    """A new export written with ``csv.writer`` or ``sheet.append`` would skip the guard.

    The scoring command line (``src/instruments``, a library without Django) is left out: it
    writes a researcher's own file back to them, values as read, for R, SPSS or pandas.
    """
    offenders = []
    for path in SRC.rglob("*.py"):
        if path.name == "spreadsheets.py" or "migrations" in path.parts:
            continue
        if path.relative_to(SRC).parts[0] == "instruments":
            continue
        text = path.read_text()
        if re.search(r"\bcsv\.(writer|DictWriter)\(", text):
            offenders.append(f"{path}: csv.writer")
        if "openpyxl" in text and re.search(r"\b(sheet|notes|ws|book\.active)\.append\(", text):
            offenders.append(f"{path}: sheet.append")
    assert offenders == []
