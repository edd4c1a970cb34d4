"""Only complete responses of one time point, under keys nobody can trace, valid rows on request.

- Completeness: each tool's own marks (Qualtrics ``Finished`` and ``Status``, REDCap form
  statuses and "[not completed]", LimeSurvey ``submitdate``) leave rows out by default,
  counted on the dry run; incomplete ones go in only when asked, previews never.
- Time points: a REDCap file of several events (or repeats) is refused until one is chosen.
- Keys: an HMAC under the server's secret, so the source export finds nobody's answers; the
  same file twice still stores nothing twice, also against rows keyed the old way.
- Partial imports: the valid rows go in, the others wait as a CSV for their uploader only,
  until housekeeping deletes them; importing again stores nothing twice.

The sample exports are built from each tool's documented layout
(tests/surveys/import_corpus/complete_exports.py).
"""

import csv
import hashlib
import hmac
import io
from datetime import timedelta

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from import_corpus import complete_exports as complete

from wellbeing.core.models import AuditEvent
from wellbeing.core.sealing import digest_keys
from wellbeing.surveys import actions
from wellbeing.surveys.imports import keys, run
from wellbeing.surveys.imports.completeness import Choices
from wellbeing.surveys.imports.housekeeping import clear_uploads
from wellbeing.surveys.imports.mapping import Mapping
from wellbeing.surveys.imports.models import ImportJob
from wellbeing.surveys.models import Response

BURNOUT, WHO5, PHQ9 = "single-item-burnout", "who5", "phq9"
WHO5_FIELDS = [f"who5_{n}" for n in range(1, 6)]
PHQ9_FIELDS = [f"phq9_{n}" for n in range(1, 10)]


def _wave(survey, actor, name="2025 survey", days=400):
    now = timezone.now()
    return actions.create_wave(
        survey=survey,
        name=name,
        opens_at=now - timedelta(days=days),
        closes_at=now - timedelta(days=days - 20),
        actor=actor,
    )


@pytest.fixture
def past_wave(survey, org_admin):
    return _wave(survey, org_admin)


def upload(wave, actor, content, name="export.csv", preset="auto"):
    return run.upload(wave=wave, filename=name, content=content, preset=preset, actor=actor)


def confirmed_check(job, mapping, actor, choices=None, *, labels=False):
    """The dry run as the person importing completes it, knowing their file: every answer
    scale confirmed as holding the instruments' own codes (or, with ``labels``, their
    labels, which the importer matched)."""
    checked = run.dry_run(job=job, mapping=mapping, actor=actor, choices=choices)
    if not checked.pending:
        return mapping, checked
    data = mapping.to_json()
    for block in checked.blocks:
        if block.needs_confirmation:
            answers = {f.value: (f.proposed if labels else f.value) for f in block.values}
            data["codes"][block.key] = answers
            data["confirmed"][block.key] = block.columns
    mapping = Mapping.from_json(data)
    return mapping, run.dry_run(job=job, mapping=mapping, actor=actor, choices=choices)


def imported(job, actor, *, valid_rows_only=False):
    with TestCase.captureOnCommitCallbacks(execute=True):  # the task runs after the commit
        run.start(job=job, actor=actor, valid_rows_only=valid_rows_only)
    job.refresh_from_db()
    return job


QUALTRICS = Mapping(
    items={
        BURNOUT: ["Q1"],
        WHO5: [f"Q2_{n}" for n in range(1, 6)],
        PHQ9: [f"Q3_{n}" for n in range(1, 10)],
    },
    key_columns=["ResponseId"],
    unit_column="Q4",
)


# --- completeness ----------------------------------------------------------------------------


def test_unfinished_qualtrics_responses_and_previews_are_left_out_and_counted(
    client, org, past_wave, org_admin, units
):
    job = upload(past_wave, org_admin, complete.qualtrics_unfinished_and_previews())
    _mapping, checked = confirmed_check(job, QUALTRICS, org_admin, labels=True)
    assert checked.ok and checked.n_rows == 30 - 4 - 2
    assert job.left_out == {"incomplete": 4, "preview": 2}
    client.force_login(org_admin)
    page = client.get(reverse("surveys:import_map", args=[org.slug, past_wave.pk, job.pk]))
    assert "4 incomplete and 2 preview responses left out." in page.content.decode()
    job = imported(job, org_admin)
    assert (job.stored, job.total_rows) == (24, 24)
    assert Response.objects.filter(wave=past_wave).count() == 24
    status = client.get(job.get_absolute_url()).content.decode()
    assert "24 responses imported" in status
    assert "4 incomplete and 2 preview responses left out." in status


