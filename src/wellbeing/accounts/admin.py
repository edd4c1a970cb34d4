from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from wellbeing.accounts import actions
from wellbeing.accounts.forms import AdminEmailAuthenticationForm
from wellbeing.accounts.models import Membership, Organization, Unit, User

# The admin's own sign-in page reaches the same accounts and the same lockout counts.
admin.site.login_form = AdminEmailAuthenticationForm


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "is_staff", "is_active"]
    search_fields = ["email", "display_name"]
    fieldsets = (
        (None, {"fields": ("email", "password", "display_name")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "slug", "is_synthetic", "created_at"]
    list_filter = ["kind", "is_synthetic"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "unit"]
    list_filter = ["role"]
    search_fields = ["user__email", "organization__name"]
    raw_id_fields = ["user", "organization", "unit"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "depth", "path"]
    search_fields = ["name", "organization__name"]
    readonly_fields = ["path", "depth"]
    raw_id_fields = ["organization", "parent"]

    def get_readonly_fields(self, request, obj=None):
        # Moving a unit would need every descendant's path rewritten: not offered.
        return [*self.readonly_fields, "organization", "parent"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name"])
            return
        created = actions.add_unit(
            organization=obj.organization, name=obj.name, parent=obj.parent, actor=request.user
        )
        obj.pk, obj.path, obj.depth = created.pk, created.path, created.depth
