"""Reads shared by the survey pages, the API, the home page, the network
page and the PDF reports, already scoped to the user."""

from django.db.models import Case, Count, F, IntegerField, OuterRef, Prefetch, Q, Subquery, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from . import permissions
from .default_instrument import CONTRACT_CODES
from .models import (
    Campaign,
    CampaignStatus,
    Draft,
    Invitation,
    Question,
    ReportScope,
    ReportStatus,
    Response,
    participated,
)
from .permissions import Scope
from .results import (  # noqa: F401 - re-exported
    campaign_results,
    half_up,
    rate,
    response_stats,
    results_for_scope,
)

TREND_WAVES = 6


def campaign_list(user):
    """Campaigns the user may see, newest first, with their counts (one query):
    invitations and those answered, and the responses stored (an imported
    campaign has responses but no invitations)."""
    responses = (
        Response.objects.filter(campaign=OuterRef("pk"))
        .order_by()
        .values("campaign")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        permissions.visible_campaigns(user)
        .select_related("instrument")
        .annotate(
            n_invited=Count("invitations", distinct=True),
            n_answered=Count("invitations", filter=participated("invitations__"), distinct=True),
            n_responses=Coalesce(Subquery(responses, output_field=IntegerField()), 0),
        )
        .order_by("-year", "slug")
    )


def instrument_list(user):
    return (
        permissions.visible_instruments(user)
        .annotate(
            n_questions=Count("questions", distinct=True),
            n_campaigns=Count("campaigns", distinct=True),
        )
        .order_by("family", "-version")
    )


def instrument_sections(instrument):
    """Sections with their questions (two queries)."""
    return list(
        instrument.sections.order_by("order", "pk").prefetch_related(
            Prefetch("questions", queryset=Question.objects.order_by("order", "pk"))
        )
    )


# --- response rates ------------------------------------------------------------------


def response_rates(user, campaign):
    """Counts of invitations and answers per network and per region, within
    what the user may see (counts only: nothing about who answered). Those
    whose submitted answers wait for their batch have taken part and count.
    Returns {"regions": [...], "total": {...}} (two queries)."""
    networks = permissions.rate_networks(user, campaign)
    rows = (
        Invitation.objects.filter(campaign=campaign, network__in=networks)
        .values(
            "network_id",
            "network__code",
            "network__name",
            "network__deprov__region_id",
            "network__deprov__region__name",
            "network__deprov__region__order",
        )
        .annotate(invited=Count("pk"), answered=Count("pk", filter=participated()))
        .order_by("network__deprov__region__order", "network__code")
    )
    regions = {}
    total = {"invited": 0, "answered": 0}
    for row in rows:
        region = regions.setdefault(
            row["network__deprov__region_id"],
            {
                "code": row["network__deprov__region_id"],
                "name": row["network__deprov__region__name"],
                "invited": 0,
                "answered": 0,
                "networks": [],
            },
        )
        network = {
            "code": row["network__code"],
            "name": row["network__name"],
            "invited": row["invited"],
            "answered": row["answered"],
            "rate": rate(row["answered"], row["invited"]),
        }
        region["networks"].append(network)
        for target in (region, total):
            target["invited"] += row["invited"]
            target["answered"] += row["answered"]
    for region in regions.values():
        region["rate"] = rate(region["answered"], region["invited"])
    total["rate"] = rate(total["answered"], total["invited"])
    return {"regions": list(regions.values()), "total": total}


# --- scopes the user may pick ------------------------------------------------------------


def scope_choices(user, campaign):
    """[(value, label)] of the scopes whose results the user may read; the
    national scope's label is None (the page names it). Plain values: a
    national analyst has some 600 networks to choose from."""
    if not permissions.can_view_results(user, campaign):
        return []
    choices = [("national", None)]
    regions = (
        permissions.result_regions(user, campaign).order_by("order").values_list("code", "name")
    )
    choices += [(f"region:{code}", name) for code, name in regions]
    networks = (
        permissions.result_networks(user, campaign)
        .order_by("deprov__region__order", "code")
        .values_list("code", "name")
    )
    choices += [(f"network:{code}", f"{code} · {name}") for code, name in networks]
    return choices


def default_scope(user, campaign):
    """The scope a results page opens on: the user's network for members,
    the national figure for analysts."""
    if permissions.is_admin(user) or permissions.is_analyst(user):
        return Scope("national")
    network = (
        permissions.result_networks(user, campaign)
        .select_related("deprov__region")
        .order_by("-year", "code")
        .first()
    )
    if network is not None:
        return Scope("network", region=network.deprov.region, network=network)
    return Scope("national")


