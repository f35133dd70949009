"""Annual plans and their actions, progress updates, comments and exports."""

from functools import lru_cache
from html import escape

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from networks.models import Network
from rme_platform.accounts.permissions import is_directivo
from rme_platform.files import protected_download
from rme_platform.forms import add_service_errors, form_fields
from rme_platform.links import row_url
from schools.models import School

from .. import exports, imports, permissions, selectors, services
from ..forms import (
    ActionForm,
    CommentForm,
    PlanFilter,
    PlanForm,
    ProgressForm,
    UploadForm,
)
from ..models import (
    ActionStatus,
    AnnualPlan,
    Evidence,
    Phase,
)
from ..templatetags.pme import progress_bar
from .common import (
    _action,
    _action_page,
    _comment_form,
    _editable_action,
    _editable_plan,
    _notifies_school,
    _plan,
)


@login_required
def plan_list(request):
    user = request.user
    filterset = PlanFilter(request.GET or None, queryset=selectors.plan_list(user), user=user)
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    own_schools = list(
        School.objects.filter(rbd__in=permissions.own_school_ids(user))
        .prefetch_related("pme_cycles")
        .order_by("name")
    )
    return render(
        request,
        "pme/plan_list.html",
        {
            "filter": filterset,
            "filter_form": _filter_form_html(filterset.form),
            "page": page,
            "plan_rows": _plan_rows_html(page.object_list),
            "own_schools": own_schools,
            "can_dashboard": permissions.can_view_dashboards(user),
            "today_year": timezone.localdate().year,
        },
    )


def _filter_form_html(form):
    """The filter form as HTML: a filled one rendered as it is, the empty
    one once per process, language and network options (the reader's
    visible networks, read here as values: the key holds what the form
    shows, so it never goes stale)."""
    if form.is_bound:
        return _render_filter_form(form)
    networks = form.fields["network"].queryset.values_list("pk", "code", "name")
    return _blank_filter_form(get_language(), tuple(networks))


def _render_filter_form(form):
    return render_to_string(
        "includes/filter_form.html",
        {
            "form": form,
            "heading": _("Filtrar planes"),
            "margin": "mb-3",
            "column": "col-sm-6 col-md-3",
        },
    )


@lru_cache(maxsize=256)
def _blank_filter_form(language, networks):
    form = PlanFilter(queryset=AnnualPlan.objects.none(), user=AnonymousUser()).form
    field = form.fields["network"]
    field.widget.choices = [
        ("", field.empty_label),
        *((pk, str(Network(code=code, name=name))) for pk, code, name in networks),
    ]
    return _render_filter_form(form)


PLAN_ROW_FIELDS = (
    "pk",
    "year",
    "phase",
    "approved_at",
    "shared_with_network",
    "n_actions",
    "avg_progress",
    "n_delayed",
    "last_activity_at",
    "school__name",
    "school__rbd",
    "school__comuna__name",
)


def _plan_rows_html(plans):
    """The plan table's rows, written here once per page instead of a
    template row per plan (a link, a translated year, the phase, a progress
    bar, a localized date: up to 50 rows for a supervisor or an analyst),
    from the page's plans read as values: the same HTML the template wrote,
    every value escaped as autoescape does."""
    detail_url = row_url("pme:plan_detail")
    phases = {value: escape(str(label)) for value, label in Phase.choices}
    pme_year = _("PME %(year)s")
    approved = ' <span class="badge text-bg-success">{}</span>'.format(
        escape(_("Aprobado por el sostenedor"))
    )
    yes, no = escape(_("Sí")), escape(_("No"))
    # Years, counts and days repeat down the page: each localized once.
    numbers, days = {}, {}

    def number(value):
        text = numbers.get(value)
        if text is None:
            text = numbers[value] = formats.localize(value)
        return text

    def day(moment):
        # SHORT_DATE_FORMAT has only a date's parts.
        moment = timezone.localtime(moment).date()
        text = days.get(moment)
        if text is None:
            text = days[moment] = formats.date_format(moment, "SHORT_DATE_FORMAT")
        return text

    html = []
    for plan in plans.values(*PLAN_ROW_FIELDS):
        year = escape(pme_year % {"year": number(plan["year"])})
        progress = progress_bar(plan["avg_progress"]) if plan["n_actions"] else "—"
        delayed = (
            f'<span class="text-danger fw-semibold">{number(plan["n_delayed"])}</span>'
            if plan["n_delayed"]
            else "0"
        )
        activity = day(plan["last_activity_at"]) if plan["last_activity_at"] else ""
        school = School.name_or_rbd(plan["school__name"], plan["school__rbd"])
        html.append(
            "\n    <tr>\n"
            f'      <td class="text-nowrap"><a href="{escape(detail_url(plan["pk"]))}">{year}</a>'
            "</td>\n"
            f"      <td>{escape(str(school))}</td>\n"
            f"      <td>{escape(plan['school__comuna__name'])}</td>\n"
            f"      <td>{phases.get(plan['phase']) or escape(plan['phase'])}"
            f"{approved if plan['approved_at'] else ''}</td>\n"
            f"      <td>{yes if plan['shared_with_network'] else no}</td>\n"
            f'      <td class="text-end">{number(plan["n_actions"])}</td>\n'
            f"      <td>{progress}</td>\n"
            f'      <td class="text-end">{delayed}</td>\n'
            f"      <td>{escape(activity)}</td>\n"
            "    </tr>\n  "
        )
    return mark_safe("".join(html))  # noqa: S308 - every value escaped above


