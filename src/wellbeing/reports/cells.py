"""Respondents counted by unit and category: the input of every disclosure plan.

A plan (``analysis.disclosure``) is searched from counts: respondents attached to each
unit itself (``direct``) and the same respondents by category of each demographic field.
Every plan of a release counts one set of respondents (everyone, those scored on a scale,
those with every key-driver measure): ``counts`` is the one place that counts them, at
publication and again when a release is read, so a restored plan is checked against
exactly the counts it was searched for.
"""

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from wellbeing.reports.data import WaveData
from wellbeing.reports.tree import Tree

NOT_ANSWERED = "not_answered"

ByField = dict[str, tuple[Sequence[Hashable], NDArray[np.int64]]]


@dataclass(frozen=True)
class Coded:
    """A demographic field's answers: sorted distinct ``labels`` and each respondent's index."""

    labels: NDArray[np.str_]
    codes: NDArray[np.int64]


def categories(data: WaveData, fields: list[str]) -> dict[str, Coded]:
    """Each field's answers, "not answered" spelled out (coded once, not once per plan)."""
    out = {}
    for name in fields:
        if name in data.coded:  # the packed codes: relabel the few distinct answers only
            answers, codes = data.coded[name]
            used = np.bincount(codes, minlength=len(answers)) > 0
            shown = np.where(answers == "", NOT_ANSWERED, answers).astype(str)
            labels, at = np.unique(shown[used], return_inverse=True)
            remap = np.full(len(answers), -1, dtype=np.int64)
            remap[np.flatnonzero(used)] = at.reshape(-1)
            out[name] = Coded(labels, remap[codes])
        else:
            given = data.demographics.get(name, np.full(data.n, "", dtype=object))
            values = np.where(given == "", NOT_ANSWERED, given).astype(str)
            labels, inverse = np.unique(values, return_inverse=True)
            out[name] = Coded(labels, inverse.reshape(-1).astype(np.int64))
    return out


def labels_present(cats: Mapping[str, Coded], mask: NDArray[np.bool_]) -> dict[str, list[str]]:
    """Per field, the categories someone in ``mask`` holds (the plan's categories)."""
    out = {}
    for name, coded in cats.items():
        held = np.bincount(coded.codes[mask], minlength=len(coded.labels)) > 0
        out[name] = coded.labels[held].tolist()
    return out


def counts(
    tree: Tree,
    codes: NDArray[np.int64],
    cats: Mapping[str, Coded],
    mask: NDArray[np.bool_],
    labels: Mapping[str, list[str]] | None = None,
) -> tuple[NDArray[np.int64], ByField]:
    """(direct, by_field) of the respondents in ``mask``, over ``labels`` (default: the
    categories they hold). A respondent whose category is not among ``labels`` raises
    ValueError: the caller's sets are not what it thinks."""
    wanted = labels if labels is not None else labels_present(cats, mask)
    units = codes[mask]
    by_field: ByField = {}
    for name, coded in cats.items():
        names = list(wanted[name])
        position = {label: j for j, label in enumerate(names)}
        remap = np.asarray([position.get(str(label), -1) for label in coded.labels.tolist()])
        mine = remap[coded.codes[mask]] if len(remap) else np.zeros(0, dtype=np.int64)
        if (mine < 0).any():
            raise ValueError(f"labels[{name!r}]: expected every category held, got {names}")
        width = max(len(names), 1)
        flat = np.bincount(units * width + mine, minlength=tree.size * width)
        by_field[name] = (names, flat.reshape(tree.size, width)[:, : len(names)].astype(np.int64))
    return np.bincount(units, minlength=tree.size).astype(np.int64), by_field
