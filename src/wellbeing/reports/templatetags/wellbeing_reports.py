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
def change_way(difference: float | None, higher_is: str | None) -> str:
    """What a change means on the scale: "better"/"worse" where the scale has a direction
    (higher burnout is worse, higher well-being better), else "higher"/"lower"."""
    if not difference:
        return "unchanged"
    up = difference > 0
    if higher_is in ("better", "worse"):
        return "better" if up == (higher_is == "better") else "worse"
    return "higher" if up else "lower"


@register.filter
def get(mapping, key):
    if mapping is None:
        return None
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return None
