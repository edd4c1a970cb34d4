"""Importing responses from files: readers, presets, row-level errors, all-or-nothing, idempotency."""

import csv
import hashlib
import io
from datetime import timedelta

import numpy as np
import pytest
from _imports import dry_run_as_codes
from django.test import TestCase
from django.utils import timezone

from wellbeing.reports.door import latest_report
from wellbeing.surveys import actions, scoring
from wellbeing.surveys.imports import presets, run
from wellbeing.surveys.imports.completeness import Choices
from wellbeing.surveys.imports.formats import FileError, read_table
from wellbeing.surveys.imports.mapping import Mapping
from wellbeing.surveys.imports.models import ImportJob
from wellbeing.surveys.models import Response, Score

WHO5 = [f"who5_{n}" for n in range(1, 6)]
PHQ9 = [f"phq9_{n}" for n in range(1, 10)]
HEADER = ["ResponseId", "burnout", *WHO5, *PHQ9, "unit", "role"]


def good_row(i, unit="Emergency Department"):
    return [f"R_{i:05d}", str(1 + i % 5), *[str(i % 6)] * 5, *[str(i % 4)] * 9, unit, "nurse"]


def csv_bytes(rows, header=HEADER, delimiter=",", bom=False):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode()


def mapping(**overrides):
    values = {
        "items": {"single-item-burnout": ["burnout"], "who5": WHO5, "phq9": PHQ9},
        "key_columns": ["ResponseId"],
        "unit_column": "unit",
        "demographics": {"role": "role"},
    }
    return Mapping(**{**values, **overrides})


def import_file(wave, actor, content, name="responses.csv", preset="auto", mapped=None):
    job = run.upload(wave=wave, filename=name, content=content, preset=preset, actor=actor)
    checked = dry_run_as_codes(job=job, mapping=mapped or mapping(), actor=actor)
    if checked.ok:
        with TestCase.captureOnCommitCallbacks(execute=True):  # the task runs after the commit
            run.start(job=job, actor=actor)
    job.refresh_from_db()
    return job, checked


@pytest.fixture
def past_wave(survey, org_admin):
    """A historical wave, closed a year ago: the kind a file import fills."""
    now = timezone.now()
    wave = actions.create_wave(
        survey=survey,
        name="2025 survey",
        opens_at=now - timedelta(days=400),
        closes_at=now - timedelta(days=380),
        actor=org_admin,
    )
    return actions.set_wave_status(wave=wave, status="closed", actor=org_admin)


def test_a_csv_imports_every_row_scored_as_a_native_response(past_wave, org_admin, units):
    job, checked = import_file(past_wave, org_admin, csv_bytes([good_row(i) for i in range(40)]))
    assert checked.ok and job.status == "done" and job.stored == 40
    assert Response.objects.filter(wave=past_wave, unit=units["ed"]).count() == 40
    response = Response.objects.get(idempotency_key=checked.keys[7])
    assert response.demographics == {"role": "nurse"}
    native = scoring.score_answers(response.answers).rows
    stored = Score.objects.filter(response=response).values_list(
        "instrument", "scale", "value", "category"
    )
    assert sorted(stored) == sorted((s.instrument, s.scale, s.value, s.category) for s in native)
    assert job.content is None  # the file is not kept once imported


def test_five_percent_bad_rows_are_reported_exactly_and_nothing_is_imported(
    past_wave, org_admin, units
):
    rows = [good_row(i) for i in range(200)]
    bad = {3: (1, "6"), 50: (2, "often"), 77: (16, "Nowhere"), 120: (0, ""), 199: (17, "boss")}
    bad.update({i: (1, "9") for i in range(130, 135)})  # 10 of 200 rows: 5%
    for i, (column, value) in bad.items():
        rows[i][column] = value
    job, checked = import_file(past_wave, org_admin, csv_bytes(rows))
    assert not checked.ok and job.status == "checked"
    assert checked.error_rows == 10
    assert sorted({e.row for e in checked.errors}) == sorted(i + 2 for i in bad)
    by_row = {e.row: e for e in checked.errors}
    assert (by_row[5].column, by_row[5].value) == ("burnout", "6")
    assert "no answer of Single-item burnout measure, item 1 was chosen" in by_row[5].why
    assert (by_row[52].column, by_row[52].value) == ("who5_1", "often")
    assert (by_row[79].column, by_row[79].why) == (
        "unit",
        "no unit of the organization has this name: choose a unit for it on this page,"
        " or correct the file",
    )
    assert (by_row[122].column, by_row[122].why) == ("ResponseId", "the response has no identifier")
    assert by_row[201].column == "role"
    with pytest.raises(ValueError, match="without errors"):
        run.start(job=job, actor=org_admin)
    assert not Response.objects.filter(wave=past_wave).exists()
    fixed, checked = import_file(past_wave, org_admin, csv_bytes([good_row(i) for i in range(200)]))
    assert fixed.status == "done" and fixed.stored == 200


def test_the_same_file_twice_stores_nothing_twice(past_wave, org_admin, units):
    content = csv_bytes([good_row(i) for i in range(30)])
    first, _ = import_file(past_wave, org_admin, content)
    second, _ = import_file(past_wave, org_admin, content)
    assert (first.stored, second.stored, second.skipped) == (30, 0, 30)
    assert "imported already" in second.message
    assert Response.objects.filter(wave=past_wave).count() == 30
    assert Score.objects.filter(wave=past_wave).count() == 30 * 4  # four scales a response


