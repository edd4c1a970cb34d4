"""The disclosure planner's search written the plain way, to test the vectorised one.

This is the straightforward form of steps 2 and 3 of :mod:`analysis.disclosure`. Step 2
(as the project first shipped it, with the tiers' weights and the re-labels since): for
each protected group, each family of moves is searched unit by unit up the tree, costs
summed cell by cell, the families in the order ties are settled. ``analysis._planner``
computes the same choices with prefix sums over ranges of units. Step 3 walks down from
every figure to its nearest visible descendants, where ``analysis._rules.Rules`` finds
every unit's nearest visible ancestor level by level. Both take the rules in the same
order (per pass: each table's region rule with the figures visible at its start, then
the row rule); the tests check that both hide exactly the same figures.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial

import numpy as np

from analysis.groups import UnitTree

Cell = tuple[int, int, int]
SHOWN, SMALL, COMPLEMENT = 0, 1, 2


def reference_statuses(tree: UnitTree, own: list[np.ndarray], k: int) -> list[np.ndarray]:
    """Statuses of every table (0: unit totals, then each field) after all three steps."""
    planner = ReferencePlanner(tree, own, k)
    planner.run()
    return planner.status


@dataclass(frozen=True)
class _Move:
    """A family of moves: the figures a move touches at each unit on its path, which
    units may be its ends, and (for moves of whole respondents) other fields' cells."""

    at: Callable[[int], list[Cell]]
    ok: Callable[[int], bool]
    others: Callable[[int, int, list[int], list[int]], list[Cell]] | None = None


@dataclass
class _Best:
    """The cheapest move found so far (mutable search state)."""

    cost: int | None
    cells: list[Cell] | None = None

    def offer(self, cost: int, cells: list[Cell]) -> None:
        if self.cost is None or cost < self.cost:
            self.cost, self.cells = cost, cells

    def beaten_by(self, cost: int) -> bool:
        """True when nothing costing at least ``cost`` can be an improvement."""
        return self.cost is not None and cost >= self.cost


