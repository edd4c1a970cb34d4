"""Assemble a wave's confidential report from ``analysis`` results.

Every figure shown comes from one ``analysis.disclosure`` plan per wave and
scale: unit totals over subtrees and unit x category cells are published only
where the plan allows, and means, shares and changes follow their counts.
"""

from dataclasses import dataclass, field, replace

import numpy as np

from analysis.change import mean_change, rate_change
from analysis.disclosure import DisclosurePlan
from analysis.groups import GroupTable, Threshold, UnitTree, group_stats
from wellbeing.accounts.models import Organization, Unit
from wellbeing.surveys.models import Comment, Wave
from wellbeing.surveys.questions import DEMOGRAPHICS
from wellbeing.surveys.reports.data import UNASSIGNED, ScaleColumn, WaveData, load_wave
from wellbeing.surveys.reports.plans import plan_for
from wellbeing.surveys.scoring import get_instrument

COMMENT_THRESHOLD = 10
ROOT = "org"
NOT_ANSWERED = "not_answered"


@dataclass(frozen=True)
class Figure:
    """One published (or suppressed) figure with what a page needs to show it."""

    n: int | None
    mean: float | None = None
    ci: tuple[float, float] | None = None
    share: float | None = None
    share_ci: tuple[float, float] | None = None
    reason: str = ""
    level: int = 0  # 0..4 for the heat map colour, worse is higher

    @property
    def suppressed(self) -> bool:
        return self.n is None


@dataclass(frozen=True)
class Change:
    difference: float | None
    ci: tuple[float, float] | None
    significant: bool
    reason: str


@dataclass(frozen=True)
class ScaleReport:
    key: str
    name: str
    instrument: str
    higher_is: str | None
    share_label: str  # e.g. "burned out"; empty when the scale has no 2-band cut-off
    minimum: float | None
    maximum: float | None
    overall: Figure
    by_unit: dict[int, Figure]  # tree index -> figure
    change: Change | None
    rate_change: Change | None
    by_category: dict[str, dict[str, Figure]] = field(
        default_factory=dict
    )  # field -> category -> figure
    unit_changes: list[Change] | None = None  # per tree index
    # field -> every unit's cells of that field, read on demand (report filters).
    category_cells: dict[str, "CategoryCells"] = field(default_factory=dict, repr=False)
    # The previous wave's published figures per tree index, under that wave's own plan.
    previous_by_unit: dict[int, Figure] | None = None
    # The masked unit x category tables behind ``by_category``, for unit drill-downs.
    category_tables: dict[str, tuple[list[str], GroupTable]] = field(
        default_factory=dict, repr=False
    )
    column: ScaleColumn | None = field(default=None, repr=False)

    def unit_category(self, name: str, index: int, category: str) -> Figure | None:
        """The figure of unit ``index`` x ``category`` of field ``name``; None if nobody has it."""
        cells = self.category_cells.get(name)
        return None if cells is None else cells.figure(index, category)

    def by_category_in(self, index: int) -> dict[str, dict[str, Figure]]:
        """The category figures within unit ``index`` (its subtree), as the plan published them."""
        if self.column is None:
            return {}
        out = {}
        for name, (categories, table) in self.category_tables.items():
            width = len(categories)
            out[name] = {
                c: _figure(table, index * width + j, self.column) for j, c in enumerate(categories)
            }
        return out


@dataclass(frozen=True)
class CategoryCells:
    """A field's unit x category table of one scale, masked by the same plan as the report."""

    table: GroupTable
    categories: tuple[str, ...]
    column: ScaleColumn

    def figure(self, index: int, category: str) -> Figure | None:
        if category not in self.categories:
            return None
        j = self.categories.index(category)
        return _figure(self.table, index * len(self.categories) + j, self.column)


@dataclass(frozen=True)
class UnitRow:
    index: int
    unit: Unit
    depth: int


@dataclass(frozen=True)
class Report:
    wave: Wave
    previous: Wave | None
    min_size: int
    responses: Figure
    units: list[UnitRow]
    scales: list[ScaleReport]
    categories: dict[str, list[tuple[str, str]]]  # field -> [(key, label)]
    comments: list[str] | None
    comments_reason: str
    # The wave's columns, for sections computed per reader (key drivers); never rendered.
    data: WaveData | None = field(default=None, repr=False, compare=False)


