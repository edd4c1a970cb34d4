"""Differentially private counts: the epsilon is OpenDP's, the noise is real and unbiased."""

import math

import numpy as np
import pytest

from analysis.private import (
    MECHANISM,
    discrete_laplace_variance,
    noisy_share,
    release_counts,
)


def test_the_epsilon_spent_is_recorded_with_the_scale_it_implies():
    release = release_counts([1200, 420], epsilon=0.5)
    assert release.epsilon == pytest.approx(0.5)
    assert release.sensitivity == 2 and release.scale == pytest.approx(4.0)
    assert release.mechanism == MECHANISM and len(release.values) == 2


def test_a_single_count_has_sensitivity_one():
    release = release_counts([40], epsilon=2.0)
    assert release.sensitivity == 1 and release.scale == pytest.approx(0.5)
    assert release.epsilon == pytest.approx(2.0)


@pytest.mark.slow
def test_fresh_releases_are_noisy_and_unbiased():
    true = [500, 120]
    # OpenDP draws from its own secure RNG (no seed), so the sample is made large enough for
    # the checks below to be 4.5 or more standard errors wide: the variance of a sample
    # variance of Laplace-like noise (kurtosis 6) is about 5/n of the variance squared, a
    # relative standard error of 2.2% at n = 10,000 against the 10% allowed.
    draws = np.array([release_counts(true, epsilon=1.0).values for _ in range(10_000)])
    assert (draws != true).any(axis=1).mean() > 0.5  # most releases differ from the truth
    scale = 2.0
    sd = math.sqrt(discrete_laplace_variance(scale))
    # Mean within 5 standard errors of the true counts: unbiased noise.
    assert np.all(np.abs(draws.mean(axis=0) - true) < 5 * sd / math.sqrt(len(draws)))
    # Variance of the discrete Laplace with scale t = 2: 2e^(-1/2)/(1-e^(-1/2))^2 = 7.8354
    # (Canonne, Kamath and Steinke 2020, the discrete Laplace's variance), within 10%.
    assert discrete_laplace_variance(scale) == pytest.approx(7.8354, abs=1e-3)
    assert np.all(np.abs(draws.var(axis=0) / discrete_laplace_variance(scale) - 1) < 0.1)


def test_a_smaller_epsilon_adds_more_noise():
    spread = {
        eps: np.std([release_counts([300], epsilon=eps).values[0] for _ in range(600)])
        for eps in (0.2, 2.0)
    }
    assert spread[0.2] > 4 * spread[2.0]


def test_a_share_from_noisy_counts_stays_between_zero_and_one():
    assert noisy_share(5, 4) == 1.0
    assert noisy_share(-2, 10) == 0.0
    assert noisy_share(3, 12) == 0.25
    assert noisy_share(3, 0) is None


@pytest.mark.parametrize(
    ("counts", "kwargs", "message"),
    [
        ([], {"epsilon": 1.0}, "counts: expected one or more non-negative integers"),
        ([-1], {"epsilon": 1.0}, "counts: expected one or more non-negative integers"),
        ([1.5], {"epsilon": 1.0}, "counts: expected one or more non-negative integers"),
        ([3], {"epsilon": 0}, "epsilon: expected a finite number above 0, got 0"),
        ([3], {"epsilon": float("inf")}, "epsilon: expected a finite number above 0"),
        ([3], {"epsilon": 1.0, "sensitivity": 0}, "sensitivity: expected an integer of at least 1"),
    ],
)
def test_bad_input_is_refused_with_the_argument_named(counts, kwargs, message):
    with pytest.raises(ValueError, match=message):
        release_counts(counts, **kwargs)
