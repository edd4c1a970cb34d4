"""Staff complete the Plan here: goal wording, actions, actor groups, sub-factors.

What is still missing is listed, with links to these pages, at /plan/completeness/.
Slugs are read-only once a row exists, because other apps and public links
depend on them.
"""

from collections.abc import Mapping
from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from wellbeing.plan.models import (
    ActorGroup,
    Goal,
    ModelElement,
    PriorityArea,
    PublicationFact,
    RecommendedAction,
)

PROVENANCE: tuple[str, Any] = (
    "Provenance",
    {"fields": ("verified", "secondary", "source", "source_url", "note")},
)
# Source links are typed by hand; a bare "nam.edu/..." should become https (Django 6 default).
URL_FIELDS: Mapping[type[models.Field[Any, Any]], Mapping[str, Any]] = {
    models.URLField: {"assume_scheme": "https"}
}


class StableSlugAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = tuple(super().get_readonly_fields(request, obj))
        return (*readonly, "slug") if obj is not None else readonly

    def get_prepopulated_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A read-only field cannot be prepopulated; only new rows get a suggested slug.
        return {} if obj is not None else super().get_prepopulated_fields(request, obj)


class GoalInline(admin.StackedInline):
    model = Goal
    formfield_overrides = URL_FIELDS
    extra = 0
    fields = ("number", "slug", "text", "verified", "secondary", "source", "source_url", "note")


@admin.register(PriorityArea)
class PriorityAreaAdmin(StableSlugAdmin):
    list_display = ("number", "title", "has_goal_statement", "content_complete")
    list_filter = ("content_complete",)
    search_fields = ("title", "goal_statement", "summary")
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ("actor_groups",)
    inlines = [GoalInline]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "number",
                    "slug",
                    "title",
                    "goal_statement",
                    "frontline_quote",
                    "content_complete",
                )
            },
        ),
        ("Summary (our own words)", {"fields": ("summary", "summary_source")}),
        ("Actor groups", {"fields": ("actor_groups", "actor_groups_source")}),
        PROVENANCE,
    )

    @admin.display(boolean=True, description="Goal statement")
    def has_goal_statement(self, obj: PriorityArea) -> bool:
        return bool(obj.goal_statement)


@admin.register(Goal)
class GoalAdmin(StableSlugAdmin):
    list_display = ("__str__", "priority_area", "text", "verified")
    list_filter = ("verified", "secondary", "priority_area")
    list_select_related = ("priority_area",)
    search_fields = ("text",)


@admin.register(RecommendedAction)
class RecommendedActionAdmin(StableSlugAdmin):
    list_display = ("__str__", "priority_area", "goal", "text", "verified")
    list_filter = ("verified", "secondary", "priority_area", "actor_groups")
    list_select_related = ("priority_area", "goal__priority_area")
    search_fields = ("code", "text")
    prepopulated_fields = {"slug": ("code",)}
    filter_horizontal = ("actor_groups",)
    fieldsets = (
        (None, {"fields": ("priority_area", "goal", "order", "code", "slug", "text")}),
        ("Actor groups", {"fields": ("actor_groups", "actor_groups_source")}),
        PROVENANCE,
    )


@admin.register(ActorGroup)
class ActorGroupAdmin(StableSlugAdmin):
    list_display = ("name", "order", "verified")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


@admin.register(PublicationFact)
class PublicationFactAdmin(StableSlugAdmin):
    list_display = ("label", "subject", "value", "order", "verified")
    list_filter = ("subject", "verified")
    prepopulated_fields = {"slug": ("label",)}
    search_fields = ("label", "value")


class SubFactorInline(admin.TabularInline):
    model = ModelElement
    formfield_overrides = URL_FIELDS
    fk_name = "parent"
    extra = 1
    fields = ("kind", "order", "name", "slug", "verified", "source", "source_url")
    verbose_name = "child element (sub-factor)"
    verbose_name_plural = "child elements (sub-factors)"


@admin.register(ModelElement)
class ModelElementAdmin(StableSlugAdmin):
    list_display = ("name", "kind", "parent", "order", "verified", "children_complete")
    list_filter = ("kind", "verified", "children_complete")
    list_select_related = ("parent",)
    search_fields = ("name", "description")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [SubFactorInline]
    fieldsets = (
        (None, {"fields": ("kind", "parent", "order", "name", "slug", "description")}),
        ("Completeness", {"fields": ("children_complete",)}),
        PROVENANCE,
    )
