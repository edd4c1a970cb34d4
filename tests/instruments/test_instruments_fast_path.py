"""The engine's block scoring equals a per-respondent, per-item reference, bit for bit.

Random instruments (contiguous and gapped codes, reverse keys, sums and means,
multipliers, every min_answered from 1 to all items, cut-offs, flags) get random
answers with missing ones, all-missing rows and rows exactly at and one below
each scale's minimum answered count; blocks as small as one row make every
path meet block boundaries. The reference below reads one answer at a time.
"""

from __future__ import annotations

import math
from typing import Any
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import instruments
from instruments import Instrument
from instruments import _engine as engine
from instruments._plan import compile_plan
from instruments._schema import parse

MISSING = instruments.MISSING
DTYPES = ("int8", "int16", "int64", "float64", "frame")
# 5 responses x items per block: one row per block for most instruments; 1 << 18: one block.
BLOCK_ELEMENTS = (5, 64, 1 << 18)


@st.composite
def option_sets(draw: st.DrawFn, index: int) -> dict[str, Any]:
    """Codes lo..hi (sometimes spaced 25 apart), values a + b * code (sometimes not a line)."""
    lo = draw(st.integers(0, 2))
    size = draw(st.sampled_from([2, 3, 4, 5, 6, 7, 31]))
    step = draw(st.sampled_from([1, 1, 1, 25])) if size <= 5 else 1
    codes = [lo + step * i for i in range(size)]
    a = draw(st.sampled_from([0.0, 1.0, -2.0, 0.25]))
    b = draw(st.sampled_from([1.0, 0.5, 25.0, -1.0]))
    values = [a + b * c for c in codes]
    if draw(st.booleans()) and size > 2:
        values[1] = values[0]  # not a line: the lookup strategy
    options = [
        {"code": c, "value": v, "label": f"o{c}"} for c, v in zip(codes, values, strict=True)
    ]
    return {"id": f"set{index}", "evidence": "V", "source": "test", "options": options}


@st.composite
def random_instruments(draw: st.DrawFn) -> Instrument:
    sets = [draw(option_sets(i)) for i in range(draw(st.integers(1, 2)))]
    n_items = draw(st.integers(1, 12))
    items = [
        {
            "id": f"i{j}",
            "text": f"item {j}",
            "option_set": draw(st.sampled_from(sets))["id"],
            "reverse": draw(st.booleans()),
        }
        for j in range(n_items)
    ]
    scales, cutoffs = [], []
    for s in range(draw(st.integers(1, 3))):
        set_id = draw(st.sampled_from([item["option_set"] for item in items]))
        pool = [item["id"] for item in items if item["option_set"] == set_id]
        chosen = draw(st.lists(st.sampled_from(pool), min_size=1, unique=True))
        scale = {
            "id": f"s{s}",
            "name": f"scale {s}",
            "method": draw(st.sampled_from(["sum", "mean"])),
            "items": chosen,
            "multiplier": draw(st.sampled_from([1.0, 1.0, 4.0, 2.5, 0.5])),
            "evidence": "V",
            "source": "test",
        }
        if draw(st.booleans()):
            scale["min_answered"] = draw(st.integers(1, len(chosen)))
        scales.append(scale)
        if draw(st.booleans()):
            cutoffs.append(draw(cutoff_for(scale, next(o for o in sets if o["id"] == set_id))))
    flags = [draw(flag_for(items, sets))] if draw(st.booleans()) else []
    return definition(sets, items, scales, cutoffs, flags)


def definition(
    sets: list[dict], items: list[dict], scales: list[dict], cutoffs: list[dict], flags: list[dict]
) -> Instrument:
    raw = {
        "schema_version": 1,
        "id": "random",
        "name": "Random",
        "version": "1",
        "description": "test",
        "measures": ["stress"],
        "populations": ["test"],
        "languages": ["en"],
        "citations": [{"text": "test", "evidence": "V"}],
        "licence": {
            "name": "t",
            "permitted_use": "t",
            "commercial_use": "allowed",
            "evidence": "V",
        },
        "option_sets": sets,
        "items": items,
        "scales": scales,
        "cutoffs": cutoffs,
        "flags": flags,
        "missing_data": {"description": "x", "basis": "y"},
        "advantages": ["a"],
        "disadvantages": ["d"],
        "verification": {"checked": ["test"]},
    }
    return parse(raw, file="random.toml")


