"""What of a unit-tree x demographic report may be published.

Published figures: every unit's total (its own respondents plus its subunits'),
every unit x category cell of each demographic field (the root's cells are the
organization's demographic totals). Groups protected: every such figure with
``0 < n < min_size``, and the respondents attached directly to an inner unit (its
"own" part: never published, but a unit minus its subunits would show it).

1. Primary: hide every figure with ``0 < n < min_size``. Zeros are shown.
2. Protection by moves: for each protected group, find respondents that could be
   moved without changing any published figure but changing the group: swap the
   categories c0 and c2 of one respondent in unit a and one in unit b (a
   rectangle), or move one respondent from unit a to unit b. Every figure the
   move touches is hidden (cheapest move first: fewest new hidden figures, then
   the smallest). Moves use only cells that hold respondents, so no published zero
   rules them out.
3. Subtraction rule: for each sum (unit = own part + subunits; unit x category =
   own part + subunits; unit = its categories) with a published total, the hidden
   terms must hold 0 or at least ``min_size``; else hide the smallest shown
   non-zero term, until stable.

Guarantee: hiding only grows, so each move of step 2 leaves every finally
published figure unchanged; two data sets that agree on everything published
then differ in the protected group, which therefore cannot be computed from the
published figures by any linear combination (nor from several fields together:
a swap leaves every other field's cells unchanged, and a move's other-field
cells are hidden along its path too). Not covered: bounds from non-negativity
(a hidden 2 shown to lie in [0, 3]) and cross-tabulations of two fields at once,
which this plan does not publish.

Sums and means: a mean (or SD, or share) is published only where its count is.
A group's sum of scores is the same linear combination of per-cell sums as its
count is of per-cell counts, so the published pattern that keeps a count from
being computed keeps the sum (and ``n * mean``) from it too. Plan on the
respondents who have the score being reported: a group of 6 responses with 3
scores would otherwise publish a mean of 3 people.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from analysis._planner import Planner
from analysis.groups import UnitTree, label_codes
from analysis.suppression import CountCell

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
StatusArray = NDArray[np.int8]
Cell = tuple[int, int, int]  # (table: 0 = unit totals, 1.. = fields; unit; category)

SHOWN, SMALL, COMPLEMENT = 0, 1, 2
COMPLEMENT_REASON = "hidden so that a smaller group cannot be worked out by subtraction"


@dataclass(frozen=True)
class FieldCells:
    """One demographic field: ``counts[unit, category]`` over the unit's subtree, and the
    publication ``status`` of each (0 shown, 1 fewer than min_size, 2 complementary)."""

    categories: tuple[Hashable, ...]
    counts: IntArray
    status: StatusArray


@dataclass(frozen=True)
class DisclosurePlan:
    """What may be shown: unit ``totals`` (subtree counts) and each field's cells."""

    tree: UnitTree
    min_size: int
    totals: IntArray
    total_status: StatusArray
    fields: Mapping[str, FieldCells]

    def reason(self, status: int) -> str:
        return ("", f"hidden: fewer than {self.min_size} responses", COMPLEMENT_REASON)[status]

    def total(self, unit: int) -> CountCell:
        status = int(self.total_status[unit])
        value = None if status else int(self.totals[unit])
        return CountCell(self.tree.labels[unit], value, self.reason(status))

    def cell(self, unit: int, field: str, category: Hashable) -> CountCell:
        cells = self._field(field)
        c = _category_index(cells.categories, category)
        status = int(cells.status[unit, c])
        value = None if status else int(cells.counts[unit, c])
        return CountCell((self.tree.labels[unit], field, category), value, self.reason(status))

    def total_mask(self) -> tuple[BoolArray, tuple[str, ...]]:
        """(hidden, reasons) per unit, for ``GroupTable.masked`` of subtree statistics."""
        return self.total_status != SHOWN, self._reasons(self.total_status)

    def field_mask(self, field: str) -> tuple[BoolArray, tuple[str, ...]]:
        """(hidden, reasons) per ``unit * len(categories) + category`` code."""
        status = self._field(field).status.reshape(-1)
        return status != SHOWN, self._reasons(status)

    def _reasons(self, status: StatusArray) -> tuple[str, ...]:
        texts = np.array([self.reason(s) for s in (SHOWN, SMALL, COMPLEMENT)], dtype=object)
        return tuple(texts[status.astype(np.intp)].tolist())

    def category_codes(self, field: str, labels: ArrayLike) -> IntArray:
        """Category indices of a field's labels, e.g. to build ``unit * C + category`` codes."""
        return label_codes(labels, self._field(field).categories, name="labels")

    def figures(self) -> Iterator[CountCell]:
        """Every figure a report may ask for: unit totals, then each field's cells."""
        for unit in range(self.tree.size):
            yield self.total(unit)
        for name, cells in self.fields.items():
            for unit in range(self.tree.size):
                for category in cells.categories:
                    yield self.cell(unit, name, category)

    def _field(self, field: str) -> FieldCells:
        if field not in self.fields:
            raise KeyError(f"field: expected one of {list(self.fields)}, got {field!r}")
        return self.fields[field]


