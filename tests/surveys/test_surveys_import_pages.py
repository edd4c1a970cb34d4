"""The import pages: upload, map, check with row-level errors, import with a progress bar."""

import csv
import io
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from wellbeing.surveys.imports.models import ImportJob
from wellbeing.surveys.models import Response

HEADER = ["ResponseId", "burnout", "who5_1", "who5_2", "who5_3", "who5_4", "who5_5", "unit"]


def upload(name, rows, header=HEADER):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode(), content_type="text/csv")


@pytest.fixture
def wave(survey, org_admin):
    """A wave that has never opened: files are imported into such waves only."""
    from datetime import timedelta

    from django.utils import timezone

    from wellbeing.surveys import actions

    now = timezone.now()
    return actions.create_wave(
        survey=survey,
        name="Imported survey",
        opens_at=now - timedelta(days=40),
        closes_at=now - timedelta(days=20),
        actor=org_admin,
    )


class FormFields(HTMLParser):
    """The fields a browser sends with the page's mapping form, as the page left them."""

    def __init__(self):
        super().__init__()
        self.data, self.select, self.textarea, self.in_form = {}, None, None, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and "action" not in a:
            self.in_form = True
        if not self.in_form or ("name" not in a and tag != "option"):
            return
        if tag == "input" and (a.get("type") not in ("checkbox", "radio") or "checked" in a):
            self.data.setdefault(a["name"], []).append(a.get("value", ""))
        elif tag == "select":
            self.select = a["name"]
            self.data[self.select] = []
        elif tag == "option" and self.select and "selected" in a:
            self.data[self.select] = [a.get("value", "")]
        elif tag == "textarea":
            self.textarea = a["name"]
            self.data[self.textarea] = [""]

    def handle_data(self, text):
        if self.textarea:
            self.data[self.textarea] = [self.data[self.textarea][0] + text]

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        self.select = None if tag == "select" else self.select
        self.textarea = None if tag == "textarea" else self.textarea


def confirmed(html, **answers):
    """The page's mapping form, every table of values confirmed as shown; the instrument's
    own codes chosen where the page offers that numbering; ``answers``: more fields."""
    parser = FormFields()
    parser.feed(html)
    data = {k: v if len(v) != 1 else v[0] for k, v in parser.data.items() if v}
    for name in [n for n in data if n.endswith("-key") and n.startswith("block-")]:
        block = name.removesuffix("-key")
        data[f"{block}-confirm"] = "1"
        if f'name="{block}-reading" id="{block}-reading-1" value="codes"' in html:
            data[f"{block}-reading"] = "codes"
    return {**data, **answers}


def rows(n, burnout="2"):
    return [[f"R_{i}", burnout, "3", "3", "3", "3", "3", "Nursing"] for i in range(n)]


def mapping_post(**extra):
    data = {
        "item__single-item-burnout__burnout": "burnout",
        **{f"item__who5__who5_{n}": f"who5_{n}" for n in range(1, 6)},
        "unit_column": "unit",
        "key_columns": ["ResponseId"],
        "recode": "",
    }
    data.update(extra)
    return data


def test_an_admin_imports_a_file_from_upload_to_the_finished_import(client, org, wave, org_admin):
    client.force_login(org_admin)
    base = f"/measure/{org.slug}/waves/{wave.pk}/import/"
    assert (
        "Import responses from a file"
        in client.get(f"/measure/{org.slug}/waves/{wave.pk}/").content.decode()
    )
    response = client.post(base, {"file": upload("pulse.csv", rows(12)), "preset": "auto"})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    # The preset's suggestions are preselected.
    assert (
        '<option value="who5_3" selected>' in html
        and 'value="ResponseId" id="key-1" checked' in html
    )
    asked = client.post(response["Location"], mapping_post())
    assert asked.status_code == 400
    html = asked.content.decode()
    # Nothing is ready until the person confirms what the values mean.
    assert "Confirm what the values in the file mean; nothing was imported" in html
    assert "Import 12 rows" not in html
    assert "The instrument&#x27;s own codes" in html and "1 = At no time" in html
    checked = client.post(response["Location"], confirmed(html))
    assert checked.status_code == 200
    assert "All 12 rows are ready to import" in checked.content.decode()
    # Checked again from the page opened anew (no tables on it): what was confirmed holds.
    again = client.post(response["Location"], mapping_post())
    assert "All 12 rows are ready to import" in again.content.decode()
    with TestCaseCallbacks():
        started = client.post(f"{base}{job.pk}/start/")
    assert started.status_code == 302
    status = client.get(started["Location"])
    assert "12 responses imported" in status.content.decode()
    assert 'value="100"' in status.content.decode()
    assert Response.objects.filter(wave=wave).count() == 12
    partial = client.get(started["Location"], HTTP_HX_REQUEST="true")
    assert partial.content.decode().lstrip().startswith('<div id="import-progress"')


