"""The board PDF of a report: a summary a board reads in two pages, then details that fit.

The summary names the organization, the wave and its responses, each headline figure by
its instrument and range, what changed since the previous wave in words (better or worse,
by the scale's direction), and the top key drivers with a resource or two each. The
details follow on landscape pages: tables split into groups of columns that fit the page
(the units table shaded as the heat map), and charts drawn for print (``pdf_charts``).

Every figure is the reader's view of the release (``door.reading``, through the page's
context), as on the page: nothing here computes or hides a figure; a hidden one carries a
mark whose reason the table's legend gives. Nothing is kept between requests.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from wellbeing.reports import door, pdf_charts
from wellbeing.reports.build import Change, Figure, Report, ScaleReport, UnitRow
from wellbeing.reports.charts import RateRow
from wellbeing.reports.drivers import DriverRow, DriversSection, Link
from wellbeing.reports.templatetags.wellbeing_reports import interval, num, percent
from wellbeing.surveys.scoring import get_instrument

# The heat map (units x scales) drawn at full size stays readable up to this size; beyond
# it the shaded units table below it is the heat map.
HEATMAP_MAX_UNITS = 20
HEATMAP_MAX_SCALES = 5
MAX_COLUMNS = 7  # measure columns per table that a landscape page holds at 8 pt
ROWS_KEPT_WHOLE = 18  # a table part this short moves to the next page rather than split
TOP_DRIVERS = 3
RESOURCES_PER_DRIVER = 2
MARKS = "abcdefghijklmnopqrstuvwxyz"


def render(request: HttpRequest, context: dict[str, Any]) -> bytes:
    """The PDF of the report page's ``context`` (``views.pages``), with WeasyPrint."""
    from weasyprint import HTML

    context = {**context, **board_context(request, context)}
    html = render_to_string("reports/report_pdf.html", context, request=request)
    return bytes(HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf())


def board_context(request: HttpRequest, context: dict[str, Any]) -> dict[str, Any]:
    """What the PDF adds to the page's context: the summary, tables that fit, print charts."""
    report: Report = context["report"]
    names = measure_names(report.scales)
    marks = Marks()
    waves = [w.name for w in (report.previous, report.wave) if w is not None]
    headline = [_measure(h, names, report, context["top"], marks) for h in context["headline"]]
    rates = rate_rows(report, context["top"], names)
    return {
        "names": names,
        "rates": rates,
        "facts": _facts(request, context),
        "measures": headline,
        "headline_notes": marks.take(),
        "changes": Changes.of(headline),
        "top_drivers": top_drivers(context["drivers"], request.get_host()),
        "unit_tables": unit_tables(report, context["rows"], names, marks),
        "rates_svg": _svg(pdf_charts.rates_chart(rates, waves)),
        "heatmap_svg": _heatmap(report, context["rows"], names),
        "breakdowns": [_breakdown(b, report, names, marks) for b in context["breakdowns"]],
    }


def _svg(spec: dict[str, Any] | None) -> str | None:
    return pdf_charts.svg_data_uri(spec) if spec is not None else None


# ---------------------------------------------------------------- names and words


def measure_names(scales: list[ScaleReport]) -> dict[str, str]:
    """Each scale named by its instrument and range: "WHO-5 raw score (0-25)",
    "PHQ-2 total (0-6)", "PES-NWI Staffing and Resource Adequacy (mean 1-4)"."""
    return {scale.key: _measure_name(scale) for scale in scales}


def _measure_name(scale: ScaleReport) -> str:
    instrument = get_instrument(scale.instrument).name
    short = _abbreviation(instrument)
    if short is None:
        named = scale.name.split()[0].lower() == instrument.split()[0].lower()  # "Mini Z ..."
        return scale.name if named else f"{instrument}: {scale.name}"
    if short.lower() in scale.name.lower():
        return scale.name
    # "Raw score" reads on as "WHO-5 raw score"; a proper name keeps its capitals.
    words = scale.name.split("(")[0].split()
    sentence_case = all(word[:1].islower() or not word[:1].isalpha() for word in words[1:])
    name = scale.name[:1].lower() + scale.name[1:] if sentence_case else scale.name
    return f"{short} {name}"


