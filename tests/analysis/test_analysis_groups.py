"""Group statistics: checked against scipy and statsmodels, plus properties and refusals."""

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from analysis.disclosure import plan_disclosure
from analysis.groups import Threshold, UnitTree, group_stats, wilson_interval

RNG = np.random.default_rng(20240611)
VALUES = RNG.normal(55, 18, size=400).round(1)
VALUES[RNG.random(400) < 0.1] = np.nan  # not scored
GROUPS = RNG.choice(["icu", "ward", "clinic"], size=400, p=[0.5, 0.4, 0.1])
BURNOUT = {"burned_out": Threshold(60.0, "ge", "burned out")}


def scored(group):
    x = VALUES[np.equal(GROUPS, group)]
    return x[~np.isnan(x)]


@pytest.mark.parametrize("confidence", [0.95, 0.90])
def test_mean_sd_and_t_interval_match_scipy(confidence):
    table = group_stats(VALUES, GROUPS, confidence=confidence)
    assert table.labels == ("clinic", "icu", "ward")
    for i, group in enumerate(table.labels):
        x = scored(group)
        # scipy: stats.ttest_1samp(x, 0).confidence_interval(confidence_level=confidence)
        ci = stats.ttest_1samp(x, 0).confidence_interval(confidence_level=confidence)
        assert table.n[i] == len(x)
        assert table.mean[i] == pytest.approx(np.mean(x), rel=1e-12)
        assert table.sd[i] == pytest.approx(
            np.std(x, ddof=1), rel=1e-12
        )  # numpy: np.std(x, ddof=1)
        assert table.ci_low[i] == pytest.approx(ci.low, rel=1e-12)
        assert table.ci_high[i] == pytest.approx(ci.high, rel=1e-12)


@pytest.mark.parametrize("confidence", [0.95, 0.80])
def test_shares_beyond_a_cutoff_have_the_wilson_interval_of_statsmodels(confidence):
    table = group_stats(VALUES, GROUPS, cutoffs=BURNOUT, confidence=confidence)
    share = table.shares["burned_out"]
    for i, group in enumerate(table.labels):
        x = scored(group)
        count = int((x >= 60).sum())
        # statsmodels: proportion_confint(count, len(x), alpha=1 - confidence, method="wilson")
        low, high = proportion_confint(count, len(x), alpha=1 - confidence, method="wilson")
        assert share.count[i] == count
        assert share.share[i] == pytest.approx(count / len(x))
        assert share.low[i] == pytest.approx(low, rel=1e-12)
        assert share.high[i] == pytest.approx(high, rel=1e-12)


