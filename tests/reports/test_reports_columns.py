"""A wave's packed columns (``WaveColumns``) and kept disclosure plans never change a report.

Every test compares a load through the packed snapshot with a load that decodes
every JSON row again, after the database changed in a way a stale snapshot
would get wrong.
"""

import numpy as np
import pytest
from django.db import connection

from wellbeing.surveys import actions
from wellbeing.surveys.models import Response, StoredPlan, WaveColumns
from wellbeing.surveys.reports import build, columns, plans
from wellbeing.surveys.reports.data import UNASSIGNED, load_wave

ROLES = ["nurse", "physician", "pharmacist"]


@pytest.fixture(autouse=True)
def _pack_small_waves(monkeypatch):
    # Pack after a handful of decoded rows, so small test waves exercise the snapshot.
    monkeypatch.setattr(columns, "REPACK_AFTER", 3)
    # Each test starts as a new process would: no plans in memory (a rolled-back test's
    # wave id comes back in the next test).
    plans.forget_plans()


def _rows(prefix, units, n, start=0):
    out = []
    for i in range(start, start + n):
        answers = {
            "single-item-burnout": [1 + i % 5],
            "who5": [i % 6, (i + 1) % 6, 3, 2, None if i % 7 == 0 else 4],
        }
        if i % 4:
            answers["phq9"] = [i % 4] * 9
        demographics = {"role": ROLES[i % 3]} if i % 5 else {}
        unit = None if i % 11 == 0 else units[i % len(units)]
        out.append(actions.ImportedResponse(f"{prefix}-{i}", unit, answers, demographics))
    return out


def _fresh(wave):
    """The wave decoded from its rows alone, as if no snapshot had ever been written."""
    WaveColumns.objects.filter(wave=wave).delete()
    saved = columns.REPACK_AFTER
    columns.REPACK_AFTER = 10**9
    try:
        return load_wave(wave)
    finally:
        columns.REPACK_AFTER = saved


def assert_same(a, b):
    assert np.array_equal(a.unit_ids, b.unit_ids)
    assert a.demographics.keys() == b.demographics.keys()
    for key in a.demographics:
        assert a.demographics[key].tolist() == b.demographics[key].tolist(), key
    assert a.scales.keys() == b.scales.keys()
    for key, column in a.scales.items():
        assert np.array_equal(column.values, b.scales[key].values, equal_nan=True), key
        for cutoff, above in column.above.items():
            assert np.array_equal(above, b.scales[key].above[cutoff], equal_nan=True)


@pytest.fixture
def filled(wave, units):
    unit_list = list(units.values())
    actions.import_responses(wave=wave, rows=_rows("a", unit_list, 40))
    return wave, unit_list


def test_a_load_packs_the_wave_and_the_packed_load_equals_decoding_every_row(filled):
    wave, _ = filled
    first = load_wave(wave)
    snapshot = WaveColumns.objects.get(wave=wave)
    assert snapshot.rows == 40
    assert snapshot.through_id == Response.objects.filter(wave=wave).latest("pk").pk
    assert_same(load_wave(wave), first)
    assert_same(first, _fresh(wave))


def test_responses_stored_after_packing_are_read_and_packed_again(filled):
    wave, unit_list = filled
    load_wave(wave)
    actions.import_responses(wave=wave, rows=_rows("b", unit_list, 2, start=40))
    two_more = load_wave(wave)
    assert two_more.n == 42
    assert WaveColumns.objects.get(wave=wave).rows == 40  # 2 new rows: below REPACK_AFTER
    actions.import_responses(wave=wave, rows=_rows("c", unit_list, 5, start=42))
    loaded = load_wave(wave)
    assert WaveColumns.objects.get(wave=wave).rows == 47
    assert_same(loaded, _fresh(wave))


def test_a_deleted_response_drops_the_snapshot_and_leaves_the_report(filled):
    wave, _ = filled
    load_wave(wave)
    Response.objects.filter(wave=wave).order_by("pk").first().delete()
    assert not WaveColumns.objects.filter(wave=wave).exists()
    loaded = load_wave(wave)
    assert loaded.n == 39
    assert_same(loaded, _fresh(wave))


def test_a_response_deleted_behind_the_apps_back_is_noticed_by_the_row_count(filled):
    wave, _ = filled
    load_wave(wave)
    victim = Response.objects.filter(wave=wave).order_by("pk")[5].pk
    with connection.cursor() as cursor:  # no signal: only the count can tell
        cursor.execute("DELETE FROM surveys_score WHERE response_id = %s", [victim])
        cursor.execute("DELETE FROM surveys_response WHERE id = %s", [victim])
    assert WaveColumns.objects.filter(wave=wave).exists()
    loaded = load_wave(wave)
    assert loaded.n == 39
    assert_same(loaded, _fresh(wave))


def test_a_late_commit_below_the_snapshot_is_read_not_lost(filled, units):
    """A transaction that took a lower primary key but committed after the snapshot."""
    wave, _ = filled
    gap = Response.objects.filter(wave=wave).order_by("pk")[10]
    row = {
        "unit_id": gap.unit_id,
        "answers": gap.answers,
        "demographics": {"role": "pharmacist"},
        "submitted_on": gap.submitted_on,
    }
    gap_pk = gap.pk
    gap.delete()  # frees a primary key below the others
    load_wave(wave)  # packs 39 responses, through the last one
    Response.objects.create(pk=gap_pk, wave=wave, idempotency_key="late", **row)
    loaded = load_wave(wave)
    assert loaded.n == 40
    assert "pharmacist" in loaded.demographics["role"].tolist()
    assert_same(loaded, _fresh(wave))


