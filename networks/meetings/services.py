"""Operations on network meetings. Views, the API, the demo and the Celery
tasks call these; none repeats their logic.

Each service checks who acts (PermissionDenied when the user may see the
meeting but not do this), validates, runs in transaction.atomic() and raises
ValidationError with a translated message naming the field. Emails are
queued through the outbox (rme_platform.outbox): recorded with the change,
sent once it commits.
"""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Case, Exists, Max, OuterRef, Q, Value, When
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from networks.models import NetworkSchool, NetworkStatus
from rme_platform import outbox
from rme_platform.accounts.models import User
from rme_platform.files import validate_attachment

from . import permissions as perms
from . import selectors
from .cache import bump_meetings_version
from .calendar import meeting_invitation_ics, meeting_url
from .models import (
    OPEN_AGREEMENT_STATUSES,
    AgendaItem,
    AgendaProposal,
    Agreement,
    AgreementNote,
    AgreementStatus,
    Attendance,
    AttendeeRole,
    CalendarFeedToken,
    Meeting,
    MeetingNotice,
    MeetingStatus,
    Minutes,
    MinutesAttachment,
    NoticeKind,
    PmeDimension,
    ProposalVote,
    Rsvp,
)

DEFAULT_PROPOSALS_WINDOW = datetime.timedelta(days=2)
MAX_MEETING_LENGTH = datetime.timedelta(hours=12)
MAX_RECORDED_AGE = datetime.timedelta(days=366)
MAX_ITEM_MINUTES = 480
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_MINUTES_CHARS = 100_000
REMINDER_WINDOWS = {
    # kind: a meeting starting in (now + low, now + high] gets it.
    NoticeKind.REMINDER_7D: (datetime.timedelta(days=6), datetime.timedelta(days=7)),
    NoticeKind.REMINDER_1D: (datetime.timedelta(0), datetime.timedelta(days=1)),
}
SCHEDULE_FIELDS = ("starts_at", "ends_at", "place", "online_url")
EDITABLE_FIELDS = (
    "title",
    "objective",
    "starts_at",
    "ends_at",
    "place",
    "online_url",
    "host_school",
    "proposals_close_at",
)


def _require(allowed):
    if not allowed:
        raise PermissionDenied


def _local(value):
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


def _aware(value):
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _notify(meeting, kind):
    """Queue the emails of `kind` for this version of the meeting, once the
    transaction commits."""
    # Lazy: networks.meetings.tasks imports this module (Celery task cycle).
    from .tasks import send_meeting_notice

    outbox.send(send_meeting_notice, [meeting.pk, kind, meeting.sequence])


def _require_member(user, meeting, message):
    if not perms.is_member(user, meeting.network):
        raise ValidationError({"user": message})


def _require_convened(meeting):
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError({"meeting": _("La reunión fue cancelada.")})
    if meeting.status == MeetingStatus.HELD:
        raise ValidationError({"meeting": _("La reunión ya se realizó.")})


def _require_meeting_day(meeting, message):
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError({"meeting": _("La reunión fue cancelada.")})
    if not meeting.day_has_come:
        raise ValidationError({"meeting": message})


def _require_started(meeting, message):
    """What makes a meeting held (its attendance, its published minutes)
    waits until it has started. `message` takes the start as %(date)s."""
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError({"meeting": _("La reunión fue cancelada.")})
    if not meeting.has_started:
        raise ValidationError({"meeting": message % {"date": _local(meeting.starts_at)}})


# --- convene, edit, reschedule, cancel ----------------------------------------------


