"""Compile an instrument once into the arrays the scoring loop needs (cached).

Two strategies, chosen per instrument:

- **affine** (every shipped instrument): each item's codes are a contiguous run
  ``lo..hi`` and its scored value is ``a + b * code`` (reverse keying is just a
  negative ``b``). Then the sums of all scales are *one* matrix product of the
  code matrix with a weight matrix, and missing answers (rare) are corrected
  afterwards at their positions only.
- **lookup** (anything else, e.g. codes 0, 25, 50): a table maps (item, code) to
  ``value + K`` for an answer, 0 for a missing answer and ``INVALID`` for a code
  the item lacks; one gather and one matrix product give
  ``sum + K * answered`` per scale, decoded exactly because ``K`` is a power of
  two above twice any possible |sum|.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from instruments._model import Instrument, Item, Scale
from instruments._result import FloatArray, frozen_array

MISSING = -1
FLOAT32_EXACT = float(2**24)  # integers below this add exactly in float32 (sgemm)


@dataclass(frozen=True)
class Plan:
    item_ids: tuple[str, ...]
    codes: tuple[tuple[int, ...], ...]
    item_scales: tuple[Scale, ...]
    member: FloatArray  # items x item-scales, 0/1
    low: NDArray[np.int64]  # per item: lowest code
    high: NDArray[np.int64]  # per item: highest code
    affine: AffinePlan | None
    lookup: LookupPlan | None


@dataclass(frozen=True)
class AffinePlan:
    weights: NDArray[np.floating]  # items x scales: b_j where the item is in the scale
    constant: FloatArray  # per scale: sum of a_j over its items
    missing_term: FloatArray  # items x scales: what a -1 added under the linear model
    dtype: type[np.floating]


@dataclass(frozen=True)
class LookupPlan:
    table: FloatArray
    offsets: NDArray[np.intp]
    weights: FloatArray  # member plus an all-items column that catches invalid codes
    pack: float
    invalid_at: float


def not_scorable(instrument: Instrument) -> ValueError:
    return ValueError(
        f"instrument: {instrument.id!r} is structure-only (proprietary; no items ship), "
        "so it cannot be scored here; classify licensed scale scores with classify()"
    )


@functools.lru_cache(maxsize=128)
def compile_plan(instrument: Instrument) -> Plan:
    if instrument.structure_only:
        raise not_scorable(instrument)
    items = instrument.items
    item_scales = tuple(s for s in instrument.scales if s.method in ("sum", "mean"))
    position = {item_id: j for j, item_id in enumerate(instrument.item_ids)}
    member = np.zeros((len(items), len(item_scales)))
    for column, scale in enumerate(item_scales):
        member[[position[i] for i in scale.items], column] = 1.0
    lines = [_line(item) for item in items]
    high = np.array([max(item.option_set.codes) for item in items], dtype=np.int64)
    affine = None if None in lines else _affine(member, [line for line in lines if line], high)
    return Plan(
        item_ids=instrument.item_ids,
        codes=tuple(item.option_set.codes for item in items),
        item_scales=item_scales,
        member=frozen_array(member),
        low=frozen_array(np.array([min(item.option_set.codes) for item in items], dtype=np.int64)),
        high=frozen_array(high),
        affine=affine,
        lookup=None if affine else _lookup(items, member),
    )


def _line(item: Item) -> tuple[float, float] | None:
    """(a, b) with value(code) == a + b * code for every code, or None."""
    codes = item.option_set.codes
    if list(codes) != list(range(codes[0], codes[-1] + 1)):
        return None
    values = [item.value_of(c) for c in codes]
    b = values[1] - values[0]
    a = values[0] - b * codes[0]
    if any(v != a + b * c for v, c in zip(values, codes, strict=True)):
        return None
    return a, b


def _affine(
    member: FloatArray, lines: list[tuple[float, float]], high: NDArray[np.int64]
) -> AffinePlan:
    a = np.array([line[0] for line in lines])
    b = np.array([line[1] for line in lines])
    weights = member * b[:, None]
    largest = float((np.abs(a) + np.abs(b) * np.maximum(high, 1)).sum())
    integral = bool(np.all(a == np.round(a)) and np.all(b == np.round(b)))
    dtype: type[np.floating] = np.float32 if integral and largest < FLOAT32_EXACT else np.float64
    return AffinePlan(
        weights=frozen_array(weights.astype(dtype)),
        constant=frozen_array(member.T @ a),
        missing_term=frozen_array(member * (a - b)[:, None]),
        dtype=dtype,
    )


def _lookup(items: tuple[Item, ...], member: FloatArray) -> LookupPlan:
    high = max(max(item.option_set.codes) for item in items)
    width = high - MISSING + 1
    max_abs = max(max(abs(o.value) for o in item.option_set.options) for item in items)
    pack = float(2 ** math.ceil(math.log2(2 * max_abs * len(items) + 2)))
    invalid = pack * (len(items) + 1) * 4.0
    table = np.full((len(items), width), invalid)
    for row, item in enumerate(items):
        table[row, 0] = 0.0  # MISSING: contributes nothing, counts nothing
        for code in item.option_set.codes:
            table[row, code - MISSING] = item.value_of(code) + pack
    weights = np.hstack([member, np.ones((len(items), 1))])
    return LookupPlan(
        table=frozen_array(table.ravel()),
        offsets=frozen_array(np.arange(len(items), dtype=np.intp) * width - MISSING),
        weights=frozen_array(weights),
        pack=pack,
        invalid_at=pack * (len(items) + 1),
    )
