"""Admin: instruments and campaigns for reference. Responses and drafts are
read-only and show only their anonymous scope attributes; everything that
changes the survey goes through the pages (and services)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Campaign, Instrument, Invitation, Question, Report, Response, Section
from .reports.services import retry_report


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0
    fields = ["order", "title_es", "title_en"]
    readonly_fields = fields
    can_delete = False


@admin.register(Instrument)
class InstrumentAdmin(ReadOnlyAdmin):
    list_display = ["slug", "name", "version", "language", "frozen"]
    list_filter = ["frozen", "language"]
    search_fields = ["slug", "name"]
    inlines = [SectionInline]


@admin.register(Question)
class QuestionAdmin(ReadOnlyAdmin):
    list_display = ["code", "instrument", "kind", "construct", "required"]
    list_filter = ["instrument", "kind"]
    search_fields = ["code", "text_es"]
    list_select_related = ["instrument"]


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ["slug", "name", "year", "status", "instrument", "imported"]
    list_filter = ["status", "year", "imported"]
    search_fields = ["slug", "name"]
    list_select_related = ["instrument"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "user", "network", "role", "sent_at", "reminder_count", "answered"]
    list_filter = ["campaign", "answered", "role"]
    search_fields = ["user__email", "network__code"]
    list_select_related = ["campaign", "user", "network"]
    exclude = ["nonce"]


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    list_display = ["pk", "campaign", "region", "network", "role", "dependency"]
    list_filter = ["campaign", "role", "dependency"]
    list_select_related = ["campaign", "region", "network"]


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    """Status of the PDF reports; they are requested, retried and downloaded
    on the reports page (the file only through its access check)."""

    list_display = [
        "campaign",
        "scope",
        "scope_id",
        "language",
        "status",
        "attempts",
        "finished_at",
    ]
    list_filter = ["campaign", "status", "language", "scope"]
    search_fields = ["scope_id"]
    list_select_related = ["campaign"]
    exclude = ["file"]
    actions = ["retry"]

    @admin.action(description=_("Volver a preparar los informes elegidos"))
    def retry(self, request, queryset):
        for report in queryset.select_related("campaign"):
            retry_report(by=None, report=report)
