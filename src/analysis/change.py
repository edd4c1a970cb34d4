"""Change between survey waves, per group, with its uncertainty.

Every function takes arrays with one entry per group (unit, profession, ...)
and computes all groups at once: a report with hundreds of units is a handful
of numpy operations, not a loop. A group is compared only where every wave used
reaches ``min_size`` responses; elsewhere the statistics are NaN and ``reason``
says why, so a template can show the reason instead of a number.

- ``mean_change``: scale means, Welch's t (no equal-variance assumption: a
  re-measured unit rarely keeps its spread); with the scale's ``span`` its interval
  stays within the largest change the scale allows.
- ``rate_change``: proportions (e.g. "burned out"), Newcombe's hybrid score
  interval (method 10) with the pooled two-proportion z-test.
- ``trend``: three or more waves, the least-squares slope of individual scores
  on the wave time, computed exactly from per-wave n, mean and SD.

A change is flagged ``significant`` only where its confidence interval
excludes zero; the p-value is reported but is never the flag's source.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from analysis._checks import check_confidence

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

__all__ = ["ChangeTable", "TrendResult", "WaveSummary", "mean_change", "rate_change", "trend"]


class _FrozenArrays:
    """Mixin for frozen dataclasses: store read-only copies of array fields, never the caller's."""

    def __post_init__(self) -> None:
        for field in fields(self):  # type: ignore[arg-type]  # only mixed into dataclasses
            value = getattr(self, field.name)
            if isinstance(value, np.ndarray):
                frozen = value.copy()
                frozen.setflags(write=False)
                object.__setattr__(self, field.name, frozen)


@dataclass(frozen=True)
class ChangeTable(_FrozenArrays):
    """Wave-over-wave change per group (wave 2 minus wave 1), aligned with the inputs.

    ``se`` is the standard error the test statistic divides by (for rates the
    pooled one, under "no change"); ``df`` is infinite for the z-test.
    """

    method: str
    confidence: float
    difference: FloatArray
    se: FloatArray
    df: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    statistic: FloatArray
    p_value: FloatArray
    significant: BoolArray
    comparable: BoolArray
    reason: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.reason)


@dataclass(frozen=True)
class TrendResult(_FrozenArrays):
    """Per-group linear trend: ``slope`` is the change in score per unit of ``times``.

    ``waves_used`` counts the waves that reached ``min_size`` for the group;
    a group needs three of them to be ``comparable``.
    """

    confidence: float
    times: FloatArray
    slope: FloatArray
    se: FloatArray
    df: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    statistic: FloatArray
    p_value: FloatArray
    significant: BoolArray
    waves_used: npt.NDArray[np.int64]
    comparable: BoolArray
    reason: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.reason)


@dataclass(frozen=True)
class WaveSummary(_FrozenArrays):
    """One wave's per-group response count, mean and SD (ddof=1); build with ``of``."""

    n: FloatArray
    mean: FloatArray
    sd: FloatArray

    @classmethod
    def of(cls, n: npt.ArrayLike, mean: npt.ArrayLike, sd: npt.ArrayLike) -> WaveSummary:
        """Validated per-group summaries; mean and SD may be NaN for groups too small to use."""
        return _wave(n, mean, sd, "")

    @classmethod
    def from_values(cls, values: npt.ArrayLike) -> WaveSummary:
        """One group's summary from its raw scores; NaN (unscored) responses are left out."""
        raw = _vector("values", values)
        kept = raw[~np.isnan(raw)]
        if np.isinf(kept).any():
            raise ValueError("values: expected finite scores or NaN, got an infinite score")
        mean = kept.mean() if kept.size else np.nan
        sd = kept.std(ddof=1) if kept.size > 1 else np.nan
        return cls.of([kept.size], [mean], [sd])


def _wave(n: npt.ArrayLike, mean: npt.ArrayLike, sd: npt.ArrayLike, wave: str) -> WaveSummary:
    """WaveSummary.of, with error messages naming the caller's arguments (n1, mean1, ...)."""
    counts = _counts(f"n{wave}", n)
    sds = _vector(f"sd{wave}", sd, like=(f"n{wave}", counts))
    if (sds < 0).any():
        i = int(np.argmax(sds < 0))
        raise ValueError(
            f"sd{wave}[{i}]: expected a non-negative standard deviation, got {float(sds[i])!r}"
        )
    return WaveSummary(counts, _vector(f"mean{wave}", mean, like=(f"n{wave}", counts)), sds)