def _clean_meeting(network, data, *, now, schedule_changed, cutoff_changed=True, held=False):
    """Validate the fields of a meeting; returns them cleaned. A `held`
    meeting (recorded afterwards) must have started, within the last year."""
    errors = {}
    title = (data.get("title") or "").strip()
    if not title:
        errors["title"] = _("Indique el título de la reunión.")
    data["title"] = title
    data["objective"] = (data.get("objective") or "").strip()
    data["place"] = (data.get("place") or "").strip()
    data["online_url"] = (data.get("online_url") or "").strip()
    starts_at, ends_at = _aware(data.get("starts_at")), _aware(data.get("ends_at"))
    data["starts_at"], data["ends_at"] = starts_at, ends_at
    if starts_at is None:
        errors["starts_at"] = _("Indique la fecha y hora de inicio.")
    elif held and starts_at > now:
        errors["starts_at"] = _(
            "Una reunión realizada ya comenzó: para una reunión futura, convóquela."
        )
    elif held and starts_at < now - MAX_RECORDED_AGE:
        errors["starts_at"] = _("Solo se registran reuniones realizadas en el último año.")
    elif schedule_changed and starts_at <= now:
        errors["starts_at"] = _("La reunión no puede comenzar en el pasado.")
    if ends_at is None:
        errors["ends_at"] = _("Indique la fecha y hora de término.")
    elif starts_at is not None:
        if ends_at <= starts_at:
            errors["ends_at"] = _("La reunión debe terminar después de comenzar.")
        elif ends_at - starts_at > MAX_MEETING_LENGTH:
            errors["ends_at"] = _("Una reunión dura a lo más 12 horas.")
    if not data["place"] and not data["online_url"]:
        errors["place"] = _("Indique el lugar o el enlace de la reunión en línea.")
    cutoff = _aware(data.get("proposals_close_at"))
    if cutoff is None and starts_at is not None:
        cutoff = starts_at - DEFAULT_PROPOSALS_WINDOW
        if cutoff <= now:
            cutoff = starts_at
    elif cutoff is not None:
        if starts_at is not None and cutoff > starts_at:
            errors["proposals_close_at"] = _(
                "El cierre de propuestas debe ser anterior al inicio de la reunión."
            )
        elif cutoff_changed and cutoff <= now:
            errors["proposals_close_at"] = _("El cierre de propuestas no puede estar en el pasado.")
    data["proposals_close_at"] = cutoff
    school = data.get("host_school")
    if (
        school is not None
        and not NetworkSchool.objects.filter(
            network=network, school=school, left_on__isnull=True
        ).exists()
    ):
        errors["host_school"] = _("El establecimiento anfitrión debe ser de la red.")
    if errors:
        raise ValidationError(errors)
    return data


def invite_members(*, meeting):
    """Save an attendance row (the invitation) for each active member who
    has none yet, e.g. who joined the network after the meeting was
    convened. Idempotent."""
    Attendance.objects.bulk_create(selectors.uninvited_members(meeting), ignore_conflicts=True)
    bump_meetings_version(meeting.network_id)  # bulk_create sends no post_save


def _new_meeting_data(by, network, closed_message, *, schedule_changed, held=False, **fields):
    """Who may create a meeting of `network` (its supervisors and admins),
    that it is active, and the cleaned fields of the new meeting."""
    _require(perms.can_convene(by, network))
    if network.status != NetworkStatus.ACTIVE:
        raise ValidationError({"network": closed_message})
    return _clean_meeting(
        network, fields, now=timezone.now(), schedule_changed=schedule_changed, held=held
    )


def convene_meeting(
    *,
    by,
    network,
    title,
    starts_at,
    ends_at,
    objective="",
    place="",
    online_url="",
    host_school=None,
    proposals_close_at=None,
):
    """Convene a meeting of `network` and invite its active members: each gets
    an email with the .ics once the transaction commits. Proposals close at
    `proposals_close_at` (default: two days before the start). Only the
    network's supervisors and admins may; raises ValidationError for a
    meeting in the past, ending before it starts, without place or link."""
    data = _new_meeting_data(
        by,
        network,
        _("La red está cerrada: no se pueden convocar reuniones."),
        title=title,
        objective=objective,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        online_url=online_url,
        host_school=host_school,
        proposals_close_at=proposals_close_at,
        schedule_changed=True,
    )
    with transaction.atomic():
        meeting = Meeting.objects.create(network=network, convened_by=by, **data)
        invite_members(meeting=meeting)
        _notify(meeting, NoticeKind.CONVENED)
    return meeting


def record_held_meeting(
    *,
    by,
    network,
    title,
    starts_at,
    ends_at,
    objective="",
    place="",
    online_url="",
    host_school=None,
):
    """Record a meeting that already took place (within the last year), to
    take its attendance and write its minutes and agreements afterwards. It
    is saved as held with the active members invited (so that attendance
    can be taken); nobody is emailed and no calendar invitation (.ics) is
    sent, since the meeting is over. Only the network's supervisors and
    admins may."""
    data = _new_meeting_data(
        by,
        network,
        _("La red está cerrada: no se pueden registrar reuniones."),
        title=title,
        objective=objective,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        online_url=online_url,
        host_school=host_school,
        proposals_close_at=None,
        schedule_changed=False,
        held=True,
    )
    with transaction.atomic():
        meeting = Meeting.objects.create(
            network=network, convened_by=by, status=MeetingStatus.HELD, **data
        )
        invite_members(meeting=meeting)
    return meeting


