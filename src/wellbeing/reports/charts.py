"""Vega-Lite charts of a report, built only from its published figures.

Every chart here reads ``reports.build`` Figure objects and nothing else: a
suppressed figure never reaches a chart's data (a hidden heat-map cell is drawn
as "Hidden" with no number), so a chart cannot show more than the table beside
it. The page renders the specs with vega-embed in Vega's CSP-safe interpreter
mode; the PDF renders them to SVG with vl-convert.

A chart fits its page: the wide spec takes the width of its container (a tablet or a
desktop), and a chart with a ``narrow`` spec is drawn from that one in a container
narrower than ``NARROW_BELOW`` pixels (a phone), where one card per scale, or labels
wrapped onto more lines, replace what would otherwise scroll sideways. Long labels are
wrapped into lines here (``wrap``), sized so that neighbouring labels never overlap.
"""

import base64
import copy
import math
import re
import textwrap
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wellbeing.core.lazy import LazyModule
from wellbeing.reports.build import Figure, ScaleReport, UnitRow
from wellbeing.reports.templatetags.wellbeing_reports import num
from wellbeing.surveys.scoring import get_instrument

if TYPE_CHECKING:
    import altair as alt
else:
    alt = LazyModule("altair")  # a second or more to import: loaded by the first chart

# The heat map's palette, the same as the table cells' (core/site.css .wb-heat-*).
HEAT = ["#e7f4e4", "#fef0c8", "#ffbc78", "#e66f0e", "#8b0a03"]
HIDDEN_FILL = "#f0f0f0"
HEAT_BANDS = ["Best fifth", "Second", "Middle", "Fourth", "Worst fifth", "Hidden"]
WAVE_COLOURS = ["#71767a", "#005ea2"]  # previous wave grey, this wave USWDS primary blue
INK, INK_ON_DARK = "#1b1b1b", "#ffffff"
UNDER = "\u203a "  # a single right-pointing angle quotation mark per level below the top
FONT = "Source Sans Pro Web, Helvetica Neue, Helvetica, Roboto, Arial, sans-serif"
NARROW_BELOW = 600  # px of the chart's container: charts.js draws the narrow spec below it
PRINT_WIDTH = 640  # px: a container-wide chart's width in the PDF (vl-convert has no container)
LINE = 14  # px per line of a 12 px label, with its leading
NEWLINE = "\n"  # the line break inside labels: axes split on it, text marks break on it
SPLIT_LINES = "split(datum.label, '\\n')"  # an axis label's lines (vega-interpreter evaluates it)
LABEL_LINES = "length(split(datum.label, '\\n'))"  # how many


@dataclass(frozen=True)
class Chart:
    """A chart for a page: its element id, caption and Vega-Lite spec (a JSON-ready dict).

    ``narrow`` is the layout for a phone-width container; it has no ``datasets`` of its own
    (charts.js lends it the wide spec's, so the rows are sent once).
    """

    id: str
    caption: str
    spec: dict[str, Any]
    narrow: dict[str, Any] | None = None

    @property
    def spec_id(self) -> str:
        return f"{self.id}-spec"

    @property
    def narrow_id(self) -> str:
        return f"{self.id}-narrow"

    @property
    def narrow_below(self) -> int:
        """The container width (px) under which charts.js draws ``narrow``."""
        return NARROW_BELOW

    def print_spec(self) -> dict[str, Any]:
        """The wide spec at a fixed width: vl-convert draws without a container to fit."""
        spec = copy.deepcopy(self.spec)
        _fix_width(spec)
        return spec

    def svg(self) -> str:
        """The chart as an SVG document (vl-convert, no browser)."""
        import vl_convert

        return str(vl_convert.vegalite_to_svg(self.print_spec()))

    def svg_data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg().encode()).decode()


CONFIG: dict[str, Any] = {
    "font": FONT,
    "background": "white",
    "view": {"stroke": None},
    "axis": {"labelFontSize": 12, "titleFontSize": 12, "labelColor": INK, "titleColor": INK},
    "legend": {"labelFontSize": 12, "titleFontSize": 12, "symbolType": "square"},
    "title": {"fontSize": 13},
}