def test_deleting_a_unit_is_seen_by_the_next_report(filled):
    wave, unit_list = filled
    load_wave(wave)
    gone = unit_list[-1]
    before = Response.objects.filter(wave=wave, unit=gone).count()
    assert before > 0
    gone.delete()
    loaded = load_wave(wave)
    assert gone.pk not in loaded.unit_ids.tolist()
    assert int((loaded.unit_ids == UNASSIGNED).sum()) >= before
    assert_same(loaded, _fresh(wave))


def test_a_snapshot_of_another_instrument_layout_is_not_used(filled):
    wave, _ = filled
    load_wave(wave)
    WaveColumns.objects.filter(wave=wave).update(layout="who5:5")
    assert columns.read(wave, "who5:5;phq9:9") is None
    assert_same(load_wave(wave), _fresh(wave))


def _figures(report):
    return [(s.by_unit, s.by_category, s.unit_changes) for s in report.scales]


def test_a_kept_plan_is_the_plan_of_the_same_counts_and_new_counts_plan_again(filled):
    wave, unit_list = filled
    plans.forget_plans()
    first = build.build_report(wave)
    kept = plans.kept_in_process()
    assert kept >= 1
    again = build.build_report(wave)
    assert plans.kept_in_process() == kept  # the same counts: no new plan
    assert _figures(first) == _figures(again)
    actions.import_responses(wave=wave, rows=_rows("d", unit_list, 1, start=60))
    build.build_report(wave)
    assert plans.kept_in_process() > kept  # one more response: new counts, new plans


def test_a_stored_plan_serves_another_process_with_the_same_figures(filled, monkeypatch):
    wave, _ = filled
    plans.forget_plans()
    first = build.build_report(wave)
    stored = StoredPlan.objects.filter(wave=wave).count()
    assert stored >= 1
    plans.forget_plans()  # as a new server process: only the database remains

    def no_search(*args, **kwargs):
        raise AssertionError("searched again although the plan was stored")

    monkeypatch.setattr(plans, "plan_disclosure_from_counts", no_search)
    again = build.build_report(wave)
    assert _figures(first) == _figures(again)
    assert StoredPlan.objects.filter(wave=wave).count() == stored


def test_a_damaged_stored_plan_is_searched_again_and_never_shows_a_small_group(filled):
    wave, _ = filled
    plans.forget_plans()
    first = build.build_report(wave)
    for row in StoredPlan.objects.filter(wave=wave):
        # Every figure marked shown: the small groups would be published if this were trusted.
        row.statuses = bytes(len(bytes(row.statuses)))
        row.save()
    plans.forget_plans()
    again = build.build_report(wave)
    assert _figures(first) == _figures(again)
    assert all(set(bytes(r.statuses)) != {0} for r in StoredPlan.objects.filter(wave=wave))


def test_a_new_response_stores_a_new_plan_and_keeps_a_few_per_wave(filled, monkeypatch):
    wave, unit_list = filled
    monkeypatch.setattr(plans, "STORED_PER_WAVE", 2)
    plans.forget_plans()
    build.build_report(wave)
    digests = {
        bytes(d) for d in StoredPlan.objects.filter(wave=wave).values_list("digest", flat=True)
    }
    actions.import_responses(wave=wave, rows=_rows("e", unit_list, 1, start=70))
    build.build_report(wave)
    after = {
        bytes(d) for d in StoredPlan.objects.filter(wave=wave).values_list("digest", flat=True)
    }
    assert len(after) <= 2
    assert after - digests  # the new counts were planned and stored


def test_closing_a_wave_packs_it_and_stores_its_plans_for_the_first_reader(
    filled, org_admin, django_capture_on_commit_callbacks
):
    wave, _ = filled
    WaveColumns.objects.filter(wave=wave).delete()
    assert not StoredPlan.objects.filter(wave=wave).exists()
    with django_capture_on_commit_callbacks(execute=True):
        actions.set_wave_status(wave=wave, status="closed", actor=org_admin)
    assert WaveColumns.objects.get(wave=wave).rows == 40
    assert StoredPlan.objects.filter(wave=wave).exists()


def test_warm_reports_enqueues_every_open_wave_and_names_an_unknown_one(filled):
    from io import StringIO

    from django.core.management import call_command

    wave, _ = filled
    out, err = StringIO(), StringIO()
    call_command("warm_reports", stdout=out, stderr=err)
    assert f"wave {wave.pk}:" in out.getvalue()
    assert StoredPlan.objects.filter(wave=wave).exists()
    call_command("warm_reports", str(wave.pk), "999999", stdout=out, stderr=err)
    assert "No wave with id 999999" in err.getvalue()


def test_coding_categories_from_packed_codes_equals_coding_the_answers(filled):
    from dataclasses import replace

    wave, _ = filled
    data = load_wave(wave)
    fields = ["role", "tenure"]  # tenure: asked of nobody here, so all "not answered"
    from_codes = build._categories(data, fields)
    from_text = build._categories(replace(data, coded={}), fields)
    assert from_codes.keys() == from_text.keys()
    for name in fields:
        assert from_codes[name].labels.tolist() == from_text[name].labels.tolist(), name
        assert from_codes[name].codes.tolist() == from_text[name].codes.tolist(), name
    assert "not_answered" in from_codes["role"].labels.tolist()
