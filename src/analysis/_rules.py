"""Step 3 of :func:`analysis.disclosure.plan_disclosure_from_counts`: the subtraction
rules, vectorised over the units of each level (see :mod:`analysis.disclosure`)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from analysis.groups import UnitTree

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

SHOWN, COMPLEMENT = 0, 2


class Rules:
    """Step 3 of the plan: the subtraction rules, on statuses in unit order, until stable.

    A figure is *visible* when shown or derivable: a unit's total is the sum of its cells
    in each field, so the total is derivable when every cell of some field is shown, and
    a cell when the total is visible and every other cell of its field is shown (own parts
    are never visible). Each pass takes the region rule table by table, then the row rule;
    a pass that hides nothing ends the loop. Hiding only grows, so it ends."""

    def __init__(
        self, tree: UnitTree, value: list[IntArray], status: list[NDArray[np.int8]], k: int
    ) -> None:
        self.value, self.status, self.k = value, status, k
        self.parents = tree.parents
        self.root = int(tree.preorder[0])
        depth = tree.depth
        self.levels = [np.flatnonzero(depth == d) for d in range(1, int(depth.max()) + 1)]
        self.hidden = 0  # figures hidden so far: a pass that adds none ends the loop

    def run(self) -> list[NDArray[np.int8]]:
        while True:
            before = self.hidden
            for t in range(len(self.value)):
                self._region_rule(t)
            self._row_rule()
            if self.hidden == before:
                return self.status

    def visible_totals(self) -> BoolArray:
        visible: BoolArray = self.status[0][:, 0] == SHOWN
        for status in self.status[1:]:
            visible = visible | (status == SHOWN).all(axis=1)
        return visible

    def visible(self, t: int) -> BoolArray:
        totals = self.visible_totals()
        if t == 0:
            return totals[:, None]
        shown = self.status[t] == SHOWN
        alone = (~shown).sum(axis=1) == 1  # the one hidden cell is the total minus the others
        visible: BoolArray = shown | (totals & alone)[:, None]
        return visible

    def remainders(self, t: int, visible: BoolArray) -> tuple[IntArray, IntArray]:
        """(above, rest) per cell of table t: the nearest visible unit above in the same column
        (-1: none), and the cell's value minus its nearest visible descendants' values."""
        value = self.value[t]
        above = np.full(value.shape, -1, dtype=np.int64)
        for level in self.levels:  # top down: a parent's answer is ready for its children
            up = self.parents[level]
            above[level] = np.where(visible[up], up[:, None], above[up])
        counted = visible & (above >= 0)
        units, cs = np.nonzero(counted)
        below = np.zeros_like(value)
        np.add.at(below, (above[units, cs], cs), value[units, cs])
        return above, value - below

    def _region_rule(self, t: int) -> None:
        """A visible figure minus its nearest visible descendants holding 0 < n < k: hide the
        descendant adding the least non-zero remainder (then the smallest, then the first
        unit), which merges its remainder into the figure's. With none, the figure itself;
        but an organization's or top-level figure (the tiers of step 2) first looks a level
        deeper: it hides its smallest descendant with a remainder of 0 but members below."""
        visible = self.visible(t)
        above, rest = self.remainders(t, visible)
        bad = visible & (rest > 0) & (rest < self.k)
        if not bad.any():
            return
        units, cs = np.nonzero(visible & (above >= 0))
        tops = above[units, cs]
        keep = bad[tops, cs]
        units, cs, tops = units[keep], cs[keep], tops[keep]
        size, own = self.value[t][units, cs], rest[units, cs]
        pick = _first(bad.shape, (units, size, own), tops, cs, own > 0)
        deeper = _first(bad.shape, (units, size), tops, cs, (own == 0) & (size > 0))
        for unit, c in zip(*np.nonzero(bad), strict=True):
            target = int(pick[unit, c])
            if target < 0 and self._upper(t, int(unit)):
                target = int(deeper[unit, c])
            self._conceal(t, target if target >= 0 else int(unit), int(c))

    def _upper(self, t: int, unit: int) -> bool:
        """The organization's total and cells, and its top-level units' totals."""
        return unit == self.root or (t == 0 and int(self.parents[unit]) == self.root)

    def _row_rule(self) -> None:
        """A visible unit total whose hidden categories in some field hold 0 < n < k: hide
        the smallest shown non-zero category. (Hiding there never changes which totals are
        visible: that field already had a hidden cell.)"""
        totals = self.visible_totals()
        for g in range(1, len(self.value)):
            hidden = np.where(self.status[g] != SHOWN, self.value[g], 0).sum(axis=1)
            for unit in np.flatnonzero(totals & (hidden > 0) & (hidden < self.k)).tolist():
                if not self._hide_smallest(g, unit):  # unreachable: the total is then < k
                    self._conceal(0, unit, 0)

    def _conceal(self, t: int, unit: int, c: int) -> None:
        """Make a figure invisible: hide it, and break the row sums that would give it back."""
        self._hide(t, unit, c)
        if t == 0:
            for g in range(1, len(self.value)):
                if (self.status[g][unit] == SHOWN).all():  # the total is these cells' sum
                    self._hide_smallest(g, unit)
            return
        hidden = np.count_nonzero(self.status[t][unit] != SHOWN)
        derivable = self._total_visible(unit) and hidden == 1  # the total minus the others
        if derivable and not self._hide_smallest(t, unit):  # the others are 0: hide the total
            self._conceal(0, unit, 0)

    def _total_visible(self, unit: int) -> bool:
        if self.status[0][unit, 0] == SHOWN:
            return True
        return any(bool((s[unit] == SHOWN).all()) for s in self.status[1:])

    def _hide_smallest(self, g: int, unit: int) -> bool:
        """Hide the smallest shown non-zero cell of the unit in field g (first on ties)."""
        value = self.value[g][unit]
        open_ = np.flatnonzero((self.status[g][unit] == SHOWN) & (value > 0))
        if not len(open_):
            return False
        self._hide(g, unit, int(open_[np.argmin(value[open_])]))
        return True

    def _hide(self, t: int, unit: int, c: int) -> None:
        if self.status[t][unit, c] == SHOWN:
            self.status[t][unit, c] = COMPLEMENT
            self.hidden += 1


def _first(
    shape: tuple[int, ...],
    keys: tuple[IntArray, ...],
    tops: IntArray,
    cs: IntArray,
    mask: BoolArray,
) -> IntArray:
    """Per cell (top, column), the first of the candidate units under it in ``mask``, by
    ``keys`` (the last one first, as in ``np.lexsort``); -1 where there is none."""
    chosen = [key[mask] for key in keys]
    tops, cs = tops[mask], cs[mask]
    order = np.lexsort((*chosen, tops, cs))
    units, tops, cs = chosen[0][order], tops[order], cs[order]
    head = np.ones(len(order), dtype=bool)
    head[1:] = (cs[1:] != cs[:-1]) | (tops[1:] != tops[:-1])
    pick = np.full(shape, -1, dtype=np.int64)
    pick[tops[head], cs[head]] = units[head]
    return pick