def _spec(chart: Any) -> dict[str, Any]:
    """A chart's Vega-Lite dict without the top-level keys that ``_config`` sets once."""
    # Validation against the schema happens in the tests; at run time it costs more than the chart.
    spec = dict(chart.to_dict(validate=False))
    for key in ("$schema", "config", "datasets"):
        spec.pop(key, None)
    return spec


def _layer(*charts: Any, **properties: Any) -> dict[str, Any]:
    """Layer unit charts as a plain dict (``alt.layer`` deep-copies every chart, slowly)."""
    return {"layer": [_spec(chart) for chart in charts], **properties}


def _config(
    spec: dict[str, Any], description: str, datasets: dict[str, list[dict[str, Any]]]
) -> dict[str, Any]:
    # Composition (vconcat) and configuration are plain dicts: Altair deep-copies its objects
    # at every step of those, which took seconds for a report's breakdowns. The rows go in as
    # named datasets for the same reason.
    return {
        "$schema": alt.SCHEMA_URL,
        "description": description,
        **spec,
        "config": CONFIG,
        "datasets": datasets,
    }


def _fix_width(spec: dict[str, Any]) -> None:
    """Replace a container width by ``PRINT_WIDTH`` wherever one is set (in place)."""
    if spec.get("width") == "container":
        spec["width"] = PRINT_WIDTH
    for part in spec.get("vconcat", []):
        _fix_width(part)


def wrap(text: str, width: int, *, colon: bool = True) -> str:
    """``text`` broken into lines of at most ``width`` characters (a longer word keeps its
    own line), joined by ``NEWLINE``; with ``colon`` a ": " also ends a line, so
    "Instrument: scale" reads as two."""
    lines = []
    for part in text.split(": ") if colon else [text]:
        lines += textwrap.wrap(part, width, break_long_words=False, break_on_hyphens=False) or [""]
    return NEWLINE.join(lines)


def lines_of(label: str) -> int:
    return label.count(NEWLINE) + 1


def lines_axis(most: int, **properties: Any) -> Any:
    """A vertical axis of labels on up to ``most`` lines, each centred on its band. Vega puts
    a label's first line at the band's middle and the others below it, into the next
    band's label: each label is moved up by half its own height instead."""
    offsets = [{"test": f"{LABEL_LINES} == {n}", "value": -n * LINE / 2} for n in range(1, most)]
    return alt.Axis(
        labelExpr=SPLIT_LINES,
        labelBaseline="top",
        labelOffset={"condition": offsets, "value": -most * LINE / 2},
        **properties,
    )


def short_scale_labels(scales: list[ScaleReport]) -> dict[str, str]:
    """Chart labels: as ``scale_labels``, with an instrument's own abbreviation where its
    name ends in one ("... Work Index (PES-NWI)" -> "PES-NWI"), so axis labels stay short."""
    counts = Counter(scale.instrument for scale in scales)
    out = {}
    for scale in scales:
        name = get_instrument(scale.instrument).name
        found = re.search(r"\(([^()\s]+)\)$", name)
        short = found.group(1) if found else name
        out[scale.key] = f"{short}: {scale.name}" if counts[scale.instrument] > 1 else scale.name
    return out


def _published_mean(figure: Figure | None) -> Figure | None:
    """``figure`` if the plan published it with a mean, else None (nothing of it may be drawn)."""
    if figure is None or figure.suppressed or figure.mean is None:
        return None
    return figure


def scale_labels(scales: list[ScaleReport]) -> dict[str, str]:
    """A name per scale; scales of an instrument with several (WHO-5 raw and %) carry its name."""
    counts = Counter(scale.instrument for scale in scales)
    return {
        scale.key: (
            f"{get_instrument(scale.instrument).name}: {scale.name}"
            if counts[scale.instrument] > 1
            else scale.name
        )
        for scale in scales
    }


# ---------------------------------------------------------------- headline rates


@dataclass(frozen=True)
class RateRow:
    """One row of the headline-rate table: a scale's share in one wave, or why it is hidden.

    ``chart_label`` is the same in the chart's words (an instrument's abbreviation)."""

    scale: str
    wave: str
    figure: Figure | None
    chart_label: str = ""


