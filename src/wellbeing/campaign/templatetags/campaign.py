from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def plain_number(value: Decimal | None) -> str:
    """12.5000 -> "12.5", 100 -> "100" (``normalize`` alone would print 1E+2)."""
    if value is None:
        return ""
    text = f"{value.normalize():f}"
    return text
