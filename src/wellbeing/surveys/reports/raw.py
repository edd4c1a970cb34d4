"""A wave's responses as a k-anonymised record export for the organization's admins.

A plain dump would identify people: a unit of one is one person. Each row here is
one response's item answers and scale scores with its grouping columns (unit and
demographic fields) generalised so that every combination of grouping columns in
the file has at least ``k`` rows (``k`` = the organization's minimum group size):

1. Units. A response keeps the nearest unit above it (or its own) whose subtree
   total the report publishes (an "anchor"); the file's count of a unit is then
   the unit's published total minus the published totals of the anchors below it,
   a figure anyone could compute from the report already. An anchor whose own
   count would be ``0 < n < k`` is dropped (its rows go up); when the
   organization's own remainder is that small, its smallest anchor below is merged
   into it.
2. Demographics, one field after the other, within each group of rows formed so
   far: a category is kept only where it has at least ``k`` rows **and** the report
   publishes its cell for the anchor and every anchor directly below it (so the
   field's count in the file is again a difference of published figures, and no
   complementary-suppressed cell of the report is uncovered). Other categories
   become ``SUPPRESSED``; a suppressed remainder of ``0 < n < k`` takes the
   smallest kept category with it.

Every group handed down has at least ``k`` rows, so the final groups (and every
union of them, i.e. every combination of fewer columns) do too. Rows are shuffled;
no ids, no dates. Comments travel separately (they are stored unlinked from
responses) and only when the wave reaches the report's comment threshold.

Not covered: a scale scored for only some respondents follows the plan of all
responses here (the report plans each scale on its scored respondents), and the
individual scores of a group of ``k`` are visible, as a record export's are.
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from analysis.disclosure import SHOWN, DisclosurePlan, plan_disclosure
from wellbeing.accounts.models import Organization, Unit
from wellbeing.surveys.models import Comment, Wave
from wellbeing.surveys.questions import DEMOGRAPHICS
from wellbeing.surveys.reports.build import (
    COMMENT_THRESHOLD,
    _codes,
    category_labels,
    organization_tree,
)
from wellbeing.surveys.reports.data import load_wave
from wellbeing.surveys.scoring import get_instrument

SUPPRESSED = "(suppressed: fewer than {k})"


class ExportRefused(Exception):
    """The wave has too few responses for any record export."""


@dataclass(frozen=True)
class RawExport:
    header: list[str]
    rows: list[list[object]]
    comments: list[list[str]] | None  # [question, text]; None when not asked or not allowed
    comments_reason: str
    min_size: int


def unit_label(unit: Unit | None, org: Organization, names: dict[int, Unit]) -> str:
    """A unit's path of names ("Nursing / Intensive Care Unit"); the organization's name for the root."""
    if unit is None:
        return f"{org.name} (not in a unit listed separately)"
    chain: list[str] = []
    node: Unit | None = unit
    while node is not None:
        chain.append(node.name)
        node = names.get(node.parent_id) if node.parent_id else None
    return " / ".join(reversed(chain))


def anchors_for(plan: DisclosurePlan, codes: NDArray[np.int64], k: int) -> NDArray[np.int64]:
    """Each row's anchor: the nearest unit at or above it whose published region holds 0 or >= k."""
    tree = plan.tree
    anchor = {
        u
        for u in range(tree.size)
        if (plan.total_status[u] == SHOWN and plan.totals[u] > 0) or u == 0
    }
    while True:
        assigned = _nearest(tree.parents, codes, anchor)
        counts = np.bincount(assigned, minlength=tree.size)
        small = [u for u in sorted(anchor) if 0 < counts[u] < k]
        if not small:
            return assigned
        for u in small:
            if u != 0:
                anchor.discard(u)
        if small == [0]:
            below = [u for u in anchor if u != 0 and _anchor_parent(tree.parents, u, anchor) == 0]
            # Merge the smallest region directly below into the organization's remainder.
            anchor.discard(min(below, key=lambda u: (counts[u], u)))


def _anchor_parent(parents: NDArray[np.int64], unit: int, anchor: set[int]) -> int:
    """The nearest anchor strictly above ``unit`` (``anchor`` must hold the root, 0)."""
    node = int(parents[unit])
    while node not in anchor:
        if node < 0:
            raise ValueError(f"anchor: expected the root (0) among the anchors, got {anchor}")
        node = int(parents[node])
    return node


def _nearest(
    parents: NDArray[np.int64], codes: NDArray[np.int64], anchor: set[int]
) -> NDArray[np.int64]:
    up = {}
    for unit in range(len(parents)):
        node = unit
        while node not in anchor:
            node = int(parents[node])
        up[unit] = node
    return np.array([up[int(c)] for c in codes], dtype=np.int64)


def _eligible(plan: DisclosurePlan, field: str, anchor: int, below: list[int]) -> set[str]:
    """Categories whose count in the anchor's region is a difference of published cells."""
    cells = plan.fields[field]
    ok = set()
    for c, category in enumerate(cells.categories):
        if cells.status[anchor, c] == SHOWN and all(cells.status[b, c] == SHOWN for b in below):
            ok.add(str(category))
    return ok


