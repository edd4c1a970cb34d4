"""The record export of a closed wave (organization admins only), through ``reports.door``."""

import io
import zipfile
from collections.abc import Sequence
from typing import cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from wellbeing.accounts.models import User
from wellbeing.accounts.permissions import get_org_for_admin
from wellbeing.core.models import audit
from wellbeing.core.spreadsheets import append_row, csv_writer, xlsx_response
from wellbeing.reports import door
from wellbeing.reports.records import RecordExport
from wellbeing.reports.releases import COMMENT_THRESHOLD
from wellbeing.surveys.queries import wave_for_org


class RecordExportForm(forms.Form):
    format = forms.ChoiceField(
        choices=[("csv", "CSV"), ("xlsx", "XLSX")], widget=forms.RadioSelect, label="File format"
    )
    include_comments = forms.BooleanField(required=False, label="Include the comments")
    confirm = forms.BooleanField(
        label="I understand what the file contains and will keep it confidential",
        error_messages={"required": "Tick the box to confirm before downloading."},
    )


@login_required
def wave_raw_export(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    user = cast(User, request.user)
    org = get_org_for_admin(user, slug)  # campaign staff without that role get 404 too
    wave = wave_for_org(org, pk)
    form = RecordExportForm(request.POST or None, initial={"format": "csv"})
    context = {"org": org, "wave": wave, "survey": wave.survey, "form": form}
    context["min_size"] = org.effective_min_group_size
    context["comment_threshold"] = COMMENT_THRESHOLD
    if request.method != "POST":
        return render(request, "reports/raw_export.html", context)
    if not form.is_valid():
        return render(request, "reports/raw_export.html", context, status=400)
    include = form.cleaned_data["include_comments"]
    try:
        export = door.records(user, org, wave, include_comments=include)
    except door.ExportRefused as refused:
        context["refused"] = str(refused)
        return render(request, "reports/raw_export.html", context, status=409)
    audit(
        "report.export_raw",
        actor=user,
        target=wave,
        organization=org,
        format=form.cleaned_data["format"],
        include_comments=include,
    )
    if form.cleaned_data["format"] == "xlsx":
        return _xlsx(wave, export)
    return _csv(wave, export)


def _csv_text(header: Sequence[object], rows: Sequence[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _csv(wave, export: RecordExport) -> HttpResponse:
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


def _xlsx(wave, export: RecordExport) -> HttpResponse:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "responses"
    append_row(sheet, export.header)
    for row in export.rows:
        append_row(sheet, row)
    if export.comments is not None or export.comments_reason:
        notes = book.create_sheet("comments")
        if export.comments is None:
            append_row(notes, [export.comments_reason])
        else:
            append_row(notes, ["question", "comment"])
            for pair in export.comments:
                append_row(notes, pair)
    return xlsx_response(book, f"wave-{wave.pk}-responses.xlsx")
