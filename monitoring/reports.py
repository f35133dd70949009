"""PDF monitoring reports per network, region and country.

A report is a `Report` row per (campaign, scope, language); a Celery task
(monitoring.tasks.build_report) or `build_reports --sync` builds its PDF with
WeasyPrint from templates/monitoring/reports/report_pdf.html and SVG charts
from rme_platform.charts.

Speed at national scale rests on two things:

- `ReportInputs` computes, once per campaign (and per request of a batch, in
  each process), every figure any report prints: the results of every scope
  (monitoring.results, one grouped query), the earlier waves, response rates,
  meeting measures and PME rollups of all networks and regions at once;
- `scope_data()` turns those into the plain numbers and texts of one report.
  Their hash (with the language and REPORT_VERSION) is the report's input
  checksum, computed without rendering: a report whose checksum matches the
  stored file's is "unchanged" and not rebuilt.
"""

import hashlib
import json
import logging
import os
import time
import uuid
from collections import OrderedDict, defaultdict
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, connection, transaction
from django.db.models import Avg, Count, F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from networks.models import Network
from rme_platform.charts import LIKERT_COLORS
from schools.models import Region

from . import permissions
from .models import (
    Campaign,
    CampaignStatus,
    Invitation,
    Question,
    QuestionKind,
    Report,
    ReportScope,
    ReportStatus,
    Response,
    likert_labels,
)
from .permissions import Scope, ScopeError, parse_scope
from .results import campaign_results, rate

logger = logging.getLogger(__name__)

# Bump when the template or what it prints changes: every report is rebuilt.
REPORT_VERSION = "2025.1"
TREND_WAVES = 6
# Hard and soft time limits of one build (seconds); a report left "running"
# longer than STALE_AFTER (a killed worker) is queued again by the sweeper.
TIME_LIMIT = 180
SOFT_TIME_LIMIT = 150
STALE_AFTER = timedelta(seconds=TIME_LIMIT + 60)
# A queued report still pending after this long lost its message: queue it again.
LOST_AFTER = timedelta(hours=1)
MAX_RETRIES = 3
FINDINGS = 3
ROLES = ("director", "utp")
# Only for tests that kill a worker in the middle of a build: seconds to
# sleep before rendering, read from the environment of the worker.
DELAY_ENV = "MONITORING_REPORT_BUILD_DELAY"


class ReportBuildError(Exception):
    """A build failed; the report row already records the error."""


# --- formatting -----------------------------------------------------------------------


def pct(value):
    """A percentage as the language writes it: "62,4 %" in Spanish, "62.4%" in English."""
    if value is None:
        return "—"
    text = number_format(value, decimal_pos=1, use_l10n=True)
    if (translation.get_language() or "es").startswith("en"):
        return f"{text}%"
    return f"{text}\N{NO-BREAK SPACE}%"


def points(value):
    """A difference in percentage points, signed: "+3,2" / "−1,5"."""
    if value is None:
        return "—"
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return sign + number_format(abs(value), decimal_pos=1, use_l10n=True)


