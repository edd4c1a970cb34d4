from decimal import Decimal

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString

from wellbeing.campaign.queries import GrowthPoint

register = template.Library()


@register.filter
def plain_number(value: Decimal | None) -> str:
    """12.5000 -> "12.5", 100 -> "100" (``normalize`` alone would print 1E+2)."""
    if value is None:
        return ""
    text = f"{value.normalize():f}"
    return text


@register.simple_tag
def growth_chart(points: list[GrowthPoint], title_id: str) -> SafeString:
    """Cumulative participants per month as an SVG bar chart; the table next to it holds the data.

    Plain SVG attributes only: the Content-Security-Policy forbids inline styles.
    """
    if not points:
        return SafeString("")
    width, height, left, bottom, top = 640, 220, 40, 28, 12
    peak = max(p.total for p in points) or 1
    step = (width - left - 8) / len(points)
    bar = min(24.0, max(2.0, step * 0.7))
    parts = [
        f'<svg class="wb-growth-chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{escape(title_id)}" xmlns="http://www.w3.org/2000/svg">',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" '
        'stroke="#565c65"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" font-size="11" fill="#1b1b1b">'
        f"{peak}</text>",
        f'<text x="{left - 6}" y="{height - bottom}" text-anchor="end" font-size="11" '
        'fill="#1b1b1b">0</text>',
    ]
    for i, point in enumerate(points):
        h = (height - bottom - top) * point.total / peak
        x = left + 4 + i * step
        parts.append(
            f'<rect x="{x:.1f}" y="{height - bottom - h:.1f}" width="{bar:.1f}" '
            f'height="{h:.1f}" fill="#005ea2"/>'
        )
        if i == 0 or i == len(points) - 1 or point.month.month == 1:
            parts.append(
                f'<text x="{x:.1f}" y="{height - 10}" font-size="11" fill="#1b1b1b">'
                f"{point.month:%b %Y}</text>"
            )
    parts.append("</svg>")
    return SafeString("".join(parts))
