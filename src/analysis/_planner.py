"""The search behind :func:`analysis.disclosure.plan_disclosure_from_counts`, vectorised.

Step 2 of the plan (see :mod:`analysis.disclosure`) protects each small group with the
cheapest move that leaves every published figure unchanged. A move's cost is the sum of
the weights of the figures it newly hides, ``(value + scale) * M**tier`` each (``scale``
above any sum of figures, so fewer figures come first, then fewer respondents), a sum
over the units on its path. The tier keeps the figures readers look at first: 2 for the
organization's total, 1 for its top-level units' totals and its own cells of every
field, 0 for the rest; with ``M`` the number of figures + 1, one figure of a tier weighs
more than every figure of the tiers below together (see :func:`tier_base` for the
bound that keeps the keys within 64 bits). Units are held in depth-first order, so a
subtree is a contiguous range and

    cum[x] = cost of the figures at x and at every unit above it

turns the cost of a path from ``a`` up to (not including) ``p`` into
``cum[a] - cum[p]``. Hiding a figure lowers ``cum`` on one range. For a group in unit
``u`` the other end ``b`` of a swap or of a whole respondent's move lies in one of the
"rings" around ``u`` (a unit ``p`` above ``u`` and its subtrees other than the one
holding ``u``), or outside the organization; each ring is one or two ranges, and one
``np.minimum.reduceat`` gives every ring's cheapest end for every category at once. A
re-label has one end and runs to the root: ``cum[a, c0] + cum[a, c2]``, one argmin over
the categories per unit and one over the units of the near range.

The families are compared in a fixed order, swaps, then re-labels, then moves of a
whole respondent, a later one winning only when strictly cheaper; within swaps,
categories in order, then rings deepest first (depth-first order within a ring); within
re-labels, units in depth-first order, then categories. The first cheapest wins, so
the figures hidden do not depend on how the minimum is found.
"""

from __future__ import annotations

import weakref

import numpy as np
from numpy.typing import NDArray

from analysis.groups import UnitTree

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
Cell = tuple[int, int, int]  # (table: 0 = unit totals, 1.. = fields; unit; category)

SHOWN, SMALL, COMPLEMENT = 0, 1, 2
_NONE = np.iinfo(np.int64).max  # "no allowed end here" in the keys below
_KEY_LIMIT = 2**62  # keys stay below this; two costs added (a swap's two ends) stay in int64


def tier_base(sums: tuple[int, int, int], units: int, figures: int) -> int:
    """``M`` of the weights ``(value + scale) * M**tier``; ``sums[t]`` is the sum of
    ``value + scale`` over the figures of tier t.

    ``figures + 1`` makes the cost lexicographic by tier: the figures of a tier weigh
    less than ``M * scale`` together. A key is ``cost * units + index`` with a cost at
    most ``W``, the weight of every figure; when ``W * units`` could reach 2**62, ``M`` is
    the largest that keeps it below, and the order is then strongly weighted to the
    higher tiers rather than strictly lexicographic."""

    def fits(m: int) -> bool:
        return (sums[0] + sums[1] * m + sums[2] * m * m + 1) * units <= _KEY_LIMIT

    if not fits(1):
        raise ValueError(
            f"direct: expected counts that fit 64-bit costs, got figures summing to {sum(sums)}"
        )
    low, high = 1, figures + 1
    while low < high:  # the largest m that fits: fits() is monotone in m
        mid = (low + high + 1) // 2
        low, high = (mid, high) if fits(mid) else (low, mid - 1)
    return low


def _tier_weights(value: list[IntArray], top: list[int]) -> list[IntArray]:
    """Each figure's weight when shown, in depth-first order (the root first; ``top``: the
    positions of its children)."""
    scale = sum(int(v.sum()) for v in value) + 1  # above any sum of figures
    tiers = [np.zeros(v.shape, dtype=np.intp) for v in value]
    tiers[0][0, 0] = 2
    tiers[0][top, 0] = 1
    for tier in tiers[1:]:
        tier[0, :] = 1
    sums = [0, 0, 0]
    for v, tier in zip(value, tiers, strict=True):
        for t in range(3):
            sums[t] += int((v[tier == t] + scale).sum())
    m = tier_base((sums[0], sums[1], sums[2]), len(value[0]), sum(v.size for v in value))
    factor = np.asarray([1, m, m * m], dtype=np.int64)
    return [(v + scale) * factor[tier] for v, tier in zip(value, tiers, strict=True)]


