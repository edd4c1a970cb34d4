"""The knowledge hub: resources (case studies are resources with a record), the
compendium, revisions, suggestions from the public, saved lists, and the search index.

Writes go through ``hub.actions``; the search index (``SearchFacet``,
``SearchDocument`` and SQLite's FTS5 table) is derived from published resources
by ``hub.search.indexing`` and never edited by hand.
"""

import re
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from wellbeing.hub import taxonomy
from wellbeing.hub.text import markdown_to_html, markdown_to_text

PUBLISHED_FORMAT = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


def validate_published(value: str) -> None:
    if value and not PUBLISHED_FORMAT.match(value):
        raise ValidationError(
            "Enter the publication date as YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2022-10.",
            code="invalid",
        )


@deconstructible
class ChoiceListValidator:
    """A JSON list whose items are all values of one of ``taxonomy``'s enumerations."""

    def __init__(self, enumeration: str) -> None:
        self.enumeration = enumeration

    def __call__(self, value: object) -> None:
        allowed = getattr(taxonomy, self.enumeration).values
        if not isinstance(value, list) or any(v not in allowed for v in value):
            raise ValidationError(
                "Expected a list of: %(allowed)s.", params={"allowed": ", ".join(allowed)}
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ChoiceListValidator) and other.enumeration == self.enumeration

    def __hash__(self) -> int:
        return hash(self.enumeration)


class ResourceQuerySet(models.QuerySet["Resource"]):
    def published(self) -> "ResourceQuerySet":
        return self.filter(status=Resource.Status.PUBLISHED)

    def for_cards(self) -> "ResourceQuerySet":
        return self.only(
            "id", "slug", "title", "kind", "summary", "published", "publisher", "authors", "status"
        )


