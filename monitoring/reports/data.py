"""The data of a report: every figure the reports of a campaign print,
computed once (`ReportInputs`), and the plain numbers and texts of one
report (`scope_data`), whose hash is the report's input checksum.

`ReportInputs` computes, once per campaign (and per batch, in each
process: `inputs_for`), the results of every scope (monitoring.results, one
grouped query), the earlier waves, response rates, meeting measures and PME
rollups of all networks and regions at once. `scope_data()` turns those into
what one report prints; `checksum()` hashes it (with the language and
REPORT_VERSION) without rendering, so a report whose checksum matches the
stored file's is "unchanged" and not rebuilt.
"""

import hashlib
import json
import time
from collections import OrderedDict, defaultdict

from django.conf import settings
from django.db.models import Avg, Count, F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from networks.meetings.selectors import (
    MeetingMeasures,
    area_meeting_measures,
    network_meeting_measures,
)
from networks.models import Network
from pme.models import Action, ActionStatus, AnnualPlan, Dimension
from schools.models import Region

from .. import permissions
from ..models import (
    Campaign,
    CampaignStatus,
    Invitation,
    Question,
    QuestionKind,
    ReportScope,
    Response,
)
from ..permissions import Scope, parse_scope
from ..results import campaign_results, rate
from ..risk import indicators as risk

# Bump when the template or what it prints changes: every report is rebuilt.
REPORT_VERSION = "2026.1"
# Waves the trend shows (this one and up to five earlier published ones).
TREND_WAVES = 6
# Questions listed among the key findings (highest, lowest; twice as many changes).
FINDINGS = 3
# Roles of the response-rate table.
ROLES = ("director", "utp")


# --- scopes -----------------------------------------------------------------------------


def scope_of(report):
    """The results Scope of a Report row (its region/network already loaded)."""
    if report.scope == ReportScope.NETWORK:
        network = report.network
        return Scope("network", region=network.deprov.region, network=network)
    if report.scope == ReportScope.REGION:
        return Scope("region", region=report.region)
    return Scope("national")


def campaign_scopes(campaign, spec="all", user=None):
    """Scopes of `spec` ("all", "national", "region:<code>", "network:<code>")
    that have something to report: the regions and networks with responses
    or invitations in the campaign. With `user`, only those they may read.
    Raises ScopeError for an unknown region or network."""
    spec = (spec or "all").strip()
    if spec != "all":
        scopes = [parse_scope(spec)]
    else:
        with_responses = Response.objects.filter(campaign=campaign)
        invited = Invitation.objects.filter(campaign=campaign)
        network_ids = set(with_responses.values_list("network_id", flat=True).distinct())
        network_ids |= set(invited.values_list("network_id", flat=True).distinct())
        network_ids.discard(None)
        region_codes = set(with_responses.values_list("region_id", flat=True).distinct())
        networks = list(
            Network.objects.filter(pk__in=network_ids)
            .select_related("deprov__region")
            .order_by("deprov__region__order", "code")
        )
        region_codes |= {n.deprov.region_id for n in networks}
        regions = list(Region.objects.filter(code__in=region_codes).order_by("order"))
        scopes = [Scope("national")]
        scopes += [Scope("region", region=r) for r in regions]
        scopes += [Scope("network", region=n.deprov.region, network=n) for n in networks]
    if user is not None and not permissions.is_national(user):
        codes = permissions.result_region_codes(user, campaign)
        scopes = [s for s in scopes if s.kind == "national" or s.region_code in codes]
    return scopes


# --- the inputs of every report of a campaign ------------------------------------------


def _earlier_waves(campaign):
    """Earlier published waves (the trend), oldest first."""
    earlier = (
        Campaign.objects.filter(year__lt=campaign.year, status=CampaignStatus.PUBLISHED)
        .select_related("instrument")
        .order_by("-year", "-pk")[: TREND_WAVES - 1]
    )
    return list(reversed(earlier))


def _sum_measures(items):
    total = MeetingMeasures()
    for m in items:
        for name in (
            "meetings_held",
            "meetings_cancelled",
            "meetings_upcoming",
            "agenda_items",
            "agenda_from_members",
            "agreements",
            "agreements_due",
            "agreements_on_time",
            "agreements_open",
            "partners_present",
            "meetings_with_partners",
        ):
            setattr(total, name, getattr(total, name) + getattr(m, name))
        for role, figures in m.attendance.items():
            into = total.attendance.setdefault(role, {"attended": 0, "invited": 0, "rate": None})
            into["attended"] += figures["attended"]
            into["invited"] += figures["invited"]
    for figures in total.attendance.values():
        if figures["invited"]:
            figures["rate"] = round(figures["attended"] * 100 / figures["invited"], 1)
    return total


