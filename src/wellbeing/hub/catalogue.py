"""The instrument catalogue as readers see it: codes named in words, verification in plain terms.

``instruments`` describes each instrument for the people who maintain the definitions:
measures and populations are codes (``work-environment``, ``primary-care-patients``),
and notes carry evidence tags (``[V]``, ``[S]``, ``[U]``) and pointers into the
project's reference file. The hub's pages show names in the reader's language, say
which parts are not verified, and keep the definitions' English text without the tags.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import instruments
from instruments import Instrument

MEASURES = {
    "burnout": gettext_lazy("burnout"),
    "engagement": gettext_lazy("engagement"),
    "professional-fulfilment": gettext_lazy("professional fulfilment"),
    "well-being": gettext_lazy("well-being"),
    "depression": gettext_lazy("depression"),
    "anxiety": gettext_lazy("anxiety"),
    "stress": gettext_lazy("stress"),
    "work-environment": gettext_lazy("work environment"),
}
POPULATIONS = {
    "physicians": gettext_lazy("physicians"),
    "residents": gettext_lazy("residents"),
    "nurses": gettext_lazy("nurses"),
    "clinicians": gettext_lazy("clinicians"),
    "health-workers": gettext_lazy("health workers"),
    "primary-care-staff": gettext_lazy("primary care staff"),
    "primary-care-patients": gettext_lazy("primary care patients"),
    "patients": gettext_lazy("patients"),
    "workers": gettext_lazy("workers"),
    "general-population": gettext_lazy("the general population"),
}
COMMERCIAL_USE = {
    "allowed": gettext_lazy("Allowed"),
    "permission-required": gettext_lazy("Only with permission"),
    "prohibited": gettext_lazy("Not allowed"),
    "unknown": gettext_lazy("Unknown"),
}
# Evidence tags, and pointers into the project's reference file, mean nothing to a reader.
_TAG = re.compile(r"\s*\[(?:V|S|U|V-prior|U inference)\]")
_REFERENCE = re.compile(r"\s*\((?:see )?reference section [^)]*\)|^Reference section \d+:\s*", re.I)
_SHIPPED = re.compile(r"shipped flagged(?: as unverified)?", re.I)
_UNVERIFIED_LABEL = re.compile(r"\s*\[unverified (?:cut-off|threshold)\]")


def plain(text: str) -> str:
    """A definition's English note without evidence tags or pointers into the reference file."""
    text = _SHIPPED.sub("marked as unverified", _REFERENCE.sub("", _TAG.sub("", text)))
    return " ".join(text.split())


def _words(codes, names) -> list[str]:
    return [str(names.get(code, code.replace("-", " "))) for code in codes]


@dataclass(frozen=True)
class Summary:
    """One instrument for the catalogue's table and the top of its page."""

    instrument: Instrument
    measures: str
    populations: str
    commercial_use: str
    status: str  # a word or two, for the catalogue's table
    status_detail: str  # a sentence, for the instrument's page
    unverified: tuple[str, ...]


def summary(instrument: Instrument) -> Summary:
    return Summary(
        instrument=instrument,
        measures=", ".join(_words(instrument.measures, MEASURES)),
        populations=", ".join(_words(instrument.populations, POPULATIONS)),
        commercial_use=str(COMMERCIAL_USE.get(instrument.licence.commercial_use, "")),
        status=_status(instrument),
        status_detail=_status_detail(instrument),
        unverified=tuple(_part(p) for p in instruments.unverified_parts(instrument)),
    )


def _status(instrument: Instrument) -> str:
    if instrument.structure_only:
        return _("Licensed")
    if instruments.unverified_parts(instrument) or instrument.verification.unverified:
        return _("Partly verified")
    return _("Verified")


def _status_detail(instrument: Instrument) -> str:
    if instrument.structure_only:
        return _("Licensed: the items are supplied by the licence holder")
    if instruments.unverified_parts(instrument):
        return _("Partly verified: the parts listed below were not checked in a primary source")
    if instrument.verification.unverified:
        return _("Partly verified: some details were not checked in a primary source")
    return _("Verified against primary sources")


def _part(part) -> str:
    """One unverified part in a sentence: what it is, and how far it was checked."""
    how = (
        _("read only in a secondary source")
        if part.evidence == "S"
        else _("not verified in any source we could read")
    )
    what = {
        "licence": _("The licence terms"),
        "citation": _("The citation “%(name)s”"),
        "scoring": _("The scoring of “%(name)s”"),
        "cutoff": _("The cut-off for “%(name)s”"),
        "flag": _("The rule for the flag “%(name)s”"),
    }[part.topic] % {"name": plain(part.name)}
    return _("%(what)s: %(how)s.") % {"what": what, "how": how}


@dataclass(frozen=True)
class Band:
    bound: str
    label: str


@dataclass(frozen=True)
class Cutoff:
    scale: str
    population: str
    verified: bool
    bands: tuple[Band, ...]
    source: str
    note: str


def cutoffs(instrument: Instrument) -> tuple[Cutoff, ...]:
    """The instrument's cut-offs named by their scale, with bands in words.

    An unverified cut-off's own note is a maintainer's instruction ("verify in
    the article"), so readers get a plain warning instead.
    """
    names = {s.id: s.name for s in instrument.scales}
    return tuple(
        Cutoff(
            scale=names.get(c.scale, c.scale),
            population=str(POPULATIONS.get(c.population or "", c.population or "")),
            verified=c.verified,
            bands=tuple(_band(b) for b in c.bands),
            source=plain(c.source),
            note=plain(c.note) if c.verified else "",
        )
        for c in instrument.cutoffs
    )


def _band(band) -> Band:
    lower = f"{band.lower:g}"
    bound = _("above %(n)s") if band.exclusive else _("%(n)s and above")
    # The "Unverified" tag beside the heading says what the label's suffix said.
    return Band(bound=bound % {"n": lower}, label=_UNVERIFIED_LABEL.sub("", band.label))


@dataclass(frozen=True)
class Details:
    """The definition's own English text for the instrument page, without maintainer tags."""

    licence_name: str
    permitted_use: str
    licence_notes: str
    advantages: tuple[str, ...]
    disadvantages: tuple[str, ...]
    citations: tuple[tuple[str, str], ...]


def details(instrument: Instrument) -> Details:
    licence = instrument.licence
    return Details(
        licence_name=plain(licence.name),
        permitted_use=plain(licence.permitted_use),
        licence_notes=plain(licence.notes),
        advantages=tuple(plain(a) for a in instrument.advantages),
        disadvantages=tuple(plain(d) for d in instrument.disadvantages),
        citations=tuple((plain(c.text), c.url or "") for c in instrument.citations),
    )