def headline_table(
    scales: list[ScaleReport], index: int, wave: str, previous: str | None
) -> list[RateRow]:
    """Each scale with a cut-off: its share in the previous wave and in this one."""
    out = []
    names, short = scale_labels(scales), short_scale_labels(scales)
    for scale in scales:
        if not scale.share_label:
            continue
        before = (scale.previous_by_unit or {}).get(index) if previous else None
        label = f"{names[scale.key]}: {scale.share_label}"
        chart_label = f"{short[scale.key]}: {scale.share_label}"
        if previous is not None:
            out.append(RateRow(label, previous, before, chart_label))
        out.append(RateRow(label, wave, scale.by_unit.get(index), chart_label))
    return out


RATE_WRAP = {"wide": 34, "narrow": 20}  # characters per line of the rates chart's labels


def headline_rows(table: list[RateRow]) -> list[dict[str, Any]]:
    """The chart's data: the published shares of ``table`` only, in percent."""
    rows = []
    for row in table:
        figure = row.figure
        if figure is None or figure.suppressed or figure.share is None:
            continue
        low, high = figure.share_ci or (None, None)
        label = row.chart_label or row.scale
        rows.append(
            {
                "scale": row.scale,
                "wide": wrap(label, RATE_WRAP["wide"]),
                "narrow": wrap(label, RATE_WRAP["narrow"]),
                "wave": row.wave,
                "share": round(100 * figure.share, 1),
                "low": None if low is None else round(100 * low, 1),
                "high": None if high is None else round(100 * high, 1),
                "n": figure.n,
                "label": f"{100 * figure.share:.0f}%",
            }
        )
    return rows


def _rates_spec(rows: list[dict[str, Any]], waves: list[str], layout: str) -> dict[str, Any]:
    """The rates chart in one layout: ``wide`` fills its container, ``narrow`` fits a phone."""
    base = alt.Chart(alt.NamedData("rates"))
    order = list(dict.fromkeys(r[layout] for r in rows))
    # A scale's wave bars share one band: it must be as tall as the label's lines.
    lines = max(lines_of(label) for label in order)
    step = max(20, math.ceil((lines * LINE + 6) / len(waves)))
    axis = lines_axis(lines, labelLimit=240 if layout == "wide" else 150)
    y = alt.Y(layout, type="nominal", title=None, sort=order, axis=axis)
    offset = alt.YOffset("wave", type="nominal", sort=waves)
    colour = alt.Color(
        "wave",
        type="nominal",
        title="Wave",
        sort=waves,
        scale=alt.Scale(domain=waves, range=WAVE_COLOURS[-len(waves) :]),
        # Below the bars: beside them it takes width a phone does not have.
        legend=alt.Legend(orient="bottom", direction="horizontal"),
    )
    x = alt.X(
        "share",
        type="quantitative",
        title="Share of respondents (%), with 95% CI",
        scale=alt.Scale(domain=[0, 100]),
        axis=alt.Axis(tickCount=5),
    )
    # One wave's bar alone in a band as tall as a long label would be a slab: keep it slim.
    bar = {"band": 0.9 if len(waves) > 1 else 0.5}
    bars = base.mark_bar(height=bar).encode(x=x, y=y, yOffset=offset, color=colour)
    errors = base.mark_rule(color=INK, strokeWidth=1.5).encode(
        x=alt.X("low", type="quantitative"), x2=alt.X2("high"), y=y, yOffset=offset
    )
    labels = base.mark_text(align="left", dx=4, color=INK).encode(
        x=alt.X("high", type="quantitative"),
        y=y,
        yOffset=offset,
        text=alt.Text("label", type="nominal"),
    )
    if layout == "wide":
        return _layer(bars, errors, labels, width="container", height={"step": step})
    # A phone's chart is about 170 px of bars, and the labels beside them end near 100%.
    return _layer(bars, errors, labels, width=170, height={"step": step})


def headline_chart(
    table: list[RateRow], wave: str, previous: str | None, *, id: str
) -> Chart | None:
    rows = headline_rows(table)
    if not rows:
        return None
    waves = [w for w in (previous, wave) if w is not None]
    caption = "Share beyond each scale's cut-off with 95% confidence intervals" + (
        f", {previous} and {wave}." if previous else f", {wave}."
    )
    wide = _config(_rates_spec(rows, waves, "wide"), caption, {"rates": rows})
    return Chart(id, caption, wide, _narrow(_rates_spec(rows, waves, "narrow"), caption))