@pytest.mark.parametrize(("count", "n"), [(0, 7), (7, 7), (1, 1), (3, 250), (249, 250)])
def test_the_wilson_interval_matches_statsmodels_at_the_edges(count, n):
    low, high = wilson_interval(count, n)
    # statsmodels: proportion_confint(count, n, alpha=0.05, method="wilson")
    expected = proportion_confint(count, n, alpha=0.05, method="wilson")
    assert (float(low), float(high)) == pytest.approx(expected, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize(("direction", "expected"), [("ge", 4), ("gt", 2), ("le", 4), ("lt", 2)])
def test_each_cutoff_direction_treats_the_boundary_as_documented(direction, expected):
    table = group_stats([1.0, 2.0, 3.0, 3.0, 4.0, 5.0], [0] * 6, cutoffs={"x": (3.0, direction)})
    assert table.shares["x"].count[0] == expected


def test_unscored_values_are_left_out_of_every_figure():
    table = group_stats(
        [1.0, np.nan, 3.0, np.nan], ["a", "a", "a", "b"], cutoffs={"hi": (2.0, "ge")}
    )
    row = table.row("a")
    assert (row.n, row.mean, row.shares["hi"].count) == (2, 2.0, 1)
    assert table.row("b").n == 0 and table.row("b").mean is None


def test_a_single_score_has_no_sd_and_a_group_without_scores_has_no_mean():
    table = group_stats([4.0], ["a"], labels=["a", "b"], cutoffs=BURNOUT)
    a, b = table.row("a"), table.row("b")
    assert (a.n, a.mean, a.sd, a.ci) == (1, 4.0, None, None)
    assert (b.n, b.mean, b.shares["burned_out"].share) == (0, None, None)
    assert not a.suppressed


def test_integer_codes_with_fixed_labels_keep_empty_groups_in_order():
    table = group_stats([1.0, 2.0, 5.0], [2, 2, 0], labels=range(4))
    assert table.labels == (0, 1, 2, 3)
    assert table.n.tolist() == [1, 0, 2, 0]


def test_results_are_read_only():
    table = group_stats(VALUES, GROUPS, cutoffs=BURNOUT)
    with pytest.raises(ValueError, match="read-only"):
        table.mean[0] = 0.0
    with pytest.raises(ValueError, match="read-only"):
        table.shares["burned_out"].count[0] = 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        table.confidence = 0.5  # type: ignore[misc]


def test_a_mean_is_published_only_where_its_count_is():
    tree = UnitTree.from_parents([-1, 0, 0, 1, 1, 2, 2])
    units = np.repeat([3, 4, 5, 6], [12, 3, 9, 20])
    sex = np.array(["f", "m"] * 22)
    scores = np.linspace(10, 90, len(units))
    plan = plan_disclosure(tree, units, {"sex": sex}, min_size=5)
    rows, nodes = tree.expand(units)
    totals = group_stats(scores[rows], nodes, labels=range(tree.size), cutoffs=BURNOUT)
    shown = totals.masked(*plan.total_mask())
    for unit in range(tree.size):
        count, row = plan.total(unit), shown.row(unit)
        assert row.n == count.value and row.reason == count.reason
        assert (row.mean is None) == (count.value is None) == row.suppressed
        if row.mean is not None:
            assert row.mean == pytest.approx(
                scores[tree.ancestors[units, tree.depth[unit]] == unit].mean()
            )
    assert shown.row(4).reason == "hidden: fewer than 5 responses"
    width = len(plan.fields["sex"].categories)
    codes = nodes * width + plan.category_codes("sex", sex)[rows]
    cells = group_stats(scores[rows], codes, labels=range(tree.size * width))
    shown_cells = cells.masked(*plan.field_mask("sex"))
    for unit in range(tree.size):
        for c, category in enumerate(plan.fields["sex"].categories):
            assert shown_cells.row(unit * width + c).n == plan.cell(unit, "sex", category).value


def test_expand_pairs_each_respondent_with_every_unit_above_them():
    tree = UnitTree.from_parents([-1, 0, 0, 1])
    rows, nodes = tree.expand([3, 2])
    assert sorted(zip(rows.tolist(), nodes.tolist(), strict=True)) == [
        (0, 0), (0, 1), (0, 3), (1, 0), (1, 2),
    ]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(
    data=st.lists(
        st.tuples(
            st.one_of(st.floats(-1e3, 1e3, allow_nan=False), st.just(math.nan)),
            st.integers(0, 6),
        ),
        max_size=60,
    ),
    cut=st.floats(-1e3, 1e3),
)
def test_group_figures_agree_with_a_per_group_loop(data, cut):
    values = np.array([v for v, _ in data], dtype=float)
    groups = np.array([g for _, g in data], dtype=np.int64)
    table = group_stats(values, groups, labels=range(7), cutoffs={"c": Threshold(cut, "gt")})
    assert table.n.sum() == np.count_nonzero(~np.isnan(values))
    share = table.shares["c"]
    for g in range(7):
        x = values[(groups == g) & ~np.isnan(values)]
        assert table.n[g] == len(x) and share.count[g] == (x > cut).sum()
        if len(x):
            assert table.mean[g] == pytest.approx(x.mean(), rel=1e-9, abs=1e-9)
            assert share.low[g] - 1e-12 <= share.share[g] <= share.high[g] + 1e-12
            assert share.low[g] >= 0 and share.high[g] <= 1 + 1e-12
        if len(x) >= 2:
            assert table.ci_low[g] <= table.mean[g] <= table.ci_high[g]
            assert table.sd[g] == pytest.approx(np.std(x, ddof=1), rel=1e-7, abs=1e-9)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"groups": ["a", "b"]}, ValueError, r"groups: expected 3 labels \(one per value\)"),
        ({"values": [1.0, np.inf, 2.0]}, ValueError, "values: expected finite numbers or NaN"),
        ({"values": ["x", "y", "z"]}, TypeError, "values: expected numbers"),
        ({"values": [[1.0, 2.0, 3.0]]}, ValueError, "values: expected a 1-D array"),
        ({"groups": [1.0, np.nan, 2.0]}, ValueError, "groups: expected a label for every value"),
        ({"labels": ["a", "b"]}, ValueError, "groups: expected one of the known labels, got 'c'"),
        ({"labels": ["a", "b", "c", "a"]}, ValueError, "labels: expected distinct labels"),
        ({"confidence": 1.5}, ValueError, r"confidence: expected a number in \(0, 1\), got 1.5"),
        ({"confidence": "95%"}, TypeError, "confidence: expected a number"),
        (
            {"cutoffs": {"x": (60.0, "above")}},
            ValueError,
            r"cutoffs\['x'\]: direction: expected one of",
        ),
        (
            {"cutoffs": {"x": 60.0}},
            TypeError,
            r"cutoffs\['x'\]: expected a Threshold or \(value, direction\)",
        ),
    ],
)
def test_bad_inputs_are_refused_by_name(kwargs, error, message):
    arguments = {"values": [1.0, 2.0, 3.0], "groups": ["a", "b", "c"], **kwargs}
    with pytest.raises(error, match=message):
        group_stats(**arguments)


@pytest.mark.parametrize("bad", [math.nan, math.inf, "60", True])
def test_a_threshold_needs_a_finite_number(bad):
    with pytest.raises(ValueError, match="value: expected a finite number"):
        Threshold(bad)


def test_a_mask_of_the_wrong_size_is_refused():
    table = group_stats([1.0, 2.0], ["a", "b"])
    with pytest.raises(ValueError, match="hidden: expected 2 booleans"):
        table.masked([True], ["x"])
    with pytest.raises(ValueError, match="reasons: expected 2 strings, got 1"):
        table.masked([True, False], ["x"])
    with pytest.raises(KeyError, match="label: expected one of the table's groups, got 'z'"):
        table.row("z")


def test_integer_codes_with_a_range_of_labels_match_the_general_path():
    rng = np.random.default_rng(7)
    values = rng.normal(3, 1, 500)
    values[rng.random(500) < 0.1] = np.nan
    codes = rng.integers(0, 12, 500)
    fast = group_stats(values, codes, labels=range(14), cutoffs={"high": Threshold(3.5)})
    general = group_stats(values, codes, labels=list(range(14)), cutoffs={"high": Threshold(3.5)})
    assert fast.labels == general.labels
    for name in ("n", "mean", "sd", "ci_low", "ci_high"):
        assert np.array_equal(getattr(fast, name), getattr(general, name), equal_nan=True), name
    assert np.array_equal(fast.shares["high"].count, general.shares["high"].count)


@pytest.mark.parametrize("bad", [-1, 14])
def test_a_code_outside_a_range_of_labels_is_refused_by_name(bad):
    with pytest.raises(ValueError, match=f"groups: expected one of the known labels, got {bad}"):
        group_stats([1.0, 2.0], [0, bad], labels=range(14))
