"""Resolve an open link to its wave, survey version, organization and unit, quickly.

Every page of an open-link survey, and above all its final submit, starts by resolving the
link: a five-table join whose query building costs more than the response's own writes.
The resolved link is therefore kept in this process for ``TTL`` seconds. Nothing that a
stale copy could get wrong is left to it:

- whether the wave takes responses is checked again inside the submit transaction
  (``actions.submit_response``), against the database;
- saving or deleting a wave, survey, version, link, unit or organization empties the cache
  of this process at once, and other processes see the change within ``TTL`` seconds (the
  wording of a licensed instrument, for instance).
"""

from __future__ import annotations

import time

from django.db.models.signals import post_delete, post_save

from wellbeing.accounts.models import Organization, Unit
from wellbeing.surveys.models import OpenLink, Survey, SurveyVersion, Wave

TTL = 5.0
MAX_ENTRIES = 10_000

_resolved: dict[str, tuple[float, OpenLink]] = {}


def resolve(key: str) -> OpenLink | None:
    """The open link of ``key`` with its wave, version, survey, organization and unit loaded."""
    now = time.monotonic()
    hit = _resolved.get(key)
    if hit is not None and now - hit[0] < TTL:
        return hit[1]
    link = (
        OpenLink.objects.select_related("wave__survey__organization", "wave__version", "unit")
        .filter(key=key)
        .first()
    )
    if link is None:
        return None  # unknown keys are not kept: guessing keys must not fill memory
    if len(_resolved) >= MAX_ENTRIES:
        _resolved.clear()
    _resolved[key] = (now, link)
    return link


def forget(**_kwargs: object) -> None:
    """Drop every resolved link of this process (a signal receiver, hence the kwargs)."""
    _resolved.clear()


for _model in (OpenLink, Wave, Survey, SurveyVersion, Unit, Organization):
    post_save.connect(forget, sender=_model, dispatch_uid=f"surveys.links.save.{_model.__name__}")
    post_delete.connect(
        forget, sender=_model, dispatch_uid=f"surveys.links.delete.{_model.__name__}"
    )
