"""The hub's one write path: each function is atomic, writes an audit row and
keeps the search index (``hub.search.indexing``) in step."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from wellbeing.core.models import audit
from wellbeing.hub.models import (
    CaseStudy,
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
    return data


def record_change(resource: Resource, *, actor: Any = None, note: str = "") -> Revision | None:
    """After an edit (admin form, loader): a revision if anything changed, the index, an audit row.

    Returns the new revision, or None when the resource is unchanged since the last one.
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
        audit("hub.resource.change", actor=actor, target=resource, revision=number, note=note)
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
