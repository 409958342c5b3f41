"""Administrators manage units, memberships, roles and visibility rules here; every save is audited
(the models log their own changes). Records themselves are not in the admin: it would bypass need-to-know."""

from django.contrib import admin

from vcdhub.access.models import AccessGrant, Membership, RoleAssignment, Unit, VisibilityRule


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "borough_code"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "unit"]
    list_filter = ["unit"]
    search_fields = ["user__username", "unit__name"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role"]
    list_filter = ["role"]


@admin.register(VisibilityRule)
class VisibilityRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "enabled", "scope", "max_sensitivity", "roles"]
    list_filter = ["enabled", "scope"]


@admin.register(AccessGrant)
class AccessGrantAdmin(admin.ModelAdmin):
    """Grants are requested and approved through the app (with a recorded decision); here they are read."""

    list_display = ["user", "content_type", "object_id", "unit", "approved_by", "expires_at", "revoked_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
