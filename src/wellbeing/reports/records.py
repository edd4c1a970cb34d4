"""The record export: a closed wave's final release as rows, k-anonymous, planned with the report.

One row per respondent of the release, in random order: the wave, a region of the unit
tree, the answer to one demographic question (the same question for the whole file), every
item answer and every scale score. No ids, no dates. Comments come apart from the rows (a
separate sheet or file, random order, no unit or demographic), and only those the release
shows.

Why the file adds no group to what the report publishes (``k`` = the minimum size):

1. Regions. Anchors are the organization and every unit whose total every plan of the
   release shows (the plan of everyone and the plan of each scale's scored respondents). A
   row's region is its nearest anchor; a region's count, for everyone and for those scored
   on any scale, is the anchor's published total minus the published totals of the anchors
   below it: a figure anyone can compute from the report, and 0 or >= k by the plans'
   subtraction rule (``analysis.disclosure``).
2. One question. In a region, a category of the file's question is kept when the anchor's
   cell and the cell of every anchor below it are shown in every plan; the class's counts are
   then again differences of published cells, 0 or >= k by the same rule. The region's other
   answers read "(not shown)" together; when that bucket holds 1 to k-1 respondents in any
   plan, the smallest kept category joins it, until it does not.
3. One question per file: no row carries two demographic answers, so no cross-tabulation the
   report never shows can be read off it.

So every count (and sum of scores) of a class of rows is a linear combination of published
figures and is 0 or >= k: the file adds individual values within classes of at least k,
never a new group. Every class is checked again here before the file is made.
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from analysis.disclosure import SHOWN, DisclosurePlan
from wellbeing.reports.build import Report, plans_of
from wellbeing.reports.releases import PLAN_RESPONSES, Frozen
from wellbeing.surveys.models import Comment
from wellbeing.surveys.questions import DEMOGRAPHICS
from wellbeing.surveys.scoring import get_instrument

NOT_SHOWN = "(not shown)"


class ExportRefused(Exception):
    """No record export can be made of this release; the message says why."""


@dataclass(frozen=True)
class RecordExport:
    header: list[str]
    rows: list[list[object]]
    question: str  # the demographic field the file keeps, "" for none
    comments: list[list[str]] | None  # [question, text]; None when not asked or not shown
    comments_reason: str
    min_size: int


def build_records(report: Report, *, include_comments: bool = False) -> RecordExport:
    frozen, k = report.frozen, report.min_size
    plans = list(plans_of(frozen).items())
    if frozen.data.n < k:
        raise ExportRefused(
            f"The release has fewer than {k} responses: there is nothing to export."
        )
    if plans_of(frozen)[PLAN_RESPONSES].total_status[0] != SHOWN:
        # The file's number of rows is the organization's total.
        raise ExportRefused(
            "The report hides the organization's total to protect a small group, and a file of"
            " records would reveal it (by its number of rows): there is nothing to export."
        )
    masks = frozen.masks
    nearest = _nearest_anchor(frozen, plans)
    region = nearest[frozen.codes]
    _check_classes(region, [masks[key] for key, _ in plans], k, "a region")
    question, answers = _question(frozen, plans, nearest, k)
    labels = _region_labels(report)
    header = ["wave", "unit", *([question] if question else [])]
    items = _item_columns(frozen)
    header += [name for name, _, _ in items] + list(frozen.data.scales)
    rows = []
    for i in range(frozen.data.n):
        row: list[object] = [report.wave.name, labels[int(region[i])]]
        if question:
            row.append(answers[i])
        row += [_code(frozen.data.items[inst][i, j]) for _, inst, j in items]
        row += [_score(column.values[i]) for column in frozen.data.scales.values()]
        rows.append(row)
    np.random.default_rng().shuffle(rows)  # no row order to line up with anything
    comments, reason = _comments(report) if include_comments else (None, "")
    return RecordExport(header, rows, question, comments, reason, k)


def _nearest_anchor(frozen: Frozen, plans: list[tuple[str, DisclosurePlan]]) -> NDArray[np.int64]:
    """For each unit, the nearest unit at or above it whose total every plan shows."""
    t = frozen.tree
    shown = np.ones(t.size, dtype=bool)
    for _key, plan in plans:
        shown &= plan.total_status == SHOWN
    shown[0] = True
    nearest = np.arange(t.size)
    for index in t.units.preorder.tolist():  # parents before children
        if not shown[index]:
            nearest[index] = nearest[int(t.parents[index])]
    return nearest


def _check_classes(
    classes: NDArray[np.int64], masks: list[NDArray[np.bool_]], k: int, what: str
) -> None:
    for mask in masks:
        sizes = np.bincount(classes[mask]) if mask.any() else np.zeros(0, dtype=np.int64)
        if ((sizes > 0) & (sizes < k)).any():
            raise ExportRefused(
                f"The release's plans do not protect {what} of this file (fewer than {k}"
                " respondents): no file was made. Please report this."
            )


def _question(
    frozen: Frozen, plans: list[tuple[str, DisclosurePlan]], nearest: NDArray[np.int64], k: int
) -> tuple[str, list[str]]:
    """The demographic field that keeps the most rows, and each row's answer to it."""
    best: tuple[int, str, list[str]] = (0, "", [])
    for name in frozen.fields:
        kept, answers = _generalise(frozen, plans, nearest, name, k)
        if kept > best[0]:
            best = (kept, name, answers)
    return best[1], best[2]


