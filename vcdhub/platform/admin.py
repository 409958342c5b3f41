"""Administrators read background jobs here, tracebacks included; jobs are made and run by the app only."""

from django.contrib import admin

from vcdhub.platform.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "requested_by", "status", "created_at", "finished_at"]
    list_filter = ["status", "kind"]
    search_fields = ["requested_by__username", "kind", "error"]
    exclude = ["output"]
    readonly_fields = ["kind", "parameters", "requested_by", "request_id", "status", "progress_percent",
                       "progress_message", "result_url", "summary", "error", "traceback", "task_id", "created_at",
                       "started_at", "finished_at", "output_name", "output_type"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

# The admin's "delete selected" deletes with one query per model and no change log: off everywhere. A record
# is deleted one at a time (each delete is change-logged), or through the module's own audited action.
admin.site.disable_action("delete_selected")
