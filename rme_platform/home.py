"""What each role sees first: their schools, networks and scope."""

from django.core.paginator import Paginator
from django.db.models import Count, Q

from monitoring.risk.selectors import home_panel as risk_home_panel
from monitoring.selectors import home_panel as monitoring_home_panel
from networks import selectors as network_selectors
from networks.meetings.selectors import home_panel as meetings_home_panel
from networks.models import NetworkSchool
from networks.practices.selectors import home_panel as practices_home_panel
from pme.selectors import home_panel as pme_home_panel
from rme_platform.accounts.permissions import (
    is_analyst_role,
    is_directivo,
    is_sostenedor_rep,
    is_supervisor,
)
from rme_platform.links import row_url
from schools.models import (
    Position,
    School,
    SostenedorRepresentative,
    SupervisorProfile,
)
from schools.permissions import analyst_scope

REP_SCHOOLS_PER_PAGE = 20


def _risk_panel(user):
    return {"risk_panel": risk_home_panel(user)}


def _monitoring_panel(user):
    return {"monitoring_panel": monitoring_home_panel(user)}


# The apps' home panels: (context of the user, template). The home page
# loads them by htmx after it shows (each costs queries of its own app), in
# this order; HOME_PANELS_FOR tells which may show for whom.
HOME_PANELS = {
    "monitoring": (_monitoring_panel, "monitoring/_home_panel.html"),
    "risk": (_risk_panel, "monitoring/risk/_home_panel.html"),
    "meetings": (meetings_home_panel, "meetings/_home_panel.html"),
    "pme": (pme_home_panel, "pme/_home_panel.html"),
    "practices": (practices_home_panel, "practices/_home_panel.html"),
}


def home_panels_for(user):
    """The names of the panels the user's home page asks for (the risk
    panel is a supervisor's only)."""
    return [name for name in HOME_PANELS if name != "risk" or is_supervisor(user)]


def home_panel(user, name):
    """(template, context) of one home panel; KeyError for an unknown name."""
    build, template = HOME_PANELS[name]
    return template, build(user)


def _with_urls(rows, viewname, key, attr="url"):
    """The rows (a list now) with each one's link set on `attr`."""
    url = row_url(viewname)
    rows = list(rows)
    for row in rows:
        setattr(row, attr, url(key(row)))
    return rows


def _panel_links(names):
    """[{"name", "url"}] of the panels the page loads by htmx."""
    url = row_url("home_panel")
    return [{"name": name, "url": url(name)} for name in names]


def home_context(user, params=None):
    """`params` (the query string) pages the lists that page: a
    representative's schools (`page`). The apps' panels come apart
    (home_panel)."""
    params = params or {}
    context = {
        "networks": _with_urls(
            network_selectors.network_list(user)[:12], "networks:detail", lambda n: n.code
        ),
        "home_panels": _panel_links(home_panels_for(user)),
    }
    if is_directivo(user):
        context["positions"] = _with_urls(
            Position.objects.active()
            .filter(user=user)
            .select_related("school__comuna")
            .order_by("school__name"),
            "schools:detail",
            lambda position: position.school_id,
            attr="school_url",
        )
    elif is_supervisor(user):
        profile = SupervisorProfile.objects.filter(user=user).select_related("deprov").first()
        context["deprov"] = profile.deprov if profile else None
        context["network_school_count"] = (
            NetworkSchool.objects.filter(
                left_on__isnull=True, network__in=network_selectors.network_list(user).values("pk")
            )
            .values("school")
            .distinct()
            .count()
        )
    elif is_sostenedor_rep(user):
        links = SostenedorRepresentative.objects.filter(user=user).select_related("sostenedor")
        context["sostenedores"] = links
        schools = School.objects.filter(
            sostenedor__in=links.values("sostenedor_id"), absent=False
        ).select_related("comuna")
        # All of them, a page at a time (a sostenedor may hold hundreds).
        page = Paginator(schools.order_by("name", "rbd"), REP_SCHOOLS_PER_PAGE).get_page(
            params.get("page")
        )
        page.object_list = _with_urls(page.object_list, "schools:detail", lambda s: s.rbd)
        context["rep_schools"] = page
        context["rep_school_count"] = page.paginator.count
    elif is_analyst_role(user):
        scope = analyst_scope(user)
        context["analyst_panel"] = True
        context["scope"] = scope
        if scope is not None:
            schools = School.objects.filter(absent=False, status=1)
            if not scope.national:
                schools = schools.filter(comuna__region__in=scope.regions.all())
            context["scope_counts"] = schools.aggregate(
                schools=Count("rbd"),
                in_networks=Count(
                    "rbd",
                    # A school with no network link at all also has a null
                    # left_on in the join: count only active links.
                    filter=Q(network_links__isnull=False, network_links__left_on__isnull=True),
                    distinct=True,
                ),
            )
    return context