def _generalise(
    frozen: Frozen,
    plans: list[tuple[str, DisclosurePlan]],
    nearest: NDArray[np.int64],
    name: str,
    k: int,
) -> tuple[int, list[str]]:
    coded = frozen.cats[name]
    region = nearest[frozen.codes]
    labels = [str(v) for v in coded.labels.tolist()]
    masks = [frozen.masks[key] for key, _ in plans]
    out = np.full(frozen.data.n, NOT_SHOWN, dtype=object)
    kept_rows = 0
    for anchor in np.unique(region).tolist():
        here = region == anchor
        below = _anchors_below(frozen, nearest, anchor)
        kept = [
            j for j, label in enumerate(labels)
            if all(_cell_shown(plan, name, label, [anchor, *below]) for _, plan in plans)
        ]  # fmt: skip
        kept = _fold(kept, coded.codes, here, masks, k)
        for j in kept:
            rows = here & (coded.codes == j)
            out[rows] = _label(name, labels[j])
            kept_rows += int(rows.sum())
    return kept_rows, out.tolist()


def _anchors_below(frozen: Frozen, nearest: NDArray[np.int64], anchor: int) -> list[int]:
    """The anchors directly below ``anchor``: its region's count is its total minus theirs."""
    t = frozen.tree
    return [
        int(u)
        for u in t.subtree(anchor).tolist()
        if u != anchor and nearest[u] == u and nearest[int(t.parents[u])] == anchor
    ]


def _cell_shown(plan: DisclosurePlan, name: str, label: str, units: list[int]) -> bool:
    cells = plan.fields[name]
    if label not in cells.categories:
        return True  # nobody of this plan's set holds it: every cell of it is a shown 0
    c = cells.categories.index(label)
    return all(cells.status[u, c] == SHOWN for u in units)


def _fold(
    kept: list[int],
    codes: NDArray[np.int64],
    here: NDArray[np.bool_],
    masks: list[NDArray[np.bool_]],
    k: int,
) -> list[int]:
    """Drop categories until every kept class and the "(not shown)" bucket hold 0 or >= k
    respondents in every plan's set."""
    kept = list(kept)
    while True:
        sizes = {j: [int((here & m & (codes == j)).sum()) for m in masks] for j in kept}
        small = [j for j in kept if any(0 < s < k for s in sizes[j])]
        if small:  # not expected (the plans' rule); never shown if it happens
            kept = [j for j in kept if j not in small]
            continue
        rest = [int((here & m).sum()) - sum(sizes[j][p] for j in kept) for p, m in enumerate(masks)]
        if not any(0 < r < k for r in rest) or not kept:
            return kept
        kept.remove(min(kept, key=lambda j: (sizes[j][0], j)))


def _region_labels(report: Report) -> dict[int, str]:
    """A region's label: its unit's path of names; the organization's name for the root."""
    rows = {row.index: row for row in report.units}
    t = report.frozen.tree
    out = {0: f"{report.wave.survey.organization.name} (not in a unit listed separately)"}
    for index in rows:
        chain, node = [], index
        while node > 0:
            chain.append(rows[node].unit.name)
            node = int(t.parents[node])
        out[index] = " / ".join(reversed(chain))
    return out


def _label(field: str, key: str) -> str:
    for option, text in DEMOGRAPHICS[field].choices:
        if option == key:
            return str(text)
    return "Not answered" if key == "not_answered" else key


def _item_columns(frozen: Frozen) -> list[tuple[str, str, int]]:
    out = []
    for instrument_id in frozen.data.items:
        instrument = get_instrument(instrument_id)
        for j, item in enumerate(instrument.items):
            out.append((f"{instrument_id}.{item.id}", instrument_id, j))
    return out


def _code(code: object) -> object:
    value = int(code)  # type: ignore[call-overload]
    return "" if value < 0 else value


def _score(value: float) -> object:
    return "" if np.isnan(value) else round(float(value), 4)


def _comments(report: Report) -> tuple[list[list[str]] | None, str]:
    if report.comments is None:
        return None, report.comments_reason
    questions = list(report.wave.version.open_questions)
    ids = report.frozen.comment_ids
    found = Comment.objects.filter(pk__in=[] if ids is None else ids.tolist())
    rows = [
        [questions[q - 1] if 0 < q <= len(questions) else "", text]
        for q, text in found.values_list("question", "text")
    ]
    np.random.default_rng().shuffle(rows)
    return rows, ""
