"""Network meetings: convened by the network's supervisors, with an agenda
built from members' proposals, RSVPs and attendance, minutes with files, and
agreements followed up from one meeting to the next (DESIGN.md section 5)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rme_platform.models import Attachment


class MeetingStatus(models.TextChoices):
    CONVENED = "convened", _("Convocada")
    HELD = "held", _("Realizada")
    CANCELLED = "cancelled", _("Cancelada")


class PmeDimension(models.TextChoices):
    """The four dimensions of the PME (Plan de Mejoramiento Educativo)."""

    PEDAGOGICAL = "gestion_pedagogica", _("Gestión pedagógica")
    LEADERSHIP = "liderazgo", _("Liderazgo")
    COEXISTENCE = "formacion_convivencia", _("Formación y convivencia")
    RESOURCES = "gestion_recursos", _("Gestión de recursos")


class MeetingQuerySet(models.QuerySet):
    def upcoming(self, now=None):
        return self.filter(status=MeetingStatus.CONVENED, ends_at__gte=now or timezone.now())

    def not_cancelled(self):
        return self.exclude(status=MeetingStatus.CANCELLED)


class Meeting(models.Model):
    """A meeting of one network. `sequence` counts reschedules and the
    cancellation, as SEQUENCE in the .ics; `uid` never changes."""

    network = models.ForeignKey(
        "networks.Network",
        on_delete=models.CASCADE,
        related_name="meetings",
        verbose_name=_("red"),
    )
    title = models.CharField(_("título"), max_length=200)
    objective = models.TextField(_("objetivo"), blank=True)
    starts_at = models.DateTimeField(_("inicio"))
    ends_at = models.DateTimeField(_("término"))
    place = models.CharField(_("lugar"), max_length=300, blank=True)
    online_url = models.URLField(_("enlace de la reunión en línea"), blank=True)
    host_school = models.ForeignKey(
        "schools.School",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("establecimiento anfitrión"),
    )
    proposals_close_at = models.DateTimeField(_("cierre de propuestas"))
    status = models.CharField(
        _("estado"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.CONVENED
    )
    convened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("convocada por"),
    )
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(_("versión"), default=0)
    cancel_reason = models.TextField(_("motivo de la cancelación"), blank=True)
    created_at = models.DateTimeField(_("creada"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizada"), auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("reunión")
        verbose_name_plural = _("reuniones")
        ordering = ["-starts_at"]
        indexes = [
            models.Index(fields=["network", "starts_at"]),
            models.Index(fields=["status", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            )
        ]

    def __str__(self):
        return f"{self.network.code} · {self.title}"

    @property
    def proposals_open(self):
        return self.status == MeetingStatus.CONVENED and timezone.now() < self.proposals_close_at

    @property
    def has_started(self):
        return self.starts_at <= timezone.now()

    @property
    def has_ended(self):
        return self.ends_at <= timezone.now()

    @property
    def day_has_come(self):
        """Its day (in America/Santiago) has come: minutes may be drafted."""
        return timezone.localdate() >= timezone.localdate(self.starts_at)

    @property
    def rsvp_open(self):
        """Members answer the invitation until the meeting starts."""
        return self.status == MeetingStatus.CONVENED and not self.has_started

    @property
    def is_cancelled(self):
        return self.status == MeetingStatus.CANCELLED

    @property
    def duration_minutes(self):
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class AgendaProposal(models.Model):
    """An agenda item a member proposes before the cut-off; members vote."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("reunión")
    )
    title = models.CharField(_("tema"), max_length=200)
    rationale = models.TextField(_("por qué importa"))
    pme_dimension = models.CharField(
        _("dimensión del PME"), max_length=30, choices=PmeDimension.choices, blank=True
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("propuesta por"),
    )
    created_at = models.DateTimeField(_("creada"), auto_now_add=True)

    class Meta:
        verbose_name = _("propuesta de tema")
        verbose_name_plural = _("propuestas de temas")
        ordering = ["created_at"]

    def __str__(self):
        return self.title


class ProposalVote(models.Model):
    """One member's vote for one proposal (withdrawable)."""

    proposal = models.ForeignKey(
        AgendaProposal, on_delete=models.CASCADE, related_name="votes", verbose_name=_("propuesta")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("persona"),
    )
    created_at = models.DateTimeField(_("fecha"), auto_now_add=True)

    class Meta:
        verbose_name = _("voto")
        verbose_name_plural = _("votos")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "user"], name="one_vote_per_member")
        ]

    def __str__(self):
        return f"{self.user_id} → {self.proposal_id}"