def test_a_numeric_qualtrics_export_marks_previews_with_status_1_and_unfinished_with_0(
    past_wave, org_admin, units
):
    job = upload(past_wave, org_admin, complete.qualtrics_numeric_unfinished_and_previews())
    _mapping, checked = confirmed_check(job, QUALTRICS, org_admin)
    assert checked.ok and checked.n_rows == 26
    assert job.left_out == {"incomplete": 3, "preview": 1}
    audit = AuditEvent.objects.filter(verb="wave.import_check").latest("pk")
    assert audit.detail["left_out"] == {"incomplete": 3, "preview": 1}


def test_incomplete_responses_go_in_only_when_asked_and_the_choice_is_recorded(
    past_wave, org_admin, units
):
    job = upload(past_wave, org_admin, complete.qualtrics_unfinished_and_previews())
    asked = Choices(include_incomplete=True)
    _mapping, checked = confirmed_check(job, QUALTRICS, org_admin, asked, labels=True)
    assert checked.ok and checked.n_rows == 28  # previews are never responses
    assert job.left_out == {"preview": 2}
    assert job.choices == {"include_incomplete": True, "event": "", "repeat": ""}
    assert imported(job, org_admin).stored == 28


def test_a_redcap_form_counts_when_complete_and_an_unrelated_empty_form_does_not(
    past_wave, org_admin, units
):
    """Every record's contact form was never filled (status 0): only the status of the form
    holding the mapped items decides. Incomplete (0), Unverified (1) and "[not completed]"
    are left out."""
    job = upload(past_wave, org_admin, complete.redcap_incomplete_forms())
    mapping = Mapping(
        items={BURNOUT: ["burnout"], WHO5: WHO5_FIELDS, PHQ9: PHQ9_FIELDS},
        key_columns=["record_id"],
        unit_column="unit",
    )
    _mapping, checked = confirmed_check(job, mapping, org_admin)
    assert checked.ok and checked.n_rows == 30 - 6
    assert job.left_out == {"incomplete": 6}


def test_a_redcap_label_export_s_words_mark_its_forms(past_wave, org_admin, units):
    job = upload(past_wave, org_admin, complete.redcap_labels_incomplete())
    assert job.preset == "redcap"  # told by its "Complete?" column
    columns = complete._redcap_labels_columns()
    mapping = Mapping(
        items=columns["items"],
        key_columns=columns["key_columns"],
        unit_column=columns["unit_column"],
    )
    _mapping, checked = confirmed_check(job, mapping, org_admin, labels=True)
    assert checked.ok and checked.n_rows == 24 - 3
    assert job.left_out == {"incomplete": 3}


def test_limesurvey_rows_without_a_submit_date_are_left_out(past_wave, org_admin, units):
    job = upload(past_wave, org_admin, complete.limesurvey_unsubmitted())
    mapping = Mapping(
        items={
            BURNOUT: ["burnout"],
            WHO5: [f"who5[SQ{n:03d}]" for n in range(1, 6)],
            PHQ9: [f"phq9[SQ{n:03d}]" for n in range(1, 10)],
        },
        key_columns=["id"],
        unit_column="unit",
    )
    _mapping, checked = confirmed_check(job, mapping, org_admin)
    assert checked.ok and checked.n_rows == 28 - 5
    assert job.left_out == {"incomplete": 5}


def test_a_file_of_only_incomplete_responses_says_how_to_import_them(past_wave, org_admin):
    job = upload(past_wave, org_admin, complete.limesurvey_nothing_submitted())
    mapping = Mapping(items={BURNOUT: ["burnout"]}, key_columns=["id"])
    with pytest.raises(ValueError, match=r"6 incomplete responses left out\. To import unfinished"):
        run.dry_run(job=job, mapping=mapping, actor=org_admin)
    job.refresh_from_db()
    assert job.status == "uploaded"  # nothing checked, the file still whole for another try


# --- time points -----------------------------------------------------------------------------

LONGITUDINAL = Mapping(items={BURNOUT: ["burnout"], WHO5: WHO5_FIELDS}, key_columns=["record_id"])


