"""Rollups of shared plans: DEPROV and region dashboards, network page."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from networks.permissions import visible_networks
from schools.models import Deprov

from .. import permissions, selectors


def _year_choice(request, plans):
    years, default = selectors.dashboard_years(plans)
    try:
        year = int(request.GET.get("year") or default)
    except ValueError:
        year = default
    return years, year


@login_required
def dashboard_index(request):
    regions = list(permissions.rollup_regions(request.user).order_by("order"))
    deprovs = list(
        permissions.rollup_deprovs(request.user)
        .select_related("region")
        .order_by("region__order", "name")
    )
    if not deprovs:
        raise Http404
    return render(request, "pme/dashboard_index.html", {"regions": regions, "deprovs": deprovs})


@login_required
def dashboard_region(request, code):
    region = get_object_or_404(permissions.rollup_regions(request.user), code=code)
    in_region = selectors.shared_plans_in(region=region)
    years, year = _year_choice(request, in_region)
    plans = in_region.filter(year=year, shared_with_network=True)
    allowed = set(
        permissions.rollup_deprovs(request.user)
        .filter(region=region)
        .values_list("code", flat=True)
    )
    # Schools are named only in the DEPROV whose dashboard the user may open
    # (a supervisor: their own); the region's other DEPROV count in the figures.
    figures = selectors.rollup(
        plans, group="school__deprov_id", nameable=plans.filter(school__deprov__in=allowed)
    )
    coverage = selectors.schools_in_networks(year, region=region)
    rows = [
        {
            "deprov": deprov,
            "link": deprov.code in allowed,
            "schools": coverage["by_group"].get(deprov.code, 0),
            **figures.groups.get(deprov.code, {}),
        }
        for deprov in Deprov.objects.filter(region=region).order_by("name")
    ]
    return render(
        request,
        "pme/dashboard.html",
        {
            "scope_kind": "region",
            "scope": region,
            "title": region.name,
            "year": year,
            "years": years,
            "figures": figures,
            "breakdown": rows,
            "coverage": coverage["total"],
        },
    )


@login_required
def dashboard_deprov(request, code):
    deprov = get_object_or_404(
        permissions.rollup_deprovs(request.user).select_related("region"), code=code
    )
    in_deprov = selectors.shared_plans_in(deprov=deprov)
    years, year = _year_choice(request, in_deprov)
    plans = in_deprov.filter(year=year, shared_with_network=True)
    figures = selectors.rollup(plans)
    coverage = selectors.schools_in_networks(year, deprov=deprov)
    networks = selectors.network_breakdown(plans, deprov=deprov, year=year)
    return render(
        request,
        "pme/dashboard.html",
        {
            "scope_kind": "deprov",
            "scope": deprov,
            "title": deprov.name.title(),
            "year": year,
            "years": years,
            "figures": figures,
            "breakdown": [
                {**row, "network": network, "schools": coverage["by_group"].get(network.pk, 0)}
                for network, row in networks
            ],
            "coverage": coverage["total"],
            "region_link": permissions.rollup_regions(request.user)
            .filter(pk=deprov.region_id)
            .exists(),
        },
    )


@login_required
def network_rollup(request, code):
    """The network's PME panel on a page of its own (the network page embeds
    the same partial)."""
    network = get_object_or_404(visible_networks(request.user).select_related("deprov"), code=code)
    context = selectors.network_panel(request.user, network)
    return render(request, "pme/network_rollup.html", context)


@login_required
def network_panel(request, code):
    """The network's PME rollup, loaded into the network page by htmx
    (routed as networks:pme_panel by rme_platform/urls.py)."""
    network = get_object_or_404(visible_networks(request.user), code=code)
    return render(
        request, "pme/_network_panel.html", selectors.network_panel(request.user, network)
    )
