"""The reports door: the only way a figure about a wave's respondents reaches anyone.

Pages, exports, the API, the wave page's counts, campaign metrics and questionnaire
results all call these functions; none computes or suppresses a figure itself.

Reading:

- ``reading(user, organization, wave)``: the wave's latest release as ``user`` may read it
  (admins, and campaign staff under the organization's support grant: the organization's
  figures, groups and comments; a unit lead: the subtree they lead; staff without a
  grant: nothing). Never live data: a release is published when the wave closes, after
  an import, or on an admin's request while it is open (``releases``).
- ``counts(user, organization, wave)``: responses and response rates per unit. From the
  latest release once the wave no longer collects; while it is open, live counts rounded
  down to a multiple of the minimum group size, which say how fielding goes and reveal no
  score and no exact count of anyone.
- ``records(organization, wave, include_comments)``: the k-anonymous record export of a
  closed wave's final release (``records``).
- ``overall_figures(wave)``: the organization-wide figure of each scale in the wave's
  final release (campaign metrics).
- ``questionnaire_results(questionnaire)``: a network questionnaire's topline results.
- ``campaign_aggregates()``: the campaign-wide releases with differential privacy made so
  far and the privacy budget left (staff); reading spends nothing.
- ``norms(read)``: the movement's figures (differential privacy, ``norms``) beside the
  published figures of a reading; ``latest_norms(synthetic)``: the latest norms release of
  real (or synthetic) organizations. Reading spends nothing.

Writing: ``publish_interim(user, organization, wave)`` (an admin's request),
``publish_final(wave)`` (at close and after imports, through ``tasks``) and
``release_campaign_aggregates(actor)`` and ``release_norms(actor)`` (a staff member's
confirmed request; spend budget).
"""

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from wellbeing.accounts.models import Organization, Unit, User
from wellbeing.accounts.permissions import (
    AnyUser,
    can_administer,
    is_org_admin,
    is_staff,
    membership_for,
)
from wellbeing.reports import releases
from wellbeing.reports.access import may_publish, reads_whole_organization
from wellbeing.reports.build import Figure, Report, UnitRow, report_of
from wellbeing.reports.drivers import DriversSection, drivers_section
from wellbeing.reports.models import Release
from wellbeing.reports.records import ExportRefused, RecordExport
from wellbeing.reports.releases import PLAN_RESPONSES, ReleaseRefused
from wellbeing.reports.tree import Tree, current
from wellbeing.surveys.models import Wave, WaveTarget
from wellbeing.surveys.queries import collected_by_unit

__all__ = [
    "CountRow",
    "Counts",
    "ExportRefused",
    "Reading",
    "ReleaseRefused",
    "campaign_aggregates",
    "counts",
    "latest_norms",
    "norms",
    "overall_figures",
    "publish_final",
    "publish_interim",
    "questionnaire_results",
    "reading",
    "records",
    "release_campaign_aggregates",
    "release_norms",
]


@dataclass(frozen=True)
class Reading:
    """One reader's view of the wave's latest release (``report`` None: nothing published)."""

    organization: Organization
    wave: Wave
    report: Report | None
    admin: bool  # the organization's own figures, its respondent groups and the comments
    rows: list[UnitRow] = field(default_factory=list)  # the units the reader may read
    top: int = 0  # tree index of the reader's headline: 0 for the organization
    note: str = ""  # why a published release shows this reader nothing

    @property
    def release(self) -> Release | None:
        return self.report.release if self.report else None

    @property
    def headline_name(self) -> str:
        return self.organization.name if self.top == 0 or not self.rows else self.rows[0].unit.name

    def headline(self, index: int | None = None) -> list[dict[str, Any]]:
        """Each scale's figure (and change) for ``index`` (default: the reader's top)."""
        if self.report is None:
            return []
        at = self.top if index is None else index
        return [
            {
                "scale": s,
                "figure": s.by_unit[at],
                "change": s.unit_changes[at] if s.unit_changes else None,
                "rate_change": s.rate_change if at == 0 else None,
            }
            for s in self.report.scales
        ]

    def rows_under(self, unit_pk: int) -> list[UnitRow] | None:
        """The reader's rows in the subtree of ``unit_pk``; None if they may not read it."""
        start = next((r for r in self.rows if r.unit.pk == unit_pk), None)
        if start is None or self.report is None:
            return None
        inside = set(self.report.frozen.tree.subtree(start.index).tolist())
        return [r for r in self.rows if r.index in inside]

    def drivers(self, index: int | None = None) -> DriversSection | None:
        """Key drivers of the reader's top (or of ``index``, one of their units)."""
        if self.report is None or (not self.admin and not self.rows):
            return None
        at = self.top if index is None else index
        name = (
            self.organization.name
            if at == 0
            else next(r.unit.name for r in self.rows if r.index == at)
        )
        return drivers_section(self.report, at, name)