class TestCaseCallbacks:
    """Run on-commit callbacks (the task's enqueue) inside a test's transaction."""

    def __enter__(self):
        from django.test import TestCase

        self.context = TestCase.captureOnCommitCallbacks(execute=True)
        return self.context.__enter__()

    def __exit__(self, *exc):
        return self.context.__exit__(*exc)


def test_the_check_lists_each_bad_row_and_offers_no_import(client, org, wave, org_admin):
    client.force_login(org_admin)
    data = rows(20)
    data[4][1] = "seven"
    data[9][7] = "Cardiology"
    client.post(
        f"/measure/{org.slug}/waves/{wave.pk}/import/",
        {"file": upload("p.csv", data), "preset": "plain"},
    )
    job = ImportJob.objects.get()
    map_url = f"/measure/{org.slug}/waves/{wave.pk}/import/{job.pk}/map/"
    asked = client.post(map_url, mapping_post()).content.decode()
    # Burnout's values are "2" and "seven": no numbering fits both, so "2" is given its answer.
    assert 'name="block-0-value-0" value="2"' in asked
    assert 'name="block-0-value-1" value="seven"' in asked
    page = client.post(map_url, confirmed(asked, **{"block-0-answer-0": "2"}))
    assert page.status_code == 400
    html = page.content.decode()
    assert "2 of 20 rows have problems; nothing was imported" in html
    assert '<th scope="row">6</th><td>burnout</td><td><code>seven</code></td>' in html
    assert '<th scope="row">11</th><td>unit</td><td><code>Cardiology</code></td>' in html
    assert "Import 20 rows" not in html
    assert (
        client.post(f"/measure/{org.slug}/waves/{wave.pk}/import/{job.pk}/start/").status_code
        == 302
    )
    assert not Response.objects.filter(wave=wave).exists()


def test_a_file_that_cannot_be_read_gets_a_clear_error(client, org, wave, org_admin):
    client.force_login(org_admin)
    bad = SimpleUploadedFile("notes.docx", b"PK\x03\x04", content_type="application/octet-stream")
    page = client.post(
        f"/measure/{org.slug}/waves/{wave.pk}/import/", {"file": bad, "preset": "auto"}
    )
    assert page.status_code == 400
    assert "Expected a .csv, .xlsx or .sav file" in page.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("who", ["clinician", "unit_lead", "outsider"])
def test_only_the_organizations_admins_reach_the_import(client, org, wave, org_admin, who, request):
    client.force_login(org_admin)
    client.post(
        f"/measure/{org.slug}/waves/{wave.pk}/import/",
        {"file": upload("p.csv", rows(3)), "preset": "plain"},
    )
    job = ImportJob.objects.get()
    client.force_login(request.getfixturevalue(who))
    base = f"/measure/{org.slug}/waves/{wave.pk}/import/"
    for url in (base, f"{base}{job.pk}/map/", f"{base}{job.pk}/"):
        assert client.get(url).status_code == 404
    assert client.post(f"{base}{job.pk}/start/").status_code == 404


def test_the_report_offers_the_long_format_a_lead_gets_only_their_units(
    client, org, wave, org_admin, unit_lead, units
):
    from wellbeing.surveys import actions

    for unit in (units["ed"], units["icu"]):
        actions.import_responses(
            wave=wave,
            rows=[
                actions.ImportedResponse(
                    key=f"l-{unit.pk}-{i}",
                    unit=unit,
                    answers={"single-item-burnout": [2], "who5": [3] * 5, "phq9": [0] * 9},
                    demographics={},
                )
                for i in range(8)
            ],
        )
    client.force_login(org_admin)
    url = f"/measure/{org.slug}/waves/{wave.pk}/report-long.csv"
    assert url in client.get(f"/measure/{org.slug}/waves/{wave.pk}/report/").content.decode()
    admin_rows = list(csv.DictReader(io.StringIO(client.get(url).content.decode())))
    assert {r["group_type"] for r in admin_rows} >= {"organization", "unit"}
    client.force_login(unit_lead)
    lead_rows = list(csv.DictReader(io.StringIO(client.get(url).content.decode())))
    assert {r["group"] for r in lead_rows} <= {"Nursing", "Intensive Care Unit", "ICU Night Team"}
    assert "organization" not in {r["group_type"] for r in lead_rows}


