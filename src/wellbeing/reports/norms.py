"""Movement norms: each scale's mean and share across organizations, with differential privacy.

An organization's report compares its headline figures, and its figures by role, with the
movement's: the same scale over the respondents of every organization of the platform,
released with epsilon-differential privacy (``analysis.norms``) by a staff member on a
confirmed request, spending the campaign's privacy budget (``campaign.privacy_spent``).

What goes in. Each organization's latest wave with final results (one wave per
organization, so each person gives at most one response), as published in its final
release: every scale with known bounds, for the whole organization and for each group of
``NORM_FIELDS``. An organization contributes to a group only where at least its minimum
group size of respondents are scored in it; a group is released only where at least
``MIN_ORGANIZATIONS`` organizations contribute. Network questionnaires are no
organization's survey and are left out. Real and synthetic (demonstration) organizations
are never pooled: a report reads the norms of its own kind of organization.

What is stored. The noisy counts, sums and band counts, and the means, shares and
intervals worked out from them (post-processing), in a ``PrivateRelease`` keyed by the
state of the data (``norms:<HMAC of the releases used>``): the same data give the same
release again and spend nothing. The true values are never stored. Reading the norms
(``latest``, ``for_reading``) computes nothing and spends nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from analysis import norms as pure
from wellbeing.accounts.models import Organization, User
from wellbeing.core.models import audit
from wellbeing.reports.campaign import CAMPAIGN_BUDGET, BudgetSpent, privacy_spent
from wellbeing.reports.models import PrivateRelease, Release
from wellbeing.reports.releases import open_release
from wellbeing.surveys.questions import DEMOGRAPHICS, PREFER_NOT
from wellbeing.surveys.scoring import get_instrument

if TYPE_CHECKING:
    from wellbeing.reports.door import Reading

NORMS_EPSILON = 2.0  # spent by one norms release, from the campaign's budget
MIN_ORGANIZATIONS = 5
NORM_FIELDS = ("role",)  # the breakdown the report shows first
ALL = "all"
KEY_PREFIX = "norms:"
EXPLANATION = (
    "Movement figures pool the respondents of every organization measuring with this"
    " platform (each organization's latest wave with final results). They are released with"
    " differential privacy: random noise of a known size is added to every count and sum, so"
    " no person's answers can be worked out from them, and the 95% interval accounts for that"
    f" noise. A figure is shown only where at least {MIN_ORGANIZATIONS} organizations each"
    " had at least their minimum group size of respondents in the group, and only where the"
    " noise leaves it precise enough to compare with."
)


class NormsRefused(Exception):
    """No norms can be released now (too few organizations); nothing was spent."""


@dataclass(frozen=True)
class Source:
    organization: Organization
    release: Release


@dataclass(frozen=True)
class Norm:
    """One released movement figure (a scale in a group)."""

    scale: str
    group: str
    organizations: int
    mean: float | None
    ci: tuple[float, float] | None
    share: float | None
    share_ci: tuple[float, float] | None
    share_label: str


@dataclass(frozen=True)
class Norms:
    """The latest norms release of one kind of organization (real or synthetic)."""

    release: PrivateRelease
    released_on: date
    organizations: int  # organizations in the release
    cells: dict[tuple[str, str], Norm]

    def get(self, scale: str, group: str = ALL) -> Norm | None:
        return self.cells.get((scale, group))


@dataclass(frozen=True)
class NormsShown:
    """The norms a reader sees beside their report's published figures."""

    norms: Norms
    headline: dict[str, Norm]  # scale key -> the movement's figure
    # field -> [(category label, [norm or None per report scale])], groups with any norm
    groups: dict[str, list[tuple[str, list[Norm | None]]]] = field(default_factory=dict)
    explanation: str = EXPLANATION

    @property
    def released_on(self) -> date:
        return self.norms.released_on


# -- what goes in ---------------------------------------------------------------------------


def pool_name(synthetic: bool) -> str:
    return "synthetic" if synthetic else "real"


def sources(*, synthetic: bool) -> list[Source]:
    """Each organization's latest wave with final results, as its latest final release."""
    finals = (
        Release.objects.filter(
            kind__in=[Release.Kind.CLOSE, Release.Kind.IMPORT],
            wave__survey__organization__is_synthetic=synthetic,
            wave__questionnaire__isnull=True,
        )
        .select_related("wave__survey__organization")
        .defer("data")
        .order_by("-wave__closes_at", "-wave_id", "-number")
    )
    found: dict[int, Source] = {}
    for release in finals:
        org = release.wave.survey.organization
        found.setdefault(org.pk, Source(org, release))
    return sorted(found.values(), key=lambda s: s.organization.pk)