class Resource(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=taxonomy.Kind.choices)
    summary = models.TextField(help_text="Two to four sentences in our own words.")
    body = models.TextField(blank=True, help_text="Markdown; HTML is sanitised when shown.")
    url = models.URLField("external link", max_length=500, blank=True)
    file = models.FileField(upload_to="hub/", blank=True)
    authors = models.CharField(max_length=500, blank=True)
    publisher = models.CharField(max_length=300, blank=True)
    published = models.CharField(
        "publication date",
        max_length=10,
        blank=True,
        validators=[validate_published],
        help_text="YYYY, YYYY-MM or YYYY-MM-DD, as precise as verified (sorts as text).",
    )
    elements = models.JSONField(
        default=list, blank=True, validators=[ChoiceListValidator("Element")]
    )
    professions = models.JSONField(
        default=list, blank=True, validators=[ChoiceListValidator("Profession")]
    )
    care_settings = models.JSONField(
        default=list, blank=True, validators=[ChoiceListValidator("CareSetting")]
    )
    career_stages = models.JSONField(
        default=list, blank=True, validators=[ChoiceListValidator("CareerStage")]
    )
    evidence = models.CharField(max_length=30, choices=taxonomy.Evidence.choices, blank=True)
    priority_areas = models.ManyToManyField(
        "plan.PriorityArea", blank=True, related_name="resources"
    )
    factors = models.ManyToManyField(
        "plan.ModelElement",
        blank=True,
        related_name="resources",
        help_text="Conceptual-model factors this resource addresses.",
    )
    source = models.CharField(
        max_length=1000, blank=True, help_text="Where each fact above was checked."
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        ordering = ["-published", "title"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(url="", file=""), name="hub_resource_link_or_file"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        if self.kind == taxonomy.Kind.CASE_STUDY:
            return reverse("hub:case_study", kwargs={"slug": self.slug})
        return reverse("hub:resource", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def kind_label(self) -> str:
        """The kind in words. ``get_kind_display()`` builds and translates a dict of every
        choice on each call (about 0.2 ms), and a page of search results shows 20 cards."""
        if self.kind in taxonomy.Kind.values:
            return str(taxonomy.Kind(self.kind).label)
        return self.kind

    @cached_property
    def body_html(self) -> str:
        return markdown_to_html(self.body)

    def taxonomy_rows(self) -> list[dict[str, Any]]:
        """Heading, [(label, link)] and language of each row of the detail page.

        Links lead to the filtered search. Priority areas and factors are the
        Plan's own English names (rows of ``plan``), so their rows say so.
        """
        search = reverse("hub:index")
        rows: list[dict[str, Any]] = []
        lists = (
            (_("Essential elements"), "element", "elements"),
            (_("Professions"), "profession", "professions"),
            (_("Care settings"), "setting", "care_settings"),
            (_("Career stages"), "stage", "career_stages"),
        )
        for heading, facet, field in lists:
            choices = dict(taxonomy.LIST_FIELDS[field].choices)
            values = getattr(self, field)
            if values:
                items = [(choices.get(v, v), f"{search}?{facet}={v}") for v in values]
                rows.append({"heading": heading, "items": items, "lang": ""})
        areas = [
            (f"{a.number}. {a.title}", a.get_absolute_url()) for a in self.priority_areas.all()
        ]
        factors = [(f.name, f"{search}?factor={f.slug}") for f in self.factors.all()]
        if areas:
            rows.append(
                {"heading": _("National Plan priority areas"), "items": areas, "lang": "en"}
            )
        if factors:
            rows.append({"heading": _("Conceptual-model factors"), "items": factors, "lang": "en"})
        return rows

    def search_body(self) -> str:
        """The text indexed as the body: the Markdown as plain text, plus a case study's record."""
        parts = [markdown_to_text(self.body)]
        record = getattr(self, "case_study", None) if self.pk else None
        if record is not None:
            parts += [
                record.organization,
                record.population,
                record.challenge,
                record.intervention,
                record.lessons,
            ]
        return "\n".join(p for p in parts if p)


class CaseStudy(models.Model):
    """The structured record of a resource of kind "case-study"."""

    resource = models.OneToOneField(
        Resource, on_delete=models.CASCADE, primary_key=True, related_name="case_study"
    )
    organization = models.CharField(max_length=300)
    setting = models.CharField(max_length=30, choices=taxonomy.CareSetting.choices, blank=True)
    population = models.TextField(blank=True)
    challenge = models.TextField(blank=True)
    intervention = models.TextField(blank=True)
    timeline = models.TextField(blank=True)
    resources_needed = models.TextField("cost and resources needed", blank=True)
    lessons = models.TextField("lessons learned", blank=True)

    class Meta:
        verbose_name_plural = "case studies"

    def __str__(self) -> str:
        return self.resource.title


class Outcome(models.Model):
    """One measured outcome of a case study; only figures read in the source."""

    case_study = models.ForeignKey(CaseStudy, on_delete=models.CASCADE, related_name="outcomes")
    order = models.PositiveSmallIntegerField(default=0)
    metric = models.CharField(max_length=300)
    before = models.CharField(max_length=100, blank=True)
    after = models.CharField(max_length=100, blank=True)
    instrument = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.metric


class Revision(models.Model):
    """A snapshot of a resource after each staff edit: the revision history."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)
    snapshot = models.JSONField()

    class Meta:
        ordering = ["resource", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "number"], name="hub_revision_unique")
        ]

    def __str__(self) -> str:
        return f"{self.resource} r{self.number}"


class CompendiumEntry(models.Model):
    """A resource placed, in order and with a staff note, under one essential element."""

    element = models.CharField(max_length=60, choices=taxonomy.Element.choices)
    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="compendium_entries"
    )
    order = models.PositiveSmallIntegerField(default=0)
    note = models.TextField("editorial note", blank=True)

    class Meta:
        ordering = ["element", "order", "pk"]
        verbose_name_plural = "compendium entries"
        constraints = [
            models.UniqueConstraint(
                fields=["element", "resource"], name="hub_compendium_once_per_element"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_element_display()}: {self.resource}"


class Suggestion(models.Model):
    """A resource suggested by the public, waiting for staff moderation."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    title = models.CharField(max_length=300)
    url = models.URLField(max_length=500)
    note = models.TextField("why it helps", blank=True, max_length=2000)
    email = models.EmailField("contact email (optional)", blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    resource = models.ForeignKey(
        Resource, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return self.title


class SavedList(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hub_lists"
    )
    name = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)
    resources = models.ManyToManyField(Resource, through="SavedItem", related_name="+")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="hub_savedlist_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("hub:list", kwargs={"pk": self.pk})


class SavedItem(models.Model):
    saved_list = models.ForeignKey(SavedList, on_delete=models.CASCADE, related_name="items")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-added_at"]
        constraints = [
            models.UniqueConstraint(fields=["saved_list", "resource"], name="hub_saveditem_once")
        ]

    def __str__(self) -> str:
        return f"{self.saved_list}: {self.resource_id}"


class SearchFacet(models.Model):
    """Derived index: one row per (published resource, facet, value) for filters and counts."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="+")
    facet = models.CharField(max_length=20)
    value = models.CharField(max_length=80)

    class Meta:
        indexes = [models.Index(fields=["facet", "value", "resource"], name="hub_facet_value")]
        constraints = [
            models.UniqueConstraint(fields=["resource", "facet", "value"], name="hub_facet_once")
        ]

    def __str__(self) -> str:
        return f"{self.facet}={self.value}"


class SearchDocument(models.Model):
    """Derived index for PostgreSQL: weighted tsvector (A title, B summary, C body) and the title's.

    SQLite keeps the same text in the FTS5 table ``hub_resource_fts`` instead
    (created by migration 0002); this table stays empty there.
    """

    resource = models.OneToOneField(
        Resource, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    title = models.TextField()
    summary = models.TextField()
    body = models.TextField()
    document = SearchVectorField(null=True)
    # The title alone (weight A): finds a query's title matches without reading documents.
    title_document = SearchVectorField(null=True)

    def __str__(self) -> str:
        return self.title


class SearchPosting(models.Model):
    """Derived index for PostgreSQL: where each lexeme of ``SearchDocument.document`` occurs.

    ``keys`` holds one big-endian 8-byte integer per occurrence, sorted:
    ``resource id << 15 | position << 1 | 1 if in the title``. A query term's
    matches, its title matches and its phrase positions are then read from one row
    instead of from the GIN index and every matching document (see
    ``hub.search.postings``). The lexeme column sorts bytewise (collation "C",
    migration 0005) so a prefix is a range. Kept in step by ``hub.search.indexing``;
    empty on SQLite.
    """

    lexeme = models.TextField(primary_key=True)
    keys = models.BinaryField()

    def __str__(self) -> str:
        return self.lexeme
