"""Vega-Lite charts of a report, built only from its published figures.

Every chart here reads ``reports.build`` Figure objects and nothing else: a
suppressed figure never reaches a chart's data (a hidden heat-map cell is drawn
as "Hidden" with no number), so a chart cannot show more than the table beside
it. The page renders the specs with vega-embed in Vega's CSP-safe interpreter
mode; the PDF renders them to SVG with vl-convert.
"""

import base64
from collections import Counter
from dataclasses import dataclass
from typing import Any

import altair as alt

from wellbeing.reports.build import Figure, ScaleReport, UnitRow
from wellbeing.reports.templatetags.wellbeing_reports import num
from wellbeing.surveys.scoring import get_instrument

# The heat map's palette, the same as the table cells' (core/site.css .wb-heat-*).
HEAT = ["#e7f4e4", "#fef0c8", "#ffbc78", "#e66f0e", "#8b0a03"]
HIDDEN_FILL = "#f0f0f0"
HEAT_BANDS = ["Best fifth", "Second", "Middle", "Fourth", "Worst fifth", "Hidden"]
WAVE_COLOURS = ["#71767a", "#005ea2"]  # previous wave grey, this wave USWDS primary blue
INK, INK_ON_DARK = "#1b1b1b", "#ffffff"
UNDER = "\u203a "  # a single right-pointing angle quotation mark per level below the top
FONT = "Source Sans Pro Web, Helvetica Neue, Helvetica, Roboto, Arial, sans-serif"


@dataclass(frozen=True)
class Chart:
    """A chart for a page: its element id, caption and Vega-Lite spec (a JSON-ready dict)."""

    id: str
    caption: str
    spec: dict[str, Any]

    @property
    def spec_id(self) -> str:
        return f"{self.id}-spec"

    def svg(self) -> str:
        """The chart as an SVG document (vl-convert, no browser)."""
        import vl_convert

        return str(vl_convert.vegalite_to_svg(self.spec))

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
    """One row of the headline-rate table: a scale's share in one wave, or why it is hidden."""

    scale: str
    wave: str
    figure: Figure | None


def headline_table(
    scales: list[ScaleReport], index: int, wave: str, previous: str | None
) -> list[RateRow]:
    """Each scale with a cut-off: its share in the previous wave and in this one."""
    out = []
    names = scale_labels(scales)
    for scale in scales:
        if not scale.share_label:
            continue
        before = (scale.previous_by_unit or {}).get(index) if previous else None
        label = f"{names[scale.key]}: {scale.share_label}"
        if previous is not None:
            out.append(RateRow(label, previous, before))
        out.append(RateRow(label, wave, scale.by_unit.get(index)))
    return out


def headline_rows(table: list[RateRow]) -> list[dict[str, Any]]:
    """The chart's data: the published shares of ``table`` only, in percent."""
    rows = []
    for row in table:
        figure = row.figure
        if figure is None or figure.suppressed or figure.share is None:
            continue
        low, high = figure.share_ci or (None, None)
        rows.append(
            {
                "scale": row.scale,
                "wave": row.wave,
                "share": round(100 * figure.share, 1),
                "low": None if low is None else round(100 * low, 1),
                "high": None if high is None else round(100 * high, 1),
                "n": figure.n,
                "label": f"{100 * figure.share:.0f}%",
            }
        )
    return rows


def headline_chart(
    table: list[RateRow], wave: str, previous: str | None, *, id: str
) -> Chart | None:
    rows = headline_rows(table)
    if not rows:
        return None
    waves = [w for w in (previous, wave) if w is not None]
    base = alt.Chart(alt.NamedData("rates"))
    order = list(dict.fromkeys(r["scale"] for r in rows))
    # "Instrument: scale: cut-off" on one line each (an expression, run by vega-interpreter).
    axis = alt.Axis(labelLimit=320, labelExpr="split(datum.label, ': ')")
    y = alt.Y("scale", type="nominal", title=None, sort=order, axis=axis)
    offset = alt.YOffset("wave", type="nominal", sort=waves)
    colour = alt.Color(
        "wave",
        type="nominal",
        title="Wave",
        sort=waves,
        scale=alt.Scale(domain=waves, range=WAVE_COLOURS[-len(waves) :]),
    )
    x = alt.X(
        "share",
        type="quantitative",
        title="Share of respondents (%), with 95% CI",
        scale=alt.Scale(domain=[0, 100]),
    )
    bars = base.mark_bar(height={"band": 0.9}).encode(x=x, y=y, yOffset=offset, color=colour)
    errors = base.mark_rule(color=INK, strokeWidth=1.5).encode(
        x=alt.X("low", type="quantitative"), x2=alt.X2("high"), y=y, yOffset=offset
    )
    labels = base.mark_text(align="left", dx=4, color=INK).encode(
        x=alt.X("high", type="quantitative"),
        y=y,
        yOffset=offset,
        text=alt.Text("label", type="nominal"),
    )
    chart = _layer(bars, errors, labels, width=420, height={"step": 24})
    caption = "Share beyond each scale's cut-off with 95% confidence intervals" + (
        f", {previous} and {wave}." if previous else f", {wave}."
    )
    return Chart(id, caption, _config(chart, caption, {"rates": rows}))


