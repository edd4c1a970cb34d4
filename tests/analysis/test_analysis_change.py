"""Change between waves: per-group differences, their intervals and tests, and trends.

Every statistic is checked against scipy or statsmodels on the same data, with
the reference call in a comment next to the assert.
"""

import dataclasses

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import example, given
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats import proportion as smp

from analysis.change import WaveSummary, mean_change, rate_change, trend


def summary(values):
    values = np.asarray(values, dtype=float)
    return len(values), values.mean(), values.std(ddof=1)


@pytest.fixture
def two_waves():
    rng = np.random.default_rng(7)
    return rng.normal(3.1, 0.9, 48), rng.normal(3.6, 1.4, 31)


# --- mean_change -------------------------------------------------------------


def test_mean_change_is_welchs_t_test_on_the_raw_scores(two_waves):
    first, second = two_waves
    table = mean_change(*map(np.atleast_1d, summary(first) + summary(second)), min_size=5)
    welch = stats.ttest_ind(second, first, equal_var=False)
    # scipy.stats.ttest_ind(second, first, equal_var=False): wave 2 minus wave 1
    assert table.difference[0] == pytest.approx(second.mean() - first.mean())
    assert table.statistic[0] == pytest.approx(welch.statistic)
    assert table.p_value[0] == pytest.approx(welch.pvalue)
    assert table.df[0] == pytest.approx(welch.df)
    ci = welch.confidence_interval(0.95)
    assert (table.ci_low[0], table.ci_high[0]) == pytest.approx((ci.low, ci.high))
    assert table.method == "welch_t" and table.comparable[0] and table.reason == ("",)


def test_mean_change_uses_the_requested_confidence_level(two_waves):
    first, second = two_waves
    table = mean_change(
        *map(np.atleast_1d, summary(first) + summary(second)), min_size=5, confidence=0.9
    )
    # scipy.stats.ttest_ind(second, first, equal_var=False).confidence_interval(0.9)
    ci = stats.ttest_ind(second, first, equal_var=False).confidence_interval(0.9)
    assert (table.ci_low[0], table.ci_high[0]) == pytest.approx((ci.low, ci.high))


def test_mean_change_computes_every_group_at_once_like_ttest_ind_from_stats():
    rng = np.random.default_rng(11)
    n1, n2 = rng.integers(5, 200, 40), rng.integers(5, 200, 40)
    mean1, mean2 = rng.uniform(1, 5, 40), rng.uniform(1, 5, 40)
    sd1, sd2 = rng.uniform(0.3, 2, 40), rng.uniform(0.3, 2, 40)
    table = mean_change(n1, mean1, sd1, n2, mean2, sd2, min_size=5)
    for g in range(40):
        # scipy.stats.ttest_ind_from_stats(mean2, sd2, n2, mean1, sd1, n1, equal_var=False)
        ref = stats.ttest_ind_from_stats(
            mean2[g], sd2[g], n2[g], mean1[g], sd1[g], n1[g], equal_var=False
        )
        assert table.statistic[g] == pytest.approx(ref.statistic)
        assert table.p_value[g] == pytest.approx(ref.pvalue)


def test_a_change_is_flagged_only_where_its_interval_excludes_zero():
    table = mean_change(
        [200, 200, 200],
        [3.0, 3.0, 3.0],
        [1, 1, 1],
        [200, 200, 200],
        [3.5, 3.1, 2.5],
        [1, 1, 1],
        min_size=5,
    )
    assert table.significant.tolist() == [True, False, True]
    excludes = (table.ci_low > 0) | (table.ci_high < 0)
    assert (table.significant == excludes).all()
    # For Welch's t the interval and the test agree: flagged exactly when p < 0.05.
    assert (table.significant == (table.p_value < 0.05)).all()


def test_it_does_not_compare_a_group_below_the_minimum_size_in_either_wave():
    table = mean_change(
        [4, 30, 3, 30],
        [3.0, 3.0, 3.0, 3.0],
        [1, 1, 1, 1],
        [30, 4, 2, 30],
        [4.0, 4.0, 4.0, 4.0],
        [1, 1, 1, 1],
        min_size=5,
    )
    assert table.comparable.tolist() == [False, False, False, True]
    assert np.isnan(table.difference[:3]).all() and np.isnan(table.p_value[:3]).all()
    assert not table.significant[:3].any()
    assert table.reason[:3] == (
        "not compared: fewer than 5 responses in wave 1",
        "not compared: fewer than 5 responses in wave 2",
        "not compared: fewer than 5 responses in both waves",
    )