class AgendaItem(models.Model):
    """An item of the agenda the supervisor sets, in order; `proposal` says
    it came from members' proposals."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("reunión")
    )
    order = models.PositiveSmallIntegerField(_("orden"))
    title = models.CharField(_("tema"), max_length=200)
    description = models.TextField(_("descripción"), blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("minutos"))
    presenter = models.CharField(_("presenta"), max_length=200, blank=True)
    proposal = models.ForeignKey(
        AgendaProposal,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("propuesta de origen"),
    )

    class Meta:
        verbose_name = _("punto de la tabla")
        verbose_name_plural = _("puntos de la tabla")
        ordering = ["meeting", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "proposal"],
                condition=Q(proposal__isnull=False),
                name="proposal_once_per_agenda",
            )
        ]

    def __str__(self):
        return self.title


class Rsvp(models.TextChoices):
    YES = "yes", _("Asistiré")
    NO = "no", _("No asistiré")
    MAYBE = "maybe", _("Tal vez")


class AttendeeRole(models.TextChoices):
    """Who an attendee was, fixed when invited: the measures count by it."""

    DIRECTOR = "director", _("Director/a")
    UTP = "utp", _("Jefe/a de UTP")
    SOSTENEDOR_REP = "sostenedor_rep", _("Representante del sostenedor")
    SUPERVISOR = "supervisor", _("Supervisor/a")
    GUEST = "guest", _("Invitado/a")
    PARTNER = "partner", _("Socio externo")


class Attendance(models.Model):
    """A person expected at, or present in, a meeting: a member invited when
    it was convened (with their RSVP), an external partner, or a guest known
    only by name. `attended` is None until attendance is taken."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("reunión")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="meeting_attendances",
        verbose_name=_("persona"),
    )
    partner = models.ForeignKey(
        "networks.ExternalPartner",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attendances",
        verbose_name=_("socio externo"),
    )
    guest_name = models.CharField(_("nombre del invitado"), max_length=200, blank=True)
    role = models.CharField(_("rol"), max_length=20, choices=AttendeeRole.choices)
    rsvp = models.CharField(_("respuesta"), max_length=5, choices=Rsvp.choices, blank=True)
    rsvp_comment = models.CharField(_("comentario"), max_length=300, blank=True)
    rsvp_at = models.DateTimeField(_("respondió"), null=True, blank=True)
    attended = models.BooleanField(_("asistió"), null=True, blank=True)

    class Meta:
        verbose_name = _("asistencia")
        verbose_name_plural = _("asistencias")
        ordering = ["meeting", "role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"],
                condition=Q(user__isnull=False),
                name="one_attendance_per_person",
            ),
            models.UniqueConstraint(
                fields=["meeting", "partner"],
                condition=Q(partner__isnull=False),
                name="one_attendance_per_partner",
            ),
        ]
        indexes = [models.Index(fields=["user", "meeting"])]

    def __str__(self):
        return str(self.user or self.partner or self.guest_name)

    @property
    def name(self):
        if self.user_id:
            return self.user.get_full_name()
        if self.partner_id:
            return self.partner.name
        return self.guest_name


class Minutes(models.Model):
    """The minutes (acta) of a meeting, in Markdown; members read them once
    published."""

    meeting = models.OneToOneField(
        Meeting, on_delete=models.CASCADE, related_name="minutes", verbose_name=_("reunión")
    )
    body = models.TextField(_("acta"), blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("redactada por"),
    )
    published_at = models.DateTimeField(_("publicada"), null=True, blank=True)
    updated_at = models.DateTimeField(_("actualizada"), auto_now=True)

    class Meta:
        verbose_name = _("acta")
        verbose_name_plural = _("actas")

    def __str__(self):
        return str(self.meeting)

    @property
    def is_published(self):
        return self.published_at is not None


def attachment_path(instance, filename):
    # Random folder: names never collide and are not guessable.
    return f"meetings/{instance.minutes.meeting_id}/{uuid.uuid4().hex}/{filename}"


class MinutesAttachment(Attachment):
    """A file attached to the minutes, served only through an access check."""

    minutes = models.ForeignKey(
        Minutes, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("acta")
    )
    file = models.FileField(_("archivo"), upload_to=attachment_path, max_length=300)

    class Meta(Attachment.Meta):
        verbose_name = _("archivo del acta")
        verbose_name_plural = _("archivos del acta")