def _abbreviation(instrument: str) -> str | None:
    """ "PHQ-2" of "Patient Health Questionnaire-2 (PHQ-2)", "WHO-5" of "WHO-5 Well-Being Index"."""
    found = re.search(r"\(([A-Z][A-Z0-9-]+)\)$", instrument)
    if found:
        return found.group(1)
    first = instrument.split()[0]
    return first if re.fullmatch(r"[A-Z]+-?[0-9]+", first) else None


def rate_rows(report: Report, top: int, names: dict[str, str]) -> list[RateRow]:
    """Each measure with a cut-off: its share in the previous wave and in this one at tree
    index ``top``, as the page's rates table (``charts.headline_table``), in the PDF's names."""
    previous = report.previous.name if report.previous else None
    out = []
    for scale in report.scales:
        if not scale.share_label:
            continue
        label = f"{names[scale.key]}: {scale.share_label}"
        if previous is not None:
            out.append(RateRow(label, previous, (scale.previous_by_unit or {}).get(top)))
        out.append(RateRow(label, report.wave.name, scale.by_unit.get(top)))
    return out


def change_words(scale: ScaleReport, change: Change | None) -> tuple[str, str]:
    """(tone, words) of a change since the previous wave, in the scale's direction.

    tone: "better", "worse", "higher"/"lower" (a scale with no direction), "same" (the
    interval includes no change) or "none" (not compared); ("", "") without a previous wave.
    """
    if change is None:
        return "", ""
    if change.difference is None:
        return "none", (change.reason or "not compared").capitalize()
    if not change.significant:
        return "same", "No clear change"
    up = change.difference > 0
    moved = f"{'up' if up else 'down'} {num(abs(change.difference))}"
    if scale.higher_is is None:
        return ("higher", f"Higher: {moved}") if up else ("lower", f"Lower: {moved}")
    better = up == (scale.higher_is == "better")
    return ("better", f"Better: {moved}") if better else ("worse", f"Worse: {moved}")


# ---------------------------------------------------------------- hidden-figure marks


class Marks:
    """A letter per reason a figure is hidden, the same letter for the same reason
    throughout the document; each table's legend lists the letters it used."""

    def __init__(self) -> None:
        self._letters: dict[str, str] = {}
        self._used: dict[str, str] = {}

    def mark(self, reason: str) -> str:
        text = _hidden_because(reason)
        letter = self._letters.setdefault(text, MARKS[len(self._letters) % len(MARKS)])
        self._used[letter] = text
        return letter

    def take(self) -> list[tuple[str, str]]:
        """The (letter, reason) pairs used since the last call, for one table's legend."""
        used, self._used = sorted(self._used.items()), {}
        return used


def _hidden_because(reason: str) -> str:
    """ "Hidden: fewer than 5 responses" of the plan's "hidden: fewer than 5 responses"."""
    if reason.startswith("hidden"):
        return "H" + reason[1:]
    return f"Hidden: {reason}" if reason else "Hidden"


@dataclass(frozen=True)
class Cell:
    text: str
    detail: str = ""  # a second, smaller line (an interval)
    shade: str = ""  # "wb-heat-<level>" or "hidden"
    mark: str = ""  # the legend letter of a hidden figure
    change: str = ""  # ▲ / ▼: a change whose interval excludes zero


def _hidden(figure: Figure, marks: Marks) -> Cell:
    return Cell("Hidden", shade="hidden", mark=marks.mark(figure.reason))


# ---------------------------------------------------------------- summary


@dataclass(frozen=True)
class Measure:
    """One headline row: the figure, the previous wave's, and the change in words."""

    name: str
    cell: Cell
    share: str
    previous: str
    tone: str
    words: str


