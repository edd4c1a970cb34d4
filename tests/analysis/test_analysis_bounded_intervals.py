"""Intervals of a scale's mean stay on the scale: five extreme answers on every shipped
scale, the published xlogit method, the Wilson fallback, and a property over any data."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special, stats
from statsmodels.stats.proportion import proportion_confint

import instruments
from analysis.groups import bounded_mean_interval, group_stats, wilson_interval

# Every scale a shipped instrument scores, with the range its definition declares (sums,
# means, means of subscale means, counts above a threshold; external scales have none).
RANGES = sorted(
    {
        (f"{i.id}.{s.id}", s.method, s.minimum, s.maximum)
        for i in instruments.registry().values()
        for s in i.scales
        if s.minimum is not None and s.maximum is not None
    }
)


def five(low, high, kind):
    """Five answers at the extremes of a scale: all lowest, all highest, or both ends."""
    return {
        "all at the minimum": [low] * 5,
        "all at the maximum": [high] * 5,
        "mixed": [low, low, high, high, high],
        "one high": [low, low, low, low, high],
    }[kind]


def test_every_kind_of_scale_is_checked():
    assert {method for _, method, _, _ in RANGES} == {
        "sum",
        "mean",
        "mean_of_scales",
        "count_above",
    }


@pytest.mark.parametrize("kind", ["all at the minimum", "all at the maximum", "mixed", "one high"])
@pytest.mark.parametrize(("scale", "method", "low", "high"), RANGES)
def test_five_extreme_answers_give_an_interval_inside_the_scale(scale, method, low, high, kind):
    values = five(low, high, kind)
    table = group_stats(values, [0] * 5, bounds=(low, high))
    ci_low, mean, ci_high = table.ci_low[0], table.mean[0], table.ci_high[0]
    assert low <= ci_low <= mean <= ci_high <= high, (scale, kind, ci_low, ci_high)
    # Five answers never pin a mean down to a point, not even five identical ones.
    assert ci_high - ci_low > 0.05 * (high - low), (scale, kind)


def test_the_t_interval_would_have_left_the_scale_where_the_bounded_one_does_not():
    # The demo's "95% CI -0.37 to 5.37" on WHO-5's 0-25: five low scores with one outlier.
    values = [0.0, 1.0, 5.0, 5.0, 1.5]
    plain = group_stats(values, [0] * 5)
    bounded = group_stats(values, [0] * 5, bounds=(0.0, 25.0))
    assert plain.ci_low[0] < 0
    assert 0 < bounded.ci_low[0] < plain.mean[0] < bounded.ci_high[0] < 25


def test_the_interval_is_the_xlogit_interval_of_the_mean_in_its_range():
    # R's survey package, method "xlogit" (a t interval on the log-odds of the mean,
    # transformed back; "the method used by SUDAAN and SPSS COMPLEX SAMPLES"):
    # https://search.r-project.org/CRAN/refmans/survey/html/svyciprop.html
    #   d <- data.frame(y = c(2, 3, 3, 4, 5, 1, 2, 4) / 5)   # scores on 0-5, as a share
    #   svyciprop(~y, svydesign(ids = ~1, data = d), method = "xlogit")
    # For a simple random sample the design's SE is sd / sqrt(n) and its df n - 1.
    scores = np.array([2, 3, 3, 4, 5, 1, 2, 4], dtype=float)
    p = scores.mean() / 5
    se = scores.std(ddof=1) / math.sqrt(len(scores)) / 5
    half = stats.t.ppf(0.975, len(scores) - 1) * se / (p * (1 - p))
    expected = 5 * special.expit(special.logit(p) + np.array([-half, half]))
    table = group_stats(scores, [0] * 8, bounds=(0.0, 5.0))
    assert (table.ci_low[0], table.ci_high[0]) == pytest.approx(tuple(expected), rel=1e-12)


@pytest.mark.parametrize(("value", "count"), [(0, 0), (5, 5)])
def test_identical_answers_at_an_end_get_the_wilson_interval_of_that_end(value, count):
    # No spread to estimate: the widest spread a 0-5 score can have at that mean, i.e. the
    # score interval of a 0/1 variable (statsmodels: proportion_confint(k, 5, method="wilson")).
    table = group_stats([float(value)] * 5, [0] * 5, bounds=(0.0, 5.0))
    low, high = proportion_confint(count, 5, alpha=0.05, method="wilson")
    assert (table.ci_low[0], table.ci_high[0]) == pytest.approx((5 * low, 5 * high), abs=1e-12)


def test_with_many_answers_in_the_middle_it_is_the_t_interval():
    rng = np.random.default_rng(3)
    values = np.clip(rng.normal(12.5, 4, 4000).round(), 0, 25)
    bounded = group_stats(values, [0] * len(values), bounds=(0.0, 25.0))
    plain = group_stats(values, [0] * len(values))
    assert bounded.ci_low[0] == pytest.approx(plain.ci_low[0], abs=0.005)
    assert bounded.ci_high[0] == pytest.approx(plain.ci_high[0], abs=0.005)


def test_fewer_than_two_answers_have_no_interval():
    low, high = bounded_mean_interval([3.0, np.nan], [np.nan, np.nan], [1, 0], (0.0, 5.0))
    assert np.isnan(low).all() and np.isnan(high).all()


@settings(max_examples=300, deadline=None)
@given(
    bounds=st.tuples(st.floats(-50, 50), st.floats(0.5, 100)).map(lambda b: (b[0], b[0] + b[1])),
    positions=st.lists(
        st.one_of(st.just(0.0), st.just(1.0), st.floats(0, 1)), min_size=2, max_size=40
    ),
    confidence=st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
def test_no_interval_ever_leaves_the_scale_or_misses_its_mean(bounds, positions, confidence):
    low, high = bounds
    values = low + (high - low) * np.asarray(positions)
    table = group_stats(values, [0] * len(values), bounds=bounds, confidence=confidence)
    assert low <= table.ci_low[0] <= table.ci_high[0] <= high
    assert table.ci_low[0] <= table.mean[0] + 1e-9 and table.mean[0] <= table.ci_high[0] + 1e-9


def test_a_share_of_none_has_an_interval_starting_at_exactly_zero():
    low, high = wilson_interval([0, 7], [7, 7])
    assert low[0] == 0.0 and high[1] == 1.0


@pytest.mark.parametrize(
    ("bounds", "values", "message"),
    [
        ((5.0, 1.0), [2.0, 3.0], r"bounds: expected two finite numbers, minimum below maximum"),
        ((0.0, math.inf), [2.0, 3.0], r"bounds: expected two finite numbers"),
        ((0.0,), [2.0, 3.0], r"bounds: expected \(minimum, maximum\)"),
        ((1.0, 5.0), [2.0, 6.0], r"values: expected scores within bounds \[1, 5\], got 6.0"),
    ],
)
def test_a_wrong_range_is_refused_by_name(bounds, values, message):
    with pytest.raises(ValueError, match=message):
        group_stats(values, [0] * len(values), bounds=bounds)


def test_the_table_remembers_the_range_its_intervals_respect():
    table = group_stats([1.0, 2.0, 4.0], [0, 0, 0], bounds=(1.0, 5.0))
    assert table.bounds == (1.0, 5.0)
    assert table.masked(np.array([False]), [""]).bounds == (1.0, 5.0)


def test_a_share_of_no_one_has_no_interval():
    low, high = wilson_interval([0], [0])
    assert np.isnan(low[0]) and np.isnan(high[0])