def _narrow(spec: dict[str, Any], description: str) -> dict[str, Any]:
    """A narrow layout: configured as the wide one, without datasets (charts.js lends them)."""
    narrow = _config(spec, description, {})
    narrow.pop("datasets")
    return narrow


# ---------------------------------------------------------------- heat map

HEAT_ACROSS_MAX = 8  # up to this many units, units run across and scales down
HEAT_WRAP = {"unit": 14, "scale": 40, "card": 40}  # characters per line of its labels
HEAT_CELL = 110  # px: a phone's card cell


def unit_labels(rows: list[UnitRow]) -> dict[int, str]:
    """One axis label per unit; a name used twice gets its parent's name to tell them apart."""
    counts = Counter(row.unit.name for row in rows)
    top = min((row.depth for row in rows), default=0)
    names = {row.unit.pk: row.unit.name for row in rows}
    labels: dict[int, str] = {}
    for row in rows:
        name = row.unit.name
        if counts[name] > 1 and row.unit.parent_id in names:
            name = f"{names[row.unit.parent_id]} / {name}"
        if name in labels.values():
            name = f"{name} ({row.unit.pk})"
        # The tree shows as one marker per level: the axis labels are right-aligned.
        labels[row.index] = UNDER * (row.depth - top) + name
    return labels


def heatmap_rows(
    scales: list[ScaleReport], rows: list[UnitRow], links: dict[int, str]
) -> list[dict[str, Any]]:
    labels, names, short = unit_labels(rows), scale_labels(scales), short_scale_labels(scales)
    out = []
    for row in rows:
        for scale in scales:
            figure = _published_mean(scale.by_unit.get(row.index))
            cell: dict[str, Any] = {
                "unit": labels[row.index],
                "scale": names[scale.key],
                # The same names wrapped for each layout's axes (see heatmap_chart).
                "unit_label": wrap(labels[row.index], HEAT_WRAP["unit"]),
                "scale_label": wrap(short[scale.key], HEAT_WRAP["scale"]),
                "scale_short": short[scale.key],
                "scale_card": wrap(short[scale.key], HEAT_WRAP["card"], colon=False),
            }
            if row.index in links:
                cell["url"] = links[row.index]
            if figure is not None and figure.mean is not None:
                cell |= {
                    "mean": round(figure.mean, 2),
                    "n": figure.n,
                    "band": HEAT_BANDS[figure.level],
                    "text": f"{num(figure.mean)}{NEWLINE}n={figure.n}",
                    "card_text": f"{num(figure.mean)} (n={figure.n})",
                    "ink": INK_ON_DARK if figure.level == 4 else INK,
                }
            else:
                # No number of a hidden group: the cell only says it is hidden.
                cell |= {"band": "Hidden", "text": "Hidden", "card_text": "Hidden", "ink": INK}
            out.append(cell)
    return out


def _heat_layers(x: Any, y: Any, text_x: Any = None, field: str = "text") -> tuple[Any, Any]:
    """The coloured cells and their numbers (``text``: two lines, the mean and its n)."""
    base = alt.Chart(alt.NamedData("cells")).encode(y=y)
    rect = base.mark_rect(stroke="white", strokeWidth=2).encode(
        x=x,
        color=alt.Color(
            "band",
            type="nominal",
            title="Place in the scale's range",
            scale=alt.Scale(domain=HEAT_BANDS, range=[*HEAT, HIDDEN_FILL]),
            # Below the cells, where it has the page's whole width.
            legend=alt.Legend(
                orient="bottom", direction="horizontal", columns=3, symbolStrokeColor=INK
            ),
        ),
        href=alt.Href("url", type="nominal"),
    )
    text = base.mark_text(fontSize=12, lineBreak=NEWLINE, lineHeight=LINE).encode(
        x=x if text_x is None else text_x,
        text=alt.Text(field, type="nominal"),
        color=alt.Color("ink", type="nominal", scale=None),
        href=alt.Href("url", type="nominal"),
    )
    return rect, text