def test_an_overlapping_file_adds_only_the_new_rows(past_wave, org_admin, units):
    import_file(past_wave, org_admin, csv_bytes([good_row(i) for i in range(30)]))
    later, _ = import_file(past_wave, org_admin, csv_bytes([good_row(i) for i in range(20, 45)]))
    assert (later.stored, later.skipped) == (15, 10)
    assert Response.objects.filter(wave=past_wave).count() == 45


def test_the_same_rows_may_go_into_another_wave(past_wave, survey, org_admin, units):
    content = csv_bytes([good_row(i) for i in range(10)])
    import_file(past_wave, org_admin, content)
    now = timezone.now()
    wave = actions.create_wave(
        survey=survey,
        name="2024 survey",
        opens_at=now - timedelta(days=800),
        closes_at=now - timedelta(days=780),
        actor=org_admin,
    )
    other, _ = import_file(wave, org_admin, content)
    assert other.stored == 10


def test_a_wave_that_collected_through_its_links_refuses_every_way_of_importing(
    wave, past_wave, org_admin, units
):
    # The attack: pad a one-person unit of a collecting wave with made-up rows, so the unit
    # reaches the minimum size and the real person's answers follow by subtraction.
    content = csv_bytes([good_row(i) for i in range(4)])
    with pytest.raises(actions.OriginRefused, match="collects responses through its links"):
        run.upload(wave=wave, filename="pad.csv", content=content, preset="auto", actor=org_admin)
    padding = [
        actions.ImportedResponse(f"pad-{i}", units["icu"], {"who5": [5] * 5}, {}) for i in range(4)
    ]
    with pytest.raises(actions.OriginRefused):
        actions.import_responses(wave=wave, rows=padding)
    with pytest.raises(actions.OriginRefused):
        actions.import_comments(wave=wave, texts=["A made-up comment."])
    assert not Response.objects.filter(wave=wave).exists()
    # Nor the other way round: a wave of imported rows never opens for new respondents.
    import_file(past_wave, org_admin, csv_bytes([good_row(i) for i in range(4)]))
    past_wave.refresh_from_db()
    assert past_wave.imported
    with pytest.raises(actions.OriginRefused, match="cannot open"):
        actions.set_wave_status(wave=past_wave, status="open", actor=org_admin)


def test_a_wave_that_opens_between_the_check_and_the_import_stores_nothing(
    survey, org_admin, units
):
    now = timezone.now()
    wave = actions.create_wave(
        survey=survey,
        name="Soon",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=9),
    )
    job = run.upload(
        wave=wave, filename="r.csv", content=csv_bytes([good_row(i) for i in range(6)]),
        preset="auto", actor=org_admin,
    )  # fmt: skip
    checked = dry_run_as_codes(job=job, mapping=mapping(), actor=org_admin)
    assert checked.ok
    actions.set_wave_status(wave=wave, status="open", actor=org_admin)
    with pytest.raises(actions.OriginRefused):
        run.start(job=job, actor=org_admin)
    # Even a job queued before the wave opened stores nothing once it has.
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)
    assert run.import_file.call(job.pk) == 0
    job.refresh_from_db()
    assert job.status == "failed" and "collects responses through its links" in job.message
    assert not Response.objects.filter(wave=wave).exists()


def test_a_duplicate_identifier_in_the_file_is_an_error(past_wave, org_admin, units):
    rows = [good_row(i) for i in range(10)]
    rows[6][0] = rows[2][0]
    _job, checked = import_file(past_wave, org_admin, csv_bytes(rows))
    assert [(e.row, e.why) for e in checked.errors] == [
        (8, "this identifier appears on an earlier row")
    ]


def test_answer_labels_and_recoding_rules_become_codes(past_wave, org_admin, units):
    rows = [good_row(i) for i in range(6)]
    for row in rows:
        row[2] = "Most of the time"  # who5_1: an instrument label, recognised without a rule
        row[3] = "sometimes"  # who5_2: the rule below
        row[-1] = "Registered Nurse"
    rules = "who5_2: sometimes = 1\nrole: Registered Nurse = nurse"
    _job, checked = import_file(past_wave, org_admin, csv_bytes(rows), mapped=mapping(recode=rules))
    assert checked.ok, checked.errors
    answers = Response.objects.filter(wave=past_wave).first().answers
    assert answers["who5"][:2] == [4, 1]


def test_a_recoding_line_not_understood_is_said(past_wave, org_admin, units):
    job = run.upload(
        wave=past_wave,
        filename="a.csv",
        content=csv_bytes([good_row(1)]),
        preset="auto",
        actor=org_admin,
    )
    with pytest.raises(ValueError, match="Recoding line 1"):
        dry_run_as_codes(job=job, mapping=mapping(recode="nonsense"), actor=org_admin)
    with pytest.raises(ValueError, match="no column"):
        dry_run_as_codes(job=job, mapping=mapping(unit_column="Department"), actor=org_admin)


def test_a_semicolon_csv_with_a_byte_order_mark_reads_the_same(past_wave, org_admin, units):
    job, checked = import_file(
        past_wave, org_admin, csv_bytes([good_row(i) for i in range(5)], delimiter=";", bom=True)
    )
    assert checked.ok and job.stored == 5