def organization_tree(org: Organization) -> tuple[UnitTree, list[Unit], dict[int, int]]:
    units = list(Unit.objects.filter(organization=org).order_by("path"))
    position = {u.pk: i + 1 for i, u in enumerate(units)}
    parents = [-1] + [position.get(u.parent_id, 0) if u.parent_id else 0 for u in units]
    tree = UnitTree.from_parents(
        np.asarray(parents, dtype=np.int64), [ROOT, *[u.pk for u in units]]
    )
    return tree, units, position


def _codes(data: WaveData, position: dict[int, int]) -> np.ndarray:
    """Tree index per respondent: unassigned and unknown (deleted) units count at the root."""
    ids = np.asarray(data.unit_ids, dtype=np.int64)
    keys = np.fromiter(position.keys(), dtype=np.int64, count=len(position))
    values = np.fromiter(position.values(), dtype=np.int64, count=len(position))
    order = np.argsort(keys)
    keys, values = keys[order], values[order]
    at = np.clip(np.searchsorted(keys, ids), 0, max(len(keys) - 1, 0))
    known = (ids != UNASSIGNED) & (keys[at] == ids) if len(keys) else np.zeros(len(ids), bool)
    return np.where(known, values[at] if len(keys) else 0, 0).astype(np.int64)


def position_codes(data: WaveData, position: dict[int, int]) -> np.ndarray:
    """Each respondent's index in ``organization_tree`` (0: the organization itself)."""
    return _codes(data, position)


@dataclass(frozen=True)
class _Coded:
    """A demographic field's answers for a wave: sorted distinct ``labels`` and each
    respondent's index into them (coded once per wave, not once per plan)."""

    labels: np.ndarray
    codes: np.ndarray


def category_labels(data: WaveData, fields: list[str]) -> dict[str, np.ndarray]:
    """Each respondent's answer to each demographic field, "not answered" spelled out."""
    out = {}
    for name in fields:
        values = data.demographics.get(name, np.full(data.n, "", dtype=str))
        out[name] = np.where(values == "", NOT_ANSWERED, values).astype(str)
    return out


def _categories(data: WaveData, fields: list[str]) -> dict[str, _Coded]:
    out = {}
    for name in fields:
        if name in data.coded:  # the packed codes: relabel the few distinct answers only
            answers, codes = data.coded[name]
            used = np.bincount(codes, minlength=len(answers)) > 0
            shown = np.where(answers == "", NOT_ANSWERED, answers).astype(str)
            labels, at = np.unique(shown[used], return_inverse=True)
            remap = np.full(len(answers), -1, dtype=np.int64)
            remap[np.flatnonzero(used)] = at.reshape(-1)
            out[name] = _Coded(labels, remap[codes])
        else:
            values = category_labels(data, [name])[name]
            labels, inverse = np.unique(values, return_inverse=True)
            out[name] = _Coded(labels, inverse.reshape(-1).astype(np.int64))
    return out


def _plan(
    wave_id: int,
    tree: UnitTree,
    codes: np.ndarray,
    cats: dict[str, _Coded],
    scored: np.ndarray,
    k: int,
) -> DisclosurePlan:
    """``plan_disclosure`` of the scored respondents, from the wave's coded categories:
    the same plan (categories nobody scored left out), without sorting labels again.
    Searched once per set of counts (``reports.plans``)."""
    units = codes[scored]
    by_field = {}
    for name, coded in cats.items():
        width = len(coded.labels)
        counts = np.bincount(
            units * width + coded.codes[scored], minlength=tree.size * width
        ).reshape(tree.size, width)
        present = counts.sum(axis=0) > 0
        by_field[name] = (coded.labels[present].tolist(), counts[:, present])
    direct = np.bincount(units, minlength=tree.size)
    return plan_for(wave_id, tree, direct, by_field, k)


def _threshold(column: ScaleColumn) -> dict[str, Threshold]:
    instrument = get_instrument(column.instrument)
    for cutoff in instrument.cutoffs:
        if cutoff.id in column.above:
            upper = cutoff.bands[1]
            return {"share": Threshold(upper.lower, "gt" if upper.exclusive else "ge", upper.label)}
    return {}


