"""The board PDF's charts: Vega-Lite specs drawn for a landscape page, rendered to SVG.

The page's charts (``reports.charts``) are drawn for a browser. Printed, their labels
overlapped (WeasyPrint draws a right- or centre-aligned label of several lines with its
lines out of step) or they shrank to unreadable type. These are made for the printed
page: a label is one line, or left-aligned lines hanging from the first; the name of a
row is a header above it; respondent groups are small multiples in a grid that fits the
page; the type is the page's own font, so vl-convert measures it as WeasyPrint draws it.

Like ``reports.charts`` they read only published figures: the rows come from
``charts.headline_rows`` and from ``Figure`` objects that the release's plan shows, and a
hidden figure is never drawn.
"""

import base64
import textwrap
from typing import Any

from wellbeing.reports.build import Figure, ScaleReport, UnitRow
from wellbeing.reports.charts import (
    HEAT,
    HEAT_BANDS,
    HIDDEN_FILL,
    INK,
    INK_ON_DARK,
    WAVE_COLOURS,
    RateRow,
    headline_rows,
    unit_labels,
)
from wellbeing.reports.templatetags.wellbeing_reports import num

FONT = "DejaVu Sans"  # the PDF's own font (report_pdf.html), installed with the system
WIDTH = 900  # CSS px of a landscape Letter page's content box (250 mm) with a little room
LABEL = 10  # px: 7.5 pt on the page, drawn at 100 %
COLUMNS = 6  # small multiples per row of the grid
PANEL = 108  # px wide: six panels and the group names fit ``WIDTH``
TITLE_CHARACTERS = 21  # a panel title's line, about as wide as the panel at 9 px
CONFIG: dict[str, Any] = {
    "font": FONT,
    "background": "white",
    "view": {"stroke": None},
    "axis": {
        "labelFontSize": LABEL,
        "titleFontSize": LABEL,
        "labelColor": INK,
        "titleColor": INK,
        "titleFontWeight": "normal",
    },
    "header": {"labelFontSize": LABEL + 1, "labelColor": INK},
    "title": {"fontSize": LABEL - 1, "fontWeight": "bold", "color": INK},
}


def svg_data_uri(spec: dict[str, Any]) -> str:
    """The chart as an SVG data URI for WeasyPrint (vl-convert renders it without a browser)."""
    import vl_convert

    svg = str(vl_convert.vegalite_to_svg(spec))
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _top(spec: dict[str, Any], description: str, datasets: dict[str, list]) -> dict[str, Any]:
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "description": description,
        **spec,
        "config": CONFIG,
        "datasets": datasets,
    }


# ---------------------------------------------------------------- rates


def rates_chart(table: list[RateRow], waves: list[str]) -> dict[str, Any] | None:
    """Share beyond each cut-off per wave: one block per measure, its name as a header on
    one line above its bars (the page's wrapped axis labels overlapped when printed)."""
    rows = headline_rows(table)
    if not rows:
        return None
    order = list(dict.fromkeys(r["scale"] for r in rows))
    y = {
        "field": "wave",
        "type": "nominal",
        "sort": waves,
        "title": None,
        "axis": {"ticks": False, "domain": False},
    }
    x = {
        "field": "share",
        "type": "quantitative",
        "title": "Share of respondents (%), with 95% confidence interval",
        "scale": {"domain": [0, 100]},
        "axis": {"tickCount": 10, "ticks": False},
    }
    colour = {
        "field": "wave",
        "type": "nominal",
        "sort": waves,
        "legend": None,  # the wave names label the bars
        "scale": {"domain": waves, "range": WAVE_COLOURS[-len(waves) :]},
    }
    layer = [
        {
            "mark": {"type": "bar", "height": {"band": 0.8}},
            "encoding": {"x": x, "y": y, "color": colour},
        },
        {
            "mark": {"type": "rule", "color": INK, "strokeWidth": 1.2},
            "encoding": {
                "x": {"field": "low", "type": "quantitative"},
                "x2": {"field": "high"},
                "y": y,
            },
        },
        {
            "mark": {"type": "text", "align": "left", "dx": 4, "color": INK, "fontSize": LABEL},
            "encoding": {
                "x": {"field": "high", "type": "quantitative"},
                "y": y,
                "text": {"field": "label", "type": "nominal"},
            },
        },
    ]
    header = {
        "labelAngle": 0,
        "labelOrient": "top",
        "labelAnchor": "start",
        "labelAlign": "left",
        "labelFontWeight": "bold",
        "labelLimit": WIDTH,
        "labelPadding": 3,
        "title": None,
    }
    spec = {
        "data": {"name": "rates"},
        "facet": {"row": {"field": "scale", "type": "nominal", "sort": order, "header": header}},
        "spec": {"width": WIDTH - 120, "height": {"step": 15}, "layer": layer},
        "spacing": 6,
    }
    caption = "Share beyond each measure's cut-off, by wave, with 95% confidence intervals."
    return _top(spec, caption, {"rates": rows})


