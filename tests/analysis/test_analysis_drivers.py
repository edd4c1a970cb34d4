"""Key drivers: standardised betas and relative weights of work-environment measures.

Betas and R-squared are checked against statsmodels OLS on z-scored data, the
relative weights against their defining properties and pingouin's LMG
(Shapley) decomposition, the bootstrap against scipy.stats.bootstrap.
"""

import dataclasses

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import linalg, stats

from analysis.drivers import key_drivers

NAMES = ["pace", "ehr", "support", "values", "control"]


@pytest.fixture(scope="module")
def survey():
    """600 respondents, five correlated work-environment measures on their own scales."""
    rng = np.random.default_rng(2024)
    common = rng.normal(size=(600, 1))
    x = 0.6 * common + rng.normal(size=(600, 5)) * [0.5, 0.8, 1.0, 1.2, 0.7]
    burnout = x @ [0.4, 0.3, 0.0, -0.2, 0.1] + rng.normal(size=600)
    return burnout, x * [1, 10, 0.5, 3, 2] + [3, 40, 1, 0, 5]


def zscore(a):
    return (a - a.mean(axis=0)) / a.std(axis=0, ddof=1)


def ols_on_zscores(y, x):
    return sm.OLS(zscore(y), sm.add_constant(zscore(x))).fit()


def test_betas_are_the_ols_coefficients_of_z_scored_data(survey):
    y, x = survey
    result = key_drivers(y, x, NAMES, n_boot=0)
    fit = ols_on_zscores(y, x)
    for j, name in enumerate(NAMES):
        # statsmodels OLS(zscore(y), add_constant(zscore(x))).fit().params[1 + j]
        assert result[name].beta == pytest.approx(fit.params[1 + j], abs=1e-12)
        # scipy.stats.pearsonr(x[:, j], y).statistic
        assert result[name].correlation == pytest.approx(stats.pearsonr(x[:, j], y).statistic)
    # statsmodels OLS(y, add_constant(x)).fit().rsquared
    assert result.r_squared == pytest.approx(sm.OLS(y, sm.add_constant(x)).fit().rsquared)


def test_relative_weights_share_out_the_model_r_squared(survey):
    y, x = survey
    result = key_drivers(y, x, NAMES, n_boot=0)
    weights = [d.weight for d in result.drivers]
    # statsmodels OLS(y, add_constant(x)).fit().rsquared
    assert sum(weights) == pytest.approx(fit_r2 := sm.OLS(y, sm.add_constant(x)).fit().rsquared)
    assert sum(d.share for d in result.drivers) == pytest.approx(1.0)
    assert all(w >= 0 for w in weights) and result.r_squared == pytest.approx(fit_r2)


def test_uncorrelated_drivers_weigh_their_squared_correlations():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(2, 200))
    b = b - (b - b.mean()) @ (a - a.mean()) / ((a - a.mean()) @ (a - a.mean())) * (a - a.mean())
    y = 0.5 * a + 0.2 * b + rng.normal(size=200)
    x = np.column_stack([a, b])
    result = key_drivers(y, x, ["a", "b"], n_boot=0)
    lmg = pg.linear_regression(pd.DataFrame(x, columns=["a", "b"]), y, relimp=True)
    for j, name in enumerate(["a", "b"]):
        # scipy.stats.pearsonr(x[:, j], y).statistic ** 2
        assert result[name].weight == pytest.approx(stats.pearsonr(x[:, j], y).statistic ** 2)
        # pingouin.linear_regression(X, y, relimp=True)["relimp"] (LMG/Shapley)
        assert result[name].weight == pytest.approx(lmg["relimp"].iloc[1 + j])


def test_relative_weights_come_close_to_the_shapley_decomposition(survey):
    y, x = survey
    result = key_drivers(y, x, NAMES, n_boot=0)
    # pingouin.linear_regression(X, y, relimp=True)["relimp"]: LMG, the exact Shapley
    # decomposition; Johnson (2000) shows relative weights approximate it closely.
    lmg = pg.linear_regression(pd.DataFrame(x, columns=NAMES), y, relimp=True)
    for j, name in enumerate(NAMES):
        assert result[name].weight == pytest.approx(lmg["relimp"].iloc[1 + j], abs=0.01)