# ---------------------------------------------------------------- heat map


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
    labels, names = unit_labels(rows), scale_labels(scales)
    out = []
    for row in rows:
        for scale in scales:
            figure = _published_mean(scale.by_unit.get(row.index))
            cell: dict[str, Any] = {"unit": labels[row.index], "scale": names[scale.key]}
            if row.index in links:
                cell["url"] = links[row.index]
            if figure is not None and figure.mean is not None:
                cell |= {
                    "mean": round(figure.mean, 2),
                    "n": figure.n,
                    "band": HEAT_BANDS[figure.level],
                    "text": f"{num(figure.mean)} (n={figure.n})",
                    "ink": INK_ON_DARK if figure.level == 4 else INK,
                }
            else:
                # No number of a hidden group: the cell only says it is hidden.
                cell |= {"band": "Hidden", "text": "Hidden", "ink": INK}
            out.append(cell)
    return out


def heatmap_chart(
    scales: list[ScaleReport], rows: list[UnitRow], links: dict[int, str], *, id: str
) -> Chart | None:
    if not rows or not scales:
        return None
    cells = heatmap_rows(scales, rows, links)
    order = list(dict.fromkeys(c["unit"] for c in cells))
    base = alt.Chart(alt.NamedData("cells")).encode(
        x=alt.X(
            "scale",
            type="nominal",
            title=None,
            sort=list(scale_labels(scales).values()),
            # "Instrument: scale" on two lines (an expression, evaluated by vega-interpreter).
            axis=alt.Axis(
                orient="top",
                labelAngle=0,
                labelLimit=180,
                labelPadding=18,  # room for the second line above the cells
                labelExpr="split(datum.label, ': ')",
            ),
        ),
        y=alt.Y("unit", type="nominal", title=None, sort=order, axis=alt.Axis(labelLimit=240)),
    )
    rect = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color(
            "band",
            type="nominal",
            title="Place in the scale's range",
            scale=alt.Scale(domain=HEAT_BANDS, range=[*HEAT, HIDDEN_FILL]),
            # Below the cells, so a wide heat map does not push the legend out of view.
            legend=alt.Legend(orient="bottom", direction="horizontal", symbolStrokeColor=INK),
        ),
        href=alt.Href("url", type="nominal"),
    )
    text = base.mark_text(fontSize=12).encode(
        text=alt.Text("text", type="nominal"),
        color=alt.Color("ink", type="nominal", scale=None),
        href=alt.Href("url", type="nominal"),
    )
    chart = _layer(rect, text, width={"step": 170}, height={"step": 30})
    caption = (
        "Mean per unit and scale over the unit and everything under it, with the number of "
        "responses. Darker is worse whatever the direction of the scale; hidden cells carry no number."
    )
    return Chart(id, caption, _config(chart, caption, {"cells": cells}))


# ---------------------------------------------------------------- demographic breakdown


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
            out.append(
                {
                    "scale": names[scale.key],
                    "group": label,
                    "mean": round(figure.mean, 2),
                    "low": None if low is None else round(low, 2),
                    "high": None if high is None else round(high, 2),
                    "n": figure.n,
                    "text": f"{num(figure.mean)} (n={figure.n})",
                }
            )
    return out


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
    panels = []
    datasets: dict[str, list[dict[str, Any]]] = {}
    order = [label for _, label in labels]
    names = scale_labels(scales)
    for scale in scales:
        data = [r for r in rows if r["scale"] == names[scale.key]]
        if not data:
            continue
        bounded = scale.minimum is not None and scale.maximum is not None
        domain = [scale.minimum, scale.maximum] if bounded else alt.Undefined
        # Bars start at the scale's minimum (1 for a 1-5 rating), not at zero.
        start = alt.X2Datum(scale.minimum) if bounded else alt.Undefined
        name = f"scale-{len(datasets) + 1}"
        datasets[name] = data
        base = alt.Chart(alt.NamedData(name)).encode(
            y=alt.Y("group", type="nominal", title=None, sort=order, axis=alt.Axis(labelLimit=280))
        )
        x_title = "Mean, with 95% CI" + (
            f" (higher is {scale.higher_is})" if scale.higher_is else ""
        )
        bars = base.mark_bar(color=WAVE_COLOURS[1]).encode(
            x=alt.X(
                "mean",
                type="quantitative",
                title=x_title,
                scale=alt.Scale(domain=domain, nice=False, zero=False),
            ),
            x2=start,
        )
        errors = base.mark_rule(color=INK, strokeWidth=1.5).encode(
            x=alt.X("low", type="quantitative"), x2=alt.X2("high")
        )
        text = base.mark_text(align="left", dx=4, color=INK).encode(
            x=alt.X("high", type="quantitative"), text=alt.Text("text", type="nominal")
        )
        panels.append(
            _layer(bars, errors, text, title=names[scale.key], width=360, height={"step": 22})
        )
    caption = (
        f"Mean by {title} with 95% confidence intervals; hidden groups are listed in the table."
    )
    return Chart(id, caption, _config({"vconcat": panels, "spacing": 24}, caption, datasets))