def _level(column: ScaleColumn, mean: float | None) -> int:
    scale = get_instrument(column.instrument).scale(column.scale)
    if (
        mean is None
        or scale.minimum is None
        or scale.maximum is None
        or scale.maximum == scale.minimum
    ):
        return 0
    position = (mean - scale.minimum) / (scale.maximum - scale.minimum)
    if scale.higher_is == "better":
        position = 1 - position
    return int(min(4, max(0, np.floor(position * 5))))


def _figure(table: GroupTable, i: int, column: ScaleColumn) -> Figure:
    if table.suppressed[i]:
        return Figure(None, reason=table.reasons[i])
    n = int(table.n[i])
    mean = None if np.isnan(table.mean[i]) else float(table.mean[i])
    ci = None if np.isnan(table.ci_low[i]) else (float(table.ci_low[i]), float(table.ci_high[i]))
    share = share_ci = None
    if "share" in table.shares:
        s = table.shares["share"]
        if not np.isnan(s.share[i]):
            share, share_ci = float(s.share[i]), (float(s.low[i]), float(s.high[i]))
    return Figure(n, mean, ci, share, share_ci, level=_level(column, mean))


def _unit_figures(table: GroupTable, column: ScaleColumn, size: int) -> dict[int, Figure]:
    return {i: _figure(table, i, column) for i in range(size)}


@dataclass
class _WaveTables:
    plan: DisclosurePlan
    units: GroupTable
    categories: dict[str, GroupTable]


def _tables(
    wave_id: int,
    tree: UnitTree,
    codes: np.ndarray,
    cats: dict[str, _Coded],
    column: ScaleColumn,
    k: int,
    plans: dict[bytes, DisclosurePlan],
    *,
    with_categories: bool = True,
) -> _WaveTables:
    scored = ~np.isnan(column.values)
    # Plan on the respondents who have this score (a group of 6 with 3 scores must not show
    # a mean of 3). Scales scored for the same respondents share one plan.
    signature = np.packbits(scored).tobytes()
    if signature not in plans:
        plans[signature] = _plan(wave_id, tree, codes, cats, scored, k)
    plan = plans[signature]
    rows, nodes = tree.expand(codes)
    thresholds = _threshold(column)
    units = group_stats(column.values[rows], nodes, labels=range(tree.size), cutoffs=thresholds)
    units = units.masked(*plan.total_mask())
    by_category = {}
    for name, coded in cats.items() if with_categories else ():
        categories = plan.fields[name].categories
        width = len(categories)
        # The plan's categories are the wave's sorted labels that someone scored.
        position = np.searchsorted(np.asarray(categories, dtype=str), coded.labels)
        cat_codes = position[coded.codes[scored]] if width else np.zeros(0, dtype=np.int64)
        full = np.full(len(coded.codes), -1, dtype=np.int64)
        full[np.flatnonzero(scored)] = cat_codes
        keep = full[rows] >= 0
        groups = nodes[keep] * width + full[rows][keep]
        table = group_stats(
            column.values[rows][keep], groups, labels=range(tree.size * width), cutoffs=thresholds
        )
        by_category[name] = table.masked(*plan.field_mask(name))
    return _WaveTables(plan, units, by_category)


def _changes(
    now: GroupTable, before: GroupTable | None, k: int
) -> tuple[list[Change] | None, list[Change] | None]:
    if before is None:
        return None, None

    def n_of(table: GroupTable) -> np.ndarray:
        return np.where(table.suppressed, 0, table.n).astype(float)

    means = mean_change(
        n_of(before),
        before.mean,
        np.nan_to_num(before.sd),
        n_of(now),
        now.mean,
        np.nan_to_num(now.sd),
        min_size=k,
    )
    mean_rows = [_change(means, i) for i in range(len(now))]
    rate_rows = None
    if "share" in now.shares and "share" in before.shares:
        k1 = np.where(before.suppressed, 0, before.shares["share"].count)
        k2 = np.where(now.suppressed, 0, now.shares["share"].count)
        rates = rate_change(
            k1, n_of(before).astype(np.int64), k2, n_of(now).astype(np.int64), min_size=k
        )
        rate_rows = [_change(rates, i) for i in range(len(now))]
    return mean_rows, rate_rows


def _change(table, i: int) -> Change:
    if not table.comparable[i]:
        return Change(None, None, False, table.reason[i])
    ci = None if np.isnan(table.ci_low[i]) else (float(table.ci_low[i]), float(table.ci_high[i]))
    return Change(float(table.difference[i]), ci, bool(table.significant[i]), table.reason[i])


