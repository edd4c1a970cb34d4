"""Reliability of (sub)scales: Cronbach's alpha with its CI, McDonald's omega,
corrected item-total correlations.

Input is a 2-D array of item *values* (after reverse keying; see
:func:`instruments.item_values`), one row per respondent, NaN for missing.
Alpha follows pingouin's ``cronbach_alpha`` (pairwise covariances by default,
Feldt's F-based interval) so results can be checked against it.

scipy is imported inside the functions that use it: importing it costs seconds,
and ``import instruments`` (the command line, the web app's scoring) must not pay
that unless reliability is asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from instruments._engine import item_values
from instruments._model import Instrument

NanPolicy = Literal["pairwise", "listwise"]


@dataclass(frozen=True)
class Alpha:
    alpha: float
    ci_low: float
    ci_high: float
    confidence: float
    n: int
    k: int


@dataclass(frozen=True)
class Omega:
    """McDonald's omega (total) from a one-factor model on the correlation matrix."""

    omega: float
    loadings: tuple[float, ...]
    n: int
    k: int


@dataclass(frozen=True)
class ScaleReliability:
    scale: str
    alpha: Alpha
    omega: Omega
    item_total: tuple[float, ...]


def _matrix(data: Any, *, name: str = "data") -> NDArray[np.float64]:
    array = np.asarray(data, dtype=np.float64)
    if array.ndim != 2 or array.shape[1] < 2 or array.shape[0] < 3:
        raise ValueError(
            f"{name}: expected a 2-D array with >= 3 rows and >= 2 item columns, got shape {array.shape}"
        )
    return array


def _listwise(array: NDArray[np.float64]) -> NDArray[np.float64]:
    kept = array[~np.isnan(array).any(axis=1)]
    if kept.shape[0] < 3:
        raise ValueError(
            f"data: expected >= 3 complete rows after listwise deletion, got {kept.shape[0]}"
        )
    return kept


def _covariance(array: NDArray[np.float64], nan_policy: NanPolicy) -> NDArray[np.float64]:
    if nan_policy == "listwise" or not np.isnan(array).any():
        return np.cov(array if nan_policy == "pairwise" else _listwise(array), rowvar=False)
    import pandas as pd

    # Pairwise-complete covariances, exactly what pingouin (via pandas) uses.
    return np.asarray(pd.DataFrame(array).cov().to_numpy(), dtype=np.float64)


def cronbach_alpha(
    data: Any, *, confidence: float = 0.95, nan_policy: NanPolicy = "pairwise"
) -> Alpha:
    """Cronbach's alpha with a Feldt (F-distribution) confidence interval."""
    from scipy import stats

    if not 0 < confidence < 1:
        raise ValueError(f"confidence: expected a number in (0, 1), got {confidence!r}")
    if nan_policy not in ("pairwise", "listwise"):
        raise ValueError(f"nan_policy: expected 'pairwise' or 'listwise', got {nan_policy!r}")
    array = _matrix(data)
    if nan_policy == "listwise":
        array = _listwise(array)
    n, k = array.shape
    cov = _covariance(array, nan_policy)
    alpha = (k / (k - 1)) * (1 - np.trace(cov) / cov.sum())
    df1 = n - 1
    df2 = df1 * (k - 1)
    tail = (1 - confidence) / 2
    low = 1 - (1 - alpha) * stats.f.isf(tail, df1, df2)
    high = 1 - (1 - alpha) * stats.f.isf(1 - tail, df1, df2)
    return Alpha(float(alpha), float(low), float(high), confidence, n, k)


def mcdonald_omega(data: Any) -> Omega:
    """Omega total = (sum of loadings)^2 / ((sum of loadings)^2 + sum of uniquenesses).

    Loadings come from a one-factor minimum-residual fit to the correlation
    matrix (the fit R's psych::fa uses by default), with listwise deletion.
    """
    array = _listwise(_matrix(data))
    n, k = array.shape
    corr = np.asarray(np.corrcoef(array, rowvar=False), dtype=np.float64)
    if not np.isfinite(corr).all():
        raise ValueError("data: every item needs some variance to estimate omega")
    loadings = _one_factor_minres(corr)
    if loadings.sum() < 0:
        loadings = -loadings
    common = loadings.sum() ** 2
    omega = common / (common + (1 - loadings**2).sum())
    return Omega(float(omega), tuple(float(x) for x in loadings), n, k)


def _one_factor_minres(corr: NDArray[np.float64]) -> NDArray[np.float64]:
    from scipy import optimize

    upper = np.triu_indices_from(corr, k=1)

    def residuals(loadings: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.asarray(corr[upper] - np.outer(loadings, loadings)[upper])

    values, vectors = np.linalg.eigh(corr)
    start = vectors[:, -1] * np.sqrt(values[-1])
    fit = optimize.least_squares(residuals, start, bounds=(-0.999, 0.999), xtol=1e-12, ftol=1e-12)
    return np.asarray(fit.x, dtype=np.float64)


def item_total_correlations(data: Any) -> tuple[float, ...]:
    """Corrected item-total correlation: each item vs the sum of the *other* items (listwise)."""
    array = _listwise(_matrix(data))
    total = array.sum(axis=1)
    return tuple(
        float(np.corrcoef(array[:, j], total - array[:, j])[0, 1]) for j in range(array.shape[1])
    )


def reliability(instrument: Instrument, responses: Any) -> dict[str, ScaleReliability]:
    """Alpha, omega and item-total correlations for every item-based scale of >= 2 items."""
    values = item_values(instrument, responses)
    position = {item_id: j for j, item_id in enumerate(instrument.item_ids)}
    report: dict[str, ScaleReliability] = {}
    for scale in instrument.scales:
        if scale.method not in ("sum", "mean") or len(scale.items) < 2:
            continue
        block = values[:, [position[i] for i in scale.items]]
        report[scale.id] = ScaleReliability(
            scale=scale.id,
            alpha=cronbach_alpha(block),
            omega=mcdonald_omega(block),
            item_total=item_total_correlations(block),
        )
    return report
