"""Every registered instrument passes the same checks (cf. scikit-learn's check_estimator),
plus Hypothesis property tests of the engine."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import instruments
from instruments import Instrument

ALL = sorted(instruments.registry())
SCORABLE = [i for i in ALL if not instruments.get(i).structure_only]


@pytest.fixture(params=ALL)
def instrument(request: pytest.FixtureRequest) -> Instrument:
    return instruments.get(request.param)


def test_it_loads_with_metadata_the_catalogue_needs(instrument: Instrument) -> None:
    assert instrument.citations and instrument.licence.permitted_use
    assert instrument.measures and instrument.populations and instrument.languages
    assert instrument.advantages and instrument.disadvantages
    assert instrument.verification.checked
    assert instrument.source_file == "" or instrument.source_file.endswith(".toml")


def test_items_have_exactly_one_of_text_or_licensee_flag(instrument: Instrument) -> None:
    for item in instrument.items:
        assert (item.text is None) == item.text_supplied_by_licensee
        labels = [o.label for o in item.option_set.options]
        assert all(labels) or item.option_set.labels_supplied_by_licensee


def test_only_verified_sources_carry_item_wording(instrument: Instrument) -> None:
    # Rule: verbatim wording only where the reference marks it [V] and the licence allows.
    if any(item.text for item in instrument.items):
        assert instrument.id in {
            "who5",
            "phq9",
            "phq8",
            "phq2",
            "gad7",
            "gad2",
            "single-item-burnout",
        }
        assert instrument.licence.evidence == "V"


def test_reverse_keys_stay_within_the_option_range(instrument: Instrument) -> None:
    for item in instrument.items:
        values = [item.value_of(c) for c in item.option_set.codes]
        assert min(values) == item.option_set.min_value and max(values) == item.option_set.max_value
        if item.reverse:
            assert values == sorted(values, reverse=True) or values[0] > values[-1]


def test_cutoffs_lie_within_the_score_range_and_unverified_ones_say_so(
    instrument: Instrument,
) -> None:
    for cutoff in instrument.cutoffs:
        scale = instrument.scale(cutoff.scale)
        for band in cutoff.bands[1:]:
            if scale.minimum is not None and scale.maximum is not None:
                assert scale.minimum <= band.lower <= scale.maximum
        if cutoff.verified:
            assert cutoff.evidence == "V"
        else:
            assert cutoff.note, "an unverified cut-off must carry a note"


@pytest.mark.parametrize("instrument_id", SCORABLE)
def test_all_minimum_and_all_maximum_responses_hit_the_documented_range(instrument_id: str) -> None:
    instrument = instruments.get(instrument_id)
    worst, best = _extremes(instrument)
    result = instruments.score(instrument, np.vstack([worst, best]))
    for scale in instrument.scales:
        if scale.method in ("sum", "mean"):
            assert result.scales[scale.id].tolist() == [scale.minimum, scale.maximum], scale.id
    assert result.valid.all()


@pytest.mark.parametrize("instrument_id", SCORABLE)
def test_a_missing_answer_invalidates_only_the_scales_that_need_it(instrument_id: str) -> None:
    instrument = instruments.get(instrument_id)
    codes = np.vstack([_extremes(instrument)[1]] * 2)
    codes[1, 0] = instruments.MISSING
    result = instruments.score(instrument, codes)
    first = instrument.item_ids[0]
    for scale in instrument.scales:
        if scale.method in ("sum", "mean"):
            assert np.isnan(result.scales[scale.id][1]) == (first in scale.items)
            assert result.answered[scale.id].tolist()[1] == len(scale.items) - (
                first in scale.items
            )
    assert result.valid.tolist() == [True, False]


def _extremes(instrument: Instrument) -> tuple[np.ndarray, np.ndarray]:
    """Codes giving every item its lowest / highest scored value."""
    low, high = [], []
    for item in instrument.items:
        by_value = sorted(item.option_set.codes, key=item.value_of)
        low.append(by_value[0])
        high.append(by_value[-1])
    return np.array(low), np.array(high)


@st.composite
def responses(draw: st.DrawFn, ids: list[str] = SCORABLE) -> tuple[Instrument, np.ndarray]:
    instrument = instruments.get(draw(st.sampled_from(ids)))
    n = draw(st.integers(min_value=1, max_value=30))
    columns = [
        draw(
            hnp.arrays(
                np.int64, n, elements=st.sampled_from([*item.option_set.codes, instruments.MISSING])
            )
        )
        for item in instrument.items
    ]
    return instrument, np.column_stack(columns)


@settings(max_examples=60, deadline=None)
@given(responses())
def test_scores_stay_within_the_scale_range(case: tuple[Instrument, np.ndarray]) -> None:
    instrument, codes = case
    result = instruments.score(instrument, codes)
    for scale in instrument.scales:
        values = result.scales[scale.id]
        finite = values[~np.isnan(values)]
        assert np.all(finite >= scale.minimum - 1e-9) and np.all(finite <= scale.maximum + 1e-9)


@settings(max_examples=40, deadline=None)
@given(responses(), st.randoms(use_true_random=False))
def test_permuting_rows_permutes_every_result(
    case: tuple[Instrument, np.ndarray], rnd: object
) -> None:
    instrument, codes = case
    order = np.random.default_rng(len(codes)).permutation(len(codes))
    whole, shuffled = (
        instruments.score(instrument, codes),
        instruments.score(instrument, codes[order]),
    )
    for scale_id, values in whole.scales.items():
        np.testing.assert_array_equal(values[order], shuffled.scales[scale_id])
    for cutoff_id, bands in whole.bands.items():
        np.testing.assert_array_equal(bands[order], shuffled.bands[cutoff_id])
    np.testing.assert_array_equal(whole.valid[order], shuffled.valid)


@settings(max_examples=40, deadline=None)
@given(responses(["cbi", "pss10", "olbi"]), st.data())
def test_raising_a_reverse_keyed_answer_lowers_its_scales(
    case: tuple[Instrument, np.ndarray], data: st.DataObject
) -> None:
    instrument, codes = case
    reversed_items = [j for j, item in enumerate(instrument.items) if item.reverse]
    j = data.draw(st.sampled_from(reversed_items))
    item_codes = instrument.items[j].option_set.codes
    low, high = item_codes[0], item_codes[-1]
    codes_low, codes_high = codes.copy(), codes.copy()
    codes_low[:, j], codes_high[:, j] = low, high
    before, after = (
        instruments.score(instrument, codes_low),
        instruments.score(instrument, codes_high),
    )
    for scale in instrument.scales:
        if instrument.item_ids[j] in scale.items:
            ok = ~np.isnan(before.scales[scale.id])
            assert np.all(after.scales[scale.id][ok] < before.scales[scale.id][ok])


@settings(max_examples=30, deadline=None)
@given(responses())
def test_scoring_is_deterministic_and_matches_a_per_item_reference(
    case: tuple[Instrument, np.ndarray],
) -> None:
    instrument, codes = case
    first, second = instruments.score(instrument, codes), instruments.score(instrument, codes)
    values = instruments.item_values(instrument, codes)  # independent per-item code -> value path
    for scale in instrument.scales:
        np.testing.assert_array_equal(first.scales[scale.id], second.scales[scale.id])
        if scale.method in ("sum", "mean"):
            block = values[:, [instrument.item_ids.index(i) for i in scale.items]]
            complete = ~np.isnan(block).any(axis=1)
            expected = block.sum(axis=1) if scale.method == "sum" else block.mean(axis=1)
            np.testing.assert_allclose(
                first.scales[scale.id][complete], expected[complete] * scale.multiplier
            )
            assert np.isnan(first.scales[scale.id][~complete]).all()