def test_a_wave_that_collects_through_its_links_refuses_imports_with_a_clear_error(
    client, org, survey, org_admin
):
    from datetime import timedelta

    from django.utils import timezone

    from wellbeing.surveys import actions

    now = timezone.now()
    open_wave = actions.create_wave(
        survey=survey,
        name="Live",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=9),
    )
    actions.set_wave_status(wave=open_wave, status="open")
    client.force_login(org_admin)
    base = f"/measure/{org.slug}/waves/{open_wave.pk}/import/"
    page = client.get(base)
    assert page.status_code == 200
    assert "Responses cannot be imported into this wave" in page.content.decode()
    assert 'type="file"' not in page.content.decode()
    refused = client.post(base, {"file": upload("pulse.csv", rows(12)), "preset": "auto"})
    assert refused.status_code == 409
    assert not ImportJob.objects.exists() and not Response.objects.exists()
    # Closing it changes nothing: it collected through its links.
    actions.set_wave_status(wave=open_wave, status="closed")
    assert client.post(base, {"file": upload("pulse.csv", rows(12))}).status_code == 409
    wave_page = client.get(f"/measure/{org.slug}/waves/{open_wave.pk}/").content.decode()
    assert "Import responses from a file" not in wave_page


# What the pages keep of a file: in memory while uploading, the mapped columns after the
# check, and a clear page once housekeeping removed an upload nobody imported.

EXPORT_HEADER = ["RecipientEmail", "IPAddress", "StartDate", *HEADER]
IDENTIFYING = ["jane.doe@example.org", "203.0.113.77", "2019-03-07 08:15:42"]


def export(n):
    return upload("export.csv", [[*IDENTIFYING, *r] for r in rows(n)], header=EXPORT_HEADER)


