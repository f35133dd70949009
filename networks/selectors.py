"""Reads shared by the network pages and the API, already scoped."""

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

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
    """The page's school rows: the columns it shows and the schools'
    performance categories, latest first, as `school.categories` (a list)."""
    categories = PerformanceCategory.objects.only("school_id", "year", "level", "category")
    return (
        NetworkSchool.objects.filter(left_on__isnull=True)
        .select_related("school__comuna")
        .only(
            "network_id",
            "school_id",
            "joined_on",
            "school__rbd",
            "school__check_digit",
            "school__name",
            "school__enrollment",
            "school__comuna__name",
        )
        .prefetch_related(
            Prefetch(
                "school__performance_categories",
                queryset=categories.order_by("-year", "level"),
                to_attr="categories",
            )
        )
        .order_by("school__name")
    )


def active_memberships():
    return (
        Membership.objects.filter(active=True)
        .select_related("user", "school")
        .only(
            "network_id",
            "user_id",
            "role",
            "school_id",
            "user__first_name",
            "user__last_name",
            "user__email",
            "school__rbd",
            "school__name",
        )
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
    """Visible networks with their DEPROV and partners; their schools and
    members are added by `attach_api_rows` to the networks actually written
    (a page of them), as plain dicts."""
    return permissions.visible_networks(user).select_related("deprov").prefetch_related("partners")


def attach_api_rows(networks):
    """Give each network `active_schools` and `active_members` as the API
    writes them (dicts), in two queries for all the networks: a page of 50
    networks lists a few thousand rows, and making model instances of them
    (school, comuna, user) was most of the API's time."""
    by_id = {network.pk: network for network in networks}
    for network in networks:
        network.active_schools, network.active_members = [], []
    if not by_id:
        return networks
    schools = (
        NetworkSchool.objects.filter(left_on__isnull=True, network_id__in=by_id)
        .order_by("school__name")
        .values_list(
            "network_id", "school__rbd", "school__name", "school__comuna__name", "joined_on"
        )
    )
    for network_id, rbd, name, comuna, joined in schools:
        by_id[network_id].active_schools.append(
            {
                "rbd": rbd,
                # School.display_name, without the instance.
                "name": name or str(_("RBD %(rbd)s") % {"rbd": rbd}),
                "comuna": comuna,
                "joined_on": joined.isoformat() if joined else None,
            }
        )
    members = (
        Membership.objects.filter(active=True, network_id__in=by_id)
        .order_by("role", "user__last_name", "user__first_name")
        .values_list(
            "network_id",
            "user_id",
            "user__first_name",
            "user__last_name",
            "user__email",
            "role",
            "school_id",
        )
    )
    for network_id, user_id, first, last, email, role, school_id in members:
        by_id[network_id].active_members.append(
            {
                "user_id": user_id,
                # User.get_full_name, without the instance.
                "name": f"{first} {last}".strip() or email,
                "role": role,
                "school_rbd": school_id,
            }
        )
    return networks


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
