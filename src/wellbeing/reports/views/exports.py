"""The report's allowed figures in long format (one row per group x scale x wave x statistic)."""

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from wellbeing.accounts.models import Membership, User
from wellbeing.accounts.permissions import get_org_for_user
from wellbeing.core.models import audit
from wellbeing.surveys.reports import longformat
from wellbeing.surveys.reports.build import build_report
from wellbeing.surveys.views.manage import _wave


@login_required
def wave_report_long(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    user = cast(User, request.user)
    org = get_org_for_user(user, slug, min_role=Membership.Role.UNIT_LEAD)
    wave = _wave(org, pk)
    report = build_report(wave)
    audit("report.export_long", actor=user, target=wave, organization=org)
    rows = longformat.rows_for_reader(user, org, report)
    response = HttpResponse(longformat.to_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="wave-{wave.pk}-long.csv"'
    return response