class ReportInputs:
    """Every figure the reports of one campaign print, computed once."""

    def __init__(self, campaign):
        self.campaign = campaign
        self.built_at = time.monotonic()
        self.results = campaign_results(campaign)
        self.waves = _earlier_waves(campaign)
        self.wave_results = [campaign_results(w) for w in self.waves]
        self.questions = list(
            Question.objects.filter(instrument_id=campaign.instrument_id, kind=QuestionKind.LIKERT5)
            .select_related("section")
            .order_by("section__order", "order", "pk")
        )
        self.regions = {r.code: r for r in Region.objects.all()}
        self._rates()
        self._meetings()
        self._pme()
        self._risk()

    # response rates: invitations (and responses) by scope and role
    def _rates(self):
        invited = defaultdict(lambda: defaultdict(lambda: [0, 0]))
        rows = (
            Invitation.objects.filter(campaign=self.campaign)
            .values("network_id", "network__deprov__region_id", "role")
            .annotate(n=Count("pk"), answered=Count("pk", filter=Q(answered=True)))
        )
        for row in rows:
            keys = [
                ("national", None),
                ("region", row["network__deprov__region_id"]),
                ("network", row["network_id"]),
            ]
            for key in keys:
                cell = invited[key][row["role"]]
                cell[0] += row["n"]
                cell[1] += row["answered"]
        responses = defaultdict(lambda: defaultdict(int))
        for row in (
            Response.objects.filter(campaign=self.campaign)
            .values("network_id", "region_id", "role")
            .annotate(n=Count("pk"))
        ):
            for key in (("national", None), ("region", row["region_id"])):
                responses[key][row["role"]] += row["n"]
            if row["network_id"] is not None:
                responses[("network", row["network_id"])][row["role"]] += row["n"]
        self.invited, self.responded = invited, responses

    def _meetings(self):
        year = self.campaign.year
        self.network_ids = network_ids = list(
            Network.objects.filter(
                Q(pk__in=Response.objects.filter(campaign=self.campaign).values("network_id"))
                | Q(pk__in=Invitation.objects.filter(campaign=self.campaign).values("network_id"))
            ).values_list("pk", flat=True)
        )
        self.network_meetings = network_meeting_measures(network_ids, year)
        self.region_meetings = area_meeting_measures(level="region", year=year)
        self.national_meetings = _sum_measures(self.region_meetings.values())

    def _pme(self):
        """Actions of the plans shared with networks, of the campaign's year,
        by dimension: per network of the campaign (its schools' active links,
        whatever year the network is of now: a network carried into a new
        school year keeps its earlier waves' chapter), per region and
        national. Three grouped queries."""
        today = timezone.localdate()
        year = self.campaign.year
        self.dimensions = list(Dimension.objects.order_by("order"))
        actions = Action.objects.filter(plan__year=year, plan__shared_with_network=True).with_state(
            today
        )
        figures = {
            "n": Count("pk"),
            "done": Count("pk", filter=Q(state=ActionStatus.DONE)),
            "delayed": Count("pk", filter=Q(state=ActionStatus.DELAYED)),
            "progress": Avg("progress", filter=~Q(state=ActionStatus.CANCELLED)),
            "plans": Count("plan_id", distinct=True),
        }
        self.pme = defaultdict(dict)
        self.pme_plans = defaultdict(int)
        by_network = (
            actions.filter(
                plan__school__network_links__left_on__isnull=True,
                plan__school__network_links__network_id__in=self.network_ids,
            )
            .values(group=F("plan__school__network_links__network_id"), dim=F("dimension_id"))
            .annotate(**figures)
            .order_by()
        )
        by_region = (
            actions.values(group=F("plan__school__deprov__region_id"), dim=F("dimension_id"))
            .annotate(**figures)
            .order_by()
        )
        national = actions.values(dim=F("dimension_id")).annotate(**figures).order_by()
        for kind, rows in (("network", by_network), ("region", by_region)):
            for row in rows:
                self.pme[(kind, row["group"])][row["dim"]] = row
        for row in national:
            self.pme[("national", None)][row["dim"]] = row
        plans = AnnualPlanCounts(year, self.network_ids)
        self.pme_plans = plans.counts

    def _risk(self):
        """The risk signals of every network of the campaign's year
        (monitoring.risk, a fixed number of grouped queries)."""
        self.risks = risk.networks_at_risk(Network.objects.all(), self.campaign.year)