def plan_disclosure(
    tree: UnitTree,
    units: ArrayLike,
    demographics: Mapping[str, ArrayLike] | None = None,
    *,
    min_size: int = 5,
) -> DisclosurePlan:
    """Plan from respondent rows: ``units[i]`` is respondent i's unit index (see
    ``tree.index``); ``demographics[field][i]`` their category (every respondent needs
    one: encode "prefer not to say" and missing as categories).

    Example: ``plan_disclosure(tree, [1, 1, 2], {"sex": ["f", "m", "f"]}, min_size=5)``.
    """
    k = _min_size(min_size)
    codes = tree.codes(units)
    by_field: dict[str, tuple[Sequence[Hashable], ArrayLike]] = {}
    for name, labels in (demographics or {}).items():
        given = np.asarray(labels)
        if given.shape != codes.shape:
            raise ValueError(
                f"demographics[{name!r}]: expected {len(codes)} labels, got shape {given.shape}"
            )
        if given.dtype.kind == "f" and np.isnan(given).any():
            raise ValueError(f"demographics[{name!r}]: expected a category for everyone, got NaN")
        try:
            cats, cat = np.unique(given, return_inverse=True)
        except TypeError:
            raise TypeError(
                f"demographics[{name!r}]: expected sortable labels, got a mixture"
            ) from None
        width = max(len(cats), 1)
        flat = np.bincount(codes * width + cat.reshape(-1), minlength=tree.size * width)
        by_field[name] = (cats.tolist(), flat.reshape(tree.size, width)[:, : len(cats)])
    return plan_disclosure_from_counts(
        tree, np.bincount(codes, minlength=tree.size), by_field, min_size=k
    )


def plan_disclosure_from_counts(
    tree: UnitTree,
    direct: ArrayLike,
    by_field: Mapping[str, tuple[Sequence[Hashable], ArrayLike]] | None = None,
    *,
    min_size: int = 5,
) -> DisclosurePlan:
    """Plan from counts: ``direct[u]`` respondents attached to unit u itself (not via
    subunits); ``by_field[name] = (categories, counts)`` with ``counts[u, c]`` the same
    respondents by category (rows summing to ``direct``).

    Example: ``plan_disclosure_from_counts(tree, [0, 7, 2], {"sex": (["f", "m"],
    [[0, 0], [4, 3], [2, 0]])})``.
    """
    k = _min_size(min_size)
    own_total = _counts("direct", direct, (tree.size,))
    own = [own_total[:, None]]
    names: list[tuple[str, tuple[Hashable, ...]]] = []
    for name, (categories, counts) in (by_field or {}).items():
        cats = tuple(categories)
        matrix = _counts(f"by_field[{name!r}]", counts, (tree.size, len(cats)))
        if not np.array_equal(matrix.sum(axis=1), own_total):
            raise ValueError(
                f"by_field[{name!r}]: expected rows summing to `direct`, got other sums"
            )
        own.append(matrix)
        names.append((name, cats))
    planner = _Planner(tree, own, k)
    planner.run()
    value, status = planner.value, planner.status
    fields = {
        name: FieldCells(cats, _frozen(value[g]), _frozen(status[g].astype(np.int8)))
        for g, (name, cats) in enumerate(names, start=1)
    }
    return DisclosurePlan(
        tree, k, _frozen(value[0][:, 0].copy()), _frozen(status[0][:, 0].astype(np.int8)),
        MappingProxyType(fields),
    )  # fmt: skip


