"""The disclosure planner's search written the plain way, to test the vectorised one.

This is the straightforward form of step 2 of :mod:`analysis.disclosure` (as the
project first shipped it): for each protected group, each family of moves is searched
unit by unit up the tree, costs summed cell by cell. ``analysis._planner`` computes the
same choices with prefix sums over ranges of units; the tests check that both hide
exactly the same figures.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

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

    def run(self) -> None:
        for g, unit, c, own_part in self._targets():
            self._protect(g, unit, c, own_part)
        self.status = [np.asarray(s, dtype=np.int8) for s in self._status]
        while any([self._hierarchy_rule(g) for g in range(len(self.own))] + [self._row_rule()]):
            pass

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

    def _cost(self, cells: Iterable[Cell]) -> int:
        """Figures newly hidden, then respondents in them, as one number."""
        new = {cell for cell in cells if self._status[cell[0]][cell[1]][cell[2]] == SHOWN}
        return len(new) * self._scale + int(sum(self._value[g][u][c] for g, u, c in new))

    def _protect(self, g: int, unit: int, c0: int, own_part: bool) -> None:
        best: _Best | None = None
        for move in self._moves(g, c0):
            found = self._search(move, unit, own_part, best.cost if best else None)
            best = found or best
            if best is not None and best.cost == 0:
                break
        # best is never None: a whole respondent can always be moved out of the organization.
        for t, u, c in best.cells if best and best.cells else []:
            if self._status[t][u][c] == SHOWN:
                self._status[t][u][c] = COMPLEMENT

    def _moves(self, g: int, c0: int) -> Iterator[_Move]:
        """Category swaps (field targets only: they leave totals and other fields alone),
        then the move of a whole respondent."""
        if g:
            yield from (self._swap(g, c0, c2) for c2 in range(len(self._own[g][0])) if c2 != c0)
        fixed = [g] if g else []
        own = self._own
        columns = self._columns
        yield _Move(
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

    def _hierarchy_rule(self, g: int) -> bool:
        """A shown unit (x category) whose hidden own part and subunits hold 0 < n < k."""
        value, status, p = self.value[g], self.status[g], self.tree.parents
        hidden = self.own[g].copy()  # the own part is never published
        below = np.flatnonzero(p >= 0)
        np.add.at(hidden, p[below], np.where(status[below] != SHOWN, value[below], 0))
        bad = np.nonzero((status == SHOWN) & (hidden > 0) & (hidden < self.k))
        for unit, c in zip(*bad, strict=True):
            self._hide_smallest(g, [(x, int(c)) for x in self.kids[unit]], (g, int(unit), int(c)))
        return len(bad[0]) > 0

    def _row_rule(self) -> bool:
        """A shown unit total whose hidden categories in some field hold 0 < n < k."""
        changed = False
        shown = self.status[0][:, 0] == SHOWN
        for g in range(1, len(self.own)):
            value, status = self.value[g], self.status[g]
            hidden = np.where(status != SHOWN, value, 0).sum(axis=1)
            for unit in np.flatnonzero(shown & (hidden > 0) & (hidden < self.k)).tolist():
                self._hide_smallest(g, [(unit, c) for c in range(value.shape[1])], (0, unit, 0))
                changed = True
        return changed

    def _hide_smallest(self, g: int, parts: list[tuple[int, int]], whole: Cell) -> None:
        value, status = self.value[g], self.status[g]
        open_ = [
            (int(value[x, c]), x, c) for x, c in parts if status[x, c] == SHOWN and value[x, c]
        ]
        if open_:
            _, x, c = min(open_)
            status[x, c] = COMPLEMENT
        else:  # unreachable: a shown whole is then itself below k; hide it to be safe
            self.status[whole[0]][whole[1], whole[2]] = COMPLEMENT
