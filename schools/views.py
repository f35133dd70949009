from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from . import services
from .cache import TIMEOUT, registry_key
from .filters import SchoolFilter
from .forms import DirectoryUploadForm
from .models import ImportJob
from .permissions import can_import_directory, visible_schools

PAGE_SIZE = 50


def _style(form):
    """Bootstrap classes on a filter form's widgets."""
    for field in form.fields.values():
        css = "form-select" if hasattr(field.widget, "choices") else "form-control"
        field.widget.attrs.setdefault("class", css)
    return form


@login_required
@require_GET
def school_list(request):
    """Search schools by name, RBD, comuna, region, dependency..."""
    nameless_last = ExpressionWrapper(Q(name=""), output_field=BooleanField())
    schools = (
        visible_schools(request.user)
        .select_related("comuna__region")
        .order_by(nameless_last, "name", "rbd")
    )
    search = SchoolFilter(request.GET, queryset=schools)
    context = {
        "form": _style(search.form),
        "searched": any(value for key, value in request.GET.items() if key != "page"),
    }
    # Everyone signed in sees the same registry: the results are cached
    # until it changes (see schools.cache).
    key = registry_key("search", request)
    results = cache.get(key)
    if results is None:
        page = Paginator(search.qs, PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        results = render_to_string(
            "schools/_results.html", {"page": page, "query": query.urlencode()}, request
        )
        cache.set(key, results, TIMEOUT)
        context["page"] = page
    context["results"] = results
    return render(request, "schools/school_list.html", context)


@login_required
@require_GET
def school_detail(request, rbd):
    school = get_object_or_404(
        visible_schools(request.user).select_related("comuna__region", "deprov", "sostenedor"),
        rbd=rbd,
    )
    return render(
        request,
        "schools/school_detail.html",
        {
            "school": school,
            "categories": school.performance_categories.order_by("-year", "level"),
        },
    )


def _require_importer(user):
    if not can_import_directory(user):
        raise PermissionDenied


@login_required
def import_directory(request):
    """Staff upload a directory file; a Celery task imports it."""
    _require_importer(request.user)
    if request.method == "POST":
        form = DirectoryUploadForm(request.POST, request.FILES)
    else:
        form = DirectoryUploadForm()
    if form.is_bound and form.is_valid():
        job = services.start_directory_import(
            file=form.cleaned_data["file"],
            year=form.cleaned_data["year"],
            dry_run=form.cleaned_data["dry_run"],
            user=request.user,
        )
        return redirect("schools:import_job", pk=job.pk)
    jobs = ImportJob.objects.select_related("created_by")[:10]
    return render(request, "schools/import.html", {"form": form, "jobs": jobs})


@login_required
@require_GET
def import_job(request, pk, partial=False):
    """An import's progress and outcome; `partial` is the part of the page
    that htmx polls every 2 s until the job finishes."""
    _require_importer(request.user)
    job = get_object_or_404(ImportJob, pk=pk)
    template = "schools/_import_job_status.html" if partial else "schools/import_job.html"
    return render(request, template, {"job": job, **_job_context(job)})


def _job_context(job):
    """The summary as (text, is a sub-item) pairs."""
    lines = services.summary_lines(job.counts) if job.counts else []
    return {"summary": [(line.strip().removeprefix("- "), line.startswith(" ")) for line in lines]}
