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
organization, and of every unit above it, must also be empty or that large:
otherwise two analyses would describe a small group between them. Only
associations are shown, never an individual answer.
"""

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from django.urls import reverse

from analysis.drivers import key_drivers
from wellbeing.plan.models import ModelElement, PriorityArea
from wellbeing.surveys.reports.build import Report, organization_tree, position_codes
from wellbeing.surveys.reports.data import WaveData

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


def drivers_section(report: Report, node: int, scope: str) -> DriversSection:
    """Key drivers over tree ``node`` (0: the whole organization) of ``report``'s wave."""
    mapping, data = driver_map(), report.data
    model_url = reverse("plan:conceptual_model")
    outcome = next((k for k in mapping.outcomes if data is not None and k in data.scales), None)
    mapped = [m for m in mapping.scales if data is not None and m.scale in data.scales]
    need = max(MIN_RESPONDENTS, PER_DRIVER * max(1, len(mapped)), report.min_size)
    hidden = DriversSection(scope, need, model_url=model_url)
    if data is None or outcome is None or not mapped:
        return _hidden(
            hidden,
            "Key drivers need a burnout measure and a work-environment measure with a verified "
            "structure in the same survey (for example the single-item burnout measure and the PES-NWI).",
        )
    y = data.scales[outcome].values
    x = np.column_stack([data.scales[m.scale].values for m in mapped])
    complete = ~np.isnan(y) & ~np.isnan(x).any(axis=1)
    in_scope, margins = np.ones(data.n, dtype=bool), np.zeros(0, dtype=np.int64)
    if node != 0:
        in_scope, margins = _subtree_margins(report, data, node, complete)
    if int((complete & in_scope).sum()) < need:
        return _hidden(
            hidden,
            f"Key drivers are shown only when at least {need} people in {scope} answered every "
            "measure they use; fewer did.",
        )
    if ((margins > 0) & (margins < need)).any():
        return _hidden(
            hidden,
            f"Key drivers for part of an organization are shown only when each larger part "
            f"around it, up to the whole organization, has no other complete answers or at "
            f"least {need} more, so that no small group can be worked out from two analyses.",
        )
    try:
        result = key_drivers(
            y[in_scope],
            x[in_scope],
            [m.scale for m in mapped],
            n_boot=N_BOOT,
            seed=SEED,
            min_n=need,
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
    return DriversSection(
        scope=scope,
        minimum=need,
        outcome=data.scales[outcome].name,
        rows=rows,
        n=result.n_used,
        r_squared=result.r_squared,
        r_squared_ci=result.r_squared_ci,
        n_boot=result.n_boot,
        confidence=result.confidence,
        model_url=model_url,
    )


def _subtree_margins(
    report: Report, data: WaveData, node: int, complete: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Who is in ``node``'s subtree, and how many complete answers each enclosing unit adds.

    Another reader may see the drivers of any unit above ``node`` (its lead, or an admin
    the organization's): each difference must be zero or large, never a small group.
    """
    tree, _units, position = organization_tree(report.wave.survey.organization)
    codes = position_codes(data, position)
    in_scope = np.isin(codes, tree.subtree(node))
    _rows, nodes = tree.expand(codes[complete])
    counts = np.bincount(nodes, minlength=tree.size)
    above = tree.ancestors[node]
    above = above[(above >= 0) & (above != node)]
    return in_scope, counts[above] - counts[node]


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
