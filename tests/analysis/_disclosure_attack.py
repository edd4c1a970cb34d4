"""The attacker of the disclosure tests, and the data they attack.

The attacker sees every figure any report returns (every unit total, every unit x
category cell of every field, the organization's demographic totals) and knows
the published zeros and which units have no direct members. Each published
figure is a linear equation over the atoms: respondents attached directly to one
unit with one full demographic profile. A protected group (a figure with
0 < n < k, or a unit's directly attached members) is recoverable exactly when its
indicator vector lies in the row space of those equations, i.e. when it is
orthogonal to their null space. ``recoverable`` checks that for every group;
``recoverable_across`` does the same for two releases of growing data.

``visible`` and ``rule_breaches`` restate the plan's subtraction rules the plain way
(a fixed point over row identities, walks down the tree), to check plans against.
"""

from dataclasses import replace

import numpy as np
from _reference_planner import reference_statuses
from hypothesis import strategies as st
from scipy.linalg import svd

from analysis.disclosure import SHOWN, SMALL, plan_disclosure_from_counts
from analysis.groups import UnitTree

FIELDS = ("sex", "age", "role")


def counts_from_cross(tree, cross):
    """(direct, by_field) of ``cross[unit, c_sex, c_age, ...]``: direct counts per full profile."""
    n, shape = tree.size, cross.shape[1:]
    by_field = {}
    for i, name in enumerate(FIELDS[: len(shape)]):
        axes = tuple(j + 1 for j in range(len(shape)) if j != i)
        by_field[name] = (list(range(shape[i])), cross.sum(axis=axes).reshape(n, shape[i]))
    return cross.reshape(n, -1).sum(axis=1), by_field


def plan_from_cross(tree, cross, k):
    direct, by_field = counts_from_cross(tree, cross)
    return plan_disclosure_from_counts(tree, direct, by_field, min_size=k)


def atom_rows(tree, shape, names=FIELDS):
    """(figures, parts): each figure's row over the atoms, in the order of
    ``DisclosurePlan.figures()``, with a label (``names``: the fields'); and each inner
    unit's own part (by each field's category, then whole), never published."""
    n = tree.size
    profiles = np.array(list(np.ndindex(shape)), dtype=int).reshape(int(np.prod(shape)), len(shape))
    within = np.zeros((n, n))
    for u in range(n):
        within[u, tree.subtree(u)] = 1
    inner = np.array([bool(kids) for kids in tree.children])
    own = np.eye(n)

    def row(units, mask):
        return np.outer(units, mask).reshape(-1)

    everyone = np.ones(len(profiles))
    figures = [(row(within[u], everyone), f"total {u}") for u in range(n)]
    parts = []
    for i, name in enumerate(names[: len(shape)]):
        for u in range(n):
            for c in range(shape[i]):
                mask = (profiles[:, i] == c).astype(float)
                figures.append((row(within[u], mask), f"{name}={c} in {u}"))
                if inner[u]:
                    parts.append((row(own[u], mask), f"own {name}={c} of {u}"))
    parts += [(row(own[u], everyone), f"own members of {u}") for u in np.flatnonzero(inner)]
    return figures, parts


def equations(plan, cross, groups=()):
    """(published rows, protected rows with a description), each over the unknown atoms;
    ``groups``: more (row over the atoms, description) to protect."""
    figures, parts = atom_rows(plan.tree, cross.shape[1:], tuple(plan.fields))
    counts = cross.reshape(-1)
    published = [
        v for (v, _), cell in zip(figures, plan.figures(), strict=True) if cell.value is not None
    ]
    known_zero = _zeros(published, counts, parts)
    protected = [(v, label) for v, label in figures + parts if 0 < v @ counts < plan.min_size]
    protected += list(groups)
    # Known zeros are known values: drop those atoms from the unknowns.
    unknown = ~known_zero
    matrix = np.array(published).reshape(-1, len(counts))[:, unknown]
    return matrix, [(vector[unknown], label) for vector, label in protected]