# ---------------------------------------------------------------- respondent groups


def _panel_rows(figures: dict[str, Figure], labels: list[tuple[str, str]]) -> list[dict[str, Any]]:
    out = []
    for key, label in labels:
        figure = figures.get(key)
        if figure is None or figure.suppressed or figure.mean is None:
            continue  # a hidden group is never drawn: the table beside it says why
        low, high = figure.ci or (figure.mean, figure.mean)
        out.append(
            {
                "group": label,
                "mean": round(figure.mean, 2),
                "low": round(low, 2),
                "high": round(high, 2),
            }
        )
    return out


def _title(name: str, lines: int) -> list[str]:
    wrapped = textwrap.wrap(name, TITLE_CHARACTERS)
    # Every panel of a row gets as many title lines, so their plots line up.
    return wrapped + [" "] * (lines - len(wrapped))


def _panel(
    scale: ScaleReport, name: str, data: str, order: list[str], lines: int, first: bool
) -> dict[str, Any]:
    """One measure's means by group, its bars starting at the scale's minimum."""
    bounded = scale.minimum is not None and scale.maximum is not None
    x_scale: dict[str, Any] = {"nice": False, "zero": False}
    if bounded:
        x_scale["domain"] = [scale.minimum, scale.maximum]
    axis: dict[str, Any] = {"ticks": False, "domain": False}
    axis |= {"labelLimit": 200} if first else {"labels": False}
    y = {
        "field": "group",
        "type": "nominal",
        "title": None,
        "sort": order,
        "scale": {"domain": order},  # every panel has every row, so the grid lines up
        "axis": axis,
    }
    x = {
        "field": "mean",
        "type": "quantitative",
        "title": None,
        "scale": x_scale,
        "axis": {"tickCount": 3, "ticks": False},
    }
    bar_encoding: dict[str, Any] = {"x": x, "y": y}
    if bounded:
        bar_encoding["x2"] = {"datum": scale.minimum}
    return {
        "title": {"text": _title(name, lines), "anchor": "start", "align": "left"},
        "data": {"name": data},
        "width": PANEL,
        "height": {"step": 11},
        "layer": [
            {
                "mark": {"type": "bar", "color": WAVE_COLOURS[1], "height": {"band": 0.75}},
                "encoding": bar_encoding,
            },
            {
                "mark": {"type": "rule", "color": INK, "strokeWidth": 1.2},
                "encoding": {
                    "x": {"field": "low", "type": "quantitative"},
                    "x2": {"field": "high"},
                    "y": y,
                },
            },
        ],
    }


def breakdown_grid(
    scales: list[ScaleReport],
    names: dict[str, str],
    columns: list[dict[str, Figure]],
    labels: list[tuple[str, str]],
    title: str,
) -> dict[str, Any] | None:
    """Mean by respondent group with its 95% CI: one small panel per measure, in a grid
    that fits a landscape page (the page stacks one full-width panel per measure)."""
    datasets: dict[str, list[dict[str, Any]]] = {}
    shown: list[tuple[ScaleReport, str]] = []
    for scale, figures in zip(scales, columns, strict=True):
        rows = _panel_rows(figures, labels)
        if rows:
            name = f"panel-{len(shown) + 1}"
            datasets[name] = rows
            shown.append((scale, name))
    if not shown:
        return None
    drawn = {r["group"] for rows in datasets.values() for r in rows}
    order = [label for _, label in labels if label in drawn]
    lines = max(len(textwrap.wrap(names[s.key], TITLE_CHARACTERS)) for s, _ in shown)
    panels = [
        _panel(scale, names[scale.key], data, order, lines, n % COLUMNS == 0)
        for n, (scale, data) in enumerate(shown)
    ]
    spec = {"concat": panels, "columns": COLUMNS, "spacing": {"row": 12, "column": 14}}
    caption = f"Mean by {title} with 95% confidence intervals, one panel per measure."
    return _top(spec, caption, datasets)


