"""Reads shared by the network pages and the API, already scoped."""

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce

from schools.models import PerformanceCategory

from . import permissions
from .models import Membership, MembershipRole, NetworkSchool


def _count(queryset):
    """A correlated COUNT per network (cheaper than COUNT DISTINCT over joins)."""
    counts = (
        queryset.filter(network=OuterRef("pk"))
        .order_by()
        .values("network")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def network_list(user):
    """Visible networks with their DEPROV, region and head counts (one query)."""
    return (
        permissions.visible_networks(user)
        .select_related("deprov__region")
        .annotate(
            n_schools=_count(NetworkSchool.objects.filter(left_on__isnull=True)),
            n_members=_count(Membership.objects.filter(active=True)),
        )
        .order_by("-year", "code")
    )


def active_school_links():
    categories = PerformanceCategory.objects.order_by("-year", "level")
    return (
        NetworkSchool.objects.filter(left_on__isnull=True)
        .select_related("school__comuna", "school__sostenedor")
        .prefetch_related(Prefetch("school__performance_categories", queryset=categories))
        .order_by("school__name")
    )


def active_memberships():
    return (
        Membership.objects.filter(active=True)
        .select_related("user", "school")
        .order_by("role", "user__last_name", "user__first_name")
    )


def network_detail_queryset(user):
    """Visible networks with schools, members and partners prefetched: a
    network page runs a fixed number of queries whatever its size."""
    return (
        permissions.visible_networks(user)
        .select_related("deprov__region")
        .prefetch_related(
            Prefetch("network_schools", queryset=active_school_links(), to_attr="active_schools"),
            Prefetch("memberships", queryset=active_memberships(), to_attr="active_members"),
            "partners",
        )
    )


def network_api_queryset(user):
    """Visible networks with what the API writes of them prefetched, and no
    more: no performance categories or sostenedores (the page's), members'
    schools as their RBD. A page of 50 networks loads a third of the rows."""
    schools = (
        NetworkSchool.objects.filter(left_on__isnull=True)
        .select_related("school__comuna")
        .only("network_id", "joined_on", "school__rbd", "school__name", "school__comuna__name")
        .order_by("school__name")
    )
    members = (
        Membership.objects.filter(active=True)
        .select_related("user")
        .only(
            "network_id",
            "user_id",
            "role",
            "school_id",
            "user__first_name",
            "user__last_name",
            "user__email",
        )
        .order_by("role", "user__last_name", "user__first_name")
    )
    return (
        permissions.visible_networks(user)
        .select_related("deprov")
        .prefetch_related(
            Prefetch("network_schools", queryset=schools, to_attr="active_schools"),
            Prefetch("memberships", queryset=members, to_attr="active_members"),
            "partners",
        )
    )


def members_by_role(network):
    groups = {role: [] for role in MembershipRole.values}
    for membership in network.active_members:
        groups[membership.role].append(membership)
    return [(MembershipRole(role).label, role, groups[role]) for role in MembershipRole.values]


def school_networks(user, school):
    """The school's networks (past and present) that the user may see."""
    return (
        NetworkSchool.objects.filter(school=school, network__in=permissions.visible_networks(user))
        .select_related("network")
        .order_by("-network__year", "network__code")
    )
