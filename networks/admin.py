from django.contrib import admin

from .models import ExternalPartner, Membership, Network, NetworkSchool


class NetworkSchoolInline(admin.TabularInline):
    model = NetworkSchool
    extra = 0
    raw_id_fields = ["school"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user", "school"]


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "deprov", "year", "status"]
    list_filter = ["status", "year", "deprov__region"]
    search_fields = ["code", "name"]
    inlines = [NetworkSchoolInline, MembershipInline]


@admin.register(ExternalPartner)
class ExternalPartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "contact_name"]
    list_filter = ["kind"]
    search_fields = ["name"]
    filter_horizontal = ["networks"]
