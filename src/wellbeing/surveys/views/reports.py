"""Confidential report pages and exports. Every figure comes from ``reports.build``."""

import csv
from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from wellbeing.accounts.models import Membership, Unit, User
from wellbeing.accounts.permissions import (
    can_administer,
    get_org_for_user,
    get_unit_for_user,
    units_visible_to,
)
from wellbeing.core.models import audit
from wellbeing.surveys.reports import charts
from wellbeing.surveys.reports.build import Figure, Report, UnitRow, build_report
from wellbeing.surveys.views.manage import _wave

LEAD = Membership.Role.UNIT_LEAD


def _visible_rows(request: HttpRequest, report: Report, org) -> list:
    visible = set(units_visible_to(cast(User, request.user), org).values_list("pk", flat=True))
    return [row for row in report.units if row.unit.pk in visible]


def _page_context(request: HttpRequest, org, wave, report: Report) -> dict:
    user = cast(User, request.user)
    is_admin = can_administer(user, org)
    rows = _visible_rows(request, report, org)
    # Admins read the organization's figures; a unit lead reads the unit they lead.
    top = 0 if is_admin or not rows else rows[0].index
    headline = [
        {
            "scale": s,
            "figure": s.by_unit[top],
            "change": s.unit_changes[top] if s.unit_changes else None,
            "rate_change": s.rate_change if top == 0 else None,
        }
        for s in report.scales
    ]
    return {
        "org": org,
        "wave": wave,
        "survey": wave.survey,
        "report": report,
        "is_admin": is_admin,
        "rows": rows,
        "headline": headline,
        "headline_name": org.name if top == 0 else rows[0].unit.name,
        "top": top,
    }


