"""A release's report: every figure a page, an export or the API may show.

Built from a frozen release (``releases.open_release``) and its stored plans: unit totals
over subtrees and unit x category cells are published only where the plan of their set of
respondents allows, and means, shares and changes follow their counts. The plans are
restored from the release and checked against the counts they were searched for
(``analysis.disclosure.restore_plan``); nothing is searched when a report is read.
"""

from dataclasses import dataclass, field, replace

import numpy as np

from analysis.change import mean_change, rate_change
from analysis.disclosure import DisclosurePlan, restore_plan
from analysis.groups import GroupTable, Threshold, group_stats
from wellbeing.accounts.models import Unit
from wellbeing.reports import cells
from wellbeing.reports.data import ScaleColumn, WaveData
from wellbeing.reports.kept import Kept
from wellbeing.reports.models import Release
from wellbeing.reports.releases import PLAN_RESPONSES, Frozen, latest, open_release
from wellbeing.surveys.models import Comment, Wave
from wellbeing.surveys.questions import DEMOGRAPHICS
from wellbeing.surveys.scoring import get_instrument

NOT_ANSWERED = cells.NOT_ANSWERED
BUILT_KEPT = 8  # reports kept in each process: a release never changes


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
    p_value: float | None = None  # None where no test ran (too few responses, no spread)


@dataclass(frozen=True)
class CategoryCells:
    """A field's unit x category table of one scale, masked by the release's plan."""

    table: GroupTable
    categories: tuple[str, ...]
    column: ScaleColumn

    def figure(self, index: int, category: str) -> Figure | None:
        if category not in self.categories:
            return None
        j = self.categories.index(category)
        return _figure(self.table, index * len(self.categories) + j, self.column)


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
    by_category: dict[str, dict[str, Figure]] = field(default_factory=dict)  # at the root
    unit_changes: list[Change] | None = None  # per tree index
    # field -> every unit's cells of that field (report filters, unit pages).
    category_cells: dict[str, CategoryCells] = field(default_factory=dict, repr=False)
    # The previous wave's published figures per tree index, under its own release's plan.
    previous_by_unit: dict[int, Figure] | None = None
    units_table: GroupTable | None = field(default=None, repr=False)
    column: ScaleColumn | None = field(default=None, repr=False)

    def unit_category(self, name: str, index: int, category: str) -> Figure | None:
        """The figure of unit ``index`` x ``category`` of field ``name``; None if nobody has it."""
        cells_ = self.category_cells.get(name)
        return None if cells_ is None else cells_.figure(index, category)

    def by_category_in(self, index: int) -> dict[str, dict[str, Figure]]:
        """The category figures within unit ``index`` (its subtree), as the plan published them."""
        return {
            name: {c: f for c in found.categories if (f := found.figure(index, c)) is not None}
            for name, found in self.category_cells.items()
        }


@dataclass(frozen=True)
class UnitRow:
    index: int
    unit: Unit  # a stand-in with the release's name when the unit was deleted since
    depth: int


@dataclass(frozen=True)
class Report:
    wave: Wave
    release: Release
    previous: Wave | None
    previous_release: Release | None
    min_size: int
    responses: Figure
    units: list[UnitRow]
    scales: list[ScaleReport]
    categories: dict[str, list[tuple[str, str]]]  # field -> [(key, label)]
    comments: list[str] | None
    comments_reason: str
    frozen: Frozen = field(repr=False, compare=False)

    @property
    def data(self) -> WaveData:
        return self.frozen.data

    def plan(self, key: str) -> DisclosurePlan:
        return plans_of(self.frozen)[key]


_BUILT: Kept[Report] = Kept(BUILT_KEPT)
_PLANS: Kept[dict[str, DisclosurePlan]] = Kept(BUILT_KEPT)


def forget_built() -> None:
    _BUILT.clear()
    _PLANS.clear()


def report_of(release: Release) -> Report:
    """The report of ``release`` (kept in this process: a release never changes)."""
    wave = release.wave
    previous = previous_wave(wave)
    before = latest(previous) if previous is not None else None
    key = (release.key, before.key if before is not None else "")
    return _BUILT.get(key, lambda: _build(release, previous, before))


def plans_of(frozen: Frozen) -> dict[str, DisclosurePlan]:
    """Every plan of a release, restored from its statuses and checked against its counts."""
    return _PLANS.get(frozen.release.key, lambda: _restore(frozen))


