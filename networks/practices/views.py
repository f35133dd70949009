"""Pages of shared practices: the library (search and filters), a
practice's page with its comments and adoptions, writing and editing.
Access comes from practice_permissions (a practice the user may not see
answers 404; one they see but may not change answers 403); every change
goes through practice_services."""

import unicodedata
from functools import lru_cache

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models.expressions import RawSQL
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import title
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from networks.meetings.models import Meeting
from networks.permissions import visible_networks
from pme import permissions as pme_permissions
from pme import selectors as pme_selectors
from pme.forms import ActionForm
from pme.models import Action, ActionStatus, Subdimension
from rme_platform.files import attachment_download_view
from rme_platform.forms import add_service_errors, form_fields
from rme_platform.links import row_url
from rme_platform.templatetags.rme import bootstrap_widget
from schools.models import School

from . import cache as help_cache
from . import help, selectors, services
from . import permissions as perms
from .filters import PracticeFilter
from .forms import AdoptionForm, AdoptionNoteForm, AttachmentForm, CommentForm, PracticeForm
from .models import PracticeAdoption, PracticeAttachment, Tag

PAGE_SIZE = 20


def _visible(user, pk):
    """The practice if the user may see it; 404 otherwise (like a missing
    one). Read first, then checked: a practice published for everyone needs
    no permission query."""
    practice = get_object_or_404(selectors.detail_queryset(None), pk=pk)
    if not perms.can_view_practice(user, practice):
        raise Http404
    return practice


def _editable(user, pk):
    practice = _visible(user, pk)
    if not perms.can_edit_practice(user, practice):
        raise PermissionDenied
    return practice


def _back(practice, anchor=""):
    return redirect(practice.get_absolute_url() + anchor)


def _error_messages(request, exc):
    for message in exc.messages:
        messages.error(request, message)


@login_required
@require_GET
def library(request):
    user = request.user
    data = request.GET.copy()
    if not data.get("q", "").strip() and not data.get("ordering"):
        data["ordering"] = "recent"  # what the list does without a search
    # The user's schools, read once for the scope, "may write?" and their
    # own practices.
    schools = perms.directivo_schools(user)
    filterset = PracticeFilter(data)
    filterset.is_valid()  # invalid filters are ignored, as the API's list does
    listed = selectors.LibraryQuery(user, filterset.form.cleaned_data, schools)
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    writer = bool(schools)  # perms.can_write_practices: an active position
    return render(
        request,
        "practices/library.html",
        {
            "filter": filterset,
            "page": page,
            "cards": _cards(page.object_list),
            "query": query.urlencode(),
            "searching": bool(request.GET.get("q", "").strip()),
            "can_write": writer,
            "mine": _mine(selectors.my_practices(user, schools)[:10]) if writer else [],
            "digest": services.wants_digest(user) if writer else False,
            "filter_fields": _filter_fields(filterset.form, Tag.objects.order_by("name")[:40]),
        },
    )


def _filter_fields(form, tags):
    """The filter form's fields, each in its column with its label, widget
    and errors, written in Python as the template's loop over the fields
    wrote them (eight fields of a few nodes each, and a select of up to
    forty tags, were a fifth of the page's time). `tags`: the tag select's
    options."""
    parts = []
    for field in form.visible_fields():
        name = field.name
        if name == "q":
            column = "col-md-6"
        elif name == "ordering":
            column = "col-sm-6 col-md-3"
        else:
            column = "col-sm-6 col-md-3 col-lg-2"
        label_for = escape(field.id_for_label)
        if name == "tag":
            value = field.value()
            options = "".join(
                f'<option value="{escape(tag.slug)}"'
                f"{' selected' if tag.slug == value else ''}>{escape(tag.name)}</option>"
                for tag in tags
            )
            widget = (
                f'\n            <select name="tag" id="{label_for}" class="form-select">\n'
                f'              <option value="">{escape(gettext("Todas"))}</option>\n'
                f"              {options}\n"
                "            </select>\n          "
            )
        else:
            widget = bootstrap_widget(field)
        errors = field.errors
        if errors:
            errors = (
                '<div class="invalid-feedback d-block">'
                + "".join(f"{conditional_escape(error)} " for error in errors)
                + "</div>"
            )
        parts.append(
            f'\n        <div class="{column}">\n'
            f'          <label class="form-label" for="{label_for}">{escape(field.label)}</label>\n'
            f"          {widget}\n"
            f"          {errors or ''}\n"
            "        </div>\n      "
        )
    # Every value escaped above; the widgets are safe HTML.
    return mark_safe("".join(parts))  # noqa: S308


