"""Number formatting for reports: one place, so every page and export rounds alike."""

from django import template

register = template.Library()


@register.filter
def num(value: float | None) -> str:
    return (
        "—"
        if value is None
        else f"{value:.2f}".rstrip("0").rstrip(".")
        if abs(value) < 10
        else f"{value:.1f}"
    )


@register.filter
def percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f}%"


@register.filter
def percent_points(value: float | None) -> str:
    return "—" if value is None else f"{100 * abs(value):.0f} percentage points"


@register.filter
def interval(pair: tuple[float, float] | None) -> str:
    return "—" if not pair else f"{num(pair[0])} to {num(pair[1])}"


@register.filter
def percent_interval(pair: tuple[float, float] | None) -> str:
    return "—" if not pair else f"{100 * pair[0]:.0f}% to {100 * pair[1]:.0f}%"


@register.filter
def get(mapping, key):
    if mapping is None:
        return None
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return None
