from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .forms import SostenedorForm
from .models import (
    AnalystScope,
    Comuna,
    Deprov,
    ImportJob,
    PerformanceCategory,
    Position,
    Region,
    School,
    Sostenedor,
    SostenedorRepresentative,
    SupervisorProfile,
)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "roman", "name", "short_name", "order"]
    search_fields = ["name", "short_name"]


@admin.register(Deprov)
class DeprovAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region"]
    list_filter = ["region"]
    search_fields = ["name"]


@admin.register(Comuna)
class ComunaAdmin(admin.ModelAdmin):
    list_display = ["cut", "name", "province_code", "region", "deprov"]
    list_filter = ["region"]
    list_select_related = ["region", "deprov"]
    search_fields = ["name", "=cut"]


@admin.register(Sostenedor)
class SostenedorAdmin(admin.ModelAdmin):
    form = SostenedorForm
    list_display = ["formatted_rut", "name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "=rut"]

    @admin.display(description=_("RUT"), ordering="rut")
    def formatted_rut(self, obj):
        return obj.formatted_rut


class PerformanceCategoryInline(admin.TabularInline):
    model = PerformanceCategory
    extra = 0


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["rbd", "name", "comuna", "dependency", "status", "last_seen_year", "absent"]
    list_filter = ["dependency", "status", "rural", "absent", "comuna__region", "deprov"]
    list_select_related = ["comuna"]
    search_fields = ["name", "=rbd"]
    raw_id_fields = ["sostenedor"]
    autocomplete_fields = ["comuna"]
    inlines = [PerformanceCategoryInline]


@admin.register(PerformanceCategory)
class PerformanceCategoryAdmin(admin.ModelAdmin):
    list_display = ["school", "year", "level", "category"]
    list_filter = ["year", "level", "category"]
    list_select_related = ["school"]
    search_fields = ["=school__rbd", "school__name"]
    raw_id_fields = ["school"]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["original_name", "status", "dry_run", "created_by", "created_at"]
    list_filter = ["status", "dry_run"]
    # The file itself is not linked: uploads are served only through views
    # that check access.
    fields = readonly_fields = [
        "original_name",
        "year",
        "dry_run",
        "status",
        "rows_total",
        "rows_done",
        "counts",
        "errors",
        "warnings",
        "created_by",
        "created_at",
        "started_at",
        "finished_at",
    ]

    def has_add_permission(self, request):
        return False  # uploads go through the import page, which runs the task


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ["user", "school", "role", "start_date", "end_date"]
    list_filter = ["role"]
    search_fields = ["user__email", "school__name", "school__rbd"]
    raw_id_fields = ["user", "school"]


@admin.register(SupervisorProfile)
class SupervisorProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "deprov"]
    list_filter = ["deprov__region"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]


@admin.register(SostenedorRepresentative)
class SostenedorRepresentativeAdmin(admin.ModelAdmin):
    list_display = ["user", "sostenedor"]
    search_fields = ["user__email", "sostenedor__name"]
    raw_id_fields = ["user", "sostenedor"]


@admin.register(AnalystScope)
class AnalystScopeAdmin(admin.ModelAdmin):
    list_display = ["user", "national"]
    filter_horizontal = ["regions"]
    raw_id_fields = ["user"]