def test_qualtrics_exports_skip_their_two_extra_header_rows(past_wave, org_admin, units):
    question_text = ["Response ID", "Burnout", *["WHO-5"] * 5, *["PHQ-9"] * 9, "Unit", "Role"]
    import_ids = [f'{{"ImportId":"{c}"}}' for c in HEADER]
    header = ["StartDate", "IPAddress", *HEADER]
    rows = [
        ["Start Date", "IP Address", *question_text],
        ['{"ImportId":"startDate"}', '{"ImportId":"ipAddress"}', *import_ids],
    ]
    rows += [["2025-01-01", "10.0.0.1", *good_row(i)] for i in range(8)]
    content = csv_bytes(rows, header=header)
    table = read_table(content, "export.csv")
    assert presets.detect_preset(table) == "qualtrics"
    job, checked = import_file(past_wave, org_admin, content)
    assert job.preset == "qualtrics" and checked.ok and job.stored == 8
    assert presets.is_metadata("qualtrics", "IPAddress")
    suggested = run.suggested_mapping(job, presets.prepare(table, "qualtrics"))
    assert suggested.key_columns == ["ResponseId"]
    assert suggested.items["who5"] == WHO5


def test_redcap_keys_a_record_by_its_record_id_and_event(past_wave, org_admin, units):
    header = [
        "record_id",
        "redcap_event_name",
        "burnout",
        *WHO5,
        *PHQ9,
        "unit",
        "role",
        "sites___1",
        "survey_complete",
    ]
    rows = []
    for event in ("baseline_arm_1", "followup_arm_1"):
        rows += [[str(i), event, *good_row(i)[1:], "1", "2"] for i in range(5)]
    content = csv_bytes(rows, header=header)
    table = read_table(content, "redcap.csv")
    assert presets.detect_preset(table) == "redcap"
    assert presets.key_columns("redcap", table) == ["record_id", "redcap_event_name"]
    assert presets.is_metadata("redcap", "sites___1") and presets.is_metadata(
        "redcap", "survey_complete"
    )
    keyed = mapping(key_columns=["record_id", "redcap_event_name"])
    job = run.upload(
        wave=past_wave, filename="r.csv", content=content, preset="auto", actor=org_admin
    )
    # A wave is one time point: the file's two events go into two waves, one chosen at a time.
    with pytest.raises(ValueError, match=r"holds 2 events: baseline_arm_1 \(5 rows\), followup"):
        dry_run_as_codes(job=job, mapping=keyed, actor=org_admin)
    baseline = Choices(event="baseline_arm_1")
    assert dry_run_as_codes(job=job, mapping=keyed, actor=org_admin, choices=baseline).ok
    with TestCase.captureOnCommitCallbacks(execute=True):
        run.start(job=job, actor=org_admin)
    job.refresh_from_db()
    assert job.stored == 5 and job.left_out == {"event": 5}


def test_limesurvey_sub_question_codes_are_suggested_in_item_order(past_wave, org_admin):
    columns = ["id", "submitdate", "burnout", *[f"who5[SQ00{n}]" for n in range(1, 6)]]
    table = read_table(
        csv_bytes([["1", "2025-01-01", "2", *["3"] * 5]], header=columns), "lime.csv"
    )
    assert presets.detect_preset(table) == "limesurvey"
    assert presets.suggest_items(columns, "who5", WHO5) == columns[3:]


def test_an_xlsx_file_imports_like_a_csv(past_wave, org_admin, units):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for i in range(12):
        row = good_row(i)
        sheet.append([row[0], int(row[1]), *[int(v) for v in row[2:16]], row[16], row[17]])
    buffer = io.BytesIO()
    book.save(buffer)
    job, checked = import_file(past_wave, org_admin, buffer.getvalue(), name="export.xlsx")
    assert checked.ok and job.stored == 12


def test_an_spss_file_uses_its_value_labels_for_recoding(past_wave, org_admin, units, tmp_path):
    import pandas as pd
    import pyreadstat

    frame = pd.DataFrame(
        {
            "ResponseId": [f"R_{i}" for i in range(6)],
            "burnout": [float(1 + i % 5) for i in range(6)],
            **{c: [3.0] * 6 for c in WHO5},
            **{c: [1.0] * 6 for c in PHQ9},
            "unit": ["Emergency Department"] * 6,
            "job": [1.0, 2.0, 1.0, 2.0, 1.0, 2.0],
        }
    )
    path = tmp_path / "survey.sav"
    pyreadstat.write_sav(frame, str(path), variable_value_labels={"job": {1.0: "RN", 2.0: "MD"}})
    table = read_table(path.read_bytes(), "survey.sav")
    assert table.value_labels["job"] == {"1": "RN", "2": "MD"}
    _job, checked = import_file(
        past_wave,
        org_admin,
        path.read_bytes(),
        name="survey.sav",
        mapped=mapping(demographics={"role": "job"}, recode="job: RN = nurse\njob: MD = physician"),
    )
    assert checked.ok, checked.errors
    roles = sorted(r.demographics["role"] for r in Response.objects.filter(wave=past_wave))
    assert roles == ["nurse"] * 3 + ["physician"] * 3


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.csv", b"", "empty"),
        ("a.pdf", b"%PDF", "Expected a .csv, .xlsx or .sav"),
        ("a.xlsx", b"not a workbook", "Excel"),
        ("a.sav", b"not spss", "SPSS"),
        ("a.csv", b"a,,b\n1,2,3\n", "Column 2 has no name"),
    ],
)
def test_a_file_that_is_not_a_table_is_refused_with_a_reason(name, content, message):
    with pytest.raises(FileError, match=message):
        read_table(content, name)