def _zeros(published, counts, parts):
    """Atoms the attacker knows are empty: in a published 0, or in an inner unit without
    direct members (structurally empty: the attacker may well know it)."""
    known = np.zeros(len(counts), dtype=bool)
    for vector in published:
        if vector @ counts == 0:
            known |= vector > 0
    for vector, label in parts:
        if label.startswith("own members") and vector @ counts == 0:
            known |= vector > 0
    return known


def null_directions(matrix):
    """Orthonormal basis of the null space (as scipy.linalg.null_space, without the full U)."""
    if len(matrix) == 0:
        return np.eye(matrix.shape[1])
    _, sv, vt = svd(matrix, full_matrices=matrix.shape[0] < matrix.shape[1])
    rank = int((sv > sv.max(initial=0) * max(matrix.shape) * np.finfo(float).eps).sum())
    return vt[rank:].T


def determined(published, protected):
    """Labels of the protected rows in the row space of the published ones."""
    free = null_directions(published)
    # In the row space <=> orthogonal to every direction no published figure can see.
    return [label for vector, label in protected if np.abs(vector @ free).max(initial=0) < 1e-9]


def recoverable(plan, cross):
    """Descriptions of protected groups whose count follows from the published figures."""
    return determined(*equations(plan, cross))


def recoverable_by_rank(plan, cross):
    """The same question asked the slow way: does adding the group's row raise the rank?"""
    published, protected = equations(plan, cross)
    rank = np.linalg.matrix_rank(published)
    return [
        label
        for vector, label in protected
        if np.linalg.matrix_rank(np.vstack([published, vector])) == rank
    ]


def recoverable_across(first, cross1, second, cross2):
    """Protected groups of the first data set, of the responses added since (E), and of the
    second data set that follow from both releases together: release 1 publishes
    ``first`` of ``cross1``, release 2 ``second`` of ``cross2 = cross1 + E``. The unknowns
    are (the atoms of cross1, the atoms of E); a figure of release 2 is the sum of both."""
    figures, parts = atom_rows(first.tree, cross1.shape[1:])
    c1, added = cross1.reshape(-1), (cross2 - cross1).reshape(-1)
    if added.min() < 0:
        raise AssertionError("releases must only add responses")
    zero = np.zeros(len(c1))
    rows1 = [
        v for (v, _), cell in zip(figures, first.figures(), strict=True) if cell.value is not None
    ]
    rows2 = [
        v for (v, _), cell in zip(figures, second.figures(), strict=True) if cell.value is not None
    ]
    # A zero of release 2 is a zero of both parts; a zero of release 1 of the first only.
    known2 = _zeros(rows2, c1 + added, parts)
    known = np.concatenate([_zeros(rows1, c1, parts) | known2, known2])
    published = [np.concatenate([v, zero]) for v in rows1]
    published += [np.concatenate([v, v]) for v in rows2]
    protected = []
    for tag, data, embed in (
        ("before", c1, lambda v: np.concatenate([v, zero])),
        ("added", added, lambda v: np.concatenate([zero, v])),
        ("after", c1 + added, lambda v: np.concatenate([v, v])),
    ):
        k = first.min_size
        protected += [
            (embed(v), f"{tag}: {label}") for v, label in figures + parts if 0 < v @ data < k
        ]
    matrix = np.array(published).reshape(-1, 2 * len(c1))[:, ~known]
    return determined(matrix, [(v[~known], label) for v, label in protected])


def primary_only(plan):
    """The naive plan: hide the small figures and nothing else."""
    fields = {
        name: replace(f, status=np.where(f.status == SMALL, SMALL, SHOWN).astype(np.int8))
        for name, f in plan.fields.items()
    }
    status = np.where(plan.total_status == SMALL, SMALL, SHOWN).astype(np.int8)
    return replace(plan, total_status=status, fields=fields)


def with_statuses(plan, shown=(), hidden=()):
    """The plan with some figures' statuses changed: ``(table, unit, category)`` cells,
    table 0 the unit totals, 1.. the fields in order."""
    status = [plan.total_status[:, None].copy()] + [f.status.copy() for f in plan.fields.values()]
    for cells, value in ((shown, 0), (hidden, 2)):
        for t, u, c in cells:
            status[t][u, c] = value
    fields = {
        name: replace(f, status=s)
        for (name, f), s in zip(plan.fields.items(), status[1:], strict=True)
    }
    return replace(plan, total_status=status[0][:, 0], fields=fields)