def _restore(frozen: Frozen) -> dict[str, DisclosurePlan]:
    restored: dict[bytes, DisclosurePlan] = {}
    out = {}
    k = frozen.release.min_size
    for key, mask in frozen.masks.items():
        statuses = frozen.statuses[key]
        signature = np.packbits(mask).tobytes() + statuses.tobytes()
        if signature not in restored:
            direct, by_field = cells.counts(frozen.tree, frozen.codes, frozen.cats, mask)
            restored[signature] = restore_plan(
                frozen.tree.units, direct, by_field, statuses, min_size=k
            )
        out[key] = restored[signature]
    return out


def previous_wave(wave: Wave) -> Wave | None:
    return (
        Wave.objects.filter(survey=wave.survey, opens_at__lt=wave.opens_at)
        .exclude(pk=wave.pk)
        .select_related("survey__organization", "version")
        .order_by("-opens_at")
        .first()
    )


def unit_rows(frozen: Frozen) -> list[UnitRow]:
    """The release's units in tree order, with today's names where the unit still exists."""
    t = frozen.tree
    ids = t.unit_ids[1:].tolist()
    known = {u.pk: u for u in Unit.objects.filter(pk__in=ids)}
    rows = []
    for index, uid in enumerate(ids, start=1):
        parent = int(t.parents[index])
        unit = known.get(uid) or Unit(
            pk=uid, name=t.names[index], parent_id=int(t.unit_ids[parent]) if parent > 0 else None
        )
        rows.append(UnitRow(index, unit, t.depth(index) - 1))
    return rows


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


@dataclass
class _Tables:
    plan: DisclosurePlan
    units: GroupTable
    categories: dict[str, GroupTable]


def scale_range(column: ScaleColumn) -> tuple[float, float] | None:
    """The scale's (minimum, maximum), which its intervals stay inside; None when the
    instrument does not declare one (a licence holder's external score)."""
    scale = get_instrument(column.instrument).scale(column.scale)
    if scale.minimum is None or scale.maximum is None or not scale.maximum > scale.minimum:
        return None
    return float(scale.minimum), float(scale.maximum)


def _tables(frozen: Frozen, key: str, column: ScaleColumn, with_categories: bool) -> _Tables:
    """The scale's unit and unit x category tables, masked by its plan."""
    plan = plans_of(frozen)[key]
    t = frozen.tree
    scored = ~np.isnan(column.values)
    rows, nodes = t.units.expand(frozen.codes)
    thresholds, bounds = _threshold(column), scale_range(column)
    units = group_stats(
        column.values[rows], nodes, labels=range(t.size), cutoffs=thresholds, bounds=bounds
    )
    units = units.masked(*plan.total_mask())
    by_category = {}
    for name, coded in frozen.cats.items() if with_categories else ():
        categories = plan.fields[name].categories
        width = len(categories)
        # The plan's categories are the release's sorted labels that someone scored.
        position = np.searchsorted(np.asarray(categories, dtype=str), coded.labels)
        cat_codes = position[coded.codes[scored]] if width else np.zeros(0, dtype=np.int64)
        full = np.full(len(coded.codes), -1, dtype=np.int64)
        full[np.flatnonzero(scored)] = cat_codes
        keep = full[rows] >= 0
        groups = nodes[keep] * width + full[rows][keep]
        table = group_stats(
            column.values[rows][keep],
            groups,
            labels=range(t.size * width),
            cutoffs=thresholds,
            bounds=bounds,
        )
        by_category[name] = table.masked(*plan.field_mask(name))
    return _Tables(plan, units, by_category)


def _aligned(frozen: Frozen, old: Frozen, table: GroupTable) -> tuple[GroupTable, list[int]]:
    """``table`` (of the previous release's tree) re-indexed onto ``frozen``'s tree by unit id;
    the indices of units the previous release did not have."""
    where = {int(u): i for i, u in enumerate(old.tree.unit_ids.tolist())}
    picks = [where.get(int(u), -1) for u in frozen.tree.unit_ids.tolist()]
    picks[0] = 0  # the organization itself
    missing = [i for i, p in enumerate(picks) if p < 0]
    index = np.asarray([max(p, 0) for p in picks], dtype=np.int64)
    hidden = table.suppressed[index].copy()
    hidden[missing] = True
    reasons = [table.reasons[p] if p >= 0 else "not measured then" for p in picks]
    picked = GroupTable(
        labels=tuple(range(len(index))),
        n=np.where(hidden, 0, table.n[index]),
        mean=table.mean[index],
        sd=table.sd[index],
        ci_low=table.ci_low[index],
        ci_high=table.ci_high[index],
        shares={
            name: replace(
                s, count=s.count[index], share=s.share[index], low=s.low[index], high=s.high[index]
            )
            for name, s in table.shares.items()
        },
        confidence=table.confidence,
        suppressed=np.zeros(len(index), dtype=bool),
        reasons=("",) * len(index),
        bounds=table.bounds,
    )
    return picked.masked(hidden, reasons), missing


