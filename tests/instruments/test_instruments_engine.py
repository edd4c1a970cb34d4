"""Inputs the engine accepts, the errors it raises, and the general lookup path."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import instruments
from instruments._schema import parse

WHO5 = ["who5_1", "who5_2", "who5_3", "who5_4", "who5_5"]


def test_it_accepts_int_float_nan_and_dataframes_alike() -> None:
    ints = np.array([[3, 3, 2, 2, 2], [4, -1, 3, 3, 4]], dtype=np.int8)
    floats = np.where(ints < 0, np.nan, ints).astype(float)
    frame = pd.DataFrame(floats, columns=WHO5).assign(respondent=["a", "b"])
    nullable = pd.DataFrame(ints, columns=WHO5).replace(-1, pd.NA).astype("Int64")
    results = [instruments.score("who5", x) for x in (ints, floats, frame, nullable, ints.tolist())]
    for result in results:
        np.testing.assert_array_equal(result.scales["raw"], [12.0, np.nan])
        assert result.valid.tolist() == [True, False]


def test_dataframe_columns_are_taken_by_item_id_not_position() -> None:
    frame = pd.DataFrame([[2, 2, 2, 3, 3]], columns=list(reversed(WHO5)))
    assert instruments.score("who5", frame).scales["raw"][0] == 12.0


def test_an_out_of_range_code_names_row_item_and_value() -> None:
    codes = np.zeros((5, 9), dtype=np.int16)
    codes[3, 8] = 4
    with pytest.raises(instruments.ResponseError) as caught:
        instruments.score("phq9", codes)
    error = caught.value
    assert (error.row, error.column, error.item, error.value) == (3, 8, "phq9_9", 4)
    assert "phq9_9" in str(error) and "got 4" in str(error)


@pytest.mark.parametrize("bad", [-2, 6, 127, -128])
def test_every_invalid_int8_code_is_caught(bad: int) -> None:
    codes = np.full((3, 5), 2, dtype=np.int8)
    codes[2, 1] = bad
    with pytest.raises(instruments.ResponseError, match=f"got {bad}"):
        instruments.score("who5", codes)


def test_a_code_below_the_lowest_option_is_invalid_not_missing() -> None:
    with pytest.raises(instruments.ResponseError, match="miniz_1"):
        instruments.score("mini-z-2", [[0] + [3] * 9])


def test_a_fractional_float_is_rejected() -> None:
    with pytest.raises(instruments.ResponseError, match=r"got 2\.5"):
        instruments.score("who5", [[2.5, 2, 2, 2, 2]])


@pytest.mark.parametrize(
    ("responses", "error"),
    [
        (np.zeros(5), ValueError),
        (np.zeros((2, 4)), ValueError),
        (np.array([["a"] * 5]), TypeError),
        (pd.DataFrame({"who5_1": [1]}), ValueError),
    ],
)
def test_wrong_shapes_and_types_are_refused_with_the_expected_shape(
    responses: object, error: type
) -> None:
    with pytest.raises(error, match="responses"):
        instruments.score("who5", responses)


def test_results_are_immutable() -> None:
    result = instruments.score("who5", [[1, 2, 3, 4, 5]])
    with pytest.raises(ValueError, match="read-only"):
        result.scales["raw"][0] = 0
    with pytest.raises(TypeError):
        result.scales["new"] = result.valid  # type: ignore[index]


def test_large_blocks_score_like_small_ones() -> None:
    rng = np.random.default_rng(7)
    codes = rng.integers(-1, 5, size=(40_000, 19)).astype(np.int8)
    whole = instruments.score("cbi", codes)
    parts = [instruments.score("cbi", codes[i : i + 999]) for i in range(0, len(codes), 999)]
    np.testing.assert_array_equal(
        whole.scales["work"], np.concatenate([p.scales["work"] for p in parts])
    )


def test_to_frame_marks_unverified_cutoffs_in_the_column_name() -> None:
    frame = instruments.score("who5", [[3, 3, 2, 2, 2]]).to_frame()
    assert "who5.poor_wellbeing" in frame.columns
    assert "who5.likely_depression__unverified" in frame.columns


def _custom(
    codes: list[int], values: list[int], *, reverse: bool = False, min_answered: int | None = None
) -> instruments.Instrument:
    options = [
        {"code": c, "value": v, "label": f"option {c}"} for c, v in zip(codes, values, strict=True)
    ]
    scale = {
        "id": "total",
        "name": "Total",
        "method": "mean",
        "items": ["a", "b", "c"],
        "evidence": "V",
        "source": "test",
    }
    if min_answered:
        scale["min_answered"] = min_answered
    raw = {
        "schema_version": 1,
        "id": "custom",
        "name": "Custom",
        "version": "1",
        "description": "test",
        "measures": ["stress"],
        "populations": ["test"],
        "languages": ["en"],
        "citations": [{"text": "test", "evidence": "V"}],
        "licence": {
            "name": "test",
            "permitted_use": "test",
            "commercial_use": "allowed",
            "evidence": "V",
        },
        "option_sets": [{"id": "o", "evidence": "V", "source": "test", "options": options}],
        "items": [
            {"id": i, "text": i, "option_set": "o", "reverse": reverse and i == "c"} for i in "abc"
        ],
        "scales": [scale],
        "missing_data": {"description": "x", "basis": "y"},
        "advantages": ["a"],
        "disadvantages": ["d"],
        "verification": {"checked": ["test"]},
    }
    return parse(raw, file="custom.toml")


def test_non_contiguous_codes_use_the_lookup_path_and_validate_membership() -> None:
    # Codes 0/25/50/75/100 as some survey exports store CBI answers.
    instrument = _custom([0, 25, 50, 75, 100], [0, 25, 50, 75, 100], reverse=True)
    result = instruments.score(instrument, [[100, 100, 100], [0, 25, -1], [0, 0, 0]])
    np.testing.assert_array_equal(result.scales["total"], [200 / 3, np.nan, 100 / 3])
    with pytest.raises(instruments.ResponseError, match="got 30"):
        instruments.score(instrument, [[0, 30, 0]])


def test_a_looser_missing_data_rule_scores_partial_responses() -> None:
    instrument = _custom([1, 2, 3], [1, 2, 3], min_answered=2)
    result = instruments.score(instrument, [[1, 3, -1], [1, -1, -1]])
    np.testing.assert_array_equal(result.scales["total"], [2.0, np.nan])
    assert result.answered["total"].tolist() == [2, 1]


@pytest.mark.parametrize("instrument_id", ["who5", "cbi", "pfi", "phq9", "olbi"])
def test_the_no_missing_fast_path_agrees_with_the_general_path(instrument_id):
    """One missing cell elsewhere changes no other row's score, not even in the last bit."""
    instrument = instruments.get(instrument_id)
    rng = np.random.default_rng(7)
    codes = np.array(
        [[rng.choice(item.option_set.codes) for item in instrument.items] for _ in range(50)]
    )
    complete = instruments.score(instrument, codes)
    with_gap = codes.copy()
    with_gap[-1, 0] = instruments.MISSING
    general = instruments.score(instrument, with_gap)
    for scale_id, values in complete.scales.items():
        np.testing.assert_array_equal(values[:-1], general.scales[scale_id][:-1])
        np.testing.assert_array_equal(
            complete.answered.get(scale_id, np.zeros(0))[:-1],
            general.answered.get(scale_id, np.zeros(0))[:-1],
        )
    assert complete.valid.all()
    assert not general.valid[-1]