def test_a_redcap_file_of_two_events_is_refused_until_one_is_chosen_each_into_its_wave(
    client, org, survey, past_wave, org_admin, units
):
    content = complete.redcap_longitudinal()
    job = upload(past_wave, org_admin, content)
    client.force_login(org_admin)
    page = client.get(reverse("surveys:import_map", args=[org.slug, past_wave.pk, job.pk]))
    assert '<option value="month_6_arm_1">month_6_arm_1: 20 rows</option>' in page.content.decode()
    with pytest.raises(ValueError) as refused:
        run.dry_run(job=job, mapping=LONGITUDINAL, actor=org_admin)
    assert str(refused.value) == (
        "This REDCap file holds 2 events: baseline_arm_1 (20 rows), month_6_arm_1 (20 rows)."
        " A wave is one time point: choose the event that goes into this wave (import another"
        " event into another wave)."
    )
    with pytest.raises(ValueError, match="has no REDCap event “month_12_arm_1”"):
        run.dry_run(
            job=job, mapping=LONGITUDINAL, actor=org_admin, choices=Choices(event="month_12_arm_1")
        )
    baseline = Choices(event="baseline_arm_1")
    _mapping, checked = confirmed_check(job, LONGITUDINAL, org_admin, baseline)
    assert checked.ok and checked.n_rows == 20 and job.left_out == {"event": 20}
    assert imported(job, org_admin).stored == 20
    # The other event, into a wave of its own: the same records, a time point later.
    later = _wave(survey, org_admin, "2025 month 6", days=200)
    job = upload(later, org_admin, content)
    _mapping, checked = confirmed_check(
        job, LONGITUDINAL, org_admin, Choices(event="month_6_arm_1")
    )
    assert imported(job, org_admin).stored == 20
    # The same event again into the first wave: nothing stored twice.
    job = upload(past_wave, org_admin, content)
    confirmed_check(job, LONGITUDINAL, org_admin, baseline)
    job = imported(job, org_admin)
    assert (job.stored, job.skipped) == (0, 20)
    assert Response.objects.filter(wave=past_wave).count() == 20


def test_repeated_instruments_are_refused_until_one_repeat_is_chosen(past_wave, org_admin, units):
    job = upload(past_wave, org_admin, complete.redcap_repeated_instrument())
    with pytest.raises(ValueError, match="holds repeated instruments: rows outside repeated"):
        run.dry_run(job=job, mapping=LONGITUDINAL, actor=org_admin)
    first = Choices(repeat="wellbeing#1")
    _mapping, checked = confirmed_check(job, LONGITUDINAL, org_admin, first)
    people = len(complete.RREP)
    later = sum(p.id % 3 for p in complete.RREP)  # second and third times
    assert checked.ok and checked.n_rows == people
    assert job.left_out == {"repeat": people + later}
    assert imported(job, org_admin).stored == people


# --- keys --------------------------------------------------------------------------------------


def _redcap_by_email(n=8, extra=()):
    """A REDCap export whose record identifier is the respondent's e-mail address."""
    header = ["record_id", "burnout", *WHO5_FIELDS, "wellbeing_complete"]
    rows = [header]
    for i in [*range(n), *extra]:
        rows.append([f"person{i}@hospital.example", str(1 + i % 5), *[str(i % 6)] * 5, "2"])
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


EMAIL_KEYED = Mapping(items={BURNOUT: ["burnout"], WHO5: WHO5_FIELDS}, key_columns=["record_id"])


def test_nobody_holding_the_export_can_find_a_person_s_stored_answers(
    past_wave, org_admin, settings
):
    # The attack: the stored key was SHA-256("<wave>:<record id>"), so the export's e-mail
    # addresses led straight to each person's row.
    job = upload(past_wave, org_admin, _redcap_by_email())
    confirmed_check(job, EMAIL_KEYED, org_admin)
    assert imported(job, org_admin).stored == 8
    stored = set(Response.objects.filter(wave=past_wave).values_list("idempotency_key", flat=True))
    emails = [f"person{i}@hospital.example" for i in range(8)]
    traced = [hashlib.sha256(f"{past_wave.pk}:{e}".encode()).hexdigest() for e in emails]
    assert not any(t[:60] in key for t in traced for key in stored)
    assert all(k.startswith("imh-") and len(k) == 64 for k in stored)
    # What the key rests on is the server's secret: another secret, other keys.
    digests = keys.digests(past_wave.pk, [f"person{i}@hospital.example" for i in range(8)])
    assert set(keys.response_keys(digests)) == stored
    secret = digest_keys(keys.PURPOSE)[0]  # RFC 2104 HMAC, as Python's hmac computes it:
    assert keys.response_keys(digests) == [
        "imh-" + hmac.new(secret, d.encode(), hashlib.sha256).hexdigest()[:60] for d in digests
    ]
    settings.SECRET_KEY = "another-secret-of-at-least-fifty-characters-for-this-test-only"
    assert not set(keys.response_keys(digests)) & stored


