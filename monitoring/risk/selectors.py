"""The reader's side of networks at risk: scopes (a DEPROV, a region, the
country), the rows of the page, the API and the exports, and the panel of
the home page. Every read starts from permissions.risk_networks."""

from dataclasses import dataclass

from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from networks.meetings.models import AttendeeRole
from networks.models import Network
from rme_platform.accounts.permissions import is_admin, is_supervisor
from schools.models import Deprov, Region
from schools.permissions import analyst_regions, supervisor_deprov_ids

from .. import permissions
from ..permissions import ScopeError
from .indicators import networks_at_risk

NATIONAL, REGION, DEPROV = "national", "region", "deprov"
# Sort keys of the page, the API and the exports: (key, value of a NetworkRisk, descending).
SORTS = {
    "reasons": (lambda r: len(r.reasons), True),
    "code": (lambda r: r.network.code, False),
    "attendance_director": (lambda r: r.attendance.get(AttendeeRole.DIRECTOR), False),
    "agenda_from_members": (lambda r: r.agenda_from_members, False),
    "agreements_on_time": (lambda r: r.agreements_on_time, False),
    "pme_delayed": (lambda r: r.pme_delayed_rate, True),
}


@dataclass(frozen=True)
class RiskScope:
    kind: str
    region: Region | None = None
    deprov: Deprov | None = None

    def __str__(self):
        if self.kind == REGION:
            return f"region:{self.region.code}"
        if self.kind == DEPROV:
            return f"deprov:{self.deprov.code}"
        return NATIONAL

    @property
    def label(self):
        if self.kind == REGION:
            return self.region.name
        if self.kind == DEPROV:
            return _("Departamento provincial %(name)s") % {"name": self.deprov.name.title()}
        return _("Nacional")


def parse_risk_scope(text):
    """ "national", "region:<code>" or "deprov:<code>"; raises ScopeError."""
    text = (text or "").strip()
    if text == NATIONAL:
        return RiskScope(NATIONAL)
    kind, _sep, code = text.partition(":")
    if code.isdigit():
        if kind == REGION:
            region = Region.objects.filter(code=int(code)).first()
            if region is not None:
                return RiskScope(REGION, region=region)
        elif kind == DEPROV:
            deprov = Deprov.objects.select_related("region").filter(code=int(code)).first()
            if deprov is not None:
                return RiskScope(DEPROV, region=deprov.region, deprov=deprov)
    raise ScopeError(text)


def scope_networks(user, scope):
    networks = permissions.risk_networks(user)
    if scope.kind == REGION:
        return networks.filter(deprov__region=scope.region)
    if scope.kind == DEPROV:
        return networks.filter(deprov=scope.deprov)
    return networks


def can_view_scope(user, scope):
    """The country for whoever reads the page (it lists what they may see);
    a region or DEPROV within an analyst's regions, or where the user reads
    some network (a supervisor's DEPROV); admins every one."""
    if not permissions.can_view_risk(user):
        return False
    if scope.kind == NATIONAL or is_admin(user):
        return True
    if analyst_regions(user).filter(code=scope.region.code).exists():
        return True
    return scope_networks(user, scope).exists()


def scope_choices(user):
    """The scopes the user may read, for the scope picker of the page: the
    country, then per region (north to south) the region and its DEPROV that
    can_view_scope allows — every one for admins, an analyst's regions with
    all their DEPROV, and the regions and DEPROV of the networks a
    supervisor reads. [(group label, [(value, label)])] (one query)."""
    deprovs = Deprov.objects.select_related("region").order_by("region__order", "name")
    if not is_admin(user):
        deprovs = deprovs.filter(
            Q(region__in=analyst_regions(user).values("pk"))
            | Q(pk__in=permissions.risk_networks(user).values("deprov_id"))
        )
    regions, by_region = [], {}
    for deprov in deprovs:
        if deprov.region_id not in by_region:
            regions.append(deprov.region)
            by_region[deprov.region_id] = []
        by_region[deprov.region_id].append(deprov)
    groups = [(_("País"), [(NATIONAL, _("Nacional"))])]
    for region in regions:
        options = [(str(RiskScope(REGION, region=region)), region.name)]
        options += [
            (
                str(RiskScope(DEPROV, region=region, deprov=deprov)),
                _("Departamento provincial %(name)s") % {"name": deprov.name.title()},
            )
            for deprov in by_region[region.pk]
        ]
        groups.append((region.name, options))
    return groups


def default_scope(user):
    """A supervisor's DEPROV, a regional analyst's first region, else the country."""
    if is_supervisor(user):
        deprov = Deprov.objects.filter(code__in=supervisor_deprov_ids(user)).first()
        if deprov is not None:
            return RiskScope(DEPROV, region=deprov.region, deprov=deprov)
    regions = list(analyst_regions(user)[:2])
    if len(regions) == 1 and not is_admin(user):
        return RiskScope(REGION, region=regions[0])
    return RiskScope(NATIONAL)


def default_year(user):
    """The latest year of the networks the user reads (the current one if none)."""
    latest = permissions.risk_networks(user).aggregate(year=Max("year"))["year"]
    return latest or timezone.localdate().year


def risks_for(user, scope, year):
    """[NetworkRisk] of the scope's networks of `year` that the user reads,
    with survey signals only where the user reads the wave's results."""
    return networks_at_risk(
        scope_networks(user, scope),
        year,
        readable=lambda campaign: permissions.risk_survey_network_ids(user, campaign),
    )


def sorted_risks(risks, sort="reasons", *, flagged_only=True):
    """The rows in the order asked (missing figures last), flagged ones only
    unless told otherwise."""
    rows = [r for r in risks if r.flagged] if flagged_only else list(risks)
    key, descending = SORTS.get(sort, SORTS["reasons"])
    present = [r for r in rows if key(r) is not None]
    missing = [r for r in rows if key(r) is None]
    present.sort(key=lambda r: r.network.code)
    present.sort(key=key, reverse=descending)
    return present + missing


def home_panel(user):
    """The supervisor's home panel: the flagged networks of their DEPROV and
    those they supervise, for the latest year. {} for anyone else."""
    if not is_supervisor(user) or not permissions.can_view_risk(user):
        return {}
    # default_year and risks_for's networks from one read of the user's
    # networks: the grouped queries then name them rather than repeat the
    # subqueries of risk_networks.
    rows = list(permissions.risk_networks(user).values_list("pk", "year"))
    year = max((y for _pk, y in rows), default=None) or timezone.localdate().year
    risks = networks_at_risk(
        Network.objects.filter(pk__in=[pk for pk, y in rows if y == year]),
        year,
        readable=lambda campaign: permissions.risk_survey_network_ids(user, campaign),
    )
    flagged = sorted_risks(risks)
    return {
        "risk_year": year,
        "risk_total": len(risks),
        "risk_flagged": flagged[:5],
        "risk_flagged_count": len(flagged),
    }