def comparison_scopes(scope):
    """The scope and those it is compared with: network → region → national."""
    if scope.kind == "network":
        return [scope, Scope("region", region=scope.region), Scope("national")]
    if scope.kind == "region":
        return [scope, Scope("national")]
    return [scope]


def results_url(campaign, scope):
    return reverse("monitoring:results", args=[campaign.slug]) + f"?scope={scope}"


# --- trend --------------------------------------------------------------------------


def earlier_campaigns(user, campaign):
    """Earlier waves the user may read, oldest first (at most TREND_WAVES)."""
    statuses = [CampaignStatus.PUBLISHED]
    if permissions.is_admin(user) or permissions.is_analyst(user):
        statuses.append(CampaignStatus.CLOSED)
    earlier = Campaign.objects.filter(year__lt=campaign.year, status__in=statuses).order_by(
        "-year", "-pk"
    )[: TREND_WAVES - 1]
    return list(reversed(earlier))


def trend(user, campaign, scope, *, waves=None, stats=None):
    """pct_agree per Likert question code over the waves: {"waves": [campaign],
    "series": {code: [pct or None per wave]}}. A question missing from a
    wave, or suppressed in it, has None there. `waves` and `stats`
    (results.response_stats of the waves), when the caller has them."""
    if waves is None:
        waves = [*earlier_campaigns(user, campaign), campaign]
    if stats is None:
        stats = response_stats(waves)
    series = {}
    for index, wave in enumerate(waves):
        results = campaign_results(wave, stats=stats[wave.pk]).for_scope(scope)
        for item in results["questions"]:
            series.setdefault(item["code"], [None] * len(waves))[index] = item["pct_agree"]
    return {"waves": waves, "series": series}


# --- home and network panels ----------------------------------------------------------------


def pending_invitations(user):
    """The user's open invitations, with a link and their progress (one
    query, and one more for the drafts if there are any)."""
    today = timezone.localdate()
    invitations = list(
        Invitation.objects.pending()
        .filter(user=user, campaign__status=CampaignStatus.OPEN)
        .filter(Q(campaign__closes_on__isnull=True) | Q(campaign__closes_on__gte=today))
        .select_related("campaign", "network")
        .annotate(n_questions=Count("campaign__instrument__questions", distinct=True))
        .order_by("campaign__closes_on", "network__code")
    )
    if not invitations:
        return []
    drafts = {
        d.invitation_id: d.answers
        for d in Draft.objects.filter(invitation__in=[i.pk for i in invitations])
    }
    items = []
    for invitation in invitations:
        answered = len(drafts.get(invitation.pk, {}))
        items.append(
            {
                "invitation": invitation,
                "campaign": invitation.campaign,
                "network": invitation.network,
                "url": reverse("monitoring:respond", args=[invitation.token]),
                "answered": answered,
                "total": invitation.n_questions,
                "started": invitation.pk in drafts,
            }
        )
    return items


def home_panel(user, *, published=True):
    """What the home page shows about the survey: the user's open invitations
    (with a link and progress) and the latest published results of their
    networks. {"invitations": [...], "published": [...]} — both empty for
    people with nothing to answer or read. `published=False`: the
    invitations only (the survey's index page shows no more)."""
    if not user.is_authenticated:
        return {"invitations": [], "published": [], "running": [], "latest": None}
    items = pending_invitations(user)
    if not published:
        return {"invitations": items, "published": [], "running": [], "latest": None}
    if permissions.reads_unpublished_results(user):
        # Analysts and admins run the survey: its campaigns under way, with
        # their participation in the user's scope, and the latest results
        # they read (closed ones before they are published).
        return {"invitations": items, "published": [], **_running_campaigns(user)}
    published = []
    if permissions.follows_network_results(user):
        published_campaigns = Campaign.objects.filter(status=CampaignStatus.PUBLISHED)
        campaign = published_campaigns.order_by("-year", "-pk").first()
        if campaign is not None:
            networks = list(
                permissions.result_networks(user, campaign)
                .only("pk", "code", "name")
                .order_by("code")[:5]
            )
            reports = _network_report_urls(user, campaign, networks)
            published = [
                {
                    "campaign": campaign,
                    "network": network,
                    "url": reverse("monitoring:results", args=[campaign.slug])
                    + f"?scope=network:{network.code}",
                    "report_url": reports.get(network.pk),
                }
                for network in networks
            ]
    return {"invitations": items, "published": published, "running": [], "latest": None}


