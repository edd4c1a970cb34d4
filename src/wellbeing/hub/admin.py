"""Staff curation in the Django admin: drafts, publishing, revisions, the compendium,
and the moderation queue of suggestions. Saves go through ``hub.actions`` so every
edit leaves a revision, an audit row and an up-to-date search index."""

from django import forms
from django.contrib import admin, messages

from wellbeing.hub import actions, taxonomy
from wellbeing.hub.models import (
    CaseStudy,
    CompendiumEntry,
    Outcome,
    Resource,
    Revision,
    Suggestion,
)


class ResourceForm(forms.ModelForm):
    url = forms.URLField(
        label="External link", max_length=500, required=False, assume_scheme="https"
    )
    elements = forms.MultipleChoiceField(
        choices=taxonomy.Element.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    professions = forms.MultipleChoiceField(
        choices=taxonomy.Profession.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    care_settings = forms.MultipleChoiceField(
        choices=taxonomy.CareSetting.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    career_stages = forms.MultipleChoiceField(
        choices=taxonomy.CareerStage.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Resource
        fields = [
            "slug", "title", "kind", "summary", "body", "url", "file", "authors", "publisher",
            "published", "elements", "priority_areas", "factors", "professions", "care_settings",
            "career_stages", "evidence", "source",
        ]  # fmt: skip


class RevisionInline(admin.TabularInline):
    model = Revision
    fields = ["number", "at", "actor", "note"]
    readonly_fields = ["number", "at", "actor", "note"]
    extra = 0
    can_delete = False
    ordering = ["-number"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class CaseStudyInline(admin.StackedInline):
    model = CaseStudy
    extra = 0
    max_num = 1


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    form = ResourceForm
    list_display = ["title", "kind", "status", "published", "updated_at"]
    list_filter = ["status", "kind", "evidence"]
    search_fields = ["title", "slug", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["priority_areas", "factors"]
    inlines = [CaseStudyInline, RevisionInline]
    actions = ["publish", "unpublish"]

    def save_model(self, request, obj, form, change) -> None:
        # The row must exist before its relations; the revision is written in
        # save_related, once the priority areas, factors and record are saved too.
        obj.save()

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        actions.record_change(form.instance, actor=request.user, note="edited in admin")

    def delete_model(self, request, obj) -> None:
        actions.delete_resource(obj, actor=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            actions.delete_resource(obj, actor=request.user)

    @admin.action(description="Publish the selected resources")
    def publish(self, request, queryset) -> None:
        for resource in queryset:
            actions.set_status(resource, Resource.Status.PUBLISHED, actor=request.user)
        messages.success(request, f"Published {queryset.count()} resource(s).")

    @admin.action(description="Return the selected resources to draft")
    def unpublish(self, request, queryset) -> None:
        for resource in queryset:
            actions.set_status(resource, Resource.Status.DRAFT, actor=request.user)
        messages.success(request, f"Returned {queryset.count()} resource(s) to draft.")


class OutcomeInline(admin.TabularInline):
    model = Outcome
    extra = 1


@admin.register(CaseStudy)
class CaseStudyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "organization", "setting"]
    inlines = [OutcomeInline]
    raw_id_fields = ["resource"]

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        actions.record_change(form.instance.resource, actor=request.user, note="case study edited")


@admin.register(CompendiumEntry)
class CompendiumEntryAdmin(admin.ModelAdmin):
    """Reordering and rewording; each save lands in the resource's history, like the staff page."""

    list_display = ["element", "order", "resource"]
    list_editable = ["order"]
    list_filter = ["element"]
    raw_id_fields = ["resource"]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        note = f"compendium entry edited in admin: {actions.element_label(obj.element)}"
        actions.record_change(obj.resource, actor=request.user, note=note)

    def delete_model(self, request, obj) -> None:
        actions.remove_from_compendium(obj.resource, obj.element, actor=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset.select_related("resource"):
            actions.remove_from_compendium(obj.resource, obj.element, actor=request.user)


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    list_display = ["title", "url", "submitted_at", "status"]
    list_filter = ["status"]
    readonly_fields = ["title", "url", "note", "email", "submitted_at"]
    actions = ["accept", "reject"]

    @admin.action(description="Accept (then add the resource as a draft)")
    def accept(self, request, queryset) -> None:
        for suggestion in queryset:
            actions.moderate_suggestion(suggestion, Suggestion.Status.ACCEPTED, actor=request.user)

    @admin.action(description="Reject")
    def reject(self, request, queryset) -> None:
        for suggestion in queryset:
            actions.moderate_suggestion(suggestion, Suggestion.Status.REJECTED, actor=request.user)
