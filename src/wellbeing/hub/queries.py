"""Reads for the hub's views: the only place a view looks a hub object up."""

from typing import Any

from django.db.models import Count
from django.http import Http404

from wellbeing.hub import taxonomy
from wellbeing.hub.models import CompendiumEntry, Resource, Revision, SavedList


def _is_staff(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_staff)


def get_resource_for_user(user: Any, slug: str, *, kind: str | None = None) -> Resource:
    """A published resource, or a draft for staff (who preview before publishing); else 404."""
    queryset = Resource.objects.select_related("case_study").prefetch_related(
        "priority_areas", "factors", "case_study__outcomes"
    )
    if not _is_staff(user):
        queryset = queryset.published()
    if kind is not None:
        queryset = queryset.filter(kind=kind)
    resource = queryset.filter(slug=slug).first()
    if resource is None:
        raise Http404("No such resource.")
    return resource


def get_list_for_user(user: Any, pk: int) -> SavedList:
    """One of the user's own lists; anyone else's is a 404, so lists cannot be probed."""
    if not getattr(user, "is_authenticated", False):
        raise Http404("No such list.")
    saved_list = SavedList.objects.filter(owner=user, pk=pk).first()
    if saved_list is None:
        raise Http404("No such list.")
    return saved_list


def lists_for_user(user: Any):
    if not getattr(user, "is_authenticated", False):
        return SavedList.objects.none()
    return SavedList.objects.filter(owner=user).prefetch_related("items")


def compendium(element: str):
    """Published entries of one essential element, in the curated order."""
    return (
        CompendiumEntry.objects.filter(element=element, resource__status=Resource.Status.PUBLISHED)
        .select_related("resource")
        .order_by("order", "pk")
    )


def compendium_counts() -> list[tuple[str, str, int]]:
    """(element, label, published resources placed there) for every element, in order."""
    counts = dict(
        CompendiumEntry.objects.filter(resource__status=Resource.Status.PUBLISHED)
        .order_by()
        .values("element")
        .annotate(n=Count("pk"))
        .values_list("element", "n")
    )
    return [(value, label, counts.get(value, 0)) for value, label in taxonomy.Element.choices]


def placements(resource: Resource) -> list[tuple[str, str, str]]:
    """(element, label, reason) of each element the resource is placed under."""
    labels = dict(taxonomy.Element.choices)
    entries = resource.compendium_entries.order_by("element", "pk").values_list("element", "note")
    return [(element, labels.get(element, element), note) for element, note in entries]


def revisions(resource: Resource):
    """The resource's history for staff, newest first, with who made each change."""
    return Revision.objects.filter(resource=resource).select_related("actor").order_by("-number")