def suppressed_label():
    return _("menos de %(n)s respuestas") % {"n": settings.MIN_CELL_SIZE}


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
    from networks.meeting_selectors import MeetingMeasures

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
        from networks.meeting_selectors import area_meeting_measures, network_meeting_measures

        year = self.campaign.year
        network_ids = list(
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
        by dimension: per network (of the school's active link that year),
        per region and national. Three grouped queries."""
        from pme.models import Action, ActionStatus, Dimension

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
                plan__school__network_links__network__year=year,
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
        plans = AnnualPlanCounts(year)
        self.pme_plans = plans.counts


class AnnualPlanCounts:
    """Shared plans per network, region and country (two queries)."""

    def __init__(self, year):
        from pme.models import AnnualPlan

        plans = AnnualPlan.objects.filter(year=year, shared_with_network=True)
        self.counts = defaultdict(int)
        for row in (
            plans.filter(
                school__network_links__left_on__isnull=True,
                school__network_links__network__year=year,
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
    }
    return data


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


# --- rendering ------------------------------------------------------------------------------


def _charts(data):
    """The SVG charts of a report, from its data."""
    from rme_platform.charts import bar_chart, diverging_bar_chart, line_chart

    label = suppressed_label()
    years = [str(w["year"]) for w in data["waves"]]
    for construct in data["constructs"]:
        construct["chart"] = diverging_bar_chart(
            title=_("%(construct)s: distribución de respuestas en %(scope)s")
            % {"construct": construct["name"], "scope": data["short_labels"][0].lower()},
            rows=[
                (
                    f"P{q['number']}",
                    None if q["cells"][0]["suppressed"] else q["cells"][0]["counts"],
                )
                for q in construct["questions"]
            ],
            suppressed_label=label,
            compact=True,
        )
        construct["trend_chart"] = None
        if data["has_trend"] and any(
            v is not None for q in construct["questions"] for v in q["trend"][:-1]
        ):
            construct["trend_chart"] = line_chart(
                title=_("%(construct)s: porcentaje de acuerdo por año")
                % {"construct": construct["name"]},
                x_labels=years,
                series=[(f"P{q['number']}", q["trend"]) for q in construct["questions"]],
                y_max=100,
                unit=" %",
                legend_step=64,
                point_labels=False,
            )
    charts = {}
    meetings = data["meetings"]
    if meetings:
        charts["attendance"] = bar_chart(
            title=_("Asistencia a las reuniones realizadas, por cargo"),
            items=[(row["label"], row["rate"]) for row in meetings["attendance"]],
            unit=" %",
            max_value=100,
            decimals=1,
        )
    if data["pme"]:
        charts["pme"] = bar_chart(
            title=_("Avance promedio de las acciones por dimensión"),
            items=[(row["name"], row["progress"]) for row in data["pme"]["rows"]],
            unit=" %",
            max_value=100,
            decimals=1,
        )
    return charts


def _questions_by_number(data):
    return {q["number"]: q for c in data["constructs"] for q in c["questions"]}


def render_html(data, *, generated_at=None):
    """The report's HTML in the active language (call inside translation.override)."""
    charts = _charts(data)
    by_number = _questions_by_number(data)
    findings = data["findings"]
    context = {
        "data": data,
        "charts": charts,
        "generated_at": timezone.localtime(generated_at or timezone.now()),
        "highest": [by_number[n] for n in findings["highest"]],
        "lowest": [by_number[n] for n in findings["lowest"]],
        "changes": [(by_number[n], delta) for delta, n in findings["changes"]],
        "suppressed_label": suppressed_label(),
        "has_trend": data["has_trend"],
        "previous_year": data["waves"][-2]["year"] if len(data["waves"]) > 1 else None,
        "national": data["scope_kind"] == "national",
        "legend": [(likert_labels()[v], LIKERT_COLORS[str(v)]) for v in range(1, 6)],
    }
    return render_to_string("monitoring/reports/report_pdf.html", context)


_FONT_CONFIG = None


def render_pdf(data, *, generated_at=None):
    """PDF bytes of a report (tagged for accessibility, fonts embedded)."""
    global _FONT_CONFIG
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    if _FONT_CONFIG is None:
        _FONT_CONFIG = FontConfiguration()
    html = render_html(data, generated_at=generated_at)
    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render(
        font_config=_FONT_CONFIG, pdf_tags=True
    )
    return document.write_pdf(pdf_tags=True), len(document.pages)


# --- services ----------------------------------------------------------------------------------


def _row_for(campaign, scope, language):
    values = {"campaign": campaign, "language": language}
    if scope.kind == "network":
        values.update(scope=ReportScope.NETWORK, scope_id=scope.network.code)
        values["network"] = scope.network
    elif scope.kind == "region":
        values.update(scope=ReportScope.REGION, scope_id=str(scope.region.code))
        values["region"] = scope.region
    else:
        values.update(scope=ReportScope.NATIONAL, scope_id="")
    return Report(**values)


def _queue_name():
    """The Celery queue of the builds: the default one unless the setting
    MONITORING_REPORTS_QUEUE names another (a worker dedicated to reports,
    or a test's private queue)."""
    return settings.MONITORING_REPORTS_QUEUE or None


def enqueue(report_ids, *, force=False, token=None):
    """Queue the builds through the outbox: recorded in this transaction,
    sent on commit or, while the broker is down, by its relay."""
    from rme_platform import outbox

    from .tasks import build_report

    token = token or uuid.uuid4().hex
    for report_id in report_ids:
        outbox.send(
            build_report, [report_id], {"force": force, "token": token}, queue=_queue_name()
        )


def request_reports(*, by, campaign, scope="all", language="es", force=False, enqueue_builds=True):
    """Write (or reuse) the Report rows of `scope` ("all", "national",
    "region:<code>", "network:<code>") in `language` and queue the builds of
    those whose inputs changed. A report already built from the same inputs
    (same checksum, file present) is left alone and reported "unchanged",
    unless `force`. Returns [(report, outcome)] with outcome "queued",
    "unchanged" or "busy" (already queued or running).

    `by` is the user asking (None for the system: closing a campaign, the
    command). Raises PermissionDenied, or ValidationError for a campaign not
    yet closed, an unknown scope or language."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Idioma desconocido: %(l)s.") % {"l": language}})
    if campaign.status not in (CampaignStatus.CLOSED, CampaignStatus.PUBLISHED):
        raise ValidationError(_("Los informes se preparan cuando la campaña está cerrada."))
    if by is not None and not permissions.can_build_reports(by, campaign):
        raise PermissionDenied
    try:
        scopes = campaign_scopes(campaign, scope, user=by)
    except ScopeError as exc:
        raise ValidationError({"scope": _("Alcance desconocido: %(s)s.") % {"s": scope}}) from exc
    if (
        by is not None
        and scope != "all"
        and not all(permissions.can_view_scope(by, campaign, s) for s in scopes)
    ):
        raise PermissionDenied
    inputs = ReportInputs(campaign)
    with translation.override(language):
        sums = {str(s): checksum(scope_data(inputs, s, language)) for s in scopes}
    now = timezone.now()
    outcomes = []
    with transaction.atomic():
        existing = {
            r.scope_text: r
            for r in Report.objects.select_for_update().filter(campaign=campaign, language=language)
        }
        new = [_row_for(campaign, s, language) for s in scopes if str(s) not in existing]
        for report in Report.objects.bulk_create(new):
            existing[report.scope_text] = report
        to_queue, changed = [], []
        busy_after = now - STALE_AFTER
        created = {r.pk for r in new}
        for s in scopes:
            report = existing[str(s)]
            report.campaign = campaign
            if (
                not force
                and report.status == ReportStatus.DONE
                and report.checksum == sums[str(s)]
                and report.file
                and report.file.storage.exists(report.file.name)
            ):
                outcomes.append((report, "unchanged"))
                continue
            if (
                report.status in (ReportStatus.PENDING, ReportStatus.RUNNING)
                and (report.requested_at and report.requested_at > busy_after)
                and report.pk not in created
            ):
                outcomes.append((report, "busy"))
                continue
            report.status = ReportStatus.PENDING
            report.requested_at = now
            report.error = ""
            report.attempts = 0
            changed.append(report)
            to_queue.append(report.pk)
            outcomes.append((report, "queued"))
        Report.objects.bulk_update(changed, ["status", "requested_at", "error", "attempts"])
        if enqueue_builds and to_queue:
            enqueue(to_queue, force=force)
    return outcomes


def retry_report(*, by, report):
    """Queue a failed (or any finished) report again. Raises PermissionDenied."""
    campaign = report.campaign
    if by is not None and not (
        permissions.can_build_reports(by, campaign)
        and permissions.visible_reports(by, campaign).filter(pk=report.pk).exists()
    ):
        raise PermissionDenied
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.status == ReportStatus.RUNNING:
            return report
        report.status = ReportStatus.PENDING
        report.requested_at = timezone.now()
        report.error = ""
        report.attempts = 0
        report.save(update_fields=["status", "requested_at", "error", "attempts"])
        enqueue([report.pk], force=True)
    return report


# The claim of a report being built is also a lease held by the builder's
# database session: a PostgreSQL advisory lock (this namespace, the report
# id), taken in the transaction that marks the report running and released
# when the build ends, or by PostgreSQL when the worker's connection dies.
# A report "running" whose lease nobody holds was left by a lost worker.
CLAIM_LOCK_NAMESPACE = 0x52455054  # "REPT"


def _hold_claim(report_id):
    """Take the report's lease; False when a live session already holds it."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [CLAIM_LOCK_NAMESPACE, report_id])
        return cursor.fetchone()[0]


def _release_claim(report_id):
    if connection.vendor != "postgresql":
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [CLAIM_LOCK_NAMESPACE, report_id])
    except DatabaseError:  # the connection is gone, and its lock with it
        logger.warning("report %s: could not release its claim", report_id, exc_info=True)


def _claim_is_held(report_id):
    """Whether a live session holds the report's lease (PostgreSQL; False
    elsewhere). Call inside a transaction: the probe's lock ends with it."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_try_advisory_xact_lock(%s, %s)", [CLAIM_LOCK_NAMESPACE, report_id]
        )
        return not cursor.fetchone()[0]


def _claim(report_id, *, force, sum_of):
    """Mark the report running unless there is nothing to do. Returns
    (report, outcome) with outcome None when the caller must build."""
    now = timezone.now()
    with transaction.atomic():
        report = (
            Report.objects.select_for_update(of=("self",))
            .select_related("campaign__instrument", "region", "network__deprov__region")
            .get(pk=report_id)
        )
        if (
            report.status == ReportStatus.RUNNING
            and report.started_at
            and (report.started_at > now - STALE_AFTER)
        ):
            return report, "busy"
        digest = sum_of(report)
        if (
            not force
            and report.status == ReportStatus.DONE
            and report.checksum == digest
            and report.file
            and report.file.storage.exists(report.file.name)
        ):
            return report, "unchanged"
        report.status = ReportStatus.RUNNING
        report.started_at = now
        report.finished_at = None
        report.attempts += 1
        report.error = ""
        report.save(update_fields=["status", "started_at", "finished_at", "attempts", "error"])
        report._digest = digest
        # Held before the claim commits: no one sees it running unheld.
        if not _hold_claim(report_id):
            # A live worker still builds it (for longer than STALE_AFTER).
            transaction.set_rollback(True)
            return report, "busy"
        return report, None


def build_report(report_id, *, force=False, token=None, inputs=None, final=True):
    """Build one report's PDF and store it. Idempotent: a report already
    built from the same inputs is not rebuilt ("unchanged", unless `force`)
    and a report another worker is building is left to it ("busy").
    Returns "done", "unchanged" or "busy". On error the report records it
    (failed when `final`, pending while retries remain) and
    ReportBuildError is raised."""
    report = Report.objects.select_related("campaign").get(pk=report_id)
    language = report.language
    if inputs is None:
        inputs = inputs_for(report.campaign, token)
    state = {}

    def sum_of(locked):
        scope = scope_of(locked)
        with translation.override(language):
            data = scope_data(inputs, scope, language)
        state["data"] = data
        return checksum(data)

    try:
        report, outcome = _claim(report_id, force=force, sum_of=sum_of)
    except BaseException:
        _release_claim(report_id)  # taken, but the claim did not commit
        raise
    if outcome is not None:
        return outcome
    try:
        return _build_claimed(report, report_id, state, final=final)
    finally:
        _release_claim(report_id)


def _build_claimed(report, report_id, state, *, final):
    language = report.language
    try:
        delay = float(os.environ.get(DELAY_ENV) or 0)
        if delay:
            time.sleep(delay)
        with translation.override(language):
            pdf, pages = render_pdf(state["data"])
        name = report.file_name()
        storage = report.file.storage
        if storage.exists(name):
            storage.delete(name)
        stored = storage.save(name, ContentFile(pdf))
    except Exception as exc:
        logger.exception("report %s failed", report_id)
        message = f"{type(exc).__name__}: {exc}"[:2000]
        Report.objects.filter(pk=report_id).update(
            status=ReportStatus.FAILED if final else ReportStatus.PENDING,
            error=message,
            finished_at=timezone.now() if final else None,
        )
        raise ReportBuildError(message) from exc
    Report.objects.filter(pk=report_id).update(
        status=ReportStatus.DONE,
        file=stored,
        checksum=report._digest,
        finished_at=timezone.now(),
        pages=pages,
        error="",
    )
    return "done"


def sweep_stale_reports(*, stale_after=None, lost_after=None):
    """Queue again the reports a killed worker left "running" (started more
    than `stale_after` ago, default the time limit plus a minute) and those
    still pending long after they were requested (their message was lost).
    Returns the number queued."""
    now = timezone.now()
    stale_after = STALE_AFTER if stale_after is None else stale_after
    lost_after = LOST_AFTER if lost_after is None else lost_after
    with transaction.atomic():
        stale = [
            pk
            for pk, status in Report.objects.select_for_update(skip_locked=True)
            .filter(
                Q(status=ReportStatus.RUNNING, started_at__lte=now - stale_after)
                | Q(status=ReportStatus.PENDING, requested_at__lte=now - lost_after)
            )
            .values_list("pk", "status")
            # A live worker still holds the claim: it is building, leave it.
            if status != ReportStatus.RUNNING or not _claim_is_held(pk)
        ]
        if stale:
            Report.objects.filter(pk__in=stale).update(
                status=ReportStatus.PENDING, requested_at=now, started_at=None
            )
            enqueue(stale)
    return len(stale)


def recover_orphaned_reports(*, building, started_before):
    """Queue again the reports left "running" by a worker that is gone:
    those claimed before `started_before` that no live worker is building
    (`building`: the report ids live workers said they are building) and
    whose claim no live database session holds (on PostgreSQL: a worker too
    busy or slow to answer the broadcast in time still holds its claim). A
    worker calls this at start-up, so the claims of one that was killed do
    not wait for beat's sweeper, nor for the broker to redeliver its message
    after the visibility timeout (then an "unchanged" no-op). Returns the
    number queued."""
    now = timezone.now()
    with transaction.atomic():
        orphaned = [
            pk
            for pk in Report.objects.select_for_update(skip_locked=True)
            .filter(status=ReportStatus.RUNNING, started_at__lt=started_before)
            .exclude(pk__in=list(building))
            .values_list("pk", flat=True)
            if not _claim_is_held(pk)
        ]
        if orphaned:
            Report.objects.filter(pk__in=orphaned).update(
                status=ReportStatus.PENDING, requested_at=now, started_at=None
            )
            enqueue(orphaned)
    return len(orphaned)


def queue_campaign_reports(campaign_id):
    """Every report of a campaign in the default language (closing hook)."""
    campaign = Campaign.objects.select_related("instrument").get(pk=campaign_id)
    outcomes = request_reports(
        by=None, campaign=campaign, scope="all", language=settings.LANGUAGE_CODE[:2]
    )
    return sum(1 for _report, outcome in outcomes if outcome == "queued")


def build_reports_in_process(*, campaign, scope="all", language="es", force=False):
    """What `build_reports --sync` does: request the reports, then build the
    queued ones here, one after the other, sharing one ReportInputs.
    Returns [(report, outcome)] with outcome "done", "unchanged" or "failed"."""
    outcomes = request_reports(
        by=None,
        campaign=campaign,
        scope=scope,
        language=language,
        force=force,
        enqueue_builds=False,
    )
    inputs = None
    done = []
    for report, outcome in outcomes:
        if outcome == "queued" or (outcome == "busy" and report.status == ReportStatus.PENDING):
            inputs = inputs or ReportInputs(campaign)
            try:
                outcome = build_report(report.pk, force=force, inputs=inputs)
            except ReportBuildError:
                outcome = "failed"
            if outcome == "busy":
                outcome = "running"
        elif outcome == "busy":
            outcome = report.status
        report.refresh_from_db()
        done.append((report, outcome))
    return done


def report_date(value):
    return date_format(timezone.localtime(value), "DATE_FORMAT")


def download_filename(report):
    scope = report.scope_text.replace(":", "-")
    return f"informe_{report.campaign.slug}_{scope}_{report.language}.pdf"
