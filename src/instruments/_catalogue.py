"""Filter the registered instruments for the web catalogue and the CLI."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from instruments._model import MEASURES, Instrument
from instruments._registry import registry


def catalogue(
    *,
    measures: str | None = None,
    population: str | None = None,
    commercial_use_allowed: bool | None = None,
    max_items: int | None = None,
    include_structure_only: bool = True,
    paths: Iterable[str | Path] = (),
) -> tuple[Instrument, ...]:
    """Instruments matching every given filter, shortest first (then by id).

    ``measures``: one of ``MEASURES`` (e.g. "burnout"); ``population``: e.g.
    "nurses"; ``commercial_use_allowed``: True keeps only instruments whose
    licence allows commercial use without permission; ``max_items``: at most
    this many items (structure-only entries have none and are kept unless
    ``include_structure_only`` is False).
    """
    if measures is not None and measures not in MEASURES:
        raise ValueError(f"measures: expected one of {list(MEASURES)}, got {measures!r}")
    if max_items is not None and max_items < 1:
        raise ValueError(f"max_items: expected an integer >= 1, got {max_items!r}")
    found = [
        instrument
        for instrument in registry(paths).values()
        if (measures is None or measures in instrument.measures)
        and (population is None or population in instrument.populations)
        and (
            commercial_use_allowed is None
            or instrument.licence.commercial_use_allowed == commercial_use_allowed
        )
        and (max_items is None or instrument.n_items <= max_items)
        and (include_structure_only or not instrument.structure_only)
    ]
    return tuple(sorted(found, key=lambda i: (i.n_items, i.id)))


def verification_status(instrument: Instrument) -> str:
    """One phrase for tables: how much of the definition rests on verified facts."""
    unverified_cutoffs = [c.id for c in instrument.cutoffs if not c.verified]
    if instrument.structure_only:
        return "structure only (proprietary)"
    if instrument.verification.unverified or unverified_cutoffs:
        return "partly verified (see verification.unverified)"
    return "verified"
