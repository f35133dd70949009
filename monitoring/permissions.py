"""Who may do what with the survey: one source of truth for the pages and
the API.

- Instruments: analysts and ministry admins build and edit them.
- Campaigns: national analysts and admins create, open, close and publish
  them, import waves and download raw (anonymous) responses.
- Results: analysts read every scope within their scope (national, their
  regions, those regions' networks) once a campaign is open; everyone else
  reads published results of the networks they see, a supervisor of those
  they supervise (followed_networks; and, for comparison, those networks'
  regions and the national figure).
- Response rates (counts only): analysts within scope; supervisors for the
  networks they supervise (networks.permissions.supervised_networks: those
  they are assigned to, not every network of their DEPROV), whose published
  results and reports they also read.
- While a campaign is open no answer aggregate of it is readable by anyone
  (pages, API, CSV/XLSX, PDF, commands): reading a network's results before
  and after one person submits would reveal that person's answers. Only
  participation counts are shown; results open when the campaign closes
  (`results_released`).
"""

from dataclasses import dataclass

from django.db.models import Q

from networks.models import Network
from networks.permissions import analyst_networks, supervised_networks, visible_networks
from rme_platform.accounts.permissions import (
    is_active_user,
    is_admin,
    is_directivo,
    is_sostenedor_rep,
    is_supervisor,
)
from schools.models import Region
from schools.permissions import analyst_scope, supervisor_deprov_ids

from .models import (
    Campaign,
    CampaignStatus,
    Instrument,
    Invitation,
    Report,
    ReportScope,
    ReportStatus,
)


def followed_networks(user):
    """Networks whose published results and reports a member reads: a
    supervisor those they supervise (networks.permissions), anyone else
    those they see."""
    if is_supervisor(user):
        return supervised_networks(user)
    return visible_networks(user)


def follows_visible_networks(user):
    """Whether the networks whose published results and reports the user
    reads (followed_networks, result_networks) are all those they see
    (visible_networks): members other than supervisors (who follow only
    those they supervise), admins and analysts. A network read from
    visible_networks then needs no second check against them."""
    return is_active_user(user) and not (is_supervisor(user) or is_admin(user) or is_analyst(user))


def is_analyst(user):
    return analyst_scope(user) is not None


def is_national(user):
    """Ministry admins and analysts with a national scope."""
    if is_admin(user):
        return True
    scope = analyst_scope(user)
    return scope is not None and scope.national


def reads_unpublished_results(user):
    """Results of a campaign once it is past draft, before it is published:
    admins and analysts."""
    return is_admin(user) or is_analyst(user)


def can_view_campaign_counts(user):
    """The campaign list's invitation and answer counts: national analysts,
    admins and supervisors."""
    return is_national(user) or is_supervisor(user)


def follows_network_results(user):
    """Directivos, supervisors and sostenedor representatives follow the
    published results of their networks (followed_networks)."""
    return is_directivo(user) or is_supervisor(user) or is_sostenedor_rep(user)


def can_edit_instruments(user):
    return is_admin(user) or is_analyst(user)


def can_manage_campaigns(user):
    """Create, open, close, publish campaigns, send reminders, import waves."""
    return is_national(user)


def can_download_raw(user):
    """Raw anonymous responses: national analysts and admins only."""
    return is_national(user)


def visible_instruments(user):
    if can_edit_instruments(user):
        return Instrument.objects.all()
    return Instrument.objects.filter(campaigns__in=visible_campaigns(user)).distinct()


def visible_campaigns(user):
    """Admins and analysts: all campaigns. Supervisors: those not in draft.
    Others: published ones, and open ones they are invited to."""
    if not is_active_user(user):
        return Campaign.objects.none()
    if is_admin(user) or is_analyst(user):
        return Campaign.objects.all()
    if is_supervisor(user):
        return Campaign.objects.exclude(status=CampaignStatus.DRAFT)
    invited = Invitation.objects.filter(user=user).values("campaign_id")
    return Campaign.objects.filter(
        Q(status=CampaignStatus.PUBLISHED) | Q(status=CampaignStatus.OPEN, pk__in=invited)
    )


