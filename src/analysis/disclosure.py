"""What of a unit-tree x demographic report may be published.

Published figures: every unit's total (its own respondents plus its subunits'),
every unit x category cell of each demographic field (the root's cells are the
organization's demographic totals). Groups protected: every such figure with
``0 < n < min_size``, and the respondents attached directly to an inner unit (its
"own" part: never published, but a unit minus its subunits would show it).

1. Primary: hide every figure with ``0 < n < min_size``. Zeros are shown.
2. Protection by moves: for each protected group, find respondents that could be
   moved without changing any published figure but changing the group, in three
   families. A swap exchanges the categories c0 and c2 of one field between a
   respondent of unit a and one of unit b (a rectangle: the cells c0 and c2 change
   on the paths up to the units' common ancestor; with b outside the organization,
   up to its top, which is a re-label where a holds both categories). A re-label
   gives one respondent of unit a the category c2 instead of c0 (the field's cells
   c0 and c2 change at a and at every unit above it). A whole move takes one
   respondent from unit a to unit b, or out of the organization. Swaps and
   re-labels serve the groups of a field (a cell, or one category of a unit's own
   members) and change no total and no other field's cell, so an organization-wide
   category count, which nothing short of leaving the organization changed before,
   is protected by a re-label without the organization's total. Every figure the
   move touches is hidden, cheapest move first; on equal cost, swaps before
   re-labels before whole moves. The cost is lexicographic by tier (the
   organization's total; then its top-level units' totals and its own cells of each
   field; then every other figure), then by the number of new hidden figures, then
   by the respondents in them: the organization's and top-level figures stay shown
   whenever a move of these kinds protects the same group without them (see (e)
   below). (In organizations so large that the costs would overflow 64 bits the
   tiers are strongly weighted rather than strictly lexicographic:
   ``analysis._planner.tier_base``.) Moves start and end only at units whose own
   members hold what they take away (a swap: both categories at both ends; a
   re-label: c0; a whole move: members, of category c0 for a field's group), so no
   structural zero rules them out, and every cell they add a respondent to is
   touched and so hidden, so no published zero does either. A re-label's c2 need
   not be held at a: its cells from a up to the organization are all touched, a
   zero among them too, and every other figure counting the re-labelled respondent
   (the totals and the other fields' cells on its path) counted it before.
3. Subtraction rules, until stable. A figure is *visible* when it is shown or can be
   derived from its unit's row: the unit's total is the sum of its cells in each
   field, so when all but one of the total and a field's cells are visible, so is the
   last. Own parts are never visible.
   Region rule, in every column (the unit totals; each field's category): a visible
   figure minus its nearest visible descendants in the column (the own parts and
   invisible units between them) must hold 0 or at least ``min_size``; else hide the
   nearest visible descendant with the smallest non-zero remainder of its own (then
   the smallest, then the first unit), or with none the figure itself. (With none, an
   organization's or top-level figure, as ranked in step 2, first hides its smallest
   nearest visible descendant that holds members, to look a level deeper.)
   Row rule: a visible unit total whose hidden cells in a field hold
   ``0 < n < min_size`` hides that field's smallest shown non-zero cell.
   Hiding a figure that its row would give back also hides a cell of that row.

Guarantee. (a) No protected group is a linear combination of the published figures:
hiding only grows, so each move of step 2 leaves every finally published figure
unchanged, and two data sets that agree on everything published then differ in the
protected group (nor from several fields together: a swap or a re-label leaves every
other field's cells and every total unchanged, and a whole move's other-field cells are
hidden along its path too).
(b) Every shown figure holds 0 or at least ``min_size``. (c) In every column, every
visible figure minus its nearest visible descendants holds 0 or at least
``min_size``: no subtraction along the tree, over any number of levels, leaves a
group of 1 to ``min_size - 1`` respondents, even one made of several own parts and
hidden units. (d) For every visible unit total, the hidden cells of each field hold
0 or at least ``min_size``. (e) In the plan of one data set, with the tiers
lexicographic, the organization's total is shown whenever it holds at least
``min_size``: a group of the unit totals (a unit, a unit's own members) holds fewer,
so there are members outside it to move one of it to, at a cost below the
organization's total; a group of a field has a re-label (with a single category it is
a group of the unit totals too); and step 3 hides the organization's figures only for
lack of a visible unit below them holding members, when their remainder is the whole
figure. Not covered: bounds from non-negativity (a hidden 2 shown to lie in [0, 3]),
cross-tabulations of two fields at once, which this plan does not publish, and small
unions of groups that only a combination of rows and columns other than those of (c)
and (d) gives.

Releases over time (:func:`plan_release`): results published while a wave is still
open come from data D_1, D_2, ..., each holding the one before (responses are only
added). A release of D publishes only the figures shown in the plan of D and in the
plan of every difference E = D - D_a from an earlier release a, each planned as a
data set of its own. A group of E is determined by the two releases only if it lies
in the row space of the figures both publish, hence of this release's figures, all
shown in E's plan, which keeps every protected group of E out of the row space of
its shown figures; hiding more keeps it out. A group of D_a stays protected too: a
combination giving it cancels this release's figures on E, so release a alone would
give it. (b) to (d) still hold in D and in each E: a figure hidden only by another
data set's plan is not small in this one, so it holds 0 or at least ``min_size``
there.

Sums and means: a mean (or SD, or share) is published only where its count is.
A group's sum of scores is the same linear combination of per-cell sums as its
count is of per-cell counts, so the published pattern that keeps a count from
being computed keeps the sum (and ``n * mean``) from it too. Plan on the
respondents who have the score being reported: a group of 6 responses with 3
scores would otherwise publish a mean of 3 people.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from analysis._planner import Planner
from analysis._rules import Rules
from analysis.groups import UnitTree, label_codes
from analysis.suppression import CountCell

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
StatusArray = NDArray[np.int8]

SHOWN, SMALL, COMPLEMENT, CHANGED = 0, 1, 2, 3
COMPLEMENT_REASON = "hidden so that a smaller group cannot be worked out by subtraction"
Counts = Mapping[str, tuple[Sequence[Hashable], ArrayLike]]  # by_field: name -> (labels, counts)
Fields = dict[str, tuple[tuple[Hashable, ...], IntArray]]  # the same, checked


@dataclass(frozen=True)
class FieldCells:
    """One demographic field: ``counts[unit, category]`` over the unit's subtree, and the
    publication ``status`` of each (0 shown, 1 fewer than min_size, 2 complementary,
    3 changed by fewer than min_size since an earlier release)."""

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
        k = self.min_size
        return (
            "",
            f"hidden: fewer than {k} responses",
            COMPLEMENT_REASON,
            f"hidden: changed by fewer than {k} responses since an earlier release",
        )[status]

    def information_loss(self) -> float:
        """The share of the figures that are not small which are hidden all the same
        (statuses 2 and 3): 0.0 when only small groups are hidden."""
        status = plan_statuses(self)
        eligible = status != SMALL
        count = int(np.count_nonzero(eligible))
        return int(np.count_nonzero(eligible & (status != SHOWN))) / count if count else 0.0

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
        statuses = (SHOWN, SMALL, COMPLEMENT, CHANGED)
        texts = np.array([self.reason(s) for s in statuses], dtype=object)
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
    by_field: Counts | None = None,
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
    own_total, checked = _own_counts(tree, direct, by_field)
    own = [own_total[:, None], *(matrix for _, matrix in checked.values())]
    value, status = _plan(tree, own, k)
    fields = {
        name: FieldCells(cats, _frozen(value[g]), _frozen(status[g].astype(np.int8)))
        for g, (name, (cats, _)) in enumerate(checked.items(), start=1)
    }
    return DisclosurePlan(
        tree, k, _frozen(value[0][:, 0].copy()), _frozen(status[0][:, 0].astype(np.int8)),
        MappingProxyType(fields),
    )  # fmt: skip


def plan_release(
    tree: UnitTree,
    direct: ArrayLike,
    by_field: Counts | None = None,
    earlier: Sequence[tuple[ArrayLike, Counts | None]] = (),
    *,
    min_size: int = 5,
) -> DisclosurePlan:
    """Plan a release of counts that only grow: ``earlier[a] = (direct_a, by_field_a)``
    are the counts of an earlier release (same tree; a category missing there counts
    as 0), each within these. Shows only the figures shown in the plan of these counts
    and in the plan of each difference from an earlier release (see "Releases over
    time" above): status 1 where a figure is small here, 3 (changed) where it is small
    in a difference, 2 where a plan hides it to protect another.

    Example: ``plan_release(tree, [0, 9, 8], earlier=[([0, 9, 6], None)])`` hides the
    totals of unit 2 and of the organization (status 3): each grew by 2 responses.
    """
    k = _min_size(min_size)
    own, fields = _own_counts(tree, direct, by_field)
    plan = plan_disclosure_from_counts(tree, own, fields, min_size=k)
    status = [plan.total_status.copy(), *(f.status.copy() for f in plan.fields.values())]
    for a, pair in enumerate(earlier):
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise TypeError(f"earlier[{a}]: expected a (direct, by_field) pair, got {pair!r}")
        added = _added(f"earlier[{a}]", own, fields, pair[0], pair[1])
        step = plan_disclosure_from_counts(tree, *added, min_size=k)
        theirs = [step.total_status, *(f.status for f in step.fields.values())]
        for mine, other in zip(status, theirs, strict=True):
            mine[(other == SMALL) & (mine != SMALL)] = CHANGED
            mine[(other == COMPLEMENT) & (mine == SHOWN)] = COMPLEMENT
    cells = {
        name: replace(f, status=_frozen(s))
        for (name, f), s in zip(plan.fields.items(), status[1:], strict=True)
    }
    return replace(plan, total_status=_frozen(status[0]), fields=MappingProxyType(cells))


def _own_counts(
    tree: UnitTree, direct: ArrayLike, by_field: Counts | None
) -> tuple[IntArray, Fields]:
    """Checked counts: ``direct`` per unit, each field's (categories, counts) summing to it."""
    own = _counts("direct", direct, (tree.size,))
    fields: Fields = {}
    for name, (categories, counts) in (by_field or {}).items():
        cats = tuple(categories)
        matrix = _counts(f"by_field[{name!r}]", counts, (tree.size, len(cats)))
        if not np.array_equal(matrix.sum(axis=1), own):
            raise ValueError(
                f"by_field[{name!r}]: expected rows summing to `direct`, got other sums"
            )
        fields[name] = (cats, matrix)
    return own, fields


def _added(
    name: str, own: IntArray, fields: Fields, direct_a: ArrayLike, by_field_a: Counts | None
) -> tuple[IntArray, Fields]:
    """The counts added since an earlier release, as (direct, by_field)."""
    before = _counts(f"{name} direct", direct_a, own.shape)
    direct = _less(f"{name} direct", own, before)
    given = dict(by_field_a or {})
    if not set(given) <= set(fields):
        raise ValueError(f"{name}: expected fields among {list(fields)}, got {list(given)}")
    added: Fields = {}
    for field, (cats, counts) in fields.items():
        label = f"{name} by_field[{field!r}]"
        old = _aligned(label, cats, given.get(field), before)
        added[field] = (cats, _less(label, counts, old))
    return direct, added


def _aligned(
    label: str,
    cats: tuple[Hashable, ...],
    given: tuple[Sequence[Hashable], ArrayLike] | None,
    before: IntArray,
) -> IntArray:
    """An earlier release's counts of one field in this release's categories."""
    out = np.zeros((len(before), len(cats)), dtype=np.int64)
    if given is None:
        if before.any():
            raise ValueError(f"{label}: expected counts by category, got none")
        return out
    labels = tuple(given[0])
    matrix = _counts(label, given[1], (len(before), len(labels)))
    if not np.array_equal(matrix.sum(axis=1), before):
        raise ValueError(f"{label}: expected rows summing to its direct counts, got other sums")
    position = {c: j for j, c in enumerate(cats)}
    for j, c in enumerate(labels):
        if c in position:
            out[:, position[c]] += matrix[:, j]
        elif matrix[:, j].any():
            raise ValueError(f"{label}: expected categories of by_field, got {c!r} with responses")
    return out


def _less(label: str, now: IntArray, before: IntArray) -> IntArray:
    added = now - before
    if added.size and added.min() < 0:
        unit = int(np.argwhere(added < 0)[0][0])
        raise ValueError(
            f"{label}: expected at most this release's counts (responses are only added),"
            f" got more at unit {unit}"
        )
    return added


def _plan(tree: UnitTree, own: list[IntArray], k: int) -> tuple[list[IntArray], list[StatusArray]]:
    """(values, statuses) of every table in unit order: step 2 by
    :class:`analysis._planner.Planner`, step 3 by :class:`analysis._rules.Rules`."""
    search = Planner(tree, own, k)
    search.protect_all(_targets(tree, search.value, own, k))
    return search.value, Rules(tree, search.value, search.statuses(), k).run()


def _targets(
    tree: UnitTree, values: list[IntArray], own: list[IntArray], k: int
) -> list[tuple[int, int, int, bool]]:
    """Every protected group, deepest first (unit totals before fields' cells)."""
    targets = []
    inner = np.asarray([bool(kids) for kids in tree.children])[:, None]
    for g, (value, mine) in enumerate(zip(values, own, strict=True)):
        for unit, c in zip(*np.nonzero((value > 0) & (value < k)), strict=True):
            targets.append((g, int(unit), int(c), False))
        for unit, c in zip(*np.nonzero(inner & (mine > 0) & (mine < k)), strict=True):
            targets.append((g, int(unit), int(c), True))
    depth = tree.depth
    return sorted(targets, key=lambda t: (t[0] > 0, -depth[t[1]], t[3], t[1], t[2]))


def plan_statuses(plan: DisclosurePlan) -> NDArray[np.int8]:
    """Every status of a plan in one array: unit totals, then each field's cells row by row.
    With the counts it was planned from, :func:`restore_plan` gives the plan back."""
    parts = [plan.total_status.reshape(-1)]
    parts += [cells.status.reshape(-1) for cells in plan.fields.values()]
    return np.concatenate(parts).astype(np.int8)


def restore_plan(
    tree: UnitTree,
    direct: ArrayLike,
    by_field: Counts | None,
    statuses: ArrayLike,
    *,
    min_size: int = 5,
) -> DisclosurePlan:
    """The plan :func:`plan_disclosure_from_counts` gives for these counts, from its
    :func:`plan_statuses`, without searching again.

    The statuses are checked against the counts: each must be 0, 1, 2 or 3 (a plan of
    :func:`plan_release` is restored the same way), a figure with ``0 < n < min_size``
    must be hidden as small and no other figure may be. A stored plan that fails the
    check (another plan's statuses, a damaged copy) raises ``ValueError`` rather than
    publish a small group.
    """
    k = _min_size(min_size)
    own_total = _counts("direct", direct, (tree.size,))
    tables: list[tuple[str, tuple[Hashable, ...], IntArray]] = [("totals", (), own_total[:, None])]
    for name, (categories, counts) in (by_field or {}).items():
        cats = tuple(categories)
        tables.append((name, cats, _counts(f"by_field[{name!r}]", counts, (tree.size, len(cats)))))
    given = np.asarray(statuses)
    expected = sum(matrix.size for _, _, matrix in tables)
    if given.shape != (expected,) or (given.size and given.dtype.kind not in "iu"):
        raise ValueError(
            f"statuses: expected {expected} integer statuses, got {given.dtype} {given.shape}"
        )
    if given.size and (given.min() < SHOWN or given.max() > CHANGED):
        raise ValueError(
            "statuses: expected values 0 (shown), 1 (small), 2 (complementary) or 3 (changed),"
            f" got {int(given.min())}..{int(given.max())}"
        )
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