class _Test(NamedTuple):
    se: FloatArray
    df: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    statistic: FloatArray
    p_value: FloatArray
    significant: BoolArray


def mean_change(
    n1: npt.ArrayLike,
    mean1: npt.ArrayLike,
    sd1: npt.ArrayLike,
    n2: npt.ArrayLike,
    mean2: npt.ArrayLike,
    sd2: npt.ArrayLike,
    *,
    min_size: int,
    confidence: float = 0.95,
    span: float | None = None,
) -> ChangeTable:
    """Change of a scale mean per group: wave-2 mean minus wave-1 mean, with Welch's t-test.

    SDs use ddof=1. A group needs ``max(min_size, 2)`` responses in both
    waves; a group with no spread in either wave gets its difference but no test.
    ``span`` is the width of the scale (maximum minus minimum), when it has one: no
    change can exceed it, so the interval is cut to [-span, span] (a cut never moves a
    limit across zero, so the test's verdict stays the same).
    """
    _check_min_size(min_size)
    check_confidence(confidence)
    _check_span(span)
    first, second = _wave(n1, mean1, sd1, "1"), _wave(n2, mean2, sd2, "2")
    _check_same_length("n2", second.n, "n1", first.n)
    floor = max(min_size, 2)
    comparable = (first.n >= floor) & (second.n >= floor)
    _check_finite_where(comparable, mean1=first.mean, sd1=first.sd)
    _check_finite_where(comparable, mean2=second.mean, sd2=second.sd)
    with np.errstate(divide="ignore", invalid="ignore"):
        v1, v2 = first.sd**2 / first.n, second.sd**2 / second.n
        se = np.sqrt(v1 + v2)
        # Welch-Satterthwaite degrees of freedom.
        df = (v1 + v2) ** 2 / (v1**2 / (first.n - 1) + v2**2 / (second.n - 1))
    tested = comparable & (se > 0)
    difference = np.where(comparable, second.mean - first.mean, np.nan)
    test = _t_test(difference, se, df, tested, confidence)
    if span is not None:
        test = test._replace(
            ci_low=np.clip(test.ci_low, -span, span), ci_high=np.clip(test.ci_high, -span, span)
        )
    reason = _reasons(first.n, second.n, floor, tested, "no test: no variation within either wave")
    return ChangeTable("welch_t", confidence, difference, *test, comparable, reason)


def rate_change(
    k1: npt.ArrayLike,
    n1: npt.ArrayLike,
    k2: npt.ArrayLike,
    n2: npt.ArrayLike,
    *,
    min_size: int,
    confidence: float = 0.95,
) -> ChangeTable:
    """Change of a rate per group: wave-2 proportion minus wave-1 proportion.

    The interval is Newcombe's hybrid score interval (Newcombe 1998, method
    10, built from Wilson intervals): it stays inside [-1, 1] and behaves near
    0 and 1, where the Wald interval does not. The p-value is the pooled
    two-proportion z-test; where both waves are all-0 or all-1 the difference
    is exactly zero, the statistic 0 and the p-value 1.
    """
    # Imported here, not at the top: scipy takes seconds to load, and a web worker that
    # imports this module to build a report should not pay that at start-up.
    from scipy import stats

    _check_min_size(min_size)
    check_confidence(confidence)
    c1, t1 = _counts("k1", k1), _counts("n1", n1)
    c2, t2 = _counts("k2", k2), _counts("n2", n2)
    _check_same_length("k1", c1, "n1", t1)
    _check_same_length("k2", c2, "n1", t1)
    _check_same_length("n2", t2, "n1", t1)
    _check_at_most("k1", c1, "n1", t1)
    _check_at_most("k2", c2, "n2", t2)
    floor = max(min_size, 1)
    comparable = (t1 >= floor) & (t2 >= floor)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = c1 / t1, c2 / t2
        pooled = (c1 + c2) / (t1 + t2)
        se = np.where(comparable, np.sqrt(pooled * (1 - pooled) * (1 / t1 + 1 / t2)), np.nan)
        difference = np.where(comparable, p2 - p1, np.nan)
        statistic = np.where(se > 0, difference / se, np.where(comparable, 0.0, np.nan))
    z = stats.norm.ppf(0.5 + confidence / 2)
    low1, high1 = _wilson(c1, t1, z)
    low2, high2 = _wilson(c2, t2, z)
    # Newcombe's limits lie in [-1, 1]; rounding could put them a hair outside (0 of 3 vs
    # 38 of 38 gave 1.0000000000000002), so they are clipped to the interval they live in.
    low = np.clip(difference - np.sqrt((p2 - low2) ** 2 + (high1 - p1) ** 2), -1.0, 1.0)
    high = np.clip(difference + np.sqrt((high2 - p2) ** 2 + (p1 - low1) ** 2), -1.0, 1.0)
    p_value = 2 * stats.norm.sf(np.abs(statistic))
    df = np.where(comparable, np.inf, np.nan)
    test = _Test(se, df, low, high, statistic, p_value, _excludes_zero(low, high))
    reason = _reasons(t1, t2, floor, comparable, "")
    return ChangeTable("newcombe_z", confidence, difference, *test, comparable, reason)


