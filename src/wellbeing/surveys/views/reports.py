"""Confidential report pages and exports. Every figure comes from ``reports.build``."""

import csv
from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from wellbeing.accounts.models import Membership, User
from wellbeing.accounts.permissions import can_administer, get_org_for_user, units_visible_to
from wellbeing.core.models import audit
from wellbeing.surveys.reports.build import Figure, Report, build_report
from wellbeing.surveys.reports.drivers import drivers_section
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
        # Organization-wide drivers for admins only; a lead reads the subtree they lead.
        "drivers": drivers_section(report, top, org.name if top == 0 else rows[0].unit.name)
        if is_admin or rows
        else None,
    }


@login_required
def wave_report(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    org, wave, report = _report_for(request, slug, pk, "report.view")
    return render(request, "surveys/report.html", _page_context(request, org, wave, report))


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
    html = render(request, "surveys/report_pdf.html", context).content.decode()
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="wave-{wave.pk}-report.pdf"'
    return response
