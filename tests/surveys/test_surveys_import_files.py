"""Any text file reads, or gets a clear message: encodings, line ends, delimiters, layouts.

The survey import, the unit import and the invitation list read text through one reader
(``core.tables``); the samples are built from each program's documented layout
(tests/surveys/import_corpus/files_exports.py), and every byte string a fuzzer makes, or a
valid file with its bytes damaged, gets a page with a message, never a 500.
"""

import codecs
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from import_corpus import files_exports as files

from wellbeing.core.tables import TextTable, UnreadableText, read_text_table
from wellbeing.surveys import actions
from wellbeing.surveys.imports import presets, run
from wellbeing.surveys.imports.formats import FileError, parse_exactly, parse_quickly, read_table
from wellbeing.surveys.imports.mapping import Mapping
from wellbeing.surveys.imports.models import ImportJob

READ = [
    (
        files.utf8_bom_semicolon,
        files.U8,
        "Read as UTF-8 (with a byte-order mark) text, semicolon-separated, with CRLF line ends.",
    ),
    (
        files.excel_unicode_text,
        files.U16,
        "Read as UTF-16 (little-endian) text, tab-separated, with CRLF line ends.",
    ),
    (
        files.utf16_big_endian,
        files.U16BE,
        "Read as UTF-16 (big-endian) text, comma-separated, with LF line ends.",
    ),
    (
        files.excel_csv_macintosh,
        files.MAC,
        "Read as Mac Roman (not UTF-8) text, comma-separated, with CR line ends.",
    ),
    (
        files.excel_csv_windows,
        files.WIN,
        "Read as Windows-1252 (not UTF-8) text, comma-separated, with CRLF line ends.",
    ),
]


@pytest.fixture
def past_wave(survey, org_admin):
    now = timezone.now()
    return actions.create_wave(
        survey=survey,
        name="2025 survey",
        opens_at=now - timedelta(days=400),
        closes_at=now - timedelta(days=380),
        actor=org_admin,
    )


def _upload_url(org, wave) -> str:
    return reverse("surveys:import_upload", args=[org.slug, wave.pk])


# --- reading ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("build", "crowd", "said"), READ, ids=[r[0].__name__ for r in READ])
def test_each_program_s_text_file_reads_as_the_same_table_and_the_reading_is_said(
    build, crowd, said
):
    table = read_table(build(), "export.csv")
    assert table.notes[0] == said
    assert table.columns == files.HEADER
    assert table.data["unit"].tolist() == [p.unit for p in crowd]
    assert table.data["response_id"].tolist() == [f"r{p.id}" for p in crowd]


def test_line_breaks_inside_quoted_cells_stay_in_their_cell():
    table = read_table(files.tab_separated_with_line_breaks_in_cells(), "export.tsv")
    assert table.n_rows == len(files.TSV)
    comments = table.data["comments"].tolist()
    assert comments[0] == "Short staffed.\nNights, again;\r\nthanks 0"
    assert comments[1] == "" and comments[3].endswith("thanks 3")
    assert table.data["unit"].tolist() == [p.unit for p in files.TSV]


def test_a_semicolon_file_with_commas_in_quoted_cells_is_split_on_semicolons():
    content = b'id;comment;burnout\n1;"Tired, very";3\n2;"Fine, thanks";1\n'
    reading = read_text_table(content)
    assert reading.delimiter == ";"
    assert reading.rows()[1] == ["1", "Tired, very", "3"]


def test_a_utf16_file_without_a_byte_order_mark_is_read_when_its_zero_bytes_say_so():
    content = "who5_1\tunit\r\n3\tPédiatrie\r\n".encode("utf-16-le")
    reading = read_text_table(content)
    assert reading.encoding == "UTF-16 (little-endian)"
    assert reading.rows() == [["who5_1", "unit"], ["3", "Pédiatrie"]]


