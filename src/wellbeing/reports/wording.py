"""Plain words for a report's figures: what a scale is, and what a change means for people.

A signed number ("Mean down -14.6", a "CHANGED" tag) leaves the reader to work out whether
down is good news; on a burnout scale it is, on a well-being index it is not. These
functions say it, from the scale's own direction (``higher_is`` in the instrument
definition), and keep the test's verdict in words a reader can act on.
"""

from dataclasses import dataclass

from wellbeing.reports.build import Change, ScaleReport
from wellbeing.reports.templatetags.wellbeing_reports import change_way, num
from wellbeing.surveys.scoring import get_instrument


@dataclass(frozen=True)
class ChangeWords:
    """A change since the previous wave, in words (see :func:`describe_change`)."""

    verdict: str  # "Worse than Spring 2026", "No clear change from Spring 2026"
    amount: str  # "mean 14.6 points lower", "share burned out 8 percentage points lower (better)"
    chance: str  # "a change this large is unlikely to be chance (p = 0.003)"
    interval: str  # "95% confidence interval of the change: -18.0 to -11.2 points"
    significant: bool


def instrument_name(scale: ScaleReport) -> str:
    """The instrument's own name, as its definition file gives it ("WHO-5 Well-Being Index")."""
    return get_instrument(scale.instrument).name


def measure_name(scale: ScaleReport) -> str:
    """The instrument and the scale in one label: "WHO-5 Well-Being Index: Raw score (0-25)"."""
    return f"{instrument_name(scale)}: {scale.name}"


def range_words(scale: ScaleReport) -> str:
    """ "from 0 to 25, higher is better"; "" when the instrument declares no range or direction."""
    parts = []
    if scale.minimum is not None and scale.maximum is not None:
        parts.append(f"from {scale.minimum:g} to {scale.maximum:g}")
    if scale.higher_is:
        parts.append(f"higher is {scale.higher_is}")
    return ", ".join(parts)


def describe_change(
    change: Change | None,
    *,
    higher_is: str | None,
    since: str,
    share_label: str = "",
) -> ChangeWords | None:
    """``change`` (of a mean, or of a share when ``share_label`` is given) in words.

    The verdict names the direction for people ("Better", "Worse") only where the change is
    unlikely to be chance (its 95% interval excludes zero), or where no test could run
    because everyone gave the same score within each wave (the change is then exact);
    otherwise it says there is no clear change, and the amount still says which way the
    figure moved. None when no change was worked out (``change.reason`` says why).
    """
    if change is None or change.difference is None:
        return None
    difference = change.difference
    way = change_way(difference, higher_is)
    # No test ran where everyone gave the same score within each wave: the change is then
    # exactly what these respondents show, not an estimate chance could blur.
    untested = change.p_value is None
    clear = (change.significant or untested) and bool(difference)
    if clear:
        than = "than" if higher_is else "than in"
        verdict = f"{way.capitalize()} {than} {since}"
    else:
        verdict = f"No clear change from {since}"
    if untested:
        chance = "no test: everyone gave the same score within each wave"
    elif change.significant:
        chance = f"a change this large is unlikely to be chance ({p_value(change.p_value)})"
    else:
        chance = f"within what chance alone could produce ({p_value(change.p_value)})"
    amount = _amount(difference, share_label)
    if higher_is and difference and not clear:
        amount += f" ({way})"
    return ChangeWords(
        verdict=verdict,
        amount=amount,
        chance=chance,
        interval=_interval(change.ci, share_label),
        significant=change.significant,
    )


def p_value(p: float) -> str:
    """ "p = 0.003", "p = 0.21", "p < 0.001": enough digits to read, never "p = 0"."""
    if p < 0.001:
        return "p < 0.001"
    if p < 0.01:
        return f"p = {p:.3f}"
    return f"p = {min(p, 1.0):.2f}".replace("1.00", "1")


def _amount(difference: float, share_label: str) -> str:
    if not difference:
        return f"share {share_label} unchanged" if share_label else "mean unchanged"
    if share_label:
        points = f"{100 * abs(difference):.0f}"
        unit = "percentage point" if points == "1" else "percentage points"
        where = "higher" if difference > 0 else "lower"
        return f"share {share_label} {points} {unit} {where}"
    size = num(abs(difference))
    unit = "point" if size == "1" else "points"
    return f"mean {size} {unit} {'higher' if difference > 0 else 'lower'}"


def _interval(ci: tuple[float, float] | None, share_label: str) -> str:
    if ci is None:
        return ""
    if share_label:
        low, high = (f"{100 * v:.0f}" for v in ci)
        return f"95% confidence interval of the change: {low} to {high} percentage points"
    return f"95% confidence interval of the change: {num(ci[0])} to {num(ci[1])} points"


def headline_cards(headline: list[dict], since: str | None) -> list[dict]:
    """The headline's figures (``door.Reading.headline``) with their words: the instrument,
    the scale's range and direction, and each change since ``since`` (the previous wave's
    name; None when there is no previous wave)."""
    cards = []
    for h in headline:
        scale = h["scale"]
        words = rate_words = None
        if since is not None:
            words = describe_change(h["change"], higher_is=scale.higher_is, since=since)
            rate_words = describe_change(
                h["rate_change"],
                higher_is=scale.higher_is,
                since=since,
                share_label=scale.share_label,
            )
        cards.append(
            {
                **h,
                "instrument": instrument_name(scale),
                "range": range_words(scale),
                "change_words": words,
                "rate_words": rate_words,
            }
        )
    return cards


def unbounded_measures(scales: list[ScaleReport]) -> list[str]:
    """Measures without a declared range, whose intervals are plain t intervals."""
    return [measure_name(s) for s in scales if s.minimum is None or s.maximum is None]
