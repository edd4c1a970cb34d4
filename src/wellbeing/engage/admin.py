from django.contrib import admin

from wellbeing.engage.models import Subscriber


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "created_at", "confirmed_at", "unsubscribed_at", "bounced_at"]
    search_fields = ["email"]
    # Consent and its confirmation are evidence: only the signed links change them.
    readonly_fields = [
        "created_at",
        "consent_text",
        "consented_at",
        "confirmed_at",
        "unsubscribed_at",
        "bounced_at",
    ]


# Events, the awareness-day toolkit, the gallery and questionnaires are edited by campaign
# staff here; registrations and moderation go through the app's own pages and actions.
from wellbeing.engage.models import Event, HostRequest, Registration, ToolkitItem  # noqa: E402


class RegistrationInline(admin.TabularInline):
    model = Registration
    extra = 0
    fields = ["name", "email", "status", "created_at", "reminded_at"]
    readonly_fields = ["name", "email", "status", "created_at", "reminded_at"]
    can_delete = False


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "starts_at", "format", "capacity", "awareness_day", "published"]
    list_filter = ["format", "awareness_day", "published"]
    prepopulated_fields = {"slug": ["title"]}
    search_fields = ["title", "host"]
    inlines = [RegistrationInline]


@admin.register(ToolkitItem)
class ToolkitItemAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "position", "published", "source_url"]
    list_filter = ["kind", "published"]


@admin.register(HostRequest)
class HostRequestAdmin(admin.ModelAdmin):
    list_display = ["institution", "starts_on", "ends_on", "status"]
    list_filter = ["status"]
    readonly_fields = ["status"]


# Consultations: staff edit a draft's wording here (paragraph anchors stay fixed); comments
# are moderated on the app's own pages, so the admin shows them read-only.
from django.http import HttpRequest  # noqa: E402

from wellbeing.engage.models import Consultation, Paragraph  # noqa: E402


class ParagraphInline(admin.TabularInline):
    model = Paragraph
    extra = 0
    fields = ["section", "anchor", "position", "text"]
    readonly_fields = ["section", "anchor", "position"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Consultation | None = None) -> bool:
        return False  # paragraphs come from the staff page's draft text, with their anchors


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = ["title", "opens_at", "closes_at", "timezone", "is_demo"]
    search_fields = ["title"]
    inlines = [ParagraphInline]
