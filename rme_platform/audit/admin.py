from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is written by the platform and purged by age only."""

    date_hierarchy = "created_at"
    list_display = ["created_at", "action", "actor_email", "summary", "object_type", "ip"]
    list_filter = ["action", "object_type", "created_at"]
    search_fields = ["actor_email", "summary", "object_id", "ip"]
    list_select_related = ["actor"]
    fields = [
        "created_at",
        "action",
        "actor",
        "actor_email",
        "object_type",
        "object_id",
        "summary",
        "ip",
        "details",
    ]
    readonly_fields = fields
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
