"""Django admin for meetings. Imported by networks/admin.py."""

from django.contrib import admin

from .models import (
    AgendaItem,
    AgendaProposal,
    Agreement,
    AgreementNote,
    Attendance,
    CalendarFeedToken,
    Meeting,
    MeetingNotice,
    Minutes,
    MinutesAttachment,
)


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    raw_id_fields = ["proposal"]


class AgreementInline(admin.TabularInline):
    model = Agreement
    extra = 0
    fields = ["text", "responsible_user", "responsible_school", "due_on", "status", "closed_on"]
    raw_id_fields = ["responsible_user", "responsible_school"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "network", "starts_at", "status", "sequence"]
    list_filter = ["status", "network__deprov__region"]
    search_fields = ["title", "network__code", "network__name"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["network", "host_school", "convened_by"]
    readonly_fields = ["uid", "sequence", "created_at", "updated_at"]
    inlines = [AgendaItemInline, AgreementInline]


@admin.register(AgendaProposal)
class AgendaProposalAdmin(admin.ModelAdmin):
    list_display = ["title", "meeting", "pme_dimension", "proposed_by", "created_at"]
    search_fields = ["title", "meeting__network__code"]
    raw_id_fields = ["meeting", "proposed_by"]


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["meeting", "name", "role", "rsvp", "attended"]
    list_filter = ["role", "rsvp", "attended"]
    raw_id_fields = ["meeting", "user", "partner"]


class AgreementNoteInline(admin.TabularInline):
    model = AgreementNote
    extra = 0
    raw_id_fields = ["author"]


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ["__str__", "meeting", "due_on", "status", "closed_on"]
    list_filter = ["status"]
    search_fields = ["text", "meeting__network__code"]
    raw_id_fields = ["meeting", "responsible_user", "responsible_school", "created_by"]
    inlines = [AgreementNoteInline]


class MinutesAttachmentInline(admin.TabularInline):
    model = MinutesAttachment
    extra = 0
    raw_id_fields = ["uploaded_by"]


@admin.register(Minutes)
class MinutesAdmin(admin.ModelAdmin):
    list_display = ["meeting", "published_at", "updated_at"]
    raw_id_fields = ["meeting", "written_by"]
    inlines = [MinutesAttachmentInline]


@admin.register(MeetingNotice)
class MeetingNoticeAdmin(admin.ModelAdmin):
    list_display = ["meeting", "user", "kind", "sequence", "sent_at"]
    list_filter = ["kind"]
    raw_id_fields = ["meeting", "user"]


@admin.register(CalendarFeedToken)
class CalendarFeedTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "prefix", "created_at", "last_used_at", "revoked_at"]
    raw_id_fields = ["user"]
    readonly_fields = ["token_hash", "prefix"]
