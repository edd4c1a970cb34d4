"""The confidential report's pages: the report with its filters, a unit's page, and the
admin's "publish interim results" button. Every figure comes through ``reports.door``."""

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from wellbeing.accounts.models import Membership, Organization, User
from wellbeing.accounts.permissions import get_org_for_user, is_org_admin
from wellbeing.core.models import audit
from wellbeing.reports import charts, door, wording
from wellbeing.reports.access import get_org_for_report_reader, get_unit_for_report_reader
from wellbeing.reports.build import Figure, Report, UnitRow
from wellbeing.reports.kept import Kept
from wellbeing.surveys.models import Wave
from wellbeing.surveys.queries import wave_for_org


def reader(request: HttpRequest, slug: str, pk: int, verb: str, **detail: object) -> door.Reading:
    """The wave's latest release as the signed-in user may read it (404 to anyone else).

    Every read is audited; a read under a support grant names the grant, so the
    organization's admins see what their support contact opened."""
    user = cast(User, request.user)
    access = get_org_for_report_reader(user, slug)
    org = access.organization
    wave = wave_for_org(org, pk)
    read = door.reading(user, org, wave)
    release = read.release
    detail["release"] = release.number if release else 0
    if access.grant is not None:
        detail["support_access"] = access.grant.pk
    # A read of an interim release at a moment would date that release (and the count of
    # responses it holds) to the minute: those reads keep the day only.
    interim = release is not None and not release.final
    audit(verb, actor=user, target=wave, organization=org, day_only=interim, **detail)
    return read


def base_context(request: HttpRequest, read: door.Reading) -> dict:
    wave = read.wave
    # Staff under a support grant read what the admins read, but act on nothing.
    admin = is_org_admin(request.user, read.organization)
    return {
        "org": read.organization,
        "wave": wave,
        "survey": wave.survey,
        "reading": read,
        "report": read.report,
        "release": read.release,
        "is_admin": read.admin,
        "rows": read.rows,
        "headline": read.headline(),
        "headline_name": read.headline_name,
        "drivers": read.drivers(),
        "top": read.top,
        "can_publish": admin and wave.collects and wave.accepting_responses(),
        "support": read.admin and not admin,
        # The movement's figures beside the organization's own (None: nothing to show).
        "norms": door.norms(read) if read.report is not None else None,
    }


