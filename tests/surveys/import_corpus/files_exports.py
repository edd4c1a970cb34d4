"""Text files as spreadsheet programs and survey tools write them: encodings, line ends, delimiters.

Layouts, from the programs' documentation and their own sample files:

- Excel "CSV UTF-8": UTF-8 with a byte-order mark; in locales whose decimal mark is a
  comma (most of Europe) the list separator, and so the delimiter, is a semicolon.
- Excel "Unicode Text" (.txt): UTF-16 little-endian with a byte-order mark, tab-separated,
  CRLF line ends.
- Excel "CSV" on Windows: Windows-1252; "CSV (Macintosh)": Mac Roman with CR line ends
  ("CSVs produced by Excel on Windows encode text using Windows-1252, and CSVs produced by
  Excel on Mac use MacRoman").
- The Qualtrics legacy layout (before 2017; the qualtRics package's ``sample_legacy.csv``):
  ``V1`` … ``V10``, ``Q1`` … with a trailing comma on every line, then a row of labels
  (``ResponseID``, ``ResponseSet``, ``Name``, ``ExternalDataReference``, ``EmailAddress``,
  ``IPAddress``, ``Status``, ``StartDate``, ``EndDate``, ``Finished``, the question texts),
  then the responses, numbered choices (1, 2, … in the order the choices were created).
- REDCap "CSV (labels)" of a project with two forms: field labels as headers, so each
  form's "Survey Timestamp" and "Complete?" columns share a name.

Every file holds the same kind of rows (the platform's item columns, instrument codes,
unit names with accented letters, curly apostrophes and dashes), so a wrong decoding
shows as a unit that does not match or a row that does not split.
"""

import codecs
import zipfile
from io import BytesIO

from import_corpus import Case
from import_corpus._layouts import (
    BURNOUT,
    BURNOUT_SCALE,
    PHQ9,
    PHQ9_SCALE,
    WHO5,
    WHO5_SCALE,
    as_codes,
    cell,
    codes_of,
    item_texts,
    known,
    labels_of,
    numbered,
    people,
    stored,
)

# Units whose names every one-byte encoding of the corpus can write, but each differently.
UNITS = (
    "Pédiatrie",
    "Salud mental \u2013 niños",
    "Children\u2019s ward",
)  # en dash, curly apostrophe
EXTRA_UNITS = tuple((name, "") for name in UNITS)
WHO5_FIELDS = [f"who5_{n}" for n in range(1, 6)]
PHQ9_FIELDS = [f"phq9_{n}" for n in range(1, 10)]
HEADER = ["response_id", "burnout", *WHO5_FIELDS, *PHQ9_FIELDS, "unit", "role"]
CODES = {i: as_codes(codes_of(i)) for i in (BURNOUT, WHO5, PHQ9)}
IDENTITY = {
    BURNOUT_SCALE: known(CODES[BURNOUT]),
    WHO5_SCALE: known(CODES[WHO5]),
    PHQ9_SCALE: known(CODES[PHQ9]),
    "unit": {u: u for u in UNITS},
    "role": {"nurse": "nurse", "physician": "physician", "other": "other"},
}
PLAIN_COLUMNS = {"unit_column": "unit", "demographics": {"role": "role"}}


def _rows(crowd) -> list[list[str]]:
    rows = [list(HEADER)]
    for p in crowd:
        rows.append(
            [
                f"r{p.id}",
                cell(CODES[BURNOUT], p.burnout),
                *[cell(CODES[WHO5], c) for c in p.who5],
                *[cell(CODES[PHQ9], c) for c in p.phq9],
                p.unit,
                p.role,
            ]
        )
    return rows


def _text(rows: list[list[str]], delimiter: str, line_end: str) -> str:
    """Rows as a spreadsheet program writes them: a cell quoted only when it must be."""

    def quoted(value: str) -> str:
        if any(c in value for c in (delimiter, '"', "\r", "\n")):
            return '"' + value.replace('"', '""') + '"'
        return value

    return "".join(delimiter.join(quoted(v) for v in row) + line_end for row in rows)


def _case(name, build, crowd, **extra) -> Case:
    extra.setdefault("columns", PLAIN_COLUMNS)
    extra.setdefault("answers", IDENTITY)
    return Case(name, build, stored(crowd, role=True), extra_units=EXTRA_UNITS, **extra)


