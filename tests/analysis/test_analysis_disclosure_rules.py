"""The plan's priorities and its subtraction rules: the organization's figures stay shown
when another choice protects the same group; no subtraction down the tree, over any
number of levels, leaves a small group; how much a plan hides beyond the small groups."""

import numpy as np
import pytest
from _disclosure_attack import (
    concentrated_organizations,
    counts_from_cross,
    determined,
    equations,
    field_only_organizations,
    organizations,
    plan_from_cross,
    plan_statuses,
    primary_only,
    recoverable,
    recoverable_by_rank,
    reference_plan_statuses,
    rule_breaches,
    wide_organizations,
    with_statuses,
)
from _reference_planner import ReferencePlanner
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis._planner import tier_base
from analysis.disclosure import COMPLEMENT, SHOWN, SMALL, plan_disclosure_from_counts
from analysis.groups import UnitTree

# -- tiers: the organization's total, then its top-level figures ---------------------------------

# The organization (0), three top-level units (1-3), two teams under each (4-9).
DIVISIONS = UnitTree.from_parents([-1, 0, 0, 0, 1, 1, 2, 2, 3, 3])


def divisions_with_one_member_at_the_top():
    """Teams of 12 to 24 by sex (2) x age (3), and one person attached to the organization."""
    cross = np.zeros((10, 2, 3), dtype=int)
    cross[4:] = np.array(
        [
            [[3, 4, 5], [5, 2, 2]],
            [[5, 5, 2], [3, 5, 3]],
            [[3, 5, 3], [3, 4, 4]],
            [[2, 2, 5], [5, 5, 4]],
            [[5, 3, 3], [5, 2, 3]],
            [[2, 3, 5], [2, 3, 3]],
        ]
    )
    cross[0, 0, 1] = 1  # direct[0] = 1
    return cross


def test_one_member_attached_to_the_organization_leaves_its_total_and_cells_shown():
    # Moving that one person out of the organization hides three figures (its total and
    # its two cells), into a team six: by count alone the plan hid the organization's
    # total. Its tier now outweighs any number of team figures.
    cross = divisions_with_one_member_at_the_top()
    plan = plan_from_cross(DIVISIONS, cross, 5)
    assert plan.total(0).value == int(cross.sum()) == 129
    assert all(plan.cell(0, "sex", c).value is not None for c in range(2))
    assert all(plan.cell(0, "age", c).value is not None for c in range(3))
    assert "own members of 0" in recoverable(primary_only(plan), cross)  # 129 - 44 - 45 - 39
    assert recoverable(plan, cross) == []
    hidden_totals = [u for u in range(10) if plan.total(u).value is None]
    assert len(hidden_totals) == 2 and hidden_totals[0] in (1, 2, 3)  # a division and a team
    for ours, theirs in zip(
        plan_statuses(plan), reference_plan_statuses(DIVISIONS, cross, 5), strict=True
    ):
        assert np.array_equal(ours, theirs)


def test_a_top_level_unit_stays_shown_when_two_team_figures_protect_the_same_group():
    # Unit 1 has 2 members of its own. Moving one to the organization's own members hides
    # only unit 1's total; moving one into team 5 hides team 5 and department 3 instead.
    tree = UnitTree.from_parents([-1, 0, 0, 1, 1, 3, 4])
    cross = np.array([10, 2, 12, 0, 0, 8, 9])
    plan = plan_from_cross(tree, cross, 5)
    assert [plan.total(u).value is None for u in range(7)] == [0, 0, 0, 1, 0, 1, 0]
    assert recoverable(primary_only(plan), cross) == ["own members of 1"]
    assert recoverable(plan, cross) == []


@settings(max_examples=150, deadline=None)
@given(
    org=st.one_of(
        organizations(),
        concentrated_organizations(max_units=20, max_fields=2, max_categories=3),
    ),
    k=st.sampled_from([3, 5]),
)
def test_the_organizations_total_is_shown_whenever_it_holds_at_least_k(org, k):
    # Showing the organization's total alone is always safe when it holds k or more, and
    # every group has a move that keeps it shown: a group of the unit totals (a unit, a
    # unit's own members) holds fewer than k, so the organization has members outside it
    # and one of the group can move to them; a group of a field has a re-label. Either
    # costs less than the organization's total, and step 3 hides the organization's
    # figures only when no visible unit below holds members: the remainder is then the
    # whole total, k or more. (Before re-labels, no move kept the total when a category
    # was held by one small unit alone; see the hospital below.)
    tree, cross = org
    plan = plan_from_cross(tree, cross, k)
    if cross.sum() >= k:
        assert plan.total(0).value == int(cross.sum())
    assert recoverable(plan, cross) == []


