"""Count suppression: no published figure, alone or by subtraction, reveals a group below k."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis import suppress_counts


def test_small_groups_are_hidden_with_a_reason():
    cells = suppress_counts({"a": 12, "b": 3, "c": 9, "d": 0}, 5)
    assert cells["b"].value is None and "fewer than 5" in cells["b"].reason
    assert cells["d"].value == 0  # nobody answered identifies nobody


def test_the_smallest_other_group_is_hidden_when_one_group_could_be_subtracted():
    cells = suppress_counts({"a": 12, "b": 3, "c": 9}, 5)
    # total 24 - 12 - 9 = 3 would reveal b: c (the smaller shown one) goes too.
    assert cells["c"].value is None and "subtraction" in cells["c"].reason
    assert cells["a"].value == 12


def test_nothing_extra_is_hidden_when_the_hidden_remainder_is_already_large_enough():
    cells = suppress_counts({"a": 12, "b": 3, "c": 4, "d": 20}, 5)  # b + c = 7 >= 5
    assert [k for k, c in cells.items() if c.suppressed] == ["b", "c"]


def test_the_total_is_hidden_when_nothing_can_protect_a_small_remainder():
    table = suppress_counts({"a": 2, "b": 0}, 5)
    assert table.total.value is None
    assert table["b"].value == 0


def test_without_a_published_total_only_small_groups_are_hidden():
    cells = suppress_counts({"a": 12, "b": 3, "c": 9}, 5, total_published=False)
    assert [k for k, c in cells.items() if c.suppressed] == ["b"]


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "5"])
def test_a_bad_minimum_size_is_refused_by_name(bad):
    with pytest.raises(ValueError, match="min_size: expected a positive integer"):
        suppress_counts({"a": 1}, bad)


def test_a_negative_count_is_refused_by_name():
    with pytest.raises(ValueError, match=r"counts\['a'\]: expected a non-negative integer, got -1"):
        suppress_counts({"a": -1}, 5)


@given(
    counts=st.dictionaries(
        st.text(min_size=1, max_size=3), st.integers(0, 40), min_size=1, max_size=12
    ),
    k=st.integers(3, 10),
)
def test_no_combination_of_published_figures_reveals_a_small_group(counts, k):
    cells = suppress_counts(counts, k)
    shown = [c.value for c in cells.values() if c.value is not None]
    assert all(v == 0 or v >= k for v in shown)
    if cells.total.value is not None:
        # The published total minus all shown parts is zero or at least k.
        hidden_total = cells.total.value - sum(shown)
        assert hidden_total == 0 or hidden_total >= k
        assert cells.total.value == sum(counts.values())
    # Suppression never invents numbers.
    assert all(cells[label].value in (None, count) for label, count in counts.items())