def test_an_imported_historical_wave_takes_part_in_the_wave_over_wave_change(
    survey, past_wave, org_admin, units
):
    calm = [good_row(i) for i in range(30)]
    for row in calm:
        row[1] = "1"
    import_file(past_wave, org_admin, csv_bytes(calm))
    now = timezone.now()
    current = actions.create_wave(
        survey=survey,
        name="2026 survey",
        opens_at=now - timedelta(days=10),
        closes_at=now + timedelta(days=10),
        actor=org_admin,
    )
    actions.import_responses(
        wave=current,
        rows=[
            actions.ImportedResponse(
                key=f"n-{i}",
                unit=units["ed"],
                answers={"single-item-burnout": [3], "who5": [3] * 5, "phq9": [0] * 9},
                demographics={"role": "nurse"},
            )
            for i in range(30)
        ],
    )
    report = latest_report(current)
    assert report.previous == past_wave
    burnout = next(s for s in report.scales if s.key == "single-item-burnout.score")
    assert burnout.change is not None and burnout.change.difference == pytest.approx(2.0)


def test_the_progress_is_counted_while_the_import_runs(past_wave, org_admin, units, monkeypatch):
    """The page reads rows stored so far from the cache while the task's transaction is open."""
    seen = []
    original = run._answers

    def spy(*args, **kwargs):
        job = ImportJob.objects.get()
        seen.append(run.processed(job))
        return original(*args, **kwargs)

    monkeypatch.setattr(run, "CHUNK", 10)
    monkeypatch.setattr(run, "_answers", spy)
    job, _ = import_file(past_wave, org_admin, csv_bytes([good_row(i) for i in range(35)]))
    assert job.stored == 35
    assert seen == [0, 10, 20, 30]
    assert np.all(np.diff(seen) > 0)


# What an import keeps of a file: the uploaded bytes until the mapping, the mapped columns
# until the import is done or failed, nothing after; abandoned uploads go after 24 hours.

IDENTIFYING = [
    "RecipientEmail",
    "RecipientFirstName",
    "RecipientLastName",
    "IPAddress",
    "StartDate",
    "EndDate",
    "RecordedDate",
    "LocationLatitude",
    "LocationLongitude",
    "ExternalReference",
]


def identifying_values(i):
    return [
        f"jane.doe{i}@example.org",
        f"Marguerite{i}",
        f"Quennell{i}",
        f"203.0.113.{100 + i}",
        f"2019-03-07 08:15:{10 + i}",
        f"2019-03-07 08:21:{10 + i}",
        f"2019-03-07 08:22:{10 + i}",
        f"44.97{700 + i}",
        f"-93.26{500 + i}",
        f"EXT-99{300 + i}",
    ]


def qualtrics_export(n, bad_rows=()):
    """A Qualtrics CSV export: three header rows, the recipient's metadata, then the answers."""
    header = [*IDENTIFYING, *HEADER]
    rows = [
        [c.replace("Recipient", "Recipient ") for c in IDENTIFYING] + list(HEADER),
        [f'{{"ImportId":"{c}"}}' for c in header],
    ]
    for i in range(n):
        row = good_row(i)
        if i in bad_rows:
            row[1] = "9"  # burnout: not a code
        rows.append([*identifying_values(i), *row])
    return csv_bytes(rows, header=header)


def stored_import_text():
    """Every column of every import job and audit row, as the database holds it."""
    from django.db import connection

    from wellbeing.core.models import AuditEvent

    parts = []
    with connection.cursor() as cursor:
        for model in (ImportJob, AuditEvent):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("utf-8", "replace")
                    parts.append(str(value))
    return "\n".join(parts)


def leaked(n):
    text = stored_import_text()
    return [v for i in range(n) for v in identifying_values(i) if v in text]


def test_mapping_drops_every_unmapped_column_of_a_qualtrics_export(past_wave, org_admin, units):
    # The attack: an export's recipient e-mail, name, IP address and dates sit in the
    # database for as long as the import job row lives.
    content = qualtrics_export(12)
    job = run.upload(
        wave=past_wave, filename="export.csv", content=content, preset="auto", actor=org_admin
    )
    assert leaked(12)  # the raw upload is needed until the columns are mapped
    checked = dry_run_as_codes(job=job, mapping=mapping(), actor=org_admin)
    assert checked.ok
    assert leaked(12) == []
    assert job.format == "mapped" and job.content_sha256 == hashlib.sha256(content).hexdigest()
    kept = run.table_of(job)
    assert kept.columns == HEADER and kept.n_rows == 12 and kept.header_lines == 3
    with TestCase.captureOnCommitCallbacks(execute=True):
        run.start(job=job, actor=org_admin)
    job.refresh_from_db()
    assert job.status == "done" and job.stored == 12 and job.content is None
    assert leaked(12) == []