def reading(user: AnyUser, organization: Organization, wave: Wave) -> Reading:
    """The wave's latest release as ``user`` may read it. The caller has checked that the
    user holds at least the unit-lead role in ``organization`` (``accounts.permissions``)
    or an active support grant (``reports.access``); anyone else reads nothing."""
    report = _report(wave)
    admin = reads_whole_organization(user, organization)
    if report is None:
        return Reading(organization, wave, None, admin)
    if admin:
        return Reading(organization, wave, report, True, list(report.units), 0)
    led = _led_unit(user, organization)
    top = next((r for r in report.units if r.unit.pk == led), None)
    if top is None:
        # Interim results stop at the top-level units (or the unit is newer than the
        # results): a lead below them reads nothing, never the organization's figures.
        note = (
            "Interim results show the organization's top-level units only: the units you "
            "lead are in the final results, published when the wave closes."
            if not report.release.final
            else "The units you lead are not in these results (they were added after them)."
        )
        return Reading(organization, wave, None, False, [], 0, note)
    inside = set(report.frozen.tree.subtree(top.index).tolist())
    rows = [r for r in report.units if r.index in inside]
    return Reading(organization, wave, report, False, rows, top.index)


def _led_unit(user: AnyUser, organization: Organization) -> int | None:
    membership = membership_for(user, organization)
    if membership is None or membership.role != membership.Role.UNIT_LEAD:
        return None
    return membership.unit_id


def _report(wave: Wave) -> Report | None:
    from wellbeing.reports.build import previous_wave

    before = previous_wave(wave)
    if before is not None:
        _current(before)  # the change since the previous wave needs its final results
    release = _current(wave)
    return None if release is None else report_of(release)


def _current(wave: Wave) -> Release | None:
    """The wave's latest release, brought up to date first: a closed (or imported) wave with
    responses no release covers yet (the close's task has not run, or a response committed
    after it) is published now, and results planned with a smaller minimum group size than
    the organization's are planned again with it (against every earlier release)."""
    if releases.needs_final(wave):
        releases.publish_final(wave)
    release = releases.latest(wave)
    k = wave.survey.organization.effective_min_group_size
    if release is not None and release.min_size < k:
        try:
            release = releases.publish(wave, kind=release.kind, again=True)
        except ReleaseRefused:  # published by another request at the same moment
            release = releases.latest(wave)
    return release


def publish_interim(user: User, organization: Organization, wave: Wave) -> Release:
    """An admin publishes the results so far of an open wave; ``ReleaseRefused`` says why not."""
    if not may_publish(user, organization) or wave.survey.organization_id != organization.pk:
        raise ReleaseRefused("Only the organization's admins publish results.")
    return releases.publish_interim(wave, actor=user)


def publish_campaign_interim(user: User, wave: Wave) -> Release:
    """Campaign staff publish the results so far of a wave the campaign fields itself (a
    network questionnaire: the engage app checks the wave is one). Staff publish no
    organization's results; publishing shows nothing, a release is read through the pages."""
    if not is_staff(user):
        raise ReleaseRefused(
            "Only campaign staff publish the results of the campaign's questionnaires."
        )
    return releases.publish_interim(wave, actor=user)


def publish_final(wave: Wave) -> Release | None:
    return releases.publish_final(wave)


def overall_figures(wave: Wave) -> dict[str, Figure] | None:
    """Each scale's organization-wide figure in the wave's final release (None: none yet)."""
    report = _report(wave)
    if report is None or not report.release.final:
        return None
    return {scale.key: scale.overall for scale in report.scales}