def test_utf8_is_tried_strictly_first_so_no_accented_letter_is_read_twice_wrong():
    # "é" in UTF-8 is two bytes that Windows-1252 would read as "Ã©".
    reading = read_text_table("unit\nPédiatrie\n".encode())
    assert reading.encoding == "UTF-8" and reading.rows()[1] == ["Pédiatrie"]
    # Bytes Windows-1252 leaves undefined (0x81) fall back to Latin-1, and it is said.
    assert read_text_table(b"unit\nA\x81B\n").encoding == "Latin-1 (not UTF-8)"


def test_blank_lines_and_trailing_delimiters_leave_the_rows_and_their_numbers_as_the_file_has_them():
    table = read_table(files.blank_lines_and_trailing_commas(), "gaps.csv")
    assert table.columns == files.HEADER  # the empty column of the trailing commas is gone
    assert table.n_rows == len(files.GAPS)
    # Rows 2-6, then a blank line and a line of commas, then rows 9…: as a spreadsheet shows.
    assert [table.file_row(p) for p in range(6)] == [2, 3, 4, 5, 6, 9]
    lines = files.blank_lines_and_trailing_commas().decode().split("\n")
    assert lines[table.file_row(20) - 1].startswith(f"r{files.GAPS[20].id},")


def test_a_header_naming_a_column_twice_gets_numbered_names_and_says_so():
    table = read_table(files.redcap_labels_two_forms(), "labels.csv")
    assert table.columns.count("Complete?") == 1
    assert "Complete? (2)" in table.columns and "Survey Timestamp (2)" in table.columns
    assert (
        "The header row names “Complete?” 2 times: the columns are called “Complete?”, "
        "“Complete? (2)”." in table.notes
    )
    assert presets.detect_preset(table) == "redcap"


def test_the_legacy_qualtrics_layout_skips_its_label_row_and_keys_by_v1():
    table = read_table(files.qualtrics_legacy(), "legacy.csv")
    assert table.columns[:2] == ["V1", "V2"] and table.columns[-1] == "Q5"  # trailing comma
    assert presets.detect_preset(table) == "qualtrics"
    prepared = presets.prepare(table, "qualtrics")
    assert prepared.n_rows == len(files.LEGACY) and prepared.header_lines == 2
    assert prepared.skipped_rows[0][:2] == ("ResponseID", "ResponseSet")
    assert prepared.data["V1"].tolist()[0] == f"R_{files.LEGACY[0].id:03d}xYz"
    assert presets.key_columns("qualtrics", prepared) == ["V1"]


def test_the_mapping_page_says_how_the_file_was_read_and_what_was_skipped(
    client, org, past_wave, org_admin
):
    client.force_login(org_admin)
    for build, said in (
        (files.excel_unicode_text, "Read as UTF-16 (little-endian) text, tab-separated"),
        (files.qualtrics_legacy, "The row under the header holds Qualtrics&#x27; question text"),
        (files.redcap_labels_two_forms, "the columns are called “Complete?”, “Complete? (2)”"),
    ):
        upload = SimpleUploadedFile("export.txt", build())
        response = client.post(_upload_url(org, past_wave), {"file": upload, "preset": "auto"})
        assert response.status_code == 302
        page = client.get(response["Location"])
        assert page.status_code == 200 and said in page.content.decode()


# --- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "build", "message"),
    [
        ("export.csv", files.workbook_saved_as_csv, "The file is not a text file"),
        ("export.txt", files.damaged_utf16, "The file&#x27;s text encoding is damaged"),
        (
            "export.csv",
            files.a_row_that_does_not_split,
            "Row 5 has 19 cells, but the header row names 18 columns: check the delimiter",
        ),
        ("export.csv", lambda: b"\n\n\n", "The file has no header row."),
        ("export.csv", lambda: b"a,,b\n1,2,3\n", "Column 2 has no name in the header row."),
    ],
)
def test_a_file_that_is_not_a_text_table_is_refused_at_the_upload_with_what_to_do(
    client, org, past_wave, org_admin, name, build, message
):
    client.force_login(org_admin)
    upload = SimpleUploadedFile(name, build())
    page = client.post(_upload_url(org, past_wave), {"file": upload, "preset": "auto"})
    assert page.status_code == 400
    assert message in page.content.decode()
    assert not ImportJob.objects.exists()


