"""Vectorised scoring: many responses to one instrument in a few numpy passes.

Missing-value convention: a 2-D integer array in the instrument's item order
with ``MISSING`` (-1) for an unanswered item, or a float array with NaN (or
-1.0); a pandas DataFrame is taken by item-id columns (nullable ``Int64``
columns with ``<NA>`` work). Codes are never negative, so -1 is unambiguous.

Rows are processed in blocks (never one by one) so temporaries stay in cache;
how each block becomes scale sums is described in ``_plan``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from instruments._model import Cutoff, Instrument, Scale
from instruments._plan import MISSING, Plan, compile_plan
from instruments._result import (
    BoolArray,
    FloatArray,
    LazyLabels,
    ObjectArray,
    ResponseError,
    ScoreResult,
    frozen_array,
    frozen_mapping,
)

BLOCK_ELEMENTS = 1 << 17  # responses x items per block
IntArray = NDArray[np.integer[Any]]


def score(instrument: Instrument, responses: Any) -> ScoreResult:
    """Score every response (row) of ``responses`` at once.

    ``responses``: 2-D int array in ``instrument.item_ids`` order with -1 for
    missing, a float array with NaN for missing, or a DataFrame with item-id
    columns (other columns are ignored). Raises :class:`ResponseError`
    naming the row, item and value for a code the item does not have.
    """
    plan = compile_plan(instrument)
    codes = as_codes(instrument, responses)
    totals, counts = _affine_sums(plan, codes) if plan.affine else _lookup_sums(plan, codes)
    scales: dict[str, FloatArray] = {}
    for column, scale in enumerate(plan.item_scales):
        scales[scale.id] = _aggregate(scale, totals[column], counts[column])
    for scale in instrument.scales:
        if scale.method not in ("sum", "mean"):
            scales[scale.id] = _composite(scale, scales)
    valid = np.ones(codes.shape[0], dtype=bool)
    if counts.strides[1:] != (0,):  # with no missing answer no item scale is NaN
        for values in scales.values():
            valid &= ~np.isnan(values)
    else:
        for scale in instrument.scales:
            if scale.method not in ("sum", "mean"):
                valid &= ~np.isnan(scales[scale.id])
    flags = {f.id: _flag(plan, codes, f.items, f.min_code, f.max_code) for f in instrument.flags}
    safety = {f.id for f in instrument.safety_flags}
    bands = band_indices(instrument.cutoffs, scales)
    return ScoreResult(
        instrument_id=instrument.id,
        n=codes.shape[0],
        scales=frozen_mapping(scales),
        answered=frozen_mapping(
            {s.id: _answered(counts[j]) for j, s in enumerate(plan.item_scales)}
        ),
        valid=frozen_array(valid),
        categories=LazyLabels(
            bands, {c.id: tuple(b.label for b in c.bands) for c in instrument.cutoffs}
        ),
        bands=frozen_mapping(bands),
        category_verified={c.id: c.verified for c in instrument.cutoffs},
        flags=frozen_mapping(flags),
        safety_flags=frozen_mapping({k: v for k, v in flags.items() if k in safety}),
    )


def _answered(count: FloatArray) -> NDArray[np.int64]:
    if count.strides == (0,):  # a broadcast constant: stay a zero-copy view
        return np.broadcast_to(np.int64(count[0]) if count.size else np.int64(0), count.shape)
    return count.astype(np.int64)


def item_values(instrument: Instrument, responses: Any) -> FloatArray:
    """Scored value of every answer after reverse keying; NaN where missing."""
    plan = compile_plan(instrument)
    codes = as_codes(instrument, responses)
    _check_codes(plan, codes, 0)
    values = np.full(codes.shape, np.nan)
    for j, item in enumerate(instrument.items):
        for code in item.option_set.codes:
            values[codes[:, j] == code, j] = item.value_of(code)
    return values


def as_codes(instrument: Instrument, responses: Any) -> NDArray[np.integer[Any]]:
    """Validate the shape and type of ``responses``; return integer codes (-1 missing)."""
    array = _from_frame(instrument, responses) if hasattr(responses, "columns") else responses
    if not isinstance(array, np.ndarray):
        array = np.asarray(array)
    if array.ndim != 2 or array.shape[1] != instrument.n_items:
        raise ValueError(
            f"responses: expected a 2-D array of shape (n, {instrument.n_items}) in the order "
            f"{list(instrument.item_ids)}, got shape {array.shape}"
        )
    if array.dtype.kind in "iu":
        return array
    if array.dtype.kind == "f":
        return _float_codes(instrument, array)
    raise TypeError(f"responses: expected an integer or float array, got dtype {array.dtype}")


def _from_frame(instrument: Instrument, frame: Any) -> NDArray[Any]:
    missing = [i for i in instrument.item_ids if i not in frame.columns]
    if missing:
        raise ValueError(f"responses: expected columns for every item id; missing {missing}")
    selected = frame[list(instrument.item_ids)]
    if all(str(dtype).startswith(("int", "uint")) for dtype in selected.dtypes):
        return np.asarray(selected.to_numpy())
    try:
        return np.asarray(selected.to_numpy(dtype="float64", na_value=np.nan))
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"responses: expected numeric item columns, got dtypes {dict(selected.dtypes)}"
        ) from error


def _float_codes(instrument: Instrument, array: NDArray[Any]) -> NDArray[np.int64]:
    filled = np.where(np.isnan(array), float(MISSING), array)
    bad = ~np.isfinite(filled) | (filled != np.round(filled))
    if bad.any():
        row, column = (int(x) for x in np.argwhere(bad)[0])
        item = instrument.items[column]
        raise ResponseError(row, column, item.id, float(array[row, column]), item.option_set.codes)
    return filled.astype(np.int64)


def _blocks(codes: IntArray) -> range:
    return range(0, codes.shape[0], max(1, BLOCK_ELEMENTS // max(codes.shape[1], 1)))


def _affine_sums(plan: Plan, codes: IntArray) -> tuple[FloatArray, FloatArray]:
    """Scale sums as one matrix product per block; missing answers fixed up afterwards.

    Returns (totals, answered counts), each scales x responses.
    """
    affine = plan.affine
    if affine is None:  # pragma: no cover - guarded by the caller
        raise ValueError("plan: expected an affine plan")
    codes = _fit_dtype(plan, codes)
    n, k = codes.shape
    sums = np.empty((n, affine.weights.shape[1]), dtype=affine.dtype)
    buffer = np.empty((min(n, _blocks(codes).step), k), dtype=affine.dtype)
    rows: list[NDArray[np.intp]] = []
    cols: list[NDArray[np.intp]] = []
    for start in _blocks(codes):
        chunk = codes[start : start + buffer.shape[0]]
        where = np.flatnonzero(_outside(plan, chunk))
        if where.size:
            r, c = np.divmod(where, k)
            _raise_if_any(plan, chunk, r, c, chunk[r, c] != MISSING, start)
            rows.append(r + start)
            cols.append(c)
        block = buffer[: chunk.shape[0]]
        np.copyto(block, chunk, casting="unsafe")
        np.matmul(block, affine.weights, out=sums[start : start + chunk.shape[0]])
    # Scale-major from here: each scale's scores are one contiguous array
    # (transpose, widening and the constant in one pass).
    totals = np.empty((sums.shape[1], n), dtype=np.float64)
    np.add(sums.T, affine.constant[:, None], out=totals)
    per_scale = plan.member.sum(axis=0)[:, None]
    if not rows:
        # No answer missing anywhere (the common case): every response answered
        # every item, so the counts are one number per scale, broadcast.
        return totals, np.broadcast_to(per_scale, (per_scale.shape[0], n))
    counts = np.repeat(per_scale, n, axis=1)
    r, c = np.concatenate(rows), np.concatenate(cols)
    for j in range(totals.shape[0]):
        totals[j] -= np.bincount(r, weights=affine.missing_term[c, j], minlength=n)
        counts[j] -= np.bincount(r, weights=plan.member[c, j], minlength=n)
    return totals, counts


def _fit_dtype(plan: Plan, codes: IntArray) -> IntArray:
    info = np.iinfo(codes.dtype)
    if info.min > MISSING or info.max < int(plan.high.max()):
        return codes.astype(np.int64)
    return codes


def _outside(plan: Plan, chunk: IntArray) -> BoolArray:
    """True where a code is not in its item's lo..hi (missing answers included)."""
    low, high = int(plan.low.min()), int(plan.high.max())
    if low == int(plan.low.max()) and high == int(plan.high.min()):
        if low == 0 and chunk.dtype.kind == "i":
            # One comparison: viewed unsigned, -1 and every negative code exceed high.
            unsigned = chunk.view(np.dtype(f"u{chunk.dtype.itemsize}"))
            return np.asarray(unsigned > high)
        return np.asarray((chunk < low) | (chunk > high))
    return np.asarray(
        (chunk < plan.low.astype(chunk.dtype)) | (chunk > plan.high.astype(chunk.dtype))
    )


