"""Vectorised scoring: many responses to one instrument in a few numpy passes.

Missing-value convention: a 2-D integer array in the instrument's item order
with ``MISSING`` (-1) for an unanswered item, or a float array with NaN (or
-1.0); a pandas DataFrame is taken by item-id columns (nullable ``Int64``
columns with ``<NA>`` work). Codes are never negative, so -1 is unambiguous.

Rows are processed in blocks (never one by one) so temporaries stay in cache;
how each block becomes scale sums is described in ``_plan``. Every score is
computed as total / answered * multiplier, whatever else the matrix holds, so
a response scores the same alone or among others.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from instruments._model import Cutoff, Flag, Instrument, Scale
from instruments._plan import (
    MISSING,
    BlockFlag,
    BlockPlan,
    Plan,
    ScaleRules,
    compile_plan,
)
from instruments._result import (
    BoolArray,
    FloatArray,
    LazyCounts,
    LazyLabels,
    ObjectArray,
    ResponseError,
    ScoreResult,
    frozen_array,
    frozen_mapping,
)

BLOCK_ELEMENTS = 1 << 18  # responses x items per block
IntArray = NDArray[np.integer[Any]]
BandArray = NDArray[np.int8]
CountArray = NDArray[np.int64]


class _ItemScores(NamedTuple):
    """What the item-based scales give: values, answered counts, validity, their bands."""

    scales: dict[str, FloatArray]
    answered: Mapping[str, CountArray]
    valid: BoolArray
    bands: dict[str, BandArray]
    flags: dict[str, BoolArray]


def score(instrument: Instrument, responses: Any) -> ScoreResult:
    """Score every response (row) of ``responses`` at once.

    ``responses``: 2-D int array in ``instrument.item_ids`` order with -1 for
    missing, a float array with NaN for missing, or a DataFrame with item-id
    columns (other columns are ignored). Raises :class:`ResponseError`
    naming the row, item and value for a code the item does not have.
    """
    plan = compile_plan(instrument)
    codes = as_codes(instrument, responses)
    on_items = {s.id for s in plan.item_scales}
    item_cutoffs = tuple(c for c in instrument.cutoffs if c.scale in on_items)
    if plan.block is not None:
        scored = _BlockScorer(plan, plan.block, codes, item_cutoffs).run()
    else:
        scored = _lookup_scores(plan, codes, item_cutoffs, instrument.flags)
    scales = dict(scored.scales)
    for scale in instrument.scales:
        if scale.method not in ("sum", "mean"):
            scales[scale.id] = _composite(scale, scales)
    bands = scored.bands | band_indices(
        tuple(c for c in instrument.cutoffs if c.scale not in on_items), scales
    )
    bands = {c.id: bands[c.id] for c in instrument.cutoffs}
    safety = {f.id for f in instrument.safety_flags}
    return ScoreResult(
        instrument_id=instrument.id,
        n=codes.shape[0],
        scales=frozen_mapping(scales),
        answered=scored.answered,
        valid=frozen_array(scored.valid),
        categories=LazyLabels(
            bands, {c.id: tuple(b.label for b in c.bands) for c in instrument.cutoffs}
        ),
        bands=frozen_mapping(bands),
        category_verified={c.id: c.verified for c in instrument.cutoffs},
        flags=frozen_mapping(scored.flags),
        safety_flags=frozen_mapping({k: v for k, v in scored.flags.items() if k in safety}),
    )


def item_values(instrument: Instrument, responses: Any) -> FloatArray:
    """Scored value of every answer after reverse keying; NaN where missing."""
    plan = compile_plan(instrument)
    codes = as_codes(instrument, responses)
    _check_codes(plan, codes)
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


class _BlockScorer:
    """Score every response as if complete, a block at a time; then the rows with a gap.

    Per block (while it is in cache): a reduction or two validate it, one
    conversion and one matrix product give every scale's total and the sum of
    all codes, and each scale's score, band and flag are written straight into
    the result arrays. Then the rows with a missing answer (their all-codes sum
    exceeds ``k * hi``) are corrected together: one product of their
    missing-answer mask gives the answers each scale lost. Where the rule needs
    every item, a loss makes the score NaN and no loss leaves it right; a scale
    whose rule allows gaps is scored again.
    """

    def __init__(
        self, plan: Plan, block: BlockPlan, codes: IntArray, cutoffs: tuple[Cutoff, ...]
    ) -> None:
        self.plan, self.block, self.codes = plan, block, codes
        scale_ids = [s.id for s in plan.item_scales]
        self.cutoffs = [(c, scale_ids.index(c.scale)) for c in cutoffs]
        n, k = codes.shape
        self.step = max(1, BLOCK_ELEMENTS // k)
        size = min(n, self.step)
        self.staged = None if codes.dtype == np.int8 else np.empty((size, k), dtype=np.int8)
        # A code below -1 reads as 128..254: with k * hi < 128 its row shows as a gap.
        self.negatives_show = self.staged is None and block.complete_max < 128
        self.floats = np.empty((size, k), dtype=block.dtype)
        self.sums = np.empty((size, len(scale_ids) + 1), dtype=block.dtype)
        self.smallest = np.empty(size, dtype=np.uint8)
        self.all_codes = np.empty(n, dtype=block.dtype)
        self.values = [np.empty(n) for _ in scale_ids]
        self.bands = {c.id: np.empty(n, dtype=np.int8) for c in cutoffs}
        self.flags = {f.id: np.empty(n, dtype=bool) for f in block.flags}

    def run(self) -> _ItemScores:
        n = self.codes.shape[0]
        for start in range(0, n, self.step):
            self._score_block(start, self.codes[start : start + self.step])
        rows = np.flatnonzero(self.all_codes > self.block.complete_max)
        lost, valid = self._score_gaps(rows)
        n_items = {s.id: len(s.items) for s in self.plan.item_scales}
        return _ItemScores(
            scales={s.id: v for s, v in zip(self.plan.item_scales, self.values, strict=True)},
            answered=LazyCounts(n, n_items, rows, self.plan.rules.n_items[:, None] - lost),
            valid=valid,
            bands=self.bands,
            flags=self.flags,
        )

    def _score_block(self, start: int, chunk: IntArray) -> None:
        block, size = self.block, chunk.shape[0]
        stop = start + size
        if _block_is_invalid(block, chunk, negatives_show=self.negatives_show):
            _check_codes(self.plan, self.codes[:stop])
        if self.staged is not None:  # the codes are -1..127 now: int8 holds them
            staged = self.staged[:size]
            np.copyto(staged, chunk, casting="unsafe")
            chunk = staged
        floats = self.floats[:size]
        np.copyto(floats, chunk.view(np.uint8), casting="unsafe")  # -1 reads as 255
        sums = np.matmul(floats, block.weights, out=self.sums[:size])
        np.copyto(self.all_codes[start:stop], sums[:, -1])
        for j, scale in enumerate(self.plan.item_scales):
            _complete_values(
                scale, sums[:, j], float(block.constant[j]), self.values[j][start:stop]
            )
        for cutoff, j in self.cutoffs:
            _bands_into(cutoff, self.values[j][start:stop], self.bands[cutoff.id][start:stop])
        u8 = chunk.view(np.uint8)
        for flag in block.flags:
            _flag_into(flag, u8, self.smallest[:size], self.flags[flag.id][start:stop])

    def _score_gaps(self, rows: NDArray[np.intp]) -> tuple[NDArray[np.floating], BoolArray]:
        """Correct the rows with a gap; return the answers each scale lost there and validity."""
        plan, block = self.plan, self.block
        taken = self.codes.take(rows, axis=0)
        if self.negatives_show and rows.size and int(taken.min()) < MISSING:
            _check_codes(plan, self.codes)
        codes = taken.astype(np.int8, copy=False)  # checked: -1..127
        missing = np.equal(codes, MISSING).astype(block.dtype)
        lost = block.lost_weights @ missing.T  # scales x rows
        failed = lost > (plan.rules.n_items - plan.rules.min_answered)[:, None]
        rescored = plan.rules.lenient
        if rescored.any():
            self._score_partial(rows, codes, missing, lost)
        for j, values in enumerate(self.values):
            if not rescored[j]:
                values[rows[failed[j]]] = np.nan
        for cutoff, j in self.cutoffs:
            if not rescored[j]:
                self.bands[cutoff.id][rows[failed[j]]] = -1
        valid = np.ones(self.codes.shape[0], dtype=bool)
        valid[rows] = ~failed.any(axis=0)
        return lost, valid

    def _score_partial(
        self,
        rows: NDArray[np.intp],
        codes: NDArray[np.int8],
        missing: NDArray[np.floating],
        lost: NDArray[np.floating],
    ) -> None:
        """Score again the rows with a gap on scales whose rule allows gaps.

        Their totals as if complete, less what each 255 added (a_j + 255 b_j).
        """
        plan, block = self.plan, self.block
        sums = block.weights[:, :-1].T @ codes.view(np.uint8).astype(block.dtype).T
        totals = np.add(sums - block.gap_weights @ missing.T, block.constant[:, None])
        partial = _scale_values(plan.rules, totals, plan.rules.n_items[:, None] - lost)
        for j, values in enumerate(self.values):
            if plan.rules.lenient[j]:
                values[rows] = partial[j]
        for cutoff, j in self.cutoffs:
            if plan.rules.lenient[j]:
                band = band_indices((cutoff,), {cutoff.scale: partial[j]})[cutoff.id]
                self.bands[cutoff.id][rows] = band


def _block_is_invalid(block: BlockPlan, chunk: IntArray, *, negatives_show: bool) -> bool:
    """True when a code is neither -1 nor in lo..hi, found with one to three reductions.

    Codes below -1 are left to the rows with a gap when ``negatives_show``.
    """
    if int(chunk.max()) > block.high or (not negatives_show and int(chunk.min()) < MISSING):
        return True
    if block.low == 1:
        return bool(np.count_nonzero(chunk) < chunk.size)  # 0 is the only code below 1 left
    return block.low > 1 and bool(np.any((chunk >= 0) & (chunk < block.low)))


def _complete_values(
    scale: Scale, total: NDArray[np.floating], constant: float, out: FloatArray
) -> None:
    """Score of responses that answered every item: (total + constant) [/ n] [* multiplier].

    :func:`_scale_values`' operations with answered = n (a prorated sum's factor
    n / n is 1.0), so a response scores the same with or without a gap elsewhere.
    """
    source: NDArray[np.floating] = total
    if constant:
        np.add(total, constant, out=out, dtype=np.float64)
        source = out
    if scale.method == "mean":
        np.divide(source, len(scale.items), out=out, dtype=np.float64)
    elif source is total:
        np.copyto(out, total)
    if scale.multiplier != 1.0:
        np.multiply(out, scale.multiplier, out=out)


def _bands_into(cutoff: Cutoff, values: FloatArray, out: BandArray) -> None:
    """Band index of finite ``values`` (the comparisons of :func:`band_indices`), in place."""
    first, *rest = cutoff.bands[1:]
    compare = np.greater if first.exclusive else np.greater_equal
    compare(values, first.lower, out=out.view(np.bool_))
    for upper in rest:
        out += values > upper.lower if upper.exclusive else values >= upper.lower


def _flag_into(
    flag: BlockFlag, u8: NDArray[np.uint8], smallest: NDArray[np.uint8], out: BoolArray
) -> None:
    """True where some item's (byte + shift) mod 256 <= span, i.e. the smallest one's is."""
    for n, j in enumerate(flag.columns):
        column = u8[:, j]
        if flag.shift:
            column = np.add(column, flag.shift, dtype=np.uint8)
        if n:
            np.minimum(smallest, column, out=smallest)
        else:
            np.copyto(smallest, column)
    np.less_equal(smallest, flag.span, out=out)


def _scale_values(rules: ScaleRules, totals: FloatArray, counts: FloatArray) -> FloatArray:
    """Scores from totals and answered counts (scales x rows), every scale at once.

    A mean divides by the answered count; a sum whose rule allows gaps is scaled
    up by n_items / answered; then the multiplier; NaN where fewer than
    min_answered items were answered. Dividing or multiplying by 1.0 changes no
    bit, so one formula serves every scale, in :func:`_values_into`'s order.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        values = totals / np.where(rules.mean[:, None], counts, 1.0)
        if rules.prorated.any():
            values *= np.where(rules.prorated[:, None], rules.n_items[:, None] / counts, 1.0)
    if np.any(rules.multiplier != 1.0):
        values *= rules.multiplier[:, None]
    values[counts < rules.min_answered[:, None]] = np.nan
    return values