def test_checking_again_reads_the_kept_columns_with_the_same_rows_and_keys(
    past_wave, org_admin, units
):
    job = run.upload(
        wave=past_wave,
        filename="export.csv",
        content=qualtrics_export(10, bad_rows={4}),
        preset="auto",
        actor=org_admin,
    )
    first = dry_run_as_codes(job=job, mapping=mapping(), actor=org_admin)
    fingerprint = job.fingerprint
    again = dry_run_as_codes(job=job, mapping=mapping(), actor=org_admin)
    assert [(e.row, e.column, e.value) for e in again.errors] == [(8, "burnout", "9")]
    assert (again.errors, again.keys, job.fingerprint) == (first.errors, first.keys, fingerprint)
    assert leaked(10) == []
    with pytest.raises(ValueError, match="upload the file again to map “RecipientEmail”"):
        dry_run_as_codes(job=job, mapping=mapping(key_columns=["RecipientEmail"]), actor=org_admin)
    with pytest.raises(ValueError, match="no column “RecipientEmail”"):
        dry_run_as_codes(job=job, mapping=mapping(recode="RecipientEmail: x = 1"), actor=org_admin)


def test_a_recoding_rule_on_an_unmapped_column_is_refused_before_anything_is_dropped(
    past_wave, org_admin, units
):
    job = run.upload(
        wave=past_wave,
        filename="export.csv",
        content=qualtrics_export(3),
        preset="auto",
        actor=org_admin,
    )
    with pytest.raises(ValueError, match="not mapped"):
        dry_run_as_codes(job=job, mapping=mapping(recode="IPAddress: a = 1"), actor=org_admin)
    job.refresh_from_db()
    assert job.status == "uploaded" and job.format == "csv"  # still the upload, to map again


def test_a_file_without_identifiers_is_still_recognised_after_its_columns_were_dropped(
    past_wave, org_admin, units
):
    """Without a key column a row's key hashes the fingerprint: it must survive the drop."""
    content = csv_bytes([good_row(i) for i in range(9)])
    keyless = mapping(key_columns=[])
    job = run.upload(
        wave=past_wave, filename="r.csv", content=content, preset="plain", actor=org_admin
    )
    first = dry_run_as_codes(job=job, mapping=keyless, actor=org_admin)
    second = dry_run_as_codes(job=job, mapping=keyless, actor=org_admin)  # on the kept columns
    assert second.keys == first.keys
    with TestCase.captureOnCommitCallbacks(execute=True):
        run.start(job=job, actor=org_admin)
    again, _ = import_file(past_wave, org_admin, content, preset="plain", mapped=keyless)
    assert (again.stored, again.skipped) == (0, 9)
    assert Response.objects.filter(wave=past_wave).count() == 9


def test_spss_value_labels_are_kept_for_mapped_columns_only(past_wave, org_admin, units, tmp_path):
    import pandas as pd
    import pyreadstat

    frame = pd.DataFrame(
        {
            "ResponseId": [f"R_{i}" for i in range(4)],
            "burnout": [2.0] * 4,
            **{c: [3.0] * 4 for c in WHO5},
            **{c: [1.0] * 4 for c in PHQ9},
            "job": [1.0, 2.0, 1.0, 2.0],
            "site": [7.0, 8.0, 7.0, 8.0],
        }
    )
    path = tmp_path / "survey.sav"
    labels = {"job": {1.0: "RN", 2.0: "MD"}, "site": {7.0: "Marguerite's clinic", 8.0: "x"}}
    pyreadstat.write_sav(frame, str(path), variable_value_labels=labels)
    job = run.upload(
        wave=past_wave,
        filename="survey.sav",
        content=path.read_bytes(),
        preset="auto",
        actor=org_admin,
    )
    rules = "job: RN = nurse\njob: MD = physician"
    spss = mapping(unit_column="", demographics={"role": "job"}, recode=rules)
    assert dry_run_as_codes(job=job, mapping=spss, actor=org_admin).ok
    assert dry_run_as_codes(job=job, mapping=spss, actor=org_admin).ok  # labels still recode
    assert run.table_of(job).value_labels == {"job": {"1": "RN", "2": "MD"}}
    assert "Marguerite" not in stored_import_text()


def test_an_spss_file_is_read_without_a_temporary_file(tmp_path, monkeypatch):
    import tempfile

    import pandas as pd
    import pyreadstat

    path = tmp_path / "survey.sav"
    pyreadstat.write_sav(pd.DataFrame({"who5_1": [3.0]}), str(path))
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    seen = []
    real = pyreadstat.read_sav

    def spy(source, *args, **kwargs):
        seen.append(sorted(p.name for p in scratch.iterdir()))
        return real(source, *args, **kwargs)

    monkeypatch.setattr(pyreadstat, "read_sav", spy)
    assert read_table(path.read_bytes(), "survey.sav").columns == ["who5_1"]
    assert seen == [[]]


def test_a_failed_import_keeps_nothing_of_the_file(past_wave, org_admin, units):
    job = run.upload(
        wave=past_wave,
        filename="r.csv",
        content=qualtrics_export(5),
        preset="auto",
        actor=org_admin,
    )
    assert dry_run_as_codes(job=job, mapping=mapping(), actor=org_admin).ok
    with TestCase.captureOnCommitCallbacks(execute=True):
        run.start(job=job, actor=org_admin)
        units["ed"].delete()  # the rows now name a unit that is gone: the run's check fails
    job.refresh_from_db()
    assert job.status == "failed" and "rows with errors" in job.message
    assert job.content is None