def stored_job_text():
    """Every column of every import job, as the database holds it."""
    from django.db import connection

    table = connection.ops.quote_name(ImportJob._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608
        values = [v for row in cursor.fetchall() for v in row]
    return "\n".join(
        bytes(v).decode("utf-8", "replace") if isinstance(v, bytes | memoryview) else str(v)
        for v in values
    )


def test_the_upload_is_held_in_memory_never_in_a_temporary_file(
    client, org, wave, org_admin, settings, tmp_path, monkeypatch
):
    import tempfile

    from wellbeing.surveys.imports import run

    # Django writes uploads above FILE_UPLOAD_MAX_MEMORY_SIZE to FILE_UPLOAD_TEMP_DIR.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 16
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    seen = []
    real = run.upload

    def spy(**kwargs):
        seen.append(sorted(p.name for p in tmp_path.iterdir()))
        return real(**kwargs)

    monkeypatch.setattr(run, "upload", spy)
    client.force_login(org_admin)
    response = client.post(
        f"/measure/{org.slug}/waves/{wave.pk}/import/", {"file": export(40), "preset": "auto"}
    )
    assert response.status_code == 302
    assert seen == [[]]


def test_a_file_above_the_limit_is_refused_by_its_size(client, org, wave, org_admin, monkeypatch):
    from wellbeing.surveys.views import imports

    monkeypatch.setattr(imports, "MAX_BYTES", 200)
    client.force_login(org_admin)
    page = client.post(
        f"/measure/{org.slug}/waves/{wave.pk}/import/", {"file": export(40), "preset": "auto"}
    )
    assert page.status_code == 400
    assert "The file is larger than" in page.content.decode()
    assert not ImportJob.objects.exists()


def test_the_upload_still_checks_the_csrf_token(org, wave, org_admin):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(org_admin)
    base = f"/measure/{org.slug}/waves/{wave.pk}/import/"
    assert client.post(base, {"file": export(3), "preset": "auto"}).status_code == 403
    assert not ImportJob.objects.exists()
    client.get(base)
    token = client.cookies["csrftoken"].value
    data = {"file": export(3), "preset": "auto", "csrfmiddlewaretoken": token}
    assert client.post(base, data).status_code == 302


def test_after_the_check_the_map_page_and_the_job_hold_only_the_mapped_columns(
    client, org, wave, org_admin
):
    client.force_login(org_admin)
    response = client.post(
        f"/measure/{org.slug}/waves/{wave.pk}/import/", {"file": export(12), "preset": "auto"}
    )
    map_url = response["Location"]
    assert "jane.doe@example.org" in client.get(map_url).content.decode()  # before the check
    asked = client.post(map_url, mapping_post()).content.decode()
    checked = client.post(map_url, confirmed(asked))
    assert checked.status_code == 200
    assert "All 12 rows are ready to import" in checked.content.decode()
    for html in (checked.content.decode(), client.get(map_url).content.decode()):
        assert not any(value in html for value in IDENTIFYING)
        assert "RecipientEmail" not in html and 'id="kept-columns"' in html
    stored = stored_job_text()
    assert not any(value in stored for value in IDENTIFYING)
    refused = client.post(map_url, mapping_post(unit_column="IPAddress"))
    assert refused.status_code == 400
    assert "upload the file again to map “IPAddress”" in refused.content.decode()


def test_an_upload_removed_after_24_hours_is_shown_clearly_and_cannot_start(
    client, org, wave, org_admin
):
    import io
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    client.force_login(org_admin)
    base = f"/measure/{org.slug}/waves/{wave.pk}/import/"
    client.post(base, {"file": export(12), "preset": "auto"})
    job = ImportJob.objects.get()
    map_url = f"{base}{job.pk}/map/"
    asked = client.post(map_url, mapping_post()).content.decode()
    assert client.post(map_url, confirmed(asked)).status_code == 200  # checked, never started
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(hours=25))
    client.post(base, {"file": export(5), "preset": "auto"})  # a fresh upload stays
    call_command("import_housekeeping", stdout=io.StringIO())
    job.refresh_from_db()
    assert job.status == "failed" and job.content is None
    message = (
        "This upload was removed after 24 hours without being imported; upload the file again."
    )
    page = client.get(f"{base}{job.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Nothing was imported" in html and message in html
    assert f"{base}{job.pk}/start/" not in html and "Upload the file again" in html
    assert client.get(map_url).status_code == 302  # to the job page
    assert client.get(map_url, follow=True).status_code == 200
    assert client.post(map_url, mapping_post()).status_code == 302
    assert client.post(f"{base}{job.pk}/start/").status_code == 302
    job.refresh_from_db()
    assert job.status == "failed" and not Response.objects.exists()
    listing = client.get(base)
    assert listing.status_code == 200 and "Not imported" in listing.content.decode()
    assert client.get(f"/measure/{org.slug}/waves/{wave.pk}/").status_code == 200
    fresh = ImportJob.objects.exclude(pk=job.pk).get()
    assert fresh.status == "uploaded" and fresh.content is not None
    assert client.get(f"{base}{fresh.pk}/map/").status_code == 200


def test_a_qualtrics_numeric_export_is_imported_only_as_the_person_says_it_runs(
    client, org, wave, org_admin, units
):
    """The case of issue 24: WHO-5 built "All of the time" first, nobody at "At no time",
    units as the unit question's codes (1 = Nursing, the unit whose id is 2)."""
    header = ["ResponseId", "Q1", *[f"Q2_{n}" for n in range(1, 6)], "Q4"]
    answers = [[5, 4, 3, 2, 1], [1, 1, 2, 2, 3], [4, 4, 4, 5, 5]]
    data = [
        [f"R_{i}", "2", *[str(6 - code) for code in codes], "1" if i % 2 else "2"]
        for i, codes in enumerate(answers)
    ]
    client.force_login(org_admin)
    base = f"/measure/{org.slug}/waves/{wave.pk}/import/"
    client.post(base, {"file": upload("q.csv", data, header=header), "preset": "qualtrics"})
    job = ImportJob.objects.get()
    map_url = f"{base}{job.pk}/map/"
    form = client.get(map_url).content.decode()
    run_of = '["Q2_1", "Q2_2", "Q2_3", "Q2_4", "Q2_5"]'
    assert f'<option value="{run_of.replace(chr(34), "&quot;")}">Q2_1 … Q2_5</option>' in form
    asked = client.post(
        map_url,
        {
            "item__single-item-burnout__burnout": "Q1",
            "group__who5": run_of,
            "unit_column": "Q4",
            "key_columns": ["ResponseId"],
        },
    ).content.decode()
    assert "Confirm what the values in the file mean; nothing was imported" in asked
    assert "Qualtrics writes a choice&#x27;s recode value: 1, 2, 3…" in asked
    assert "Numbered from 1, starting with “All of the time”" in asked
    assert "1 = All of the time; 2 = Most of the time" in asked
    # Units: the codes are asked about, each with the organization's units to choose from.
    assert "no unit of the organization has this name" in asked
    nursing, ed = str(units["nursing"].pk), str(units["ed"].pk)
    assert f'<option value="{nursing}">Nursing</option>' in asked
    assert 'name="block-2-key" value="unit"' in asked
    assert (
        'name="block-2-value-0" value="1"' in asked and 'name="block-2-value-1" value="2"' in asked
    )
    who5 = asked.index('value="who5/frequency"')
    reading = asked.index('value="1-down"', who5)
    assert asked[asked.rindex('name="', 0, reading) :].startswith('name="block-1-reading"')
    page = client.post(
        map_url,
        confirmed(
            asked,
            **{"block-1-reading": "1-down", "block-2-answer-0": nursing, "block-2-answer-1": ed},
        ),
    )
    assert "All 3 rows are ready to import" in page.content.decode()
    with TestCaseCallbacks():
        client.post(f"{base}{job.pk}/start/")
    stored = sorted((r.answers["who5"], r.unit.name) for r in Response.objects.filter(wave=wave))
    assert stored == sorted(
        (codes, "Nursing" if i % 2 else "Emergency Department") for i, codes in enumerate(answers)
    )