# 1. Excel "CSV UTF-8" in a European locale.
U8 = people(61, units=UNITS)


def utf8_bom_semicolon() -> bytes:
    return codecs.BOM_UTF8 + _text(_rows(U8), ";", "\r\n").encode()


# 2. Excel "Unicode Text".
U16 = people(62, units=UNITS)


def excel_unicode_text() -> bytes:
    return codecs.BOM_UTF16_LE + _text(_rows(U16), "\t", "\r\n").encode("utf-16-le")


# 3. UTF-16 big-endian, as some Mac and Java tools write it.
U16BE = people(63, units=UNITS)


def utf16_big_endian() -> bytes:
    return codecs.BOM_UTF16_BE + _text(_rows(U16BE), ",", "\n").encode("utf-16-be")


# 4. Excel "CSV (Macintosh)".
MAC = people(64, units=UNITS)


def excel_csv_macintosh() -> bytes:
    return _text(_rows(MAC), ",", "\r").encode("mac_roman")


# 5. Excel "CSV" on Windows.
WIN = people(65, units=UNITS)


def excel_csv_windows() -> bytes:
    return _text(_rows(WIN), ",", "\r\n").encode("cp1252")


# 6. Tab-separated with Unix line ends, and a free-text column whose answers span lines.
TSV = people(66, units=UNITS)


def tab_separated_with_line_breaks_in_cells() -> bytes:
    rows = _rows(TSV)
    rows[0].append("comments")
    for n, row in enumerate(rows[1:]):
        row.append(f"Short staffed.\nNights, again;\r\nthanks {n}" if n % 3 == 0 else "")
    return _text(rows, "\t", "\n").encode()


# 7. A file with blank lines between its rows and a trailing delimiter on every line.
GAPS = people(67, units=UNITS)


def blank_lines_and_trailing_commas() -> bytes:
    lines = []
    for n, row in enumerate(_rows(GAPS)):
        lines.append(",".join(row) + ",\n")
        if n % 10 == 5:
            lines.append("\n,,,\n")
    return "".join(lines).encode()


# 8. The Qualtrics legacy layout, numeric.
LEGACY = people(68, units=UNITS)
IN_ORDER = {i: numbered(codes_of(i)) for i in (BURNOUT, WHO5, PHQ9)}
LEGACY_META = [
    "ResponseID",
    "ResponseSet",
    "Name",
    "ExternalDataReference",
    "EmailAddress",
    "IPAddress",
    "Status",
    "StartDate",
    "EndDate",
    "Finished",
]
UNIT_CODES = {name: str(n) for n, name in enumerate(UNITS, start=1)}
ROLE_CODES = {"nurse": "1", "physician": "2", "other": "3"}


def qualtrics_legacy() -> bytes:
    questions = ["Q1", *[f"Q2_{n}" for n in range(1, 6)], *[f"Q3_{n}" for n in range(1, 10)]]
    names = [f"V{n}" for n in range(1, 11)] + [*questions, "Q4", "Q5"]
    texts = [
        *LEGACY_META,
        "How would you rate your level of burnout?",
        *[f"Over the last two weeks-{t}" for t in item_texts(WHO5)],
        *[f"Over the last 2 weeks-{t}" for t in item_texts(PHQ9)],
        "Which unit do you work in?",
        "Which best describes your role?",
    ]
    rows = [names, texts]
    for p in LEGACY:
        meta = [f"R_{p.id:03d}xYz", "Default Response Set", "Anonymous", "", "", ""]
        meta += ["0", "2016-11-02 09:00:00", "2016-11-02 09:05:00", "1"]
        answers = [cell(IN_ORDER[BURNOUT], p.burnout)]
        answers += [cell(IN_ORDER[WHO5], c) for c in p.who5]
        answers += [cell(IN_ORDER[PHQ9], c) for c in p.phq9]
        rows.append([*meta, *answers, UNIT_CODES[p.unit], ROLE_CODES[p.role]])
    return "".join(",".join(_quote(v) for v in row) + ",\n" for row in rows).encode()


def _quote(value: str) -> str:
    return f'"{value}"' if "," in value else value