def test_an_unexpected_error_is_neither_stored_nor_logged_with_its_text(
    past_wave, org_admin, units, monkeypatch, caplog
):
    """A database error quotes the row it refused: its text stays out of the job and the log."""
    job = run.upload(
        wave=past_wave,
        filename="r.csv",
        content=csv_bytes([good_row(i) for i in range(5)]),
        preset="auto",
        actor=org_admin,
    )
    assert dry_run_as_codes(job=job, mapping=mapping(), actor=org_admin).ok

    key = good_row(3)[0]  # R_00003, not spelled out: the log shows this function's source

    def refuse(*args, **kwargs):
        raise RuntimeError(f'Failing row contains ({key}, "Emergency Department", nurse)')

    monkeypatch.setattr(run, "_store", refuse)
    with caplog.at_level("DEBUG"), TestCase.captureOnCommitCallbacks(execute=True):
        run.start(job=job, actor=org_admin)
    job.refresh_from_db()
    assert job.status == "failed" and job.content is None
    assert "RuntimeError" in job.message and f"import {job.pk}" in job.message
    assert "R_00003" not in job.message
    assert "RuntimeError" in caplog.text and "R_00003" not in caplog.text


def _age(job, hours):
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(hours=hours))


def test_housekeeping_deletes_abandoned_uploads_after_24_hours_and_finished_files(
    past_wave, org_admin, units
):
    from django.core.management import call_command

    from wellbeing.core.models import AuditEvent

    def upload(n):
        return run.upload(
            wave=past_wave,
            filename="export.csv",
            content=qualtrics_export(n),
            preset="auto",
            actor=org_admin,
        )

    abandoned, checked, fresh, queued = upload(3), upload(4), upload(5), upload(6)
    dry_run_as_codes(job=checked, mapping=mapping(), actor=org_admin)
    dry_run_as_codes(job=queued, mapping=mapping(), actor=org_admin)
    run.start(job=queued, actor=org_admin)  # its task never runs: no worker
    for job in (abandoned, checked, queued):
        _age(job, 25)
    _age(fresh, 23)
    # A job that finished long ago while keeping its file (before this sweep existed).
    done = upload(7)
    ImportJob.objects.filter(pk=done.pk).update(status=ImportJob.Status.DONE)
    out = io.StringIO()
    call_command("import_housekeeping", stdout=out)
    assert "4 import files deleted" in out.getvalue()
    for job in (abandoned, checked, queued):
        job.refresh_from_db()
        assert job.content is None and job.status == "failed" and job.finished_at
        assert job.message == (
            "This upload was removed after 24 hours without being imported; upload the file again."
        )
    done.refresh_from_db()
    assert done.content is None and done.status == "done"
    fresh.refresh_from_db()
    assert fresh.content is not None and fresh.status == "uploaded"
    rows = AuditEvent.objects.filter(verb="wave.import_file_deleted").order_by("pk")
    assert [r.detail for r in rows] == [
        {"job": done.pk, "count": 7, "reason": "finished"},
        {"job": abandoned.pk, "count": 3, "reason": "abandoned"},
        {"job": checked.pk, "count": 4, "reason": "abandoned"},
        {"job": queued.pk, "count": 6, "reason": "abandoned"},
    ]
    assert {r.organization for r in rows} == {past_wave.survey.organization}
    # The queued task, should a worker pick it up now, stores nothing.
    assert run.import_file.call(queued.pk) == 0
    assert not Response.objects.filter(wave=past_wave).exists()
    # Nothing left to do: a second run deletes nothing and writes no audit row.
    call_command("import_housekeeping", stdout=io.StringIO())
    assert rows.count() == 4
    text = stored_import_text()  # only the fresh upload (rows 0-4) still holds its columns
    assert all(v in text for v in identifying_values(4))
    assert not any(v in text for v in identifying_values(5))


def test_housekeeping_takes_an_explicit_time(past_wave, org_admin, units):
    from wellbeing.surveys.imports.housekeeping import clear_uploads

    job = run.upload(
        wave=past_wave,
        filename="r.csv",
        content=csv_bytes([good_row(1)]),
        preset="auto",
        actor=org_admin,
    )
    assert clear_uploads(now=timezone.now() + timedelta(hours=23))["abandoned"] == []
    assert clear_uploads(now=timezone.now() + timedelta(hours=24, minutes=1))["abandoned"] == [
        job.pk
    ]
    job.refresh_from_db()
    assert job.status == "failed" and job.content is None
    with pytest.raises(FileError, match="no longer kept"):
        dry_run_as_codes(job=job, mapping=mapping(), actor=org_admin)


# What the values mean: never assumed (imports.codes). A value that is also an instrument
# code is not taken as that code, a number is never a unit's id, and nothing of an answer
# scale is used before the person confirms its table.

WHO5_Q = [f"Q2_{n}" for n in range(1, 6)]


def numbered_export(who5_rows, unit=lambda i: "Nursing", extra=()):
    """A plain export of WHO-5 answers as a tool's numbers, a unit column and ``extra``."""
    header = ["ResponseId", *WHO5_Q, "unit", *(name for name, _cell in extra)]
    rows = [
        [f"R_{i}", *values, unit(i), *(cell(i) for _name, cell in extra)]
        for i, values in enumerate(who5_rows)
    ]
    return csv_bytes(rows, header=header)