def _plural(cache, singular, plural, n):
    """ngettext once per distinct count (the msgids of the cards' former
    blocktranslate count)."""
    key = (singular, n)
    if key not in cache:
        cache[key] = ngettext(singular, plural, n) % {"total": formats.localize(n)}
    return cache[key]


# One library card; the values are escaped by _cards.
CARD = (
    '<div class="col">\n'
    '<article class="card h-100 shadow-sm" data-testid="practice-card">\n'
    '  <div class="card-body">\n'
    '    <h3 class="h6 card-title mb-1"><a href="{url}" class="stretched-link">{title}</a></h3>\n'
    '    <p class="small text-body-secondary mb-2">{place}</p>\n'
    '    <p class="small mb-2">{summary}</p>\n'
    '    <div class="d-flex flex-wrap gap-1 small">\n'
    '      <span class="badge text-bg-primary-subtle border text-primary-emphasis">'
    "{dimension}</span>\n"
    "      {tags}\n"
    "    </div>\n"
    "  </div>\n"
    '  <div class="card-footer small text-body-secondary d-flex justify-content-between">\n'
    "    <span>{date}</span>\n"
    "    <span>{counts}</span>\n"
    "  </div>\n"
    "</article>\n"
    "</div>"
)
CARD_TAG = '<span class="badge text-bg-light border">#{}</span>'


def _summary(text, length=220):
    """Truncator(text).chars(length): a text no longer than `length` comes
    back whole (NFC-normalized, as Truncator does) without its per-character
    count."""
    if len(text) <= length:
        return unicodedata.normalize("NFC", text)
    return Truncator(text).chars(length)


def _cards(rows):
    """The library's cards (rows of selectors.PageByIds), written once in
    Python as the HTML the template's loop wrote: twenty cards with two
    plural translations, a date, a truncation, a URL and their tags each
    were half the page's time as template nodes."""
    plurals = {}
    dimensions = {}
    # The practice page's URL, reversed once: /practices/<pk>/.
    prefix = reverse("practices:detail", args=[0])[: -len("0/")]
    rural, urban = _("Rural"), _("Urbano")
    draft = _("Borrador")
    cards = []
    for row in rows:
        # School.display_name, whose "RBD N" needs no instance but for a
        # school without a name.
        place = [row["school__name"] or School(rbd=row["school_id"]).display_name]
        if row["school__comuna_id"] is not None:
            place.append(title(row["school__comuna__name"]))
        place.append(rural if row["rural"] else urban)
        published = row["published_at"]
        name = row["dimension__name"]
        if name not in dimensions:
            dimensions[name] = escape(gettext(name))
        n_adoptions, n_comments = row["n_adoptions"], row["n_comments"]
        adoptions = _plural(plurals, "%(total)s adopción", "%(total)s adopciones", n_adoptions)
        comments = _plural(plurals, "%(total)s comentario", "%(total)s comentarios", n_comments)
        cards.append(
            CARD.format(
                url=f"{prefix}{row['pk']}/",
                title=escape(row["title"]),
                place=escape(" · ".join(place)),
                summary=escape(_summary(row["summary"])),
                dimension=dimensions[name],
                tags="".join(CARD_TAG.format(escape(tag)) for _slug, tag in row["tags"]),
                date=escape(
                    formats.date_format(timezone.localtime(published), "SHORT_DATE_FORMAT")
                    if published
                    else draft
                ),
                counts=escape(f"{adoptions} · {comments}"),
            )
        )
    return mark_safe("".join(cards))  # noqa: S308 - every value escaped above


def _mine(practices):
    url = row_url("practices:detail")
    practices = list(practices)
    for practice in practices:
        practice.card_url = url(practice.pk)
    return practices


def _school_for(request):
    schools = list(perms.writable_schools(request.user).order_by("name"))
    if not schools:
        raise PermissionDenied
    wanted = request.GET.get("school") or request.POST.get("school")
    for school in schools:
        if str(school.pk) == str(wanted):
            return school, schools
    return schools[0], schools


