"""Key drivers: which measures (the work environment, well-being) go with the outcome (burnout) here.

For each candidate driver the result gives its correlation with the outcome,
its standardised regression coefficient (beta, the change in outcome SDs per
SD of the driver with the others held fixed) and its relative weight (Johnson
2000): the driver's share of the model R-squared, which stays meaningful when
drivers are correlated and betas flip sign or shrink. Weights sum to R-squared.

Uncertainty is a percentile bootstrap of complete respondents. All resamples
are computed together: each resample is a vector of row counts, and every
correlation matrix follows from one matrix product of those counts with the
products of the z-scored columns. Above ``boot_rows`` complete respondents
(default 10,000) the bootstrap runs on a random subsample of that size and its
spread is shrunk by sqrt(m / n) (an m-out-of-n bootstrap): a 50,000-person
survey costs what a 10,000-person one does, and its intervals stay honest.

Johnson, J. W. (2000). A heuristic method for estimating the relative weight of
predictor variables in multiple regression. Multivariate Behavioral Research,
35(1), 1-19.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from analysis._checks import check_confidence

FloatArray = npt.NDArray[np.float64]

__all__ = ["Driver", "KeyDrivers", "key_drivers"]

# Keep each block of bootstrap row counts near this many cells (32 MB of float64).
_BLOCK_CELLS = 4_000_000
# A smallest eigenvalue below this share of the largest means collinear drivers.
_COLLINEAR = 1e-10


@dataclass(frozen=True)
class Driver:
    """One candidate driver. ``share`` is ``weight`` as a fraction of R-squared."""

    name: str
    column: int
    correlation: float
    beta: float
    beta_ci: tuple[float, float]
    weight: float
    weight_ci: tuple[float, float]
    share: float


@dataclass(frozen=True)
class KeyDrivers:
    """Drivers sorted by relative weight, largest first; ``result["name"]`` finds one."""

    drivers: tuple[Driver, ...]
    r_squared: float
    r_squared_ci: tuple[float, float]
    n_used: int
    n_dropped: int
    n_boot: int
    boot_rows: int
    confidence: float
    method: str = "standardised OLS betas; Johnson (2000) relative weights; percentile bootstrap"

    def __getitem__(self, name: str) -> Driver:
        for driver in self.drivers:
            if driver.name == name:
                return driver
        raise KeyError(name)


def key_drivers(
    outcome: npt.ArrayLike,
    predictors: npt.ArrayLike,
    names: Sequence[str],
    *,
    n_boot: int = 500,
    seed: int = 0,
    confidence: float = 0.95,
    min_n: int | None = None,
    boot_rows: int | None = 10_000,
) -> KeyDrivers:
    """Rank ``predictors`` (respondents x drivers) by their relative weight for ``outcome``.

    Rows with any NaN are dropped (listwise); at least ``min_n`` complete rows
    are required, by default ``max(30, 10 * drivers)``, so that a report never
    names drivers from a handful of people. ``n_boot=0`` skips the bootstrap
    (intervals are NaN). ``boot_rows`` caps the rows the bootstrap resamples
    (None: all); the bootstrap is seeded by ``seed``, so results repeat.
    """
    y, x = _matrices(outcome, predictors, names)
    _check_options(n_boot, confidence, boot_rows)
    complete = ~np.isnan(y) & ~np.isnan(x).any(axis=1)
    n, p = int(complete.sum()), x.shape[1]
    _check_enough_rows(n, p, min_n)
    z = _zscore(np.column_stack([x[complete], y[complete]]), [*names, "outcome"])
    corr = z.T @ z / (n - 1)
    beta, weight, r2 = (a[0] for a in _relative_weights(corr[None]))
    if np.isnan(r2):
        raise ValueError(
            "predictors: expected drivers that are not linear combinations of each other, got collinear columns"
        )
    m = n if boot_rows is None else min(boot_rows, n)
    ci = _bootstrap_cis(z, (beta, weight, r2), n_boot, m, seed, confidence)
    drivers = sorted(
        (
            Driver(
                names[j],
                j,
                correlation=float(corr[j, p]),
                beta=float(beta[j]),
                beta_ci=_pair(ci[0], j),
                weight=float(weight[j]),
                weight_ci=_pair(ci[1], j),
                share=float(weight[j] / r2),
            )
            for j in range(p)
        ),
        key=lambda d: (-d.weight, d.column),
    )
    r2_ci = (float(ci[2][0]), float(ci[2][1]))
    return KeyDrivers(tuple(drivers), float(r2), r2_ci, n, len(y) - n, n_boot, m, confidence)


def _bootstrap_cis(
    z: FloatArray,
    estimates: tuple[FloatArray, FloatArray, FloatArray],
    n_boot: int,
    m: int,
    seed: int,
    confidence: float,
) -> list[FloatArray]:
    """Percentile intervals (rows: low, high) for betas, weights and R-squared.

    With ``m`` below the row count, the bootstrap runs on a random subsample
    of ``m`` rows; its spread around the subsample's own estimate is shrunk by
    sqrt(m / n) and placed around the full-data estimate (m-out-of-n).
    """
    if n_boot == 0:
        return [np.full((2, *np.shape(e)), np.nan) for e in estimates]
    rng = np.random.default_rng(seed)
    n = len(z)
    sample, centres = z, estimates
    if m < n:
        sample = z[rng.choice(n, size=m, replace=False)]
        sub_beta, sub_weight, sub_r2 = _relative_weights(np.asarray(np.corrcoef(sample.T))[None])
        centres = (sub_beta[0], sub_weight[0], sub_r2[0])
    draws = _relative_weights(_bootstrap_correlations(sample, n_boot, rng))
    tail = (1 - confidence) / 2
    scale = np.sqrt(m / n)
    intervals = []
    for estimate, centre, draw in zip(estimates, centres, draws, strict=True):
        with np.errstate(invalid="ignore"):
            quantiles = np.nanquantile(draw, [tail, 1 - tail], axis=0)
        intervals.append(np.asarray(estimate + scale * (quantiles - centre), dtype=np.float64))
    return intervals


def _relative_weights(corr: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Betas, relative weights and R-squared for a stack of correlation matrices (outcome last).

    Johnson's method: with R_xx = V diag(lam) V', the symmetric root
    L = V diag(sqrt lam) V' maps the drivers to their closest orthonormal
    variables; regress the outcome on those (b* = L^-1 r_xy) and share each
    orthonormal variable's b*^2 back to the drivers in proportion to L^2.
    Singular matrices (collinear drivers, or a degenerate resample) give NaN.
    """
    p = corr.shape[-1] - 1
    rxx, rxy = corr[:, :p, :p], corr[:, :p, p]
    with np.errstate(invalid="ignore"):
        lam, vec = np.linalg.eigh(np.nan_to_num(rxx))
    finite = np.asarray(np.isfinite(corr).all(axis=(1, 2)), dtype=np.bool_)
    singular = ~finite | (lam[:, 0] <= _COLLINEAR * lam[:, -1])
    lam = np.where(singular[:, None], np.nan, lam)
    projected = np.einsum("bji,bj->bi", vec, np.nan_to_num(rxy))  # V' r_xy
    root = np.einsum("bij,bj,bkj->bik", vec, np.sqrt(lam), vec)
    b_star = np.einsum("bij,bj->bi", vec, projected / np.sqrt(lam))
    weight = np.einsum("bjk,bk->bj", root**2, b_star**2)
    beta = np.einsum("bij,bj->bi", vec, projected / lam)
    r2 = np.einsum("bi,bi->b", beta, rxy)
    return beta, weight, r2