def previous_wave(wave: Wave) -> Wave | None:
    return (
        Wave.objects.filter(survey=wave.survey, opens_at__lt=wave.opens_at)
        .exclude(pk=wave.pk)
        .order_by("-opens_at")
        .first()
    )


def build_report(wave: Wave) -> Report:
    org = wave.survey.organization
    k = org.effective_min_group_size
    tree, units, position = organization_tree(org)
    data = load_wave(wave)
    previous = previous_wave(wave)
    before = load_wave(previous) if previous else None
    fields = [f for f in wave.version.demographics if f in DEMOGRAPHICS]
    codes, cats = _codes(data, position), _categories(data, fields)
    scales = []
    everyone = np.ones(data.n, dtype=bool)
    responses_plan = _plan(wave.pk, tree, codes, cats, everyone, k)
    # A scale everyone has a score on is planned on the same respondents: one plan for both.
    plans: dict[bytes, DisclosurePlan] = {np.packbits(everyone).tobytes(): responses_plan}
    old_plans: dict[bytes, DisclosurePlan] = {}
    before_id = previous.pk if previous is not None else 0
    if before is not None:
        old_codes, old_cats = _codes(before, position), _categories(before, fields)
    for key, column in data.scales.items():
        tables = _tables(wave.pk, tree, codes, cats, column, k, plans)
        old = previous_by_unit = None
        if before is not None and key in before.scales:
            # The previous wave only feeds the change per unit: no category tables for it.
            old = _tables(
                before_id,
                tree,
                old_codes,
                old_cats,
                before.scales[key],
                k,
                old_plans,
                with_categories=False,
            ).units
            previous_by_unit = _unit_figures(old, before.scales[key], tree.size)
        mean_rows, rate_rows = _changes(tables.units, old, k)
        scale = get_instrument(column.instrument).scale(column.scale)
        by_category, category_cells = {}, {}
        for name, table in tables.categories.items():
            categories = tables.plan.fields[name].categories
            by_category[name] = {
                str(c): _figure(table, j, column) for j, c in enumerate(categories)
            }  # root row: j < width
            category_cells[name] = CategoryCells(table, tuple(map(str, categories)), column)
        share_label = next(iter(column.cutoff_labels.values()), "")
        scales.append(
            ScaleReport(
                key=key,
                name=column.name,
                instrument=column.instrument,
                higher_is=column.higher_is,
                share_label=share_label,
                minimum=scale.minimum,
                maximum=scale.maximum,
                overall=_figure(tables.units, 0, column),
                by_unit={i: _figure(tables.units, i, column) for i in range(tree.size)},
                change=mean_rows[0] if mean_rows else None,
                rate_change=rate_rows[0] if rate_rows else None,
                by_category=by_category,
                unit_changes=mean_rows,
                category_cells=category_cells,
                previous_by_unit=previous_by_unit,
                category_tables={
                    name: ([str(c) for c in tables.plan.fields[name].categories], table)
                    for name, table in tables.categories.items()
                },
                # Only what a figure's colour level needs: no respondent-level values on a report.
                column=replace(column, values=np.empty(0), above={}),
            )
        )
    total = responses_plan.total(0)
    # The threshold counts respondents, published or not: comments never carry units or demographics.
    comments, reason = _comments(wave, data.n)
    labels = {
        name: [(key, str(label)) for key, label in DEMOGRAPHICS[name].choices]
        + [(NOT_ANSWERED, "Not answered")]
        for name in fields
    }
    return Report(
        wave=wave,
        previous=previous,
        min_size=k,
        responses=Figure(total.value, reason=total.reason),
        units=[UnitRow(position[u.pk], u, u.depth) for u in units],
        scales=scales,
        categories=labels,
        comments=comments,
        comments_reason=reason,
        data=data,
    )


def _comments(wave: Wave, n: int | None) -> tuple[list[str] | None, str]:
    if n is None or n < COMMENT_THRESHOLD:
        return (
            None,
            f"Comments are shown only for groups of at least {COMMENT_THRESHOLD} responses.",
        )
    texts = list(Comment.objects.filter(wave=wave).values_list("text", flat=True))
    # Shown in random order, never with demographics or units, so no comment lines up with a response.
    rng = np.random.default_rng()
    rng.shuffle(texts)
    return texts, ""
