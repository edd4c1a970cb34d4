"""Compile an instrument once into the arrays the scoring loop needs (cached).

Two strategies, chosen per instrument:

- **block** (every shipped instrument): all items share one run of codes
  ``lo..hi`` with ``k * hi < 255`` and each item's scored value is
  ``a + b * code`` (reverse keying is a negative ``b``: reversed code =
  (lo+hi) - code, so a scale's reversed items add ``k*(lo+hi) - sum(codes)``:
  a constant and a negative weight). A block of responses, read as *unsigned*
  bytes, goes through one matrix product with a weight matrix: every scale's
  total for a response that answered everything, plus one column summing all
  codes. A missing answer (-1) reads as 255, so that column exceeds ``k * hi``
  exactly on the rows with a gap; only those rows are corrected, with one
  small matrix product of their missing-answer mask (the answers each scale
  lost; and, for a scale whose rule allows gaps, what each 255 added).
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

from instruments._model import Flag, Instrument, Item, Scale
from instruments._result import FloatArray, frozen_array

MISSING = -1
FLOAT32_EXACT = float(2**24)  # integers below this add exactly in float32 (sgemm)
MISSING_BYTE = 255  # MISSING read as an unsigned byte
LARGEST_BLOCK_CODE = 127  # codes are read as int8


@dataclass(frozen=True)
class Plan:
    item_ids: tuple[str, ...]
    codes: tuple[tuple[int, ...], ...]
    item_scales: tuple[Scale, ...]
    member: FloatArray  # items x item-scales, 0/1
    high: NDArray[np.int64]  # per item: highest code
    rules: ScaleRules
    block: BlockPlan | None
    lookup: LookupPlan | None


@dataclass(frozen=True)
class ScaleRules:
    """Per item scale, what turns a total and an answered count into a score (all scales at once)."""

    n_items: FloatArray
    lenient: NDArray[np.bool_]  # min_answered < n_items: a response with a gap may still score
    mean: NDArray[np.bool_]  # divide by the answered count
    prorated: NDArray[np.bool_]  # a sum scaled up by n_items / answered
    multiplier: FloatArray
    min_answered: FloatArray


@dataclass(frozen=True)
class BlockPlan:
    """The block strategy's arrays (see the module docstring)."""

    low: int  # every item's lowest code
    high: int  # every item's highest code
    weights: NDArray[np.floating]  # items x (scales + 1): b_j where the item is in the scale; 1
    # Scale-major, for the rows with a gap: an answer each missing item takes from
    # each scale, and what its 255 added to the scale's total (a_j + 255 b_j).
    lost_weights: NDArray[np.floating]
    gap_weights: NDArray[np.floating]
    constant: FloatArray  # per scale: sum of a_j over its items
    dtype: type[np.floating]
    complete_max: float  # k * hi: the all-codes column of a response with no gap is at most this
    flags: tuple[BlockFlag, ...]


@dataclass(frozen=True)
class BlockFlag:
    """A flag as one comparison: (byte + shift) mod 256 <= span for some item of ``columns``.

    Codes are -1 or lo..hi once a block is checked, so min_code..max_code can be
    clipped to -1..127, and shifting by -min_code brings that range to 0..span.
    """

    id: str
    columns: tuple[int, ...]
    shift: int
    span: int


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
    rules = _rules(item_scales)
    low = np.array([min(item.option_set.codes) for item in items], dtype=np.int64)
    high = np.array([max(item.option_set.codes) for item in items], dtype=np.int64)
    lines = [_line(item) for item in items]
    block = None
    one_range = len(set(low.tolist())) == 1 and len(set(high.tolist())) == 1
    # Codes must fit int8, and a gap must show in the all-codes column (255 > k * hi).
    fits = int(high[0]) <= LARGEST_BLOCK_CODE and len(items) * int(high[0]) < MISSING_BYTE
    if None not in lines and one_range and fits:
        known = [line for line in lines if line]
        flags = tuple(_block_flag(instrument, flag) for flag in instrument.flags)
        block = _block(member, known, int(low[0]), int(high[0]), flags)
    return Plan(
        item_ids=instrument.item_ids,
        codes=tuple(item.option_set.codes for item in items),
        item_scales=item_scales,
        member=frozen_array(member),
        high=frozen_array(high),
        rules=rules,
        block=block,
        lookup=None if block else _lookup(items, member),
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


def _rules(scales: tuple[Scale, ...]) -> ScaleRules:
    return ScaleRules(
        n_items=frozen_array(np.array([float(len(s.items)) for s in scales])),
        lenient=frozen_array(
            np.array([(s.min_answered or len(s.items)) < len(s.items) for s in scales], dtype=bool)
        ),
        mean=frozen_array(np.array([s.method == "mean" for s in scales], dtype=bool)),
        prorated=frozen_array(np.array([_prorated(s) for s in scales], dtype=bool)),
        multiplier=frozen_array(np.array([s.multiplier for s in scales])),
        min_answered=frozen_array(
            np.array([float(s.min_answered or len(s.items)) for s in scales])
        ),
    )


def _block(
    member: FloatArray,
    lines: list[tuple[float, float]],
    low: int,
    high: int,
    flags: tuple[BlockFlag, ...],
) -> BlockPlan:
    a = np.array([line[0] for line in lines])
    b = np.array([line[1] for line in lines])
    k = len(lines)
    weights = np.hstack([member * b[:, None], np.ones((k, 1))])
    gap_weights = (member * (a + MISSING_BYTE * b)[:, None]).T
    # Every product is exact while each |sum| stays below 2**24, 255s included.
    largest = float((np.abs(a) + np.abs(b) * MISSING_BYTE).sum())
    integral = bool(np.all(a == np.round(a)) and np.all(b == np.round(b)))
    dtype: type[np.floating] = np.float32 if integral and largest < FLOAT32_EXACT else np.float64
    return BlockPlan(
        low=low,
        high=high,
        weights=frozen_array(weights.astype(dtype)),
        lost_weights=frozen_array(member.T.astype(dtype)),
        gap_weights=frozen_array(gap_weights.astype(dtype)),
        constant=frozen_array(member.T @ a),
        dtype=dtype,
        complete_max=float(k * high),
        flags=flags,
    )


def _block_flag(instrument: Instrument, flag: Flag) -> BlockFlag:
    low, high = max(flag.min_code, MISSING), min(flag.max_code, LARGEST_BLOCK_CODE)
    return BlockFlag(
        id=flag.id,
        columns=tuple(instrument.item_ids.index(i) for i in flag.items),
        shift=-low % 256,
        span=high - low,
    )


def _prorated(scale: Scale) -> bool:
    """A sum whose missing-data rule allows gaps is scaled up to the full item count."""
    allowed = scale.min_answered is not None and scale.min_answered < len(scale.items)
    return scale.method == "sum" and allowed


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
