"""Confidential report pages and exports. Every figure comes from ``reports.build``."""

import csv
import io
import zipfile
from collections.abc import Sequence
from typing import cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from analysis.private import noisy_share
from wellbeing.accounts.models import Membership, Unit, User
from wellbeing.accounts.permissions import (
    can_administer,
    get_org_for_user,
    get_unit_for_user,
    is_staff,
    membership_for,
    units_visible_to,
)
from wellbeing.core.models import audit
from wellbeing.surveys.actions import (
    CAMPAIGN_BUDGET,
    BudgetSpent,
    privacy_spent,
    release_campaign_aggregates,
)
from wellbeing.surveys.models import PrivateRelease
from wellbeing.surveys.reports import charts
from wellbeing.surveys.reports.build import (
    COMMENT_THRESHOLD,
    Figure,
    Report,
    UnitRow,
    build_report,
)
from wellbeing.surveys.reports.drivers import drivers_section
from wellbeing.surveys.reports.raw import ExportRefused, RawExport, build_raw_export
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
        "top": top,
    }


@login_required
def wave_report(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    org, wave, report = _report_for(request, slug, pk, "report.view")
    context = _page_context(request, org, wave, report)
    status = 200
    try:
        context.update(_filters(request, org, report, context))
    except FilterError as error:
        context["filter_error"] = str(error)
        status = 400
    context.update(_chart_context(org, wave, report, context))
    return render(request, "surveys/report.html", context, status=status)


class FilterError(ValueError):
    """A report filter that names no unit or field of this report."""


def _filters(request: HttpRequest, org, report: Report, context: dict) -> dict:
    """Report filters: a unit's subtree and one demographic field to break it down by.

    Both only select figures of the report's one disclosure plan (the same cells the
    CSV and the category tables draw from), so no filter publishes a new figure.
    """
    user = cast(User, request.user)
    extra: dict = {"can_export_raw": _is_org_admin(user, org), "by": "", "filter_unit": None}
    extra["fields"] = list(report.categories)
    extra["rows_all"] = context["rows"]
    raw_unit, by = request.GET.get("unit", ""), request.GET.get("by", "")
    if by and by not in report.categories:
        raise FilterError(f"Break down by: expected one of {', '.join(report.categories)}.")
    rows = context["rows"]
    if raw_unit:
        if not raw_unit.isdigit():
            raise FilterError("Unit: expected a unit of this organization.")
        unit = get_unit_for_user(user, org, int(raw_unit))  # 404 outside the visible units
        rows = [r for r in rows if r.unit.path.startswith(unit.path)]
        top = rows[0].index
        extra.update(filter_unit=unit, rows=rows, headline_name=unit.name, top=top)
        extra["headline"] = [
            {"scale": s, "figure": s.by_unit[top], "change": _at(s.unit_changes, top)}
            for s in report.scales
        ]
    if by:
        extra["by"] = by
        groups = [(r.index, r.unit.name) for r in rows]
        if not raw_unit and context["is_admin"]:
            groups.insert(0, (0, org.name))
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


def _at(changes: list | None, index: int):
    return changes[index] if changes else None


def _is_org_admin(user: User, org) -> bool:
    membership = membership_for(user, org)
    return membership is not None and membership.role == Membership.Role.ORG_ADMIN


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


# --- The k-anonymised record export (org admins only) ---------------------------------------


class RawExportForm(forms.Form):
    format = forms.ChoiceField(
        choices=[("csv", "CSV"), ("xlsx", "XLSX")], widget=forms.RadioSelect, label="File format"
    )
    include_comments = forms.BooleanField(required=False, label="Include the comments")
    confirm = forms.BooleanField(
        label="I understand what the file contains and will keep it confidential",
        error_messages={"required": "Tick the box to confirm before downloading."},
    )


def _admin_org(request: HttpRequest, slug: str):
    """The organization if the user is its admin; campaign staff without that role get 404 too."""
    user = cast(User, request.user)
    org = get_org_for_user(user, slug, min_role=Membership.Role.ORG_ADMIN)
    if not _is_org_admin(user, org):
        raise Http404("No such organization.")
    return org


@login_required
def wave_raw_export(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    org = _admin_org(request, slug)
    wave = _wave(org, pk)
    form = RawExportForm(request.POST or None, initial={"format": "csv"})
    context = {"org": org, "wave": wave, "survey": wave.survey, "form": form}
    context["min_size"] = org.effective_min_group_size
    context["comment_threshold"] = COMMENT_THRESHOLD
    if request.method != "POST":
        return render(request, "surveys/raw_export.html", context)
    if not form.is_valid():
        return render(request, "surveys/raw_export.html", context, status=400)
    include = form.cleaned_data["include_comments"]
    try:
        export = build_raw_export(wave, include_comments=include)
    except ExportRefused as refused:
        context["refused"] = str(refused)
        return render(request, "surveys/raw_export.html", context, status=409)
    audit(
        "report.export_raw",
        actor=request.user,
        target=wave,
        organization=org,
        format=form.cleaned_data["format"],
        include_comments=include,
        rows=len(export.rows),
        comments=len(export.comments or []),
    )
    if form.cleaned_data["format"] == "xlsx":
        return _raw_xlsx(wave, export)
    return _raw_csv(wave, export)


def _csv_text(header: Sequence[object], rows: Sequence[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _raw_csv(wave, export: RawExport) -> HttpResponse:
    responses = _csv_text(export.header, export.rows)
    if export.comments is None and not export.comments_reason:
        response = HttpResponse(responses, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="wave-{wave.pk}-responses.csv"'
        return response
    # With comments: two files in one zip, so the comments never share a row with a response.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("responses.csv", responses)
        if export.comments is None:
            archive.writestr("comments.txt", export.comments_reason + "\n")
        else:
            archive.writestr("comments.csv", _csv_text(["question", "comment"], export.comments))
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="wave-{wave.pk}-responses.zip"'
    return response


def _raw_xlsx(wave, export: RawExport) -> HttpResponse:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "responses"
    sheet.append(export.header)
    for row in export.rows:
        sheet.append(row)
    if export.comments is not None or export.comments_reason:
        notes = book.create_sheet("comments")
        if export.comments is None:
            notes.append([export.comments_reason])
        else:
            notes.append(["question", "comment"])
            for pair in export.comments:
                notes.append(pair)
    response = HttpResponse(
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="wave-{wave.pk}-responses.xlsx"'
    book.save(response)
    return response


# --- Campaign-wide aggregates in differential-privacy mode (staff only) ----------------------


@login_required
def campaign_private(request: HttpRequest) -> HttpResponse:
    """The campaign's burnout counts as released with epsilon-DP; a release is reused while
    the data stay the same, so viewing again spends nothing."""
    if not is_staff(request.user):
        raise Http404("No such page.")
    refused = ""
    current: PrivateRelease | None
    try:
        current = release_campaign_aggregates(actor=cast(User, request.user))
    except BudgetSpent as error:
        current, refused = PrivateRelease.objects.first(), str(error)
    figures = []
    if current is not None:
        figures = list(zip(current.values["labels"], current.values["values"], strict=True))
    values = current.values["values"] if current is not None else []
    context = {
        "current": current,
        "figures": figures,
        "share": noisy_share(values[2], values[1]) if values else None,
        "refused": refused,
        "spent": privacy_spent(),
        "budget": CAMPAIGN_BUDGET,
        "releases": PrivateRelease.objects.select_related("created_by")[:50],
    }
    return render(request, "surveys/campaign_private.html", context)


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