def test_a_long_answer_reads_in_the_survey_import_and_is_a_message_elsewhere():
    """The csv module stops at 131,072 characters a cell: the unit and invitation pages say
    so; the survey import's faster parse reads the cell whole."""
    content = b"unit,comment\nA," + b"x" * 200_000 + b"\n"
    with pytest.raises(UnreadableText, match="cannot be read as CSV"):
        read_text_table(content).rows()
    assert len(read_table(content, "big.csv").data["comment"].iloc[0]) == 200_000


# --- the fast parse reads what the exact one reads -----------------------------------------

CELL = st.text(st.sampled_from(list('ab ,;\t"\r\né1')), max_size=6)


@st.composite
def text_tables(draw) -> tuple[str, str]:
    """Text a spreadsheet program might write, or nearly: cells with delimiters, quotes
    and line breaks, quoted or not, rows of varied width, blank lines, any line ends."""
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    width = draw(st.integers(1, 5))
    lines = []
    for _ in range(draw(st.integers(0, 8))):
        size = draw(st.one_of(st.just(width), st.integers(0, width + 1)))
        cells = draw(st.lists(CELL, min_size=size, max_size=size))
        quote = draw(st.booleans())
        lines.append(
            delimiter.join('"' + c.replace('"', '""') + '"' if quote else c for c in cells)
        )
    return delimiter, end.join(lines) + draw(st.sampled_from(["", end]))


@settings(max_examples=400, deadline=None, derandomize=True)
@given(table=text_tables())
def test_the_fast_parse_reads_exactly_what_the_csv_module_reads(table):
    delimiter, text = table
    reading = TextTable(text, "UTF-8", delimiter, "")
    quick = parse_quickly(reading)
    try:
        exact = parse_exactly(reading)
    except (FileError, UnreadableText):
        assert quick is None  # a row the exact parse refuses is never read quickly
        return
    if quick is not None:
        assert (quick.header, quick.first, quick.numbers) == (
            exact.header,
            exact.first,
            exact.numbers,
        )
        assert quick.rows.values.tolist() == exact.rows.values.tolist()


# --- the other uploads read through the same reader ----------------------------------------


def test_the_unit_import_reads_excel_unicode_text_and_mac_line_ends(client, org, org_admin):
    client.force_login(org_admin)
    url = reverse("accounts:units_import", args=[org.slug])
    tree = "Division\tDepartment\r\nMédecine\tPédiatrie\r\nMédecine\tUrgences\r\n"
    unicode_text = codecs.BOM_UTF16_LE + tree.encode("utf-16-le")
    mac = "Division,Department\rMédecine,Pédiatrie\rMédecine,Urgences\r".encode("mac_roman")
    for name, content in (("units.txt", unicode_text), ("units.csv", mac)):
        page = client.post(url, {"file": SimpleUploadedFile(name, content)})
        assert page.status_code == 200
        assert [u.name for u in page.context["plan"].units] == ["Médecine", "Pédiatrie", "Urgences"]


def test_the_invitation_list_reads_mac_line_ends_and_semicolons(client, org, wave, org_admin):
    client.force_login(org_admin)
    content = "email;unit\rann@mail.example;\rbo@mail.example;\r".encode("mac_roman")
    url = f"/measure/{org.slug}/waves/{wave.pk}/invitations/"
    page = client.post(url, {"addresses": "", "unit": "", "file": _named(content, "people.csv")})
    assert page.status_code == 200
    assert len(page.context["plan"].entries) == 2


def _named(content: bytes, name: str):
    handle = io.BytesIO(content)
    handle.name = name
    return handle


# --- fuzzing: no byte string gets a 500 ------------------------------------------------------