@login_required
def practice_create(request):
    school, schools = _school_for(request)
    initial = {**services.school_context(school), "visibility": "network"}
    form = PracticeForm(request.POST or None, school=school, creator=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            practice = services.create_practice(
                by=request.user, school=school, **form.service_fields()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Borrador guardado. Revíselo y publíquelo cuando esté listo."),
            )
            return _back(practice)
    return render(
        request,
        "practices/practice_form.html",
        {"form": form, "school": school, "schools": schools, "creating": True},
        status=400 if form.errors else 200,
    )


@lru_cache(maxsize=256)
def _blank_adoption_fields(schools, language):
    """The empty adoption form's fields for these (pk, display name) schools
    (in the form's order), rendered once per process, language and list."""
    form = AdoptionForm(schools=School.objects.none())
    form.fields["school"].choices = list(schools)
    return render_to_string("includes/form_fields.html", {"form": form})


@login_required
def practice_detail(request, pk, forms=None):
    practice = _visible(request.user, pk)
    context = selectors.practice_page(request.user, practice)
    forms = forms or {}
    if context["can_comment"]:
        context["comment_form"] = forms.get("comment") or CommentForm()
        context["comment_fields"] = form_fields(CommentForm, context["comment_form"])
    if forms.get("adoption"):
        context["adoption_form"] = forms["adoption"]
        context["adoption_fields"] = form_fields(AdoptionForm, forms["adoption"])
    elif context["adopting_schools"]:
        # Already in the form's order (by name, as the database sorts).
        context["adoption_form"] = True
        context["adoption_fields"] = _blank_adoption_fields(
            tuple((s.rbd, s.display_name) for s in context["adopting_schools"]), get_language()
        )
    if context["can_edit"]:
        context["attachment_form"] = forms.get("attachment") or AttachmentForm()
        context["attachment_fields"] = form_fields(AttachmentForm, context["attachment_form"])
    return render(
        request,
        "practices/practice_detail.html",
        context,
        status=400 if forms else 200,
    )


@login_required
def practice_edit(request, pk):
    practice = _editable(request.user, pk)
    initial = {
        "title": practice.title,
        "summary": practice.summary,
        "problem": practice.problem,
        "body": practice.body,
        "results": practice.results,
        "context": practice.context,
        "levels": practice.levels,
        "rural": practice.rural,
        "enrollment": practice.enrollment,
        "dimension": practice.dimension_id,
        "subdimension": practice.subdimension_id,
        "tags": ", ".join(t.name for t in practice.tags.all()),
        "coauthors": list(practice.authors.values_list("pk", flat=True)),
        "visibility": practice.visibility,
    }
    form = PracticeForm(
        request.POST or None, school=practice.school, creator=practice.created_by, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_practice(by=request.user, practice=practice, **form.service_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Cambios guardados."))
            return _back(practice)
    return render(
        request,
        "practices/practice_form.html",
        {"form": form, "school": practice.school, "practice": practice, "creating": False},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def practice_publish(request, pk):
    practice = _editable(request.user, pk)
    try:
        services.publish_practice(by=request.user, practice=practice)
    except ValidationError as exc:
        _error_messages(request, exc)
    else:
        messages.success(request, _("Práctica publicada."))
    return _back(practice)


@login_required
@require_POST
def practice_unpublish(request, pk):
    practice = _editable(request.user, pk)
    services.unpublish_practice(by=request.user, practice=practice)
    messages.success(request, _("La práctica volvió a borrador."))
    return _back(practice)


# --- files -------------------------------------------------------------------------------------


@login_required
@require_POST
def attachment_add(request, pk):
    practice = _editable(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = services.add_attachment(
                by=request.user, practice=practice, file=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Archivo «%(name)s» agregado.") % {"name": attachment.original_name}
            )
            return _back(practice, "#files")
    return practice_detail(request, pk, forms={"attachment": form})


def _attachment(user, pk):
    return get_object_or_404(
        PracticeAttachment.objects.select_related("practice"),
        pk=pk,
        practice__in=perms.visible_practices(user).values("pk"),
    )


attachment_download = attachment_download_view(_attachment)


@login_required
@require_POST
def attachment_remove(request, pk):
    attachment = _attachment(request.user, pk)
    services.remove_attachment(by=request.user, attachment=attachment)
    messages.success(request, _("Archivo «%(name)s» quitado.") % {"name": attachment.original_name})
    return _back(attachment.practice, "#files")


# --- comments, adoption ------------------------------------------------------------------------


@login_required
@require_POST
def comment_add(request, pk):
    practice = _visible(request.user, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.add_comment(by=request.user, practice=practice, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Comentario publicado."))
            return _back(practice, "#comments")
    return practice_detail(request, pk, forms={"comment": form})


@login_required
@require_POST
def adopt(request, pk):
    practice = _visible(request.user, pk)
    mine = perms.writable_schools(request.user)
    if not mine.exists():
        raise PermissionDenied
    # Offered: the user's other schools; the service explains any refusal
    # (its own school, adopted already) in the user's language.
    form = AdoptionForm(request.POST, schools=mine)
    if form.is_valid():
        try:
            services.adopt_practice(by=request.user, practice=practice, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Adopción registrada. Cuente cómo les va con notas."))
            return _back(practice, "#adoptions")
    return practice_detail(request, pk, forms={"adoption": form})


@login_required
@require_POST
def adoption_note(request, pk):
    adoption = get_object_or_404(
        PracticeAdoption.objects.select_related("practice", "school"),
        pk=pk,
        practice__in=perms.visible_practices(request.user).values("pk"),
    )
    if not perms.can_follow_adoption(request.user, adoption):
        raise PermissionDenied
    actions = Action.objects.filter(plan__school=adoption.school).select_related("plan")
    form = AdoptionNoteForm(request.POST, actions=actions)
    if form.is_valid():
        try:
            services.follow_up_adoption(by=request.user, adoption=adoption, **form.cleaned_data)
        except ValidationError as exc:
            _error_messages(request, exc)
        else:
            messages.success(request, _("Nota registrada."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return _back(adoption.practice, "#adoptions")


# --- supervisors ---------------------------------------------------------------------------------


@login_required
@require_POST
def feature(request, pk):
    practice = _visible(request.user, pk)
    network = get_object_or_404(
        perms.featurable_networks(request.user), code=request.POST.get("network", "")
    )
    try:
        if request.POST.get("remove"):
            services.unfeature_practice(by=request.user, practice=practice, network=network)
            messages.success(
                request, _("La práctica ya no está destacada en %(code)s.") % {"code": network.code}
            )
        else:
            services.feature_practice(by=request.user, practice=practice, network=network)
            messages.success(request, _("Práctica destacada en %(code)s.") % {"code": network.code})
    except ValidationError as exc:
        _error_messages(request, exc)
    return _back(practice, "#supervision")


@login_required
@require_POST
def add_to_agenda(request, pk):
    practice = _visible(request.user, pk)
    meeting_id = request.POST.get("meeting", "")
    if not meeting_id.isdigit():
        raise Http404
    meeting = get_object_or_404(
        Meeting.objects.select_related("network").filter(
            network__in=perms.featurable_networks(request.user).values("pk")
        ),
        pk=int(meeting_id),
    )
    try:
        services.add_practice_to_agenda(
            by=request.user,
            practice=practice,
            meeting=meeting,
            duration_minutes=request.POST.get("duration_minutes") or 20,
        )
    except ValidationError as exc:
        _error_messages(request, exc)
        return _back(practice, "#supervision")
    messages.success(
        request,
        _("La práctica quedó en la tabla de «%(meeting)s».") % {"meeting": meeting.title},
    )
    return redirect("meetings:detail", pk=meeting.pk)


@login_required
@require_POST
def preferences(request):
    if not perms.can_write_practices(request.user):
        raise PermissionDenied
    digest = request.POST.get("daily_digest") == "1"
    services.set_digest_preference(user=request.user, daily_digest=digest)
    if digest:
        messages.success(request, _("Recibirá un resumen diario de los comentarios."))
    else:
        messages.success(request, _("Recibirá un correo por cada comentario."))
    return redirect("practices:library")


@login_required
def network_panel(request, code):
    """Practices shared and adopted between the network's schools this
    year, loaded into the network page by htmx (routed as
    networks:practices_panel by rme_platform/urls.py)."""
    network = get_object_or_404(visible_networks(request.user), code=code)
    return render(
        request, "practices/_network_panel.html", selectors.network_panel(request.user, network)
    )


@login_required
def pme_action(request, practice_id):
    """A new action of one of the user's plans, prefilled from a shared
    practice they may see; the action remembers the practice (routed as
    pme:action_from_practice by rme_platform/urls.py)."""
    practice = get_object_or_404(selectors.detail_queryset(request.user), pk=practice_id)
    plan_id = request.GET.get("plan") or request.POST.get("plan") or ""
    if not str(plan_id).isdigit():
        raise Http404
    plan = get_object_or_404(pme_selectors.plan_detail_queryset(request.user), pk=int(plan_id))
    if not pme_permissions.can_edit_plan(request.user, plan):
        raise PermissionDenied
    initial = {
        "status": ActionStatus.PLANNED,
        "progress": 0,
        **services.pme_action_initial(practice),
    }
    form = ActionForm(request.POST or None, plan=plan, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields, funding = form.service_fields()
        try:
            action = services.create_action_from_practice(
                by=request.user, plan=plan, practice=practice, funding=funding, **fields
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Acción «%(name)s» agregada.") % {"name": action.name})
            return redirect("pme:action_detail", pk=action.pk)
    return render(
        request,
        "pme/action_form.html",
        {"form": form, "plan": plan, "creating": True, "practice": practice},
        status=400 if form.errors else 200,
    )


# --- ¿Quién puede ayudarnos? -------------------------------------------------------------------


def _help_options(subdimensions, chosen):
    """The subdimension select's options, written once in Python from the
    cached catalogue (a template loop with two translations per option)."""
    return mark_safe(  # noqa: S308 - every value is escaped
        "".join(
            f'<option value="{escape(code)}"{" selected" if code == chosen else ""}>'
            f"{escape(gettext(dimension))} · {escape(gettext(name))}</option>"
            for code, dimension, name in subdimensions
        )
    )


def _help_render(request, *, school, subdimension, action=None, plan=None):
    subdimensions = help_cache.subdimensions()
    chosen = next(
        (
            Subdimension(code=code, name=name)
            for code, _dimension, name in subdimensions
            if code == subdimension
        ),
        None,
    )
    return render(
        request,
        "practices/_help_panel.html",
        {
            "help_school": school,
            "help_subdimension": chosen,
            "help_options": "" if action else _help_options(subdimensions, chosen and chosen.pk),
            "help_action": action,
            "help_plan": plan,
            "help_at_risk": action is not None and help.is_at_risk(action),
            "suggestions": help.help_suggestions(
                request.user, school=school, subdimension=subdimension, action=action
            ),
        },
    )


@login_required
@require_GET
def action_help(request, pk):
    """Suggestions for an action's subdimension, loaded into the PME action
    page by htmx (routed as pme:action_help by rme_platform/urls.py)."""
    action = get_object_or_404(help.help_actions(request.user), pk=pk)
    return _help_render(
        request,
        school=action.plan.school,
        subdimension=action.subdimension_id,
        action=action,
        plan=action.plan,
    )


@login_required
@require_GET
def plan_help(request, pk):
    """Suggestions for one subdimension of a plan (chosen in the panel; by
    default that of its first delayed action), loaded into the PME plan page
    by htmx (routed as pme:plan_help by rme_platform/urls.py)."""
    plans = pme_permissions.visible_plans(request.user).select_related("school")
    subdimension = request.GET.get("subdimension", "")
    if not subdimension:
        # Read with the plan, in SQL: one query less than asking after it.
        actions, delayed, params = pme_selectors.plan_actions_sql()
        first_delayed = actions.format("a.subdimension_id") + (
            f" AND a.subdimension_id IS NOT NULL AND {delayed} ORDER BY a.end_date, a.id LIMIT 1"
        )
        plans = plans.annotate(first_delayed=RawSQL(first_delayed, params))  # noqa: S611
    plan = get_object_or_404(plans, pk=pk)
    if not subdimension:
        subdimension = plan.first_delayed or ""
    return _help_render(request, school=plan.school, subdimension=subdimension, plan=plan)


def _network_help_context(user, network):
    can_propose = perms.featurable_networks(user).filter(pk=network.pk).exists()
    meeting = services.next_convened_meeting(network) if can_propose else None
    needs = help.network_needs(user, network) if can_propose else []
    if meeting is not None and needs:
        titles = set(meeting.agenda_items.values_list("title", flat=True))
        for need in needs:
            need.proposed = need.agenda_title[:200] in titles
    return {
        "help_network": network,
        "help_needs": needs,
        "help_meeting": meeting,
        "can_propose_help": can_propose,
    }


@login_required
@require_GET
def network_help(request, code):
    """The network's open needs matched with its own strengths, for those
    who run its meetings (empty for anyone else); loaded into the network
    page by htmx (routed as networks:help_panel by rme_platform/urls.py)."""
    network = get_object_or_404(visible_networks(request.user), code=code)
    context = _network_help_context(request.user, network)
    if not context["can_propose_help"]:
        return HttpResponse("")
    return render(request, "practices/_network_help.html", context)


@login_required
@require_POST
def network_help_agenda(request, code):
    """Propose one of the network's needs as an item of its next convened
    meeting (routed as networks:help_agenda by rme_platform/urls.py)."""
    network = get_object_or_404(visible_networks(request.user), code=code)
    if not perms.featurable_networks(request.user).filter(pk=network.pk).exists():
        raise PermissionDenied
    try:
        item = services.propose_help_agenda_item(
            by=request.user, network=network, subdimension=request.POST.get("subdimension", "")
        )
    except ValidationError as exc:
        _error_messages(request, exc)
        return redirect("networks:detail", code=network.code)
    messages.success(
        request,
        _("El tema quedó en la tabla de «%(meeting)s».") % {"meeting": item.meeting.title},
    )
    return redirect("meetings:detail", pk=item.meeting_id)