class _Layout:
    """The ranges around one unit (in depth-first order) a move's far end may lie in.

    ``starts``: sorted range starts, covering every unit exactly once; ``near``: the
    range holding the near end (the unit's subtree, or the unit alone for its own
    members). The other ranges belong to rings: ``ring[r]`` is the ring of range r
    (0 = deepest), ``tops[j]`` the unit at the top of ring j (the far end's lowest
    common ancestor with the near end). ``order`` lists the other ranges ring by ring,
    ``bounds`` where each ring starts in it, ``far_tops`` each listed range's top.
    """

    __slots__ = ("bounds", "far_tops", "near", "order", "ring", "starts", "tops")

    def __init__(self, x: int, own: bool, parent: list[int], kids: list[list[int]]) -> None:
        ranges: list[tuple[int, int]] = []  # (start, ring), ring -1 = the near end
        tops: list[int] = []
        if own:
            ranges.append((x, -1))
            if kids[x]:
                tops.append(x)
                ranges += [(s, 0) for s in kids[x]]
        else:
            ranges.append((x, -1))
        q, p = x, parent[x]
        while p >= 0:
            j = len(tops)
            tops.append(p)
            ranges.append((p, j))
            ranges += [(s, j) for s in kids[p] if s != q]
            q, p = p, parent[p]
        ranges.sort()
        self.starts = np.asarray([s for s, _ in ranges], dtype=np.intp)
        rings = [j for _, j in ranges]
        self.near = rings.index(-1)
        self.ring = rings
        self.tops = np.asarray(tops, dtype=np.intp)
        order = sorted((j, r) for r, j in enumerate(rings) if j >= 0)
        self.order = np.asarray([r for _, r in order], dtype=np.intp)
        firsts = [i for i, (j, _) in enumerate(order) if i == 0 or order[i - 1][0] != j]
        self.bounds = np.asarray(firsts, dtype=np.intp)
        self.far_tops = self.tops[[j for j, _ in order]] if order else self.tops[:0]


_LAYOUTS: weakref.WeakKeyDictionary[UnitTree, dict[tuple[int, bool], _Layout]] = (
    weakref.WeakKeyDictionary()
)


