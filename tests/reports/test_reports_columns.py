"""A wave's packed columns (``WaveColumns``) and a release's frozen rows never change a report.

Every column test compares a load through the packed snapshot with a load that decodes
every JSON row again, after the database changed in a way a stale snapshot would get
wrong. The release tests check that a release, read again in a new process, gives the same
figures, and that a damaged release is refused rather than trusted.
"""

import numpy as np
import pytest
from django.db import connection

from wellbeing.reports import build, cells, columns, releases
from wellbeing.reports.data import UNASSIGNED, scored, stored_rows
from wellbeing.reports.models import Release, WaveColumns
from wellbeing.surveys import actions
from wellbeing.surveys.models import Response

ROLES = ["nurse", "physician", "pharmacist"]


def load_wave(wave):
    return scored(stored_rows(wave), list(wave.version.instruments))


@pytest.fixture(autouse=True)
def _pack_small_waves(monkeypatch):
    # Pack after a handful of decoded rows, so small test waves exercise the snapshot.
    monkeypatch.setattr(columns, "REPACK_AFTER", 3)
    # Each test starts as a new process would: nothing unpacked or built in memory.
    releases.forget_opened()
    build.forget_built()


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
    actions.record_synthetic_responses(wave=wave, rows=_rows("a", unit_list, 40))
    return wave, unit_list


def test_a_load_packs_the_wave_and_the_packed_load_equals_decoding_every_row(filled):
    wave, _ = filled
    first = load_wave(wave)
    snapshot = WaveColumns.objects.get(wave=wave)
    assert snapshot.rows == 40
    # It holds the responses' (random) keys in key order, never in the order they arrived.
    keys = columns.unpack(bytes(snapshot.data)).ids.tolist()
    assert keys == sorted(Response.objects.filter(wave=wave).values_list("pk", flat=True))
    assert_same(load_wave(wave), first)
    assert_same(first, _fresh(wave))


def test_responses_stored_after_packing_are_read_and_packed_again(filled):
    wave, unit_list = filled
    load_wave(wave)
    actions.record_synthetic_responses(wave=wave, rows=_rows("b", unit_list, 2, start=40))
    two_more = load_wave(wave)
    assert two_more.n == 42
    assert WaveColumns.objects.get(wave=wave).rows == 40  # 2 new rows: below REPACK_AFTER
    actions.record_synthetic_responses(wave=wave, rows=_rows("c", unit_list, 5, start=42))
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


def test_a_response_deleted_behind_the_apps_back_is_noticed_by_its_key(filled):
    wave, _ = filled
    load_wave(wave)
    victim = Response.objects.filter(wave=wave).order_by("pk")[5].pk
    with connection.cursor() as cursor:  # no signal: only the missing key can tell
        cursor.execute("DELETE FROM surveys_score WHERE response_id = %s", [victim])
        cursor.execute("DELETE FROM surveys_response WHERE id = %s", [victim])
    assert WaveColumns.objects.filter(wave=wave).exists()
    loaded = load_wave(wave)
    assert loaded.n == 39
    assert_same(loaded, _fresh(wave))


def test_a_response_stored_after_packing_is_read_wherever_its_key_falls(filled, units):
    """Keys are random: a response stored after the snapshot may sort before its rows."""
    wave, _ = filled
    gap = Response.objects.filter(wave=wave).order_by("pk")[10]
    row = {
        "unit_id": gap.unit_id,
        "answers": gap.answers,
        "demographics": {"role": "pharmacist"},
        "submitted_on": gap.submitted_on,
    }
    gap_pk = gap.pk
    gap.delete()  # frees a key among the others
    load_wave(wave)  # packs 39 responses
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
    assert columns.read(wave, "who5:5;phq9:9", columns.wave_ids(wave)) is None
    assert_same(load_wave(wave), _fresh(wave))


def _figures(report):
    return [(s.key, s.by_unit, s.by_category, s.unit_changes) for s in report.scales]


def test_a_release_freezes_the_rows_and_reads_back_the_same_figures_in_a_new_process(filled):
    wave, unit_list = filled
    release = releases.publish(wave, kind=Release.Kind.CLOSE)
    first = build.report_of(release)
    frozen = first.frozen
    live = load_wave(wave)
    # The same respondents, in another (random) order: compare them sorted.
    key = np.lexsort([frozen.data.items["who5"].T[0], frozen.data.unit_ids])
    live_key = np.lexsort([live.items["who5"].T[0], live.unit_ids])
    assert np.array_equal(frozen.data.unit_ids[key], live.unit_ids[live_key])
    actions.record_synthetic_responses(wave=wave, rows=_rows("d", unit_list, 1, start=60))
    releases.forget_opened()
    build.forget_built()  # as a new server process: only the database remains
    again = build.report_of(Release.objects.get(pk=release.pk))
    assert again.frozen.data.n == 40  # the response stored since is not in it
    assert _figures(first) == _figures(again)


def test_a_damaged_release_is_refused_rather_than_shown(filled):
    wave, _ = filled
    release = releases.publish(wave, kind=Release.Kind.INTERIM)
    arrays = columns.load(bytes(release.data))
    for name in arrays:
        if name.startswith("plan."):
            # Every figure marked shown: the small groups would be published if it were trusted.
            arrays[name] = np.zeros_like(arrays[name])
    Release.objects.filter(pk=release.pk).update(data=columns.save(arrays))
    releases.forget_opened()
    build.forget_built()
    with pytest.raises(ValueError, match="statuses"):
        build.report_of(Release.objects.get(pk=release.pk))


def test_closing_a_wave_publishes_its_results_for_the_first_reader(
    filled, org_admin, django_capture_on_commit_callbacks
):
    wave, _ = filled
    WaveColumns.objects.filter(wave=wave).delete()
    assert not Release.objects.filter(wave=wave).exists()
    with django_capture_on_commit_callbacks(execute=True):
        actions.set_wave_status(wave=wave, status="closed", actor=org_admin)
    (release,) = Release.objects.filter(wave=wave)
    assert release.kind == Release.Kind.CLOSE and release.responses == 40
    assert WaveColumns.objects.get(wave=wave).rows == 40


def test_coding_categories_from_packed_codes_equals_coding_the_answers(filled):
    from dataclasses import replace

    wave, _ = filled
    data = load_wave(wave)
    fields = ["role", "tenure"]  # tenure: asked of nobody here, so all "not answered"
    from_codes = cells.categories(data, fields)
    from_text = cells.categories(replace(data, coded={}), fields)
    assert from_codes.keys() == from_text.keys()
    for name in fields:
        assert from_codes[name].labels.tolist() == from_text[name].labels.tolist(), name
        assert from_codes[name].codes.tolist() == from_text[name].codes.tolist(), name
    assert "not_answered" in from_codes["role"].labels.tolist()


def test_a_release_reads_back_its_published_scores_after_a_scoring_rule_changes(
    filled, monkeypatch
):
    """A release never rescores: a later change of a scoring rule changes no published figure
    (and no count a stored plan is checked against)."""
    wave, _ = filled
    release = releases.publish(wave, kind=Release.Kind.CLOSE)
    first = _figures(build.report_of(release))
    from dataclasses import replace

    from wellbeing.reports import data

    original = data._score_instrument

    def everyone_unscored(instrument_id, matrix):
        found = original(instrument_id, matrix)
        return {k: replace(c, values=c.values * np.nan) for k, c in found.items()}

    monkeypatch.setattr(data, "_score_instrument", everyone_unscored)
    releases.forget_opened()
    build.forget_built()
    assert _figures(build.report_of(Release.objects.get(pk=release.pk))) == first
