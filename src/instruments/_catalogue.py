"""Filter the registered instruments for the web catalogue and the CLI."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from instruments._model import MEASURES, Evidence, Instrument
from instruments._registry import registry

Topic = Literal["licence", "citation", "scoring", "cutoff", "flag"]
# How each topic reads in plain words, in the order a reader meets them on a page.
TOPIC_WORDS: dict[Topic, str] = {
    "licence": "the licence terms",
    "citation": "citation details",
    "scoring": "the scoring",
    "cutoff": "cut-offs",
    "flag": "the safety flag rule",
}


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


@dataclass(frozen=True)
class UnverifiedPart:
    """One part of a definition that was not read in a primary source.

    ``name`` says which one (a scale's or flag's name, a citation's text; empty
    for the licence); ``evidence`` is "S" (read only in a secondary source) or
    "U" (not verified at all, or shipped flagged as unverified).
    """

    topic: Topic
    name: str
    evidence: Evidence


def unverified_parts(instrument: Instrument) -> tuple[UnverifiedPart, ...]:
    """What of ``instrument`` is not verified, read from each part's own evidence tag.

    The definition's ``verification.unverified`` notes are for the people who
    maintain it (tags, field names); readers are told these parts instead.
    """
    scale_names = {s.id: s.name for s in instrument.scales}
    parts: list[UnverifiedPart] = []
    if instrument.licence.evidence != "V":
        parts.append(UnverifiedPart("licence", "", instrument.licence.evidence))
    parts += [
        UnverifiedPart("citation", c.text, c.evidence)
        for c in instrument.citations
        if c.evidence != "V"
    ]
    parts += [
        UnverifiedPart("scoring", s.name, s.evidence)
        for s in instrument.scales
        if s.evidence != "V"
    ]
    for cutoff in instrument.cutoffs:
        if not cutoff.verified:
            # A cut-off read in a primary source but shipped unverified (an ambiguous
            # threshold) counts as unverified.
            evidence: Evidence = cutoff.evidence if cutoff.evidence != "V" else "U"
            parts.append(
                UnverifiedPart("cutoff", scale_names.get(cutoff.scale, cutoff.scale), evidence)
            )
    parts += [
        UnverifiedPart("flag", f.label, f.evidence) for f in instrument.flags if f.evidence != "V"
    ]
    return tuple(parts)


def verification_status(instrument: Instrument) -> str:
    """One phrase for tables: how much of the definition rests on verified facts, in plain words."""
    if instrument.structure_only:
        return "structure only: the items are supplied by the licence holder"
    topics = list(dict.fromkeys(part.topic for part in unverified_parts(instrument)))
    if topics:
        words = [TOPIC_WORDS[topic] for topic in topics]
        listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
        return f"partly verified: {listed} not checked against a primary source"
    if instrument.verification.unverified:
        return "partly verified: some details not checked against a primary source"
    return "verified"