class AnnualPlanCounts:
    """Shared plans per network (of `network_ids`), region and country (two
    queries)."""

    def __init__(self, year, network_ids):
        plans = AnnualPlan.objects.filter(year=year, shared_with_network=True)
        self.counts = defaultdict(int)
        for row in (
            plans.filter(
                school__network_links__left_on__isnull=True,
                school__network_links__network_id__in=network_ids,
            )
            .values(group=F("school__network_links__network_id"))
            .annotate(n=Count("pk", distinct=True))
            .order_by()
        ):
            self.counts[("network", row["group"])] = row["n"]
        for row in (
            plans.values(group=F("school__deprov__region_id")).annotate(n=Count("pk")).order_by()
        ):
            self.counts[("region", row["group"])] = row["n"]
            self.counts[("national", None)] += row["n"]


# Per-process memo: the workers of one batch share the inputs computed for it.
_INPUTS = OrderedDict()
_INPUTS_KEEP = 2
_INPUTS_SECONDS = 900


def inputs_for(campaign, token=None):
    """The campaign's ReportInputs, shared by the builds of one batch (same
    `token`) in this process; without a token they are computed afresh."""
    if token is None:
        return ReportInputs(campaign)
    key = (campaign.pk, token)
    inputs = _INPUTS.get(key)
    if inputs is None or time.monotonic() - inputs.built_at > _INPUTS_SECONDS:
        inputs = ReportInputs(campaign)
        _INPUTS[key] = inputs
        while len(_INPUTS) > _INPUTS_KEEP:
            _INPUTS.popitem(last=False)
    return inputs


# --- the data of one report (what the checksum covers) ----------------------------------------


def _scope_key(scope):
    if scope.kind == "network":
        return ("network", scope.network.pk)
    if scope.kind == "region":
        return ("region", scope.region.code)
    return ("national", None)


def _comparison(scope):
    if scope.kind == "network":
        return [scope, Scope("region", region=scope.region), Scope("national")]
    if scope.kind == "region":
        return [scope, Scope("national")]
    return [scope]


def scope_name(scope):
    if scope.kind == "network":
        return f"{scope.network.name} ({scope.network.code})"
    if scope.kind == "region":
        return scope.region.name
    return _("Todo el país")


def _short(scope):
    if scope.kind == "network":
        return _("Red")
    if scope.kind == "region":
        return _("Región")
    return _("País")


def _cell(item):
    if item is not None and item.get("not_asked"):
        return {"n": None, "suppressed": True, "not_asked": True}
    if item is None or item["suppressed"]:
        return {"n": None, "suppressed": True}
    return {
        "n": item["n"],
        "counts": item["counts"],
        "agree": item["pct_agree"],
        "neutral": item["pct_neutral"],
        "disagree": item["pct_disagree"],
        "mean": item["mean"],
        "suppressed": False,
    }


def scope_data(inputs, scope, language):
    """The plain figures and texts of one report (JSON-serialisable): what
    the PDF prints, and what its checksum hashes."""
    english = language == "en"
    compared = _comparison(scope)
    results = [inputs.results.for_scope(s) for s in compared]
    by_code = [{q["code"]: q for q in r["questions"]} for r in results]
    waves = [*inputs.waves, inputs.campaign]
    wave_by_code = [
        {q["code"]: q for q in r.for_scope(scope)["questions"]} for r in inputs.wave_results
    ]
    constructs, flat = [], []
    for number, question in enumerate(inputs.questions, start=1):
        code = question.code
        text = question.text_en if english and question.text_en else question.text_es
        cells = [_cell(b.get(code)) for b in by_code]
        trend = [w.get(code, {}).get("pct_agree") for w in wave_by_code] + [cells[0].get("agree")]
        row = {"number": number, "code": code, "text": text, "cells": cells, "trend": trend}
        name = question.construct_label or _("Otras preguntas")
        if not constructs or constructs[-1]["name"] != name:
            constructs.append({"name": name, "questions": []})
        constructs[-1]["questions"].append(row)
        flat.append(row)
    shown = [r for r in flat if not r["cells"][0]["suppressed"]]
    ranked = sorted(shown, key=lambda r: (-r["cells"][0]["agree"], r["number"]))
    highest = [r["number"] for r in ranked[:FINDINGS]]
    lowest = [
        r["number"] for r in sorted(shown, key=lambda r: (r["cells"][0]["agree"], r["number"]))
    ]
    lowest = [n for n in lowest if n not in highest][:FINDINGS]
    changes = []
    if len(waves) > 1:
        for r in flat:
            before, now = r["trend"][-2], r["trend"][-1]
            if before is not None and now is not None and before != now:
                changes.append((round(now - before, 1), r["number"]))
    changes.sort(key=lambda c: (-abs(c[0]), c[1]))
    key = _scope_key(scope)
    invited = inputs.invited.get(key, {})
    responded = inputs.responded.get(key, {})
    rates = []
    for role in ROLES:
        n_invited, n_answered = invited.get(role, (0, 0))
        rates.append(
            {
                "role": role,
                "invited": n_invited,
                "answered": n_answered,
                "responses": responded.get(role, 0),
                "rate": rate(n_answered, n_invited),
            }
        )
    total_invited = sum(r["invited"] for r in rates)
    total_answered = sum(r["answered"] for r in rates)
    data = {
        "version": REPORT_VERSION,
        "language": language,
        "campaign": {
            "slug": inputs.campaign.slug,
            "name": inputs.campaign.name,
            "year": inputs.campaign.year,
        },
        "scope": str(scope),
        "scope_kind": scope.kind,
        "scope_name": scope_name(scope),
        "region_name": scope.region.name if scope.kind != "national" else None,
        "labels": [scope_name(s) if s.kind != "national" else _("País") for s in compared],
        "short_labels": [_short(s) for s in compared],
        "n_responses": results[0]["n_responses"],
        "min_cell_size": settings.MIN_CELL_SIZE,
        "rates": {
            "rows": rates,
            "invited": total_invited,
            "answered": total_answered,
            "responses": sum(r["responses"] for r in rates),
            "rate": rate(total_answered, total_invited),
        },
        "constructs": constructs,
        "waves": [{"slug": w.slug, "year": w.year} for w in waves],
        # Some question of the scope has a figure in an earlier wave.
        "has_trend": any(v is not None for r in flat for v in r["trend"][:-1]),
        "waves_with_data": sum(
            1 for i in range(len(waves)) if any(r["trend"][i] is not None for r in flat)
        ),
        "findings": {
            "highest": highest,
            "lowest": lowest,
            "changes": changes[: 2 * FINDINGS],
        },
        "meetings": _meetings_data(inputs, scope),
        "pme": _pme_data(inputs, key),
        "risk": _risk_data(inputs, scope),
    }
    return data