@st.composite
def cutoff_for(draw: st.DrawFn, scale: dict[str, Any], option_set: dict[str, Any]) -> dict:
    values = [o["value"] for o in option_set["options"]]
    factor = scale["multiplier"] * (len(scale["items"]) if scale["method"] == "sum" else 1)
    low, high = min(values) * factor, max(values) * factor
    # Values a score can take exactly (so >= and > differ), and ones in between.
    candidates = sorted({low + (high - low) * f for f in (0.25, 0.5, 0.75, 1.0)} | {high})
    lowers = draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=3, unique=True))
    bands = [{"lower": low, "label": "first"}] + [
        {"lower": lower, "label": f"from {lower}", "exclusive": draw(st.booleans())}
        for lower in sorted(lowers)
        if lower > low
    ]
    if len(bands) < 2:
        bands.append({"lower": high, "label": "top", "exclusive": False})
    return {
        "id": f"{scale['id']}_cut",
        "scale": scale["id"],
        "bands": bands,
        "evidence": "V",
        "verified": True,
        "source": "test",
    }


@st.composite
def flag_for(draw: st.DrawFn, items: list[dict], sets: list[dict[str, Any]]) -> dict:
    set_id = draw(st.sampled_from([item["option_set"] for item in items]))
    option_set = next(o for o in sets if o["id"] == set_id)
    pool = [item["id"] for item in items if item["option_set"] == set_id]
    codes = [o["code"] for o in option_set["options"]]
    first = draw(st.integers(0, len(codes) - 1))
    last = draw(st.integers(first, len(codes) - 1))
    low = MISSING if draw(st.booleans()) and first == 0 else codes[first]
    return {
        "id": "flagged",
        "label": "flagged",
        "kind": draw(st.sampled_from(["safety", "screen"])),
        "items": draw(st.lists(st.sampled_from(pool), min_size=1, unique=True)),
        "min_code": low,
        "max_code": codes[last],
        "evidence": "V",
        "source": "test",
    }


@st.composite
def answered(draw: st.DrawFn) -> tuple[Instrument, np.ndarray]:
    """Random answers with missing ones, plus all-missing, complete and boundary rows."""
    instrument = draw(random_instruments())
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = draw(st.integers(0, 40))
    rate = draw(st.sampled_from([0.0, 0.05, 0.3, 0.8]))
    choices = [np.array(item.option_set.codes) for item in instrument.items]
    codes = np.column_stack([rng.choice(c, size=n) for c in choices]).astype(np.int64)
    codes = codes.reshape(n, instrument.n_items)
    codes[rng.random(codes.shape) < rate] = MISSING
    extra = [np.full(instrument.n_items, MISSING), [rng.choice(c) for c in choices]]
    for scale in instrument.scales:
        for answered_count in (scale.min_answered, scale.min_answered - 1):
            row = [rng.choice(c) for c in choices]
            keep = rng.permutation(len(scale.items))[: max(answered_count, 0)]
            for position, item_id in enumerate(scale.items):
                if position not in keep:
                    row[instrument.item_ids.index(item_id)] = MISSING
            extra.append(row)
    rows = np.vstack([codes, np.array(extra, dtype=np.int64)])
    return instrument, rows[rng.permutation(len(rows))]


def as_input(codes: np.ndarray, dtype: str, instrument: Instrument) -> Any:
    if dtype == "float64":
        return np.where(codes == MISSING, np.nan, codes).astype(float)
    if dtype == "frame":
        return pd.DataFrame(codes, columns=list(instrument.item_ids))
    return codes.astype(dtype)