# -- response counts -----------------------------------------------------------------------


@dataclass(frozen=True)
class CountRow:
    unit: Unit
    depth: int
    value: int | None  # the exact count, from a release; None when hidden or live
    at_least: int | None  # live: rounded down to a multiple of the minimum group size
    reason: str
    headcount: int | None  # the unit and every unit under it
    rate: int | None  # percent of the headcount; live: at least this

    @property
    def suppressed(self) -> bool:
        return self.value is None and self.at_least is None


@dataclass(frozen=True)
class Counts:
    wave: Wave
    min_size: int
    live: bool  # True: an open wave's rounded counts; False: the release's
    release: Release | None
    rows: list[CountRow]
    admin: bool
    total: CountRow | None = None  # the whole organization (admins)


def counts(user: AnyUser, organization: Organization, wave: Wave) -> Counts:
    """Responses per unit the user may read (see the module docstring)."""
    k = organization.effective_min_group_size
    if wave.status == Wave.Status.OPEN and wave.collects:
        return _live(user, organization, wave, k)
    read = reading(user, organization, wave)
    if read.report is None:
        return Counts(wave, k, False, None, [], read.admin)
    plan = read.report.plan(PLAN_RESPONSES)
    t = read.report.frozen.tree
    heads = _headcounts(wave, t)
    rows = [_exact(plan.total(r.index), r.unit, r.depth, heads[r.index]) for r in read.rows]
    org_unit = Unit(pk=None, name=organization.name)
    total = _exact(plan.total(0), org_unit, 0, heads[0]) if read.admin else None
    return Counts(wave, k, False, read.release, rows, read.admin, total)


def _exact(cell, unit: Unit, depth: int, headcount: int | None) -> CountRow:
    rate = round(100 * cell.value / headcount) if cell.value is not None and headcount else None
    return CountRow(unit, depth, cell.value, None, cell.reason, headcount, rate)


def _headcounts(wave: Wave, t: Tree) -> list[int | None]:
    """Each unit's headcount with every unit under it (the headcounts given for the wave;
    a unit without one, such as a department whose staff all sit in its teams, adds
    nothing); None where none is given."""
    given = dict(WaveTarget.objects.filter(wave=wave).values_list("unit_id", "headcount"))
    own = np.asarray([given.get(int(u), 0) for u in t.unit_ids.tolist()], dtype=np.int64)
    own[0] = 0  # the organization itself has no headcount of its own
    sums = t.units.rollup(own)
    return [int(s) if s else None for s in sums.tolist()]


def _live(user: AnyUser, organization: Organization, wave: Wave, k: int) -> Counts:
    t = current(organization)
    admin = can_administer(user, organization)
    own = collected_by_unit(wave)
    direct = np.zeros(t.size, dtype=np.int64)
    for unit_id, n in own.items():
        direct[t.codes(np.asarray([-1 if unit_id is None else unit_id]))[0]] += n
    totals = t.units.rollup(direct)
    heads = _headcounts(wave, t)
    reason = f"fewer than {k} so far"
    visible = _visible_now(user, organization, t, admin)
    rows = []
    units = {u.pk: u for u in Unit.objects.filter(organization=organization)}
    for index in range(1, t.size):
        uid = int(t.unit_ids[index])
        if uid in visible and uid in units:
            rows.append(
                _rounded(
                    int(totals[index]), k, units[uid], t.depth(index) - 1, heads[index], reason
                )
            )
    total = (
        _rounded(int(totals[0]), k, Unit(pk=None, name=organization.name), 0, heads[0], reason)
        if admin
        else None
    )
    return Counts(wave, k, True, releases.latest(wave), rows, admin, total)


def _visible_now(user: AnyUser, organization: Organization, t: Tree, admin: bool) -> set[int]:
    """Units of today's tree the user may read: all for admins, the led subtree for a lead."""
    if admin:
        return {int(u) for u in t.unit_ids[1:].tolist()}
    led = _led_unit(user, organization)
    where = t.position().get(led) if led is not None else None
    if where is None:
        return set()
    return {int(t.unit_ids[i]) for i in t.subtree(where).tolist()}


