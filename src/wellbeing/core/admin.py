from django.contrib import admin

from wellbeing.core.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "verb", "target", "actor", "organization"]
    list_filter = ["verb"]
    search_fields = ["verb", "target"]
    readonly_fields = ["at", "actor", "verb", "target", "organization", "detail"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
