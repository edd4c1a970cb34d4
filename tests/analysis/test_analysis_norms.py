"""Movement norms: exact totals match a direct computation, the noise is real and bounded,
and the 95% interval covers the true pooled value at about its stated rate."""

import math

import numpy as np
import pytest

from analysis import norms
from analysis.private import discrete_laplace_variance, release_integers


def _cell(key, values, lo=1.0, hi=5.0, band_from=None, organizations=6):
    values = np.asarray(values, dtype=np.float64)
    band = None if band_from is None else values >= band_from
    return norms.CellData(key, lo, hi, values, band, organizations)


def _pooled(rng, n, lo=1, hi=5):
    return rng.integers(lo, hi + 1, size=n).astype(np.float64)


def test_exact_totals_match_a_direct_computation_of_clamped_centred_values():
    values = np.array([1.0, 2.0, 5.0, 7.5, -1.0, 3.3])  # two outside the bounds 1..5
    (cell,) = [_cell("a", values, band_from=3.0)]
    found = norms.totals([cell])
    clamped = np.clip(values, 1, 5)  # numpy: clip, centre on 3, half range 2, 100 steps
    assert found.counts.tolist() == [6]
    assert found.sums.tolist() == [int(np.rint((clamped - 3) / 2 * 100).sum())]
    assert found.bands.tolist() == [3]  # 5.0, 7.5 and 3.3 are at or above 3
    # The pooled mean follows back from the totals within the rounding of one step.
    mean = 3 + 2 * found.sums[0] / found.counts[0] / norms.STEPS
    assert mean == pytest.approx(clamped.mean(), abs=2 / norms.STEPS)


def test_a_cell_without_a_cut_off_has_no_band_total():
    found = norms.totals([_cell("a", [1, 2, 3])])
    assert found.bands.tolist() == [-1]


def test_at_a_huge_epsilon_the_release_equals_the_direct_means_and_shares():
    rng = np.random.default_rng(7)
    cells = [
        _cell("burnout", _pooled(rng, 400), band_from=3),
        _cell("who5", _pooled(rng, 250, 0, 100), lo=0, hi=100, band_from=51),
    ]
    out = norms.release_norms(
        cells, epsilon=1e6, cells_per_person=2, bands_per_person=2, rng=np.random.default_rng(1)
    )
    for cell, norm in zip(cells, out.cells, strict=True):
        assert norm.mean == pytest.approx(cell.values.mean(), rel=1e-3)
        assert norm.share == pytest.approx(cell.band.mean(), abs=1e-3)
        assert norm.reason == "" and norm.organizations == 6
    assert out.epsilon == pytest.approx(1e6)


def test_a_release_spends_the_epsilon_asked_with_the_documented_sensitivities():
    rng = np.random.default_rng(3)
    cells = [_cell("a", _pooled(rng, 600), band_from=3), _cell("b", _pooled(rng, 500))]
    out = norms.release_norms(cells, epsilon=2.0, cells_per_person=4, bands_per_person=2)
    assert out.epsilon == pytest.approx(2.0)
    assert out.sensitivities == {"count": 4, "sum": 4 * norms.STEPS, "band": 2}
    assert out.scales["count"] == pytest.approx(4 / (2.0 * norms.SPLIT["count"]))
    assert out.scales["sum"] == pytest.approx(400 / (2.0 * norms.SPLIT["sum"]))
    assert out.scales["band"] == pytest.approx(2 / (2.0 * norms.SPLIT["band"]))
    assert out.cells[1].band is None and out.cells[1].share is None


def test_released_means_differ_from_the_exact_ones_but_stay_within_a_few_noise_scales():
    rng = np.random.default_rng(11)
    cells = [_cell(f"c{i}", _pooled(rng, 800)) for i in range(6)]
    exact = norms.totals(cells)
    differs = 0
    for _ in range(5):
        out = norms.release_norms(cells, epsilon=1.0, cells_per_person=6, bands_per_person=0)
        for i, norm in enumerate(out.cells):
            differs += (norm.count, norm.total) != (exact.counts[i], exact.sums[i])
            # Each noisy value is within 12 scales of the truth (P(|X| > 12t) < 2e-5 per draw).
            assert abs(norm.count - exact.counts[i]) <= 12 * out.scales["count"]
            assert abs(norm.total - exact.sums[i]) <= 12 * out.scales["sum"]
            if norm.mean is not None:
                # The mean moves by the sum's noise over the count (plus a small count term).
                bound = 12 * (out.scales["sum"] * 2 / norms.STEPS) / 800 + 0.2
                assert abs(norm.mean - cells[i].values.mean()) <= bound
    assert differs >= 25  # of 30 cells: the noise is there