# ---------------------------------------------------------------- heat map


HEAT_LABEL = 190  # px for the unit names
HEAT_STEP = 24  # px per unit
HEAT_COLUMN = 150  # px per measure at most
LINE_HEIGHT = 12  # px per line of a 10 px label


def _heat_cells(
    scales: list[ScaleReport], rows: list[UnitRow], headers: dict[str, str]
) -> list[dict[str, Any]]:
    units = unit_labels(rows)
    cells = []
    for row in rows:
        for scale in scales:
            figure = scale.by_unit.get(row.index)
            cell = {"unit": units[row.index], "header": headers[scale.key]}
            if figure is None or figure.suppressed or figure.mean is None:
                # No number of a hidden group: the cell only says it is hidden.
                cell |= {"band": HEAT_BANDS[-1], "text": "Hidden", "ink": INK}
            else:
                cell |= {
                    "band": HEAT_BANDS[figure.level],
                    "text": f"{num(figure.mean)} (n={figure.n})",
                    "ink": INK_ON_DARK if figure.level == 4 else INK,
                }
            cells.append(cell)
    return cells


def heatmap(
    scales: list[ScaleReport], rows: list[UnitRow], names: dict[str, str]
) -> dict[str, Any] | None:
    """Mean per unit and measure, shaded as the page's heat map: the units down the side on
    one line each, the measures' names over their columns in left-aligned lines (the page's
    centred lines are drawn out of step by WeasyPrint), a hidden cell with no number."""
    if not rows or not scales:
        return None
    column = min(HEAT_COLUMN, (WIDTH - HEAT_LABEL) // len(scales))
    headers = {s.key: "\n".join(textwrap.wrap(names[s.key], column // 7)) for s in scales}
    cells = _heat_cells(scales, rows, headers)
    lines = max(header.count("\n") + 1 for header in headers.values())
    x = {
        "field": "header",
        "type": "nominal",
        "title": None,
        "sort": [headers[s.key] for s in scales],
        "axis": {
            "orient": "top",
            "labelAngle": 0,
            "labelAlign": "left",
            # Lines hang down from the first (WeasyPrint drops the shift a raised first
            # line needs), so the padding is the labels' height.
            "labelBaseline": "top",
            "labelLineHeight": LINE_HEIGHT,
            "labelPadding": LINE_HEIGHT * lines + 4,
            "labelOffset": 3 - column / 2,
            "labelExpr": "split(datum.label, '\\n')",
            "labelLimit": 0,
            "ticks": False,
            "domain": False,
        },
    }
    y = {
        "field": "unit",
        "type": "nominal",
        "title": None,
        "sort": list(dict.fromkeys(c["unit"] for c in cells)),
        "axis": {"labelLimit": HEAT_LABEL - 10, "ticks": False, "domain": False},
    }
    colour = {
        "field": "band",
        "type": "nominal",
        "scale": {"domain": HEAT_BANDS, "range": [*HEAT, HIDDEN_FILL]},
        "legend": None,  # the section's legend says what the shades mean
    }
    layer = [
        {
            "mark": {"type": "rect", "stroke": "white", "strokeWidth": 2},
            "encoding": {"x": x, "y": y, "color": colour},
        },
        {
            "mark": {"type": "text", "fontSize": LABEL},
            "encoding": {
                "x": x,
                "y": y,
                "text": {"field": "text", "type": "nominal"},
                "color": {"field": "ink", "type": "nominal", "scale": None},
            },
        },
    ]
    spec = {
        "data": {"name": "cells"},
        "width": column * len(scales),
        "height": {"step": HEAT_STEP},
        "layer": layer,
    }
    caption = "Mean per unit and measure over the unit and everything under it, with n."
    return _top(spec, caption, {"cells": cells})