def who5_mapping(**overrides):
    values = {
        "items": {"who5": WHO5_Q},
        "key_columns": ["ResponseId"],
        "unit_column": "unit",
    }
    return Mapping(**{**values, **overrides})


def with_answers(base: Mapping, key: str, *, columns=None, codes=None, reading="") -> Mapping:
    data = base.to_json()
    if codes is not None:
        data["codes"][key] = codes
    if reading:
        data["readings"][key] = reading
    if columns is not None:
        data["confirmed"][key] = columns
    return Mapping.from_json(data)


def block_of(checked, key):
    return next(b for b in checked.blocks if b.key == key)


def test_labels_match_whatever_their_quotes_dashes_case_and_spacing_but_not_their_words():
    from wellbeing.surveys.imports.codes import normalise

    assert normalise("I don\u2019t  always \u2013 ok") == normalise("i don't always-ok")
    assert normalise("MORE THAN\u00a0HALF of the time ") == normalise("More than half of the time")
    assert normalise("Mother\u2014Baby Unit") == normalise("mother - baby unit")
    assert normalise("Less than half the time") != normalise("Less than half of the time")


def test_numbers_that_are_valid_codes_are_asked_about_and_nothing_is_stored_unconfirmed(
    past_wave, org_admin, units
):
    # Qualtrics numbers WHO-5's answers 1-6 from "All of the time": nobody here answered
    # "At no time" (6), so every value is also a valid WHO-5 code.
    content = numbered_export([[str(1 + (i + n) % 5) for n in range(5)] for i in range(12)])
    job = run.upload(
        wave=past_wave, filename="q.csv", content=content, preset="auto", actor=org_admin
    )
    checked = run.dry_run(job=job, mapping=who5_mapping(), actor=org_admin)
    block = block_of(checked, "who5/frequency")
    assert not checked.ok and checked.pending == [
        "WHO-5 Well-Being Index, items 1 to 5: confirm what each value in the file means,"
        " in its table on this page."
    ]
    assert block.columns == WHO5_Q and [f.value for f in block.values] == ["1", "2", "3", "4", "5"]
    assert not any(f.proposed for f in block.values)
    assert "Every value is also one of the instrument's codes" in block.finding
    readings = {r.key: r for r in block.readings}
    assert {"codes", "1-up", "1-down"} <= set(readings)
    assert readings["1-down"].legend[0] == "1 = All of the time"
    assert readings["1-down"].answers == {"1": "5", "2": "4", "3": "3", "4": "2", "5": "1"}
    job.refresh_from_db()
    assert job.error_rows == job.total_rows == 12  # every row waits for the confirmation
    for valid_rows_only in (False, True):
        with pytest.raises(ValueError):
            run.start(job=job, actor=org_admin, valid_rows_only=valid_rows_only)
    confirmed = with_answers(who5_mapping(), block.key, columns=WHO5_Q, reading="1-down")
    assert run.dry_run(job=job, mapping=confirmed, actor=org_admin).ok
    with TestCase.captureOnCommitCallbacks(execute=True):
        run.start(job=job, actor=org_admin)
    first = Response.objects.get(idempotency_key=checked.keys[0])
    assert first.answers == {"who5": [5, 4, 3, 2, 1]}  # the file's 1, 2, 3, 4, 5


def test_a_shifted_range_offers_only_the_numberings_that_fit_it(past_wave, org_admin, units):
    content = numbered_export([[str(1 + (i + n) % 6) for n in range(5)] for i in range(12)])
    job = run.upload(
        wave=past_wave, filename="q.csv", content=content, preset="auto", actor=org_admin
    )
    block = block_of(
        run.dry_run(job=job, mapping=who5_mapping(), actor=org_admin), "who5/frequency"
    )
    assert [r.key for r in block.readings] == ["1-up", "1-down"]
    assert block.finding.startswith(
        "The values run from 1 to 6, the instrument's codes from 0 to 5"
    )


def test_a_confirmation_holds_only_for_the_columns_it_was_given(past_wave, org_admin, units):
    content = numbered_export([[str((i + n) % 6) for n in range(5)] for i in range(12)])
    job = run.upload(
        wave=past_wave, filename="q.csv", content=content, preset="auto", actor=org_admin
    )
    five = with_answers(who5_mapping(), "who5/frequency", columns=WHO5_Q, reading="codes")
    assert run.dry_run(job=job, mapping=five, actor=org_admin).ok
    four = who5_mapping(items={"who5": [*WHO5_Q[:4], ""]})
    checked = run.dry_run(
        job=job,
        mapping=with_answers(four, "who5/frequency", columns=WHO5_Q, reading="codes"),
        actor=org_admin,
    )
    assert checked.pending and not checked.ok  # the scale's columns changed since


