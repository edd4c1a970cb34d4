"""Score ranges and cross-reference checks of a parsed definition.

Kept apart from the TOML reader so the conformance suite and the schema share
one notion of a scale's range: the range is what cut-offs are checked against.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Mapping

from instruments._model import ITEM_METHODS, Band, Instrument, Item, Scale

MakeError = Callable[[str, str], ValueError]


def scale_range(scale: Scale, items: Mapping[str, Item], earlier: Mapping[str, Scale]) -> Scale:
    """Return ``scale`` with ``minimum``/``maximum`` derived from what it aggregates."""
    if scale.multiplier <= 0:
        raise ValueError(f"multiplier: expected a number > 0, got {scale.multiplier!r}")
    if scale.method in ITEM_METHODS:
        return _item_scale_range(scale, items)
    if scale.method == "external":
        if scale.items or scale.scales:
            raise ValueError(
                "external scales are scored by the licence holder: give no items or scales"
            )
        return scale
    if scale.items or scale.minimum is not None or scale.maximum is not None:
        raise ValueError(
            f"method {scale.method!r}: expected scales = [...] only (no items, minimum, maximum)"
        )
    parts = _earlier_scales(scale, earlier)
    if scale.method == "mean_of_scales":
        low = sum(cast_float(p.minimum) for p in parts) / len(parts)
        high = sum(cast_float(p.maximum) for p in parts) / len(parts)
        return dataclasses.replace(
            scale, minimum=low * scale.multiplier, maximum=high * scale.multiplier
        )
    if scale.threshold is None:
        raise ValueError("threshold: required for method 'count_above'")
    return dataclasses.replace(scale, minimum=0.0, maximum=float(len(parts)))


def cast_float(value: float | None) -> float:
    if value is None:
        raise ValueError("scale range is unknown")
    return value


def _item_scale_range(scale: Scale, items: Mapping[str, Item]) -> Scale:
    if not scale.items or scale.scales:
        raise ValueError(f"method {scale.method!r}: expected a non-empty items list and no scales")
    if scale.minimum is not None or scale.maximum is not None:
        raise ValueError(
            "minimum/maximum: derived from the items; declare them only for external scales"
        )
    if len(set(scale.items)) != len(scale.items):
        raise ValueError(f"items: expected unique item ids, got {list(scale.items)}")
    unknown = [i for i in scale.items if i not in items]
    if unknown:
        raise ValueError(f"items: unknown item id(s) {unknown}; expected ids from [[items]]")
    n = len(scale.items)
    min_answered = n if scale.min_answered is None else scale.min_answered
    if not 1 <= min_answered <= n:
        raise ValueError(f"min_answered: expected 1..{n}, got {min_answered}")
    ranges = {(items[i].option_set.min_value, items[i].option_set.max_value) for i in scale.items}
    if len(ranges) != 1:
        # A mean or prorated sum over items with different ranges has no clean range.
        raise ValueError(f"items: expected one shared value range, got {sorted(ranges)}")
    ((low, high),) = ranges
    factor = scale.multiplier * (n if scale.method == "sum" else 1)
    return dataclasses.replace(
        scale, min_answered=min_answered, minimum=low * factor, maximum=high * factor
    )


def _earlier_scales(scale: Scale, earlier: Mapping[str, Scale]) -> list[Scale]:
    if not scale.scales:
        raise ValueError(f"scales: method {scale.method!r} needs a non-empty list of scale ids")
    missing = [s for s in scale.scales if s not in earlier]
    if missing:
        raise ValueError(f"scales: {missing} must be declared earlier in [[scales]]")
    parts = [earlier[s] for s in scale.scales]
    if any(p.method == "external" for p in parts):
        raise ValueError("scales: composites of external scales cannot be scored here")
    return parts


def check_cross_references(instrument: Instrument, error: MakeError) -> None:
    """Ids unique, references resolvable, bands ordered and inside the scale range."""
    for kind, ids in (
        ("items", [i.id for i in instrument.items]),
        ("scales", [s.id for s in instrument.scales]),
        ("cutoffs", [c.id for c in instrument.cutoffs]),
        ("flags", [f.id for f in instrument.flags]),
    ):
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise error(kind, f"expected unique ids, got duplicates {duplicates}")
    _check_structure(instrument, error)
    scales = {s.id: s for s in instrument.scales}
    for index, cutoff in enumerate(instrument.cutoffs):
        where = f"cutoffs[{index}]"
        if cutoff.scale not in scales:
            raise error(f"{where}.scale", f"expected one of {list(scales)}, got {cutoff.scale!r}")
        problem = band_problem(cutoff.bands, scales[cutoff.scale])
        if problem:
            raise error(f"{where}.bands", problem)
    for index in range(len(instrument.flags)):
        _check_flag(instrument, index, error)


def _check_structure(instrument: Instrument, error: MakeError) -> None:
    external = [s.id for s in instrument.scales if s.method == "external"]
    if instrument.structure_only:
        if instrument.items:
            raise error("items", "structure_only instruments ship no items")
        if len(external) != len(instrument.scales):
            raise error(
                "scales", "structure_only instruments declare only method = 'external' scales"
            )
    elif external:
        raise error(
            "scales", f"method 'external' is only for structure_only instruments: {external}"
        )


def band_problem(bands: tuple[Band, ...], scale: Scale) -> str:
    """Why a cut-off's bands are unusable on ``scale`` ('' when they are fine)."""
    typed = list(bands)
    if len(typed) < 2:
        return f"expected at least two bands, got {len(typed)}"
    for low, high in itertools.pairwise(typed):
        ordered = low.lower < high.lower or (
            low.lower == high.lower and not low.exclusive and high.exclusive
        )
        if not ordered:
            return f"expected ascending lower bounds, got {low.lower!r} then {high.lower!r}"
    if scale.minimum is not None and typed[0].lower > scale.minimum:
        return f"first band starts at {typed[0].lower!r}, above the scale minimum {scale.minimum!r}"
    for band in typed:
        outside = (scale.minimum is not None and band.lower < scale.minimum) or (
            scale.maximum is not None and band.lower > scale.maximum
        )
        if band is not typed[0] and outside:
            return (
                f"cut-off {band.lower!r} is outside the score range "
                f"[{scale.minimum!r}, {scale.maximum!r}] of scale {scale.id!r}"
            )
    return ""


def _check_flag(instrument: Instrument, index: int, error: MakeError) -> None:
    flag = instrument.flags[index]
    where = f"flags[{index}]"
    known = set(instrument.item_ids)
    unknown = [i for i in flag.items if i not in known]
    if not flag.items or unknown:
        raise error(f"{where}.items", f"expected item ids from [[items]], got {list(flag.items)}")
    if flag.min_code > flag.max_code:
        raise error(
            f"{where}.min_code", f"expected <= max_code {flag.max_code}, got {flag.min_code}"
        )
    for item_id in flag.items:
        codes = instrument.item(item_id).option_set.codes
        if not any(flag.min_code <= c <= flag.max_code for c in codes):
            raise error(
                f"{where}", f"no code of item {item_id!r} ({list(codes)}) can raise this flag"
            )