def _measure(
    h: dict[str, Any], names: dict[str, str], report: Report, top: int, marks: Marks
) -> Measure:
    scale, figure, change = h["scale"], h["figure"], h["change"]
    tone, words = change_words(scale, change)
    before = (scale.previous_by_unit or {}).get(top) if report.previous else None
    if figure.suppressed:
        cell, share = _hidden(figure, marks), ""
    else:
        cell = Cell(f"{num(figure.mean)}", detail=f"{interval(figure.ci)}; n = {figure.n}")
        share = f"{percent(figure.share)} {scale.share_label}" if figure.share is not None else ""
    return Measure(names[scale.key], cell, share, _previous(before, report), tone, words)


def _previous(figure: Figure | None, report: Report) -> str:
    if report.previous is None:
        return ""
    if figure is None or figure.suppressed or figure.mean is None:
        return "not shown"
    return num(figure.mean)


@dataclass(frozen=True)
class Changes:
    """The headline's changes grouped by what they mean, for sentences."""

    better: list[Measure] = field(default_factory=list)
    worse: list[Measure] = field(default_factory=list)
    moved: list[Measure] = field(default_factory=list)
    same: list[Measure] = field(default_factory=list)
    untested: list[Measure] = field(default_factory=list)

    @classmethod
    def of(cls, measures: list[Measure]) -> "Changes":
        found = cls()
        groups = {
            "better": found.better,
            "worse": found.worse,
            "higher": found.moved,
            "lower": found.moved,
            "same": found.same,
            "none": found.untested,
        }
        for m in measures:
            if m.tone:
                groups[m.tone].append(m)
        return found

    @property
    def only_same(self) -> bool:
        """No measure changed clearly, and every one was compared."""
        return bool(self.same) and not (self.better or self.worse or self.moved or self.untested)


def _facts(request: HttpRequest, context: dict[str, Any]) -> dict[str, Any]:
    """Responses and the response rate of the reader's headline group, from the door."""
    read: door.Reading = context["reading"]
    counts = door.counts(request.user, read.organization, read.wave)
    responses = rate = None
    if not counts.live:
        row = counts.total if read.top == 0 else _count_row(counts, context["rows"], read.top)
        if row is not None:
            responses, rate = row.value, row.rate
    elif read.top == 0:
        responses = context["report"].responses.n  # the release's count, not today's
    return {"responses": responses, "rate": rate, "live": counts.live}


def _count_row(counts: door.Counts, rows: list[UnitRow], top: int) -> door.CountRow | None:
    unit = next((r.unit.pk for r in rows if r.index == top), None)
    return next((c for c in counts.rows if c.unit.pk == unit), None)


@dataclass(frozen=True)
class TopDriver:
    row: DriverRow
    resources: list[tuple[str, str]]  # (title, short address)


def top_drivers(drivers: DriversSection | None, host: str) -> list[TopDriver]:
    """The strongest key drivers, each with its first matched hub resources."""
    if drivers is None or not drivers.shown:
        return []
    return [
        TopDriver(row, [_resource(r, host) for r in row.resources[:RESOURCES_PER_DRIVER]])
        for row in drivers.rows[:TOP_DRIVERS]
    ]


def _resource(link: Link, host: str) -> tuple[str, str]:
    # A printed page has no links: the address, without its scheme, is what a reader types.
    return link.title, f"{host}{link.url}" if link.url.startswith("/") else link.url


# ---------------------------------------------------------------- tables that fit


@dataclass(frozen=True)
class Row:
    label: str
    depth: int
    cells: list[Cell]


@dataclass(frozen=True)
class Table:
    """One group of measure columns of a wide table, with the legend of its marks."""

    columns: list[str]
    rows: list[Row]
    notes: list[tuple[str, str]]
    part: int = 1
    parts: int = 1

    @property
    def whole(self) -> bool:
        """Short enough to keep on one page rather than split between two."""
        return len(self.rows) <= ROWS_KEPT_WHOLE