def test_a_unit_code_is_asked_about_and_never_taken_as_a_unit_id(past_wave, org_admin, units):
    # The file's unit codes are also the ids of units of the organization (Emergency
    # Department, Nursing); the file means the other one by each.
    ed_id, nursing_id = str(units["ed"].pk), str(units["nursing"].pk)
    content = numbered_export(
        [["3"] * 5 for _ in range(6)], unit=lambda i: ed_id if i < 4 else nursing_id
    )
    job = run.upload(
        wave=past_wave, filename="q.csv", content=content, preset="auto", actor=org_admin
    )
    as_codes = with_answers(who5_mapping(), "who5/frequency", columns=WHO5_Q, reading="codes")
    checked = run.dry_run(job=job, mapping=as_codes, actor=org_admin)
    unit = block_of(checked, "unit")
    assert sorted((f.value, f.proposed, f.chosen) for f in unit.values) == sorted(
        [(ed_id, "", ""), (nursing_id, "", "")]
    )
    assert checked.error_rows == 6 and {e.why for e in checked.errors} == {
        "no unit of the organization has this name: choose a unit for it on this page,"
        " or correct the file"
    }
    chosen = with_answers(as_codes, "unit", codes={ed_id: nursing_id, nursing_id: ed_id})
    assert run.dry_run(job=job, mapping=chosen, actor=org_admin).ok
    with TestCase.captureOnCommitCallbacks(execute=True):
        run.start(job=job, actor=org_admin)
    stored = Response.objects.filter(wave=past_wave)
    # Every row is in the unit the file meant (four Nursing, two ED), not the unit whose id
    # its code is (which would put four in the ED).
    assert stored.filter(unit=units["nursing"]).count() == 4
    assert stored.filter(unit=units["ed"]).count() == 2


def test_recoding_rules_apply_to_every_column_and_say_missing_explicitly(
    past_wave, org_admin, units
):
    content = numbered_export(
        [["A1", "A2", "A3", "Prefer not to answer", "A6"] for _ in range(4)],
        unit=lambda i: "ED",
        extra=[("job", lambda i: "RN" if i % 2 else "Prefer not to answer")],
    )
    job = run.upload(
        wave=past_wave, filename="l.csv", content=content, preset="auto", actor=org_admin
    )
    rules = "\n".join(
        [
            *(f"who5: A{n} = {6 - n}" for n in range(1, 7)),  # one rule a value, not a column
            "Prefer not to answer = missing",
            "unit: ED = emergency  department",
            "job: RN = Nurse",
        ]
    )
    checked = run.dry_run(
        job=job,
        mapping=who5_mapping(demographics={"role": "job"}, recode=rules),
        actor=org_admin,
    )
    assert checked.ok, (checked.pending, checked.errors)  # every value said by a rule
    with TestCase.captureOnCommitCallbacks(execute=True):
        run.start(job=job, actor=org_admin)
    rows = Response.objects.filter(wave=past_wave).order_by("demographics")
    assert [r.answers for r in rows] == [{"who5": [5, 4, 3, None, 0]}] * 4
    assert {r.unit for r in rows} == {units["ed"]}
    assert sorted(r.demographics.get("role", "") for r in rows) == ["", "", "nurse", "nurse"]


def test_a_rule_without_an_answer_or_with_one_that_is_not_is_refused(past_wave, org_admin, units):
    content = numbered_export([["3"] * 5], unit=lambda i: "Cardio")
    job = run.upload(
        wave=past_wave, filename="r.csv", content=content, preset="auto", actor=org_admin
    )
    with pytest.raises(ValueError, match="nothing after “=”; write “= missing” for no answer"):
        run.dry_run(job=job, mapping=who5_mapping(recode="Prefer not to answer ="), actor=org_admin)
    checked = run.dry_run(
        job=job, mapping=who5_mapping(recode="unit: Cardio = Cardiology"), actor=org_admin
    )
    assert [(e.column, e.value) for e in checked.errors] == [("unit", "Cardio")]
    assert "gives this value a unit the organization does not have" in checked.errors[0].why


def test_default_qualtrics_names_get_suggestions_from_their_question_text(past_wave, org_admin):
    texts = [
        "Start Date",
        "Response ID",
        "Q1 text",
        *[
            f"Over the last two weeks - {t}"
            for t in (
                "I have felt cheerful and in good spirits",
                "I have felt calm and relaxed",
                "I have felt active and vigorous",
                "I woke up feeling fresh and rested",
                "My daily life has been filled with things that interest me",
            )
        ],
    ]
    header = ["StartDate", "ResponseId", "Q1", *WHO5_Q]
    ids = [f'{{"ImportId":"{c}"}}' for c in header]
    content = csv_bytes(
        [texts, ids, ["2025-01-01", "R_1", "x", "1", "2", "3", "4", "5"]], header=header
    )
    job = run.upload(
        wave=past_wave, filename="q.csv", content=content, preset="auto", actor=org_admin
    )
    suggested = run.suggested_mapping(job, run.table_of(job))
    assert suggested.items["who5"] == WHO5_Q
    assert suggested.items["single-item-burnout"] == [""]  # "Q1 text" is not its wording
    assert presets.column_runs(header, 5) == [WHO5_Q]
    assert presets.column_runs(["who5[SQ002]", "who5[SQ001]", "x"], 2) == [
        ["who5[SQ001]", "who5[SQ002]"]
    ]


def test_a_column_two_items_could_be_is_not_suggested():
    calm = "I have felt calm and relaxed"
    table = read_table(csv_bytes([["1", "2"]], header=[calm, f"Calm: {calm}"]), "labels.csv")
    found = presets.suggest_by_text(table, {"who5": ["", calm, "", "", ""]})
    assert found == {"who5": [""] * 5}  # two columns end with item 2's wording
