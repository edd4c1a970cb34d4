"""Reliability statistics checked against pingouin on the same data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

import instruments


@pytest.fixture(scope="module")
def pingouin_items() -> pd.DataFrame:
    # pingouin's bundled 'cronbach_alpha' dataset: 15 subjects x 10 items, Likert 1-7 (long format).
    data = pg.read_dataset("cronbach_alpha")
    return data.pivot_table(index="Subj", columns="Items", values="Scores")


def test_alpha_matches_pingouin_on_its_own_dataset(pingouin_items: pd.DataFrame) -> None:
    # pingouin: pg.cronbach_alpha(data=wide) -> (alpha, array([ci_low, ci_high])), CI rounded to 3 dp.
    expected, ci = pg.cronbach_alpha(data=pingouin_items)
    ours = instruments.cronbach_alpha(pingouin_items.to_numpy())
    assert ours.alpha == pytest.approx(expected, abs=1e-12)
    assert (ours.ci_low, ours.ci_high) == pytest.approx(tuple(ci), abs=5e-4)
    assert (ours.n, ours.k) == (15, 10)


def test_alpha_with_missing_values_matches_pingouin_pairwise_and_listwise() -> None:
    # pingouin 'cronbach_wide_missing': binary items with NaN; pg.cronbach_alpha(data, nan_policy=...).
    data = pg.read_dataset("cronbach_wide_missing")
    expected, ci = pg.cronbach_alpha(data=data, nan_policy="pairwise")
    ours = instruments.cronbach_alpha(data.to_numpy(dtype=float), nan_policy="pairwise")
    assert ours.alpha == pytest.approx(expected, abs=1e-12)
    assert (ours.ci_low, ours.ci_high) == pytest.approx(tuple(ci), abs=5e-4)
    # Listwise: pingouin keeps the pre-deletion n in its CI; we use the complete rows, so
    # compare with pingouin on the already-complete rows (same alpha either way).
    complete = data.dropna()
    expected, ci = pg.cronbach_alpha(data=complete)
    ours = instruments.cronbach_alpha(data.to_numpy(dtype=float), nan_policy="listwise")
    assert ours.alpha == pytest.approx(expected, abs=1e-12)
    assert (ours.ci_low, ours.ci_high) == pytest.approx(tuple(ci), abs=5e-4)
    assert ours.n == len(complete)


def _exact_one_factor_sample(loadings: np.ndarray, n: int = 400) -> np.ndarray:
    """Data whose sample correlation matrix is exactly the one-factor model's."""
    k = len(loadings)
    sigma = np.outer(loadings, loadings)
    np.fill_diagonal(sigma, 1.0)
    z = np.random.default_rng(3).standard_normal((n, k))
    z -= z.mean(axis=0)
    whitened = z @ np.linalg.inv(np.linalg.cholesky(np.cov(z, rowvar=False))).T
    return whitened @ np.linalg.cholesky(sigma).T


def test_omega_recovers_a_known_one_factor_model() -> None:
    # McDonald's omega_t = (sum l)^2 / ((sum l)^2 + sum(1 - l^2)) for standardised loadings l.
    loadings = np.array([0.8, 0.7, 0.6, 0.5, 0.75])
    expected = loadings.sum() ** 2 / (loadings.sum() ** 2 + (1 - loadings**2).sum())
    omega = instruments.mcdonald_omega(_exact_one_factor_sample(loadings))
    assert omega.omega == pytest.approx(expected, abs=1e-6)
    assert omega.loadings == pytest.approx(tuple(loadings), abs=1e-5)


def test_omega_equals_standardised_alpha_for_equal_loadings() -> None:
    # Tau-equivalent standardised items: omega == alpha (pingouin on the same data).
    data = _exact_one_factor_sample(np.full(6, 0.6))
    alpha, _ci = pg.cronbach_alpha(data=pd.DataFrame(data / data.std(axis=0, ddof=1)))
    assert instruments.mcdonald_omega(data).omega == pytest.approx(alpha, abs=1e-6)


def test_item_total_correlations_match_scipy_pearson(pingouin_items: pd.DataFrame) -> None:
    from scipy import stats

    data = pingouin_items.to_numpy()
    ours = instruments.item_total_correlations(data)
    for j, r in enumerate(ours):
        rest = np.delete(data, j, axis=1).sum(axis=1)
        assert r == pytest.approx(stats.pearsonr(data[:, j], rest).statistic, abs=1e-12)


def test_reliability_reports_every_multi_item_scale_after_reverse_keying() -> None:
    rng = np.random.default_rng(11)
    trait = rng.normal(size=500)
    pss = instruments.get("pss10")
    codes = np.column_stack(
        [
            np.clip(np.rint(2 + (-trait if item.reverse else trait) + rng.normal(size=500)), 0, 4)
            for item in pss.items
        ]
    ).astype(int)
    report = instruments.reliability(pss, codes)
    assert set(report) == {"total"}
    assert report["total"].alpha.alpha > 0.8  # reverse keys applied: items agree
    assert report["total"].omega.omega > 0.8
    assert min(report["total"].item_total) > 0.3


def test_it_refuses_bad_arguments() -> None:
    with pytest.raises(ValueError, match="confidence"):
        instruments.cronbach_alpha(np.ones((5, 3)), confidence=1.5)
    with pytest.raises(ValueError, match="data"):
        instruments.cronbach_alpha(np.ones((5,)))