@pytest.mark.parametrize("n, share", [(300, 0.3), (900, 0.55)])
def test_the_interval_covers_the_true_pooled_mean_and_share_at_about_95_percent(n, share):
    """Seeded simulation: the same noise as the release (discrete Laplace at the release's
    scales), 1,000 releases; the true value is inside the 95% interval 93% to 97% of the time
    (the binomial standard error at 1,000 trials is 0.7 points)."""
    rng = np.random.default_rng(2026)
    values = np.where(rng.random(n) < share, 4.0, 2.0) + rng.integers(0, 2, n)
    cell = _cell("x", values, band_from=3.5)
    exact = norms.totals([cell])
    true_mean = 3 + 2 * exact.sums[0] / exact.counts[0] / norms.STEPS
    true_share = exact.bands[0] / exact.counts[0]
    scales = {"count": 10.0, "sum": 1000.0, "band": 10.0}
    hit_mean = hit_share = shown = 0
    trials = 1000
    for _ in range(trials):
        count = int(exact.counts[0] + norms.discrete_laplace(rng, scales["count"], 1)[0])
        total = int(exact.sums[0] + norms.discrete_laplace(rng, scales["sum"], 1)[0])
        band = int(exact.bands[0] + norms.discrete_laplace(rng, scales["band"], 1)[0])
        norm = norms.estimate(cell, count, total, band, scales, min_count=30, rng=rng, draws=2000)
        if norm.ci is not None:
            shown += 1
            hit_mean += norm.ci[0] <= true_mean <= norm.ci[1]
        if norm.share_ci is not None:
            hit_share += norm.share_ci[0] <= true_share <= norm.share_ci[1]
    assert shown == trials  # precise enough at these sizes to be shown every time
    assert 0.93 <= hit_mean / trials <= 0.97
    assert 0.93 <= hit_share / trials <= 0.97


def test_an_imprecise_norm_is_withheld_as_too_uncertain():
    cell = _cell("small", [1, 5] * 10)
    scales = {"count": 50.0, "sum": 5000.0}
    norm = norms.estimate(cell, 20, 0, None, scales, rng=np.random.default_rng(0))
    assert norm.mean is None and norm.ci is None and norm.reason == "too uncertain to show"


def test_the_simulation_sampler_has_the_discrete_laplace_variance():
    rng = np.random.default_rng(5)
    for scale in (0.5, 2.0, 40.0):
        draws = norms.discrete_laplace(rng, scale, 200_000)
        assert abs(draws.mean()) < 5 * math.sqrt(discrete_laplace_variance(scale) / 200_000)
        assert draws.var() == pytest.approx(discrete_laplace_variance(scale), rel=0.03)


def test_signed_integers_are_released_with_the_epsilon_asked():
    out = release_integers([-340, 1210, 0], epsilon=0.5, sensitivity=200)
    assert out.epsilon == pytest.approx(0.5) and out.scale == pytest.approx(400)
    assert len(out.values) == 3


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"values": [1.5], "epsilon": 1.0, "sensitivity": 1}, "values"),
        ({"values": [2**31], "epsilon": 1.0, "sensitivity": 1}, "values"),
        ({"values": [1], "epsilon": 0, "sensitivity": 1}, "epsilon"),
        ({"values": [1], "epsilon": 1.0, "sensitivity": 0}, "sensitivity"),
    ],
)
def test_bad_input_to_the_integer_release_names_the_argument(kwargs, message):
    values = kwargs.pop("values")
    with pytest.raises(ValueError, match=message):
        release_integers(values, **kwargs)


def test_bad_input_to_a_norms_release_names_the_argument():
    with pytest.raises(ValueError, match="cells"):
        norms.release_norms([], epsilon=1.0, cells_per_person=1, bands_per_person=0)
    with pytest.raises(ValueError, match="cells_per_person"):
        norms.release_norms([_cell("a", [1])], epsilon=1.0, cells_per_person=0, bands_per_person=0)
    with pytest.raises(ValueError, match="bands_per_person"):
        cell = _cell("a", [1, 4], band_from=3)
        norms.release_norms([cell], epsilon=1.0, cells_per_person=1, bands_per_person=0)
    with pytest.raises(ValueError, match="maximum"):
        norms.centred_steps(np.array([1.0]), 2.0, 2.0)
