"""Sector names as the campaign's pages show them, in the visitor's language.

The sectors are ``accounts.Organization.Kind``; the accounts app stays out of the
Spanish catalogue (``make messages`` ignores it), so the campaign, which shows
sectors on public pages, names them here. A kind added to accounts without a
name here falls back to its English label (``tests/campaign`` checks each has one).
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wellbeing.accounts.models import Organization
from wellbeing.surveys.scoring import get_instrument

SECTOR_LABELS: dict[str, Promise] = {
    "health_system": _("Health system"),
    "hospital_clinic": _("Hospital or clinic"),
    "academic": _("Academic or educational institution"),
    "professional_association": _("Professional association"),
    "payer": _("Payer"),
    "regulator": _("Regulator or government"),
    "health_it": _("Health IT company"),
    "other": _("Other"),
}
INDIVIDUAL = _("Individual")
INDIVIDUALS = _("Individuals")  # the heading of individuals' row in counts by sector


def sector_label(kind: str | None) -> Promise | str:
    """The name of an organization's ``kind``; None (no organization) is an individual."""
    if kind is None:
        return INDIVIDUAL
    if kind in SECTOR_LABELS:
        return SECTOR_LABELS[kind]
    return dict(Organization.Kind.choices).get(kind, kind)


def sector_choices() -> list[tuple[str, Promise | str]]:
    """The sign-on form's choices, in the order accounts defines the kinds."""
    return [(kind, sector_label(kind)) for kind in Organization.Kind.values]


def scale_label(key: str) -> str:
    """A metric's survey scale, stored as "<instrument>.<scale>", as people read it:
    "Single-item burnout measure: Burnout rating (1-5)". A key no instrument knows any more
    shows as stored rather than failing the page."""
    instrument_id, _dot, scale_id = key.partition(".")
    try:
        instrument = get_instrument(instrument_id)
    except ValueError:
        return key
    scale = next((s for s in instrument.scales if s.id == scale_id), None)
    return f"{instrument.name}: {scale.name}" if scale is not None else instrument.name
