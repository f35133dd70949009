"""Pages of network meetings. Access comes from meeting_permissions (a
meeting the user may not see answers 404; one they see but may not run
answers 403); every change goes through meeting_services. Voting, proposing,
answering the RSVP and building the agenda answer htmx requests with the
updated fragment, and work without JavaScript too."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from networks.permissions import visible_networks
from rme_platform.files import attachment_download_view
from rme_platform.forms import add_service_errors
from rme_platform.links import row_url

from . import permissions as perms
from . import selectors, services
from .calendar import feed_ics, meeting_ics
from .forms import (
    AgendaItemForm,
    AgreementForm,
    AgreementNoteForm,
    AttachmentForm,
    CancelMeetingForm,
    FromProposalForm,
    HeldMeetingForm,
    MeetingForm,
    MinutesForm,
    ProposalForm,
    RsvpForm,
)
from .models import AgendaItem, MeetingStatus, MinutesAttachment

FEED_PAST_DAYS = 400


def _htmx(request):
    return request.headers.get("HX-Request") == "true"


def _messages(exc):
    return [str(m) for m in exc.messages]


def _visible(user, pk):
    """The meeting if the user may see it; 404 otherwise (like a missing one)."""
    return get_object_or_404(selectors.meeting_detail_queryset(user), pk=pk)


def _runnable(user, pk):
    meeting = _visible(user, pk)
    if not perms.can_run(user, meeting):
        raise PermissionDenied
    return meeting


def _back(meeting, anchor=""):
    return redirect(reverse("meetings:detail", args=[meeting.pk]) + anchor)


# --- list, convene, page, edit, cancel ---------------------------------------------------


def _count_text(n):
    # |intcomma's text: no grouping below 1,000 (the usual head count).
    return str(n) if 0 <= n < 1000 else intcomma(n)


def _list_rows(meetings):
    """What each row of the list shows, worked out once per page instead of
    per row in the template (issue 17): its link, its date and time (one
    formatting per distinct day), its status and RSVP badges and its counts."""
    detail_url = row_url("meetings:detail")
    statuses = {value: str(label) for value, label in MeetingStatus.choices}
    status_class = {"cancelled": "badge text-bg-danger", "held": "badge text-bg-secondary"}
    rsvps = {
        "yes": ("badge text-bg-success", _("Asistiré")),
        "no": ("badge text-bg-secondary", _("No asistiré")),
        "maybe": ("badge text-bg-warning", _("Tal vez")),
        "": ("small text-body-secondary", _("Sin responder")),
    }
    no_rsvp = ("text-body-secondary", "—")
    days = {}
    rows = []
    for meeting in meetings:
        start = timezone.localtime(meeting.starts_at)
        day = start.date()
        if day not in days:
            days[day] = formats.date_format(start, "SHORT_DATE_FORMAT")
        rsvp_class, rsvp_label = rsvps.get(meeting.my_rsvp, no_rsvp)
        present = _count_text(meeting.n_present) if meeting.status == "held" else "—"
        # The <tr> as the template's loop wrote it, each value escaped.
        rows.append(
            "\n    <tr>\n"
            f'      <td class="text-nowrap">{escape(days[day])} {start:%H:%M}</td>\n'
            f'      <td><a href="{detail_url(meeting.pk)}">{escape(meeting.title)}</a></td>\n'
            f'      <td class="font-monospace small">{escape(meeting.network.code)}</td>\n'
            f'      <td><span class="{status_class.get(meeting.status, "badge text-bg-success")}">'
            f"{escape(statuses.get(meeting.status, meeting.status))}</span></td>\n"
            f'      <td><span class="{rsvp_class}">{escape(rsvp_label)}</span></td>\n'
            f'      <td class="text-end">{_count_text(meeting.n_yes)}</td>\n'
            f'      <td class="text-end">{present}</td>\n'
            f'      <td class="text-end">{_count_text(meeting.n_proposals)}</td>\n'
            "    </tr>\n  "
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value escaped above


def _network_options(rows, selected=None):
    """The <option>s of a network select (code · name), written once per
    page instead of a template loop with a comparison per option."""
    return mark_safe(  # noqa: S308  (each value escaped)
        "".join(
            f'<option value="{escape(code)}"{" selected" if code == selected else ""}>'
            f"{escape(code)} · {escape(name)}</option>"
            for code, name in rows
        )
    )


@login_required
def meeting_list(request):
    networks = perms.meeting_networks(request.user).order_by("code")
    code = request.GET.get("network", "").strip()
    status = request.GET.get("status", "")
    period = request.GET.get("period", "")
    meetings = selectors.MeetingListRows(request.user, network=code, status=status, period=period)
    page = Paginator(meetings, 25).get_page(request.GET.get("page"))
    rows_html = _list_rows(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    convenable = perms.runnable_networks(request.user).order_by("code")
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "page": page,
            "rows_html": rows_html,
            "network_options": _network_options(networks.values_list("code", "name")[:200], code),
            "selected": {"network": code, "status": status, "period": period},
            "statuses": MeetingStatus.choices,
            "convenable": _network_options(convenable.values_list("code", "name")[:200]),
            "query": query.urlencode(),
        },
    )


def _convenable(request):
    code = request.GET.get("network") or request.POST.get("network") or ""
    network = get_object_or_404(perms.meeting_networks(request.user), code=code)
    if not perms.can_convene(request.user, network):
        raise PermissionDenied
    return network


def _new_meeting_page(request, *, form_class, service, done, next_page, flag):
    """The page that creates a meeting of a network the user convenes: to
    convene one ahead, or to record one already held."""
    network = _convenable(request)
    form = form_class(request.POST or None, network=network)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = service(by=request.user, network=network, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(next_page, pk=meeting.pk)
    return render(
        request,
        "meetings/meeting_form.html",
        {"form": form, "network": network, flag: True},
        status=400 if form.errors else 200,
    )


@login_required
def meeting_create(request):
    return _new_meeting_page(
        request,
        form_class=MeetingForm,
        service=services.convene_meeting,
        done=_("Reunión convocada. Los integrantes de la red recibirán la invitación por correo."),
        next_page="meetings:detail",
        flag="creating",
    )


@login_required
def meeting_record(request):
    """Record a meeting already held (no emails), then take its attendance."""
    return _new_meeting_page(
        request,
        form_class=HeldMeetingForm,
        service=services.record_held_meeting,
        done=_(
            "Reunión registrada como realizada; no se envió ningún aviso. "
            "Tome la asistencia y luego escriba el acta y los acuerdos."
        ),
        next_page="meetings:attendance",
        flag="recording",
    )


@login_required
def meeting_detail(request, pk):
    meeting = get_object_or_404(selectors.meeting_page_queryset(request.user), pk=pk)
    context = selectors.meeting_page(request.user, meeting)
    if context["member"] and meeting.proposals_open:
        context["proposal_form"] = ProposalForm()
    if context["member"] and meeting.rsvp_open:
        mine = context["my_attendance"]
        context["rsvp_form"] = RsvpForm(
            initial={"answer": mine.rsvp, "comment": mine.rsvp_comment} if mine else None
        )
    return render(request, "meetings/meeting_detail.html", context)


@login_required
def meeting_edit(request, pk):
    meeting = _runnable(request.user, pk)
    if meeting.status != MeetingStatus.CONVENED:
        messages.error(request, _("Solo se puede modificar una reunión convocada."))
        return _back(meeting)
    initial = {
        "title": meeting.title,
        "objective": meeting.objective,
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "place": meeting.place,
        "online_url": meeting.online_url,
        "host_school": meeting.host_school,
        "proposals_close_at": meeting.proposals_close_at,
    }
    form = MeetingForm(request.POST or None, initial=initial, network=meeting.network)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data.get("proposals_close_at") is None:
            data["proposals_close_at"] = meeting.proposals_close_at
        sequence = meeting.sequence
        try:
            meeting = services.update_meeting(by=request.user, meeting=meeting, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if meeting.sequence != sequence:
                messages.success(
                    request,
                    _(
                        "Reunión reprogramada. Los integrantes recibirán el aviso y el "
                        "calendario actualizado."
                    ),
                )
            else:
                messages.success(request, _("Cambios guardados."))
            return redirect("meetings:detail", pk=meeting.pk)
    return render(
        request,
        "meetings/meeting_form.html",
        {"form": form, "network": meeting.network, "meeting": meeting, "creating": False},
        status=400 if form.errors else 200,
    )


@login_required
def meeting_cancel(request, pk):
    meeting = _runnable(request.user, pk)
    form = CancelMeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_meeting(
                by=request.user, meeting=meeting, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Reunión cancelada. Se avisó a los integrantes."))
            return redirect("meetings:detail", pk=meeting.pk)
    return render(
        request,
        "meetings/meeting_cancel.html",
        {"form": form, "meeting": meeting},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def meeting_ics_download(request, pk):
    meeting = _visible(request.user, pk)
    response = HttpResponse(meeting_ics(meeting), content_type="text/calendar; charset=utf-8")
    name = slugify(f"{meeting.network.code} {meeting.starts_at:%Y-%m-%d}") or "reunion"
    response["Content-Disposition"] = f'attachment; filename="{name}.ics"'
    return response


# --- proposals and votes (htmx) ------------------------------------------------------------


def _proposals_fragment(request, meeting, *, form=None, error=None, announce=None):
    member = perms.is_member(request.user, meeting.network)
    context = {
        "meeting": meeting,
        "member": member,
        "proposals": list(selectors.ranked_proposals(meeting, request.user)),
        "proposal_form": form or (ProposalForm() if member and meeting.proposals_open else None),
        "proposals_error": error,
        "announce": announce,
    }
    return render(request, "meetings/_proposals.html", context)


@login_required
@require_POST
def proposal_create(request, pk):
    meeting = _visible(request.user, pk)
    form = ProposalForm(request.POST)
    error = announce = None
    if form.is_valid():
        try:
            proposal = services.propose_agenda_item(
                by=request.user, meeting=meeting, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            error = " ".join(form.non_field_errors())
        else:
            announce = _("Tema «%(title)s» propuesto.") % {"title": proposal.title}
            if not _htmx(request):
                messages.success(request, announce)
                return _back(meeting, "#proposals")
            form = None
    if _htmx(request):
        return _proposals_fragment(request, meeting, form=form, error=error, announce=announce)
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)
    return _back(meeting, "#proposals")


def _proposal_action(request, pk, action, done_message):
    proposal = selectors.proposal_for(request.user, pk)
    if proposal is None:
        raise Http404
    meeting = proposal.meeting
    title = proposal.title
    error = None
    try:
        action(by=request.user, proposal=proposal)
    except ValidationError as exc:
        error = " ".join(_messages(exc))
    announce = None if error else done_message % {"title": title}
    if _htmx(request):
        proposal = selectors.proposal_for(request.user, pk)
        context = {
            "proposal": proposal,
            "meeting": meeting,
            # The proposal was read through visible_meetings (proposal_for).
            "member": perms.is_member_of_visible(request.user, meeting),
            "proposal_error": error,
            "announce": announce,
            "announce_id": "proposals-status",
        }
        if proposal is None:  # withdrawn: the row goes away
            return render(request, "meetings/_announce.html", context)
        return render(request, "meetings/_proposal.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, announce)
    return _back(meeting, "#proposals")


@login_required
@require_POST
def proposal_vote(request, pk):
    return _proposal_action(
        request, pk, services.vote_for_proposal, _("Su voto por «%(title)s» quedó registrado.")
    )


@login_required
@require_POST
def proposal_unvote(request, pk):
    return _proposal_action(
        request, pk, services.withdraw_vote, _("Retiró su voto por «%(title)s».")
    )


@login_required
@require_POST
def proposal_withdraw(request, pk):
    return _proposal_action(
        request, pk, services.withdraw_proposal, _("Retiró la propuesta «%(title)s».")
    )


# --- RSVP (htmx) -------------------------------------------------------------------------


@login_required
@require_POST
def rsvp(request, pk):
    meeting = _visible(request.user, pk)
    form = RsvpForm(request.POST)
    saved = False
    if form.is_valid():
        try:
            services.respond_rsvp(by=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            saved = True
    if _htmx(request):
        # One row at most (unique per meeting and user): no ordering to join.
        mine = meeting.attendances.filter(user=request.user).order_by().first()
        return render(
            request,
            "meetings/_rsvp.html",
            {
                "meeting": meeting,
                "member": True,
                "my_attendance": mine,
                "rsvp_form": form,
                "saved": saved,
                "summary": selectors.attendance_summary(meeting),
                "fragment": True,
            },
        )
    if saved:
        messages.success(request, _("Respuesta guardada."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return _back(meeting, "#rsvp")


# --- agenda builder ------------------------------------------------------------------------


def _agenda_context(request, meeting, **extra):
    return {
        "meeting": meeting,
        "proposals": list(selectors.ranked_proposals(meeting, request.user)),
        "agenda": list(selectors.agenda_items(meeting)),
        "item_form": AgendaItemForm(),
        "from_form": FromProposalForm(),
        **extra,
    }


def _agenda_response(request, meeting, *, error=None, item_form=None, status=200):
    context = _agenda_context(request, meeting, agenda_error=error)
    if item_form is not None:
        context["item_form"] = item_form
    elif error is None:
        context["announce"] = _("Tabla actualizada.")
    template = "meetings/_agenda_builder.html" if _htmx(request) else "meetings/agenda.html"
    return render(request, template, context, status=status)


@login_required
def agenda(request, pk):
    meeting = _runnable(request.user, pk)
    if request.method == "POST":
        form = AgendaItemForm(request.POST)
        if form.is_valid():
            try:
                services.add_agenda_item(by=request.user, meeting=meeting, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if not _htmx(request):
                    messages.success(request, _("Punto agregado a la tabla."))
                    return redirect("meetings:agenda", pk=meeting.pk)
                form = None
        return _agenda_response(
            request, meeting, item_form=form, status=400 if form and not _htmx(request) else 200
        )
    return render(request, "meetings/agenda.html", _agenda_context(request, meeting))


@login_required
@require_POST
def agenda_from_proposal(request, pk, proposal_id):
    meeting = _runnable(request.user, pk)
    proposal = get_object_or_404(meeting.proposals.all(), pk=proposal_id)
    form = FromProposalForm(request.POST)
    error = None
    if form.is_valid():
        try:
            services.add_agenda_item(
                by=request.user, meeting=meeting, proposal=proposal, **form.cleaned_data
            )
        except ValidationError as exc:
            error = " ".join(_messages(exc))
    else:
        error = " ".join(m for errors in form.errors.values() for m in errors)
    if _htmx(request):
        return _agenda_response(request, meeting, error=error)
    if error:
        messages.error(request, error)
    return redirect("meetings:agenda", pk=meeting.pk)


def _agenda_item(user, pk):
    item = get_object_or_404(
        AgendaItem.objects.select_related("meeting__network"),
        pk=pk,
        meeting__in=perms.visible_meetings(user),
    )
    if not perms.can_run(user, item.meeting):
        raise PermissionDenied
    return item


@login_required
@require_POST
def agenda_move(request, pk):
    item = _agenda_item(request.user, pk)
    offset = -1 if request.POST.get("direction") == "up" else 1
    return _agenda_change(
        request, item, lambda: services.move_agenda_item(by=request.user, item=item, offset=offset)
    )


@login_required
@require_POST
def agenda_remove(request, pk):
    item = _agenda_item(request.user, pk)
    return _agenda_change(
        request, item, lambda: services.remove_agenda_item(by=request.user, item=item)
    )


def _agenda_change(request, item, change):
    """Run `change()`; answer with the agenda (htmx) or go back to it, with
    the error if it was refused."""
    error = None
    try:
        change()
    except ValidationError as exc:
        error = " ".join(_messages(exc))
    if _htmx(request):
        return _agenda_response(request, item.meeting, error=error)
    if error:
        messages.error(request, error)
    return redirect("meetings:agenda", pk=item.meeting_id)


# --- attendance ------------------------------------------------------------------------------


@login_required
def attendance(request, pk):
    """The attendance sheet. GET only reads (members not invited yet are
    listed unsaved); POST records it through services.record_attendance."""
    meeting = _runnable(request.user, pk)
    errors = []
    if meeting.is_cancelled or not meeting.has_started:
        # Said up front, instead of a sheet that could not be saved.
        return render(
            request,
            "meetings/attendance.html",
            {"meeting": meeting, "closed": True},
            status=400 if request.method == "POST" else 200,
        )
    if request.method == "POST":
        guests = request.POST.get("guests", "").splitlines()
        try:
            services.record_attendance(
                by=request.user,
                meeting=meeting,
                present_user_ids=request.POST.getlist("present"),
                partner_ids=request.POST.getlist("partners"),
                guests=guests,
            )
        except ValidationError as exc:
            errors = _messages(exc)
        except ValueError:
            errors = [_("La lista de asistencia enviada no es válida.")]
        else:
            messages.success(request, _("Asistencia guardada."))
            return redirect("meetings:detail", pk=meeting.pk)
    sheet = selectors.attendance_sheet(meeting)
    return render(
        request,
        "meetings/attendance.html",
        {
            "meeting": meeting,
            "sheet": sheet,
            "partners": list(meeting.network.partners.order_by("name")),
            "guest_text": "\n".join(g.guest_name for g in sheet["guests"]),
            "errors": errors,
        },
        status=400 if errors else 200,
    )


# --- minutes, files, agreements -------------------------------------------------------------


def _minutes_page(
    request, meeting, *, minutes_form=None, file_form=None, agreement_form=None, status=200
):
    minutes = getattr(meeting, "minutes", None)
    return render(
        request,
        "meetings/minutes_form.html",
        {
            "meeting": meeting,
            "minutes": minutes,
            "attachments": list(minutes.attachments.all()) if minutes else [],
            "agreements": list(selectors.meeting_agreements(meeting)),
            "minutes_form": minutes_form
            or MinutesForm(initial={"body": minutes.body if minutes else ""}),
            "file_form": file_form or AttachmentForm(),
            "agreement_form": agreement_form or AgreementForm(network=meeting.network),
        },
        status=status,
    )


@login_required
def minutes_edit(request, pk):
    meeting = _runnable(request.user, pk)
    if request.method != "POST":
        return _minutes_page(request, meeting)
    form = MinutesForm(request.POST)
    if form.is_valid():
        publish = "publish" in request.POST
        was_published = bool(getattr(meeting, "minutes", None) and meeting.minutes.is_published)
        try:
            services.save_minutes(
                by=request.user, meeting=meeting, body=form.cleaned_data["body"], publish=publish
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if publish and not was_published:
                messages.success(request, _("Acta publicada. Los integrantes ya pueden leerla."))
                return redirect("meetings:detail", pk=meeting.pk)
            messages.success(request, _("Acta guardada."))
            return redirect("meetings:minutes", pk=meeting.pk)
    return _minutes_page(request, meeting, minutes_form=form, status=400)


@login_required
@require_POST
def attachment_add(request, pk):
    meeting = _runnable(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = services.add_minutes_attachment(
                by=request.user, meeting=meeting, file=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Archivo «%(name)s» adjuntado.") % {"name": attachment.original_name}
            )
            return redirect("meetings:minutes", pk=meeting.pk)
    meeting = _runnable(request.user, pk)
    return _minutes_page(request, meeting, file_form=form, status=400)


def _attachment(user, pk):
    attachment = get_object_or_404(
        MinutesAttachment.objects.select_related("minutes__meeting__network"),
        pk=pk,
        minutes__meeting__in=perms.visible_meetings(user),
    )
    meeting = attachment.minutes.meeting
    if not perms.can_read_minutes(user, meeting):
        raise Http404
    return attachment


attachment_download = attachment_download_view(_attachment)


@login_required
@require_POST
def attachment_remove(request, pk):
    attachment = _attachment(request.user, pk)
    meeting = attachment.minutes.meeting
    services.remove_minutes_attachment(by=request.user, attachment=attachment)
    messages.success(request, _("Archivo «%(name)s» quitado.") % {"name": attachment.original_name})
    return redirect("meetings:minutes", pk=meeting.pk)


@login_required
@require_POST
def agreement_add(request, pk):
    meeting = _runnable(request.user, pk)
    form = AgreementForm(request.POST, network=meeting.network)
    if form.is_valid():
        try:
            services.add_agreement(by=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Acuerdo registrado."))
            return redirect(reverse("meetings:minutes", args=[meeting.pk]) + "#agreements")
    return _minutes_page(request, meeting, agreement_form=form, status=400)


@login_required
def agreement_detail(request, pk):
    agreement = get_object_or_404(selectors.agreement_queryset(request.user), pk=pk)
    can_follow = perms.can_follow_up(request.user, agreement)
    form = AgreementNoteForm(request.POST or None)
    if request.method == "POST":
        if not can_follow:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.follow_up_agreement(
                    by=request.user, agreement=agreement, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Seguimiento registrado."))
                return redirect("meetings:agreement", pk=agreement.pk)
    return render(
        request,
        "meetings/agreement_detail.html",
        {"agreement": agreement, "can_follow": can_follow, "form": form},
        status=400 if form.errors else 200,
    )


# --- calendar feed ---------------------------------------------------------------------------


@login_required
def calendar(request):
    active = request.user.calendar_feed_tokens.filter(revoked_at__isnull=True).first()
    raw = request.session.pop("new_calendar_token", None)
    feed_url = request.build_absolute_uri(reverse("meetings:feed", args=[raw])) if raw else None
    return render(request, "meetings/calendar.html", {"active": active, "feed_url": feed_url})


@login_required
@require_POST
def calendar_create(request):
    _token, raw = services.create_calendar_feed(user=request.user)
    request.session["new_calendar_token"] = raw
    messages.success(
        request,
        _("Nuevo enlace de calendario creado. Cualquier enlace anterior dejó de funcionar."),
    )
    return redirect("meetings:calendar")


@login_required
@require_POST
def calendar_revoke(request):
    services.revoke_calendar_feed(user=request.user)
    messages.success(request, _("El enlace de calendario fue revocado."))
    return redirect("meetings:calendar")


@never_cache
@require_GET
def calendar_feed(request, token):
    """The secret calendar link: no sign-in, the token is the key."""
    user = services.calendar_feed_user(token)
    if user is None:
        raise Http404
    meetings = (
        perms.visible_meetings(user)
        .filter(starts_at__gte=timezone.now() - timedelta(days=FEED_PAST_DAYS))
        .select_related("network", "convened_by")
        .order_by("starts_at")[:1000]
    )
    body = feed_ics(list(meetings), name=_("Reuniones de red · %(name)s") % {"name": user})
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


# --- fragments for the network and home pages -----------------------------------------------


@login_required
@require_GET
def network_panel(request, code):
    """The meetings panel of a network page, for htmx or a direct include."""
    network = get_object_or_404(visible_networks(request.user), code=code)
    return render(
        request, "meetings/_network_panel.html", selectors.network_panel(request.user, network)
    )


@login_required
@require_GET
def home_panel(request):
    return render(request, "meetings/_home_panel.html", selectors.home_panel(request.user))