def _bootstrap_correlations(z: FloatArray, n_boot: int, rng: np.random.Generator) -> FloatArray:
    """Correlation matrices of ``n_boot`` resamples of the rows of ``z``, drawn with replacement."""
    n, q = z.shape
    upper = np.triu_indices(q)
    products = np.column_stack([z, z[:, upper[0]] * z[:, upper[1]]])
    out = np.empty((n_boot, q, q))
    block = max(1, _BLOCK_CELLS // n)
    for start in range(0, n_boot, block):
        b = min(block, n_boot - start)
        rows = rng.integers(0, n, size=(b, n)) + n * np.arange(b)[:, None]
        counts = np.bincount(rows.ravel(), minlength=b * n).reshape(b, n)
        moments = (counts.astype(np.float64) @ products) / n
        second = np.empty((b, q, q))
        second[:, upper[0], upper[1]] = second[:, upper[1], upper[0]] = moments[:, q:]
        mean = moments[:, :q]
        cov = second - mean[:, :, None] * mean[:, None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            sd = np.sqrt(np.diagonal(cov, axis1=1, axis2=2))
            out[start : start + b] = cov / sd[:, :, None] / sd[:, None, :]
    return out


def _pair(ci: FloatArray, j: int) -> tuple[float, float]:
    return float(ci[0, j]), float(ci[1, j])


def _zscore(data: FloatArray, names: Sequence[str]) -> FloatArray:
    sd = data.std(axis=0, ddof=1)
    flat = sd <= 1e-12 * np.maximum(np.abs(data).max(axis=0), 1)
    if flat.any():
        j = int(np.argmax(flat))
        raise ValueError(
            f"{names[j]}: expected a measure that varies among complete respondents, got a constant"
        )
    return np.asarray((data - data.mean(axis=0)) / sd, dtype=np.float64)


def _matrices(
    outcome: npt.ArrayLike, predictors: npt.ArrayLike, names: Sequence[str]
) -> tuple[FloatArray, FloatArray]:
    y, x = _floats("outcome", outcome), _floats("predictors", predictors)
    if y.ndim != 1:
        raise ValueError(
            f"outcome: expected a 1-D array (one value per respondent), got shape {y.shape}"
        )
    if x.ndim != 2 or x.shape[0] != len(y) or x.shape[1] == 0:
        raise ValueError(
            f"predictors: expected shape ({len(y)}, drivers) to match outcome, got {x.shape}"
        )
    if (
        isinstance(names, str)
        or len(names) != x.shape[1]
        or not all(isinstance(s, str) for s in names)
    ):
        raise ValueError(
            f"names: expected {x.shape[1]} strings, one per predictor column, got {names!r}"
        )
    if len(set(names)) != len(names):
        raise ValueError(f"names: expected distinct names, got {list(names)!r}")
    return y, x


def _floats(name: str, values: npt.ArrayLike) -> FloatArray:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"{name}: expected numbers (NaN for missing), got {type(values).__name__}"
        ) from error
    if np.isinf(array).any():
        raise ValueError(f"{name}: expected finite numbers or NaN, got an infinite value")
    return array


def _check_options(n_boot: object, confidence: object, boot_rows: object) -> None:
    if isinstance(n_boot, bool) or not isinstance(n_boot, int) or n_boot < 0:
        raise ValueError(f"n_boot: expected a non-negative integer, got {n_boot!r}")
    check_confidence(confidence)
    if boot_rows is not None and (
        isinstance(boot_rows, bool) or not isinstance(boot_rows, int) or boot_rows < 30
    ):
        raise ValueError(
            f"boot_rows: expected None or an integer of at least 30, got {boot_rows!r}"
        )


def _check_enough_rows(n: int, p: int, min_n: object) -> None:
    if min_n is None:
        need = max(30, 10 * p)
    elif isinstance(min_n, bool) or not isinstance(min_n, int) or min_n < p + 2:
        raise ValueError(
            f"min_n: expected an integer of at least {p + 2} (drivers + 2), got {min_n!r}"
        )
    else:
        need = min_n
    if n < need:
        raise ValueError(
            f"outcome, predictors: expected at least {need} complete respondents for {p} drivers, got {n}"
        )
