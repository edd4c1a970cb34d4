"""Movement norms: means and shares pooled over many organizations, with differential privacy.

A norm is one scale's mean (and, where the scale has a verified two-band cut-off, the share
in its upper band) over the respondents of every organization that contributes to a group.
It is released from three noisy vectors (``analysis.private``, OpenDP's discrete Laplace):

- counts: per cell, the respondents scored on the scale (sensitivity 1 per cell);
- sums: per cell, each value clamped to the scale's bounds, centred on the middle of its
  range and rounded to ``STEPS`` steps per half range (sensitivity ``STEPS`` per cell: one
  response moves a centred sum by at most half the range);
- bands: per cell with a cut-off, the respondents in the upper band (sensitivity 1 per cell).

Unit of privacy: one response. The caller names how many cells one response can enter
(``cells_per_person``: every scale of its wave, in the whole group and in one group of each
breakdown), which makes each vector's L1 sensitivity; the budget is split between the three
vectors (``SPLIT``) and the epsilon spent is the sum of OpenDP's privacy maps.

The interval. Given a released sum S and count N with known noise distributions, the true
values are S - e and N - f, where e and f are draws of the same noises; under a flat prior
this is exactly their posterior. The 95% interval is the 2.5th and 97.5th percentiles of the
mean (or share) over ``DRAWS`` simulated pairs, kept to what is possible (a count of at least
``min_count``, a sum within the scale's bounds, a band count between 0 and the count). It
accounts for the noise only: a norm describes the movement's respondents, it is not a sample
estimate of a wider population. Post-processing of released values: it costs no privacy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from analysis import private

STEPS = 100  # integer steps per half range of a scale: rounding moves a mean by < 0.5% of it
DRAWS = 4000  # simulated noise pairs per interval
LEVEL = 0.95
# Shares of the budget: sums need the most (their noise is the mean's main error).
SPLIT = {"count": 0.3, "sum": 0.5, "band": 0.2}
SPLIT_NO_BANDS = {"count": 0.4, "sum": 0.6}
# A norm whose interval is wider than this share of the scale's range (or, for a share, than
# this many percentage points / 100) is withheld as too uncertain to compare with.
MAX_WIDTH = 0.25


@dataclass(frozen=True)
class CellData:
    """One group's respondents on one scale, pooled over the organizations contributing."""

    key: str
    minimum: float
    maximum: float
    values: NDArray[np.float64]  # scored respondents only
    band: NDArray[np.bool_] | None  # in the upper band, aligned with ``values``; None: no cut-off
    organizations: int


@dataclass(frozen=True)
class NormCell:
    key: str
    organizations: int
    count: int  # the noisy count, as released
    total: int  # the noisy centred sum in steps, as released
    band: int | None  # the noisy band count, as released
    mean: float | None
    ci: tuple[float, float] | None
    share: float | None
    share_ci: tuple[float, float] | None
    reason: str = ""  # why the mean is not shown ("" when it is)


@dataclass(frozen=True)
class NormsRelease:
    cells: tuple[NormCell, ...]
    epsilon: float  # spent, the sum of OpenDP's maps
    scales: dict[str, float]  # noise scale of each vector ("count", "sum", "band")
    sensitivities: dict[str, int]
    mechanism: str = private.MECHANISM


@dataclass(frozen=True)
class Totals:
    """The exact totals of cells (never stored, never shown): what the noise is added to."""

    counts: NDArray[np.int64]
    sums: NDArray[np.int64]  # centred, in steps
    bands: NDArray[np.int64]  # -1 where the cell has no cut-off


def centred_steps(values: NDArray[np.float64], minimum: float, maximum: float) -> NDArray:
    """Each value clamped to [minimum, maximum], centred and rounded to steps in [-STEPS, STEPS]."""
    if not maximum > minimum:
        raise ValueError(f"maximum: expected more than minimum {minimum}, got {maximum}")
    half = (maximum - minimum) / 2
    clamped = np.clip(np.asarray(values, dtype=np.float64), minimum, maximum)
    return np.rint((clamped - (minimum + half)) / half * STEPS).astype(np.int64)


def totals(cells: Sequence[CellData]) -> Totals:
    counts = np.array([len(c.values) for c in cells], dtype=np.int64)
    sums = np.array(
        [int(centred_steps(c.values, c.minimum, c.maximum).sum()) for c in cells], dtype=np.int64
    )
    bands = np.array(
        [-1 if c.band is None else int(np.count_nonzero(c.band)) for c in cells], dtype=np.int64
    )
    return Totals(counts, sums, bands)


