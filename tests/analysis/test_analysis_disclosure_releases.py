"""Successive releases of a growing wave: attack tests over both releases at once.

Release 1 publishes a plan of D_1, release 2 a plan of D_2 = D_1 + E. The attacker
(``recoverable_across``) holds both, as equations over the unknowns (the atoms of D_1,
the atoms of E), and tries to solve for a small group of D_1, of E or of D_2.
"""

from dataclasses import replace

import numpy as np
import pytest
from _disclosure_attack import (
    counts_from_cross,
    organizations,
    plan_from_cross,
    plan_statuses,
    recoverable_across,
    rule_breaches,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import CHANGED, plan_release
from analysis.disclosure import (
    COMPLEMENT,
    SHOWN,
    SMALL,
    plan_disclosure_from_counts,
    restore_plan,
)
from analysis.disclosure import plan_statuses as stored_statuses
from analysis.groups import UnitTree

# A root (0) with three units; unit 1 has two teams (4, 5). One field: sex.
TREE = UnitTree.from_parents([-1, 0, 0, 0, 1, 1])
FIRST = np.array([[0, 0], [0, 0], [6, 6], [5, 5], [5, 5], [10, 10]])


def release(cross, *earlier, k=5):
    direct, by_field = counts_from_cross(TREE, cross)
    return plan_release(
        TREE, direct, by_field, [counts_from_cross(TREE, e) for e in earlier], min_size=k
    )


def test_two_responses_added_to_a_shown_unit_are_hidden_in_the_next_release():
    second = FIRST.copy()
    second[3, 0] += 2  # two more women in unit 3: 10 -> 12
    first_plan = plan_from_cross(TREE, FIRST, 5)
    assert (stored_statuses(first_plan) == SHOWN).all()
    naive = plan_from_cross(TREE, second, 5)  # everything is 0 or at least 5 again
    assert "added: total 3" in recoverable_across(first_plan, FIRST, naive, second)  # 12 - 10

    plan = release(second, FIRST)
    assert plan.total(3).value is None and plan.total_status[3] == CHANGED
    reason = "hidden: changed by fewer than 5 responses since an earlier release"
    assert plan.total(3).reason == plan.cell(3, "sex", 0).reason == reason
    assert plan.total(0).value is None  # 54 - 52 would give the same two
    assert plan.cell(0, "sex", 0).value is None
    assert plan.total(1).value == 30 and plan.cell(3, "sex", 1).value == 5
    assert recoverable_across(first_plan, FIRST, plan, second) == []


def test_a_release_also_hides_what_would_give_the_added_responses_back():
    # Two men join team 4 and six join team 5. Unit 1 shows 38 after 30, so showing team
    # 5's 26 after 20 would give team 4's two newcomers by subtraction: team 5 is hidden
    # as a complement, although the new data alone would show every figure.
    second = FIRST.copy()
    second[4, 1] += 2
    second[5, 1] += 6
    first_plan = plan_from_cross(TREE, FIRST, 5)
    naive = plan_from_cross(TREE, second, 5)
    assert (stored_statuses(naive) == SHOWN).all()
    assert "added: total 4" in recoverable_across(first_plan, FIRST, naive, second)
    plan = release(second, FIRST)
    assert plan.total_status[4] == CHANGED and plan.total_status[5] == COMPLEMENT
    assert plan.total(5).reason.startswith("hidden so that a smaller group")
    assert plan.cell(5, "sex", 1).value is None and plan.cell(5, "sex", 0).value == 10
    assert plan.total(1).value == 38
    assert recoverable_across(first_plan, FIRST, plan, second) == []


@st.composite
def growing_organizations(draw):
    """An organization of ``organizations`` and a few responses added to it."""
    tree, cross = draw(organizations())
    cells = st.sampled_from([0, 0, 0, 0, 0, 0, 1, 1, 2, 4])
    added = np.array(draw(st.lists(cells, min_size=cross.size, max_size=cross.size)))
    added = added.reshape(cross.shape)
    for unit, kids in enumerate(tree.children):
        if kids and draw(st.integers(0, 3)):
            added[unit] = 0
    return tree, cross, cross + added


def plan_of(tree, cross, earlier=(), k=5):
    direct, by_field = counts_from_cross(tree, cross)
    before = [counts_from_cross(tree, e) for e in earlier]
    return plan_release(tree, direct, by_field, before, min_size=k)


@pytest.mark.slow
@settings(max_examples=120, deadline=None)
@given(org=growing_organizations(), k=st.sampled_from([3, 5]))
def test_no_small_group_of_either_release_or_of_the_added_responses_can_be_solved_for(org, k):
    tree, first, second = org
    first_plan = plan_of(tree, first, k=k)
    plan = plan_of(tree, second, [first], k=k)
    assert recoverable_across(first_plan, first, plan, second) == []
    # Small here: exactly the small figures of the new data; changed: small in the difference.
    added = plan_of(tree, second - first, k=k)
    for status, small_here, small_added in zip(
        plan_statuses(plan),
        plan_statuses(plan_of(tree, second, k=k)),
        plan_statuses(added),
        strict=True,
    ):
        assert np.array_equal(status == SMALL, small_here == SMALL)
        assert np.array_equal(status == CHANGED, (small_added == SMALL) & (status != SMALL))
    # The subtraction rules hold in the new data and in the difference.
    assert rule_breaches(plan) == []
    assert rule_breaches(with_counts(plan, added)) == []


def with_counts(plan, other):
    """``plan``'s statuses over ``other``'s counts."""
    fields = {
        name: replace(cells, counts=other.fields[name].counts)
        for name, cells in plan.fields.items()
    }
    return replace(plan, totals=other.totals, fields=fields)


@settings(max_examples=80, deadline=None)
@given(org=organizations(), k=st.sampled_from([3, 5]))
def test_a_release_with_nothing_added_publishes_exactly_the_plan_of_its_data(org, k):
    tree, cross = org
    plan = plan_of(tree, cross, k=k)
    same = plan_of(tree, cross, [cross, cross], k=k)
    assert np.array_equal(stored_statuses(same), stored_statuses(plan))
    direct, by_field = counts_from_cross(tree, cross)
    alone = plan_disclosure_from_counts(tree, direct, by_field, min_size=k)
    assert list(plan.figures()) == list(alone.figures())


@settings(max_examples=60, deadline=None)
@given(org=growing_organizations(), more=st.integers(0, 3))
def test_several_earlier_releases_hide_what_each_difference_hides(org, more):
    tree, first, second = org
    third = second.copy()
    third.reshape(len(third), -1)[:, 0] += more
    both = stored_statuses(plan_of(tree, third, [first, second]))
    one = stored_statuses(plan_of(tree, third, [first]))
    two = stored_statuses(plan_of(tree, third, [second]))
    assert np.array_equal(both != SHOWN, (one != SHOWN) | (two != SHOWN))
    assert np.array_equal(both == CHANGED, ((one == CHANGED) | (two == CHANGED)) & (both != SMALL))


def test_a_category_missing_from_an_earlier_release_counts_as_zero_there():
    tree = UnitTree.from_parents([-1, 0, 0])
    direct = [0, 9, 7]
    by_field = {"sex": (["f", "m", "x"], [[0, 0, 0], [5, 4, 0], [3, 3, 1]])}
    narrow = {"sex": (["m", "f"], [[0, 0], [4, 5], [3, 3]])}
    wide = {"sex": (["f", "m", "x"], [[0, 0, 0], [5, 4, 0], [3, 3, 0]])}
    a = plan_release(tree, direct, by_field, [([0, 9, 6], narrow)])
    b = plan_release(tree, direct, by_field, [([0, 9, 6], wide)])
    assert np.array_equal(stored_statuses(a), stored_statuses(b))
    assert a.total(2).value is None and a.cell(2, "sex", "x").value is None


@pytest.mark.parametrize(
    ("earlier", "message"),
    [
        (([0, 9, 8], None), r"earlier\[0\] direct: expected at most this release's counts"),
        (
            ([0, 9, 6], {"sex": (["f", "m"], [[0, 0], [6, 3], [3, 3]])}),
            r"earlier\[0\] by_field\['sex'\]: expected at most this release's counts.* unit 1",
        ),
        (
            ([0, 9, 6], {"sex": (["f", "q"], [[0, 0], [5, 4], [3, 3]])}),
            r"expected categories of by_field, got 'q' with responses",
        ),
        (([0, 9, 6], None), r"earlier\[0\] by_field\['sex'\]: expected counts by category"),
        (
            ([0, 9, 6], {"age": ([1], [[0], [9], [6]])}),
            r"earlier\[0\]: expected fields among \['sex'\], got \['age'\]",
        ),
        (
            ([0, 9, 6], {"sex": (["f", "m"], [[0, 0], [5, 4], [3, 2]])}),
            r"earlier\[0\] by_field\['sex'\]: expected rows summing to its direct counts",
        ),
        (([0, -1, 6], None), r"earlier\[0\] direct: expected non-negative counts"),
    ],
)
def test_earlier_counts_that_are_not_within_this_release_are_refused_by_name(earlier, message):
    tree = UnitTree.from_parents([-1, 0, 0])
    by_field = {"sex": (["f", "m"], [[0, 0], [5, 4], [4, 3]])}
    with pytest.raises(ValueError, match=message):
        plan_release(tree, [0, 9, 7], by_field, [earlier])


def test_an_earlier_release_that_is_not_a_pair_of_counts_is_refused_by_name():
    with pytest.raises(TypeError, match=r"earlier\[0\]: expected a \(direct, by_field\) pair"):
        plan_release(TREE, [0, 0, 5, 5, 5, 5], earlier=[[0, 0, 5, 5, 5, 5]])


def test_a_release_plan_is_restored_from_its_statuses_and_says_what_changed():
    second = FIRST.copy()
    second[3, 0] += 2
    plan = release(second, FIRST)
    direct, by_field = counts_from_cross(TREE, second)
    statuses = stored_statuses(plan)
    back = restore_plan(TREE, direct, by_field, statuses, min_size=5)
    assert list(back.figures()) == list(plan.figures())
    assert back.total_mask()[1][3] == plan.reason(CHANGED)
    assert plan.information_loss() == pytest.approx(4 / 18)  # 4 of 18 figures, none small
    with pytest.raises(ValueError, match=r"expected values 0 .* or 3 \(changed\), got 0..4"):
        restore_plan(TREE, direct, by_field, np.where(statuses == CHANGED, 4, 0), min_size=5)
