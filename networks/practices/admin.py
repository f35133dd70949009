"""Django admin for shared practices. Imported by networks/admin.py."""

from django.contrib import admin

from .models import (
    Practice,
    PracticeAdoption,
    PracticeAdoptionNote,
    PracticeAttachment,
    PracticeComment,
    PracticeFeature,
    PracticeNotificationPreference,
    Tag,
)


class AttachmentInline(admin.TabularInline):
    model = PracticeAttachment
    extra = 0
    fields = ["original_name", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields


class CommentInline(admin.TabularInline):
    model = PracticeComment
    extra = 0
    raw_id_fields = ["author"]


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = ["title", "school", "status", "visibility", "published_at"]
    list_filter = ["status", "visibility", "dimension", "school__comuna__region"]
    search_fields = ["title", "school__name", "=school__rbd"]
    date_hierarchy = "published_at"
    raw_id_fields = ["school", "created_by", "authors"]
    filter_horizontal = ["tags"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [AttachmentInline, CommentInline]


class AdoptionNoteInline(admin.TabularInline):
    model = PracticeAdoptionNote
    extra = 0
    raw_id_fields = ["author"]


@admin.register(PracticeAdoption)
class PracticeAdoptionAdmin(admin.ModelAdmin):
    list_display = ["practice", "school", "stage", "created_at"]
    list_filter = ["stage"]
    search_fields = ["practice__title", "school__name", "=school__rbd"]
    raw_id_fields = ["practice", "school", "pme_action", "adopted_by"]
    inlines = [AdoptionNoteInline]


@admin.register(PracticeFeature)
class PracticeFeatureAdmin(admin.ModelAdmin):
    list_display = ["practice", "network", "featured_by", "created_at"]
    raw_id_fields = ["practice", "network", "featured_by"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]


@admin.register(PracticeNotificationPreference)
class PracticeNotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "daily_digest"]
    raw_id_fields = ["user"]