def test_missing_means_are_accepted_for_groups_too_small_to_compare():
    table = mean_change(
        [0, 30], [np.nan, 3.0], [np.nan, 1.0], [0, 30], [np.nan, 3.2], [np.nan, 1.0], min_size=5
    )
    assert table.comparable.tolist() == [False, True]


def test_a_single_response_is_never_tested_even_when_the_minimum_size_is_one():
    table = mean_change([1], [3.0], [np.nan], [40], [3.5], [1.0], min_size=1)
    assert not table.comparable[0] and "fewer than 2 responses in wave 1" in table.reason[0]


def test_a_group_without_spread_gets_its_difference_but_no_test():
    table = mean_change([10], [3.0], [0.0], [12], [4.0], [0.0], min_size=5)
    assert table.difference[0] == 1.0 and table.comparable[0]
    assert np.isnan(table.p_value[0]) and not table.significant[0]
    assert table.reason[0] == "no test: no variation within either wave"


@given(
    n=st.tuples(st.integers(2, 500), st.integers(2, 500)),
    means=st.tuples(st.floats(0, 10), st.floats(0, 10)),
    sds=st.tuples(st.floats(0.01, 5), st.floats(0.01, 5)),
)
def test_swapping_the_waves_flips_the_sign_of_a_mean_change(n, means, sds):
    forward = mean_change([n[0]], [means[0]], [sds[0]], [n[1]], [means[1]], [sds[1]], min_size=2)
    back = mean_change([n[1]], [means[1]], [sds[1]], [n[0]], [means[0]], [sds[0]], min_size=2)
    assert back.difference[0] == pytest.approx(-forward.difference[0], abs=1e-12)
    assert back.ci_low[0] == pytest.approx(-forward.ci_high[0], abs=1e-9)
    assert back.p_value[0] == pytest.approx(forward.p_value[0])
    assert back.significant[0] == forward.significant[0]


# --- rate_change -------------------------------------------------------------


def test_rate_change_is_newcombes_interval_as_in_statsmodels():
    k1, n1 = np.array([48, 9, 5, 0, 30]), np.array([80, 30, 56, 29, 30])
    k2, n2 = np.array([56, 3, 0, 4, 30]), np.array([70, 30, 29, 40, 30])
    table = rate_change(k1, n1, k2, n2, min_size=5)
    for g in range(len(k1)):
        # statsmodels computes count1/nobs1 - count2/nobs2, so wave 2 goes first:
        # statsmodels.stats.proportion.confint_proportions_2indep(k2, n2, k1, n1, method="newcomb", compare="diff")
        low, high = smp.confint_proportions_2indep(
            k2[g], n2[g], k1[g], n1[g], method="newcomb", compare="diff"
        )
        assert (table.ci_low[g], table.ci_high[g]) == pytest.approx((low, high))
        assert table.difference[g] == pytest.approx(k2[g] / n2[g] - k1[g] / n1[g])


def test_rate_change_reproduces_newcombes_published_examples():
    # Newcombe (1998), Stat Med 17:873-890, Table II, method 10:
    # 56/70 - 48/80 -> (0.0524, 0.3339); 9/10 - 3/10 -> (0.1705, 0.8090); 5/56 - 0/29 -> (-0.0381, 0.1926)
    table = rate_change([48, 3, 0], [80, 10, 29], [56, 9, 5], [70, 10, 56], min_size=5)
    assert table.ci_low == pytest.approx([0.0524, 0.1705, -0.0381], abs=5e-5)
    assert table.ci_high == pytest.approx([0.3339, 0.8090, 0.1926], abs=5e-5)