class AgreementStatus(models.TextChoices):
    OPEN = "open", _("Abierto")
    IN_PROGRESS = "in_progress", _("En curso")
    DONE = "done", _("Cumplido")
    DROPPED = "dropped", _("Descartado")


OPEN_AGREEMENT_STATUSES = (AgreementStatus.OPEN, AgreementStatus.IN_PROGRESS)


class AgreementQuerySet(models.QuerySet):
    def still_open(self):
        return self.filter(status__in=OPEN_AGREEMENT_STATUSES)


class Agreement(models.Model):
    """A commitment taken at a meeting, followed up until closed. `closed_on`
    is the date it was marked done or dropped."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="agreements", verbose_name=_("reunión")
    )
    text = models.TextField(_("acuerdo"))
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meeting_agreements",
        verbose_name=_("persona responsable"),
    )
    responsible_school = models.ForeignKey(
        "schools.School",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("establecimiento responsable"),
    )
    due_on = models.DateField(_("plazo"))
    status = models.CharField(
        _("estado"), max_length=12, choices=AgreementStatus.choices, default=AgreementStatus.OPEN
    )
    closed_on = models.DateField(_("cerrado el"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("registrado por"),
    )
    created_at = models.DateTimeField(_("registrado"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizado"), auto_now=True)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("acuerdo")
        verbose_name_plural = _("acuerdos")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["meeting", "status"])]

    def __str__(self):
        return self.text[:80]

    @property
    def is_open(self):
        return self.status in OPEN_AGREEMENT_STATUSES

    @property
    def is_overdue(self):
        return self.is_open and self.due_on < timezone.localdate()

    @property
    def note_list(self):
        """The follow-up notes in order: those selectors prefetched as a
        list (`prefetched_notes`: a prefetch into the related manager built
        a queryset per agreement, a tenth of the agreements API's time), or
        read now."""
        notes = getattr(self, "prefetched_notes", None)
        return notes if notes is not None else list(self.notes.all())

    @property
    def last_note(self):
        """The latest follow-up note (uses prefetched notes when present)."""
        notes = self.note_list
        return notes[-1] if notes else None

    @property
    def responsible_label(self):
        if self.responsible_user_id:
            return self.responsible_user.get_full_name()
        if self.responsible_school_id:
            return self.responsible_school.display_name
        return ""


class AgreementNote(models.Model):
    """A dated follow-up note on an agreement, possibly changing its status."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="notes", verbose_name=_("acuerdo")
    )
    text = models.TextField(_("nota"))
    status = models.CharField(
        _("nuevo estado"), max_length=12, choices=AgreementStatus.choices, blank=True
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("autor"),
    )
    created_at = models.DateTimeField(_("fecha"), auto_now_add=True)

    class Meta:
        verbose_name = _("nota de seguimiento")
        verbose_name_plural = _("notas de seguimiento")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.text[:80]


class NoticeKind(models.TextChoices):
    CONVENED = "convened", _("Convocatoria")
    RESCHEDULED = "rescheduled", _("Cambio de fecha o lugar")
    CANCELLED = "cancelled", _("Cancelación")
    REMINDER_7D = "reminder_7d", _("Recordatorio a 7 días")
    REMINDER_1D = "reminder_1d", _("Recordatorio a 1 día")
    MINUTES = "minutes", _("Acta publicada")


class MeetingNotice(models.Model):
    """An email sent to one person about one meeting. The unique constraint
    is what makes notices and reminders idempotent: a row is written before
    sending, in the same transaction, so a second run finds it and skips."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="notices", verbose_name=_("reunión")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("persona"),
    )
    kind = models.CharField(_("tipo"), max_length=12, choices=NoticeKind.choices)
    sequence = models.PositiveIntegerField(_("versión de la reunión"), default=0)
    sent_at = models.DateTimeField(_("enviado"), default=timezone.now)

    class Meta:
        verbose_name = _("aviso enviado")
        verbose_name_plural = _("avisos enviados")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user", "kind", "sequence"], name="one_notice_per_version"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.meeting_id} · {self.user_id}"


class CalendarFeedToken(models.Model):
    """A secret link to a person's calendar of meetings. Only a hash of the
    token is kept; revoking it makes the link answer 404."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feed_tokens",
        verbose_name=_("persona"),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("prefijo"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("creado"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("último uso"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revocado"), null=True, blank=True)

    class Meta:
        verbose_name = _("enlace de calendario")
        verbose_name_plural = _("enlaces de calendario")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.user} ({self.prefix}…)"
