"""The report's key-drivers section: what goes with burnout here, and where to act.

``analysis.drivers.key_drivers`` does the statistics (standardised betas and
Johnson's relative weights with percentile-bootstrap intervals, validated
against statsmodels and scipy in tests/analysis). This module picks the
outcome and the candidate scales from ``driver_map.toml``, decides whether the
people in scope are enough to analyse at all, and attaches to each driver the
conceptual-model factor, the National Plan priority area and matched hub
resources.

Confidentiality: drivers are computed for the whole organization or for one
visible subtree, never per small unit, and only with at least
``MIN_RESPONDENTS`` complete respondents (and ten per driver, and never fewer
than the organization's minimum group size). For a subtree, the rest of the
organization, and of every unit above it, must also be empty or that large,
and the subtree's complete answers must have changed by none or that many since
any earlier release that showed its drivers: otherwise two analyses would
describe a small group between them. The release decides where (``releases``);
the number of people is printed only where the release's "drivers" plan shows it.
Only associations are shown, never an individual answer.
"""

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from django.urls import reverse

from analysis.drivers import key_drivers
from wellbeing.plan.models import ModelElement, PriorityArea
from wellbeing.reports.build import Report
from wellbeing.reports.data import WaveData
from wellbeing.reports.kept import Kept
from wellbeing.reports.releases import PLAN_DRIVERS

MAP_FILE = Path(__file__).with_name("driver_map.toml")
MIN_RESPONDENTS = 30
PER_DRIVER = 10
N_BOOT = 1000
SEED = 0  # a fixed seed: the same wave always shows the same intervals


@dataclass(frozen=True)
class MappedScale:
    scale: str  # "pes-nwi.staffing"
    factor: str  # plan.ModelElement slug
    priority_area: str  # plan.PriorityArea slug
    rationale: str


@dataclass(frozen=True)
class DriverMap:
    outcomes: tuple[str, ...]
    scales: tuple[MappedScale, ...]


def _strings(table: dict, keys: tuple[str, ...], where: str) -> list[str]:
    values = [table.get(key) for key in keys]
    if not all(isinstance(v, str) and v.strip() for v in values):
        raise ValueError(f"{MAP_FILE.name} {where}: expected non-empty strings {keys}, got {table}")
    return [str(v) for v in values]


@cache
def driver_map() -> DriverMap:
    """The platform's editorial mapping of scales to factors and priority areas (read once)."""
    raw = tomllib.loads(MAP_FILE.read_text(encoding="utf-8"))
    outcomes = raw.get("outcomes")
    if not isinstance(outcomes, list) or not outcomes:
        raise ValueError(f"{MAP_FILE.name} outcomes: expected a list of scale keys, got {outcomes}")
    keys = ("scale", "factor", "priority_area", "rationale")
    scales = tuple(
        MappedScale(*_strings(row, keys, f"drivers[{n}]"))
        for n, row in enumerate(raw.get("drivers", []))
    )
    return DriverMap(tuple(str(o) for o in outcomes), scales)


@dataclass(frozen=True)
class Link:
    title: str
    url: str


def matched_resources(factors: list[str], priority_areas: list[str], limit: int = 3) -> list[Link]:
    """The hub's best published resources for these factors and areas ("what to do about it")."""
    from wellbeing.hub.matching import match_resources  # the hub reads plan data; import late

    found = match_resources(factors=factors, priority_areas=priority_areas, limit=limit)
    return [Link(resource.title, resource.get_absolute_url()) for resource in found]


@dataclass(frozen=True)
class DriverRow:
    key: str
    name: str
    higher_is: str | None
    weight: float
    weight_ci: tuple[float, float]
    share: float
    beta: float
    beta_ci: tuple[float, float]
    factor: Link
    priority_area: Link
    rationale: str
    resources: list[Link]

    @property
    def direction(self) -> str:
        """ "lower" / "higher" burnout with higher scores, or "unclear" when the interval spans 0."""
        low, high = self.beta_ci
        if high < 0:
            return "lower"
        if low > 0:
            return "higher"
        return "unclear"


@dataclass(frozen=True)
class DriversSection:
    scope: str
    minimum: int
    outcome: str = ""
    rows: tuple[DriverRow, ...] = ()
    n: int | None = None
    r_squared: float | None = None
    r_squared_ci: tuple[float, float] | None = None
    n_boot: int = N_BOOT
    confidence: float = 0.95
    reason: str = ""  # why nothing is shown; empty when rows are shown
    model_url: str = ""

    @property
    def shown(self) -> bool:
        return bool(self.rows)


def driver_inputs(data: WaveData) -> tuple[np.ndarray, np.ndarray, list[MappedScale]] | None:
    """(outcome, measures, their mapping) of a release's respondents; None without drivers."""
    mapping = driver_map()
    outcome = next((k for k in mapping.outcomes if k in data.scales), None)
    mapped = [m for m in mapping.scales if m.scale in data.scales]
    if outcome is None or not mapped:
        return None
    y = data.scales[outcome].values
    x = np.column_stack([data.scales[m.scale].values for m in mapped])
    return y, x, mapped


