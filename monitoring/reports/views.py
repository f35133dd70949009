"""Pages of the PDF reports: the list with live status (htmx polling), the
build request, the retry button and the access-checked download."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from monitoring import permissions
from monitoring.models import Language, ReportStatus
from monitoring.views import _campaign
from rme_platform.files import protected_download

from . import services as report_services
from .rendering import download_filename

PAGE_SIZE = 100
ACTIVE = (ReportStatus.PENDING, ReportStatus.RUNNING)


def _reports_campaign(user, slug):
    campaign = _campaign(user, slug)
    if not permissions.can_view_reports_page(user, campaign):
        raise Http404
    return campaign


def _language(request):
    language = request.GET.get("language") or request.POST.get("language") or "es"
    return language if language in Language.values else "es"


def _rows(user, campaign, language, status=None):
    rows = (
        permissions.visible_reports(user, campaign)
        .filter(language=language)
        .select_related("region", "network")
        .order_by("scope", "region__order", "network__code")
    )
    if status in ReportStatus.values:
        rows = rows.filter(status=status)
    return rows


def _page_context(request, campaign):
    user = request.user
    language = _language(request)
    status = request.GET.get("status") or ""
    rows = _rows(user, campaign, language, status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = dict(
        permissions.visible_reports(user, campaign)
        .filter(language=language)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {
        "campaign": campaign,
        "page": page,
        "reports": page.object_list,
        "language": language,
        "languages": Language.choices,
        "status": status,
        "statuses": ReportStatus.choices,
        "counts": [(value, label, counts.get(value, 0)) for value, label in ReportStatus.choices],
        "total": sum(counts.values()),
        "active": any(counts.get(s, 0) for s in ACTIVE),
        "can_build": permissions.can_build_reports(user, campaign),
        "scope_choices": _build_choices(user, campaign),
        "query": request.GET.urlencode(),
    }


def _build_choices(user, campaign):
    if not permissions.can_build_reports(user, campaign):
        return []
    choices = [("all", _("Todos los informes de la campaña"))]
    if permissions.is_national(user):
        choices.append(("national", _("Solo el informe nacional")))
    return choices


@login_required
def report_list(request, slug):
    """The reports of a campaign the user may see. POST (analysts and
    admins) queues the builds; with htmx the table refreshes itself while
    any report is pending or running."""
    user = request.user
    campaign = _reports_campaign(user, slug)
    if request.method == "POST":
        if not permissions.can_build_reports(user, campaign):
            raise PermissionDenied
        scope = request.POST.get("scope") or "all"
        try:
            outcomes = report_services.request_reports(
                by=user,
                campaign=campaign,
                scope=scope,
                language=_language(request),
                force=request.POST.get("force") == "1",
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            queued = sum(1 for _r, outcome in outcomes if outcome == "queued")
            unchanged = sum(1 for _r, outcome in outcomes if outcome == "unchanged")
            messages.success(
                request,
                _("Informes en cola: %(queued)s; sin cambios en sus datos: %(unchanged)s.")
                % {"queued": queued, "unchanged": unchanged},
            )
        url = reverse("monitoring:reports", args=[campaign.slug])
        return redirect(f"{url}?language={_language(request)}")
    context = _page_context(request, campaign)
    if request.headers.get("HX-Request"):
        return render(request, "monitoring/reports/_table.html", context)
    return render(request, "monitoring/reports/list.html", context)


def _visible_report(user, campaign, pk):
    return get_object_or_404(
        permissions.visible_reports(user, campaign).select_related("region", "network"), pk=pk
    )


@login_required
@require_POST
def report_retry(request, slug, pk):
    user = request.user
    campaign = _reports_campaign(user, slug)
    report = _visible_report(user, campaign, pk)
    if not permissions.can_build_reports(user, campaign):
        raise PermissionDenied
    report_services.retry_report(by=user, report=report)
    messages.success(
        request, _("Informe %(scope)s en cola otra vez.") % {"scope": report.scope_text}
    )
    url = reverse("monitoring:reports", args=[campaign.slug])
    return redirect(f"{url}?language={report.language}")


@login_required
def report_download(request, slug, pk):
    """The PDF, for those who may see the report; 404 for anyone else and
    for a report not built yet."""
    user = request.user
    campaign = _reports_campaign(user, slug)
    report = _visible_report(user, campaign, pk)
    if not report.is_done or not report.file.storage.exists(report.file.name):
        raise Http404
    return protected_download(request, report.file, filename=download_filename(report))