class _Planner:
    """One plan: step 2 by :class:`analysis._planner.Planner`, then step 3 here."""

    def __init__(self, tree: UnitTree, own: list[IntArray], k: int) -> None:
        self.tree, self.k, self.own = tree, k, own
        self.search = Planner(tree, own, k)
        self.value = self.search.value
        self.kids = tree.children
        self.status: list[StatusArray] = []

    def run(self) -> None:
        self.search.protect_all(self._targets())
        self.status = self.search.statuses()
        while any([self._hierarchy_rule(g) for g in range(len(self.own))] + [self._row_rule()]):
            pass

    def _targets(self) -> list[tuple[int, int, int, bool]]:
        """Every protected group, deepest first (unit totals before fields' cells)."""
        targets = []
        inner = np.asarray([bool(k) for k in self.kids])[:, None]
        for g, (value, own) in enumerate(zip(self.value, self.own, strict=True)):
            for unit, c in zip(*np.nonzero((value > 0) & (value < self.k)), strict=True):
                targets.append((g, int(unit), int(c), False))
            for unit, c in zip(*np.nonzero(inner & (own > 0) & (own < self.k)), strict=True):
                targets.append((g, int(unit), int(c), True))
        depth = self.tree.depth
        return sorted(targets, key=lambda t: (t[0] > 0, -depth[t[1]], t[3], t[1], t[2]))

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


def plan_statuses(plan: DisclosurePlan) -> NDArray[np.int8]:
    """Every status of a plan in one array: unit totals, then each field's cells row by row.
    With the counts it was planned from, :func:`restore_plan` gives the plan back."""
    parts = [plan.total_status.reshape(-1)]
    parts += [cells.status.reshape(-1) for cells in plan.fields.values()]
    return np.concatenate(parts).astype(np.int8)


def restore_plan(
    tree: UnitTree,
    direct: ArrayLike,
    by_field: Mapping[str, tuple[Sequence[Hashable], ArrayLike]] | None,
    statuses: ArrayLike,
    *,
    min_size: int = 5,
) -> DisclosurePlan:
    """The plan :func:`plan_disclosure_from_counts` gives for these counts, from its
    :func:`plan_statuses`, without searching again.

    The statuses are checked against the counts: each must be 0, 1 or 2, a figure with
    ``0 < n < min_size`` must be hidden as small and no other figure may be. A stored
    plan that fails the check (another plan's statuses, a damaged copy) raises
    ``ValueError`` rather than publish a small group.
    """
    k = _min_size(min_size)
    own_total = _counts("direct", direct, (tree.size,))
    tables = [("totals", (), own_total[:, None])]
    for name, (categories, counts) in (by_field or {}).items():
        cats = tuple(categories)
        tables.append((name, cats, _counts(f"by_field[{name!r}]", counts, (tree.size, len(cats)))))
    given = np.asarray(statuses)
    expected = sum(matrix.size for _, _, matrix in tables)
    if given.shape != (expected,) or (given.size and given.dtype.kind not in "iu"):
        raise ValueError(
            f"statuses: expected {expected} integer statuses, got {given.dtype} {given.shape}"
        )
    if given.size and (given.min() < SHOWN or given.max() > COMPLEMENT):
        raise ValueError("statuses: expected values 0 (shown), 1 (small) or 2 (complementary)")
    values, status_of, at = [], [], 0
    for name, _cats, matrix in tables:
        value = tree.rollup(matrix)
        status = given[at : at + value.size].reshape(value.shape).astype(np.int8)
        at += value.size
        small = (value > 0) & (value < k)
        if not np.array_equal(small, status == SMALL):
            raise ValueError(
                f"statuses: {name}: do not match these counts (a group below {k} would be shown"
                " or a larger one called small)"
            )
        values.append(value)
        status_of.append(status)
    fields = {
        name: FieldCells(cats, _frozen(value), _frozen(status))
        for (name, cats, _), value, status in zip(
            tables[1:], values[1:], status_of[1:], strict=True
        )
    }
    return DisclosurePlan(
        tree, k, _frozen(values[0][:, 0].copy()), _frozen(status_of[0][:, 0].copy()),
        MappingProxyType(fields),
    )  # fmt: skip


def _counts(name: str, counts: ArrayLike, shape: tuple[int, ...]) -> IntArray:
    given = np.asarray(counts)
    if given.shape != shape or (given.size and given.dtype.kind not in "iu"):
        raise ValueError(
            f"{name}: expected integer counts of shape {shape}, got {given.dtype} {given.shape}"
        )
    if given.size and given.min() < 0:
        raise ValueError(f"{name}: expected non-negative counts, got {int(given.min())}")
    return given.astype(np.int64)


def _min_size(min_size: Any) -> int:
    if isinstance(min_size, bool) or not isinstance(min_size, int | np.integer) or min_size < 3:
        raise ValueError(f"min_size: expected an integer of at least 3, got {min_size!r}")
    return int(min_size)


def _category_index(categories: tuple[Hashable, ...], category: Hashable) -> int:
    try:
        return categories.index(category)
    except ValueError:
        raise KeyError(f"category: expected one of {list(categories)}, got {category!r}") from None


def _frozen(array: NDArray[Any]) -> NDArray[Any]:
    array.flags.writeable = False
    return array