def _lookup_scores(
    plan: Plan, codes: IntArray, cutoffs: tuple[Cutoff, ...], flags: tuple[Flag, ...]
) -> _ItemScores:
    totals, counts = _lookup_sums(plan, codes)
    values = _scale_values(plan.rules, totals, counts)
    scales = {s.id: values[j] for j, s in enumerate(plan.item_scales)}
    return _ItemScores(
        scales=scales,
        answered={s.id: counts[j].astype(np.int64) for j, s in enumerate(plan.item_scales)},
        valid=np.asarray(~np.isnan(values).any(axis=0)),
        bands=band_indices(cutoffs, scales),
        flags={f.id: _flag(plan, codes, f) for f in flags},
    )


def _blocks(codes: IntArray) -> range:
    return range(0, codes.shape[0], max(1, BLOCK_ELEMENTS // max(codes.shape[1], 1)))


def _lookup_sums(plan: Plan, codes: IntArray) -> tuple[FloatArray, FloatArray]:
    lookup = plan.lookup
    if lookup is None:  # pragma: no cover - guarded by the caller
        raise ValueError("plan: expected a lookup plan")
    out = np.empty((codes.shape[0], lookup.weights.shape[1]))
    for start in _blocks(codes):
        chunk = codes[start : start + _blocks(codes).step]
        stop = start + chunk.shape[0]
        if int(chunk.min(initial=0)) < MISSING or int(chunk.max(initial=0)) > int(plan.high.max()):
            _check_codes(plan, codes[:stop])  # outside the table
        packed = lookup.table.take(chunk + lookup.offsets)
        sums = np.matmul(packed, lookup.weights, out=out[start:stop])
        if sums[:, -1].max(initial=0.0) >= lookup.invalid_at:
            _check_codes(plan, codes[:stop])  # a code its item lacks
    packed = np.ascontiguousarray(out[:, :-1].T)
    counts = np.rint(packed / lookup.pack)
    return packed - counts * lookup.pack, counts


def _check_codes(plan: Plan, codes: IntArray) -> None:
    """Raise for the first code (row-major order) that is neither its item's nor -1."""
    unknown = np.column_stack(
        [~np.isin(codes[:, j], (*allowed, MISSING)) for j, allowed in enumerate(plan.codes)]
    )
    if unknown.any():
        row, column = (int(x) for x in np.argwhere(unknown)[0])
        value = int(codes[row, column])
        raise ResponseError(row, column, plan.item_ids[column], value, plan.codes[column])


def _composite(scale: Scale, scales: Mapping[str, FloatArray]) -> FloatArray:
    parts = np.column_stack([scales[s] for s in scale.scales])
    invalid = np.isnan(parts).any(axis=1)
    if scale.method == "mean_of_scales":
        result = parts.mean(axis=1) * scale.multiplier
    else:  # count_above: strictly above the threshold, as in 'subscale means exceed 2.5'
        result = (parts > (scale.threshold or 0.0)).sum(axis=1).astype(np.float64)
    return np.where(invalid, np.nan, result)


def _flag(plan: Plan, codes: IntArray, flag: Flag) -> BoolArray:
    raised = np.zeros(codes.shape[0], dtype=bool)
    for item_id in flag.items:
        column = codes[:, plan.item_ids.index(item_id)]
        raised |= (column >= flag.min_code) & (column <= flag.max_code)
    return raised


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