def test_drivers_are_listed_from_most_to_least_important(survey):
    y, x = survey
    result = key_drivers(y, x, NAMES, n_boot=0)
    weights = [d.weight for d in result.drivers]
    assert weights == sorted(weights, reverse=True)
    # "support" has no effect of its own in the simulation and comes last.
    assert [d.name for d in result.drivers] == ["ehr", "pace", "values", "control", "support"]
    assert result["support"].column == 2
    with pytest.raises(KeyError):
        result["workload"]


def test_incomplete_respondents_are_dropped_listwise_and_counted(survey):
    y, x = survey
    y, x = y.copy(), x.copy()
    x[:10, 1] = np.nan
    y[5:15] = np.nan
    result = key_drivers(y, x, NAMES, n_boot=0)
    complete = key_drivers(y[15:], x[15:], NAMES, n_boot=0)
    assert (result.n_used, result.n_dropped) == (585, 15)
    assert result["ehr"].beta == pytest.approx(complete["ehr"].beta)


def test_a_yes_no_outcome_gives_linear_probability_betas(survey):
    y, x = survey
    burned_out = (y > np.median(y)).astype(float)
    result = key_drivers(burned_out, x, NAMES, n_boot=0)
    fit = ols_on_zscores(burned_out, x)
    # statsmodels OLS(zscore(burned_out), add_constant(zscore(x))).fit().params
    assert [result[n].beta for n in NAMES] == pytest.approx(list(fit.params[1:]))


def johnson_weights(y, x):
    """Relative weights written out as Johnson (2000, pp. 8-9) gives them, independently.

    R_xx = P D P'; Lambda = P D^(1/2) P' (here scipy.linalg.sqrtm); beta* = Lambda^-1 r_xy;
    epsilon_j = sum_k lambda_jk^2 beta*_k^2. Correlations from numpy.corrcoef.
    """
    corr = np.corrcoef(np.column_stack([x, y]), rowvar=False)
    root = np.real(linalg.sqrtm(corr[:-1, :-1]))
    return (root**2) @ np.linalg.solve(root, corr[:-1, -1]) ** 2


def test_relative_weights_follow_johnsons_formulas(survey):
    y, x = survey
    result = key_drivers(y, x, NAMES, n_boot=0)
    # Johnson (2000), Multivariate Behav Res 35(1):1-19, eqs. for Lambda and epsilon.
    expected = johnson_weights(y, x)
    assert [result[n].weight for n in NAMES] == pytest.approx(list(expected), abs=1e-10)


def test_the_weights_bootstrap_agrees_with_scipys_percentile_bootstrap(survey):
    y, x = survey
    y, x = y[:300], x[:300, :3]
    result = key_drivers(y, x, NAMES[:3], n_boot=1500, seed=5)

    def weights(*columns):
        data = np.column_stack(columns)
        return johnson_weights(data[:, -1], data[:, :-1])

    # scipy.stats.bootstrap((x1, x2, x3, y), johnson_weights, paired=True,
    # method="percentile"): the same resampling scheme with an independent statistic;
    # two independent Monte Carlo runs of 1,500 resamples differ by under 0.01 here.
    ref = stats.bootstrap(
        (*x.T, y),
        weights,
        paired=True,
        vectorized=False,
        n_resamples=1500,
        method="percentile",
        rng=6,
    )
    for j, name in enumerate(NAMES[:3]):
        ci = (ref.confidence_interval.low[j], ref.confidence_interval.high[j])
        assert result[name].weight_ci == pytest.approx(ci, abs=0.01)


# --- bootstrap ---------------------------------------------------------------