@login_required
def wave_report(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    read = reader(request, slug, pk, "report.view")
    context = base_context(request, read)
    if read.report is None:
        return render(request, "reports/report_pending.html", context)
    status = 200
    try:
        context.update(_filters(request, read))
    except FilterError as error:
        context["filter_error"] = str(error)
        status = 400
    context.update(chart_context(read, context))
    context.update(words_context(cast(Report, read.report), context["headline"]))
    return render(request, "reports/report.html", context, status=status)


def words_context(report: Report, headline: list[dict]) -> dict:
    """The headline cards in words (instrument, range, better or worse) and the method note."""
    previous = report.previous.name if report.previous else None
    return {
        "cards": wording.headline_cards(headline, previous),
        "unbounded": wording.unbounded_measures(report.scales),
    }


class FilterError(ValueError):
    """A report filter that names no unit or field of this report."""


def _filters(request: HttpRequest, read: door.Reading) -> dict:
    """Report filters: a unit's subtree and one demographic field to break it down by.

    Both only select figures of the release (the same cells the CSV and the category tables
    draw from), so no filter publishes a new figure.
    """
    report = cast(Report, read.report)
    user = cast(User, request.user)
    # The record export is made of a wave's final results only (records.py).
    final = report.release.final
    extra: dict = {"can_export_raw": final and is_org_admin(user, read.organization), "by": ""}
    extra.update(fields=list(report.categories), rows_all=read.rows, filter_unit=None)
    raw_unit, by = request.GET.get("unit", ""), request.GET.get("by", "")
    if by and by not in report.categories:
        raise FilterError(f"Break down by: expected one of {', '.join(report.categories)}.")
    rows = read.rows
    if raw_unit:
        if not raw_unit.isdigit():
            raise FilterError("Unit: expected a unit of this organization.")
        unit = get_unit_for_report_reader(user, read.organization, int(raw_unit))  # 404 outside
        under = read.rows_under(unit.pk)
        if not under:
            raise FilterError("Unit: this unit has no figures in this release.")
        rows, top = under, under[0].index
        extra.update(filter_unit=unit, rows=rows, headline_name=unit.name, top=top)
        extra["headline"] = read.headline(top)
    if by:
        extra["by"] = by
        groups = [(r.index, r.unit.name) for r in rows]
        if not raw_unit and read.admin:
            groups.insert(0, (0, read.organization.name))
        extra["breakdown"] = [
            {
                "name": name,
                "label": label,
                "figures": [s.unit_category(by, index, key) for s in report.scales],
            }
            for index, name in groups
            for key, label in report.categories[by]
        ]
    return extra


def unit_links(org: Organization, wave: Wave, rows: list[UnitRow]) -> dict[int, str]:
    return {
        row.index: reverse("reports:wave_report_unit", args=[org.slug, wave.pk, row.unit.pk])
        for row in rows
    }


def _rates(report: Report, index: int) -> list[charts.RateRow]:
    previous = report.previous.name if report.previous else None
    return charts.headline_table(report.scales, index, report.wave.name, previous)


BREAKDOWNS_KEPT = 32  # per process: a release's charts never change, and Altair is slow
_BREAKDOWNS: Kept[list[dict]] = Kept(BREAKDOWNS_KEPT)


def _breakdowns(
    report: Report, figures: dict[str, list[dict[str, Figure]]], prefix: str, scope: int
) -> list[dict]:
    """Per demographic field: its labels, the figures per scale and their chart (``scope``:
    the tree index whose groups these are), kept in this process per release."""
    key = (report.release.key, prefix, scope)
    return _BREAKDOWNS.get(key, lambda: _draw_breakdowns(report, figures, prefix))


def _draw_breakdowns(
    report: Report, figures: dict[str, list[dict[str, Figure]]], prefix: str
) -> list[dict]:
    out = []
    for number, (name, labels) in enumerate(report.categories.items(), start=1):
        columns = figures[name]
        title = name.replace("_", " ")
        chart = charts.breakdown_chart(
            report.scales, columns, labels, title, id=f"{prefix}-{number}"
        )
        out.append(
            {"field": name, "title": title, "labels": labels, "columns": columns, "chart": chart}
        )
    return out


def chart_context(read: door.Reading, context: dict) -> dict:
    """Charts of the report page, drawn from the same published figures as its tables."""
    report = cast(Report, read.report)
    rows, top = context["rows"], context["top"]
    previous = report.previous.name if report.previous else None
    rates, links = _rates(report, top), unit_links(read.organization, read.wave, rows)
    by_category = {
        name: [s.by_category.get(name, {}) for s in report.scales] for name in report.categories
    }
    return {
        "rates": rates,
        "rates_chart": charts.headline_chart(rates, read.wave.name, previous, id="chart-rates"),
        "heatmap_chart": charts.heatmap_chart(report.scales, rows, links, id="chart-heatmap"),
        "unit_links": links,
        # Tables name scales as the charts do (an instrument's abbreviation): wide tables
        # of full names would be mostly header.
        "scale_labels": charts.short_scale_labels(report.scales),
        "breakdowns": _breakdowns(report, by_category, "chart-group", 0) if read.admin else [],
    }


@login_required
def wave_report_unit(request: HttpRequest, slug: str, pk: int, unit_pk: int) -> HttpResponse:
    """One unit of the report: its figures, its child units and its respondent groups."""
    user = cast(User, request.user)
    access = get_org_for_report_reader(user, slug)
    unit = get_unit_for_report_reader(user, access.organization, unit_pk)
    read = reader(request, slug, pk, "report.view_unit", unit=unit.pk)
    under = read.rows_under(unit.pk)
    if read.report is None or not under:
        context = base_context(request, read)
        context["unit"] = unit
        return render(
            request, "reports/report_pending.html", context, status=404 if read.report else 200
        )
    context = _unit_context(read, unit, under)
    context["support"] = access.support
    return render(request, "reports/report_unit.html", context)


def _unit_context(read: door.Reading, unit, under: list[UnitRow]) -> dict:
    report = cast(Report, read.report)
    row = under[0]
    children = [r for r in under if int(report.frozen.tree.parents[r.index]) == row.index]
    index, previous = row.index, report.previous.name if report.previous else None
    rates = _rates(report, index)
    words = words_context(report, read.headline(index))
    inside = [s.by_category_in(index) for s in report.scales]
    by_category = {name: [f.get(name, {}) for f in inside] for name in report.categories}
    rows, links = [row, *children], unit_links(read.organization, read.wave, children)
    return {
        "org": read.organization,
        "wave": read.wave,
        "survey": read.wave.survey,
        "report": report,
        "release": report.release,
        "unit": unit,
        "row": row,
        "rows": rows,
        "figures": words["cards"],
        "unbounded": words["unbounded"],
        "rates": rates,
        "rates_chart": charts.headline_chart(rates, read.wave.name, previous, id="chart-rates"),
        "heatmap_chart": charts.heatmap_chart(report.scales, rows, links, id="chart-heatmap"),
        "unit_links": links,
        "scale_labels": charts.short_scale_labels(report.scales),
        "breakdowns": _breakdowns(report, by_category, "chart-group", index),
    }


@login_required
@require_POST
def publish_interim(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """An admin publishes the results so far of an open wave."""
    user = cast(User, request.user)
    org = get_org_for_user(user, slug, min_role=Membership.Role.ORG_ADMIN)
    wave = wave_for_org(org, pk)
    try:
        release = door.publish_interim(user, org, wave)
    except door.ReleaseRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"Interim results published: release {release.number}.")
    return redirect("reports:wave_report", org.slug, wave.pk)