def test_rate_change_p_value_is_the_pooled_two_proportion_z_test():
    table = rate_change([48, 20], [80, 100], [56, 31], [70, 95], min_size=5)
    for g, (k1, n1, k2, n2) in enumerate([(48, 80, 56, 70), (20, 100, 31, 95)]):
        # statsmodels.stats.proportion.proportions_ztest([k2, k1], [n2, n1])
        z, p = smp.proportions_ztest([k2, k1], [n2, n1])
        assert (table.statistic[g], table.p_value[g]) == pytest.approx((z, p))
        # statsmodels.stats.proportion.test_proportions_2indep(k2, n2, k1, n1, method="score", correction=False)
        score = smp.test_proportions_2indep(k2, n2, k1, n1, method="score", correction=False)
        assert table.p_value[g] == pytest.approx(score.pvalue)
    assert table.method == "newcombe_z" and np.isinf(table.df).all()


def test_two_waves_with_no_cases_show_no_change_rather_than_no_answer():
    table = rate_change([0, 40], [40, 40], [0, 30], [30, 30], min_size=5)
    # proportions_ztest returns nan here (0/0); the difference is exactly zero.
    assert table.difference.tolist() == [0.0, 0.0]
    assert table.p_value.tolist() == [1.0, 1.0] and not table.significant.any()
    assert table.ci_low[0] < 0 < table.ci_high[0]


def test_rate_change_does_not_compare_small_groups():
    table = rate_change([1, 10], [4, 40], [2, 12], [30, 40], min_size=5)
    assert table.comparable.tolist() == [False, True]
    assert np.isnan([table.difference[0], table.ci_low[0], table.p_value[0]]).all()
    assert table.reason[0] == "not compared: fewer than 5 responses in wave 1"


@given(
    wave1=st.integers(1, 300).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
    wave2=st.integers(1, 300).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
)
@example(wave1=(0, 3), wave2=(38, 38))  # rounding once put the upper limit above 1
def test_swapping_the_waves_flips_the_sign_of_a_rate_change(wave1, wave2):
    (k1, n1), (k2, n2) = wave1, wave2
    forward = rate_change([k1], [n1], [k2], [n2], min_size=1)
    back = rate_change([k2], [n2], [k1], [n1], min_size=1)
    assert back.difference[0] == pytest.approx(-forward.difference[0], abs=1e-12)
    assert (back.ci_low[0], back.ci_high[0]) == pytest.approx(
        (-forward.ci_high[0], -forward.ci_low[0]), abs=1e-12
    )
    assert back.p_value[0] == pytest.approx(forward.p_value[0])
    assert -1 <= forward.ci_low[0] <= forward.difference[0] <= forward.ci_high[0] <= 1


# --- trend -------------------------------------------------------------------


@pytest.fixture
def four_waves():
    rng = np.random.default_rng(5)
    return [rng.normal(3.0 + 0.15 * w, 1.0 + 0.1 * w, 25 + 7 * w) for w in range(4)]


def pooled_ols(waves, times):
    y = np.concatenate(waves)
    t = np.concatenate([np.full(len(v), time) for v, time in zip(waves, times, strict=True)])
    return sm.OLS(y, sm.add_constant(t)).fit()


def test_trend_is_the_least_squares_slope_through_every_respondent(four_waves):
    result = trend([WaveSummary.from_values(v) for v in four_waves], min_size=5)
    # statsmodels OLS(y, add_constant(wave index)) on the pooled individual scores
    fit = pooled_ols(four_waves, range(4))
    assert result.slope[0] == pytest.approx(fit.params[1])
    assert result.se[0] == pytest.approx(fit.bse[1])
    assert result.df[0] == pytest.approx(fit.df_resid)
    assert result.p_value[0] == pytest.approx(fit.pvalues[1])
    assert (result.ci_low[0], result.ci_high[0]) == pytest.approx(tuple(fit.conf_int()[1]))
    assert result.waves_used.tolist() == [4] and result.reason == ("",)


def test_trend_slope_equals_the_respondent_weighted_line_through_the_wave_means(four_waves):
    result = trend([WaveSummary.from_values(v) for v in four_waves], min_size=5)
    means = [v.mean() for v in four_waves]
    # statsmodels WLS(means, add_constant(wave index), weights=n).fit().params[1]
    wls = sm.WLS(means, sm.add_constant(np.arange(4.0)), weights=[len(v) for v in four_waves]).fit()
    assert result.slope[0] == pytest.approx(wls.params[1])