def _heat_wide(cells: list[dict[str, Any]], units: list[str]) -> dict:
    """Units across and scales down (a few units), or scales across with slanted labels."""
    if len(units) <= HEAT_ACROSS_MAX:
        unit_order = list(dict.fromkeys(c["unit_label"] for c in cells))
        scale_order = list(dict.fromkeys(c["scale_label"] for c in cells))
        x = alt.X(
            "unit_label",
            type="nominal",
            title=None,
            sort=unit_order,
            # A name's lines run down from the top of a band as tall as the longest name,
            # so the last line of each ends above the cells, never over them.
            axis=alt.Axis(
                orient="top",
                labelAngle=0,
                labelExpr=SPLIT_LINES,
                labelLimit=0,
                labelBaseline="top",
                labelPadding=max(lines_of(u) for u in unit_order) * LINE + 4,
            ),
        )
        lines = max(lines_of(label) for label in scale_order)
        y = alt.Y(
            "scale_label",
            type="nominal",
            title=None,
            sort=scale_order,
            axis=lines_axis(lines, labelLimit=0),
        )
    else:
        # Too many units to run across: the scales do, their labels slanted so they never
        # touch however narrow the columns get, and leaning left, over the unit names'
        # column, so they take no width from the cells.
        x = alt.X(
            "scale_short",
            type="nominal",
            title=None,
            sort=list(dict.fromkeys(c["scale_short"] for c in cells)),
            axis=alt.Axis(
                orient="top",
                labelAngle=45,
                labelAlign="right",
                labelBaseline="middle",
                labelLimit=380,
            ),
        )
        y = alt.Y("unit", type="nominal", title=None, sort=units, axis=alt.Axis(labelLimit=240))
        lines = 1
    rect, text = _heat_layers(x, y)
    return _layer(rect, text, width="container", height={"step": _heat_step(lines)})


def _heat_step(lines: int) -> int:
    """A heat map row's height: the cell's two lines of text, or its label's lines."""
    return max(2 * LINE + 8, lines * LINE + 6)


def _heat_cards(cells: list[dict[str, Any]], units: list[str]) -> dict:
    """A phone's heat map: one card per scale, its units down the side (unit names are
    short, scale names long: a scale's name heads its card on the phone's whole width).
    The cells come first and the unit names after them, so the card's heading starts where
    the card does."""
    axis = alt.Axis(orient="right", labelLimit=200, labelAlign="left")
    y = alt.Y("unit", type="nominal", title=None, sort=units, axis=axis)
    cards = []
    for label in dict.fromkeys(c["scale_card"] for c in cells):
        rect, text = _heat_layers(
            alt.XValue(0), y, text_x=alt.XValue(HEAT_CELL / 2), field="card_text"
        )
        card = _layer(
            rect.encode(x2=alt.X2Value(HEAT_CELL)),
            text,
            data={"name": "cells"},
            transform=[{"filter": {"field": "scale_card", "equal": label}}],
            title={"text": label.split(NEWLINE), "anchor": "start", "fontWeight": "bold"},
            width=HEAT_CELL,
            height={"step": 26},
        )
        # The card filters the rows it names once; its layers share them.
        for part in card["layer"]:
            part.pop("data", None)
        cards.append(card)
    return {"vconcat": cards, "spacing": 20}


def heatmap_chart(
    scales: list[ScaleReport], rows: list[UnitRow], links: dict[int, str], *, id: str
) -> Chart | None:
    if not rows or not scales:
        return None
    cells = heatmap_rows(scales, rows, links)
    units = list(dict.fromkeys(c["unit"] for c in cells))
    caption = (
        "Mean per unit and scale over the unit and everything under it, with the number of "
        "responses. Darker is worse whatever the direction of the scale; hidden cells carry no number."
    )
    wide = _config(_heat_wide(cells, units), caption, {"cells": cells})
    return Chart(id, caption, wide, _narrow(_heat_cards(cells, units), caption))


# ---------------------------------------------------------------- demographic breakdown

BREAKDOWN_ROOM = 330  # px beside a wide panel's bars: group labels and the numbers after them
GROUP_WRAP = 22  # characters per line of a phone's group labels


