"""Reads shared by the network pages and the API, already scoped."""

from django.db import connection
from django.db.models import Count, F, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from schools.models import PerformanceCategory

from . import permissions
from .models import Membership, NetworkSchool


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


def network_detail_queryset(user):
    """Visible networks with their DEPROV and region. A network page reads
    its rows with `school_rows` and `member_rows`, as plain values."""
    return permissions.visible_networks(user).select_related("deprov__region")


def school_rows(network):
    """The network's active schools by name, as (rbd, check digit, name,
    enrollment, comuna, latest category, its year) tuples: one query, no
    model instances (a few hundred rows on a large network)."""
    latest = PerformanceCategory.objects.filter(school=OuterRef("school_id")).order_by(
        "-year", "level"
    )
    return list(
        NetworkSchool.objects.filter(network=network, left_on__isnull=True)
        .annotate(
            category=Subquery(latest.values("category")[:1]),
            category_year=Subquery(latest.values("year")[:1]),
        )
        .order_by("school__name")
        .values_list(
            "school_id",
            "school__check_digit",
            "school__name",
            "school__enrollment",
            "school__comuna__name",
            "category",
            "category_year",
        )
    )


def member_rows(network):
    """The network's active members by role and name, as (user id, role,
    full name, school rbd, school name) tuples."""
    rows = (
        Membership.objects.filter(network=network, active=True)
        .order_by("role", "user__last_name", "user__first_name")
        .values_list(
            "user_id",
            "role",
            "user__first_name",
            "user__last_name",
            "user__email",
            "school_id",
            "school__name",
        )
    )
    # User.get_full_name, without the instance.
    return [
        (user_id, role, f"{first} {last}".strip() or email, rbd, school)
        for user_id, role, first, last, email, rbd, school in rows
    ]


def network_api_queryset(user):
    """Visible networks with their DEPROV's region (`region_code`); their
    schools, members and partners are added by `attach_api_rows` to the
    networks actually written (a page of them), as plain dicts."""
    return permissions.visible_networks(user).annotate(region_code=F("deprov__region_id"))


# The rows attach_api_rows writes, for the networks of a page (IN {ids}).
# Plain SQL: building the three queries in the ORM (a lookup per network
# id, the joins, the compiler) cost more than running them.
_API_SCHOOLS_SQL = """
    SELECT l.network_id, l.school_id, s.name, c.name, l.joined_on
    FROM networks_networkschool l
    INNER JOIN schools_school s ON l.school_id = s.rbd
    INNER JOIN schools_comuna c ON s.comuna_id = c.cut
    WHERE l.left_on IS NULL AND l.network_id IN ({ids})
    ORDER BY 3 ASC
"""
_API_MEMBERS_SQL = """
    SELECT m.network_id, m.user_id, u.first_name, u.last_name, u.email, m.role, m.school_id
    FROM networks_membership m
    INNER JOIN accounts_user u ON m.user_id = u.id
    WHERE m.active AND m.network_id IN ({ids})
    ORDER BY 6 ASC, 4 ASC, 3 ASC
"""
_API_PARTNERS_SQL = """
    SELECT l.network_id, p.id, p.name, p.kind, p.contact_name, p.contact_email, p.contact_phone
    FROM networks_externalpartner_networks l
    INNER JOIN networks_externalpartner p ON l.externalpartner_id = p.id
    WHERE l.network_id IN ({ids})
    ORDER BY 3 ASC, 2 ASC
"""


def attach_api_rows(networks):
    """Give each network `active_schools`, `active_members` and
    `api_partners` as the API writes them (dicts), in three queries for all
    the networks: a page of 50 networks lists a few thousand rows, and
    making model instances of them (school, comuna, user, partner) was most
    of the API's time."""
    by_id = {network.pk: network for network in networks}
    schools = {pk: [] for pk in by_id}
    members = {pk: [] for pk in by_id}
    partners = {pk: [] for pk in by_id}
    if by_id:
        ids = list(by_id)
        placeholders = ", ".join(["%s"] * len(ids))
        with connection.cursor() as cursor:
            cursor.execute(_API_SCHOOLS_SQL.format(ids=placeholders), ids)
            for network_id, rbd, name, comuna, joined in cursor.fetchall():
                schools[network_id].append(
                    {
                        "rbd": rbd,
                        # School.display_name, without the instance.
                        "name": name or str(_("RBD %(rbd)s") % {"rbd": rbd}),
                        "comuna": comuna,
                        # A date (a string on SQLite): its ISO form.
                        "joined_on": str(joined) if joined else None,
                    }
                )
            cursor.execute(_API_MEMBERS_SQL.format(ids=placeholders), ids)
            for network_id, user_id, first, last, email, role, school_id in cursor.fetchall():
                members[network_id].append(
                    {
                        "user_id": user_id,
                        # User.get_full_name, without the instance.
                        "name": f"{first} {last}".strip() or email,
                        "role": role,
                        "school_rbd": school_id,
                    }
                )
            cursor.execute(_API_PARTNERS_SQL.format(ids=placeholders), ids)
            for network_id, pk, name, kind, contact, email, phone in cursor.fetchall():
                partners[network_id].append(
                    {
                        "id": pk,
                        "name": name,
                        "kind": kind,
                        "contact_name": contact,
                        "contact_email": email,
                        "contact_phone": phone,
                    }
                )
    for pk, network in by_id.items():
        network.active_schools = schools[pk]
        network.active_members = members[pk]
        network.api_partners = partners[pk]
    return networks


def school_networks(user, school):
    """The school's networks (past and present) that the user may see."""
    return (
        NetworkSchool.objects.filter(school=school, network__in=permissions.visible_networks(user))
        .select_related("network")
        .order_by("-network__year", "network__code")
    )