# -- the subtraction rules, the plain way -------------------------------------------------------


def tables(plan):
    """(values, statuses) of every table, unit totals first, each as rows of units."""
    values = [plan.totals[:, None]] + [f.counts for f in plan.fields.values()]
    return values, plan_statuses(plan)


def visible(plan):
    """Per table, which figures are shown or follow from a row identity (a unit's total is
    the sum of its cells in each field), to a fixed point."""
    _, statuses = tables(plan)
    seen = [s == SHOWN for s in statuses]
    changed = True
    while changed:
        changed = False
        for u in range(plan.tree.size):
            for g in range(1, len(seen)):
                row = [seen[0][u, 0], *seen[g][u].tolist()]
                if row.count(False) == 1:
                    missing = row.index(False)
                    if missing == 0:
                        seen[0][u, 0] = True
                    else:
                        seen[g][u, missing - 1] = True
                    changed = True
    return seen


def rule_breaches(plan):
    """Where the rules of step 3 fail: a visible figure minus its nearest visible
    descendants in its column holding 0 < n < k, or a visible unit total whose hidden
    cells in a field hold 0 < n < k."""
    values, statuses = tables(plan)
    seen, k, kids = visible(plan), plan.min_size, plan.tree.children
    breaches = []
    for t, (value, shown) in enumerate(zip(values, seen, strict=True)):
        for u in range(plan.tree.size):
            for c in range(value.shape[1]):
                if not shown[u, c]:
                    continue
                rest, stack = int(value[u, c]), list(kids[u])
                while stack:  # down to the nearest visible units
                    x = stack.pop()
                    if shown[x, c]:
                        rest -= int(value[x, c])
                    else:
                        stack += kids[x]
                if 0 < rest < k:
                    breaches.append(("region", t, u, c, rest))
    for g in range(1, len(values)):
        for u in range(plan.tree.size):
            hidden = int(values[g][u][statuses[g][u] != SHOWN].sum())
            if seen[0][u, 0] and 0 < hidden < k:
                breaches.append(("row", g, u, hidden))
    return breaches


# -- random organizations -----------------------------------------------------------------------


@st.composite
def organizations(draw):
    """A random unit tree (depth up to 4, fan-out up to 4), small counts, 0-2 fields."""
    parents, frontier = [-1], [(0, 1)]
    while frontier:
        unit, depth = frontier.pop(0)
        fan = draw(st.integers(0, 4)) if depth < 4 and len(parents) < 24 else 0
        for _ in range(fan):
            parents.append(unit)
            frontier.append((len(parents) - 1, depth + 1))
    tree = UnitTree.from_parents(parents)
    shape = tuple(draw(st.lists(st.integers(2, 3), min_size=0, max_size=2)))
    size = int(np.prod(shape, dtype=int))
    cells = st.sampled_from([0, 0, 0, 1, 1, 2, 3, 4, 5, 7, 12])
    cross = np.array(draw(st.lists(cells, min_size=tree.size * size, max_size=tree.size * size)))
    cross = cross.reshape((tree.size, *shape))
    for unit, kids in enumerate(tree.children):
        if kids and draw(st.integers(0, 3)):  # most inner units have no direct members
            cross[unit] = 0
    return tree, cross