class Planner:
    """Mutable working state of one plan, in depth-first order of the units."""

    def __init__(self, tree: UnitTree, own: list[IntArray], k: int) -> None:
        n = tree.size
        self.n = n
        order = tree.preorder
        self.where = tree.start  # unit -> position in depth-first order
        parents = tree.parents
        self.parent: list[int] = [
            int(self.where[p]) if p >= 0 else -1 for p in parents[order].tolist()
        ]
        self.stop: list[int] = tree.stop[order].tolist()
        self.kids: list[list[int]] = [
            sorted(int(self.where[c]) for c in tree.children[u]) for u in order.tolist()
        ]
        self.depth = tree.depth[order]
        self.value = [tree.rollup(o) for o in own]  # unit order, as published
        value = [v[order] for v in self.value]
        self._ok = [o[order] > 0 for o in own]
        self.status = [np.where((v > 0) & (v < k), SMALL, SHOWN).astype(np.int8) for v in value]
        self._weight = [
            np.where(s == SHOWN, w, 0)
            for s, w in zip(self.status, _tier_weights(value, self.kids[0]), strict=True)
        ]
        self._cum = [w.copy() for w in self._weight]
        for d in range(1, int(self.depth.max(initial=0)) + 1):
            level = np.flatnonzero(self.depth == d)
            up = np.asarray([self.parent[i] for i in level.tolist()], dtype=np.intp)
            for cum in self._cum:
                cum[level] += cum[up]
        # The same weights and "holds respondents" flags column by column, for the scalar
        # look-ups of the free-move check (a zero weight is a hidden figure).
        self._w: list[list[list[int]]] = [w.T.tolist() for w in self._weight]
        self._held: list[list[list[bool]]] = [o.T.tolist() for o in self._ok]
        self._index = np.arange(n, dtype=np.int64)
        self._keyed = [cum * n + self._index[:, None] for cum in self._cum]
        # Layouts depend on the tree alone: a report's plans (one per set of scored
        # respondents, same tree) share them.
        self._layouts = _LAYOUTS.setdefault(tree, {})
        self._pairs: dict[tuple[int, int], BoolArray] = {}

    # -- step 2 ------------------------------------------------------------------------------

    def protect_all(self, targets: list[tuple[int, int, int, bool]]) -> None:
        """``targets``: (table, unit, category, own part) in the order to protect them."""
        where = self.where.tolist()
        for g, unit, c, own_part in targets:
            self._protect(g, where[unit], c, own_part)

    def statuses(self) -> list[NDArray[np.int8]]:
        """Statuses in unit order."""
        return [s[self.where] for s in self.status]

    def _layout(self, x: int, own: bool) -> _Layout:
        key = (x, own)
        if key not in self._layouts:
            self._layouts[key] = _Layout(x, own, self.parent, self.kids)
        return self._layouts[key]

    def _protect(self, g: int, x: int, c0: int, own: bool) -> None:
        if g and (self._free_swap(g, x, c0, own) or self._free_relabel(g, x, c0, own)):
            return  # a move that hides nothing new: the group is already protected
        layout = self._layout(x, own)
        best: tuple[int, list[Cell]] | None = None
        if g:  # a later family replaces an earlier one only when strictly cheaper
            best = self._swaps(g, x, c0, own, layout)
            best = self._relabels(g, x, c0, own, best[0] if best else None) or best
        bound = best[0] if best else None
        if bound is None or bound > self._whole_floor(x, own):
            best = self._whole(g, x, c0, own, layout, bound) or best
        for t, u, c in best[1] if best else []:
            self._hide(t, u, c)

    def _whole_floor(self, x: int, own: bool) -> int:
        """A lower bound of any whole-respondent move's cost: it changes the total of x or
        (from x's own members to a unit below) the total of one of x's subunits."""
        totals = self._w[0][0]
        if own:
            return min([totals[x], *(totals[s] for s in self.kids[x])])
        return totals[x]

    def _hide(self, t: int, x: int, c: int) -> None:
        if self.status[t][x, c] != SHOWN:
            return
        self.status[t][x, c] = COMPLEMENT
        weight = self._weight[t]
        self._cum[t][x : self.stop[x], c] -= weight[x, c]
        self._keyed[t][x : self.stop[x], c] -= weight[x, c] * self.n
        weight[x, c] = 0
        self._w[t][c][x] = 0

    def _free_swap(self, g: int, x: int, c0: int, own: bool) -> bool:
        """True when some swap of c0 with another category costs nothing (every figure on
        its path already hidden). Hiding only grows, so the cheapest swap then costs 0 and
        protecting the group changes nothing; this walks only units whose two cells are
        hidden, where the full search weighs every unit."""
        weights, held = self._w[g], self._held[g]
        w0, h0 = weights[c0], held[c0]
        parent, kids = self.parent, self.kids
        for c2, (w2, h2) in enumerate(zip(weights, held, strict=True)):
            if c2 == c0:
                continue
            # Units the swap may pass without hiding a figure: both cells already hidden.
            if own:
                if not (h0[x] and h2[x]):
                    continue
                stack = [s for s in kids[x] if not (w0[s] or w2[s])]
                while stack:  # an end below x, reached through free units
                    u = stack.pop()
                    if h0[u] and h2[u]:
                        return True
                    stack += [s for s in kids[u] if not (w0[s] or w2[s])]
                if w0[x] or w2[x]:
                    continue
            else:
                if w0[x] or w2[x]:
                    continue
                stack, found = [x], False
                while stack:  # a near end in x's subtree, reached through free units
                    u = stack.pop()
                    if h0[u] and h2[u]:
                        found = True
                        break
                    stack += [s for s in kids[u] if not (w0[s] or w2[s])]
                if not found:
                    continue
            q, p = x, parent[x]
            while p >= 0:
                if h0[p] and h2[p]:
                    return True
                stack = [s for s in kids[p] if s != q and not (w0[s] or w2[s])]
                while stack:
                    u = stack.pop()
                    if h0[u] and h2[u]:
                        return True
                    stack += [s for s in kids[u] if not (w0[s] or w2[s])]
                if w0[p] or w2[p]:
                    break
                q, p = p, parent[p]
            else:
                return True  # free all the way up: out of the organization
        return False

    def _free_relabel(self, g: int, x: int, c0: int, own: bool) -> bool:
        """True when some re-label of c0 costs nothing: c0 and another category hidden at x
        and every unit above it, and a unit holding c0 reached from x through units where
        both are hidden (x itself for its own members)."""
        weights, h0 = self._w[g], self._held[g][c0]
        w0, path = weights[c0], self._path(x, -1)
        if (own and not h0[x]) or any(w0[u] for u in path):
            return False
        for c2, w2 in enumerate(weights):
            if c2 == c0 or any(w2[u] for u in path):
                continue
            stack = [x]
            while stack:  # the re-labelled respondent's unit, reached through free units
                u = stack.pop()
                if h0[u]:
                    return True
                if not own:
                    stack += [s for s in self.kids[u] if not (w0[s] or w2[s])]
        return False

    def _path(self, x: int, stop: int) -> list[int]:
        path = []
        while x != stop:
            path.append(x)
            x = self.parent[x]
        return path

    def _ends(self, keys: IntArray, layout: _Layout) -> tuple[IntArray, IntArray]:
        """The smallest key of each range, and of each ring (rows, deepest ring first)."""
        per_range = np.minimum.reduceat(keys, layout.starts, axis=0)
        if not len(layout.order):
            return per_range, per_range[:0]
        return per_range, np.minimum.reduceat(per_range[layout.order], layout.bounds, axis=0)

    def _swaps(
        self, g: int, x: int, c0: int, own: bool, layout: _Layout
    ) -> tuple[int, list[Cell]] | None:
        """The cheapest swap of categories c0 and c2 between two units (any c2)."""
        n = self.n
        cum = self._cum[g]
        ok = self._pair_ok(g, c0)
        # Key of a unit for the pair (c0, c2): both columns' cost from the root down to it,
        # then its position (the first of equally cheap ends wins).
        keys = np.where(ok, self._keyed[g] + cum[:, c0 : c0 + 1] * n, _NONE)
        per_range, rings = self._ends(keys, layout)
        tops = layout.tops
        pair_tops = cum[tops] + cum[tops, c0 : c0 + 1]
        if own:
            valid = ok[x]
            near = cum[x] + cum[x, c0]
            a_at = np.full(cum.shape[1], x, dtype=np.int64)
        else:
            at = per_range[layout.near]
            valid = at != _NONE
            near, a_at = at // n, at % n
        if not valid.any():
            return None
        far_ok = rings != _NONE
        costs = np.where(far_ok, near + rings // n - 2 * pair_tops, _NONE)
        costs = np.vstack([costs, near[None, :]])  # last: out of the organization
        costs[:, ~valid] = _NONE
        flat = costs.T.ravel()  # category by category, each ring by ring
        best = int(np.argmin(flat))
        cost = int(flat[best])
        if cost == _NONE:
            return None
        c2, ring = divmod(best, len(tops) + 1)
        a = int(a_at[c2])
        if ring == len(tops):
            path = self._path(a, -1)
        else:
            top = int(tops[ring])
            path = self._path(a, top) + self._path(int(rings[ring, c2] % n), top)
        return cost, [(g, u, c) for u in path for c in (c0, c2)]

    def _relabels(
        self, g: int, x: int, c0: int, own: bool, bound: int | None
    ) -> tuple[int, list[Cell]] | None:
        """The cheapest re-label cheaper than ``bound``: one respondent of category c0 in
        the near range (x's own members, or x's subtree) takes another category c2, which
        changes field g's cells c0 and c2 at every unit from its own up to the root.

        The path's cost is ``cum[a, c0] + cum[a, c2]``: the cheapest c2 of each unit (the
        first on ties), then the first cheapest unit in depth-first order. c2 need not be
        held: its cells on the path are counted as touched, so a zero there is hidden."""
        cum = self._cum[g]
        if cum.shape[1] < 2:
            return None
        if bound is not None:  # every unit of the near range lies below x: costs at least x's
            row = cum[x].tolist()
            if row.pop(c0) + min(row) >= bound:
                return None
        stop = x + 1 if own else self.stop[x]
        near = cum[x:stop]
        others = near.copy()
        others[:, c0] = _NONE
        c2 = np.argmin(others, axis=1)
        rows = np.arange(len(near))
        costs = np.where(self._ok[g][x:stop, c0], near[:, c0] + others[rows, c2], _NONE)
        i = int(np.argmin(costs))
        cost = int(costs[i])
        if cost == _NONE or (bound is not None and cost >= bound):
            return None
        return cost, [(g, u, c) for u in self._path(x + i, -1) for c in (c0, int(c2[i]))]

    def _pair_ok(self, g: int, c0: int) -> BoolArray:
        key = (g, c0)
        if key not in self._pairs:
            ok = self._ok[g] & self._ok[g][:, c0 : c0 + 1]
            ok[:, c0] = False
            self._pairs[key] = ok
        return self._pairs[key]

    def _whole(
        self, g: int, x: int, c0: int, own: bool, layout: _Layout, bound: int | None
    ) -> tuple[int, list[Cell]] | None:
        """The cheapest move of one whole respondent (category c0 of table g) to another
        unit or out of the organization, cheaper than ``bound``.

        The far end in each subtree is the one with the cheapest path (the figures of
        tables 0 and g); its full cost adds the other fields' columns."""
        n = self.n
        path_cum = self._cum[0][:, 0] + (self._cum[g][:, c0] if g else 0)
        ok = self._whole_ok(g, c0)
        keys = np.where(ok, path_cum * n + self._index, _NONE)
        per_range = np.minimum.reduceat(keys, layout.starts)
        if own:
            if not ok[x]:
                return None
            a = x
        else:
            at = int(per_range[layout.near])
            if at == _NONE:
                return None
            a = at % n
        far = per_range[layout.order]
        keep = far != _NONE
        ends = np.append(far[keep] % n, -1)  # last: out of the organization
        tops = np.append(layout.far_tops[keep], -1)
        at_top = np.where(tops >= 0, path_cum[tops], 0)
        at_end = np.where(ends >= 0, path_cum[ends], 0)
        total = path_cum[a] + at_end - 2 * at_top
        if bound is not None:  # the other fields' columns only add to the cost
            near = total < bound
            if not near.any():
                return None
            ends, tops, total = ends[near], tops[near], total[near]
        choices = []
        for f in range(1, len(self._cum)):
            if f != g:
                extra, common, c_a, c_b = self._columns(f, a, ends, tops)
                total = total + extra
                choices.append((f, common, c_a, c_b))
        best = int(np.argmin(total))
        cost = int(total[best])
        if bound is not None and cost >= bound:
            return None
        b, top = int(ends[best]), int(tops[best])
        path_a = self._path(a, top)
        path_b = self._path(b, top) if b >= 0 else []
        tables = [(0, 0)] + ([(g, c0)] if g else [])
        cells = [(t, u, c) for u in path_a + path_b for t, c in tables]
        for f, common, c_a, c_b in choices:
            if common[best] >= 0:
                cells += [(f, u, int(common[best])) for u in path_a + path_b]
            else:
                cells += [(f, u, c_a) for u in self._path(a, -1)]
                cells += [(f, u, int(c_b[best])) for u in self._path(b, -1)]
        return cost, cells

    def _whole_ok(self, g: int, c0: int) -> BoolArray:
        """Units a whole respondent of category c0 (table g) can be moved from or to."""
        key = (-g - 1, c0)  # beside the swaps' pairs in one cache
        if key not in self._pairs:
            self._pairs[key] = self._ok[0][:, 0] & (self._ok[g][:, c0] if g else True)
        return self._pairs[key]

    def _columns(
        self, f: int, a: int, ends: IntArray, tops: IntArray
    ) -> tuple[IntArray, IntArray, int, IntArray]:
        """Field f's cells a whole-respondent move touches, for each far end: a category
        held at both ends cancels above their common ancestor (the cheapest such column
        on both paths); otherwise each end's cheapest column runs to the root. Returns
        (cost, common category or -1, near end's category, far end's category)."""
        cum, held = self._cum[f], self._ok[f]
        held_a = held[a]
        out = ends < 0
        held_b = np.where(out[:, None], False, held[ends])
        common = held_a & held_b
        common[out] = held_a
        both = (
            cum[a]
            + np.where(out[:, None], 0, cum[ends])
            - 2 * np.where((tops >= 0)[:, None], cum[tops], 0)
        )
        both = np.where(common, both, _NONE)
        c_common = np.argmin(both, axis=1)
        has = common.any(axis=1)
        alone_a = np.where(held_a, cum[a], _NONE)
        c_a = int(np.argmin(alone_a))
        alone_b = np.where(held_b, cum[ends], _NONE)
        c_b = np.argmin(alone_b, axis=1)
        rows = np.arange(len(ends))
        cost = np.where(
            has, both[rows, c_common], alone_a[c_a] + np.where(has, 0, alone_b[rows, c_b])
        )
        return cost, np.where(has, c_common, -1), c_a, c_b
