"""The hub's one write path: each function is atomic, writes an audit row and
keeps the search index (``hub.search.indexing``) in step."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation

from wellbeing.core.models import audit
from wellbeing.hub import taxonomy
from wellbeing.hub.models import (
    CaseStudy,
    CompendiumEntry,
    Outcome,
    Resource,
    Revision,
    SavedItem,
    SavedList,
    Suggestion,
)
from wellbeing.hub.search import indexing
from wellbeing.plan.models import ModelElement, PriorityArea

SNAPSHOT_FIELDS = (
    "title", "kind", "summary", "body", "url", "authors", "publisher", "published",
    "elements", "professions", "care_settings", "career_stages", "evidence", "source", "status",
)  # fmt: skip
DEFAULT_LIST_NAME = "Saved resources"
REASON_MAX = 1000


def snapshot(resource: Resource) -> dict[str, Any]:
    data: dict[str, Any] = {name: getattr(resource, name) for name in SNAPSHOT_FIELDS}
    data["file"] = resource.file.name if resource.file else ""
    data["priority_areas"] = sorted(a.slug for a in resource.priority_areas.all())
    data["factors"] = sorted(f.slug for f in resource.factors.all())
    record = CaseStudy.objects.filter(resource=resource).first()
    if record is not None:
        data["case_study"] = {
            "organization": record.organization,
            "setting": record.setting,
            "population": record.population,
            "challenge": record.challenge,
            "intervention": record.intervention,
            "timeline": record.timeline,
            "resources_needed": record.resources_needed,
            "lessons": record.lessons,
            "outcomes": [
                [o.metric, o.before, o.after, o.instrument] for o in record.outcomes.all()
            ],
        }
    placements = resource.compendium_entries.order_by("element", "pk").values_list(
        "element", "note"
    )
    if placements:
        # Only when placed, so resources never placed keep the snapshots they had before
        # placements were recorded, and loading the seed again writes no revision.
        data["compendium"] = [[element, note] for element, note in placements]
    return data


def record_change(
    resource: Resource, *, actor: Any = None, note: str = "", verb: str = "hub.resource.change"
) -> Revision | None:
    """After an edit (admin form, loader): a revision if anything changed, the index, an audit row.

    Returns the new revision, or None when the resource is unchanged since the last one.
    ``verb`` names the audit row (a compendium placement is audited as one).
    """
    with transaction.atomic():
        data = snapshot(resource)
        last = resource.revisions.order_by("-number").first()
        if last is not None and last.snapshot == data:
            return None
        number = (last.number if last else 0) + 1
        revision = Revision.objects.create(
            resource=resource, number=number, actor=actor, note=note[:200], snapshot=data
        )
        indexing.reindex([resource.pk])
        audit(verb, actor=actor, target=resource, revision=number, note=note)
        return revision


def set_status(resource: Resource, status: str, *, actor: Any = None) -> Resource:
    """Publish or return to draft; the search index follows."""
    if status not in Resource.Status.values:
        raise ValueError(f"status: expected one of {Resource.Status.values}, got {status!r}")
    with transaction.atomic():
        resource.status = status
        fields = ["status", "updated_at"]
        if status == Resource.Status.PUBLISHED and resource.published_at is None:
            resource.published_at = timezone.now()
            fields.append("published_at")
        resource.save(update_fields=fields)
        record_change(resource, actor=actor, note=status)
    return resource


def upsert_resource(
    values: Mapping[str, Any],
    *,
    priority_areas: Iterable[str] = (),
    factors: Iterable[str] = (),
    case_study: Mapping[str, Any] | None = None,
    outcomes: Iterable[Mapping[str, str]] = (),
    actor: Any = None,
    note: str = "",
) -> tuple[Resource, bool]:
    """Create or update the resource with ``values["slug"]``; True when created.

    Raises ``ValueError`` naming the slug for a priority area or factor that is
    not in the Plan's data.
    """
    slug = values["slug"]
    areas = _by_slug(PriorityArea, priority_areas, slug, "priority_areas")
    elements = _by_slug(ModelElement, factors, slug, "factors")
    with transaction.atomic():
        resource, created = Resource.objects.update_or_create(
            slug=slug, defaults={k: v for k, v in values.items() if k != "slug"}
        )
        if resource.status == Resource.Status.PUBLISHED and resource.published_at is None:
            resource.published_at = timezone.now()
            resource.save(update_fields=["published_at"])
        resource.priority_areas.set(areas)
        resource.factors.set(elements)
        if case_study is not None:
            record, _ = CaseStudy.objects.update_or_create(resource=resource, defaults=case_study)
            record.outcomes.all().delete()
            Outcome.objects.bulk_create(
                Outcome(case_study=record, order=i, **outcome) for i, outcome in enumerate(outcomes)
            )
        record_change(resource, actor=actor, note=note or ("created" if created else "updated"))
    return resource, created


def _by_slug(model: Any, slugs: Iterable[str], owner: str, field: str) -> list[Any]:
    wanted = list(dict.fromkeys(slugs))
    found = {obj.slug: obj for obj in model.objects.filter(slug__in=wanted)}
    missing = [s for s in wanted if s not in found]
    if missing:
        raise ValueError(f"{owner}: {field}: unknown slug(s) {missing}")
    return [found[s] for s in wanted]


def delete_resource(resource: Resource, *, actor: Any = None) -> None:
    with transaction.atomic():
        pk = resource.pk
        audit("hub.resource.delete", actor=actor, target=resource)
        # Out of the index first: PostgreSQL finds the lexeme rows to update from the
        # resource's document, which the delete would take with it.
        indexing.unindex([pk])
        resource.delete()


def merge_resources(keep: Resource, duplicate: Resource, *, actor: Any = None) -> None:
    """Fold a duplicate into the resource that stays, then delete the duplicate.

    People's saved lists and the compendium's placements move to ``keep`` (a list
    or an element that already holds it keeps its own row), so nobody loses what
    they saved when two copies of one publication become one.
    """
    if keep.pk == duplicate.pk:
        raise ValueError(f"duplicate: expected another resource than {keep.slug!r}")
    with transaction.atomic():
        for item in SavedItem.objects.filter(resource=duplicate).select_related("saved_list"):
            SavedItem.objects.get_or_create(saved_list=item.saved_list, resource=keep)
        for entry in CompendiumEntry.objects.filter(resource=duplicate):
            CompendiumEntry.objects.get_or_create(
                element=entry.element,
                resource=keep,
                defaults={"order": entry.order, "note": entry.note},
            )
        record_change(keep, actor=actor, note=f"merged {duplicate.slug} into this resource")
        audit("hub.resource.merge", actor=actor, target=keep, duplicate=duplicate.slug)
        delete_resource(duplicate, actor=actor)


def element_label(element: str) -> str:
    """The element's English name, for revision notes (stored, so never in the reader's language)."""
    labels = dict(taxonomy.Element.choices)
    if element not in labels:
        raise ValueError(f"element: expected one of {taxonomy.Element.values}, got {element!r}")
    with translation.override("en"):
        return str(labels[element])


def place_in_compendium(
    resource: Resource, element: str, *, reason: str, actor: Any = None
) -> CompendiumEntry:
    """Place a resource under an essential element, or change the reason it is there.

    The reason is shown to readers as the editor's note, so it is required. The
    placement is kept in the resource's revision history (who, when, why) and in
    the audit log; placing it again with the same reason writes nothing.
    """
    label = element_label(element)
    reason = " ".join(str(reason).split())
    if not reason:
        raise ValueError(
            "reason: expected a sentence on why the resource belongs here, got nothing"
        )
    if len(reason) > REASON_MAX:
        raise ValueError(f"reason: expected at most {REASON_MAX} characters, got {len(reason)}")
    with transaction.atomic():
        entry = CompendiumEntry.objects.filter(element=element, resource=resource).first()
        if entry is not None and entry.note == reason:
            return entry
        if entry is None:
            last = CompendiumEntry.objects.filter(element=element).aggregate(last=Max("order"))
            entry = CompendiumEntry.objects.create(
                element=element, resource=resource, order=(last["last"] or 0) + 1, note=reason
            )
            note, verb = f"Placed in “{label}”: {reason}", "hub.compendium.place"
        else:
            entry.note = reason
            entry.save(update_fields=["note"])
            note, verb = f"New reason in “{label}”: {reason}", "hub.compendium.reason"
        record_change(resource, actor=actor, note=note, verb=verb)
    return entry


def remove_from_compendium(resource: Resource, element: str, *, actor: Any = None) -> bool:
    """Take a resource out of an element; False (and nothing written) when it was not there."""
    label = element_label(element)
    with transaction.atomic():
        deleted, _ = CompendiumEntry.objects.filter(element=element, resource=resource).delete()
        if deleted:
            record_change(
                resource, actor=actor, note=f"Removed from “{label}”", verb="hub.compendium.remove"
            )
    return bool(deleted)


def suggest_resource(*, title: str, url: str, note: str = "", email: str = "") -> Suggestion:
    """A suggestion from the public goes to the moderation queue, never straight to the hub."""
    with transaction.atomic():
        suggestion = Suggestion.objects.create(title=title, url=url, note=note, email=email)
        audit("hub.suggestion.create", target=f"suggestion #{suggestion.pk}")
        return suggestion


def moderate_suggestion(suggestion: Suggestion, status: str, *, actor: Any) -> Suggestion:
    if status not in Suggestion.Status.values:
        raise ValueError(f"status: expected one of {Suggestion.Status.values}, got {status!r}")
    with transaction.atomic():
        suggestion.status = status
        suggestion.save(update_fields=["status"])
        audit("hub.suggestion." + status, actor=actor, target=f"suggestion #{suggestion.pk}")
    return suggestion


def save_to_list(user: Any, resource: Resource, list_name: str = "") -> SavedList:
    """Add a published resource to one of the user's lists (created on first use)."""
    if not resource.is_published:
        raise ValueError(f"resource: expected a published resource, got {resource.slug!r}")
    name = (list_name or DEFAULT_LIST_NAME).strip()[:100] or DEFAULT_LIST_NAME
    with transaction.atomic():
        saved_list, _ = SavedList.objects.get_or_create(owner=user, name=name)
        SavedItem.objects.get_or_create(saved_list=saved_list, resource=resource)
        audit("hub.list.save", actor=user, target=f"list #{saved_list.pk}", resource=resource.slug)
    return saved_list


def remove_from_list(saved_list: SavedList, resource: Resource, *, actor: Any) -> None:
    with transaction.atomic():
        SavedItem.objects.filter(saved_list=saved_list, resource=resource).delete()
        audit(
            "hub.list.remove", actor=actor, target=f"list #{saved_list.pk}", resource=resource.slug
        )