# The organization (0): ED (1), and Nursing (2) > ICU (3) > Night (4). The 12 in ED are
# nurses, the 2 in Night physicians: no unit holds both roles.
HOSPITAL = UnitTree.from_parents([-1, 0, 0, 2, 3])
ROLES = np.array([[0, 0], [12, 0], [0, 0], [0, 0], [0, 2]])


def test_the_organizations_physicians_are_protected_by_a_re_label_not_by_its_total():
    # The organization's 2 physicians are 14 - 12 nurses. No swap exists (no unit holds
    # both roles) and a move inside the organization keeps the role, so without re-labels
    # only a move out of the organization was left, which hid its total. Re-labelling a
    # physician of Night a nurse changes only role cells on Night's path: the organization's
    # nurse cell (hidden already to protect Nursing's 2, by a move into ED) and the zero
    # nurse cells of Night, ICU and Nursing.
    direct, roles = ROLES.sum(axis=1), (["nurse", "physician"], ROLES)
    plan = plan_disclosure_from_counts(HOSPITAL, direct, {"role": roles}, min_size=5)
    assert plan.total(0).value == 14
    assert plan.fields["role"].status[0, 1] == SMALL
    assert plan.total_status.tolist() == [SHOWN, COMPLEMENT, SMALL, SMALL, SMALL]
    assert plan.fields["role"].status.tolist() == [
        [COMPLEMENT, SMALL],
        [COMPLEMENT, SHOWN],
        [COMPLEMENT, SMALL],
        [COMPLEMENT, SMALL],
        [COMPLEMENT, SMALL],
    ]
    assert "role=1 in 0" in recoverable_by_rank(primary_only(plan), ROLES)
    assert recoverable_by_rank(plan, ROLES) == recoverable(plan, ROLES) == []
    assert rule_breaches(plan) == []
    expected = reference_plan_statuses(HOSPITAL, ROLES, 5)
    for ours, theirs in zip(plan_statuses(plan), expected, strict=True):
        assert np.array_equal(ours, theirs)


@settings(max_examples=200, deadline=None)
@given(org=field_only_organizations())
def test_the_organizations_total_is_shown_when_every_small_group_is_a_field_cell(org):
    # The narrower case of the general test above: no unit total and no unit's own members
    # are small, so every small group is a field's. (The swaps "out of the organization"
    # kept the total here before re-labels: a unit holding fewer than k of a category has
    # k or more members, so it holds a second one to swap with.)
    tree, cross, k = org
    totals = tree.rollup(cross.reshape(tree.size, -1).sum(axis=1))
    assert not ((totals > 0) & (totals < k)).any()
    plan = plan_from_cross(tree, cross, k)
    if totals[0] >= k:
        assert plan.total(0).value == int(totals[0])
    assert recoverable(plan, cross) == []


def test_the_tier_base_is_lexicographic_until_the_keys_would_leave_64_bits():
    assert tier_base((1_000, 50, 10), units=10, figures=40) == 41
    sums, units = (10**15, 10**14, 10**13), 400
    m = tier_base(sums, units=units, figures=10**6)
    assert 1 < m < 10**6 + 1

    def key(base):
        return (sums[0] + sums[1] * base + sums[2] * base * base + 1) * units

    assert key(m) <= 2**62 < key(m + 1)
    with pytest.raises(ValueError, match="direct: expected counts that fit 64-bit costs"):
        tier_base((2**60, 0, 0), units=8, figures=3)


def test_a_plan_of_huge_counts_weighs_tiers_within_64_bits_like_the_plain_search():
    tree = UnitTree.from_parents([-1, 0, 0, 0, 1, 1])
    huge = 10**14
    cross = np.array([[0, 0], [3, 0], [4 * huge, huge], [huge, 3], [2, huge], [0, 9]])
    direct, by_field = counts_from_cross(tree, cross)
    own = [direct[:, None], by_field["sex"][1]]
    assert ReferencePlanner(tree, own, 5)._base < 6 * 3 + 1  # lowered from 19: 64 bits
    plan = plan_disclosure_from_counts(tree, direct, by_field, min_size=5)
    assert plan.total(0).value == int(cross.sum())
    assert recoverable(plan, cross) == []
    for ours, theirs in zip(
        plan_statuses(plan), reference_plan_statuses(tree, cross, 5), strict=True
    ):
        assert np.array_equal(ours, theirs)