def test_trend_accepts_the_times_of_the_waves(four_waves):
    times = [2021.0, 2022.0, 2024.0, 2025.5]
    result = trend(
        [WaveSummary.from_values(v) for v in four_waves], min_size=5, times=times, confidence=0.9
    )
    fit = pooled_ols(four_waves, times)
    # statsmodels OLS(...).fit().conf_int(alpha=0.1): slope per year
    assert result.slope[0] == pytest.approx(fit.params[1])
    assert (result.ci_low[0], result.ci_high[0]) == pytest.approx(tuple(fit.conf_int(alpha=0.1)[1]))


def test_trend_leaves_out_waves_below_the_minimum_size(four_waves):
    waves = list(four_waves)
    waves[1] = waves[1][:3]
    result = trend([WaveSummary.from_values(v) for v in waves], min_size=5)
    # statsmodels OLS on the pooled scores of waves 0, 2 and 3 only
    fit = pooled_ols([waves[0], waves[2], waves[3]], [0, 2, 3])
    assert result.waves_used.tolist() == [3]
    assert (result.slope[0], result.se[0]) == pytest.approx((fit.params[1], fit.bse[1]))


def test_trend_computes_groups_at_once_and_skips_groups_with_too_few_waves(four_waves):
    second = [v + 0.5 for v in four_waves]
    stats_ = [(summary(a), summary(b)) for a, b in zip(four_waves, second, strict=True)]
    waves = [
        WaveSummary.of([a[0], b[0], 3], [a[1], b[1], 2.0], [a[2], b[2], 1.0]) for a, b in stats_
    ]
    result = trend(waves, min_size=5)
    assert result.slope[1] == pytest.approx(result.slope[0])  # a level shift leaves the slope alone
    assert not result.comparable[2] and np.isnan(result.slope[2])
    assert result.reason[2] == "not compared: 0 of 4 waves reach 5 responses, 3 needed"


@given(shift=st.floats(-2, 2))
def test_adding_a_steady_rise_to_the_means_adds_it_to_the_slope(shift):
    n, means, sds = [40, 55, 38], [3.0, 3.4, 3.1], [1.0, 1.2, 0.9]
    base = trend(
        [WaveSummary.of([k], [m], [s]) for k, m, s in zip(n, means, sds, strict=True)], min_size=5
    )
    moved = trend(
        [
            WaveSummary.of([k], [m + shift * t], [s])
            for t, (k, m, s) in enumerate(zip(n, means, sds, strict=True))
        ],
        min_size=5,
    )
    assert moved.slope[0] == pytest.approx(base.slope[0] + shift, abs=1e-9)


def test_a_trend_needs_three_waves():
    two = [WaveSummary.of([30], [3.0], [1.0])] * 2
    with pytest.raises(ValueError, match="waves: expected at least 3 waves for a trend, got 2"):
        trend(two, min_size=5)


@pytest.mark.parametrize("times", [[0, 2, 1], [0, 1], [0, 1, np.nan]])
def test_trend_refuses_times_that_do_not_increase_one_per_wave(times):
    waves = [WaveSummary.of([30], [3.0], [1.0])] * 3
    with pytest.raises(ValueError, match="times: expected 3 finite, increasing times"):
        trend(waves, min_size=5, times=times)


def test_trend_refuses_anything_but_wave_summaries():
    with pytest.raises(TypeError, match="waves: expected a sequence of WaveSummary"):
        trend([[1.0, 2.0]] * 3, min_size=5)


def test_a_wave_summary_from_raw_scores_leaves_out_unscored_responses():
    wave = WaveSummary.from_values([1.0, np.nan, 3.0, 5.0])
    assert (wave.n[0], wave.mean[0], wave.sd[0]) == (3, 3.0, 2.0)


# --- results and input errors ------------------------------------------------