def _running_campaigns(user):
    """{"running": the open campaigns (their participation within the
    user's rate_networks, closing first), "latest": the latest campaign
    whose results they read (published, or closed and not yet published)
    with its results link, or None}. Three queries at most."""
    running = []
    campaigns = list(
        Campaign.objects.filter(status=CampaignStatus.OPEN).order_by(
            F("closes_on").asc(nulls_last=True), "pk"
        )
    )
    if campaigns:
        # rate_networks depends on the campaign only through its status
        # (none for a draft): the same for every open campaign.
        counts = {
            row["campaign_id"]: row
            for row in Invitation.objects.filter(
                campaign__in=campaigns,
                network__in=permissions.rate_networks(user, campaigns[0]),
            )
            .values("campaign_id")
            .annotate(invited=Count("pk"), answered=Count("pk", filter=participated()))
            .order_by()
        }
        for campaign in campaigns:
            row = counts.get(campaign.pk, {"invited": 0, "answered": 0})
            running.append(
                {
                    "campaign": campaign,
                    "invited": row["invited"],
                    "answered": row["answered"],
                    "rate": rate(row["answered"], row["invited"]),
                    "url": reverse("monitoring:campaign", args=[campaign.slug]),
                    "rates_url": reverse("monitoring:rates", args=[campaign.slug]),
                }
            )
    latest = (
        Campaign.objects.filter(status__in=[CampaignStatus.PUBLISHED, CampaignStatus.CLOSED])
        .order_by("-year", "-pk")
        .first()
    )
    if latest is not None:
        latest = {
            "campaign": latest,
            "published": latest.status == CampaignStatus.PUBLISHED,
            "url": reverse("monitoring:results", args=[latest.slug]),
        }
    return {"running": running, "latest": latest}


def network_panel(user, network, *, visible=False):
    """The latest published results of a network for its page: the five
    contract questions with the network's, region's and national % of
    agreement (None where suppressed), the number of responses and a link
    to the full results. None when there is nothing the user may read.
    `visible`: the network was read from visible_networks(user) (the
    panel's view), which for most members settles that they read it."""
    campaign = (
        Campaign.objects.filter(status=CampaignStatus.PUBLISHED)
        .select_related("instrument")
        .order_by("-year", "-pk")
        .first()
    )
    if campaign is None:
        return None
    scope = Scope("network", region=network.deprov.region, network=network)
    if visible and permissions.follows_visible_networks(user):
        # result_networks of a published campaign is visible_networks here.
        allowed = permissions.can_view_results(user, campaign)
    else:
        allowed = permissions.can_view_scope(user, campaign, scope)
    if not allowed:
        return None
    results = campaign_results(campaign)
    network_data, region_data, national_data = (
        results.for_scope(s) for s in comparison_scopes(scope)
    )
    by_code = [
        {item["code"]: item for item in data["questions"]}
        for data in (network_data, region_data, national_data)
    ]
    codes = [c for c in CONTRACT_CODES if c in by_code[0]] or list(by_code[0])[:5]
    # Only the texts of the rows shown (not the instrument's every question).
    questions = {
        q.code: q
        for q in Question.objects.filter(
            instrument_id=campaign.instrument_id, code__in=codes
        ).order_by()
    }
    rows = []
    for code in codes:
        rows.append(
            {
                "code": code,
                "text": questions[code].text if code in questions else code,
                "network": by_code[0][code],
                "region": by_code[1].get(code),
                "national": by_code[2].get(code),
            }
        )
    return {
        "campaign": campaign,
        "network": network,
        "n_responses": network_data["n_responses"],
        "rows": rows,
        "url": results_url(campaign, scope),
        "report": network_report(user, campaign, network, visible=visible),
    }


def _network_report_urls(user, campaign, networks):
    """{network id: download URL} of the networks' built PDF reports the user
    may download, in their language where there is one. One query."""
    language = (getattr(user, "language", "") or "es")[:2]
    rows = (
        permissions.visible_reports(user, campaign)
        .filter(scope=ReportScope.NETWORK, network__in=networks, status=ReportStatus.DONE)
        .exclude(file="")
        .order_by(Case(When(language=language, then=0), default=1), "language")
        .values_list("network_id", "pk")
    )
    urls = {}
    for network_id, pk in rows:
        urls.setdefault(network_id, reverse("monitoring:report_download", args=[campaign.slug, pk]))
    return urls


def network_report(user, campaign, network, *, visible=False):
    """The network's built PDF report of the campaign the user may download
    (in their language if there is one), or None. One query. `visible`: the
    network was read from visible_networks(user)."""
    language = (getattr(user, "language", "") or "es")[:2]
    report = (
        permissions.visible_reports(user, campaign, visible_network=network if visible else None)
        .filter(scope=ReportScope.NETWORK, network=network, status=ReportStatus.DONE)
        .exclude(file="")
        .order_by(Case(When(language=language, then=0), default=1), "language")
        .first()
    )
    if report is None:
        return None
    return {
        "report": report,
        "url": reverse("monitoring:report_download", args=[campaign.slug, report.pk]),
    }
