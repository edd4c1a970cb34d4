"""The report's figures as files: CSV and XLSX of the allowed figures, long format, PDF.

Each is the reader's view of the same release as the page (``door.reading``): the same
figures, the same hidden cells. Every download is audited.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from wellbeing.core.spreadsheets import append_row, csv_writer, xlsx_response
from wellbeing.reports import door, longformat, pdf
from wellbeing.reports.build import Figure
from wellbeing.reports.views.pages import base_context, chart_context, reader

HEADER = [
    "wave",
    "release",
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


def _published(read: door.Reading) -> door.Reading:
    if read.report is None:
        raise Http404("No results of this wave are published yet.")
    return read


def _cells(figure: Figure) -> list[object]:
    if figure.suppressed:
        return ["", "", "", "", "", "", "", figure.reason]
    ci = figure.ci or (None, None)
    share_ci = figure.share_ci or (None, None)
    return [figure.n, figure.mean, ci[0], ci[1], figure.share, share_ci[0], share_ci[1], ""]


def aggregate_rows(read: door.Reading) -> list[list[object]]:
    """The allowed aggregates in long format: one row per group x scale."""
    report = read.report
    if report is None:
        return []
    name, number = read.wave.name, report.release.number
    out: list[list[object]] = []
    for scale in report.scales:
        if read.admin:
            out.append(
                [
                    name,
                    number,
                    "organization",
                    read.organization.name,
                    scale.key,
                    *_cells(scale.overall),
                ]
            )
        for row in read.rows:
            out.append(
                [name, number, "unit", row.unit.name, scale.key, *_cells(scale.by_unit[row.index])]
            )
        if read.admin:
            for field, figures in scale.by_category.items():
                for category, figure in figures.items():
                    out.append([name, number, field, category, scale.key, *_cells(figure)])
    return out


@login_required
def wave_report_csv(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    read = _published(reader(request, slug, pk, "report.export_csv"))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="wave-{read.wave.pk}-report.csv"'
    writer = csv_writer(response)
    writer.writerow(HEADER)
    writer.writerows(aggregate_rows(read))
    return response


@login_required
def wave_report_xlsx(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    from openpyxl import Workbook

    read = _published(reader(request, slug, pk, "report.export_xlsx"))
    book = Workbook()
    sheet = book.active
    sheet.title = "allowed figures"
    append_row(sheet, HEADER)
    for row in aggregate_rows(read):
        append_row(sheet, row)
    return xlsx_response(book, f"wave-{read.wave.pk}-report.xlsx")


@login_required
def wave_report_long(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    read = _published(reader(request, slug, pk, "report.export_long"))
    rows = longformat.rows_for_reader(read)
    response = HttpResponse(longformat.to_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="wave-{read.wave.pk}-long.csv"'
    return response


@login_required
def wave_report_pdf(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The board PDF of the page's figures: a summary, then details (``reports.pdf``)."""
    read = _published(reader(request, slug, pk, "report.export_pdf"))
    context = base_context(request, read)
    context.update(chart_context(read, context))
    response = HttpResponse(pdf.render(request, context), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="wave-{read.wave.pk}-report.pdf"'
    return response