def breakdown_rows(
    scales: list[ScaleReport],
    figures_by_scale: list[dict[str, Figure]],
    labels: list[tuple[str, str]],
) -> list[dict[str, Any]]:
    out = []
    names = scale_labels(scales)
    for scale, figures in zip(scales, figures_by_scale, strict=True):
        for key, label in labels:
            figure = _published_mean(figures.get(key))
            if figure is None or figure.mean is None:
                continue
            low, high = figure.ci or (None, None)
            text = f"{num(figure.mean)} (n={figure.n})"
            out.append(
                {
                    "scale": names[scale.key],
                    "group": label,
                    # A phone's label carries the number on its last line (no room after the bar).
                    "card": wrap(label, GROUP_WRAP) + NEWLINE + text,
                    "mean": round(figure.mean, 2),
                    "low": None if low is None else round(low, 2),
                    "high": None if high is None else round(high, 2),
                    "n": figure.n,
                    "text": text,
                }
            )
    return out


def _breakdown_panel(
    scale: ScaleReport, name: str, data: list[dict[str, Any]], title: str, narrow: bool
) -> dict[str, Any]:
    """One scale's bars per group; ``narrow``: numbers in the labels, fixed phone width."""
    bounded = scale.minimum is not None and scale.maximum is not None
    domain = [scale.minimum, scale.maximum] if bounded else alt.Undefined
    # Bars start at the scale's minimum (1 for a 1-5 rating), not at zero.
    start = alt.X2Datum(scale.minimum) if bounded else alt.Undefined
    field = "card" if narrow else "group"
    order = [r[field] for r in data]
    lines = max(lines_of(label) for label in order)
    step = max(22, lines * LINE + 10)
    axis = lines_axis(lines, labelLimit=0) if narrow else alt.Axis(labelLimit=280)
    base = alt.Chart(alt.NamedData(name)).encode(
        y=alt.Y(field, type="nominal", title=None, sort=order, axis=axis)
    )
    x_title = "Mean, with 95% CI" + (f" (higher is {scale.higher_is})" if scale.higher_is else "")
    bars = base.mark_bar(color=WAVE_COLOURS[1]).encode(
        x=alt.X(
            "mean",
            type="quantitative",
            title=x_title,
            scale=alt.Scale(domain=domain, nice=False, zero=False),
            axis=alt.Axis(tickCount=5),
        ),
        x2=start,
    )
    errors = base.mark_rule(color=INK, strokeWidth=1.5).encode(
        x=alt.X("low", type="quantitative"), x2=alt.X2("high")
    )
    height = {"step": step}
    if narrow:
        # Thin bars: the band is as tall as its label's lines, not as the bar needs.
        bars = bars.mark_bar(color=WAVE_COLOURS[1], height={"band": 0.5})
        return _layer(bars, errors, title=wrap(title, 34).split(NEWLINE), width=150, height=height)
    text = base.mark_text(align="left", dx=4, color=INK).encode(
        x=alt.X("high", type="quantitative"), text=alt.Text("text", type="nominal")
    )
    return _layer(bars, errors, text, title=title, width=360, height=height)


def breakdown_chart(
    scales: list[ScaleReport],
    figures_by_scale: list[dict[str, Figure]],
    labels: list[tuple[str, str]],
    title: str,
    *,
    id: str,
) -> Chart | None:
    """Mean per respondent group with its 95% CI, one panel per scale (their ranges differ)."""
    rows = breakdown_rows(scales, figures_by_scale, labels)
    if not rows:
        return None
    wide, narrow = [], []
    datasets: dict[str, list[dict[str, Any]]] = {}
    names = scale_labels(scales)
    for scale in scales:
        data = [r for r in rows if r["scale"] == names[scale.key]]
        if not data:
            continue
        name = f"scale-{len(datasets) + 1}"
        datasets[name] = data
        wide.append(_breakdown_panel(scale, name, data, names[scale.key], narrow=False))
        narrow.append(_breakdown_panel(scale, name, data, names[scale.key], narrow=True))
    caption = (
        f"Mean by {title} with 95% confidence intervals; hidden groups are listed in the table."
    )
    # charts.js narrows each wide panel to its container, less this room, on a tablet.
    spec = {"vconcat": wide, "spacing": 24, "usermeta": {"panelRoom": BREAKDOWN_ROOM}}
    return Chart(
        id,
        caption,
        _config(spec, caption, datasets),
        _narrow({"vconcat": narrow, "spacing": 24}, caption),
    )