def column_groups(scales: list[ScaleReport]) -> list[list[ScaleReport]]:
    """The scales in groups of at most ``MAX_COLUMNS``: an instrument's scales together when
    they fit, an instrument with more split into near-equal parts."""
    by_instrument: dict[str, list[ScaleReport]] = {}
    for scale in scales:
        by_instrument.setdefault(scale.instrument, []).append(scale)
    groups: list[list[ScaleReport]] = [[]]
    for own in by_instrument.values():
        parts = -(-len(own) // MAX_COLUMNS)
        size = -(-len(own) // parts)
        for start in range(0, len(own), size):
            chunk = own[start : start + size]
            if len(groups[-1]) + len(chunk) > MAX_COLUMNS:
                groups.append([])
            groups[-1].extend(chunk)
    return [g for g in groups if g]


def _tables(
    groups: list[list[ScaleReport]],
    names: dict[str, str],
    rows: list[tuple[str, int]],
    cell: Any,
    marks: Marks,
) -> list[Table]:
    """A table per column group; ``cell(scale, row_number)`` draws one figure."""
    out = []
    for part, group in enumerate(groups, start=1):
        body = [
            Row(label, depth, [cell(scale, number) for scale in group])
            for number, (label, depth) in enumerate(rows)
        ]
        columns = [names[s.key] for s in group]
        out.append(Table(columns, body, marks.take(), part, len(groups)))
    return out


def unit_tables(
    report: Report, rows: list[UnitRow], names: dict[str, str], marks: Marks
) -> list[Table]:
    """The units table, shaded by each mean's place in its scale's range (the heat map)."""
    if not rows:
        return []
    top = min(r.depth for r in rows)

    def cell(scale: ScaleReport, number: int) -> Cell:
        index = rows[number].index
        figure = scale.by_unit.get(index)
        if figure is None:
            return Cell("—")
        if figure.suppressed:
            return _hidden(figure, marks)
        change = scale.unit_changes[index] if scale.unit_changes else None
        text = f"{num(figure.mean)} ({figure.n})"
        return Cell(text, shade=f"wb-heat-{figure.level}", change=_arrow(change))

    labels = [(r.unit.name, r.depth - top) for r in rows]
    return _tables(column_groups(report.scales), names, labels, cell, marks)


def _arrow(change: Change | None) -> str:
    """The page's mark of a change whose 95% interval excludes zero."""
    if change is None or not change.significant or change.difference is None:
        return ""
    return "▲" if change.difference > 0 else "▼"


def _heatmap(report: Report, rows: list[UnitRow], names: dict[str, str]) -> str | None:
    """The heat map drawn for print while its type stays readable at full size; a larger
    one would shrink to fit, and the shaded units table stands for it."""
    if len(rows) > HEATMAP_MAX_UNITS or len(report.scales) > HEATMAP_MAX_SCALES:
        return None
    return _svg(pdf_charts.heatmap(report.scales, rows, names))


def _breakdown(
    b: dict[str, Any], report: Report, names: dict[str, str], marks: Marks
) -> dict[str, Any]:
    """One respondent-group field: its print chart and its tables in column groups."""
    labels: list[tuple[str, str]] = b["labels"]
    figures = dict(zip((s.key for s in report.scales), b["columns"], strict=True))

    def cell(scale: ScaleReport, number: int) -> Cell:
        figure = figures[scale.key].get(labels[number][0])
        if figure is None:
            return Cell("—")
        if figure.suppressed:
            return _hidden(figure, marks)
        if not figure.n:
            return Cell("No responses")
        return Cell(f"{num(figure.mean)} ({figure.n})")  # its interval is in the chart

    spec = pdf_charts.breakdown_grid(report.scales, names, b["columns"], labels, b["title"])
    rows = [(label, 0) for _, label in labels]
    return {
        **b,
        "svg": _svg(spec),
        "tables": _tables(column_groups(report.scales), names, rows, cell, marks),
    }