def test_the_same_file_twice_and_an_overlapping_one_store_nothing_twice(past_wave, org_admin):
    job = upload(past_wave, org_admin, _redcap_by_email())
    confirmed_check(job, EMAIL_KEYED, org_admin)
    assert imported(job, org_admin).stored == 8
    again = upload(past_wave, org_admin, _redcap_by_email())
    confirmed_check(again, EMAIL_KEYED, org_admin)
    assert (imported(again, org_admin).stored, again.skipped) == (0, 8)
    more = upload(past_wave, org_admin, _redcap_by_email(extra=(20, 21, 22)))
    confirmed_check(more, EMAIL_KEYED, org_admin)
    assert (imported(more, org_admin).stored, more.skipped) == (3, 8)
    assert Response.objects.filter(wave=past_wave).count() == 11


def test_rows_imported_under_the_old_keys_are_still_recognised(past_wave, org_admin):
    """Old rows keep their unkeyed SHA-256 keys (the source ids were never stored, so no
    migration can recompute them); a new import of the same people adds only new rows."""
    old_keys = keys.digests(past_wave.pk, [f"person{i}@hospital.example" for i in range(8)])
    actions.import_responses(
        wave=past_wave,
        rows=[
            actions.ImportedResponse(k, None, {BURNOUT: [2], WHO5: [3] * 5}, {}) for k in old_keys
        ],
    )
    job = upload(past_wave, org_admin, _redcap_by_email(extra=(30,)))
    confirmed_check(job, EMAIL_KEYED, org_admin)
    job = imported(job, org_admin)
    assert (job.stored, job.skipped) == (1, 8)
    assert Response.objects.filter(wave=past_wave).count() == 9


def test_rows_keyed_under_a_rotated_secret_are_still_recognised(past_wave, org_admin, settings):
    job = upload(past_wave, org_admin, _redcap_by_email())
    confirmed_check(job, EMAIL_KEYED, org_admin)
    imported(job, org_admin)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-of-at-least-fifty-characters-after-rotation-x"
    more = upload(past_wave, org_admin, _redcap_by_email(extra=(40,)))
    confirmed_check(more, EMAIL_KEYED, org_admin)
    assert (imported(more, org_admin).stored, more.skipped) == (1, 8)


def test_a_file_without_identifiers_keeps_each_row_s_key_whichever_rows_are_chosen(
    past_wave, org_admin
):
    """Without an identifier a row is keyed by its place in the file: including incomplete
    responses later adds just them, not the complete ones again."""
    content = complete.limesurvey_unsubmitted()
    keyless = Mapping(items={BURNOUT: ["burnout"]})
    job = upload(past_wave, org_admin, content)
    confirmed_check(job, keyless, org_admin)
    assert imported(job, org_admin).stored == 23
    again = upload(past_wave, org_admin, content)
    confirmed_check(again, keyless, org_admin, Choices(include_incomplete=True))
    assert (imported(again, org_admin).stored, again.skipped) == (5, 23)


# --- partial imports ---------------------------------------------------------------------------


def _plain_with_bad_identifiers() -> bytes:
    """20 rows, three of them with a problem: a blank identifier (row 6) and two
    identifiers repeated from earlier rows (rows 10 and 15)."""
    rows = [["response_id", "burnout", *WHO5_FIELDS]]
    rows += [[f"p{i}", str(1 + i % 5), *[str(i % 6)] * 5] for i in range(20)]
    rows[5][0] = ""
    rows[9][0] = "p1"
    rows[14][0] = "p2"
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode()


PLAIN = Mapping(items={BURNOUT: ["burnout"], WHO5: WHO5_FIELDS}, key_columns=["response_id"])


