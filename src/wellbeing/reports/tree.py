"""An organization's unit tree as the reports door uses it: today's, or a release's.

Index 0 is the organization itself; units follow in path order (a unit before the units
under it). A respondent is placed by their unit's primary key; a unit the tree does not
hold (none given, or deleted since) counts at the organization itself.
"""

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from analysis.groups import UnitTree
from wellbeing.accounts.models import Organization, Unit

ROOT = "org"


@dataclass(frozen=True)
class Tree:
    unit_ids: NDArray[np.int64]  # per index; 0 at the organization itself
    parents: NDArray[np.int64]  # per index; -1 at the organization itself
    names: tuple[str, ...]  # per index
    units: UnitTree = field(repr=False, compare=False)

    @property
    def size(self) -> int:
        return int(self.unit_ids.shape[0])

    def position(self) -> dict[int, int]:
        """Unit primary key -> index."""
        return {int(u): i for i, u in enumerate(self.unit_ids.tolist()) if i}

    def codes(self, unit_ids: NDArray[np.int64]) -> NDArray[np.int64]:
        """Each respondent's index; unassigned and unknown units count at index 0."""
        ids = np.asarray(unit_ids, dtype=np.int64)
        keys = self.unit_ids[1:]
        if not len(keys):
            return np.zeros(len(ids), dtype=np.int64)
        order = np.argsort(keys)
        sorted_keys = keys[order]
        at = np.clip(np.searchsorted(sorted_keys, ids), 0, len(keys) - 1)
        known = sorted_keys[at] == ids
        return np.where(known, order[at] + 1, 0).astype(np.int64)

    def depth(self, index: int) -> int:
        return int(self.units.depth[index])

    def subtree(self, index: int) -> NDArray[np.int64]:
        return np.asarray(self.units.subtree(index), dtype=np.int64)


def build(unit_ids: list[int], parents: list[int], names: list[str]) -> Tree:
    ids = np.asarray(unit_ids, dtype=np.int64)
    up = np.asarray(parents, dtype=np.int64)
    labels: list[object] = [ROOT, *ids[1:].tolist()]
    return Tree(ids, up, tuple(names), UnitTree.from_parents(up, labels))


def current(org: Organization) -> Tree:
    """The organization's units as they are now."""
    units = list(Unit.objects.filter(organization=org).order_by("path"))
    position = {u.pk: i + 1 for i, u in enumerate(units)}
    parents = [-1] + [position.get(u.parent_id, 0) if u.parent_id else 0 for u in units]
    return build([0, *[u.pk for u in units]], parents, [org.name, *[u.name for u in units]])


def arrays_of(tree: Tree) -> dict[str, np.ndarray]:
    return {
        "tree.ids": tree.unit_ids,
        "tree.parents": tree.parents,
        "tree.names": np.asarray(tree.names, dtype=str),
    }


def from_arrays(arrays: dict[str, np.ndarray]) -> Tree:
    return build(
        arrays["tree.ids"].tolist(), arrays["tree.parents"].tolist(), arrays["tree.names"].tolist()
    )


def collapsed(t: Tree) -> Tree:
    """The organization and its top-level units only, each standing for its whole subtree
    (an interim release's tree: it publishes nothing below the top level)."""
    top = [i for i in range(1, t.size) if int(t.parents[i]) == 0]
    return build(
        [0, *(int(t.unit_ids[i]) for i in top)],
        [-1, *([0] * len(top))],
        [t.names[0], *(t.names[i] for i in top)],
    )


def top_level_ids(t: Tree, unit_ids: np.ndarray) -> np.ndarray:
    """Each respondent's top-level unit in ``t`` (by unit id; UNASSIGNED = -1 outside)."""
    codes = t.codes(unit_ids)
    depth_one = t.units.ancestors[codes, 1] if t.units.ancestors.shape[1] > 1 else codes * 0 - 1
    return np.where(depth_one > 0, t.unit_ids[np.maximum(depth_one, 0)], -1).astype(np.int64)


def same_shape(a: Tree, b: Tree) -> bool:
    return np.array_equal(a.unit_ids, b.unit_ids) and np.array_equal(a.parents, b.parents)