def reference(instrument: Instrument, codes: np.ndarray) -> dict[str, Any]:
    """Score one respondent at a time, one answer at a time."""
    scales: dict[str, list[float]] = {s.id: [] for s in instrument.scales}
    answered_counts: dict[str, list[int]] = {s.id: [] for s in instrument.scales}
    for row in codes.tolist():
        for scale in instrument.scales:
            given = [
                instrument.item(item_id).value_of(row[instrument.item_ids.index(item_id)])
                for item_id in scale.items
                if row[instrument.item_ids.index(item_id)] != MISSING
            ]
            answered_counts[scale.id].append(len(given))
            scales[scale.id].append(_score(scale, given))
    bands = {
        cutoff.id: [_band(cutoff, value) for value in scales[cutoff.scale]]
        for cutoff in instrument.cutoffs
    }
    flags = {
        flag.id: [
            any(
                flag.min_code <= row[instrument.item_ids.index(i)] <= flag.max_code
                for i in flag.items
            )
            for row in codes.tolist()
        ]
        for flag in instrument.flags
    }
    valid = [
        all(not math.isnan(scales[s.id][r]) for s in instrument.scales) for r in range(len(codes))
    ]
    return {
        "scales": scales,
        "answered": answered_counts,
        "bands": bands,
        "flags": flags,
        "valid": valid,
    }


def _score(scale: instruments.Scale, given: list[float]) -> float:
    n_items = len(scale.items)
    if len(given) < (scale.min_answered or n_items):
        return math.nan
    total = 0.0
    for value in given:
        total += value
    if scale.method == "mean":
        total = total / len(given)
    elif len(given) < n_items:  # a prorated sum: the rule allowed the gap
        total = total * (n_items / len(given))
    return total * scale.multiplier


def _band(cutoff: instruments.Cutoff, value: float) -> int:
    if math.isnan(value):
        return -1
    return sum(value > b.lower if b.exclusive else value >= b.lower for b in cutoff.bands[1:])


@settings(max_examples=300, deadline=None)
@given(
    answered(),
    st.sampled_from(DTYPES),
    st.sampled_from(BLOCK_ELEMENTS),
)
def test_scores_equal_a_per_respondent_reference(
    case: tuple[Instrument, np.ndarray], dtype: str, block_elements: int
) -> None:
    instrument, codes = case
    if dtype == "int8" and max(max(i.option_set.codes) for i in instrument.items) > 127:
        dtype = "int16"
    with mock.patch.object(engine, "BLOCK_ELEMENTS", block_elements):
        result = instruments.score(instrument, as_input(codes, dtype, instrument))
    expected = reference(instrument, codes)
    for scale in instrument.scales:
        np.testing.assert_array_equal(result.scales[scale.id], expected["scales"][scale.id])
        assert result.answered[scale.id].dtype == np.int64
        assert result.answered[scale.id].tolist() == expected["answered"][scale.id]
    for cutoff in instrument.cutoffs:
        assert result.bands[cutoff.id].tolist() == expected["bands"][cutoff.id]
    for flag in instrument.flags:
        assert result.flags[flag.id].tolist() == expected["flags"][flag.id]
    assert result.valid.tolist() == expected["valid"]


@st.composite
def with_invalid_codes(draw: st.DrawFn) -> tuple[Instrument, np.ndarray, tuple[int, int, int]]:
    """Answers with one to three codes no item has; the first in row-major order is expected."""
    instrument, codes = draw(answered())
    if not len(codes):
        codes = np.full((1, instrument.n_items), MISSING)
    top = max(max(item.option_set.codes) for item in instrument.items)
    for _ in range(draw(st.integers(1, 3))):
        row = draw(st.integers(0, len(codes) - 1))
        column = draw(st.integers(0, instrument.n_items - 1))
        item_codes = instrument.items[column].option_set.codes
        # These wrap to -1, 0, 1 and 2 as int8: the engine must look before narrowing.
        wrapping = [255, -256, -255, 258]
        bad = draw(
            st.sampled_from([-2, -128, top + 1, item_codes[0] - 1, item_codes[0] + 1, *wrapping])
        )
        if bad != MISSING and bad not in item_codes:
            codes[row, column] = bad
    allowed = [set(item.option_set.codes) | {MISSING} for item in instrument.items]
    first = next(
        ((r, c, int(v)) for (r, c), v in np.ndenumerate(codes) if int(v) not in allowed[c]), None
    )
    if first is None:  # every drawn code happened to be valid
        codes[0, 0], first = -2, (0, 0, -2)
    return instrument, codes, first