# 9. REDCap "CSV (labels)" of a project with a demographics form and a well-being form.
RCL = people(69, units=UNITS)
LABELS = {i: labels_of(i) for i in (BURNOUT, WHO5, PHQ9)}
BURNOUT_TEXT = (
    "Overall, based on your definition of burnout, how would you rate your level of burnout?"
)


def redcap_labels_two_forms() -> bytes:
    header = ["Record ID", "Survey Identifier", "Survey Timestamp", "Unit", "Role", "Complete?"]
    header += ["Survey Timestamp", BURNOUT_TEXT, *item_texts(WHO5), *item_texts(PHQ9)]
    header += ["Complete?"]
    rows = [header]
    for p in RCL:
        stamp = f"2025-04-{1 + p.id % 20:02d} 10:{p.id % 60:02d}:00"
        row = [str(p.id), "", stamp, p.unit, p.role.capitalize(), "Complete", stamp]
        row += [cell(LABELS[BURNOUT], p.burnout)]
        row += [cell(LABELS[WHO5], c) for c in p.who5]
        row += [cell(LABELS[PHQ9], c) for c in p.phq9]
        rows.append([*row, "Complete"])
    return _text(rows, ",", "\r\n").encode()


# Files that are not text tables: refused at the upload, with what to do
# (tests/surveys/test_surveys_import_files.py; the corpus runs files that upload).


def workbook_saved_as_csv() -> bytes:
    """An .xlsx workbook renamed .csv: a zip archive, not text."""
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def damaged_utf16() -> bytes:
    """A UTF-16 file cut off after half a character pair (a lone high surrogate)."""
    return codecs.BOM_UTF16_LE + "response_id\tburnout\r\nr1\t".encode("utf-16-le") + b"\x3d\xd8"


def a_row_that_does_not_split() -> bytes:
    rows = _rows(people(70, n=6, units=UNITS))
    rows[4].append("an extra cell")
    return _text(rows, ",", "\r\n").encode()


CASES = [
    _case("files_utf8_bom_semicolon.csv", utf8_bom_semicolon, U8),
    _case("files_excel_unicode_text.txt", excel_unicode_text, U16),
    _case("files_utf16_big_endian.csv", utf16_big_endian, U16BE),
    _case("files_excel_csv_macintosh.csv", excel_csv_macintosh, MAC),
    _case("files_excel_csv_windows.csv", excel_csv_windows, WIN),
    _case("files_tab_separated_line_breaks.tsv", tab_separated_with_line_breaks_in_cells, TSV),
    _case("files_blank_lines_trailing_commas.csv", blank_lines_and_trailing_commas, GAPS),
    _case(
        "files_qualtrics_legacy.csv",
        qualtrics_legacy,
        LEGACY,
        columns={
            "items": {
                BURNOUT: ["Q1"],
                WHO5: [f"Q2_{n}" for n in range(1, 6)],
                PHQ9: [f"Q3_{n}" for n in range(1, 10)],
            },
            "unit_column": "Q4",
            "demographics": {"role": "Q5"},
            "key_columns": ["V1"],
        },
        answers={
            BURNOUT_SCALE: known(IN_ORDER[BURNOUT]),
            WHO5_SCALE: known(IN_ORDER[WHO5]),
            PHQ9_SCALE: known(IN_ORDER[PHQ9]),
            "unit": {code: name for name, code in UNIT_CODES.items()},
            "role": {code: key for key, code in ROLE_CODES.items()},
        },
    ),
    _case(
        "files_redcap_labels_two_forms.csv",
        redcap_labels_two_forms,
        RCL,
        columns={
            "items": {BURNOUT: [BURNOUT_TEXT], WHO5: item_texts(WHO5), PHQ9: item_texts(PHQ9)},
            "unit_column": "Unit",
            "demographics": {"role": "Role"},
            "key_columns": ["Record ID"],
        },
        answers={
            BURNOUT_SCALE: known(LABELS[BURNOUT]),
            WHO5_SCALE: known(LABELS[WHO5]),
            PHQ9_SCALE: known(LABELS[PHQ9]),
            "unit": {u: u for u in UNITS},
            "role": {"Nurse": "nurse", "Physician": "physician", "Other": "other"},
        },
    ),
]