def _rounded(
    n: int, k: int, unit: Unit, depth: int, headcount: int | None, reason: str
) -> CountRow:
    floor = (n // k) * k
    if floor == 0:
        return CountRow(unit, depth, None, None, reason, headcount, None)
    rate = (100 * floor) // headcount if headcount else None
    return CountRow(unit, depth, None, floor, "", headcount, rate)


# -- other readers ---------------------------------------------------------------------------


def questionnaire_results(questionnaire: Any) -> Any:
    """A network questionnaire's topline results, from its wave's latest release."""
    from wellbeing.reports.questionnaires import build_results

    return build_results(questionnaire, _current(questionnaire.wave))


def campaign_aggregates() -> Any:
    """The campaign-wide releases made so far and the budget left; spends nothing."""
    from wellbeing.reports.campaign import ledger

    return ledger()


def release_campaign_aggregates(actor: User) -> Any:
    """A new release of the campaign-wide counts with differential privacy, on a staff
    member's confirmed request (``BudgetSpent`` past the budget)."""
    from wellbeing.reports import campaign

    return campaign.release_campaign_aggregates(actor=actor)


def norms(read: Reading) -> Any:
    """The movement norms beside ``read``'s published figures (``norms.NormsShown``); None
    when no norms release exists or nothing of it matches a published figure."""
    from wellbeing.reports.norms import for_reading

    return for_reading(read)


def latest_norms(*, synthetic: bool = False) -> Any:
    """The latest movement norms release of real (or synthetic) organizations, or None."""
    from wellbeing.reports.norms import latest

    return latest(synthetic=synthetic)


def release_norms(actor: User | None, *, synthetic: bool = False) -> Any:
    """A new release of the movement norms, on a staff member's confirmed request
    (``norms.NormsRefused`` with too few organizations, ``BudgetSpent`` past the budget)."""
    from wellbeing.reports import norms as movement

    return movement.release_norms(actor=actor, synthetic=synthetic)


# -- the record export -----------------------------------------------------------------------


def records(
    user: AnyUser, organization: Organization, wave: Wave, *, include_comments: bool = False
) -> RecordExport:
    """The k-anonymous rows of a closed wave's final release, for its admins
    (``ExportRefused`` says why there is no file). The caller checked the admin role; a
    support grant, which opens the report pages, never opens this file."""
    from wellbeing.reports.records import build_records

    if not is_org_admin(user, organization):
        raise ExportRefused("Only the organization's admins export its responses.")

    if wave.status == Wave.Status.OPEN and wave.collects:
        raise ExportRefused(
            "Responses are exported once the wave has closed, from its final results: a file"
            " taken while people are still answering would differ from the next by a few people."
        )
    read = reading(user, organization, wave)
    if read.report is None or not read.report.release.final:
        raise ExportRefused(
            "No final results of this wave are published: there is nothing to export."
        )
    return build_records(read.report, include_comments=include_comments)


def long_rows(read: Reading) -> list[Any]:
    """The reader's figures in long format (``reports.longformat``, docs/api.md)."""
    from wellbeing.reports.longformat import rows_for_reader

    return rows_for_reader(read)


def long_csv(rows: list[Any]) -> str:
    from wellbeing.reports.longformat import to_csv

    return to_csv(rows)


def latest_report(wave: Wave) -> Report | None:
    """The wave's latest results with every figure they publish, for no reader in
    particular: the platform's own use (tests, benchmarks), never a page or an export."""
    return _report(wave)


def measures_for_factor(slug: str) -> list[tuple[str, str]]:
    """(measure, rationale) of each report measure the driver map ties to model factor ``slug``.

    The map is the platform's editorial judgement, not respondent data, so the Plan's
    public pages may show it: the plan app reads it here, its one way into reports.
    """
    import instruments
    from wellbeing.reports.drivers import driver_map

    found = []
    for mapped in driver_map().scales:
        if mapped.factor == slug:
            instrument_id, scale_id = mapped.scale.split(".", 1)
            instrument = instruments.get(instrument_id)
            scale = next(s for s in instrument.scales if s.id == scale_id)
            found.append((f"{instrument.name}: {scale.name}", mapped.rationale))
    return found