def _lookup_sums(plan: Plan, codes: IntArray) -> tuple[FloatArray, FloatArray]:
    lookup = plan.lookup
    if lookup is None:  # pragma: no cover - guarded by the caller
        raise ValueError("plan: expected a lookup plan")
    out = np.empty((codes.shape[0], lookup.weights.shape[1]))
    for start in _blocks(codes):
        chunk = codes[start : start + _blocks(codes).step]
        _check_codes(plan, chunk, start, lookup_only=True)
        packed = lookup.table.take(chunk + lookup.offsets)
        sums = np.matmul(packed, lookup.weights, out=out[start : start + chunk.shape[0]])
        if sums[:, -1].max(initial=0.0) >= lookup.invalid_at:
            bad = np.argwhere(packed >= lookup.invalid_at)
            _raise_if_any(plan, chunk, bad[:, 0], bad[:, 1], np.ones(len(bad), dtype=bool), start)
    packed = np.ascontiguousarray(out[:, :-1].T)
    counts = np.rint(packed / lookup.pack)
    return packed - counts * lookup.pack, counts


def _check_codes(plan: Plan, chunk: IntArray, start: int, *, lookup_only: bool = False) -> None:
    """Raise for the first code outside -1..max (and, unless lookup_only, not an item code)."""
    too_far = (chunk < MISSING) | (chunk > int(plan.high.max()))
    if too_far.any():
        bad = np.argwhere(too_far)
        _raise_if_any(plan, chunk, bad[:, 0], bad[:, 1], np.ones(len(bad), dtype=bool), start)
    if lookup_only:
        return
    for j, allowed in enumerate(plan.codes):
        ok = np.isin(chunk[:, j], (*allowed, MISSING))
        if not ok.all():
            rows = np.flatnonzero(~ok)
            _raise_if_any(
                plan, chunk, rows, np.full(len(rows), j), np.ones(len(rows), dtype=bool), start
            )