def generalise(
    plan: DisclosurePlan,
    codes: NDArray[np.int64],
    cats: dict[str, NDArray[np.str_]],
    k: int,
) -> tuple[NDArray[np.int64], dict[str, NDArray[np.object_]]]:
    """(anchor per row, generalised category per row and field); see the module docstring."""
    assigned = anchors_for(plan, codes, k)
    anchors = sorted(set(assigned.tolist()))
    parents, used = plan.tree.parents, {0, *anchors}  # the root ends every walk up
    direct = {a: [b for b in anchors if b not in (a, 0) and _anchor_parent(parents, b, used) == a]
              for a in anchors}  # fmt: skip
    out = {name: values.astype(object) for name, values in cats.items()}
    label = SUPPRESSED.format(k=k)
    for a in anchors:
        eligible = {name: _eligible(plan, name, a, direct[a]) for name in cats}
        _split(np.flatnonzero(assigned == a), list(cats), cats, eligible, out, k, label)
    return assigned, out


def _split(
    rows: NDArray[np.int64],
    fields: list[str],
    cats: dict[str, NDArray[np.str_]],
    eligible: dict[str, set[str]],
    out: dict[str, NDArray[np.object_]],
    k: int,
    label: str,
) -> None:
    if not fields or len(rows) == 0:
        return
    name, rest = fields[0], fields[1:]
    values = cats[name][rows]
    found, counts = np.unique(values, return_counts=True)
    kept = {str(v): int(n) for v, n in zip(found, counts, strict=True) if n >= k}
    kept = {v: n for v, n in kept.items() if v in eligible[name]}
    hidden = len(rows) - sum(kept.values())
    while 0 < hidden < k:
        smallest = min(kept, key=lambda v: (kept[v], v))
        hidden += kept.pop(smallest)
    bucket = rows[~np.isin(values, list(kept))]
    out[name][bucket] = label
    _split(bucket, rest, cats, eligible, out, k, label)
    for value in sorted(kept):
        _split(rows[values == value], rest, cats, eligible, out, k, label)


def build_raw_export(wave: Wave, *, include_comments: bool = False) -> RawExport:
    org = wave.survey.organization
    k = org.effective_min_group_size
    tree, units, position = organization_tree(org)
    data = load_wave(wave)
    if data.n < k:
        raise ExportRefused(f"The wave has fewer than {k} responses: there is nothing to export.")
    fields = [f for f in wave.version.demographics if f in DEMOGRAPHICS]
    codes, cats = _codes(data, position), category_labels(data, fields)
    plan = plan_disclosure(tree, codes, cats, min_size=k)
    if plan.total_status[0] != SHOWN:
        # Every region's count is the organization's total minus published figures.
        raise ExportRefused(
            "The report hides the organization's total to protect a small group, and a file of"
            " records would reveal it (by its number of rows): there is nothing to export."
        )
    assigned, generalised = generalise(plan, codes, cats, k)
    by_index = {position[u.pk]: u for u in units}
    names = {u.pk: u for u in units}
    labels = {a: unit_label(by_index.get(a), org, names) for a in set(assigned.tolist())}
    items = _item_columns(wave)
    header = ["wave", "unit", *fields, *[c for c, _, _ in items], *data.scales]
    answers = _answers(wave)
    rows = []
    for i in range(data.n):
        row: list[object] = [wave.name, labels[int(assigned[i])]]
        row += [_label(f, generalised[f][i]) for f in fields]
        row += [_code(answers[i], instrument, j) for _, instrument, j in items]
        row += [_score(column.values[i]) for column in data.scales.values()]
        rows.append(row)
    np.random.default_rng().shuffle(rows)  # no row order to line up with anything
    comments, reason = _comments(wave, data.n) if include_comments else (None, "")
    return RawExport(header, rows, comments, reason, k)


def _label(field: str, value: object) -> str:
    key = str(value)
    for option, text in DEMOGRAPHICS[field].choices:
        if option == key:
            return str(text)
    return "Not answered" if key == "not_answered" else key


def _item_columns(wave: Wave) -> list[tuple[str, str, int]]:
    columns = []
    for instrument_id in wave.version.instruments:
        instrument = get_instrument(instrument_id)
        for j, item in enumerate(instrument.items):
            columns.append((f"{instrument_id}.{item.id}", instrument_id, j))
    return columns


def _answers(wave: Wave) -> list[dict]:
    # The same order as load_wave (by pk), so row i is the same response in both.
    return list(wave.responses.order_by("pk").values_list("answers", flat=True))


def _code(answers: dict | None, instrument: str, j: int) -> object:
    codes = (answers or {}).get(instrument) or []
    return codes[j] if j < len(codes) and codes[j] is not None else ""


def _score(value: float) -> object:
    return "" if np.isnan(value) else round(float(value), 4)


def _comments(wave: Wave, n: int) -> tuple[list[list[str]] | None, str]:
    if n < COMMENT_THRESHOLD:
        return (
            None,
            f"Comments are exported only for waves of at least {COMMENT_THRESHOLD} responses.",
        )
    questions = list(wave.version.open_questions)
    rows = [
        [questions[q - 1] if 0 < q <= len(questions) else "", text]
        for q, text in Comment.objects.filter(wave=wave).values_list("question", "text")
    ]
    np.random.default_rng().shuffle(rows)
    return rows, ""
