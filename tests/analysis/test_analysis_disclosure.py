"""Disclosure over a unit tree and demographic fields: attack tests, not happy paths.

The attacker (``_disclosure_attack``) sees every published figure and knows the
published zeros and which units have no direct members; a protected group is
recoverable when its indicator vector over the atoms (respondents attached directly to
one unit with one full demographic profile) lies in the row space of the published
figures.
"""

import numpy as np
import pytest
from _disclosure_attack import (
    concentrated_organizations,
    counts_from_cross,
    null_directions,
    organizations,
    plan_from_cross,
    plan_statuses,
    primary_only,
    recoverable,
    recoverable_by_rank,
    reference_plan_statuses,
    wide_organizations,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import null_space

from analysis.disclosure import (
    COMPLEMENT,
    SHOWN,
    SMALL,
    plan_disclosure,
    plan_disclosure_from_counts,
    restore_plan,
)
from analysis.disclosure import plan_statuses as stored_statuses
from analysis.groups import UnitTree


def test_the_null_space_helper_agrees_with_scipy():
    matrix = np.random.default_rng(3).integers(0, 2, size=(30, 50)).astype(float)
    matrix[10] = matrix[3] + matrix[4]  # rank deficient on purpose
    ours, theirs = null_directions(matrix), null_space(matrix)  # scipy.linalg.null_space
    assert ours.shape == theirs.shape
    assert np.allclose(ours @ ours.T, theirs @ theirs.T)  # the same projector


def hidden_reasons(plan):
    return {cell.label: cell.reason for cell in plan.figures() if cell.value is None}


# A root (0) with three units; unit 1 has two teams (4, 5).
TREE = UnitTree.from_parents([-1, 0, 0, 0, 1, 1])


def test_a_parent_minus_the_other_children_cannot_reveal_a_small_unit():
    cross = np.array([0, 0, 12, 9, 3, 20])
    plan = plan_from_cross(TREE, cross, 5)
    assert plan.total(4).value is None and "fewer than 5" in plan.total(4).reason
    assert plan.total(5).reason.startswith("hidden so that a smaller group")
    assert plan.total(1).value == 23 and plan.total(0).value == 44
    assert recoverable(primary_only(plan), cross) == ["total 4"]  # 23 - 20 = 3
    assert recoverable_by_rank(primary_only(plan), cross) == ["total 4"]
    assert recoverable(plan, cross) == recoverable_by_rank(plan, cross) == []


def test_a_demographic_total_minus_the_other_categories_cannot_reveal_a_small_category():
    cross = np.zeros((6, 3), dtype=int)
    cross[2] = [12, 3, 9]
    cross[3] = [10, 10, 10]
    plan = plan_from_cross(TREE, cross, 5)
    assert plan.cell(2, "sex", 1).value is None
    assert sum(plan.cell(2, "sex", c).value is None for c in range(3)) >= 2
    leaks = recoverable(primary_only(plan), cross)
    assert "sex=1 in 2" in leaks and leaks == recoverable_by_rank(primary_only(plan), cross)
    assert recoverable(plan, cross) == recoverable_by_rank(plan, cross) == []


def test_a_unit_with_one_small_child_hides_the_next_smallest_child():
    cross = np.array([0, 0, 30, 30, 2, 9])
    plan = plan_from_cross(TREE, cross, 5)
    assert plan.total(4).value is None and plan.total(5).value is None
    assert plan.total(1).value == 11
    assert recoverable(plan, cross) == []


def test_another_field_cannot_rebuild_a_hidden_sibling_total():
    # Team 4 has 2 people. Hiding team 5's total is not enough: its sex cells would
    # add up to it, and unit 1 minus team 5 is team 4.
    cross = np.zeros((6, 2), dtype=int)
    cross[4], cross[5], cross[2], cross[3] = [2, 0], [10, 10], [10, 10], [10, 10]
    plan = plan_from_cross(TREE, cross, 5)
    assert plan.total(5).value is None
    assert any(plan.cell(5, "sex", c).value is None for c in range(2))
    assert recoverable(plan, cross) == []


def test_members_attached_directly_to_a_unit_are_protected_like_a_unit():
    cross = np.array([0, 2, 12, 9, 10, 20])  # unit 1: 2 own + 10 + 20
    plan = plan_from_cross(TREE, cross, 5)
    assert plan.total(4).value is None  # the smaller team goes, so 32 - 20 is not "2"
    assert recoverable(primary_only(plan), cross) == ["own members of 1"]
    assert recoverable(plan, cross) == []


def test_zero_counts_are_shown_and_an_organization_below_k_shows_nothing_else():
    cross = np.array([0, 0, 3, 0, 0, 0])
    plan = plan_from_cross(TREE, cross, 5)
    assert [plan.total(u).value for u in range(6)] == [None, 0, None, 0, 0, 0]
    assert recoverable(plan, cross) == []


def test_a_small_group_says_why_it_is_hidden():
    plan = plan_from_cross(TREE, np.array([0, 0, 30, 30, 2, 9]), 5)
    assert hidden_reasons(plan) == {
        4: "hidden: fewer than 5 responses",
        5: "hidden so that a smaller group cannot be worked out by subtraction",
    }


def test_category_codes_refuse_an_unknown_category():
    plan = plan_disclosure(TREE, [2, 3], {"sex": ["f", "m"]})
    assert plan.category_codes("sex", ["m", "f", "m"]).tolist() == [1, 0, 1]
    with pytest.raises(ValueError, match="labels: expected one of the known labels, got 'q'"):
        plan.category_codes("sex", ["f", "q"])
    with pytest.raises(KeyError, match="field: expected one of \\['sex'\\], got 'age'"):
        plan.cell(2, "age", 1)


def test_respondent_rows_and_counts_give_the_same_plan():
    rng = np.random.default_rng(7)
    units = rng.integers(2, 6, size=60)
    sex = rng.choice(["f", "m", "x"], size=60, p=[0.6, 0.37, 0.03])
    plan = plan_disclosure(TREE, units, {"sex": sex}, min_size=5)
    cross = np.zeros((6, 3), dtype=int)
    np.add.at(cross, (units, np.searchsorted(["f", "m", "x"], sex)), 1)
    expected = plan_from_cross(TREE, cross, 5)
    assert plan.fields["sex"].categories == ("f", "m", "x")
    assert np.array_equal(plan.total_status, expected.total_status)
    assert np.array_equal(plan.fields["sex"].status, expected.fields["sex"].status)
    assert np.array_equal(plan.fields["sex"].counts, expected.fields["sex"].counts)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(org=organizations(), k=st.sampled_from([3, 5]))
def test_no_suppressed_group_can_be_solved_for_from_the_published_figures(org, k):
    tree, cross = org
    plan = plan_from_cross(tree, cross, k)
    assert recoverable(plan, cross) == []


@pytest.mark.parametrize("seed", [1, 2])
def test_three_fields_together_reveal_nothing_in_a_larger_organization(seed):
    rng = np.random.default_rng(seed)
    parents = [-1, 0, 0, 0] + [1 + i // 4 for i in range(12)] + [4 + i // 2 for i in range(24)]
    tree = UnitTree.from_parents(parents)  # 40 units, four levels
    cross = rng.poisson(0.6, size=(tree.size, 3, 3, 2))
    cross[[0, 1, 2, 3]] = 0  # members sit in teams only
    cross[5] = rng.poisson(0.3, size=(3, 3, 2))  # but one department has a few of its own
    plan = plan_from_cross(tree, cross, 5)
    assert recoverable(primary_only(plan), cross) != []
    assert recoverable(plan, cross) == []


@settings(max_examples=150, deadline=None)
@given(org=organizations(), k=st.sampled_from([3, 5]))
def test_a_plan_restored_from_its_statuses_is_the_same_plan(org, k):
    tree, cross = org
    direct, by_field = counts_from_cross(tree, cross)
    plan = plan_disclosure_from_counts(tree, direct, by_field, min_size=k)
    back = restore_plan(tree, direct, by_field, stored_statuses(plan), min_size=k)
    assert np.array_equal(back.totals, plan.totals)
    assert np.array_equal(back.total_status, plan.total_status)
    assert back.fields.keys() == plan.fields.keys()
    for name, cells in plan.fields.items():
        assert back.fields[name].categories == cells.categories
        assert np.array_equal(back.fields[name].counts, cells.counts)
        assert np.array_equal(back.fields[name].status, cells.status)
    assert list(back.figures()) == list(plan.figures())


def test_restoring_statuses_that_would_show_a_small_group_is_refused():
    tree = UnitTree.from_parents([-1, 0, 0])
    direct, by_field = [0, 9, 2], {"sex": (["f", "m"], [[0, 0], [5, 4], [2, 0]])}
    plan = plan_disclosure_from_counts(tree, direct, by_field, min_size=5)
    statuses = stored_statuses(plan)
    assert (statuses == SMALL).any()
    with pytest.raises(ValueError, match="do not match these counts"):
        restore_plan(tree, direct, by_field, np.zeros_like(statuses), min_size=5)
    with pytest.raises(ValueError, match="do not match these counts"):
        restore_plan(tree, direct, by_field, statuses, min_size=3)  # planned for another k
    with pytest.raises(ValueError, match="expected 9 integer statuses"):
        restore_plan(tree, direct, by_field, statuses[:-1], min_size=5)
    with pytest.raises(ValueError, match="expected values 0"):
        restore_plan(tree, direct, by_field, np.full_like(statuses, 7), min_size=5)


@settings(max_examples=150, deadline=None)
@given(org=organizations(), k=st.sampled_from([3, 5]))
def test_every_published_sum_leaves_its_hidden_terms_at_zero_or_at_least_k(org, k):
    tree, cross = org
    plan = plan_from_cross(tree, cross, k)
    direct = cross.reshape(tree.size, -1).sum(axis=1)
    tables = [(plan.totals[:, None], plan.total_status[:, None], direct[:, None])]
    for i, f in enumerate(plan.fields.values()):
        axes = tuple(j + 1 for j in range(cross.ndim - 1) if j != i)
        tables.append((f.counts, f.status, cross.sum(axis=axes)))
    for counts, status, own in tables:
        assert np.all((status != SHOWN) | (counts == 0) | (counts >= k))  # shown: 0 or >= k
        assert set(np.unique(status)) <= {SHOWN, SMALL, COMPLEMENT}
        assert np.array_equal(status == SMALL, (counts > 0) & (counts < k))
        for unit, kids in enumerate(tree.children):
            hidden = own[unit] + sum(np.where(status[c] != SHOWN, counts[c], 0) for c in kids)
            assert np.all((status[unit] != SHOWN) | (hidden == 0) | (hidden >= k))
    for f in plan.fields.values():
        hidden = np.where(f.status != SHOWN, f.counts, 0).sum(axis=1)
        assert np.all((plan.total_status != SHOWN) | (hidden == 0) | (hidden >= k))


@pytest.mark.parametrize("bad", [2, 0, -5, 4.0, True, "5"])
def test_a_minimum_group_size_below_three_is_refused_by_name(bad):
    with pytest.raises(ValueError, match="min_size: expected an integer of at least 3"):
        plan_disclosure(TREE, [2, 3], min_size=bad)


@pytest.mark.parametrize(
    ("parents", "message"),
    [
        ([-1, 0, 3, 2], "a cycle through unit 2"),
        ([-1, -1, 0], "exactly one root"),
        ([-1, 7], r"parent indices in \[-1, 1\]"),
        ([-1, 1], "other than the unit itself"),
        ([], "non-empty 1-D integer array"),
        ([-1.0, 0.0], "non-empty 1-D integer array"),
    ],
)
def test_a_parent_array_that_is_not_a_tree_is_refused(parents, message):
    with pytest.raises(ValueError, match=f"parents: expected .*{message}"):
        UnitTree.from_parents(np.asarray(parents))


def test_bad_respondent_rows_are_refused_by_name():
    with pytest.raises(ValueError, match=r"units: expected unit indices in \[0, 5\], got 0..6"):
        plan_disclosure(TREE, [0, 6])
    with pytest.raises(ValueError, match=r"demographics\['sex'\]: expected 2 labels"):
        plan_disclosure(TREE, [2, 3], {"sex": ["f"]})
    with pytest.raises(
        ValueError, match=r"demographics\['age'\]: expected a category for everyone"
    ):
        plan_disclosure(TREE, [2, 3], {"age": [30.0, np.nan]})


def test_field_counts_that_disagree_with_the_unit_counts_are_refused():
    with pytest.raises(ValueError, match=r"by_field\['sex'\]: expected rows summing to `direct`"):
        plan_disclosure_from_counts(
            TREE, [0, 0, 5, 5, 0, 0], {"sex": ([0, 1], np.ones((6, 2), int))}
        )
    with pytest.raises(ValueError, match=r"direct: expected non-negative counts, got -1"):
        plan_disclosure_from_counts(TREE, [0, 0, -1, 5, 0, 0])


def test_units_can_be_given_as_labelled_pairs():
    tree = UnitTree.from_pairs([("org", None), ("icu", "org"), ("ward", "org")])
    plan = plan_disclosure(tree, tree.index(["icu"] * 6 + ["ward"] * 7))
    assert plan.total(0).value == 13 and plan.total(0).label == "org"
    with pytest.raises(ValueError, match="labels: expected one of the known labels, got 'lab'"):
        tree.index(["icu", "lab"])
    with pytest.raises(ValueError, match="pairs: expected parents among the units, got 'x'"):
        UnitTree.from_pairs([("org", None), ("icu", "x")])


# -- the vectorised search against the plain one ---------------------------------------------


@settings(max_examples=200, deadline=None)
@given(org=wide_organizations(), k=st.sampled_from([3, 5, 10]))
def test_the_vectorised_search_hides_exactly_what_the_plain_search_hides(org, k):
    tree, cross = org
    plan = plan_from_cross(tree, cross, k)
    expected = reference_plan_statuses(tree, cross, k)
    for ours, theirs in zip(plan_statuses(plan), expected, strict=True):
        assert np.array_equal(ours, theirs)


@settings(max_examples=200, deadline=None)
@given(org=concentrated_organizations(), k=st.sampled_from([3, 5, 10]))
def test_both_searches_agree_when_a_category_sits_in_one_unit(org, k):
    # Few swaps exist here, so re-labels and moves out of the organization compete.
    tree, cross = org
    plan = plan_from_cross(tree, cross, k)
    expected = reference_plan_statuses(tree, cross, k)
    for ours, theirs in zip(plan_statuses(plan), expected, strict=True):
        assert np.array_equal(ours, theirs)


@settings(max_examples=100, deadline=None)
@given(
    org=concentrated_organizations(max_units=20, max_fields=2, max_categories=3),
    k=st.sampled_from([3, 5]),
)
def test_no_suppressed_group_can_be_solved_for_when_a_category_sits_in_one_unit(org, k):
    tree, cross = org
    plan = plan_from_cross(tree, cross, k)
    assert recoverable(plan, cross) == []


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_a_four_level_organization_with_three_fields_gets_the_plain_searchs_plan(seed):
    # 200 units in 4 levels, skewed sizes, some staff attached to inner units: most
    # protections there are found by the free-swap check or by whole-respondent moves.
    rng = np.random.default_rng(seed)
    parents = [-1] + [0] * 5 + [1 + i // 8 for i in range(40)] + [6 + i // 4 for i in range(154)]
    tree = UnitTree.from_parents(parents)
    weights = rng.lognormal(0.0, 1.3, size=tree.size)
    weights[[bool(kids) for kids in tree.children]] *= 0.08
    units = rng.choice(tree.size, size=6000, p=weights / weights.sum())
    cross = np.zeros((tree.size, 5, 4, 3), dtype=int)
    np.add.at(
        cross,
        (units, rng.integers(0, 5, 6000), rng.integers(0, 4, 6000), rng.integers(0, 3, 6000)),
        1,
    )
    plan = plan_from_cross(tree, cross, 5)
    expected = reference_plan_statuses(tree, cross, 5)
    assert sum(int((s == COMPLEMENT).sum()) for s in expected) > 100  # a plan with real work
    for ours, theirs in zip(plan_statuses(plan), expected, strict=True):
        assert np.array_equal(ours, theirs)


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_an_organization_with_roles_by_unit_gets_the_plain_searchs_plan(seed):
    # The 200 units above, with a third field by unit as a role is: most units hold one of
    # two roles, and a third role is held only by three units of one member (as physicians
    # on a night shift). Nothing inside the organization changes its count but a re-label.
    rng = np.random.default_rng(seed)
    parents = [-1] + [0] * 5 + [1 + i // 8 for i in range(40)] + [6 + i // 4 for i in range(154)]
    tree = UnitTree.from_parents(parents)
    weights = rng.lognormal(0.0, 1.3, size=tree.size)
    weights[[bool(kids) for kids in tree.children]] *= 0.08
    units = rng.choice(tree.size, size=6000, p=weights / weights.sum())
    mixed = rng.random(tree.size) < 0.3
    role = np.where(mixed[units], rng.integers(0, 2, 6000), rng.integers(0, 2, tree.size)[units])
    members = np.bincount(units, minlength=tree.size)
    role[np.isin(units, rng.choice(np.flatnonzero(members == 1), 3, replace=False))] = 2
    cross = np.zeros((tree.size, 5, 4, 3), dtype=int)
    np.add.at(cross, (units, rng.integers(0, 5, 6000), rng.integers(0, 4, 6000), role), 1)
    plan = plan_from_cross(tree, cross, 5)
    assert plan.total(0).value == 6000
    assert plan.fields["role"].status[0, 2] == SMALL  # the organization's few of role 2
    expected = reference_plan_statuses(tree, cross, 5)
    for ours, theirs in zip(plan_statuses(plan), expected, strict=True):
        assert np.array_equal(ours, theirs)


@pytest.mark.slow
@settings(max_examples=100, deadline=None)
@given(
    org=wide_organizations(max_units=24, max_fields=3, max_categories=3),
    k=st.sampled_from([3, 5, 10]),
)
def test_no_suppressed_group_in_a_deeper_tree_can_be_solved_for(org, k):
    tree, cross = org
    plan = plan_from_cross(tree, cross, k)
    assert recoverable(plan, cross) == []