def trend(
    waves: Sequence[WaveSummary],
    *,
    min_size: int,
    times: npt.ArrayLike | None = None,
    confidence: float = 0.95,
) -> TrendResult:
    """Linear trend over three or more waves, per group.

    The slope is that of the ordinary least-squares line through every
    individual score against its wave's time (``times``, default 0, 1, 2, ...),
    computed exactly from the per-wave n, mean and SD: each wave weighs by its
    respondents, and the within-wave spread stays in the error term. Waves
    below ``min_size`` are left out of that group's line.
    """
    _check_min_size(min_size)
    check_confidence(confidence)
    t = _times(waves, times)
    for i, wave in enumerate(waves):
        _check_same_length(f"waves[{i}].n", wave.n, "waves[0].n", waves[0].n)
    n = np.stack([wave.n for wave in waves])  # shape (waves, groups)
    used = n >= max(min_size, 1)
    for i, wave in enumerate(waves):
        _check_finite_where(used[i], **{f"waves[{i}].mean": wave.mean})
        _check_finite_where(used[i] & (wave.n > 1), **{f"waves[{i}].sd": wave.sd})
    mean = np.where(used, np.stack([wave.mean for wave in waves]), 0.0)
    within = np.where(used & (n > 1), (n - 1) * np.stack([wave.sd for wave in waves]) ** 2, 0.0)
    waves_used = used.sum(axis=0)
    comparable = waves_used >= 3
    with np.errstate(divide="ignore", invalid="ignore"):
        slope, se, df = _pooled_slope(t[:, None], np.where(used, n, 0.0), mean, within.sum(axis=0))
    tested = comparable & (se > 0)
    slope = np.where(comparable, slope, np.nan)
    reason = tuple(
        f"not compared: {k} of {len(waves)} waves reach {min_size} responses, 3 needed"
        if k < 3
        else ("" if ok else "no test: no variation in any wave")
        for k, ok in zip(waves_used.tolist(), tested.tolist(), strict=True)
    )
    test = _t_test(slope, se, df, tested, confidence)
    return TrendResult(confidence, t, slope, *test, waves_used.astype(np.int64), comparable, reason)


