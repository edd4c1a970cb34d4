from dataclasses import dataclass
from decimal import Decimal

from django import template
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from wellbeing.campaign import labels
from wellbeing.campaign.queries import GrowthPoint

register = template.Library()


@register.filter
def scale_name(key: str) -> str:
    """A metric's survey scale by the names of its instrument and scale, not its stored key."""
    return labels.scale_label(key)


@register.filter
def plain_number(value: Decimal | None) -> str:
    """12.5000 -> "12.5", 100 -> "100" (``normalize`` alone would print 1E+2)."""
    if value is None:
        return ""
    text = f"{value.normalize():f}"
    return text


@dataclass(frozen=True)
class ChartBox:
    """The growth chart's drawing area inside its viewBox, in viewBox units.

    The margins hold the axis labels: the left one the y-axis title (rotated) and the tick
    numbers, the bottom one the month labels. The viewBox is small (480 wide) so the 14-unit
    text stays about 10 px high when a phone shrinks the chart to its 358 px column.
    """

    width: int = 480
    height: int = 240
    left: int = 56
    right: int = 8
    top: int = 12
    bottom: int = 32
    font: int = 14

    @property
    def baseline(self) -> int:
        return self.height - self.bottom

    @property
    def plot_width(self) -> int:
        return self.width - self.left - self.right


BOX = ChartBox()
MIN_LABEL_GAP = 80  # viewBox units between two month labels ("Sep 2026" is about 60 wide)


@register.simple_tag
def growth_chart(points: list[GrowthPoint], title_id: str) -> SafeString:
    """Cumulative participants per month as an SVG bar chart; the table next to it holds the data.

    Plain SVG attributes only: the Content-Security-Policy forbids inline styles. Every
    label sits inside the viewBox: the first month's label starts at its bar, the last one
    ends at its bar, so neither is cut at the chart's edge.
    """
    if not points:
        return SafeString("")
    peak = max(p.total for p in points) or 1
    step = BOX.plot_width / len(points)
    parts = [
        f'<svg class="wb-growth-chart" viewBox="0 0 {BOX.width} {BOX.height}" role="img" '
        f'aria-labelledby="{escape(title_id)}" xmlns="http://www.w3.org/2000/svg">',
        *_axes(peak),
    ]
    for i, point in enumerate(points):
        parts.append(_bar(i, point, peak, step))
    parts += _month_labels(points, step)
    parts.append("</svg>")
    return SafeString("".join(parts))


def _text(x: float, y: float, label: str, anchor: str = "start", extra: str = "") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{BOX.font}" '
        f'fill="#1b1b1b"{extra}>{escape(label)}</text>'
    )


def _axes(peak: int) -> list[str]:
    """The baseline, the 0 and peak ticks, and the y-axis title turned to run upwards."""
    middle = (BOX.top + BOX.baseline) / 2
    turn = f' transform="rotate(-90 {BOX.font:.1f} {middle:.1f})"'
    return [
        f'<line x1="{BOX.left}" y1="{BOX.baseline}" x2="{BOX.width - BOX.right}" '
        f'y2="{BOX.baseline}" stroke="#565c65"/>',
        _text(BOX.left - 6, BOX.top + BOX.font * 0.7, str(peak), "end"),
        _text(BOX.left - 6, BOX.baseline, "0", "end"),
        _text(BOX.font, middle, gettext("Participants"), "middle", turn),
    ]


def _bar(i: int, point: GrowthPoint, peak: int, step: float) -> str:
    width = min(24.0, max(2.0, step * 0.7))
    height = (BOX.baseline - BOX.top) * point.total / peak
    x = BOX.left + i * step + (step - width) / 2
    return (
        f'<rect x="{x:.1f}" y="{BOX.baseline - height:.1f}" width="{width:.1f}" '
        f'height="{height:.1f}" fill="#005ea2"/>'
    )


def _month_labels(points: list[GrowthPoint], step: float) -> list[str]:
    """The first and last months and each January between them that has room for its label."""
    last = len(points) - 1
    y = BOX.height - 10
    centre = [BOX.left + (i + 0.5) * step for i in range(len(points))]
    labels = [_text(centre[0] - step / 2, y, date_format(points[0].month, "M Y"))]
    if last:
        end = centre[last] + step / 2
        labels.append(_text(end, y, date_format(points[last].month, "M Y"), "end"))
    for i, point in enumerate(points[1:last], start=1):
        roomy = centre[i] - centre[0] >= MIN_LABEL_GAP and centre[last] - centre[i] >= MIN_LABEL_GAP
        if point.month.month == 1 and roomy:
            labels.append(_text(centre[i], y, date_format(point.month, "M Y"), "middle"))
    return labels
