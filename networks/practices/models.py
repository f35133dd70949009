"""Shared practices: what works in a school, written by its directivos,
found by other networks in the library, discussed and adopted (DESIGN.md
section 4). An adoption is the proof of lateral learning: who took a
practice up and how it went.

The links from a practice to what it became elsewhere (an agenda item of a
meeting, an action of a PME) live here, on the practices side: meetings and
PME know nothing of practices."""

import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rme_platform.models import Attachment
from schools.models import teaching_label


class PracticeStatus(models.TextChoices):
    DRAFT = "draft", _("Borrador")
    PUBLISHED = "published", _("Publicada")


class PracticeVisibility(models.TextChoices):
    NETWORK = "network", _("Mi red")
    DEPROV = "deprov", _("Las redes de mi departamento provincial")
    ALL = "all", _("Todos los usuarios de la plataforma")


class AdoptionStage(models.TextChoices):
    EXPLORING = "exploring", _("Explorando")
    TRYING = "trying", _("Probando")
    ADOPTED = "adopted", _("Adoptada")
    DROPPED = "dropped", _("Descartada")


class Tag(models.Model):
    """A free label of practices (lectura, convivencia, asistencia, …)."""

    slug = models.SlugField(_("identificador"), max_length=60, unique=True)
    name = models.CharField(_("nombre"), max_length=60)

    class Meta:
        verbose_name = _("etiqueta")
        verbose_name_plural = _("etiquetas")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Practice(models.Model):
    """A practice one school shares. Its context (levels, size, rural or
    urban) is copied from the school when written and may be corrected.

    `search_text` (lower-case, without accents) serves the plain search on
    SQLite; on PostgreSQL `search_vector` (weights: title A, summary and tags
    B, problem, body and results C; configuration `rme_spanish`, Spanish
    stems without accents) is kept current by practice_services and indexed
    with GIN by the migration."""

    school = models.ForeignKey(
        "schools.School",
        on_delete=models.PROTECT,
        related_name="practices",
        verbose_name=_("establecimiento"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("creada por"),
    )
    authors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="authored_practices",
        verbose_name=_("autores"),
    )
    title = models.CharField(_("título"), max_length=200)
    summary = models.TextField(_("resumen"), max_length=1000)
    context = models.TextField(_("contexto"), blank=True)
    problem = models.TextField(_("problema que aborda"), blank=True)
    body = models.TextField(_("qué se hizo"), blank=True)
    results = models.TextField(_("resultados y evidencias"), blank=True)
    levels = models.JSONField(
        _("tipos de enseñanza"),
        default=list,
        blank=True,
        help_text=_("Códigos de enseñanza del directorio, como en el establecimiento."),
    )
    rural = models.BooleanField(_("rural"), default=False)
    enrollment = models.PositiveIntegerField(_("matrícula"), default=0)
    dimension = models.ForeignKey(
        "pme.Dimension",
        on_delete=models.PROTECT,
        related_name="practices",
        verbose_name=_("dimensión del PME"),
    )
    subdimension = models.ForeignKey(
        "pme.Subdimension",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="practices",
        verbose_name=_("subdimensión del PME"),
    )
    tags = models.ManyToManyField(
        Tag, blank=True, related_name="practices", verbose_name=_("etiquetas")
    )
    status = models.CharField(
        _("estado"), max_length=10, choices=PracticeStatus.choices, default=PracticeStatus.DRAFT
    )
    visibility = models.CharField(
        _("visible para"),
        max_length=10,
        choices=PracticeVisibility.choices,
        default=PracticeVisibility.NETWORK,
    )
    published_at = models.DateTimeField(_("publicada"), null=True, blank=True)
    created_at = models.DateTimeField(_("creada"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizada"), auto_now=True)
    tags_text = models.CharField(max_length=500, blank=True, editable=False)
    search_text = models.TextField(blank=True, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("práctica")
        verbose_name_plural = _("prácticas")
        ordering = ["-published_at", "-pk"]
        indexes = [
            # The library: newest first, and the visibility rules and counts
            # answered from the index alone (PostgreSQL covers the rest).
            models.Index(
                fields=["status", "-published_at", "-id"],
                include=["visibility", "school"],
                name="practices_library",
            ),
            models.Index(fields=["school", "status"]),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("practices:detail", args=[self.pk])

    @property
    def is_published(self):
        return self.status == PracticeStatus.PUBLISHED

    @property
    def level_labels(self):
        return [(code, teaching_label(code)) for code in self.levels]


def practice_attachment_path(instance, filename):
    # Random folder: names never collide and are not guessable.
    return f"practices/{instance.practice_id}/{uuid.uuid4().hex}/{filename}"


class PracticeAttachment(Attachment):
    """A file of a practice (evidence, material), served only through an
    access check."""

    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("práctica")
    )
    file = models.FileField(_("archivo"), upload_to=practice_attachment_path, max_length=300)

    class Meta(Attachment.Meta):
        verbose_name = _("archivo de la práctica")
        verbose_name_plural = _("archivos de la práctica")


class PracticeComment(models.Model):
    """A comment on a published practice, in Markdown."""

    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="comments", verbose_name=_("práctica")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("autor"),
    )
    body = models.TextField(_("comentario"))
    created_at = models.DateTimeField(_("fecha"), default=timezone.now)

    class Meta:
        verbose_name = _("comentario de práctica")
        verbose_name_plural = _("comentarios de prácticas")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["practice", "created_at"])]

    def __str__(self):
        return self.body[:80]