def _pooled_slope(
    t: FloatArray, weight: FloatArray, mean: FloatArray, within_ss: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """OLS slope, its SE and residual df for the pooled individual data the summaries describe."""
    total = weight.sum(axis=0)
    t_bar = (weight * t).sum(axis=0) / total
    y_bar = (weight * mean).sum(axis=0) / total
    sxx = (weight * (t - t_bar) ** 2).sum(axis=0)
    slope = (weight * (t - t_bar) * (mean - y_bar)).sum(axis=0) / sxx
    fitted = y_bar + slope * (t - t_bar)
    # Residual SS of the individual-level fit = within-wave SS + between-wave lack of fit.
    sse = within_ss + (weight * (mean - fitted) ** 2).sum(axis=0)
    df = total - 2
    return slope, np.sqrt(sse / df / sxx), df


def _t_test(
    estimate: FloatArray, se: FloatArray, df: FloatArray, tested: BoolArray, confidence: float
) -> _Test:
    """t interval and two-sided test of ``estimate``; NaN wherever not ``tested``."""
    from scipy import stats  # here, not at the top: see rate_change

    se, df = np.where(tested, se, np.nan), np.where(tested, df, np.nan)
    statistic = estimate / se
    half = stats.t.ppf(0.5 + confidence / 2, df) * se
    low, high = estimate - half, estimate + half
    p_value = 2 * stats.t.sf(np.abs(statistic), df)
    return _Test(se, df, low, high, statistic, p_value, _excludes_zero(low, high))


def _wilson(k: FloatArray, n: FloatArray, z: float) -> tuple[FloatArray, FloatArray]:
    """Wilson score interval for k of n, without continuity correction."""
    with np.errstate(divide="ignore", invalid="ignore"):
        centre = (k + z**2 / 2) / (n + z**2)
        half = z / (n + z**2) * np.sqrt(k * (n - k) / n + z**2 / 4)
    return centre - half, centre + half


def _excludes_zero(low: FloatArray, high: FloatArray) -> BoolArray:
    # NaN compares False both ways, so untested groups are never flagged.
    return np.asarray((low > 0) | (high < 0), dtype=np.bool_)


def _reasons(
    n1: FloatArray, n2: FloatArray, floor: int, tested: BoolArray, untested: str
) -> tuple[str, ...]:
    reasons = []
    for small1, small2, ok in zip(
        (n1 < floor).tolist(), (n2 < floor).tolist(), tested.tolist(), strict=True
    ):
        if small1 or small2:
            where = "both waves" if small1 and small2 else "wave 1" if small1 else "wave 2"
            reasons.append(f"not compared: fewer than {floor} responses in {where}")
        else:
            reasons.append("" if ok else untested)
    return tuple(reasons)


def _times(waves: Sequence[WaveSummary], times: npt.ArrayLike | None) -> FloatArray:
    if not isinstance(waves, Sequence) or not all(isinstance(w, WaveSummary) for w in waves):
        raise TypeError(f"waves: expected a sequence of WaveSummary, got {type(waves).__name__}")
    if len(waves) < 3:
        raise ValueError(f"waves: expected at least 3 waves for a trend, got {len(waves)}")
    if times is None:
        return np.arange(len(waves), dtype=np.float64)
    t = _vector("times", times)
    if len(t) != len(waves) or not np.isfinite(t).all() or (np.diff(t) <= 0).any():
        raise ValueError(
            f"times: expected {len(waves)} finite, increasing times, got {t.tolist()!r}"
        )
    return t


def _vector(
    name: str, values: npt.ArrayLike, like: tuple[str, FloatArray] | None = None
) -> FloatArray:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name}: expected numbers, got {values!r}") from error
    if array.ndim != 1:
        raise ValueError(
            f"{name}: expected a 1-D array (one value per group), got shape {array.shape}"
        )
    if like is not None:
        _check_same_length(name, array, *like)
    return array


def _counts(name: str, values: npt.ArrayLike) -> FloatArray:
    array = _vector(name, values)
    bad = ~np.isfinite(array) | (array < 0) | (array != np.round(array))
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(
            f"{name}[{i}]: expected a non-negative whole count, got {float(array[i])!r}"
        )
    return array


def _check_same_length(name: str, array: FloatArray, other_name: str, other: FloatArray) -> None:
    if len(array) != len(other):
        raise ValueError(
            f"{name}: expected length {len(other)} (as {other_name}), got {len(array)}"
        )


def _check_at_most(name: str, k: FloatArray, total_name: str, n: FloatArray) -> None:
    if (k > n).any():
        i = int(np.argmax(k > n))
        raise ValueError(f"{name}[{i}]: expected at most {total_name}[{i}]={n[i]:g}, got {k[i]:g}")


def _check_finite_where(where: BoolArray, **arrays: FloatArray) -> None:
    for name, array in arrays.items():
        bad = where & ~np.isfinite(array)
        if bad.any():
            i = int(np.argmax(bad))
            raise ValueError(
                f"{name}[{i}]: expected a finite value for a group large enough to compare, got {float(array[i])!r}"
            )


def _check_span(span: object) -> None:
    if span is None:
        return
    if (
        isinstance(span, bool)
        or not isinstance(span, int | float)
        or not np.isfinite(span)
        or span <= 0
    ):
        raise ValueError(f"span: expected a finite number above 0 (or None), got {span!r}")


def _check_min_size(min_size: object) -> None:
    if isinstance(min_size, bool) or not isinstance(min_size, int) or min_size < 1:
        raise ValueError(f"min_size: expected a positive integer, got {min_size!r}")
