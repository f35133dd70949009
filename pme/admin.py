from django.contrib import admin

from .models import (
    Action,
    ActionUpdate,
    AnnualPlan,
    ATEProvider,
    Comment,
    Dimension,
    DimensionAssessment,
    Evidence,
    FundingLine,
    PMECycle,
    StrategicGoal,
    StrategicObjective,
    Strategy,
    Subdimension,
)


class SubdimensionInline(admin.TabularInline):
    model = Subdimension
    extra = 0


@admin.register(Dimension)
class DimensionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "order"]
    inlines = [SubdimensionInline]


@admin.register(ATEProvider)
class ATEProviderAdmin(admin.ModelAdmin):
    list_display = ["name", "rut", "registry_number", "active"]
    list_filter = ["active", "service_areas", "regions"]
    search_fields = ["name", "registry_number"]
    filter_horizontal = ["service_areas", "regions"]


class AssessmentInline(admin.TabularInline):
    model = DimensionAssessment
    extra = 0


class ObjectiveInline(admin.StackedInline):
    model = StrategicObjective
    extra = 0


@admin.register(PMECycle)
class PMECycleAdmin(admin.ModelAdmin):
    list_display = ["school", "first_year", "last_year"]
    search_fields = ["school__name", "school__rbd"]
    raw_id_fields = ["school"]
    inlines = [AssessmentInline, ObjectiveInline]


@admin.register(StrategicObjective)
class StrategicObjectiveAdmin(admin.ModelAdmin):
    list_display = ["__str__", "cycle", "dimension"]
    raw_id_fields = ["cycle"]


admin.site.register(StrategicGoal, raw_id_fields=["objective"])
admin.site.register(Strategy, raw_id_fields=["objective"])


class ActionInline(admin.TabularInline):
    model = Action
    extra = 0
    fields = ["name", "dimension", "start_date", "end_date", "status", "progress"]
    show_change_link = True


@admin.register(AnnualPlan)
class AnnualPlanAdmin(admin.ModelAdmin):
    list_display = ["school", "year", "phase", "shared_with_network", "approved_at"]
    list_filter = ["year", "phase", "shared_with_network"]
    search_fields = ["school__name", "school__rbd"]
    raw_id_fields = ["school", "cycle", "approved_by"]
    inlines = [ActionInline]


class FundingInline(admin.TabularInline):
    model = FundingLine
    extra = 0


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["name", "plan", "dimension", "status", "progress", "end_date"]
    list_filter = ["dimension", "status"]
    search_fields = ["name"]
    raw_id_fields = ["plan", "strategy", "ate_provider"]
    inlines = [FundingInline]


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0


@admin.register(ActionUpdate)
class ActionUpdateAdmin(admin.ModelAdmin):
    list_display = ["action", "date", "progress", "author"]
    raw_id_fields = ["action", "author"]
    inlines = [EvidenceInline]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["plan", "action", "author", "created_at"]
    raw_id_fields = ["plan", "action", "author"]