def minimum_for(data: WaveData, k: int) -> int:
    """Complete answers key drivers need: 30, ten per measure, never fewer than k."""
    found = driver_inputs(data)
    measures = len(found[2]) if found is not None else 0
    return max(MIN_RESPONDENTS, PER_DRIVER * max(1, measures), k)


SECTIONS_KEPT = 64  # per process: a release never changes, and a bootstrap costs ~0.3 s
_SECTIONS: Kept[DriversSection] = Kept(SECTIONS_KEPT)


def drivers_section(report: Report, node: int, scope: str) -> DriversSection:
    """Key drivers over tree ``node`` of ``report``'s release, kept in this process."""
    key = (report.release.key, node, scope)
    return _SECTIONS.get(key, lambda: _section(report, node, scope))


def _section(report: Report, node: int, scope: str) -> DriversSection:
    """Key drivers over tree ``node`` (0: the whole organization) of ``report``'s release.

    The release decided where drivers may be shown (``releases``: enough complete answers,
    no small margin to a larger part around the node, no small change since an earlier
    release); its "drivers" plan decides whether their number may be printed."""
    data, frozen = report.data, report.frozen
    model_url = reverse("plan:conceptual_model")
    found = driver_inputs(data)
    need = minimum_for(data, report.min_size)
    hidden = DriversSection(scope, need, model_url=model_url)
    if found is None:
        return _hidden(
            hidden,
            "Key drivers need a burnout measure and at least one measure the platform relates to "
            "the conceptual model in the same survey (for example the single-item burnout measure "
            "with the PES-NWI, the WHO-5 or the PHQ-2).",
        )
    y, x, mapped = found
    if frozen.driver_scales != (outcome_key(data), *(m.scale for m in mapped)):
        return _hidden(
            hidden,
            "The measures used for key drivers changed after these results were published; "
            "they come with the next results.",
        )
    complete = ~np.isnan(y) & ~np.isnan(x).any(axis=1)
    in_scope = np.isin(frozen.codes, frozen.tree.subtree(node))
    if node not in frozen.drivers:
        if int((complete & in_scope).sum()) < need:
            return _hidden(
                hidden,
                f"Key drivers are shown only when at least {need} people in {scope} answered "
                "every measure they use; fewer did.",
            )
        return _hidden(
            hidden,
            "Key drivers for part of an organization are shown only when each larger part "
            f"around it, up to the whole organization, has no other complete answers or at "
            f"least {need} more, and when they changed by none or at least {need} since "
            "the last results published, so that no small group can be worked out from two "
            "analyses.",
        )
    chosen = np.flatnonzero(complete & in_scope)
    # In an order set by the answers alone, so the bootstrap (and so the intervals) depends
    # only on who answered what, never on how the rows happen to be stored.
    chosen = chosen[canonical_order(y[chosen], x[chosen])]
    try:
        result = key_drivers(
            y[chosen], x[chosen], [m.scale for m in mapped], n_boot=N_BOOT, seed=SEED, min_n=need
        )
    except ValueError:
        # A constant or collinear measure (everyone gave the same answers): no model to show.
        return _hidden(hidden, "The answers do not vary enough to estimate key drivers.")
    by_key = {m.scale: m for m in mapped}
    factors = {e.slug: e for e in ModelElement.objects.filter(slug__in={m.factor for m in mapped})}
    areas = {
        a.slug: a for a in PriorityArea.objects.filter(slug__in={m.priority_area for m in mapped})
    }
    rows = tuple(
        _row(d, by_key[d.name], data.scales[d.name], factors, areas) for d in result.drivers
    )
    # The number of people is a figure like any other: printed only where the plan of the
    # complete answers shows it.
    total = report.plan(PLAN_DRIVERS).total(node)
    return DriversSection(
        scope=scope,
        minimum=need,
        outcome=data.scales[outcome_key(data)].name,
        rows=rows,
        n=total.value,
        r_squared=result.r_squared,
        r_squared_ci=result.r_squared_ci,
        n_boot=result.n_boot,
        confidence=result.confidence,
        model_url=model_url,
    )


def canonical_order(y: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Row order sorted by the outcome, then each measure (ties keep no meaning)."""
    return np.lexsort(np.column_stack([y, x]).T[::-1])


def outcome_key(data: WaveData) -> str:
    return next(k for k in driver_map().outcomes if k in data.scales)


def _hidden(section: DriversSection, reason: str) -> DriversSection:
    return DriversSection(
        section.scope, section.minimum, reason=reason, model_url=section.model_url
    )


def _row(driver, mapped: MappedScale, column, factors: dict, areas: dict) -> DriverRow:
    factor, area = factors.get(mapped.factor), areas.get(mapped.priority_area)
    return DriverRow(
        key=mapped.scale,
        name=column.name,
        higher_is=column.higher_is,
        weight=driver.weight,
        weight_ci=driver.weight_ci,
        share=driver.share,
        beta=driver.beta,
        beta_ci=driver.beta_ci,
        factor=Link(factor.name, factor.get_absolute_url()) if factor else Link(mapped.factor, ""),
        priority_area=(
            Link(area.title, area.get_absolute_url()) if area else Link(mapped.priority_area, "")
        ),
        rationale=mapped.rationale,
        resources=matched_resources([mapped.factor], [mapped.priority_area]),
    )