def _reads_as_analyst(user, campaign):
    return (is_admin(user) or is_analyst(user)) and campaign.status != CampaignStatus.DRAFT


def result_networks(user, campaign):
    """Networks whose results in `campaign` the user may read."""
    if not is_active_user(user):
        return Network.objects.none()
    if is_admin(user):
        return Network.objects.all() if campaign.status != CampaignStatus.DRAFT else _none()
    if _reads_as_analyst(user, campaign):
        return analyst_networks(user)
    if campaign.status == CampaignStatus.PUBLISHED:
        return followed_networks(user)
    return _none()


def _none():
    return Network.objects.none()


def result_regions(user, campaign):
    """The regions whose results the user may read (a queryset)."""
    if not is_active_user(user) or campaign.status == CampaignStatus.DRAFT:
        return Region.objects.none()
    if is_national(user) and (is_admin(user) or _reads_as_analyst(user, campaign)):
        return Region.objects.all()
    scope = analyst_scope(user)
    if scope is not None:
        return scope.regions.all()
    if campaign.status != CampaignStatus.PUBLISHED:
        return Region.objects.none()
    return Region.objects.filter(
        code__in=result_networks(user, campaign).values("deprov__region_id")
    )


def result_region_codes(user, campaign):
    """Codes of the regions whose results the user may read (a set)."""
    return set(result_regions(user, campaign).values_list("code", flat=True))


def results_released(campaign):
    """Answer aggregates of a campaign exist for readers only once it is
    closed (or published): while it is open only participation counts do."""
    return campaign.status in (CampaignStatus.CLOSED, CampaignStatus.PUBLISHED)


def can_view_results(user, campaign):
    """May read some results of the campaign (at least the national figure)."""
    if not is_active_user(user) or campaign.status == CampaignStatus.DRAFT:
        return False
    return reads_unpublished_results(user) or campaign.status == CampaignStatus.PUBLISHED


def can_view_scope(user, campaign, scope):
    if not can_view_results(user, campaign):
        return False
    if scope.kind == "national":
        return True
    if scope.kind == "region":
        return scope.region.code in result_region_codes(user, campaign)
    return result_networks(user, campaign).filter(pk=scope.network.pk).exists()


def rate_networks(user, campaign):
    """Networks whose response-rate counts the user may read."""
    if not is_active_user(user) or campaign.status == CampaignStatus.DRAFT:
        return _none()
    if is_admin(user):
        return Network.objects.all()
    if is_analyst(user):
        return analyst_networks(user)
    return supervised_networks(user)


def rates_cover_whole_regions(user):
    """Whether rate_networks holds every network of a region the user sees
    (admins, analysts) or only some of them (a supervisor's own networks),
    so that a region's subtotal is the region's or only theirs."""
    return is_active_user(user) and (is_admin(user) or is_analyst(user))


def can_view_rates(user, campaign):
    if not is_active_user(user) or campaign.status == CampaignStatus.DRAFT:
        return False
    return is_admin(user) or is_analyst(user) or is_supervisor(user)


# --- scopes -------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """A results scope: national, a region or a network."""

    kind: str
    region: Region | None = None
    network: Network | None = None

    def __str__(self):
        if self.kind == "region":
            return f"region:{self.region.code}"
        if self.kind == "network":
            return f"network:{self.network.code}"
        return "national"

    @property
    def region_code(self):
        if self.kind == "region":
            return self.region.code
        if self.kind == "network":
            return self.network.deprov.region_id
        return None


class ScopeError(ValueError):
    """The scope text is malformed or names a region or network that does not exist."""