@login_required
def wave_report(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    org, wave, report = _report_for(request, slug, pk, "report.view")
    context = _page_context(request, org, wave, report)
    context.update(_chart_context(org, wave, report, context))
    return render(request, "surveys/report.html", context)


def _unit_links(org, wave, rows: list[UnitRow]) -> dict[int, str]:
    return {
        row.index: reverse("surveys:wave_report_unit", args=[org.slug, wave.pk, row.unit.pk])
        for row in rows
    }


def _rates(report: Report, index: int) -> list[charts.RateRow]:
    previous = report.previous.name if report.previous else None
    return charts.headline_table(report.scales, index, report.wave.name, previous)


def _breakdowns(
    report: Report, figures: dict[str, list[dict[str, Figure]]], prefix: str
) -> list[dict]:
    """Per demographic field: its labels, the figures per scale and their chart."""
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


def _chart_context(org, wave, report: Report, context: dict) -> dict:
    """Charts of the report page, drawn from the same published figures as its tables."""
    rows, top = context["rows"], context["top"]
    previous = report.previous.name if report.previous else None
    rates, links = _rates(report, top), _unit_links(org, wave, rows)
    by_category = {
        name: [s.by_category.get(name, {}) for s in report.scales] for name in report.categories
    }
    return {
        "rates": rates,
        "rates_chart": charts.headline_chart(rates, wave.name, previous, id="chart-rates"),
        "heatmap_chart": charts.heatmap_chart(report.scales, rows, links, id="chart-heatmap"),
        "unit_links": links,
        "breakdowns": _breakdowns(report, by_category, "chart-group")
        if context["is_admin"]
        else [],
    }


def _cells(figure: Figure) -> list[object]:
    if figure.suppressed:
        return ["", "", "", "", "", "", "", figure.reason]
    ci = figure.ci or (None, None)
    share_ci = figure.share_ci or (None, None)
    return [figure.n, figure.mean, ci[0], ci[1], figure.share, share_ci[0], share_ci[1], ""]


def _aggregate_rows(request: HttpRequest, org, wave, report: Report) -> list[list[object]]:
    """The allowed aggregates in long format: one row per group x scale x wave."""
    admin = can_administer(cast(User, request.user), org)
    rows = _visible_rows(request, report, org)
    out: list[list[object]] = []
    for scale in report.scales:
        if admin:
            out.append([wave.name, "organization", org.name, scale.key, *_cells(scale.overall)])
        for row in rows:
            out.append(
                [wave.name, "unit", row.unit.name, scale.key, *_cells(scale.by_unit[row.index])]
            )
        if admin:
            for field, figures in scale.by_category.items():
                for category, figure in figures.items():
                    out.append([wave.name, field, category, scale.key, *_cells(figure)])
    return out


HEADER = [
    "wave",
    "group_type",
    "group",
    "scale",
    "n",
    "mean",
    "mean_ci_low",
    "mean_ci_high",
    "share",
    "share_ci_low",
    "share_ci_high",
    "suppressed_reason",
]


def _report_for(request: HttpRequest, slug: str, pk: int, verb: str):
    user = cast(User, request.user)
    org = get_org_for_user(user, slug, min_role=LEAD)
    wave = _wave(org, pk)
    report = build_report(wave)
    audit(verb, actor=user, target=wave, organization=org)
    return org, wave, report


@login_required
def wave_report_csv(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    org, wave, report = _report_for(request, slug, pk, "report.export_csv")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="wave-{wave.pk}-report.csv"'
    writer = csv.writer(response)
    writer.writerow(HEADER)
    writer.writerows(_aggregate_rows(request, org, wave, report))
    return response


@login_required
def wave_report_xlsx(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    from openpyxl import Workbook

    org, wave, report = _report_for(request, slug, pk, "report.export_xlsx")
    book = Workbook()
    sheet = book.active
    sheet.title = "allowed figures"
    sheet.append(HEADER)
    for row in _aggregate_rows(request, org, wave, report):
        sheet.append(row)
    response = HttpResponse(
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="wave-{wave.pk}-report.xlsx"'
    book.save(response)
    return response


@login_required
def wave_report_pdf(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A board-ready PDF of the same figures as the page (WeasyPrint)."""
    from weasyprint import HTML

    org, wave, report = _report_for(request, slug, pk, "report.export_pdf")
    context = _page_context(request, org, wave, report)
    context.update(_chart_context(org, wave, report, context))
    context.update(_pdf_images(context))
    html = render(request, "surveys/report_pdf.html", context).content.decode()
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="wave-{wave.pk}-report.pdf"'
    return response


# A heat map taller than this would not fit a page; the PDF then keeps the table alone.
PDF_HEATMAP_MAX_UNITS = 40


def _pdf_images(context: dict) -> dict:
    """The charts as SVG data URIs for WeasyPrint (vl-convert renders them without a browser)."""
    heatmap = context["heatmap_chart"]
    if heatmap is not None and len(context["rows"]) > PDF_HEATMAP_MAX_UNITS:
        heatmap = None
    rates = context["rates_chart"]
    return {
        "rates_svg": rates.svg_data_uri() if rates else None,
        "heatmap_svg": heatmap.svg_data_uri() if heatmap else None,
        "breakdowns": [
            {**b, "svg": b["chart"].svg_data_uri() if b["chart"] else None}
            for b in context["breakdowns"]
        ],
    }


def _unit_report_for(request: HttpRequest, slug: str, pk: int, unit_pk: int):
    """The report of the unit's wave, if the user may read that unit (everyone else: 404)."""
    user = cast(User, request.user)
    org = get_org_for_user(user, slug, min_role=LEAD)
    unit = get_unit_for_user(user, org, unit_pk)
    wave = _wave(org, pk)
    report = build_report(wave)
    audit("report.view_unit", actor=user, target=wave, organization=org, unit=unit.pk)
    return org, wave, unit, report


@login_required
def wave_report_unit(request: HttpRequest, slug: str, pk: int, unit_pk: int) -> HttpResponse:
    """One unit of the report: its figures, its children and its respondent groups."""
    org, wave, unit, report = _unit_report_for(request, slug, pk, unit_pk)
    return render(request, "surveys/report_unit.html", _unit_context(org, wave, unit, report))


def _unit_context(org, wave, unit: Unit, report: Report) -> dict:
    (row,) = [r for r in report.units if r.unit.pk == unit.pk]
    children = [r for r in report.units if r.unit.parent_id == unit.pk]
    index, previous = row.index, report.previous.name if report.previous else None
    labels = charts.scale_labels(report.scales)
    figures = [
        {
            "scale": s,
            "label": labels[s.key],
            "figure": s.by_unit[index],
            "change": s.unit_changes[index] if s.unit_changes else None,
        }
        for s in report.scales
    ]
    rates = _rates(report, index)
    inside = [s.by_category_in(index) for s in report.scales]
    by_category = {name: [f.get(name, {}) for f in inside] for name in report.categories}
    rows, links = [row, *children], _unit_links(org, wave, children)
    return {
        "org": org,
        "wave": wave,
        "survey": wave.survey,
        "report": report,
        "unit": unit,
        "row": row,
        "rows": rows,
        "figures": figures,
        "rates": rates,
        "rates_chart": charts.headline_chart(rates, wave.name, previous, id="chart-rates"),
        "heatmap_chart": charts.heatmap_chart(report.scales, rows, links, id="chart-heatmap"),
        "unit_links": links,
        "breakdowns": _breakdowns(report, by_category, "chart-group"),
    }