class PracticeAdoption(models.Model):
    """A school taking up another school's practice, and how it goes. At
    most one per practice and school; `pme_action` is the action of the
    adopting school's PME that carries it."""

    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="adoptions", verbose_name=_("práctica")
    )
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.PROTECT,
        related_name="practice_adoptions",
        verbose_name=_("establecimiento que la adopta"),
    )
    stage = models.CharField(
        _("etapa"), max_length=10, choices=AdoptionStage.choices, default=AdoptionStage.EXPLORING
    )
    pme_action = models.ForeignKey(
        "pme.Action",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="practice_adoptions",
        verbose_name=_("acción del PME"),
    )
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("registrada por"),
    )
    created_at = models.DateTimeField(_("desde"), default=timezone.now)
    updated_at = models.DateTimeField(_("actualizada"), auto_now=True)

    class Meta:
        verbose_name = _("adopción de práctica")
        verbose_name_plural = _("adopciones de prácticas")
        ordering = ["-updated_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "school"], name="one_adoption_per_school")
        ]

    def __str__(self):
        return f"{self.school_id} → {self.practice_id} ({self.stage})"


class PracticeAdoptionNote(models.Model):
    """A dated note on how an adoption goes, with the stage it reached."""

    adoption = models.ForeignKey(
        PracticeAdoption, on_delete=models.CASCADE, related_name="notes", verbose_name=_("adopción")
    )
    date = models.DateField(_("fecha"), default=timezone.localdate)
    stage = models.CharField(_("etapa"), max_length=10, choices=AdoptionStage.choices)
    text = models.TextField(_("nota"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("autor"),
    )
    created_at = models.DateTimeField(_("registrada"), auto_now_add=True)

    class Meta:
        verbose_name = _("nota de adopción")
        verbose_name_plural = _("notas de adopción")
        ordering = ["date", "pk"]

    def __str__(self):
        return f"{self.date} · {self.stage}"


class PracticePresentation(models.Model):
    """A practice presented at a meeting: the agenda item that carries it."""

    agenda_item = models.OneToOneField(
        "meetings.AgendaItem",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="practice_link",
        verbose_name=_("punto de la tabla"),
    )
    practice = models.ForeignKey(
        Practice,
        on_delete=models.CASCADE,
        related_name="presentations",
        verbose_name=_("práctica presentada"),
    )

    class Meta:
        verbose_name = _("práctica en una tabla")
        verbose_name_plural = _("prácticas en tablas")

    def __str__(self):
        return f"{self.practice_id} → {self.agenda_item_id}"


class PracticeAction(models.Model):
    """A PME action copied from a practice: where the action came from."""

    action = models.OneToOneField(
        "pme.Action",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="practice_source",
        verbose_name=_("acción del PME"),
    )
    practice = models.ForeignKey(
        Practice,
        on_delete=models.CASCADE,
        related_name="pme_actions",
        verbose_name=_("práctica de origen"),
    )

    class Meta:
        verbose_name = _("acción basada en una práctica")
        verbose_name_plural = _("acciones basadas en prácticas")

    def __str__(self):
        return f"{self.practice_id} → {self.action_id}"


class PracticeFeature(models.Model):
    """A practice a supervisor recommends to one of the networks they run."""

    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="features", verbose_name=_("práctica")
    )
    network = models.ForeignKey(
        "networks.Network",
        on_delete=models.CASCADE,
        related_name="featured_practices",
        verbose_name=_("red"),
    )
    featured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("destacada por"),
    )
    created_at = models.DateTimeField(_("fecha"), auto_now_add=True)

    class Meta:
        verbose_name = _("práctica destacada")
        verbose_name_plural = _("prácticas destacadas")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "network"], name="feature_once_per_network")
        ]

    def __str__(self):
        return f"{self.network_id} ★ {self.practice_id}"


class PracticeNotificationPreference(models.Model):
    """How an author hears of comments on their practices: an email per
    comment (no row, the default) or one daily digest."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="practice_notification_preference",
        verbose_name=_("persona"),
    )
    daily_digest = models.BooleanField(_("resumen diario en vez de un correo por comentario"))

    class Meta:
        verbose_name = _("preferencia de avisos de prácticas")
        verbose_name_plural = _("preferencias de avisos de prácticas")

    def __str__(self):
        return f"{self.user} · {'digest' if self.daily_digest else 'each'}"


class PracticeNotice(models.Model):
    """A comment emailed to one author: recorded before sending, in the same
    transaction, so a task run twice sends once."""

    comment = models.ForeignKey(
        PracticeComment,
        on_delete=models.CASCADE,
        related_name="notices",
        verbose_name=_("comentario"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("persona"),
    )
    sent_at = models.DateTimeField(_("enviado"), default=timezone.now)

    class Meta:
        verbose_name = _("aviso de comentario")
        verbose_name_plural = _("avisos de comentarios")
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="one_notice_per_comment")
        ]

    def __str__(self):
        return f"{self.comment_id} → {self.user_id}"


class PracticeDigest(models.Model):
    """The daily digest sent to one author for one day (idempotent)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("persona"),
    )
    day = models.DateField(_("día"))
    comments = models.PositiveIntegerField(_("comentarios"), default=0)
    sent_at = models.DateTimeField(_("enviado"), default=timezone.now)

    class Meta:
        verbose_name = _("resumen diario de comentarios")
        verbose_name_plural = _("resúmenes diarios de comentarios")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="one_digest_per_day")]

    def __str__(self):
        return f"{self.user_id} · {self.day}"
