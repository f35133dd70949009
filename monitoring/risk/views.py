"""The networks-at-risk page of a DEPROV, a region or the country, and its
CSV and XLSX downloads. Who reads it: permissions.can_view_risk (403 for
anyone else); a scope outside the reader's answers 404."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from networks.meetings.models import AttendeeRole

from .. import permissions
from ..permissions import ScopeError
from . import exports, selectors
from .indicators import CONSTRUCTS, reason_chips, thresholds

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Rows a page of the list shows; the CSV/XLSX downloads and the API keep every row.
PAGE_SIZE = 50


def _year(request, user):
    text = request.GET.get("year", "")
    if not text:
        return selectors.default_year(user)
    if not text.isdigit() or not 2000 <= int(text) <= 2100:
        raise Http404
    return int(text)


def risk_request(request):
    """(scope, year, sort, flagged_only) of the query string, checked:
    PermissionDenied for a reader without the page, Http404 for a scope
    they may not read (or that does not exist)."""
    user = request.user
    if not permissions.can_view_risk(user):
        raise PermissionDenied
    text = request.GET.get("scope")
    if text:
        try:
            scope = selectors.parse_risk_scope(text)
        except ScopeError as exc:
            raise Http404 from exc
    else:
        scope = selectors.default_scope(user)
    if not selectors.can_view_scope(user, scope):
        raise Http404
    sort = request.GET.get("sort") or "reasons"
    if sort not in selectors.SORTS:
        sort = "reasons"
    return scope, _year(request, user), sort, request.GET.get("all") != "1"


@login_required
def risk_page(request):
    scope, year, sort, flagged_only = risk_request(request)
    risks = selectors.risks_for(request.user, scope, year)
    rows = selectors.sorted_risks(risks, sort, flagged_only=flagged_only)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    chips = reason_chips()
    # The sort links start again at page 1; the page links keep the sort.
    query = request.GET.copy()
    query.pop("sort", None)
    query.pop("page", None)
    page_query = request.GET.copy()
    page_query.pop("page", None)
    return render(
        request,
        "monitoring/risk/list.html",
        {
            "scope": scope,
            "scope_value": str(scope),
            "scope_choices": selectors.scope_choices(request.user),
            "year": year,
            "sort": sort,
            "flagged_only": flagged_only,
            # Each row with its reasons as chips: (code, short label, sentence).
            "rows": [
                (risk, [(code, chips[code], text) for code, text in risk.reasons])
                for risk in page.object_list
            ],
            "page": page,
            "n_networks": len(risks),
            "n_flagged": sum(1 for r in risks if r.flagged),
            "limits": thresholds(),
            "roles": [AttendeeRole.DIRECTOR, AttendeeRole.UTP, AttendeeRole.SOSTENEDOR_REP],
            "constructs": CONSTRUCTS,
            "query": query.urlencode(),
            "page_query": page_query.urlencode(),
            "download_query": page_query.urlencode(),
            "can_download": True,
        },
    )


def _download(request, build, extension, content_type):
    scope, year, sort, flagged_only = risk_request(request)
    risks = selectors.risks_for(request.user, scope, year)
    rows = selectors.sorted_risks(risks, sort, flagged_only=flagged_only)
    title = _("Redes en riesgo · %(scope)s · %(year)s") % {"scope": scope.label, "year": year}
    content = build(rows, title) if extension == "xlsx" else build(rows)
    response = HttpResponse(content, content_type=content_type)
    name = f"redes-en-riesgo_{str(scope).replace(':', '-')}_{year}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def risk_csv(request):
    return _download(request, exports.risk_csv, "csv", "text/csv; charset=utf-8")


@login_required
def risk_xlsx(request):
    return _download(
        request, lambda rows, title: exports.risk_xlsx(rows, title=title), "xlsx", XLSX
    )