def update_meeting(*, by, meeting, **fields):
    """Change a convened meeting. A new start, end, place or link is a
    reschedule: the meeting's SEQUENCE goes up and members get an email with
    the updated .ics. Other changes (title, objective, host, cut-off) are
    saved silently."""
    _require(perms.can_run(by, meeting))
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(
            _("Campos no modificables: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    _require_convened(meeting)
    current = {name: getattr(meeting, name) for name in EDITABLE_FIELDS}
    data = {**current, **fields}
    for name in ("starts_at", "ends_at", "proposals_close_at"):
        data[name] = _aware(data[name])
    schedule_changed = any((data[name] or "") != (current[name] or "") for name in SCHEDULE_FIELDS)
    cutoff_changed = data["proposals_close_at"] != current["proposals_close_at"]
    data = _clean_meeting(
        meeting.network,
        data,
        now=timezone.now(),
        schedule_changed=schedule_changed,
        cutoff_changed=cutoff_changed,
    )
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        for name, value in data.items():
            setattr(meeting, name, value)
        if schedule_changed:
            meeting.sequence += 1
        meeting.save()
        if schedule_changed:
            _notify(meeting, NoticeKind.RESCHEDULED)
    return meeting


def reschedule_meeting(*, by, meeting, starts_at, ends_at, place=None, online_url=None):
    """Move the meeting (and optionally its place or link); members are told."""
    fields = {"starts_at": starts_at, "ends_at": ends_at}
    if place is not None:
        fields["place"] = place
    if online_url is not None:
        fields["online_url"] = online_url
    return update_meeting(by=by, meeting=meeting, **fields)


def cancel_meeting(*, by, meeting, reason=""):
    """Cancel a convened meeting: SEQUENCE goes up and members get an email
    with an .ics METHOD:CANCEL that removes it from their calendars."""
    _require(perms.can_run(by, meeting))
    _require_convened(meeting)
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        _require_convened(meeting)
        meeting.status = MeetingStatus.CANCELLED
        meeting.cancel_reason = (reason or "").strip()
        meeting.sequence += 1
        meeting.save()
        _notify(meeting, NoticeKind.CANCELLED)
    return meeting


# --- agenda: proposals, votes, items ---------------------------------------------------


def _require_proposals_open(meeting):
    _require_convened(meeting)
    if timezone.now() >= meeting.proposals_close_at:
        raise ValidationError(
            {
                "meeting": _("El plazo para proponer temas y votar cerró el %(date)s.")
                % {"date": _local(meeting.proposals_close_at)}
            }
        )


def propose_agenda_item(*, by, meeting, title, rationale, pme_dimension=""):
    """A member proposes an agenda item, before the cut-off."""
    _require_member(by, meeting, _("Solo los integrantes de la red pueden proponer temas."))
    _require_proposals_open(meeting)
    errors = {}
    title, rationale = (title or "").strip(), (rationale or "").strip()
    if not title:
        errors["title"] = _("Indique el tema que propone.")
    elif len(title) > 200:
        errors["title"] = _("El tema puede tener a lo más 200 caracteres.")
    if not rationale:
        errors["rationale"] = _("Cuente por qué este tema importa para la red.")
    if pme_dimension and pme_dimension not in PmeDimension.values:
        errors["pme_dimension"] = _("Dimensión del PME no válida.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        return AgendaProposal.objects.create(
            meeting=meeting,
            title=title,
            rationale=rationale,
            pme_dimension=pme_dimension or "",
            proposed_by=by,
        )


def withdraw_proposal(*, by, proposal):
    """The author withdraws their proposal before the cut-off, unless the
    supervisor already put it on the agenda."""
    meeting = proposal.meeting
    if proposal.proposed_by_id != by.pk:
        raise PermissionDenied
    _require_proposals_open(meeting)
    if proposal.agenda_items.exists():
        raise ValidationError({"proposal": _("La propuesta ya está en la tabla de la reunión.")})
    proposal.delete()


def vote_for_proposal(*, by, proposal):
    """One vote per member per proposal, before the cut-off."""
    meeting = proposal.meeting
    _require_member(by, meeting, _("Solo los integrantes de la red pueden votar."))
    _require_proposals_open(meeting)
    message = _("Ya votó por esta propuesta.")
    if ProposalVote.objects.filter(proposal=proposal, user=by).exists():
        raise ValidationError({"proposal": message})
    try:
        with transaction.atomic():
            return ProposalVote.objects.create(proposal=proposal, user=by)
    except IntegrityError:
        raise ValidationError({"proposal": message}) from None


def withdraw_vote(*, by, proposal):
    """Take one's vote back, before the cut-off."""
    meeting = proposal.meeting
    _require_member(by, meeting, _("Solo los integrantes de la red pueden votar."))
    _require_proposals_open(meeting)
    deleted, _rows = ProposalVote.objects.filter(proposal=proposal, user=by).delete()
    if not deleted:
        raise ValidationError({"proposal": _("No ha votado por esta propuesta.")})


def _renumber(meeting, items):
    for index, item in enumerate(items, start=1):
        item.order = index
    AgendaItem.objects.bulk_update(items, ["order"])
    bump_meetings_version(meeting.network_id)  # bulk_update sends no post_save


def add_agenda_item(
    *, by, meeting, duration_minutes, title="", presenter="", description="", proposal=None
):
    """Add an item at the end of the agenda, from a members' proposal (its
    title and reasons by default) or new."""
    _require(perms.can_run(by, meeting))
    _require_convened(meeting)
    errors = {}
    if proposal is not None:
        if proposal.meeting_id != meeting.pk:
            errors["proposal"] = _("La propuesta es de otra reunión.")
        elif AgendaItem.objects.filter(meeting=meeting, proposal=proposal).exists():
            errors["proposal"] = _("La propuesta ya está en la tabla.")
        title = (title or "").strip() or proposal.title
        description = (description or "").strip() or proposal.rationale
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Indique el tema del punto.")
    try:
        duration_minutes = int(duration_minutes)
    except (TypeError, ValueError):
        duration_minutes = 0
    if not 1 <= duration_minutes <= MAX_ITEM_MINUTES:
        errors["duration_minutes"] = _("La duración debe estar entre 1 y 480 minutos.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
        last = AgendaItem.objects.filter(meeting=meeting).aggregate(m=Max("order"))["m"] or 0
        try:
            with transaction.atomic():
                return AgendaItem.objects.create(
                    meeting=meeting,
                    order=last + 1,
                    title=title[:200],
                    description=(description or "").strip(),
                    duration_minutes=duration_minutes,
                    presenter=(presenter or "").strip()[:200],
                    proposal=proposal,
                )
        except IntegrityError:
            raise ValidationError({"proposal": _("La propuesta ya está en la tabla.")}) from None


def move_agenda_item(*, by, item, offset):
    """Move an item up (offset -1) or down (+1) the agenda."""
    meeting = item.meeting
    _require(perms.can_run(by, meeting))
    _require_convened(meeting)
    with transaction.atomic():
        items = list(AgendaItem.objects.select_for_update().filter(meeting=meeting))
        index = next(i for i, other in enumerate(items) if other.pk == item.pk)
        target = index + int(offset)
        if 0 <= target < len(items):
            items[index], items[target] = items[target], items[index]
            _renumber(meeting, items)


def remove_agenda_item(*, by, item):
    meeting = item.meeting
    _require(perms.can_run(by, meeting))
    _require_convened(meeting)
    with transaction.atomic():
        item.delete()
        _renumber(meeting, list(AgendaItem.objects.select_for_update().filter(meeting=meeting)))


# --- RSVP and attendance ---------------------------------------------------------------


def respond_rsvp(*, by, meeting, answer, comment=""):
    """A member answers whether they will attend, until the meeting starts."""
    _require_member(by, meeting, _("Solo los integrantes de la red responden la convocatoria."))
    _require_convened(meeting)
    if not meeting.rsvp_open:
        raise ValidationError({"answer": _("La reunión ya comenzó: no se puede responder.")})
    if answer not in Rsvp.values:
        raise ValidationError({"answer": _("Elija si asistirá, no asistirá o tal vez.")})
    comment = (comment or "").strip()
    if len(comment) > 300:
        raise ValidationError({"comment": _("El comentario puede tener a lo más 300 caracteres.")})
    with transaction.atomic():
        invite_members(meeting=meeting)
        attendance = Attendance.objects.select_for_update().get(meeting=meeting, user=by)
        attendance.rsvp, attendance.rsvp_comment = answer, comment
        attendance.rsvp_at = timezone.now()
        attendance.save(update_fields=["rsvp", "rsvp_comment", "rsvp_at"])
    return attendance


def record_attendance(*, by, meeting, present_user_ids, partner_ids=(), guests=()):
    """Take the attendance, once the meeting has started: the invited
    members present (the others are marked absent), the network's external
    partners present and guests by name (both replace what was recorded).
    The meeting becomes held."""
    _require(perms.can_run(by, meeting))
    _require_started(
        meeting, _("La asistencia se registra desde el inicio de la reunión, el %(date)s.")
    )
    present = {int(pk) for pk in present_user_ids}
    partners = {int(pk) for pk in partner_ids}
    names = []
    for name in guests:
        name = (name or "").strip()[:200]
        if name and name.casefold() not in {n.casefold() for n in names}:
            names.append(name)
    with transaction.atomic():
        invite_members(meeting=meeting)
        invited = set(
            Attendance.objects.filter(meeting=meeting, user__isnull=False).values_list(
                "user_id", flat=True
            )
        )
        if present - invited:
            raise ValidationError(
                {"present_user_ids": _("Marcó como presente a alguien que no integra la red.")}
            )
        known_partners = set(meeting.network.partners.values_list("pk", flat=True))
        if partners - known_partners:
            raise ValidationError(
                {"partner_ids": _("Marcó un socio externo que no está vinculado a la red.")}
            )
        Attendance.objects.filter(meeting=meeting, user__isnull=False).update(
            attended=Case(When(user_id__in=present, then=Value(True)), default=Value(False))
        )
        Attendance.objects.filter(meeting=meeting, partner__isnull=False).exclude(
            partner_id__in=partners
        ).delete()
        have = set(
            Attendance.objects.filter(meeting=meeting, partner__isnull=False).values_list(
                "partner_id", flat=True
            )
        )
        Attendance.objects.bulk_create(
            [
                Attendance(meeting=meeting, partner_id=pk, role=AttendeeRole.PARTNER, attended=True)
                for pk in sorted(partners - have)
            ]
        )
        Attendance.objects.filter(meeting=meeting, user__isnull=True, partner__isnull=True).delete()
        Attendance.objects.bulk_create(
            [
                Attendance(meeting=meeting, guest_name=name, role=AttendeeRole.GUEST, attended=True)
                for name in names
            ]
        )
        Meeting.objects.filter(pk=meeting.pk).update(
            status=MeetingStatus.HELD, updated_at=timezone.now()
        )
        meeting.status = MeetingStatus.HELD
        bump_meetings_version(meeting.network_id)  # update() and bulk_create(): no post_save
    return meeting


# --- minutes and attachments ---------------------------------------------------------


def save_minutes(*, by, meeting, body, publish=False):
    """Write the minutes (Markdown; rendered sanitized), from the meeting's
    day on. Publishing, once the meeting has started, makes them readable
    by members, emails them a notice and marks the meeting held. Published
    minutes can still be corrected."""
    _require(perms.can_run(by, meeting))
    _require_meeting_day(meeting, _("El acta se escribe desde el día de la reunión."))
    if publish:
        _require_started(
            meeting, _("El acta se publica desde el inicio de la reunión, el %(date)s.")
        )
    body = (body or "").strip()
    if len(body) > MAX_MINUTES_CHARS:
        raise ValidationError({"body": _("El acta puede tener a lo más 100.000 caracteres.")})
    if publish and not body:
        raise ValidationError({"body": _("Escriba el acta antes de publicarla.")})
    with transaction.atomic():
        minutes, _created = Minutes.objects.select_for_update().get_or_create(
            meeting=meeting, defaults={"written_by": by}
        )
        minutes.body = body
        minutes.written_by = by
        newly_published = publish and minutes.published_at is None
        if newly_published:
            minutes.published_at = timezone.now()
        minutes.save()
        if newly_published:
            Meeting.objects.filter(pk=meeting.pk).update(
                status=MeetingStatus.HELD, updated_at=timezone.now()
            )
            meeting.status = MeetingStatus.HELD
            bump_meetings_version(meeting.network_id)  # update() sends no post_save
            _notify(meeting, NoticeKind.MINUTES)
    return minutes


def add_minutes_attachment(*, by, meeting, file):
    """Attach a file to the minutes (documents and images up to 10 MB;
    content checked against the extension)."""
    _require(perms.can_run(by, meeting))
    _require_meeting_day(meeting, _("Los archivos del acta se suben desde el día de la reunión."))
    validate_attachment(file, max_bytes=MAX_ATTACHMENT_BYTES)
    with transaction.atomic():
        minutes, _created = Minutes.objects.get_or_create(
            meeting=meeting, defaults={"written_by": by}
        )
        return MinutesAttachment.create_from_upload(file, by=by, minutes=minutes)


def remove_minutes_attachment(*, by, attachment):
    _require(perms.can_run(by, attachment.minutes.meeting))
    with transaction.atomic():
        attachment.delete()
        transaction.on_commit(lambda: attachment.file.delete(save=False))


# --- agreements --------------------------------------------------------------------------


def add_agreement(*, by, meeting, text, due_on, responsible_user=None, responsible_school=None):
    """Record an agreement of the meeting with who answers for it (a member
    or a school of the network) and a due date."""
    _require(perms.can_run(by, meeting))
    _require_meeting_day(meeting, _("Los acuerdos se registran desde el día de la reunión."))
    errors = {}
    text = (text or "").strip()
    if not text:
        errors["text"] = _("Escriba el acuerdo.")
    if due_on is None:
        errors["due_on"] = _("Indique el plazo del acuerdo.")
    elif due_on < timezone.localdate(meeting.starts_at):
        errors["due_on"] = _("El plazo no puede ser anterior a la reunión.")
    if responsible_user is None and responsible_school is None:
        errors["responsible_user"] = _("Indique una persona o un establecimiento responsable.")
    if responsible_user is not None and not perms.is_member(responsible_user, meeting.network):
        errors["responsible_user"] = _("La persona responsable debe integrar la red.")
    if (
        responsible_school is not None
        and not NetworkSchool.objects.filter(
            network_id=meeting.network_id, school=responsible_school, left_on__isnull=True
        ).exists()
    ):
        errors["responsible_school"] = _("El establecimiento responsable debe ser de la red.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        return Agreement.objects.create(
            meeting=meeting,
            text=text,
            due_on=due_on,
            responsible_user=responsible_user,
            responsible_school=responsible_school,
            created_by=by,
        )


def follow_up_agreement(*, by, agreement, text, status=""):
    """Add a dated follow-up note, optionally changing the status. Closing
    (done or dropped) records the date; reopening clears it."""
    _require(perms.can_follow_up(by, agreement))
    text = (text or "").strip()
    errors = {}
    if not text:
        errors["text"] = _("Escriba la nota de seguimiento.")
    if status and status not in AgreementStatus.values:
        errors["status"] = _("Estado no válido.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
        note = AgreementNote.objects.create(
            agreement=agreement,
            text=text,
            status=status if status and status != agreement.status else "",
            author=by,
        )
        if note.status:
            agreement.status = status
            agreement.closed_on = (
                None if status in OPEN_AGREEMENT_STATUSES else timezone.localdate()
            )
            agreement.save(update_fields=["status", "closed_on", "updated_at"])
    return note


# --- calendar feed -----------------------------------------------------------------------


def _hash(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


def create_calendar_feed(*, user):
    """A new secret calendar link for the user; any earlier one stops
    working. Returns (token, raw_secret): the secret is shown once."""
    raw = secrets.token_urlsafe(24)
    with transaction.atomic():
        CalendarFeedToken.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        token = CalendarFeedToken.objects.create(user=user, token_hash=_hash(raw), prefix=raw[:8])
    return token, raw


def revoke_calendar_feed(*, user):
    """Stop the user's calendar link from working. Idempotent."""
    return CalendarFeedToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def calendar_feed_user(raw):
    """The active user whose calendar link this is, or None."""
    if not raw or len(raw) > 100:
        return None
    token = (
        CalendarFeedToken.objects.filter(
            token_hash=_hash(raw), revoked_at__isnull=True, user__is_active=True
        )
        .select_related("user")
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(hours=1):
        CalendarFeedToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# --- emails: notices and reminders -----------------------------------------------------


NOTICE_TEMPLATES = {
    NoticeKind.CONVENED: "convened",
    NoticeKind.RESCHEDULED: "rescheduled",
    NoticeKind.CANCELLED: "cancelled",
    NoticeKind.REMINDER_7D: "reminder",
    NoticeKind.REMINDER_1D: "reminder",
    NoticeKind.MINUTES: "minutes",
}
ICS_NOTICES = {NoticeKind.CONVENED, NoticeKind.RESCHEDULED, NoticeKind.CANCELLED}


def _recipients(meeting, kind):
    """Active members of the network, with an active account; reminders go
    only to those who have not answered or said yes."""
    users = User.objects.filter(
        is_active=True,
        memberships__network_id=meeting.network_id,
        memberships__active=True,
    )
    if kind in REMINDER_WINDOWS:
        declined = Attendance.objects.filter(
            meeting=meeting, user=OuterRef("pk"), rsvp__in=[Rsvp.NO, Rsvp.MAYBE]
        )
        users = users.exclude(Exists(declined))
    already = MeetingNotice.objects.filter(
        meeting=meeting, kind=kind, sequence=meeting.sequence, user=OuterRef("pk")
    )
    return users.exclude(Exists(already)).distinct().order_by("pk")


def _email(meeting, user, kind):
    name = NOTICE_TEMPLATES[kind]
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {
            "user": user,
            "meeting": meeting,
            "kind": kind,
            "url": meeting_url(meeting),
            "days": 7 if kind == NoticeKind.REMINDER_7D else 1,
            "feed_url": settings.SITE_URL + reverse("meetings:calendar"),
        }
        subject = render_to_string(f"meetings/email/{name}_subject.txt", context)
        body = render_to_string(f"meetings/email/{name}_body.txt", context)
        html = render_to_string(f"meetings/email/{name}_body.html", context)
    message = EmailMultiAlternatives(" ".join(subject.split()), body, to=[user.email])
    message.attach_alternative(html, "text/html")
    if kind in ICS_NOTICES:
        method = "CANCEL" if kind == NoticeKind.CANCELLED else "REQUEST"
        # Django adds the charset of a text attachment itself.
        message.attach(
            "reunion.ics", meeting_invitation_ics(meeting, user), f"text/calendar; method={method}"
        )
    message.send()


def _send_once(meeting, user, kind):
    """Record the notice, then send it, in one transaction: if sending fails
    nothing is recorded (it will be retried); if the row exists (another run
    sent it) nothing is sent."""
    try:
        with transaction.atomic():
            MeetingNotice.objects.create(
                meeting=meeting, user=user, kind=kind, sequence=meeting.sequence
            )
            _email(meeting, user, kind)
    except IntegrityError:
        return False
    return True


def _still_relevant(meeting, kind, sequence):
    if meeting.sequence != sequence:
        return False  # superseded: a newer version has its own notice
    if kind == NoticeKind.CANCELLED:
        return meeting.status == MeetingStatus.CANCELLED
    if kind == NoticeKind.MINUTES:
        minutes = Minutes.objects.filter(meeting=meeting, published_at__isnull=False)
        return minutes.exists()
    return meeting.status == MeetingStatus.CONVENED and meeting.starts_at > timezone.now()


def send_meeting_notice(*, meeting_id, kind, sequence):
    """Email the members about this version of the meeting. Idempotent: each
    person gets each notice once; a notice superseded by a later reschedule
    or a cancellation is not sent. Returns how many were sent."""
    meeting = (
        Meeting.objects.select_related("network", "convened_by", "host_school")
        .filter(pk=meeting_id)
        .first()
    )
    if (
        meeting is None
        or kind not in NOTICE_TEMPLATES
        or not _still_relevant(meeting, kind, sequence)
    ):
        return 0
    return sum(_send_once(meeting, user, kind) for user in _recipients(meeting, kind))


def due_reminders(now=None):
    """(meeting, kind) pairs whose reminder is due now: 7 days and 1 day
    before a convened meeting."""
    now = now or timezone.now()
    condition = Q()
    for low, high in REMINDER_WINDOWS.values():
        condition |= Q(starts_at__gt=now + low, starts_at__lte=now + high)
    meetings = Meeting.objects.filter(condition, status=MeetingStatus.CONVENED).select_related(
        "network", "convened_by", "host_school"
    )
    due = []
    for meeting in meetings:
        for kind, (low, high) in REMINDER_WINDOWS.items():
            if now + low < meeting.starts_at <= now + high:
                due.append((meeting, kind))
    return due


def send_due_reminders(*, now=None):
    """Send the reminders that are due. Idempotent: run twice, each member
    gets each reminder once. Returns how many were sent."""
    sent = 0
    for meeting, kind in due_reminders(now):
        sent += sum(_send_once(meeting, user, kind) for user in _recipients(meeting, kind))
    return sent