def _raise_if_any(
    plan: Plan,
    chunk: IntArray,
    rows: NDArray[Any],
    cols: NDArray[Any],
    bad: NDArray[np.bool_],
    start: int,
) -> None:
    """Raise ResponseError for the first flagged position in row-major order."""
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        row, column = int(rows[first]), int(cols[first])
        value = int(chunk[row, column])
        raise ResponseError(start + row, column, plan.item_ids[column], value, plan.codes[column])


def _aggregate(scale: Scale, total: FloatArray, count: FloatArray) -> FloatArray:
    """Sum or mean of the answered items, NaN where fewer than min_answered were answered."""
    n_items = len(scale.items)
    if count.strides == (0,):  # every response answered every item: scalar arithmetic only
        factor = scale.multiplier / (n_items if scale.method == "mean" else 1.0)
        return total * factor if factor != 1.0 else np.array(total, dtype=np.float64)
    result = np.array(total, dtype=np.float64)  # contiguous copy we may modify in place
    with np.errstate(divide="ignore", invalid="ignore"):
        if scale.method == "mean":
            result /= count
        elif scale.min_answered is not None and scale.min_answered < n_items:
            result *= n_items / count  # prorated sum, only if the rule allows gaps
    if scale.multiplier != 1.0:
        result *= scale.multiplier
    result[count < (scale.min_answered or n_items)] = np.nan
    return result


def _composite(scale: Scale, scales: Mapping[str, FloatArray]) -> FloatArray:
    parts = np.column_stack([scales[s] for s in scale.scales])
    invalid = np.isnan(parts).any(axis=1)
    if scale.method == "mean_of_scales":
        result = parts.mean(axis=1) * scale.multiplier
    else:  # count_above: strictly above the threshold, as in 'subscale means exceed 2.5'
        result = (parts > (scale.threshold or 0.0)).sum(axis=1).astype(np.float64)
    return np.where(invalid, np.nan, result)


def _flag(
    plan: Plan, codes: NDArray[Any], items: tuple[str, ...], low: int, high: int
) -> BoolArray:
    columns = [plan.item_ids.index(i) for i in items]
    selected = codes[:, columns]
    return np.asarray(((selected >= low) & (selected <= high)).any(axis=1))


def band_indices(
    cutoffs: tuple[Cutoff, ...], scales: Mapping[str, FloatArray]
) -> dict[str, NDArray[np.int8]]:
    """Index of the band each score falls in, per cut-off; -1 where the scale is NaN."""
    result: dict[str, NDArray[np.int8]] = {}
    for cutoff in cutoffs:
        values = np.asarray(scales[cutoff.scale], dtype=np.float64)
        band = np.zeros(values.shape, dtype=np.int8)
        for upper in cutoff.bands[1:]:
            band += values > upper.lower if upper.exclusive else values >= upper.lower
        band[np.isnan(values)] = -1
        result[cutoff.id] = band
    return result


def classify(instrument: Instrument, scores: Mapping[str, Any]) -> dict[str, ObjectArray]:
    """Apply the instrument's cut-offs to scale scores computed elsewhere.

    For structure-only instruments (MBI, Well-Being Index) whose licensed
    scoring happens outside this package. Cut-offs on scales absent from
    ``scores`` are skipped.
    """
    known = set(instrument.scale_ids)
    unknown = sorted(set(scores) - known)
    if unknown:
        raise ValueError(f"scores: expected keys from {sorted(known)}, got unknown {unknown}")
    arrays = {k: np.atleast_1d(np.asarray(v, dtype=np.float64)) for k, v in scores.items()}
    usable = tuple(c for c in instrument.cutoffs if c.scale in arrays)
    bands = band_indices(usable, arrays)
    labels = LazyLabels(bands, {c.id: tuple(b.label for b in c.bands) for c in usable})
    return {cutoff_id: labels[cutoff_id] for cutoff_id in bands}