def _risk_data(inputs, scope):
    """The networks-at-risk chapter: a network's own signals against their
    thresholds and its reasons; for a region or the country, the
    distribution of the signals and the count of flagged networks."""
    if scope.kind == "network":
        found = [r for r in inputs.risks if r.network.pk == scope.network.pk]
        if not found:
            return None
        network_risk = found[0]
        limits = risk.thresholds()
        labels = risk.indicator_labels()
        rows = [
            {"label": str(labels[key]), "value": get(network_risk), "limit": limits[key]}
            for key, get in risk.INDICATORS
        ]
        return {
            "kind": "network",
            "rows": rows,
            "meetings_held": network_risk.meetings_held,
            "meetings_with_partners": network_risk.meetings_with_partners,
            "survey": network_risk.survey,
            "reasons": [text for _code, text in risk.reasons_for(network_risk, limits)],
        }
    risks = inputs.risks
    if scope.kind == "region":
        risks = [r for r in risks if r.network.deprov.region_id == scope.region.code]
    if not risks:
        return None
    return {"kind": "area", **risk.distribution(risks)}


def _meetings_data(inputs, scope):
    if scope.kind == "network":
        measures = inputs.network_meetings.get(scope.network.pk)
    elif scope.kind == "region":
        measures = inputs.region_meetings.get(scope.region.code)
    else:
        measures = inputs.national_meetings
    if measures is None or not (measures.meetings_held or measures.agreements):
        return None
    return {
        "held": measures.meetings_held,
        "cancelled": measures.meetings_cancelled,
        "attendance": [
            {
                "role": str(row["role"]),
                "label": str(row["label"]),
                "attended": row["attended"],
                "invited": row["invited"],
                "rate": row["rate"],
            }
            for row in measures.attendance_rows
        ],
        "agenda_items": measures.agenda_items,
        "agenda_from_members": measures.agenda_from_members,
        "agenda_from_members_rate": measures.agenda_from_members_rate,
        "agreements": measures.agreements,
        "agreements_due": measures.agreements_due,
        "agreements_on_time": measures.agreements_on_time,
        "agreements_on_time_rate": measures.agreements_on_time_rate,
        "agreements_open": measures.agreements_open,
        "partners_present": measures.partners_present,
    }


def _pme_data(inputs, key):
    by_dim = inputs.pme.get(key)
    if not by_dim:
        return None
    rows = []
    for dimension in inputs.dimensions:
        row = by_dim.get(dimension.code)
        progress = row and row["progress"]
        rows.append(
            {
                "dimension": dimension.code,
                "name": str(dimension),
                "actions": row["n"] if row else 0,
                "done": row["done"] if row else 0,
                "delayed": row["delayed"] if row else 0,
                "progress": round(float(progress), 1) if progress is not None else None,
            }
        )
    return {"plans": inputs.pme_plans.get(key, 0), "rows": rows}


def checksum(data):
    payload = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def report_checksum(inputs, scope, language):
    with translation.override(language):
        return checksum(scope_data(inputs, scope, language))
