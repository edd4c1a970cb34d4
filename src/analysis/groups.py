"""Groups of respondents and their statistics.

``UnitTree`` holds the organization's units; ``tree.expand`` pairs each
respondent with every unit above them, so one pass gives each unit's statistics
over its whole subtree. ``group_stats`` gives n, mean, SD, an interval of the
mean (inside the scale's range when the range is given: ``bounded_mean_interval``)
and shares beyond cut-offs with Wilson intervals, for any grouping (tree units, a
demographic field, unit x category codes).

Vectorised for report sizes (tens of thousands of scores, thousands of groups):
the groups are coded once (one sort), then every statistic is an ``np.bincount``
over the codes. No loop runs per respondent or per group.

Nothing here decides what may be shown: :mod:`analysis.disclosure` does, and
:meth:`GroupTable.masked` applies its decision.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Literal, TypeVar, get_args

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
Direction = Literal["ge", "gt", "le", "lt"]
_DIRECTIONS: tuple[str, ...] = get_args(Direction)
_COMPARE = {"ge": np.greater_equal, "gt": np.greater, "le": np.less_equal, "lt": np.less}
_GROUP_ARRAYS = ("n", "mean", "sd", "ci_low", "ci_high")
_SHARE_ARRAYS = ("count", "share", "low", "high")
_R = TypeVar("_R", "GroupTable", "ShareStats")


@dataclass(frozen=True)
class Threshold:
    """A cut-off: a score is *beyond* it when ``score >= value`` (``"ge"``), ``> value``
    (``"gt"``), ``<= value`` (``"le"``) or ``< value`` (``"lt"``).

    ``label`` says what beyond means in a report ("burned out").
    """

    value: float
    direction: Direction = "ge"
    label: str = ""

    def __post_init__(self) -> None:
        value = self.value
        if (
            isinstance(value, bool)
            or not isinstance(value, numbers.Real)
            or not math.isfinite(value)
        ):
            raise ValueError(f"value: expected a finite number, got {value!r}")
        if self.direction not in _DIRECTIONS:
            raise ValueError(
                f"direction: expected one of {list(_DIRECTIONS)}, got {self.direction!r}"
            )

    def beyond(self, scores: FloatArray) -> BoolArray:
        """True where a score is beyond the cut-off (NaN is never beyond)."""
        return np.asarray(_COMPARE[self.direction](scores, self.value), dtype=np.bool_)


@dataclass(frozen=True)
class ShareStats:
    """Per group: how many scores are beyond ``threshold``, their share and its Wilson interval."""

    threshold: Threshold
    count: IntArray
    share: FloatArray
    low: FloatArray
    high: FloatArray


@dataclass(frozen=True)
class ShareRow:
    count: int
    share: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True)
class GroupRow:
    """One group's figures; ``None`` where a figure is hidden (see ``reason``) or undefined
    (the SD and interval of fewer than two scores)."""

    label: Hashable
    n: int | None
    mean: float | None
    sd: float | None
    ci: tuple[float, float] | None
    shares: Mapping[str, ShareRow]
    reason: str = ""

    @property
    def suppressed(self) -> bool:
        return self.n is None


@dataclass(frozen=True)
class GroupTable:
    """Statistics of every group, as read-only arrays aligned with ``labels``.

    ``n`` counts scored values (NaN is "not scored"). ``sd`` uses ddof=1; ``ci_low``/
    ``ci_high`` are the interval of the mean at ``confidence``: with ``bounds`` (the
    scale's range) :func:`bounded_mean_interval`, which stays inside the range; without,
    the t interval. NaN where undefined (fewer than two scores).
    In a table returned by :meth:`masked`, hidden groups have ``suppressed`` True, a
    ``reasons`` entry, ``n`` and counts 0 and every float NaN: check ``suppressed``
    (or use :meth:`row`) before showing a zero.
    """

    labels: tuple[Hashable, ...]
    n: IntArray
    mean: FloatArray
    sd: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    shares: Mapping[str, ShareStats]
    confidence: float
    suppressed: BoolArray
    reasons: tuple[str, ...]
    bounds: tuple[float, float] | None = None  # the scale's range the intervals respect
    _index: Mapping[Hashable, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {label: i for i, label in enumerate(self.labels)})

    def __len__(self) -> int:
        return len(self.labels)

    def index(self, label: Hashable) -> int:
        try:
            return self._index[label]
        except KeyError:
            raise KeyError(f"label: expected one of the table's groups, got {label!r}") from None

    def row(self, label: Hashable) -> GroupRow:
        i = self.index(label)
        if self.suppressed[i]:
            return GroupRow(label, None, None, None, None, MappingProxyType({}), self.reasons[i])
        shares = {
            name: ShareRow(int(s.count[i]), _opt(s.share[i]), _opt(s.low[i]), _opt(s.high[i]))
            for name, s in self.shares.items()
        }
        low, high = _opt(self.ci_low[i]), _opt(self.ci_high[i])
        ci = None if low is None or high is None else (low, high)
        row = GroupRow(label, int(self.n[i]), _opt(self.mean[i]), _opt(self.sd[i]), ci, shares)
        return replace(row, shares=MappingProxyType(shares))

    def masked(self, hidden: ArrayLike, reasons: Sequence[str]) -> GroupTable:
        """A copy with the ``hidden`` groups blanked and ``reasons`` (one per group) kept.

        Pass ``*plan.total_mask()`` or ``*plan.field_mask(name)`` from
        :mod:`analysis.disclosure`: a mean is published only where its count is.
        """
        mask = np.asarray(hidden)
        if mask.dtype != np.bool_ or mask.shape != self.n.shape:
            raise ValueError(
                f"hidden: expected {len(self)} booleans, got {mask.dtype} of shape {mask.shape}"
            )
        if len(reasons) != len(self):
            raise ValueError(f"reasons: expected {len(self)} strings, got {len(reasons)}")
        mask = mask | self.suppressed
        shares = {name: _blank_all(s, _SHARE_ARRAYS, mask) for name, s in self.shares.items()}
        merged = tuple(r if m else "" for r, m in zip(reasons, mask.tolist(), strict=True))
        blanked = _blank_all(self, _GROUP_ARRAYS, mask)
        frozen_mask = _frozen(mask)
        return replace(
            blanked, shares=MappingProxyType(shares), suppressed=frozen_mask, reasons=merged
        )


@dataclass(frozen=True, eq=False)
class UnitTree:
    """Units as a tree; build with :meth:`from_parents` or :meth:`from_pairs`.

    ``parents[i]`` is unit i's parent index, -1 for the one root (the organization).
    ``subtree(u)`` is ``preorder[start[u]:stop[u]]``; ``ancestors[i, d]`` is i's
    ancestor at depth d (i itself at its own depth, -1 below).
    """

    parents: IntArray
    labels: tuple[Hashable, ...]
    depth: IntArray
    children: tuple[tuple[int, ...], ...]
    preorder: IntArray
    start: IntArray
    stop: IntArray
    ancestors: IntArray

    @classmethod
    def from_parents(cls, parents: ArrayLike, labels: Sequence[Hashable] | None = None) -> UnitTree:
        """``UnitTree.from_parents([-1, 0, 0, 1])``: unit 0 is the root, 3 is under 1."""
        p = _parent_array(parents)
        n = len(p)
        names = tuple(range(n)) if labels is None else tuple(labels)
        if len(names) != n or len(set(names)) != n:
            raise ValueError(f"labels: expected {n} distinct labels, got {len(names)}")
        kids: list[list[int]] = [[] for _ in range(n)]
        for unit, parent in enumerate(p.tolist()):
            if parent >= 0:
                kids[parent].append(unit)
        order, depth, start, stop = _walk(kids, p)
        children = tuple(tuple(k) for k in kids)
        ancestors = _frozen(_ancestors(p, depth))
        return cls(_frozen(p), names, depth, children, order, start, stop, ancestors)

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[Hashable, Hashable | None]]) -> UnitTree:
        """``UnitTree.from_pairs([("org", None), ("icu", "org")])``: (unit, parent) pairs."""
        items = list(pairs)
        position = {unit: i for i, (unit, _) in enumerate(items)}
        try:
            parents = [-1 if parent is None else position[parent] for _, parent in items]
        except KeyError as error:
            raise ValueError(
                f"pairs: expected parents among the units, got {error.args[0]!r}"
            ) from None
        return cls.from_parents(np.asarray(parents, dtype=np.int64), [u for u, _ in items])

    @property
    def size(self) -> int:
        return len(self.parents)

    def subtree(self, unit: int) -> IntArray:
        return self.preorder[self.start[unit] : self.stop[unit]]

    def index(self, labels: ArrayLike) -> IntArray:
        """Unit indices of unit labels (one per respondent, say)."""
        return label_codes(labels, np.asarray(self.labels, dtype=object), name="labels")

    def expand(self, units: ArrayLike) -> tuple[IntArray, IntArray]:
        """``(rows, nodes)``: each respondent row paired with its unit and every ancestor.

        ``group_stats(values[rows], nodes, labels=range(tree.size))`` gives every unit's
        statistics over its whole subtree in one pass.
        """
        codes = self.codes(units)
        above = self.ancestors[codes]
        rows, level = np.nonzero(above >= 0)
        return rows.astype(np.int64), above[rows, level]

    def codes(self, units: ArrayLike) -> IntArray:
        """Checked unit indices, one per respondent."""
        given = np.asarray(units)
        if given.ndim != 1 or (len(given) and given.dtype.kind not in "iu"):
            raise ValueError(
                f"units: expected a 1-D array of unit indices, got {given.dtype} {given.shape}"
            )
        codes = given.astype(np.int64)
        if len(codes) and (codes.min() < 0 or codes.max() >= self.size):
            low, high = int(codes.min()), int(codes.max())
            raise ValueError(
                f"units: expected unit indices in [0, {self.size - 1}], got {low}..{high}"
            )
        return codes

    def rollup(self, direct: ArrayLike) -> IntArray:
        """Subtree sums of per-unit ``direct`` counts (first axis: units)."""
        total = np.array(direct, dtype=np.int64)
        for d in range(int(self.depth.max()), 0, -1):
            level = np.flatnonzero(self.depth == d)
            np.add.at(total, self.parents[level], total[level])
        return total


def group_stats(
    values: ArrayLike,
    groups: ArrayLike,
    *,
    labels: Sequence[Hashable] | ArrayLike | None = None,
    cutoffs: Mapping[str, Threshold | tuple[float, str]] | None = None,
    confidence: float = 0.95,
    bounds: tuple[float, float] | None = None,
) -> GroupTable:
    """Statistics of ``values`` (NaN = not scored) per group of ``groups``.

    ``groups`` holds one label per value (integer codes or strings; encode a missing
    answer as its own category). ``labels`` fixes the groups and their order (groups
    without scores get n 0); by default the sorted distinct labels of ``groups``.
    ``cutoffs`` maps a name to a :class:`Threshold` or a ``(value, direction)`` pair.
    ``bounds`` is the scale's ``(minimum, maximum)``: give it whenever the scale has one,
    so no interval reaches below the minimum or above the maximum (a t interval of five
    scores on a 0-25 scale can run from -0.4 to 5.4).

    Example: ``group_stats([3.0, 4.0, nan, 5.0], ["a", "a", "b", "b"],
    cutoffs={"high": Threshold(4.0)})``.
    """
    scores = _values(values)
    names, codes = _code_groups(groups, labels, len(scores))
    thresholds = _thresholds(cutoffs)
    if isinstance(confidence, bool) or not isinstance(confidence, numbers.Real):
        raise TypeError(f"confidence: expected a number in (0, 1), got {confidence!r}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence: expected a number in (0, 1), got {confidence!r}")
    scored = ~np.isnan(scores)
    scores, codes = scores[scored], codes[scored]
    scale = _bounds(bounds, scores)
    size = len(names)
    n, mean, sd, low, high = _moments(scores, codes, size, float(confidence), scale)
    shares = {
        name: _share(threshold, scores, codes, n, float(confidence))
        for name, threshold in thresholds.items()
    }
    unmasked = _frozen(np.zeros(size, dtype=np.bool_))
    return GroupTable(
        names,
        n,
        mean,
        sd,
        low,
        high,
        MappingProxyType(shares),
        float(confidence),
        unmasked,
        ("",) * size,
        scale,
    )


def wilson_interval(
    count: ArrayLike, n: ArrayLike, confidence: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """Wilson score interval of ``count`` successes out of ``n`` (NaN where n is 0)."""
    # Imported here, not at the top: scipy takes seconds to load, and a web worker that
    # imports this module for its types should not pay that at start-up.
    from scipy import stats

    x = np.asarray(count, dtype=np.float64)
    m = np.asarray(n, dtype=np.float64)
    z = float(stats.norm.isf((1 - confidence) / 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        p = x / m
        denom = 1 + z * z / m
        centre = (p + z * z / (2 * m)) / denom
        half = z * np.sqrt(p * (1 - p) / m + z * z / (4 * m * m)) / denom
    # The limits lie in [0, 1], exactly 0 at none and 1 at all; rounding can put them a
    # hair off (-1e-17 at 0 of n, which a page would print as "-0%").
    low = np.where((x == 0) & (m > 0), 0.0, np.clip(centre - half, 0.0, 1.0))
    high = np.where((x == m) & (m > 0), 1.0, np.clip(centre + half, 0.0, 1.0))
    return np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)


def bounded_mean_interval(
    mean: ArrayLike,
    sd: ArrayLike,
    n: ArrayLike,
    bounds: tuple[float, float],
    confidence: float = 0.95,
) -> tuple[FloatArray, FloatArray]:
    """Interval of a mean of scores on a scale from ``bounds[0]`` to ``bounds[1]``, inside
    the scale by construction (NaN where n < 2).

    The mean's place in the range, p = (mean - minimum) / (maximum - minimum), is a
    proportion; its interval is a t interval (n - 1 df) on the log-odds of p, mapped back
    to the scale: the "xlogit" interval of R's survey package (``svyciprop``), also used
    by SUDAAN and SPSS Complex Samples. Near the ends of the scale it is lopsided, as the
    uncertainty is: a mean of 2.5 on 0-25 can be off by more upwards than downwards.

    Where every score is the same (SD 0, which includes every mean at the very minimum or
    maximum, where the log-odds are infinite), the scores say nothing of the spread, so
    the interval takes the widest spread a score can have at that mean (Bhatia-Davis:
    variance <= (maximum - mean)(mean - minimum)): the Wilson interval of p out of n.
    Five answers all at the minimum of 0-25 give 0 to 10.9, not "0 to 0".
    """
    low, high = _checked_bounds(bounds)
    width = high - low
    m, s, count = (np.asarray(a, dtype=np.float64) for a in (mean, sd, n))
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.clip((m - low) / width, 0.0, 1.0)
        se = s / np.sqrt(count) / width
        spread = (s > 0) & (p > 0) & (p < 1)
        t = _t_quantile(count, confidence)
        log_odds = np.log(p / (1 - p))
        half = t * se / (p * (1 - p))
        logit_low, logit_high = _expit(log_odds - half), _expit(log_odds + half)
    wilson_low, wilson_high = wilson_interval(p * count, count, confidence)
    usable = count >= 2
    lower = np.where(usable, np.where(spread, logit_low, wilson_low), np.nan)
    upper = np.where(usable, np.where(spread, logit_high, wilson_high), np.nan)
    # Back on the scale; the clip only absorbs rounding (0.1 + 0.2 * 1.0 > 0.3).
    return np.clip(low + width * lower, low, high), np.clip(low + width * upper, low, high)


def _expit(x: FloatArray) -> FloatArray:
    """The inverse of the log-odds; scipy's, which stays exact far from zero."""
    from scipy import special  # here, not at the top: see wilson_interval

    return np.asarray(special.expit(x), dtype=np.float64)


def _checked_bounds(bounds: object) -> tuple[float, float]:
    if not isinstance(bounds, tuple | list) or len(bounds) != 2:
        raise ValueError(f"bounds: expected (minimum, maximum), got {bounds!r}")
    low, high = bounds
    numbers_ok = all(
        isinstance(b, numbers.Real) and not isinstance(b, bool) and math.isfinite(b)
        for b in (low, high)
    )
    if not numbers_ok or not low < high:
        raise ValueError(
            f"bounds: expected two finite numbers, minimum below maximum, got {bounds!r}"
        )
    return float(low), float(high)


def _bounds(bounds: object, scores: FloatArray) -> tuple[float, float] | None:
    """The checked range, refusing scores outside it (a wrong range would clip real figures)."""
    if bounds is None:
        return None
    low, high = _checked_bounds(bounds)
    # Scores are sums and means of item values: allow the rounding of their arithmetic.
    slack = 1e-9 * (high - low)
    outside = (scores < low - slack) | (scores > high + slack)
    if outside.any():
        bad = float(scores[np.flatnonzero(outside)[0]])
        raise ValueError(f"values: expected scores within bounds [{low:g}, {high:g}], got {bad!r}")
    return low, high


def _moments(
    scores: FloatArray,
    codes: IntArray,
    size: int,
    confidence: float,
    bounds: tuple[float, float] | None,
) -> tuple[IntArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    n = np.bincount(codes, minlength=size).astype(np.int64)
    total = np.bincount(codes, weights=scores, minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / n
        # Two passes (deviations from the group mean) rather than sum of squares minus
        # n * mean^2, which cancels catastrophically for large scores with a small spread.
        deviation = scores - mean[codes]
        squares = np.bincount(codes, weights=deviation * deviation, minlength=size)
        sd = np.where(n >= 2, np.sqrt(squares / np.maximum(n - 1, 1)), np.nan)
    if bounds is not None:
        low, high = bounded_mean_interval(mean, sd, n, bounds, confidence)
    else:
        low, high = _t_interval(mean, sd, n, confidence)
    return tuple(_frozen(a) for a in (n, mean, sd, low, high))  # type: ignore[return-value]  # a 5-tuple by construction


def _t_interval(
    mean: FloatArray, sd: FloatArray, n: IntArray, confidence: float
) -> tuple[FloatArray, FloatArray]:
    """The t interval of each mean (a scale without a known range); NaN where n < 2."""
    with np.errstate(invalid="ignore", divide="ignore"):
        half = np.where(n >= 2, _t_quantile(n, confidence) * sd / np.sqrt(n), np.nan)
    return mean - half, mean + half


def _t_quantile(n: ArrayLike, confidence: float) -> FloatArray:
    """The two-sided t quantile with n - 1 degrees of freedom (at least 1), per group."""
    from scipy import stats  # here, not at the top: see wilson_interval

    counts = np.nan_to_num(np.asarray(n, dtype=np.float64), nan=1.0)
    # Once per distinct degrees of freedom: scipy's ppf is slow per value.
    df, at = np.unique(np.maximum(counts - 1, 1), return_inverse=True)
    return np.asarray(stats.t.ppf(0.5 + confidence / 2, df)[at.reshape(-1)], dtype=np.float64)


def _share(
    threshold: Threshold, scores: FloatArray, codes: IntArray, n: IntArray, confidence: float
) -> ShareStats:
    count = np.bincount(codes[threshold.beyond(scores)], minlength=len(n)).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = count / n
    low, high = wilson_interval(count, n, confidence)
    return ShareStats(threshold, _frozen(count), _frozen(share), _frozen(low), _frozen(high))


def _values(values: ArrayLike) -> FloatArray:
    try:
        scores = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            "values: expected numbers (NaN for not scored), got non-numeric data"
        ) from None
    if scores.ndim != 1:
        raise ValueError(f"values: expected a 1-D array, got shape {scores.shape}")
    if np.isinf(scores).any():
        raise ValueError("values: expected finite numbers or NaN, got an infinite value")
    return scores


def _code_groups(
    groups: ArrayLike, labels: Sequence[Hashable] | ArrayLike | None, size: int
) -> tuple[tuple[Hashable, ...], IntArray]:
    given = np.asarray(groups)
    if given.ndim != 1 or len(given) != size:
        raise ValueError(f"groups: expected {size} labels (one per value), got shape {given.shape}")
    if given.dtype.kind == "f" and np.isnan(given).any():
        raise ValueError(
            "groups: expected a label for every value, got NaN (encode missing as a category)"
        )
    if labels is None:
        try:
            names, codes = np.unique(given, return_inverse=True)
        except TypeError:
            raise TypeError("groups: expected labels of one sortable type, got a mixture") from None
        return tuple(names.tolist()), codes.astype(np.int64).reshape(-1)
    if (
        isinstance(labels, range)
        and labels.start == 0
        and labels.step == 1
        and given.dtype.kind in "iu"
    ):
        # Codes 0..size-1 already (a report's unit x category tables): each label is its
        # own position, so only the range needs checking.
        codes = given.astype(np.int64)
        outside = (codes < 0) | (codes >= len(labels))
        if outside.any():
            bad = given[np.flatnonzero(outside)[:1]].tolist()[0]
            raise ValueError(f"groups: expected one of the known labels, got {bad!r}")
        return tuple(labels), codes
    names = np.asarray(labels)
    return tuple(names.tolist()), label_codes(given, names)


def label_codes(
    values: ArrayLike, labels: Sequence[Hashable] | ArrayLike, *, name: str = "groups"
) -> IntArray:
    """Position of each of ``values`` in ``labels`` (vectorised: one sort and a search).

    ``label_codes(["m", "f"], ["f", "m", "x"])`` is ``[1, 0]``. A value not among the
    labels is a ValueError naming the argument ``name``.
    """
    given, names = np.asarray(values), np.asarray(labels)
    try:
        order = np.argsort(names, kind="stable")
        ranked = names[order]
        position = np.clip(np.searchsorted(ranked, given), 0, max(len(ranked) - 1, 0))
        unknown = ranked[position] != given if len(ranked) else np.ones(len(given), np.bool_)
    except TypeError:
        raise TypeError(f"{name}: expected labels of one type with the known labels") from None
    if len(ranked) > 1 and (ranked[1:] == ranked[:-1]).any():
        raise ValueError("labels: expected distinct labels, got a repeated label")
    if np.any(unknown):
        bad = given[np.flatnonzero(unknown)[:1]].tolist()[0]
        raise ValueError(f"{name}: expected one of the known labels, got {bad!r}")
    return order[position].astype(np.int64)


def _thresholds(
    cutoffs: Mapping[str, Threshold | tuple[float, str]] | None,
) -> dict[str, Threshold]:
    result: dict[str, Threshold] = {}
    for name, spec in (cutoffs or {}).items():
        if isinstance(spec, Threshold):
            result[name] = spec
        elif isinstance(spec, tuple) and len(spec) == 2:
            try:
                result[name] = Threshold(spec[0], spec[1])  # type: ignore[arg-type]  # checked by Threshold
            except ValueError as error:
                raise ValueError(f"cutoffs[{name!r}]: {error}") from None
        else:
            raise TypeError(
                f"cutoffs[{name!r}]: expected a Threshold or (value, direction), got {spec!r}"
            )
    return result


def _walk(kids: list[list[int]], parents: IntArray) -> tuple[IntArray, ...]:
    """Depth-first (pre)order, depth, and each subtree's [start, stop) in that order."""
    n = len(parents)
    order, depth, stack = [], np.zeros(n, dtype=np.int64), [int(np.flatnonzero(parents < 0)[0])]
    while stack:
        unit = stack.pop()
        order.append(unit)
        for child in reversed(kids[unit]):
            depth[child] = depth[unit] + 1
            stack.append(child)
    if len(order) != n:
        lost = sorted(set(range(n)) - set(order))[0]
        raise ValueError(
            f"parents: expected every unit to lead up to the root, got a cycle through unit {lost}"
        )
    size = np.ones(n, dtype=np.int64)
    for unit in reversed(order[1:]):  # children before parents
        size[parents[unit]] += size[unit]
    start = np.empty(n, dtype=np.int64)
    start[order] = np.arange(n)
    arrays = (np.asarray(order, dtype=np.int64), depth, start, start + size)
    return tuple(_frozen(a) for a in arrays)


def _ancestors(parents: IntArray, depth: IntArray) -> IntArray:
    n = len(parents)
    table = np.full((n, int(depth.max()) + 1), -1, dtype=np.int64)  # -1: no ancestor that deep
    rows, current = np.arange(n), np.arange(n)
    while len(rows):
        table[rows, depth[current]] = current
        current = parents[current]
        rows, current = rows[current >= 0], current[current >= 0]
    return table


def _parent_array(parents: ArrayLike) -> IntArray:
    given = np.asarray(parents)
    if given.ndim != 1 or len(given) == 0 or given.dtype.kind not in "iu":
        raise ValueError(
            f"parents: expected a non-empty 1-D integer array, got {given.dtype} {given.shape}"
        )
    p = given.astype(np.int64)
    if ((p < -1) | (p >= len(p)) | (p == np.arange(len(p)))).any():
        raise ValueError(
            f"parents: expected parent indices in [-1, {len(p) - 1}] other than the unit itself"
        )
    if (p == -1).sum() != 1:
        raise ValueError(f"parents: expected exactly one root (-1), got {int((p == -1).sum())}")
    return p


def _blank_all(record: _R, names: tuple[str, ...], mask: BoolArray) -> _R:
    changes: dict[str, Any] = {name: _blank(getattr(record, name), mask) for name in names}
    return replace(record, **changes)


def _blank(array: NDArray[Any], mask: BoolArray) -> NDArray[Any]:
    """Counts become 0 and statistics NaN where ``mask`` is set."""
    fill = 0 if array.dtype.kind in "iu" else math.nan
    return _frozen(np.where(mask, fill, array).astype(array.dtype))


def _frozen(array: NDArray[Any]) -> NDArray[Any]:
    array.flags.writeable = False
    return array


def _opt(value: Any) -> float | None:
    number = float(value)
    return None if math.isnan(number) else number