def test_the_bootstrap_is_seeded_and_its_intervals_hold_the_estimates(survey):
    y, x = survey
    first = key_drivers(y, x, NAMES, n_boot=200, seed=3)
    assert first == key_drivers(y, x, NAMES, n_boot=200, seed=3)
    assert first != key_drivers(y, x, NAMES, n_boot=200, seed=4)
    for d in first.drivers:
        assert d.beta_ci[0] < d.beta < d.beta_ci[1]
        assert d.weight_ci[0] <= d.weight <= d.weight_ci[1]
    assert first.r_squared_ci[0] < first.r_squared < first.r_squared_ci[1]
    assert (first.n_boot, first.boot_rows, first.confidence) == (200, 600, 0.95)


def test_the_bootstrap_interval_agrees_with_scipys_percentile_bootstrap():
    rng = np.random.default_rng(8)
    x = rng.normal(size=400)
    y = 0.4 * x + rng.normal(size=400)
    result = key_drivers(y, x[:, None], ["x"], n_boot=4000, seed=1)

    def r(a, b):
        return stats.pearsonr(a, b).statistic

    # scipy.stats.bootstrap((x, y), r, paired=True, method="percentile"): with one
    # driver, beta and the correlation coincide; Monte Carlo error allows 0.01.
    ref = stats.bootstrap(
        (x, y), r, paired=True, vectorized=False, n_resamples=4000, method="percentile", rng=2
    )
    ci = ref.confidence_interval
    assert result["x"].beta_ci == pytest.approx((ci.low, ci.high), abs=0.01)


def test_the_bootstrap_of_a_large_survey_matches_normal_theory(survey):
    rng = np.random.default_rng(9)
    x = rng.normal(size=(20_000, 3)) @ [[1, 0.3, 0.2], [0, 1, 0.4], [0, 0, 1]]
    y = x @ [0.3, -0.2, 0.1] + rng.normal(size=20_000)
    full = key_drivers(y, x, ["a", "b", "c"], n_boot=300, boot_rows=None)
    fit = ols_on_zscores(y, x)
    # statsmodels OLS(zscore(y), add_constant(zscore(x))).fit().conf_int(): large-sample
    # intervals; the bootstrap also carries the SDs' uncertainty, hence abs=0.004.
    for j, name in enumerate(["a", "b", "c"]):
        assert full[name].beta_ci == pytest.approx(tuple(fit.conf_int()[1 + j]), abs=0.004)
    # Bootstrapping a 5,000-row subsample and rescaling by sqrt(m / n) gives the same.
    sub = key_drivers(y, x, ["a", "b", "c"], n_boot=300, boot_rows=5_000)
    assert sub.boot_rows == 5_000
    for name in ["a", "b", "c"]:
        assert sub[name].beta_ci == pytest.approx(full[name].beta_ci, abs=0.004)
        assert sub[name].weight_ci == pytest.approx(full[name].weight_ci, abs=0.004)


def test_without_a_bootstrap_the_intervals_are_unknown(survey):
    y, x = survey
    result = key_drivers(y, x, NAMES, n_boot=0)
    assert np.isnan(result["pace"].beta_ci).all() and np.isnan(result.r_squared_ci).all()