def _state(pool: str, used: list[Source], epsilon: float) -> str:
    """The data's state under the server's secret: the same releases give the same key."""
    text = json.dumps(
        [pool, epsilon, list(NORM_FIELDS), sorted(s.release.key for s in used)], sort_keys=True
    )
    return salted_hmac("reports.norms", text).hexdigest()[:32]


def _band(instrument_id: str, above: dict) -> tuple[str, str] | None:
    """The cut-off whose upper band the report shows as a share (as ``build`` picks it)."""
    for cutoff in get_instrument(instrument_id).cutoffs:
        if cutoff.id in above:
            return cutoff.id, cutoff.bands[1].label
    return None


@dataclass
class _Cell:
    scale: str
    group: str
    minimum: float
    maximum: float
    band_label: str | None
    values: list[np.ndarray] = field(default_factory=list)
    bands: list[np.ndarray] | None = field(default_factory=list)
    min_count: int = 0

    def add(self, values: np.ndarray, band: np.ndarray | None, k: int) -> None:
        self.values.append(values)
        self.min_count += k
        if band is None or self.bands is None:
            self.bands = None  # an organization without the cut-off: no share for the cell
        else:
            self.bands.append(band)


def _groups(data, scored: np.ndarray) -> list[tuple[str, np.ndarray]]:
    out = [(ALL, scored)]
    for name in NORM_FIELDS:
        answers = data.demographics.get(name)
        if answers is None:
            continue
        for key, _label in DEMOGRAPHICS[name].options:
            if key != PREFER_NOT:
                out.append((f"{name}:{key}", scored & (answers == key)))
    return out


def gather(used: list[Source]) -> tuple[list[_Cell], int, int]:
    """Every cell's pooled respondents, and the most cells (and cells with a cut-off) one
    response can enter: every bounded scale of its wave, in the whole group and in one group
    of each breakdown (from the waves' questions, not from who answered)."""
    cells: dict[tuple[str, str], _Cell] = {}
    per_person = bands_per_person = 0
    for source in used:
        data = open_release(source.release).data
        k = max(source.release.min_size, source.organization.effective_min_group_size)
        scales = bands = 0
        for key, column in data.scales.items():
            definition = get_instrument(column.instrument).scale(column.scale)
            lo, hi = definition.minimum, definition.maximum
            if lo is None or hi is None or not hi > lo:
                continue  # no known bounds: no sensitivity, no norm
            band = _band(column.instrument, column.above)
            scales += 1
            bands += band is not None
            scored = ~np.isnan(column.values)
            for group, mask in _groups(data, scored):
                if int(mask.sum()) < k:
                    continue  # too few of this organization's respondents in the group
                cell = cells.setdefault(
                    (key, group), _Cell(key, group, lo, hi, band[1] if band else None)
                )
                above = column.above[band[0]][mask] == 1.0 if band else None
                cell.add(column.values[mask], above, k)
        per_person = max(per_person, scales * (1 + len(NORM_FIELDS)))
        bands_per_person = max(bands_per_person, bands * (1 + len(NORM_FIELDS)))
    return list(cells.values()), per_person, bands_per_person


# -- releasing ------------------------------------------------------------------------------


@transaction.atomic
def release_norms(
    *,
    actor: User | None,
    synthetic: bool = False,
    epsilon: float = NORMS_EPSILON,
    budget: float = CAMPAIGN_BUDGET,
) -> PrivateRelease:
    """Movement norms with epsilon-DP; one release per state of the data (``NormsRefused``
    with too few organizations, ``BudgetSpent`` past the budget: nothing spent either way).

    Called on a staff member's confirmed request (or by the demo): this spends budget."""
    list(PrivateRelease.objects.select_for_update().order_by("-pk")[:1])  # as campaign.py
    pool = pool_name(synthetic)
    used = sources(synthetic=synthetic)
    key = f"{KEY_PREFIX}{_state(pool, used, epsilon)}"
    existing = PrivateRelease.objects.filter(key=key).first()
    if existing is not None:
        return existing
    cells, per_person, bands_per_person = gather(used)
    released = [
        c for c in cells if len(c.values) >= MIN_ORGANIZATIONS and sum(map(len, c.values)) > 0
    ]
    if not released:
        raise NormsRefused(
            f"No movement figure can be released: no scale and group has at least"
            f" {MIN_ORGANIZATIONS} organizations with final results and enough respondents"
            f" ({len(used)} organization{'s' if len(used) != 1 else ''} with final results)."
            " Nothing was spent."
        )
    spent = privacy_spent()
    if spent + epsilon > budget:
        raise BudgetSpent(
            f"The privacy budget is spent: {spent:g} of {budget:g} is used and movement norms"
            f" would need {epsilon:g} more. No new release can be made; the latest one stays."
        )
    result = pure.release_norms(
        [_pure_cell(c) for c in released],
        epsilon=epsilon,
        cells_per_person=per_person,
        bands_per_person=bands_per_person,
        min_count=min(c.min_count for c in released),
    )
    row = PrivateRelease.objects.create(
        key=key,
        what=f"Movement norms ({pool} organizations): means and shares by scale and role",
        epsilon=result.epsilon,
        mechanism=result.mechanism,
        values=_stored(pool, used, released, result),
        created_by=actor,
    )
    audit("reports.norms_release", actor=actor, target=row, epsilon=result.epsilon, pool=pool)
    return row