# --- plans ---------------------------------------------------------------------------------


def _plan_context(request, plan, comment_form=None):
    """The plan page's context; `plan` was read through `_plan` (the plans
    the user may read, who may all comment)."""
    user = request.user
    summary, chart, actions_html = selectors.plan_actions_part(plan)
    # Asked once for the edit links and the comment form (no query but for
    # a directivo: anyone else has no school of their own).
    own_school = permissions.own_school_ids(user).filter(school_id=plan.school_id).exists()
    return {
        "plan": plan,
        "school": plan.school,
        "summary": summary,
        "chart": chart,
        "actions_html": actions_html,
        "comments": selectors.plan_comments(plan),
        "can_edit": permissions.can_edit_plan(user, plan, own_school=own_school),
        "can_comment": True,
        "can_approve": permissions.can_approve(user, plan) and not plan.is_approved,
        "comment_form": comment_form or _comment_form(user, plan, own_school=own_school),
        "has_next_plan": plan.school.pme_plans.filter(year=plan.year + 1).exists(),
    }


@login_required
def plan_detail(request, pk):
    plan = _plan(request.user, pk)
    return render(request, "pme/plan_detail.html", _plan_context(request, plan))


@login_required
def plan_edit(request, pk):
    plan = _editable_plan(request.user, pk)
    form = PlanForm(
        request.POST or None, initial={"phase": plan.phase, "diagnosis": plan.diagnosis}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_plan(by=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Cambios guardados."))
            return redirect("pme:plan_detail", pk=plan.pk)
    return render(request, "pme/plan_form.html", {"form": form, "plan": plan})


@login_required
@require_POST
def plan_share(request, pk):
    plan = _editable_plan(request.user, pk)
    shared = request.POST.get("shared") == "1"
    services.set_plan_sharing(by=request.user, plan=plan, shared=shared)
    if request.headers.get("HX-Request"):
        return render(request, "pme/_share.html", {"plan": plan, "can_edit": True, "changed": True})
    if shared:
        messages.success(request, _("El plan se comparte con sus redes."))
    else:
        messages.success(request, _("El plan dejó de compartirse con sus redes."))
    return redirect("pme:plan_detail", pk=plan.pk)


@login_required
@require_http_methods(["GET", "POST"])
def plan_approve(request, pk):
    """GET asks for confirmation (a page, so it works without JavaScript);
    POST approves."""
    plan = _plan(request.user, pk)
    if request.method == "GET":
        if not permissions.can_approve(request.user, plan):
            raise PermissionDenied
        school = plan.school.display_name
        return render(
            request,
            "confirm.html",
            {
                "confirm": {
                    "title": _("Aprobar el plan %(year)s") % {"year": plan.year},
                    "question": _(
                        "¿Aprueba, en nombre del sostenedor, el plan anual %(year)s de %(school)s?"
                    )
                    % {"year": plan.year, "school": school},
                    "details": [
                        _("La aprobación queda registrada con su nombre y la fecha de hoy."),
                        _("El establecimiento la verá en la página del plan."),
                    ],
                    "button": _("Sí, aprobar el plan"),
                    "button_class": "btn-success",
                    "cancel_url": reverse("pme:plan_detail", args=[plan.pk]),
                }
            },
        )
    try:
        services.approve_plan(by=request.user, plan=plan)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Quedó registrada la aprobación del sostenedor del plan %(year)s.")
            % {"year": plan.year},
        )
    return redirect("pme:plan_detail", pk=plan.pk)


@login_required
@require_http_methods(["GET", "POST"])
def plan_copy(request, pk):
    """GET asks for confirmation; POST copies the plan to next year."""
    plan = _editable_plan(request.user, pk)
    if request.method == "GET":
        actions = plan.actions.count()
        return render(
            request,
            "confirm.html",
            {
                "confirm": {
                    "title": _("Copiar el plan %(year)s") % {"year": plan.year},
                    "question": _(
                        "¿Crear el borrador del plan %(next)s de %(school)s a partir del de "
                        "%(year)s?"
                    )
                    % {
                        "next": plan.year + 1,
                        "year": plan.year,
                        "school": plan.school.display_name,
                    },
                    "details": [
                        ngettext(
                            "Se copiará %(count)s acción, con sus fechas un año después, su "
                            "financiamiento y su proveedor; su avance vuelve a cero.",
                            "Se copiarán %(count)s acciones, con sus fechas un año después, su "
                            "financiamiento y su proveedor; su avance vuelve a cero.",
                            actions,
                        )
                        % {"count": actions},
                    ],
                    "button": _("Sí, crear el borrador %(next)s") % {"next": plan.year + 1},
                    "cancel_url": reverse("pme:plan_detail", args=[plan.pk]),
                }
            },
        )
    try:
        new = services.copy_plan_to_next_year(by=request.user, plan=plan)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("pme:plan_detail", pk=plan.pk)
    messages.success(
        request,
        _("Se creó el borrador del plan %(year)s con las acciones de %(previous)s.")
        % {"year": new.year, "previous": plan.year},
    )
    return redirect("pme:plan_detail", pk=new.pk)


@login_required
def plan_export(request, pk, fmt):
    plan = _plan(request.user, pk)
    if fmt == "pdf":
        content, content_type = exports.plan_pdf(plan), "application/pdf"
    elif fmt == "xlsx":
        content, content_type = exports.plan_xlsx(plan), exports.XLSX_TYPE
    else:
        raise Http404
    response = HttpResponse(content, content_type=content_type)
    name = exports.filename(plan, fmt)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def plan_import(request, pk):
    plan = _editable_plan(request.user, pk)
    form = UploadForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            result = imports.import_actions(
                path_or_file=form.cleaned_data["file"],
                rbd=plan.school_id,
                year=plan.year,
                by=request.user,
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(
                request,
                _("Importación terminada. Acciones nuevas: %(created)s; actualizadas: %(updated)s.")
                % {"created": result.created, "updated": result.updated},
            )
            return redirect("pme:plan_detail", pk=plan.pk)
    return render(
        request,
        "pme/plan_import.html",
        {"form": form, "plan": plan, "errors": errors, "columns": imports.ACTION_COLUMNS},
        status=400 if errors else 200,
    )


@login_required
@require_POST
def plan_comment(request, pk):
    plan = _plan(request.user, pk)
    form = _comment_form(request.user, plan, request.POST)
    if form.is_valid():
        try:
            services.add_comment(by=request.user, plan=plan, body=form.cleaned_data["body"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            form = _comment_form(request.user, plan)
            if not request.headers.get("HX-Request"):
                messages.success(request, _("Comentario publicado."))
                return redirect(f"{plan.get_absolute_url()}#comentarios")
    context = {
        "comments": selectors.plan_comments(plan),
        "comment_form": form,
        "can_comment": True,
        "post_url": plan.get_absolute_url() + "comments/",
        "posted": not form.errors,
    }
    if request.headers.get("HX-Request"):
        return render(request, "pme/_comments.html", context)
    return render(request, "pme/plan_detail.html", _plan_context(request, plan, form), status=400)


# --- actions -------------------------------------------------------------------------------


@login_required
def action_create(request, pk):
    plan = _editable_plan(request.user, pk)
    initial = {"status": ActionStatus.PLANNED, "progress": 0}
    form = ActionForm(request.POST or None, plan=plan, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields, funding = form.service_fields()
        try:
            action = services.create_action(by=request.user, plan=plan, funding=funding, **fields)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Acción «%(name)s» agregada.") % {"name": action.name})
            return redirect("pme:plan_detail", pk=plan.pk)
    return render(
        request,
        "pme/action_form.html",
        {"form": form, "plan": plan, "creating": True},
        status=400 if form.errors else 200,
    )


@login_required
def action_detail(request, pk, progress_form=None, comment_form=None):
    user = request.user
    action = _action_page(user, pk)
    plan = action.plan
    full_log = request.GET.get("registro") == "completo"
    shown = None if full_log else selectors.UPDATES_SHOWN
    updates = selectors.action_updates(action, limit=shown)
    more_updates = shown is not None and len(updates) > shown
    funding = list(action.funding.all())
    editable = permissions.can_edit_plan(user, plan)
    # A directivo who may edit the plan works at its school (one query less).
    own_school = True if editable and is_directivo(user) else None
    return render(
        request,
        "pme/action_detail.html",
        {
            "action": action,
            "plan": plan,
            "school": plan.school,
            "funding": funding,
            "funding_total": sum(line.amount for line in funding),
            "updates": updates[:shown] if more_updates else updates,
            "more_updates": more_updates,
            "comments": selectors.action_comments(action),
            "can_edit": editable and not plan.is_closed,
            # _action found the action among those the user may read, so the
            # user reads its plan: permissions.can_comment (can_view_plan) holds.
            "can_comment": True,
            # The forms' fields: empty ones rendered once per process.
            "progress_fields": form_fields(
                ProgressForm,
                progress_form,
                initial={"progress": action.progress, "date": timezone.localdate()},
            ),
            "comment_fields": form_fields(
                CommentForm,
                comment_form,
                notifies_school=_notifies_school(user, plan, own_school=own_school),
            ),
            "post_url": action.get_absolute_url() + "comments/",
        },
        status=400 if (progress_form or comment_form) else 200,
    )


@login_required
def action_edit(request, pk):
    action = _editable_action(request.user, pk)
    plan = action.plan
    initial = services.action_values(action)
    for line in action.funding.all():
        initial[f"funding_{line.source}"] = line.amount
    form = ActionForm(request.POST or None, plan=plan, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields, funding = form.service_fields()
        try:
            services.update_action(by=request.user, action=action, funding=funding, **fields)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Cambios guardados."))
            return redirect("pme:action_detail", pk=action.pk)
    return render(
        request,
        "pme/action_form.html",
        {"form": form, "plan": plan, "action": action, "creating": False},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def action_delete(request, pk):
    action = _editable_action(request.user, pk)
    plan_id = action.plan_id
    try:
        services.delete_action(by=request.user, action=action)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("pme:action_detail", pk=pk)
    messages.success(request, _("Acción eliminada."))
    return redirect("pme:plan_detail", pk=plan_id)


@login_required
@require_POST
def action_progress(request, pk):
    action = _editable_action(request.user, pk)
    form = ProgressForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.record_progress(
                by=request.user,
                action=action,
                progress=data["progress"],
                date=data["date"],
                note=data["note"],
                files=data["evidence"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Avance registrado: %(progress)s %%.") % {"progress": data["progress"]},
            )
            return redirect("pme:action_detail", pk=action.pk)
    return action_detail(request, pk, progress_form=form)


@login_required
@require_POST
def action_comment(request, pk):
    action = _action(request.user, pk)
    form = _comment_form(request.user, action.plan, request.POST)
    if form.is_valid():
        try:
            services.add_comment(
                by=request.user, plan=action.plan, action=action, body=form.cleaned_data["body"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            form = _comment_form(request.user, action.plan)
            if not request.headers.get("HX-Request"):
                messages.success(request, _("Comentario publicado."))
                return redirect(f"{action.get_absolute_url()}#comentarios")
    if request.headers.get("HX-Request"):
        return render(
            request,
            "pme/_comments.html",
            {
                "comments": selectors.action_comments(action),
                "comment_form": form,
                "can_comment": True,
                "post_url": action.get_absolute_url() + "comments/",
                "posted": not form.errors,
            },
        )
    return action_detail(request, pk, comment_form=form)


@login_required
def evidence_download(request, pk):
    evidence = get_object_or_404(
        Evidence.objects.filter(update__action__in=permissions.visible_actions(request.user)),
        pk=pk,
    )
    return protected_download(request, evidence.file, filename=evidence.original_name)