def test_the_result_is_immutable(survey):
    y, x = survey
    result = key_drivers(y, x, NAMES, n_boot=0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.r_squared = 1.0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.drivers[0].beta = 1.0  # type: ignore[misc]


@settings(max_examples=40, deadline=None)
@given(
    scale=st.floats(0.01, 100).flatmap(lambda s: st.sampled_from([s, -s])),
    shift=st.floats(-1000, 1000),
)
def test_rescaling_a_driver_changes_neither_its_beta_nor_its_weight(survey, scale, shift):
    y, x = survey
    moved = x.copy()
    moved[:, 1] = moved[:, 1] * scale + shift
    base = key_drivers(y, x, NAMES, n_boot=0)
    rescaled = key_drivers(y, moved, NAMES, n_boot=0)
    sign = np.sign(scale)
    assert rescaled["ehr"].beta == pytest.approx(sign * base["ehr"].beta, rel=1e-9)
    assert rescaled["ehr"].weight == pytest.approx(base["ehr"].weight, rel=1e-9)
    assert rescaled["pace"].weight == pytest.approx(base["pace"].weight, rel=1e-9)


# --- refusals ----------------------------------------------------------------


def test_it_refuses_to_name_drivers_from_a_handful_of_people(survey):
    y, x = survey
    with pytest.raises(
        ValueError, match="expected at least 50 complete respondents for 5 drivers, got 49"
    ):
        key_drivers(y[:49], x[:49], NAMES)
    with pytest.raises(
        ValueError, match="expected at least 30 complete respondents for 1 drivers, got 29"
    ):
        key_drivers(y[:29], x[:29, :1], NAMES[:1])
    with pytest.raises(ValueError, match="expected at least 100 complete respondents"):
        key_drivers(y[:99], x[:99], NAMES, min_n=100)
    assert key_drivers(y[:20], x[:20], NAMES, min_n=20, n_boot=0).n_used == 20


def test_missing_answers_count_against_the_minimum(survey):
    y, x = survey
    x = x[:60].copy()
    x[:15, 0] = np.nan
    with pytest.raises(ValueError, match="got 45"):
        key_drivers(y[:60], x, NAMES)


@pytest.mark.parametrize("bad", [6, 2.5, True, "50"])
def test_a_minimum_too_small_for_the_model_is_refused(survey, bad):
    y, x = survey
    with pytest.raises(
        ValueError, match=r"min_n: expected an integer of at least 7 \(drivers \+ 2\)"
    ):
        key_drivers(y, x, NAMES, min_n=bad)


def test_mismatched_shapes_are_refused_by_name(survey):
    y, x = survey
    with pytest.raises(ValueError, match=r"predictors: expected shape \(599, drivers\)"):
        key_drivers(y[:-1], x, NAMES)
    with pytest.raises(
        ValueError, match=r"predictors: expected shape \(600, drivers\) .* got \(600,\)"
    ):
        key_drivers(y, x[:, 0], NAMES[:1])
    with pytest.raises(ValueError, match=r"outcome: expected a 1-D array"):
        key_drivers(x, x, NAMES)
    with pytest.raises(ValueError, match="names: expected 5 strings"):
        key_drivers(y, x, NAMES[:4])
    with pytest.raises(ValueError, match="names: expected distinct names"):
        key_drivers(y, x, ["a", "a", "b", "c", "d"])


def test_a_measure_nobody_varies_on_is_refused(survey):
    y, x = survey
    x = x.copy()
    x[:, 2] = 4.0
    with pytest.raises(ValueError, match="support: expected a measure that varies"):
        key_drivers(y, x, NAMES)


def test_drivers_that_are_sums_of_others_are_refused(survey):
    y, x = survey
    x = np.column_stack([x, x[:, 0] + x[:, 1]])
    with pytest.raises(
        ValueError, match="predictors: expected drivers that are not linear combinations"
    ):
        key_drivers(y, x, [*NAMES, "sum"])


def test_infinite_values_are_refused_rather_than_dropped(survey):
    y, x = survey
    x = x.copy()
    x[3, 3] = np.inf
    with pytest.raises(ValueError, match="predictors: expected finite numbers or NaN"):
        key_drivers(y, x, NAMES)


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ({"n_boot": -1}, "n_boot: expected a non-negative integer"),
        ({"n_boot": 1.5}, "n_boot: expected a non-negative integer"),
        ({"confidence": 1.0}, "confidence: expected a number strictly between 0 and 1"),
        ({"boot_rows": 10}, "boot_rows: expected None or an integer of at least 30"),
    ],
)
def test_bad_options_are_refused_by_name(survey, option, message):
    y, x = survey
    with pytest.raises(ValueError, match=message):
        key_drivers(y, x, NAMES, **option)