@st.composite
def wide_organizations(draw, max_units=40, max_fields=3, max_categories=5):
    """Deeper and wider trees than ``organizations`` (depth up to 5, fan-out up to 6), up to
    three fields, counts from 0 to 40 so that every kind of move is sometimes cheapest."""
    parents, frontier = [-1], [(0, 1)]
    while frontier:
        unit, depth = frontier.pop(0)
        fan = draw(st.integers(0, 6)) if depth < 5 and len(parents) < max_units else 0
        for _ in range(fan):
            parents.append(unit)
            frontier.append((len(parents) - 1, depth + 1))
    tree = UnitTree.from_parents(parents)
    shape = tuple(draw(st.lists(st.integers(2, max_categories), min_size=0, max_size=max_fields)))
    size = int(np.prod(shape, dtype=int))
    cells = st.sampled_from([0, 0, 0, 0, 1, 1, 2, 3, 4, 6, 9, 15, 40])
    cross = np.array(draw(st.lists(cells, min_size=tree.size * size, max_size=tree.size * size)))
    cross = cross.reshape((tree.size, *shape))
    for unit, kids in enumerate(tree.children):
        if kids and draw(st.integers(0, 2)):
            cross[unit] = 0
    return tree, cross


@st.composite
def concentrated_organizations(draw, **sizes):
    """``wide_organizations`` where, in each field, one category is held by one unit only
    and some units hold one category alone: swaps are then rare, and re-labels (or moves
    out of the organization) are what protects an organization-wide category count."""
    tree, cross = draw(wide_organizations(**sizes))
    cross = cross.copy()
    for axis in range(1, cross.ndim):
        by_category = np.moveaxis(cross, axis, 1)  # a view: writes go to cross
        width = by_category.shape[1]
        c, home = draw(st.integers(0, width - 1)), draw(st.integers(0, tree.size - 1))
        elsewhere = np.arange(tree.size) != home
        by_category[elsewhere, (c + 1) % width] += by_category[elsewhere, c]
        by_category[elsewhere, c] = 0
        by_category[home, c] += draw(st.sampled_from([0, 1, 2, 6]))
        if draw(st.booleans()):  # a few of that category, alone in the home unit
            merged = np.minimum(by_category[home].sum(axis=0), draw(st.sampled_from([1, 2])))
            by_category[home] = 0
            by_category[home, c] = merged
        for u in draw(st.sets(st.integers(0, tree.size - 1))):  # units of one category
            keep = int(np.argmax(by_category[u].reshape(width, -1).sum(axis=1)))
            merged = by_category[u].sum(axis=0)
            by_category[u] = 0
            by_category[u, keep] = merged
    return tree, cross


@st.composite
def field_only_organizations(draw):
    """(tree, cross, k) where every small group is a group of a field: each unit's own
    members number 0 or at least k, so no unit total and no unit's own part is small,
    while their split by each field (one or two profiles per unit) leaves small cells."""
    k = draw(st.sampled_from([3, 5]))
    parents, frontier = [-1], [(0, 1)]
    while frontier:
        unit, depth = frontier.pop(0)
        fan = draw(st.integers(0, 4)) if depth < 4 and len(parents) < 20 else 0
        for _ in range(fan):
            parents.append(unit)
            frontier.append((len(parents) - 1, depth + 1))
    tree = UnitTree.from_parents(parents)
    shape = tuple(draw(st.lists(st.integers(2, 3), min_size=1, max_size=2)))
    cross = np.zeros((tree.size, int(np.prod(shape))), dtype=int)
    sizes = st.sampled_from([0, 0, k, k + 1, k + 3, 2 * k + 1])
    profiles = st.integers(0, cross.shape[1] - 1)
    for u, kids in enumerate(tree.children):
        members = draw(sizes) if not kids or draw(st.integers(0, 3)) == 0 else 0
        split = draw(st.one_of(st.just(members), st.integers(0, members)))  # often one profile
        cross[u, draw(profiles)] += split
        cross[u, draw(profiles)] += members - split
    return tree, cross.reshape((tree.size, *shape)), k


def reference_plan_statuses(tree, cross, k):
    n, shape = tree.size, cross.shape[1:]
    own = [cross.reshape(n, -1).sum(axis=1)[:, None]]
    for i in range(len(shape)):
        axes = tuple(j + 1 for j in range(len(shape)) if j != i)
        own.append(cross.sum(axis=axes).reshape(n, shape[i]))
    return [status.astype(np.int8) for status in reference_statuses(tree, own, k)]


def plan_statuses(plan):
    """Statuses of every table, unit totals first, each as rows of units."""
    return [plan.total_status[:, None]] + [f.status for f in plan.fields.values()]
