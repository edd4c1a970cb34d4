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
from wellbeing.surveys.views.manage import _wave

LEAD = Membership.Role.UNIT_LEAD


def _visible_rows(request: HttpRequest, report: Report, org) -> list:
    visible = set(units_visible_to(cast(User, request.user), org).values_list("pk", flat=True))
    return [row for row in report.units if row.unit.pk in visible]


@login_required
def wave_report(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    user = cast(User, request.user)
    org = get_org_for_user(user, slug, min_role=LEAD)
    wave = _wave(org, pk)
    report = build_report(wave)
    is_admin = can_administer(user, org)
    rows = _visible_rows(request, report, org)
    audit("report.view", actor=user, target=wave, organization=org)
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
    context = {
        "org": org,
        "wave": wave,
        "survey": wave.survey,
        "report": report,
        "is_admin": is_admin,
        "rows": rows,
        "headline": headline,
        "headline_name": org.name if top == 0 else rows[0].unit.name,
    }
    return render(request, "surveys/report.html", context)


def _cells(figure: Figure) -> list[object]:
    if figure.suppressed:
        return ["", "", "", "", "", "", "", figure.reason]
    ci = figure.ci or (None, None)
    share_ci = figure.share_ci or (None, None)
    return [figure.n, figure.mean, ci[0], ci[1], figure.share, share_ci[0], share_ci[1], ""]


@login_required
def wave_report_csv(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Allowed aggregates in long format: one row per group x scale x wave."""
    user = cast(User, request.user)
    org = get_org_for_user(user, slug, min_role=LEAD)
    wave = _wave(org, pk)
    report = build_report(wave)
    rows = _visible_rows(request, report, org)
    audit("report.export_csv", actor=user, target=wave, organization=org)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="wave-{wave.pk}-report.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
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
    )
    admin = can_administer(user, org)
    for scale in report.scales:
        if admin:
            writer.writerow(
                [wave.name, "organization", org.name, scale.key, *_cells(scale.overall)]
            )
        for row in rows:
            writer.writerow(
                [wave.name, "unit", row.unit.name, scale.key, *_cells(scale.by_unit[row.index])]
            )
        if admin:
            for field, figures in scale.by_category.items():
                for category, figure in figures.items():
                    writer.writerow([wave.name, field, category, scale.key, *_cells(figure)])
    return response
