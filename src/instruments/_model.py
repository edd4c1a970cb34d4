"""Immutable objects an instrument definition file is loaded into.

No logic beyond derived read-only properties: parsing and validation live in
``_schema``, computation in ``_engine``. Every fact carries its evidence tag
(``V`` seen in the cited source, ``S`` second-hand with the source recorded,
``U`` unchecked) so the web catalogue can show what was verified.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Evidence = Literal["V", "S", "U"]
CommercialUse = Literal["allowed", "permission-required", "prohibited", "unknown"]
ScaleMethod = Literal["sum", "mean", "mean_of_scales", "count_above", "external"]
FlagKind = Literal["safety", "screen"]

EVIDENCE_VALUES: tuple[str, ...] = ("V", "S", "U")
COMMERCIAL_USE_VALUES: tuple[str, ...] = ("allowed", "permission-required", "prohibited", "unknown")
SCALE_METHODS: tuple[str, ...] = ("sum", "mean", "mean_of_scales", "count_above", "external")
ITEM_METHODS: tuple[str, ...] = ("sum", "mean")
FLAG_KINDS: tuple[str, ...] = ("safety", "screen")
MEASURES: tuple[str, ...] = (
    "burnout",
    "engagement",
    "professional-fulfilment",
    "well-being",
    "depression",
    "anxiety",
    "stress",
    "work-environment",
)


@dataclass(frozen=True)
class Citation:
    text: str
    evidence: Evidence
    url: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Licence:
    name: str
    permitted_use: str
    commercial_use: CommercialUse
    evidence: Evidence
    notes: str = ""
    attribution: str | None = None
    url: str | None = None

    @property
    def commercial_use_allowed(self) -> bool:
        """True only when commercial use needs no further permission."""
        return self.commercial_use == "allowed"


@dataclass(frozen=True)
class Option:
    code: int
    value: float
    label: str | None = None


@dataclass(frozen=True)
class OptionSet:
    id: str
    options: tuple[Option, ...]
    evidence: Evidence
    source: str
    labels_supplied_by_licensee: bool = False

    @property
    def codes(self) -> tuple[int, ...]:
        return tuple(o.code for o in self.options)

    @property
    def min_value(self) -> float:
        return min(o.value for o in self.options)

    @property
    def max_value(self) -> float:
        return max(o.value for o in self.options)


@dataclass(frozen=True)
class Item:
    id: str
    option_set: OptionSet
    text: str | None = None
    text_supplied_by_licensee: bool = False
    reverse: bool = False
    topic: str | None = None
    stem: str | None = None

    def value_of(self, code: int) -> float:
        """The scored value of a response code, after reverse keying."""
        for option in self.option_set.options:
            if option.code == code:
                if self.reverse:
                    return self.option_set.min_value + self.option_set.max_value - option.value
                return option.value
        raise ValueError(
            f"code: expected one of {list(self.option_set.codes)} for item {self.id!r}, got {code!r}"
        )


@dataclass(frozen=True)
class Scale:
    """One score an instrument produces (a subscale, a total, a composite)."""

    id: str
    name: str
    method: ScaleMethod
    evidence: Evidence
    source: str
    items: tuple[str, ...] = ()
    scales: tuple[str, ...] = ()
    multiplier: float = 1.0
    threshold: float | None = None
    min_answered: int | None = None
    higher_is: Literal["better", "worse"] | None = None
    minimum: float | None = None
    maximum: float | None = None
    note: str = ""


@dataclass(frozen=True)
class Band:
    """Scores at or above ``lower`` (strictly above when ``exclusive``) get ``label``."""

    lower: float
    label: str
    exclusive: bool = False


@dataclass(frozen=True)
class Cutoff:
    id: str
    scale: str
    bands: tuple[Band, ...]
    evidence: Evidence
    verified: bool
    source: str
    note: str = ""
    population: str | None = None


@dataclass(frozen=True)
class Flag:
    """Raised for a response when any listed item's code is in [min_code, max_code]."""

    id: str
    label: str
    kind: FlagKind
    items: tuple[str, ...]
    min_code: int
    max_code: int
    evidence: Evidence
    source: str
    note: str = ""


@dataclass(frozen=True)
class MissingData:
    description: str
    basis: str


@dataclass(frozen=True)
class Verification:
    checked: tuple[str, ...]
    unverified: tuple[str, ...] = ()
    left_out: tuple[str, ...] = ()


@dataclass(frozen=True)
class Translation:
    """A published translation of the wording, shipped only with the stored copy it was read in.

    Only wording: codes, values, scales and cut-offs stay the original's, so a response
    scores the same in every language. ``options`` pairs each option set's id with one
    label per option, in the option set's order.
    """

    language: str
    items: tuple[str, ...]
    options: tuple[tuple[str, tuple[str, ...]], ...]
    source: str
    evidence: Evidence
    stem: str | None = None
    note: str = ""

    def labels(self, option_set_id: str) -> tuple[str, ...]:
        for set_id, labels in self.options:
            if set_id == option_set_id:
                return labels
        known = [set_id for set_id, _labels in self.options]
        raise KeyError(f"option_set_id: expected one of {known}, got {option_set_id!r}")


@dataclass(frozen=True)
class Instrument:
    """A validated instrument as declared in its definition file."""

    id: str
    name: str
    version: str
    description: str
    measures: tuple[str, ...]
    populations: tuple[str, ...]
    languages: tuple[str, ...]
    citations: tuple[Citation, ...]
    licence: Licence
    items: tuple[Item, ...]
    scales: tuple[Scale, ...]
    cutoffs: tuple[Cutoff, ...]
    flags: tuple[Flag, ...]
    missing_data: MissingData
    advantages: tuple[str, ...]
    disadvantages: tuple[str, ...]
    verification: Verification
    structure_only: bool = False
    recall_period: str | None = None
    stem: str | None = None
    translations: tuple[Translation, ...] = ()
    source_file: str = field(default="", compare=False)

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(item.id for item in self.items)

    @property
    def n_items(self) -> int:
        return len(self.items)

    @property
    def scale_ids(self) -> tuple[str, ...]:
        return tuple(scale.id for scale in self.scales)

    @property
    def safety_flags(self) -> tuple[Flag, ...]:
        return tuple(flag for flag in self.flags if flag.kind == "safety")

    @property
    def text_supplied_by_licensee(self) -> bool:
        """True when any item's wording must come from the licence holder."""
        return any(item.text_supplied_by_licensee for item in self.items)

    def translation(self, language: str) -> Translation | None:
        """The shipped translation into ``language``, or None (the wording stays English)."""
        return next((t for t in self.translations if t.language == language), None)

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(f"item_id: expected one of {list(self.item_ids)}, got {item_id!r}")

    def scale(self, scale_id: str) -> Scale:
        for scale in self.scales:
            if scale.id == scale_id:
                return scale
        raise KeyError(f"scale_id: expected one of {list(self.scale_ids)}, got {scale_id!r}")

    def cutoff(self, cutoff_id: str) -> Cutoff:
        for cutoff in self.cutoffs:
            if cutoff.id == cutoff_id:
                return cutoff
        known = [c.id for c in self.cutoffs]
        raise KeyError(f"cutoff_id: expected one of {known}, got {cutoff_id!r}")