class ReferencePlanner:
    """Mutable working state of one plan (statuses as lists: read per cell in loops)."""

    def __init__(self, tree: UnitTree, own: list[np.ndarray], k: int) -> None:
        self.tree, self.k, self.own = tree, k, own
        self.value = [tree.rollup(o) for o in own]
        self.status = [np.where((v > 0) & (v < k), SMALL, SHOWN) for v in self.value]
        self.parent: list[int] = tree.parents.tolist()
        self.kids = tree.children
        self._own = [o.tolist() for o in own]
        self._value = [v.tolist() for v in self.value]
        self._status = [s.tolist() for s in self.status]
        self._scale = sum(int(v.sum()) for v in self.value) + 1  # above any sum of figures
        self._root = int(np.flatnonzero(tree.parents < 0)[0])
        self._base = self._tier_base()

    def run(self) -> None:
        for g, unit, c, own_part in self._targets():
            self._protect(g, unit, c, own_part)
        self.status = [np.asarray(s, dtype=np.int8) for s in self._status]
        while any([self._region_rule(t) for t in range(len(self.own))] + [self._row_rule()]):
            pass  # a pass takes every table's region rule, then the row rule

    def _targets(self) -> list[tuple[int, int, int, bool]]:
        targets = []
        for g, (value, own) in enumerate(zip(self.value, self.own, strict=True)):
            for unit, c in zip(*np.nonzero((value > 0) & (value < self.k)), strict=True):
                targets.append((g, int(unit), int(c), False))
            inner = np.asarray([bool(k) for k in self.kids])[:, None]
            for unit, c in zip(*np.nonzero(inner & (own > 0) & (own < self.k)), strict=True):
                targets.append((g, int(unit), int(c), True))
        depth = self.tree.depth
        return sorted(targets, key=lambda t: (t[0] > 0, -depth[t[1]], t[3], t[1], t[2]))

    def _tier(self, g: int, u: int) -> int:
        """2: the organization's total; 1: its top-level units' totals and its own cells."""
        if g == 0 and u == self._root:
            return 2
        return int((g == 0 and self.parent[u] == self._root) or (g > 0 and u == self._root))

    def _weight(self, g: int, u: int, c: int) -> int:
        return (self._value[g][u][c] + self._scale) * self._base ** self._tier(g, u)

    def _tier_base(self) -> int:
        """The number of figures + 1, lowered until the weight of every figure times the
        number of units (plus one unit) stays within 2**62."""
        n = self.tree.size
        sums = [0, 0, 0]
        for g, value in enumerate(self._value):
            for u in range(n):
                for v in value[u]:
                    sums[self._tier(g, u)] += v + self._scale
        base = sum(len(value) * len(value[0]) for value in self._value) + 1
        while base > 1 and (sums[0] + sums[1] * base + sums[2] * base**2 + 1) * n > 2**62:
            base -= 1
        return base

    def _cost(self, cells: Iterable[Cell]) -> int:
        """Figures newly hidden, weighted by value and tier, as one number."""
        new = {cell for cell in cells if self._status[cell[0]][cell[1]][cell[2]] == SHOWN}
        return sum(self._weight(g, u, c) for g, u, c in new)

    def _protect(self, g: int, unit: int, c0: int, own_part: bool) -> None:
        best: _Best | None = None
        for search in self._searches(g, c0, unit, own_part):
            best = search(best.cost if best else None) or best
            if best is not None and best.cost == 0:
                break
        # best is never None: a whole respondent can always be moved out of the organization.
        for t, u, c in best.cells if best and best.cells else []:
            if self._status[t][u][c] == SHOWN:
                self._status[t][u][c] = COMPLEMENT

    def _searches(
        self, g: int, c0: int, unit: int, own_part: bool
    ) -> Iterator[Callable[[int | None], _Best | None]]:
        """Each family's search for a move cheaper than a bound, in the order ties are
        settled: category swaps, then re-labels (field targets only: both leave totals
        and other fields alone), then the move of a whole respondent."""
        if g:
            for c2 in range(len(self._own[g][0])):
                if c2 != c0:
                    yield partial(self._search, self._swap(g, c0, c2), unit, own_part)
            yield partial(self._relabel, g, c0, unit, own_part)
        yield partial(self._search, self._whole(g, c0), unit, own_part)

    def _relabel(
        self, g: int, c0: int, unit: int, own_part: bool, bound: int | None
    ) -> _Best | None:
        """One respondent of category c0 (the unit's own, or anyone in its subtree) takes
        another category c2: field g's cells c0 and c2 change at every unit up to the root.
        Units in depth-first order, then categories; the first cheapest wins."""
        best = _Best(bound)
        for a in [unit] if own_part else self.tree.subtree(unit).tolist():
            if self._own[g][a][c0] == 0:
                continue
            path = self._up(a)
            for c2 in range(len(self._own[g][a])):
                if c2 != c0:
                    cells = [(g, x, c) for x in path for c in (c0, c2)]
                    best.offer(self._cost(cells), cells)
        return best if best.cells is not None else None

    def _whole(self, g: int, c0: int) -> _Move:
        """Moves of a whole respondent (category c0 of table g) to another unit or out."""
        fixed = [g] if g else []
        own = self._own
        columns = self._columns
        return _Move(
            at=lambda x: [(0, x, 0)] + [(f, x, c0) for f in fixed],
            ok=lambda x: own[0][x][0] > 0 and all(own[f][x][c0] > 0 for f in fixed),
            others=lambda a, b, pa, pb: [
                cell
                for f in range(1, len(own))
                if f not in fixed
                for cell in columns(f, a, b, pa, pb)
            ],
        )

    def _swap(self, g: int, c0: int, c2: int) -> _Move:
        own = self._own[g]
        return _Move(
            at=lambda x: [(g, x, c0), (g, x, c2)],
            ok=lambda x: own[x][c0] > 0 and own[x][c2] > 0,
        )

    def _search(self, move: _Move, unit: int, own_part: bool, bound: int | None) -> _Best | None:
        """The cheapest move of one family, lowest common ancestor of its ends first."""
        if own_part:
            if not move.ok(unit):
                return None
            a, cost = unit, self._cost(move.at(unit))
        else:
            found = self._cheapest(move, unit, None)
            if found is None:
                return None
            cost, a = found
        best = _Best(bound)
        if own_part:  # an end below the unit leaves the unit's own total alone
            self._level(move, best, a, [], 0, self.kids[unit])
        path, q = self._up(a, stop=self.parent[unit]), unit
        while self.parent[q] >= 0 and not best.beaten_by(cost):
            p = self.parent[q]
            if move.ok(p):
                self._offer(move, best, a, path, p, [])
            self._level(move, best, a, path, cost, [s for s in self.kids[p] if s != q])
            path, q, cost = [*path, p], p, cost + self._cost(move.at(p))
        if not best.beaten_by(cost):
            self._offer(move, best, a, path, -1, [])
        return best if best.cells is not None else None

    def _level(
        self, move: _Move, best: _Best, a: int, path: list[int], cost: int, tops: Iterable[int]
    ) -> None:
        for top in tops:
            found = self._cheapest(move, top, None if best.cost is None else best.cost - cost)
            if found is not None:
                self._offer(move, best, a, path, found[1], self._up(found[1], self.parent[top]))

    def _offer(
        self, move: _Move, best: _Best, a: int, path: list[int], b: int, b_path: list[int]
    ) -> None:
        cells = [cell for x in path + b_path for cell in move.at(x)]
        if move.others is not None:
            cells += move.others(a, b, path, b_path)
        best.offer(self._cost(cells), cells)

    def _cheapest(self, move: _Move, top: int, budget: int | None) -> tuple[int, int] | None:
        """(cost, end): the allowed end in top's subtree with the cheapest path up to top."""
        reach = {self.parent[top]: 0}
        found: tuple[int, int] | None = None
        for x in self.tree.subtree(top).tolist():
            above = reach.get(self.parent[x])
            if above is None:
                continue  # pruned: its path already costs too much
            here = above + self._cost(move.at(x))
            if budget is not None and here >= budget:
                continue
            reach[x] = here
            if move.ok(x) and (found is None or here < found[0]):
                found = (here, x)
        return found

    def _up(self, x: int, stop: int = -1) -> list[int]:
        path = []
        while x != stop:
            path.append(x)
            x = self.parent[x]
        return path

    def _columns(self, f: int, a: int, b: int, pa: list[int], pb: list[int]) -> list[Cell]:
        """Cells of field f a whole-respondent move touches: a category held at both ends
        cancels above their common ancestor; otherwise both columns run to the root."""
        at_a = [c for c, n in enumerate(self._own[f][a]) if n > 0]
        at_b = [c for c, n in enumerate(self._own[f][b]) if n > 0] if b >= 0 else []
        common = [c for c in at_a if c in at_b] if b >= 0 else at_a
        if common:
            return min(([(f, x, c) for x in pa + pb] for c in common), key=self._cost)
        up_a = min(([(f, x, c) for x in self._up(a)] for c in at_a), key=self._cost)
        return up_a + min(([(f, x, c) for x in self._up(b)] for c in at_b), key=self._cost)

    # -- step 3, cell by cell --------------------------------------------------------------

    def _total_visible(self, u: int) -> bool:
        """Shown, or the sum of a field's cells that are all shown."""
        if self.status[0][u, 0] == SHOWN:
            return True
        return any(
            all(s == SHOWN for s in self.status[g][u].tolist()) for g in range(1, len(self.own))
        )

    def _visible(self, t: int, u: int, c: int) -> bool:
        """Shown, or the unit's total minus the field's other cells, all shown."""
        if self.status[t][u, c] == SHOWN:
            return True
        if t == 0:
            return self._total_visible(u)
        others = [x for x in range(self.status[t].shape[1]) if x != c]
        return self._total_visible(u) and all(self.status[t][u, x] == SHOWN for x in others)

    def _nearest(self, u: int, visible: list[list[bool]], c: int) -> list[int]:
        """Visible units below u in column c with no visible unit between."""
        found, stack = [], list(self.kids[u])
        while stack:
            x = stack.pop()
            if visible[x][c]:
                found.append(x)
            else:
                stack += self.kids[x]
        return sorted(found)

    def _region_rule(self, t: int) -> bool:
        """A visible figure minus its nearest visible descendants holding 0 < n < k."""
        value = self.value[t]
        units, columns = range(value.shape[0]), range(value.shape[1])
        visible = [[self._visible(t, u, c) for c in columns] for u in units]
        nearest = {(u, c): self._nearest(u, visible, c) for u in units for c in columns}
        rest = {
            (u, c): int(value[u, c]) - sum(int(value[x, c]) for x in nearest[u, c])
            for u in units
            for c in columns
        }
        changed = False
        for u in units:
            for c in columns:
                if not (visible[u][c] and 0 < rest[u, c] < self.k):
                    continue
                options = [(rest[x, c], int(value[x, c]), x) for x in nearest[u, c] if rest[x, c]]
                if not options and self._tier(t, u):  # one level deeper before its own figure
                    options = [(0, int(value[x, c]), x) for x in nearest[u, c] if value[x, c]]
                changed |= self._conceal(t, min(options)[2] if options else u, c)
        return changed

    def _row_rule(self) -> bool:
        """A visible unit total whose hidden categories in some field hold 0 < n < k."""
        changed = False
        totals = [self._total_visible(u) for u in range(self.tree.size)]
        for g in range(1, len(self.own)):
            value, status = self.value[g], self.status[g]
            for u in range(self.tree.size):
                hidden = sum(int(value[u, c]) for c in range(value.shape[1]) if status[u, c])
                if totals[u] and 0 < hidden < self.k:
                    changed |= self._hide_smallest(g, u) or self._conceal(0, u, 0)
        return changed

    def _conceal(self, t: int, u: int, c: int) -> bool:
        """Hide the figure and whatever would give it back by a row sum; True if any hidden."""
        changed = self._hide(t, u, c)
        if t == 0:
            for g in range(1, len(self.own)):
                if all(s == SHOWN for s in self.status[g][u].tolist()):
                    changed |= self._hide_smallest(g, u)
            return changed
        hidden = [x for x in range(self.status[t].shape[1]) if self.status[t][u, x] != SHOWN]
        if self._total_visible(u) and len(hidden) == 1:
            changed |= self._hide_smallest(t, u) or self._conceal(0, u, 0)
        return changed

    def _hide_smallest(self, g: int, u: int) -> bool:
        value, status = self.value[g], self.status[g]
        open_ = [(int(value[u, c]), c) for c in range(value.shape[1]) if not status[u, c]]
        open_ = [(v, c) for v, c in open_ if v]
        return bool(open_) and self._hide(g, u, min(open_)[1])

    def _hide(self, t: int, u: int, c: int) -> bool:
        if self.status[t][u, c] != SHOWN:
            return False
        self.status[t][u, c] = COMPLEMENT
        return True