def parse_scope(text):
    """Scope from "national", "region:<code>" or "network:<code>"; raises ScopeError."""
    text = (text or "").strip()
    if text == "national":
        return Scope("national")
    kind, _sep, code = text.partition(":")
    if kind == "region" and code.isdigit():
        region = Region.objects.filter(code=int(code)).first()
        if region is not None:
            return Scope("region", region=region)
    elif kind == "network" and code:
        network = Network.objects.select_related("deprov__region").filter(code=code).first()
        if network is not None:
            return Scope("network", region=network.deprov.region, network=network)
    raise ScopeError(text)


# --- PDF reports ----------------------------------------------------------------


def visible_reports(user, campaign=None, *, visible_network=None):
    """Reports the user may see (and download once built), of `campaign` or
    of every campaign.

    Admins and analysts: every scope whose results they read (national, their
    regions, those regions' networks), once the campaign is past draft.
    Network members (directivos, sostenedor representatives, and supervisors
    for the networks they supervise): the built reports of their networks,
    once the campaign is published.

    `visible_network`: a network the caller read from visible_networks(user);
    the reports are then that network's, and for a user who
    follows_visible_networks it is not looked up in followed_networks again.
    """
    reports = Report.objects.all()
    if visible_network is not None:
        reports = reports.filter(network=visible_network)
    if campaign is not None:
        if campaign.status == CampaignStatus.DRAFT:
            return reports.none()
        reports = reports.filter(campaign=campaign)
    else:
        reports = reports.exclude(campaign__status=CampaignStatus.DRAFT)
    if not is_active_user(user):
        return reports.none()
    if is_admin(user) or is_analyst(user):
        if is_national(user):
            return reports
        codes = list(analyst_scope(user).regions.values_list("code", flat=True))
        return reports.filter(
            Q(scope=ReportScope.NATIONAL)
            | Q(scope=ReportScope.REGION, region_id__in=codes)
            | Q(scope=ReportScope.NETWORK, network__deprov__region_id__in=codes)
        )
    reports = reports.filter(
        campaign__status=CampaignStatus.PUBLISHED,
        scope=ReportScope.NETWORK,
        status=ReportStatus.DONE,
    )
    if visible_network is not None and follows_visible_networks(user):
        return reports
    return reports.filter(network__in=followed_networks(user).values("pk"))


def can_build_reports(user, campaign):
    """Request, rebuild and retry reports: analysts (within their scope) and
    admins, for a closed or published campaign."""
    if not is_active_user(user):
        return False
    if campaign.status not in (CampaignStatus.CLOSED, CampaignStatus.PUBLISHED):
        return False
    return is_admin(user) or is_analyst(user)


def can_build_report_scope(user, campaign, scope):
    return can_build_reports(user, campaign) and can_view_scope(user, campaign, scope)


def can_view_reports_page(user, campaign):
    """The reports page lists what visible_reports gives; members reach it
    from their network's page once the campaign is published."""
    if not is_active_user(user) or campaign.status == CampaignStatus.DRAFT:
        return False
    return is_admin(user) or is_analyst(user) or campaign.status == CampaignStatus.PUBLISHED


# --- networks at risk ---------------------------------------------------------------


def can_view_risk(user):
    """The networks-at-risk page and API: admins, analysts and supervisors."""
    return is_active_user(user) and (is_admin(user) or is_analyst(user) or is_supervisor(user))


def risk_networks(user):
    """Networks whose risk signals the user reads: admins all, analysts
    those of their scope, supervisors those they supervise and those of
    their DEPROV (whose meeting measures and PME rollups they already see:
    networks.permissions.visible_networks, pme.permissions.rollup_deprovs)."""
    if not can_view_risk(user):
        return Network.objects.none()
    if is_admin(user):
        return Network.objects.all()
    if is_analyst(user):
        return analyst_networks(user)
    return Network.objects.filter(
        Q(pk__in=supervised_networks(user).values("pk")) | Q(deprov__in=supervisor_deprov_ids(user))
    )


def risk_survey_network_ids(user, campaign):
    """Ids of the networks whose survey figures in `campaign` the user reads
    on the risk page: those of its results (result_networks), so the survey
    signals follow the same rules as the results pages."""
    return set(result_networks(user, campaign).values_list("pk", flat=True))