NAMES = st.sampled_from(["export.csv", "export.txt", "export.tsv"])
VALID = [
    files.utf8_bom_semicolon,
    files.excel_unicode_text,
    files.excel_csv_macintosh,
    files.tab_separated_with_line_breaks_in_cells,
    files.qualtrics_legacy,
    files.redcap_labels_two_forms,
]


@st.composite
def damaged(draw) -> bytes:
    """A valid export with some of its bytes flipped, cut, doubled or inserted."""
    content = bytearray(draw(st.sampled_from(VALID))())
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, max(len(content) - 1, 0)))
        kind = draw(st.sampled_from(["flip", "cut", "insert", "double", "truncate"]))
        if kind == "flip" and content:
            content[at] = draw(st.integers(0, 255))
        elif kind == "cut":
            del content[at : at + draw(st.integers(1, 40))]
        elif kind == "insert":
            content[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif kind == "double":
            content[at:at] = content[at : at + draw(st.integers(1, 200))]
        else:
            del content[at:]
    return bytes(content)


FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _upload_gets_a_page(client, org, wave, name: str, content: bytes) -> None:
    response = client.post(
        _upload_url(org, wave), {"file": SimpleUploadedFile(name, content), "preset": "auto"}
    )
    if response.status_code == 302:  # read as a table: the mapping page must open too
        page = client.get(response["Location"])
        assert page.status_code == 200
        checked = client.post(response["Location"], {"recode": ""})  # nothing mapped
        assert checked.status_code == 400
        assert "data-error-summary" in checked.content.decode()
    else:
        assert response.status_code == 400
        assert 'class="usa-error-message"' in response.content.decode()


@FUZZ
@given(
    name=st.one_of(NAMES, st.sampled_from(["export.xlsx", "export.sav"])),
    content=st.binary(min_size=1, max_size=3000),
)
def test_any_bytes_uploaded_as_responses_get_a_page_with_a_message(
    client, org, past_wave, org_admin, name, content
):
    client.force_login(org_admin)
    _upload_gets_a_page(client, org, past_wave, name, content)


@FUZZ
@given(name=NAMES, content=damaged())
def test_a_damaged_export_gets_a_page_with_a_message(
    client, org, past_wave, org_admin, name, content
):
    client.force_login(org_admin)
    _upload_gets_a_page(client, org, past_wave, name, content)


@settings(FUZZ, max_examples=40)
@given(content=st.one_of(st.binary(min_size=1, max_size=2000), damaged()))
def test_any_bytes_as_a_unit_tree_or_an_invitation_list_get_a_page(
    client, org, wave, org_admin, content
):
    client.force_login(org_admin)
    units = client.post(
        reverse("accounts:units_import", args=[org.slug]),
        {"file": SimpleUploadedFile("units.csv", content)},
    )
    assert units.status_code in (200, 400)
    people = client.post(
        f"/measure/{org.slug}/waves/{wave.pk}/invitations/",
        {"addresses": "", "unit": "", "file": _named(content, "people.csv")},
    )
    assert people.status_code in (200, 400)


def test_a_file_read_at_upload_checks_with_the_rows_it_was_read_with(past_wave, org_admin):
    """The rows after blank lines keep their numbers through the check: a repeated
    identifier is reported at the row the file shows it on."""
    content = bytearray(files.blank_lines_and_trailing_commas())
    text = content.decode().replace(f"r{files.GAPS[21].id},", f"r{files.GAPS[3].id},", 1)
    job = run.upload(
        wave=past_wave, filename="gaps.csv", content=text.encode(), preset="plain", actor=org_admin
    )
    table = run.table_of(job)
    mapping = Mapping(
        items={"single-item-burnout": ["burnout"], "who5": files.WHO5_FIELDS},
        key_columns=["response_id"],
    )
    checked = run.dry_run(job=job, mapping=mapping, actor=org_admin)
    repeated = [e for e in checked.errors if e.why == "this identifier appears on an earlier row"]
    assert [e.row for e in repeated] == [table.file_row(21)]
    lines = text.split("\n")
    assert lines[repeated[0].row - 1].startswith(f"r{files.GAPS[3].id},")