def _changes(now: GroupTable, before: GroupTable | None, k: int):
    if before is None:
        return None, None

    def n_of(table: GroupTable) -> np.ndarray:
        return np.where(table.suppressed, 0, table.n).astype(float)

    # No change can be larger than the scale is wide: the interval stays within that too.
    span = None if now.bounds is None else now.bounds[1] - now.bounds[0]
    means = mean_change(
        n_of(before), before.mean, np.nan_to_num(before.sd),
        n_of(now), now.mean, np.nan_to_num(now.sd), min_size=k, span=span,
    )  # fmt: skip
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
    p_value = None if np.isnan(table.p_value[i]) else float(table.p_value[i])
    return Change(
        float(table.difference[i]), ci, bool(table.significant[i]), table.reason[i], p_value
    )


def _previous_tables(frozen: Frozen, before: Frozen | None) -> dict[str, GroupTable]:
    """The previous wave's published unit tables per scale, on this release's tree."""
    if before is None:
        return {}
    out: dict[str, GroupTable] = {}
    for key, column in before.data.scales.items():
        if key in frozen.data.scales:
            table = _tables(before, key, column, with_categories=False).units
            out[key] = _aligned(frozen, before, table)[0]
    return out


def _build(release: Release, previous: Wave | None, before: Release | None) -> Report:
    frozen = open_release(release)
    old = open_release(before) if before is not None else None
    k = release.min_size
    t = frozen.tree
    scales = []
    previous_tables = _previous_tables(frozen, old)
    for key, column in frozen.data.scales.items():
        tables = _tables(frozen, key, column, with_categories=True)
        old_units = previous_tables.get(key)
        mean_rows, rate_rows = _changes(tables.units, old_units, k)
        scale = get_instrument(column.instrument).scale(column.scale)
        by_category, category_cells = {}, {}
        for name, table in tables.categories.items():
            categories = tuple(map(str, tables.plan.fields[name].categories))
            by_category[name] = {c: _figure(table, j, column) for j, c in enumerate(categories)}
            category_cells[name] = CategoryCells(table, categories, column)
        slim = replace(column, values=np.empty(0), above={})  # no respondent-level values
        scales.append(
            ScaleReport(
                key=key,
                name=column.name,
                instrument=column.instrument,
                higher_is=column.higher_is,
                share_label=next(iter(column.cutoff_labels.values()), ""),
                minimum=scale.minimum,
                maximum=scale.maximum,
                overall=_figure(tables.units, 0, column),
                by_unit={i: _figure(tables.units, i, column) for i in range(t.size)},
                change=mean_rows[0] if mean_rows else None,
                rate_change=rate_rows[0] if rate_rows else None,
                by_category=by_category,
                unit_changes=mean_rows,
                category_cells=category_cells,
                previous_by_unit=(
                    {i: _figure(old_units, i, column) for i in range(t.size)}
                    if old_units is not None
                    else None
                ),
                units_table=tables.units,
                column=slim,
            )
        )
    total = plans_of(frozen)[PLAN_RESPONSES].total(0)
    comments, reason = _comments(frozen)
    labels = {
        name: [(key, str(label)) for key, label in DEMOGRAPHICS[name].choices]
        + [(NOT_ANSWERED, "Not answered")]
        for name in frozen.fields
    }
    return Report(
        wave=release.wave,
        release=release,
        previous=previous if before is not None else None,
        previous_release=before,
        min_size=k,
        responses=Figure(total.value, reason=total.reason),
        units=unit_rows(frozen),
        scales=scales,
        categories=labels,
        comments=comments,
        comments_reason=reason,
        frozen=frozen,
    )


def _comments(frozen: Frozen) -> tuple[list[str] | None, str]:
    from wellbeing.reports.releases import COMMENT_THRESHOLD

    if frozen.comment_ids is None:
        return None, (
            f"Comments are shown only for groups of at least {COMMENT_THRESHOLD} responses."
        )
    texts = list(
        Comment.objects.filter(pk__in=frozen.comment_ids.tolist()).values_list("text", flat=True)
    )
    # Shown in random order, never with demographics or units, so no comment lines up with a
    # response; the same comments every time the release is read.
    np.random.default_rng().shuffle(texts)
    return texts, ""