def _pure_cell(cell: _Cell) -> pure.CellData:
    bands = np.concatenate(cell.bands) if cell.bands is not None else None
    return pure.CellData(
        f"{cell.scale}|{cell.group}",
        cell.minimum,
        cell.maximum,
        np.concatenate(cell.values),
        bands,
        len(cell.values),
    )


def _stored(pool: str, used: list[Source], cells: list[_Cell], result) -> dict[str, Any]:
    """What the release keeps: noisy values and what follows from them, never a true value."""
    rows = []
    for cell, norm in zip(cells, result.cells, strict=True):
        rows.append(
            {
                "scale": cell.scale,
                "group": cell.group,
                "organizations": norm.organizations,
                "count": norm.count,
                "sum": norm.total,
                "band": norm.band,
                "mean": norm.mean,
                "ci": list(norm.ci) if norm.ci else None,
                "share": norm.share,
                "share_ci": list(norm.share_ci) if norm.share_ci else None,
                "share_label": cell.band_label or "",
                "reason": norm.reason,
            }
        )
    return {
        "kind": "norms",
        "pool": pool,
        "organizations": len(used),
        "fields": list(NORM_FIELDS),
        "min_organizations": MIN_ORGANIZATIONS,
        "steps": pure.STEPS,
        "scales": result.scales,
        "sensitivities": result.sensitivities,
        "released_on": timezone.localdate().isoformat(),
        "cells": rows,
        # The campaign page's history table lists "values": a short summary here.
        "values": [f"{sum(r['mean'] is not None for r in rows)} figures"],
    }


# -- reading (spends nothing) -----------------------------------------------------------------


def latest(*, synthetic: bool) -> Norms | None:
    """The latest norms release of real (or synthetic) organizations; None if there is none."""
    pool = pool_name(synthetic)
    for row in PrivateRelease.objects.filter(key__startswith=KEY_PREFIX).order_by(
        "-created_at", "-pk"
    ):
        if row.values.get("pool") == pool:
            return _parsed(row)
    return None


def _parsed(row: PrivateRelease) -> Norms:
    values = row.values
    cells = {}
    for c in values.get("cells", []):
        if c["organizations"] < MIN_ORGANIZATIONS:
            continue
        cells[(c["scale"], c["group"])] = Norm(
            c["scale"],
            c["group"],
            c["organizations"],
            c["mean"],
            tuple(c["ci"]) if c["ci"] else None,
            c["share"],
            tuple(c["share_ci"]) if c["share_ci"] else None,
            c.get("share_label", ""),
        )
    released = values.get("released_on")
    on = date.fromisoformat(released) if released else timezone.localdate(row.created_at)
    return Norms(row, on, int(values.get("organizations", 0)), cells)


def for_reading(read: Reading) -> NormsShown | None:
    """The norms beside the reader's published figures: the organization's headline (readers
    of the whole organization) and its groups by role. None when there is nothing to show."""
    report = read.report
    if report is None or not read.admin or read.top != 0:
        return None
    norms = latest(synthetic=read.organization.is_synthetic)
    if norms is None:
        return None
    headline = {}
    for scale in report.scales:
        norm = norms.get(scale.key)
        if norm is not None and norm.mean is not None and not scale.overall.suppressed:
            headline[scale.key] = _matched(norm, scale.share_label, scale.overall.share)
    groups = {}
    for name in NORM_FIELDS:
        rows = []
        for key, label in report.categories.get(name, []):
            found = []
            for scale in report.scales:
                figure = scale.by_category.get(name, {}).get(key)
                norm = norms.get(scale.key, f"{name}:{key}")
                shown = figure is not None and not figure.suppressed and bool(figure.n)
                ok = shown and norm is not None and norm.mean is not None
                found.append(_matched(norm, scale.share_label, figure.share) if ok else None)
            if any(found):
                rows.append((label, found))
        if rows:
            groups[name] = rows
    if not headline and not groups:
        return None
    return NormsShown(norms, headline, groups)


def _matched(norm: Norm, share_label: str, own_share: float | None) -> Norm:
    """The norm with its share only where the report shows the same share of its own."""
    if own_share is None or norm.share is None or norm.share_label != share_label:
        return Norm(norm.scale, norm.group, norm.organizations, norm.mean, norm.ci, None, None, "")
    return norm