def test_a_partial_import_stores_the_valid_rows_and_keeps_the_others_for_their_uploader(
    client, org, past_wave, org_admin, outsider
):
    job = upload(past_wave, org_admin, _plain_with_bad_identifiers(), name="pulse.csv")
    _mapping, checked = confirmed_check(job, PLAIN, org_admin)
    assert (checked.n_rows, checked.error_rows) == (20, 3)
    with pytest.raises(ValueError, match="without errors"):
        run.start(job=job, actor=org_admin)
    job = imported(job, org_admin, valid_rows_only=True)
    assert (job.status, job.stored, job.rejected_rows, job.valid_rows_only) == ("done", 17, 3, True)
    assert Response.objects.filter(wave=past_wave).count() == 17
    client.force_login(org_admin)
    status = client.get(job.get_absolute_url()).content.decode()
    download = reverse("surveys:import_rejected", args=[org.slug, past_wave.pk, job.pk])
    assert "3 rows with problems were not imported." in status and download in status
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="pulse-rows-not-imported.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["response_id", "burnout", *WHO5_FIELDS, "reason"]
    assert [r[-1] for r in rows[1:]] == [
        "Row 6: response_id: the response has no identifier",
        "Row 10: response_id: this identifier appears on an earlier row",
        "Row 15: response_id: this identifier appears on an earlier row",
    ]
    assert [r[:2] for r in rows[1:]] == [["", "5"], ["p1", "4"], ["p2", "4"]]
    # The same file again, partly: nothing stored twice.
    again = upload(past_wave, org_admin, _plain_with_bad_identifiers(), name="pulse.csv")
    confirmed_check(again, PLAIN, org_admin)
    again = imported(again, org_admin, valid_rows_only=True)
    assert (again.stored, again.rejected_rows) == (0, 3)
    # The rows corrected, as the download gives them: only they are added.
    fixed = response.content.decode("utf-8-sig").replace("\r\n,5,", "\r\np4b,5,")
    fixed = fixed.replace("\r\np1,", "\r\np8b,").replace("\r\np2,", "\r\np13b,")
    corrected = upload(past_wave, org_admin, fixed.encode(), name="pulse-fixed.csv")
    _mapping, checked = confirmed_check(corrected, PLAIN, org_admin)
    assert checked.ok and imported(corrected, org_admin).stored == 3
    assert Response.objects.filter(wave=past_wave).count() == 20


def test_the_rows_left_out_reach_their_uploader_only(
    client, org, past_wave, org_admin, outsider, unit_lead
):
    job = upload(past_wave, org_admin, _plain_with_bad_identifiers())
    confirmed_check(job, PLAIN, org_admin)
    job = imported(job, org_admin, valid_rows_only=True)
    download = reverse("surveys:import_rejected", args=[org.slug, past_wave.pk, job.pk])
    from wellbeing.accounts import actions as accounts
    from wellbeing.accounts.models import User

    colleague = User.objects.create_user("bea@riverbend.test", "a-long-test-password")
    accounts.add_member(organization=org, user=colleague, role="org_admin")
    client.force_login(colleague)  # another admin of the same organization
    assert download not in client.get(job.get_absolute_url()).content.decode()
    assert client.get(download).status_code == 404
    for reader in (outsider, unit_lead):
        client.force_login(reader)
        assert client.get(download).status_code == 404
    client.logout()
    assert client.get(download).status_code == 302  # to the sign-in page


def test_housekeeping_deletes_the_rows_left_out_24_hours_after_the_import(
    client, org, past_wave, org_admin
):
    job = upload(past_wave, org_admin, _plain_with_bad_identifiers())
    confirmed_check(job, PLAIN, org_admin)
    job = imported(job, org_admin, valid_rows_only=True)
    assert clear_uploads(now=timezone.now() + timedelta(hours=23))["rejected"] == []
    assert clear_uploads(now=timezone.now() + timedelta(hours=24, minutes=1))["rejected"] == [
        job.pk
    ]
    job.refresh_from_db()
    assert job.rejected is None and job.rejected_rows == 3 and job.stored == 17
    row = AuditEvent.objects.filter(verb="wave.import_file_deleted").latest("pk")
    assert row.detail == {"job": job.pk, "count": 3, "reason": "rejected"}
    client.force_login(org_admin)
    download = reverse("surveys:import_rejected", args=[org.slug, past_wave.pk, job.pk])
    assert client.get(download).status_code == 404
    assert download not in client.get(job.get_absolute_url()).content.decode()


def test_a_partial_import_of_a_file_without_a_valid_row_is_refused(past_wave, org_admin):
    content = b"response_id,burnout\r\n,2\r\n,3\r\n"
    job = upload(past_wave, org_admin, content)
    confirmed_check(
        job, Mapping(items={BURNOUT: ["burnout"]}, key_columns=["response_id"]), org_admin
    )
    with pytest.raises(ValueError, match="No row of the file is valid"):
        run.start(job=job, actor=org_admin, valid_rows_only=True)
    assert not ImportJob.objects.filter(status="queued").exists()