def release_norms(
    cells: Sequence[CellData],
    *,
    epsilon: float,
    cells_per_person: int,
    bands_per_person: int,
    min_count: int = 1,
    rng: np.random.Generator | None = None,
) -> NormsRelease:
    """The cells' norms with epsilon-DP (see the module docstring).

    ``cells_per_person``: the most cells one response enters; ``bands_per_person``: the most
    of them with a cut-off; ``min_count``: a count every cell is known to reach (the
    organizations' minimum group sizes added up), used only to bound the intervals.
    """
    if not cells:
        raise ValueError("cells: expected one or more cells, got none")
    if cells_per_person < 1 or bands_per_person < 0:
        raise ValueError(
            f"cells_per_person, bands_per_person: expected >= 1 and >= 0, got"
            f" {cells_per_person}, {bands_per_person}"
        )
    exact = totals(cells)
    banded = np.flatnonzero(exact.bands >= 0)
    split = SPLIT if len(banded) else SPLIT_NO_BANDS
    counts = private.release_integers(
        exact.counts.tolist(), epsilon=epsilon * split["count"], sensitivity=cells_per_person
    )
    sums = private.release_integers(
        exact.sums.tolist(), epsilon=epsilon * split["sum"], sensitivity=cells_per_person * STEPS
    )
    scales = {"count": counts.scale, "sum": sums.scale}
    sensitivities = {"count": counts.sensitivity, "sum": sums.sensitivity}
    spent = counts.epsilon + sums.epsilon
    noisy_bands: dict[int, int] = {}
    if len(banded):
        if bands_per_person < 1:
            raise ValueError("bands_per_person: expected >= 1 when a cell has a cut-off, got 0")
        bands = private.release_integers(
            exact.bands[banded].tolist(),
            epsilon=epsilon * split["band"],
            sensitivity=bands_per_person,
        )
        noisy_bands = dict(zip(banded.tolist(), bands.values, strict=True))
        scales["band"], sensitivities["band"] = bands.scale, bands.sensitivity
        spent += bands.epsilon
    rng = rng if rng is not None else np.random.default_rng()
    out = tuple(
        estimate(
            cell,
            counts.values[i],
            sums.values[i],
            noisy_bands.get(i),
            scales,
            min_count=min_count,
            rng=rng,
        )
        for i, cell in enumerate(cells)
    )
    return NormsRelease(out, spent, scales, sensitivities)


def estimate(
    cell: CellData,
    count: int,
    total: int,
    band: int | None,
    scales: dict[str, float],
    *,
    min_count: int = 1,
    rng: np.random.Generator,
    draws: int = DRAWS,
) -> NormCell:
    """A cell's mean and share with their intervals, from its released (noisy) values only."""
    half = (cell.maximum - cell.minimum) / 2
    middle = cell.minimum + half
    e_count = discrete_laplace(rng, scales["count"], draws)
    e_sum = discrete_laplace(rng, scales["sum"], draws)
    n = count - e_count
    s = total - e_sum
    possible = (n >= min_count) & (np.abs(s) <= STEPS * n)
    mean = ci = None
    reason = "too uncertain to show"
    if count >= min_count and possible.mean() >= 0.5:
        mean = float(np.clip(middle + half * total / count / STEPS, cell.minimum, cell.maximum))
        means = middle + half * s[possible] / n[possible] / STEPS
        ci = _percentiles(means)
        if ci[1] - ci[0] <= MAX_WIDTH * (cell.maximum - cell.minimum):
            reason = ""
        else:
            mean = ci = None
    share = share_ci = None
    if band is not None and count >= min_count:
        b = band - discrete_laplace(rng, scales["band"], draws)
        ok = (n >= min_count) & (b >= 0) & (b <= n)
        if ok.mean() >= 0.5:
            found = _percentiles(b[ok] / n[ok])
            if found[1] - found[0] <= MAX_WIDTH:
                share, share_ci = private.noisy_share(band, count), found
    return NormCell(
        cell.key, cell.organizations, count, total, band, mean, ci, share, share_ci, reason
    )


def _percentiles(draws: NDArray[np.float64]) -> tuple[float, float]:
    tail = (1 - LEVEL) / 2 * 100
    low, high = np.percentile(draws, [tail, 100 - tail])
    return float(low), float(high)


def discrete_laplace(rng: np.random.Generator, scale: float, size: int) -> NDArray[np.int64]:
    """Draws of the discrete Laplace with ``scale`` t (P(x) ∝ exp(-|x|/t)): the difference of
    two independent geometric variables with success probability 1 - exp(-1/t) (its variance
    is checked against ``private.discrete_laplace_variance`` in the tests).
    For simulating intervals only: released values are OpenDP's draws."""
    if not scale > 0:
        raise ValueError(f"scale: expected a number above 0, got {scale!r}")
    p = -np.expm1(-1 / scale)
    return (rng.geometric(p, size) - rng.geometric(p, size)).astype(np.int64)