# -- the region rule: subtraction over any number of levels --------------------------------------


def test_a_parent_minus_a_visible_grandchild_cannot_reveal_the_groups_between():
    # P (0) holds C (1: 2 of its own + team C1, 4), D (2: 3 people) and E (3: 10 people).
    # D is small, and hiding C protects it (D could be C's). A rule over a unit's own part
    # and hidden children passes P: 0 + C + D = 11. But with C1 shown,
    # P - E - C1 = 21 - 10 - 6 = 5: C's own members and D, a group below 6.
    tree = UnitTree.from_parents([-1, 0, 0, 0, 1])
    cross = np.array([0, 2, 3, 10, 6])
    plan = plan_from_cross(tree, cross, 6)
    assert [plan.total(u).value for u in range(5)] == [21, None, None, 10, None]
    assert plan.total(4).reason.startswith("hidden so that a smaller group")
    between = np.array([0, 1, 1, 0, 0], dtype=float)  # C's own members and D's
    before = with_statuses(plan, shown=[(0, 4, 0)])
    assert rule_breaches(before) == [("region", 0, 0, 0, 5)]
    groups = [(between, "C's own and D")]
    assert determined(*equations(before, cross, groups)) == ["C's own and D"]
    assert determined(*equations(plan, cross, groups)) == []
    assert rule_breaches(plan) == [] and recoverable(plan, cross) == []


def test_a_figure_hidden_by_the_rules_is_not_left_derivable_from_its_row():
    # Hiding a unit's total is no use while its cells still add up to it: the rule hides
    # a cell too, so the total cannot come back through the row.
    tree = UnitTree.from_parents([-1, 0, 0, 0, 1])
    cross = np.zeros((5, 2), dtype=int)
    cross[1], cross[2], cross[3], cross[4] = [2, 0], [0, 3], [5, 5], [6, 0]
    plan = plan_from_cross(tree, cross, 6)
    assert rule_breaches(plan) == [] and recoverable(plan, cross) == []
    assert any(plan.cell(4, "sex", c).value is None for c in range(2))


@settings(max_examples=200, deadline=None)
@given(org=organizations(), k=st.sampled_from([3, 5, 10]))
def test_every_visible_figure_minus_its_nearest_visible_descendants_holds_0_or_at_least_k(org, k):
    tree, cross = org
    plan = plan_from_cross(tree, cross, k)
    assert rule_breaches(plan) == []


@settings(max_examples=100, deadline=None)
@given(org=wide_organizations(max_units=30), k=st.sampled_from([3, 5, 10]))
def test_the_subtraction_rules_hold_in_wider_and_deeper_organizations(org, k):
    tree, cross = org
    plan = plan_from_cross(tree, cross, k)
    assert rule_breaches(plan) == []
    expected = reference_plan_statuses(tree, cross, k)
    for ours, theirs in zip(plan_statuses(plan), expected, strict=True):
        assert np.array_equal(ours, theirs)


# -- information loss ---------------------------------------------------------------------------


def test_information_loss_counts_only_figures_hidden_although_not_small():
    tree = UnitTree.from_parents([-1, 0, 0, 0, 1, 1])
    plan = plan_from_cross(tree, np.array([0, 0, 30, 30, 2, 9]), 5)
    assert plan.total_status.tolist() == [SHOWN, SHOWN, SHOWN, SHOWN, SMALL, COMPLEMENT]
    assert plan.information_loss() == pytest.approx(1 / 5)  # 1 of the 5 figures not small
    only_small = plan_from_cross(tree, np.array([0, 0, 0, 0, 0, 3]), 5)
    assert only_small.total_status.tolist() == [SMALL, SMALL, SHOWN, SHOWN, SHOWN, SMALL]
    assert only_small.information_loss() == 0.0
    assert plan_from_cross(tree, np.zeros(6, dtype=int), 5).information_loss() == 0.0
    everything_small = UnitTree.from_parents([-1])
    assert plan_from_cross(everything_small, np.array([2]), 5).information_loss() == 0.0