def test_results_are_immutable_and_do_not_freeze_the_callers_arrays():
    n = np.array([30.0])
    table = mean_change(n, [3.0], [1.0], [30], [3.5], [1.0], min_size=5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        table.difference = np.zeros(1)  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        table.difference[0] = 0.0
    n[0] = 31.0  # still the caller's, still writable
    assert len(table) == 1


def test_mismatched_lengths_are_refused_by_name():
    with pytest.raises(ValueError, match=r"n2: expected length 2 \(as n1\), got 1"):
        mean_change([30, 30], [3, 3], [1, 1], [30], [3], [1], min_size=5)
    with pytest.raises(ValueError, match=r"mean1: expected length 2 \(as n1\), got 3"):
        mean_change([30, 30], [3, 3, 3], [1, 1], [30, 30], [3, 3], [1, 1], min_size=5)
    with pytest.raises(ValueError, match=r"k2: expected length 1 \(as n1\), got 2"):
        rate_change([3], [30], [3, 4], [30], min_size=5)


@pytest.mark.parametrize("bad", [-1, 2.5, np.nan, np.inf])
def test_counts_must_be_non_negative_whole_numbers(bad):
    with pytest.raises(ValueError, match=r"n1\[1\]: expected a non-negative whole count"):
        rate_change([3, 0], [30, bad], [3, 3], [30, 30], min_size=5)
    with pytest.raises(ValueError, match=r"n1\[1\]: expected a non-negative whole count"):
        mean_change([30, bad], [3, 3], [1, 1], [30, 30], [3, 3], [1, 1], min_size=5)


def test_more_cases_than_responses_is_refused():
    with pytest.raises(ValueError, match=r"k2\[0\]: expected at most n2\[0\]=30, got 31"):
        rate_change([3], [30], [31], [30], min_size=5)


def test_a_missing_mean_in_a_group_large_enough_to_compare_is_refused():
    with pytest.raises(ValueError, match=r"mean2\[0\]: expected a finite value .* got nan"):
        mean_change([30], [3.0], [1.0], [30], [np.nan], [1.0], min_size=5)


def test_a_negative_standard_deviation_is_refused():
    with pytest.raises(ValueError, match=r"sd1\[0\]: expected a non-negative standard deviation"):
        mean_change([30], [3.0], [-1.0], [30], [3.0], [1.0], min_size=5)


def test_arrays_must_be_one_dimensional_and_numeric():
    with pytest.raises(ValueError, match=r"n1: expected a 1-D array .* got shape \(1, 1\)"):
        mean_change([[30]], [3.0], [1.0], [30], [3.0], [1.0], min_size=5)
    with pytest.raises(TypeError, match="k1: expected numbers"):
        rate_change(["three"], [30], [3], [30], min_size=5)


@pytest.mark.parametrize("bad", [0, -3, 2.5, True, None])
def test_a_bad_minimum_size_is_refused_by_name(bad):
    with pytest.raises(ValueError, match="min_size: expected a positive integer"):
        rate_change([3], [30], [3], [30], min_size=bad)


@pytest.mark.parametrize("bad", [0, 1, 95, -0.5, True])
def test_a_bad_confidence_level_is_refused_by_name(bad):
    with pytest.raises(ValueError, match="confidence: expected a number strictly between 0 and 1"):
        mean_change([30], [3.0], [1.0], [30], [3.0], [1.0], min_size=5, confidence=bad)


def test_a_wave_summary_names_its_own_fields_in_errors():
    with pytest.raises(ValueError, match=r"sd\[1\]: expected a non-negative standard deviation"):
        WaveSummary.of([30, 30], [3.0, 3.0], [1.0, -0.1])
    with pytest.raises(ValueError, match=r"values: expected finite scores or NaN"):
        WaveSummary.from_values([1.0, np.inf])


def test_a_mean_change_interval_stays_within_the_widest_change_the_scale_allows():
    # Five at the bottom of a 0-25 scale, then four at the top and one at the bottom: the
    # Welch interval runs past +25, a change no scale of that width can show.
    args = ([5], [0.0], [0.0], [5], [20.0], [np.std([25, 25, 25, 25, 0], ddof=1)])
    plain = mean_change(*args, min_size=5)
    cut = mean_change(*args, min_size=5, span=25.0)
    assert plain.ci_high[0] > 25
    assert -25 <= cut.ci_low[0] == plain.ci_low[0] and cut.ci_high[0] == 25.0
    assert cut.significant[0] == plain.significant[0] and cut.p_value[0] == plain.p_value[0]


@pytest.mark.parametrize("span", [0, -1.0, float("nan"), "25", True])
def test_a_span_must_be_a_positive_width(span):
    with pytest.raises(ValueError, match="span: expected a finite number above 0"):
        mean_change([5], [1.0], [1.0], [5], [2.0], [1.0], min_size=5, span=span)