@settings(max_examples=200, deadline=None)
@given(with_invalid_codes(), st.sampled_from(DTYPES[:4]), st.sampled_from(BLOCK_ELEMENTS))
def test_the_first_invalid_code_in_row_major_order_is_reported(
    case: tuple[Instrument, np.ndarray, tuple[int, int, int]], dtype: str, block_elements: int
) -> None:
    instrument, codes, (row, column, value) = case
    if dtype == "int8" and int(np.abs(codes).max()) > 127:
        dtype = "int16"
    with (
        mock.patch.object(engine, "BLOCK_ELEMENTS", block_elements),
        pytest.raises(instruments.ResponseError) as caught,
    ):
        instruments.score(instrument, as_input(codes, dtype, instrument))
    assert (caught.value.row, caught.value.column, caught.value.value) == (row, column, value)
    assert caught.value.item == instrument.item_ids[column]


@pytest.mark.parametrize("dtype", ["int16", "int64", "float64"])
@pytest.mark.parametrize("bad", [255, -256, -255, 258, 1000, -1000])
def test_codes_that_would_wrap_to_a_valid_int8_code_are_refused(dtype: str, bad: int) -> None:
    codes = np.array([[3, 3, 2, 2, 2], [4, MISSING, 3, 3, 4], [1, 2, 3, 4, 5]])
    codes[2, 1] = bad
    with pytest.raises(instruments.ResponseError) as caught:
        instruments.score("who5", codes.astype(dtype))
    assert (caught.value.row, caught.value.column, caught.value.value) == (2, 1, bad)


@pytest.mark.parametrize("highest", [20, 40, 60])  # 3 items: k * hi below 128, above, near 255
@pytest.mark.parametrize("bad", [-2, -50, -127, -128])
def test_every_negative_int8_code_is_caught_whatever_the_code_range(highest: int, bad: int) -> None:
    """A code below -1 reads as 128..254 in the all-codes column, which need not exceed k * hi."""
    options = [{"code": c, "value": c, "label": f"o{c}"} for c in range(highest + 1)]
    option_set = {"id": "set", "evidence": "V", "source": "test", "options": options}
    items = [{"id": f"i{j}", "text": f"item {j}", "option_set": "set"} for j in range(3)]
    scale = {"id": "s", "name": "s", "method": "sum", "items": ["i0", "i1", "i2"]}
    instrument = definition([option_set], items, [scale | {"evidence": "V", "source": "t"}], [], [])
    codes = np.zeros((4, 3), dtype=np.int8)
    codes[1, 0] = MISSING
    codes[2, 2] = bad
    with pytest.raises(instruments.ResponseError) as caught:
        instruments.score(instrument, codes)
    assert (caught.value.row, caught.value.column, caught.value.value) == (2, 2, bad)


def test_the_random_instruments_reach_both_strategies_and_the_float64_block() -> None:
    """The strategies above would hide a path they never generate."""
    seen: set[str] = set()

    @settings(max_examples=200, deadline=None, database=None)
    @given(random_instruments())
    def collect(instrument: Instrument) -> None:
        plan = compile_plan(instrument)
        if plan.block is None:
            seen.add("lookup")
        else:
            seen.add(f"block {np.dtype(plan.block.dtype).name}")
            if plan.rules.lenient.any():
                seen.add("block with a rule that allows gaps")

    collect()
    assert seen >= {
        "lookup",
        "block float32",
        "block float64",
        "block with a rule that allows gaps",
    }


@pytest.mark.parametrize("instrument_id", ["who5", "cbi", "pfi", "mini-z-2", "phq9", "pes-nwi"])
def test_a_response_scores_the_same_alone_and_beside_a_gap(instrument_id: str) -> None:
    """Scores of a complete response do not depend on whether another row has a gap."""
    instrument = instruments.get(instrument_id)
    rng = np.random.default_rng(3)
    codes = np.column_stack([rng.choice(i.option_set.codes, size=400) for i in instrument.items])
    alone = instruments.score(instrument, codes)
    beside = instruments.score(instrument, np.vstack([codes, np.full(instrument.n_items, MISSING)]))
    for scale_id, values in alone.scales.items():
        np.testing.assert_array_equal(values, beside.scales[scale_id][:-1])
    assert not beside.valid[-1]
    assert all(not v.flags.writeable for v in (*alone.answered.values(), *beside.answered.values()))
