"""The annual monitoring survey: instruments, campaigns, invitations and
anonymous responses.

Anonymity is a property of the schema, not of the code that reads it: a
`Response` has no link to a user, an invitation or a school, and carries
only the scope attributes reporting needs (campaign, network, region, role,
school dependency) and the date it was submitted, never its time of day.
Who has answered is kept on the `Invitation`, as a flag with no date, so the
two cannot be joined by time either.

Nor can they be joined by the database's own artefacts (PostgreSQL's
transaction ids, row positions, sequence order): a submit only marks the
draft submitted, and responses are written in batches of at least
MIN_CELL_SIZE, in shuffled order, by one transaction that also marks their
invitations answered and deletes their drafts (`services.move_submitted`).
"""

from django.conf import settings
from django.db import models
from django.utils.crypto import constant_time_compare, get_random_string, salted_hmac
from django.utils.translation import get_language, gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

LIKERT_VALUES = ("1", "2", "3", "4", "5")


def likert_labels():
    return {
        1: _("Muy en desacuerdo"),
        2: _("En desacuerdo"),
        3: _("Ni de acuerdo ni en desacuerdo"),
        4: _("De acuerdo"),
        5: _("Muy de acuerdo"),
    }


class Language(models.TextChoices):
    ES = "es", _("Español")
    EN = "en", _("English")


class Instrument(models.Model):
    """A questionnaire. Frozen once a campaign uses it: to change it, copy it
    to a new version (same `family`, next `version`)."""

    slug = models.SlugField(_("identificador"), max_length=60, unique=True)
    family = models.SlugField(
        _("familia"),
        max_length=60,
        help_text=_("Identificador de la primera versión; lo comparten todas sus copias."),
    )
    name = models.CharField(_("nombre"), max_length=200)
    version = models.PositiveSmallIntegerField(_("versión"), default=1)
    language = models.CharField(
        _("idioma"), max_length=2, choices=Language.choices, default=Language.ES
    )
    description = models.TextField(_("descripción"), blank=True)
    frozen = models.BooleanField(
        _("congelado"),
        default=False,
        help_text=_("Una campaña ya lo usa; para cambiarlo, cópielo a una nueva versión."),
    )
    copied_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
        verbose_name=_("copiado de"),
    )
    created_at = models.DateTimeField(_("creado"), auto_now_add=True)

    class Meta:
        verbose_name = _("instrumento")
        verbose_name_plural = _("instrumentos")
        ordering = ["family", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["family", "version"], name="unique_instrument_version")
        ]

    def __str__(self):
        return f"{self.name} (v{self.version})"


class Section(models.Model):
    instrument = models.ForeignKey(
        Instrument, on_delete=models.CASCADE, related_name="sections", verbose_name=_("instrumento")
    )
    order = models.PositiveSmallIntegerField(_("orden"), default=0)
    title_es = models.CharField(_("título en español"), max_length=200)
    title_en = models.CharField(_("título en inglés"), max_length=200, blank=True)
    description_es = models.TextField(_("introducción en español"), blank=True)
    description_en = models.TextField(_("introducción en inglés"), blank=True)

    class Meta:
        verbose_name = _("sección")
        verbose_name_plural = _("secciones")
        ordering = ["instrument", "order", "pk"]

    def __str__(self):
        return self.title

    @property
    def title(self):
        return _in_language(self.title_es, self.title_en)

    @property
    def description(self):
        return _in_language(self.description_es, self.description_en)


class QuestionKind(models.TextChoices):
    LIKERT5 = "likert5", _("Escala de acuerdo (1 a 5)")
    SINGLE = "single", _("Selección única")
    MULTIPLE = "multiple", _("Selección múltiple")
    NUMBER = "number", _("Número")
    TEXT = "text", _("Texto libre")


CHOICE_KINDS = {QuestionKind.SINGLE, QuestionKind.MULTIPLE}


def _in_language(es, en):
    return en if (get_language() or "es").startswith("en") and en else es


class Question(models.Model):
    """A question. Its `code` is stable across waves: results of questions
    with the same code are compared over the years."""

    instrument = models.ForeignKey(
        Instrument,
        on_delete=models.CASCADE,
        related_name="questions",
        verbose_name=_("instrumento"),
    )
    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, related_name="questions", verbose_name=_("sección")
    )
    order = models.PositiveSmallIntegerField(_("orden"), default=0)
    code = models.CharField(
        _("código"),
        max_length=40,
        help_text=_("Estable entre olas, en mayúsculas, por ejemplo RME_META_COMUN."),
    )
    text_es = models.TextField(_("texto en español"))
    text_en = models.TextField(_("texto en inglés"), blank=True)
    kind = models.CharField(_("tipo"), max_length=10, choices=QuestionKind.choices)
    construct = models.CharField(
        _("dimensión"),
        max_length=100,
        blank=True,
        help_text=_("Lo que mide la pregunta, por ejemplo «Confianza»; agrupa los resultados."),
    )
    required = models.BooleanField(_("obligatoria"), default=True)
    options = models.JSONField(
        _("opciones"),
        default=list,
        blank=True,
        help_text=_("Para selección única o múltiple: [{value, es, en}], en orden."),
    )

    class Meta:
        verbose_name = _("pregunta")
        verbose_name_plural = _("preguntas")
        ordering = ["instrument", "section__order", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "code"], name="unique_question_code_per_instrument"
            )
        ]

    def __str__(self):
        return self.code

    @property
    def text(self):
        return _in_language(self.text_es, self.text_en)

    @property
    def construct_label(self):
        """The construct in the reader's language: the default instrument's
        are in the catalogs; one typed by an analyst reads as typed."""
        return gettext(self.construct) if self.construct else ""

    @property
    def is_likert(self):
        return self.kind == QuestionKind.LIKERT5

    def option_choices(self):
        """[(index starting at 1, label)] in the active language."""
        return [
            (index, _in_language(option.get("es", ""), option.get("en", "")))
            for index, option in enumerate(self.options or [], start=1)
        ]


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("campaña", "Borrador")
    OPEN = "open", pgettext_lazy("campaña", "Abierta")
    CLOSED = "closed", pgettext_lazy("campaña", "Cerrada")
    PUBLISHED = "published", pgettext_lazy("campaña", "Publicada")


class CampaignTarget(models.TextChoices):
    ALL = "all", _("Todas las redes activas")
    REGIONS = "regions", _("Las redes de algunas regiones")
    NETWORKS = "networks", _("Algunas redes")


class Campaign(models.Model):
    """One wave of the survey. draft → open → closed → published."""

    slug = models.SlugField(_("identificador"), max_length=60, unique=True)
    name = models.CharField(_("nombre"), max_length=200)
    instrument = models.ForeignKey(
        Instrument,
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("instrumento"),
    )
    year = models.PositiveSmallIntegerField(_("año"))
    opens_on = models.DateField(_("abre"), null=True, blank=True)
    closes_on = models.DateField(_("cierra"), null=True, blank=True)
    status = models.CharField(
        _("estado"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    target = models.CharField(
        _("destinatarios"), max_length=10, choices=CampaignTarget.choices, default="all"
    )
    target_regions = models.ManyToManyField(
        "schools.Region", blank=True, related_name="+", verbose_name=_("regiones")
    )
    target_networks = models.ManyToManyField(
        "networks.Network", blank=True, related_name="+", verbose_name=_("redes")
    )
    reminder_every_days = models.PositiveSmallIntegerField(
        _("recordar cada (días)"),
        default=7,
        help_text=_("Recordatorio automático a quienes no han respondido; 0 para desactivarlo."),
    )
    imported = models.BooleanField(
        _("ola importada"),
        default=False,
        help_text=_("Respondida fuera de la plataforma y cargada desde un archivo."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("creada por"),
    )
    created_at = models.DateTimeField(_("creada"), auto_now_add=True)
    opened_at = models.DateTimeField(_("abierta el"), null=True, blank=True)
    closed_at = models.DateTimeField(_("cerrada el"), null=True, blank=True)
    published_at = models.DateTimeField(_("publicada el"), null=True, blank=True)
    last_reminder_on = models.DateField(_("último recordatorio"), null=True, blank=True)

    class Meta:
        verbose_name = _("campaña")
        verbose_name_plural = _("campañas")
        ordering = ["-year", "slug"]

    def __str__(self):
        return self.name

    @property
    def is_open(self):
        return self.status == CampaignStatus.OPEN

    @property
    def is_published(self):
        return self.status == CampaignStatus.PUBLISHED


def participated(prefix=""):
    """Q of the invitations whose person has taken part: answered, or with a
    submitted draft waiting for its batch (participation is not anonymous;
    only the answers are). `prefix` as "invitations__" from a campaign."""
    return models.Q(**{f"{prefix}answered": True}) | models.Q(**{f"{prefix}draft__submitted": True})


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        """Those who have not taken part: not answered and no submitted draft
        waiting to be moved into a batch of responses."""
        return self.filter(answered=False).filter(
            models.Q(draft__isnull=True) | models.Q(draft__submitted=False)
        )


class Invitation(models.Model):
    """A directivo's invitation to answer a campaign for one network. It
    records participation (answered or not) and nothing of the answers. The
    personal link is derived from `nonce` with the SECRET_KEY (see
    `token`), so the same link can be sent again without storing it."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("campaña")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="survey_invitations",
        verbose_name=_("persona"),
    )
    network = models.ForeignKey(
        "networks.Network", on_delete=models.CASCADE, related_name="+", verbose_name=_("red")
    )
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("establecimiento"),
    )
    role = models.CharField(
        _("cargo"),
        max_length=10,
        choices=[("director", _("Director/a")), ("utp", _("Jefe/a de UTP"))],
    )
    nonce = models.CharField(max_length=32, default="", editable=False)
    created_at = models.DateTimeField(_("creada"), auto_now_add=True)
    sent_at = models.DateTimeField(_("enviada"), null=True, blank=True)
    reminded_on = models.DateField(_("último recordatorio"), null=True, blank=True)
    reminder_count = models.PositiveSmallIntegerField(_("recordatorios"), default=0)
    answered = models.BooleanField(_("respondida"), default=False)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitación")
        verbose_name_plural = _("invitaciones")
        ordering = ["campaign", "network", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "user", "network"], name="unique_invitation_per_network"
            )
        ]
        indexes = [models.Index(fields=["campaign", "network", "answered"])]

    def __str__(self):
        return f"{self.campaign.slug} · {self.user_id} · {self.network_id}"

    def save(self, *args, **kwargs):
        if not self.nonce:
            self.nonce = get_random_string(32)
        super().save(*args, **kwargs)

    @property
    def token(self):
        """The secret of the personal link: the id and an HMAC of it."""
        digest = salted_hmac(TOKEN_SALT, f"{self.pk}:{self.nonce}", algorithm="sha256")
        return f"{self.pk}-{digest.hexdigest()[:40]}"

    def token_matches(self, token):
        return constant_time_compare(self.token, token)


TOKEN_SALT = "monitoring.Invitation.token"  # noqa: S105 - an HMAC salt, not a secret


class Draft(models.Model):
    """Answers saved as the respondent goes. Submitting marks the draft
    `submitted` (the respondent has taken part; nothing can change it any
    more) and it waits there, keyed by its invitation, until a batch of at
    least MIN_CELL_SIZE submitted drafts is turned into anonymous responses
    in one transaction that also deletes them (services.move_submitted)."""

    invitation = models.OneToOneField(
        Invitation, on_delete=models.CASCADE, related_name="draft", verbose_name=_("invitación")
    )
    answers = models.JSONField(_("respuestas"), default=dict)
    updated_at = models.DateTimeField(_("guardado"), auto_now=True)
    submitted = models.BooleanField(_("enviado"), default=False)

    class Meta:
        verbose_name = _("borrador")
        verbose_name_plural = _("borradores")

    def __str__(self):
        return f"{self.invitation_id}"


class ResponseRole(models.TextChoices):
    DIRECTOR = "director", _("Director/a")
    UTP = "utp", _("Jefe/a de UTP")


class ResponseDependency(models.TextChoices):
    MUNICIPAL = "municipal", _("Municipal")
    SLEP = "slep", _("Servicio Local de Educación Pública")
    SUBSIDIZED = "subvencionado", _("Particular subvencionado")
    __empty__ = _("Sin información")


class Response(models.Model):
    """A submitted questionnaire, anonymous by construction: no user,
    invitation or school, and a date without time of day."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="responses", verbose_name=_("campaña")
    )
    network = models.ForeignKey(
        "networks.Network",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("red"),
    )
    region = models.ForeignKey(
        "schools.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("región")
    )
    role = models.CharField(_("cargo"), max_length=10, choices=ResponseRole.choices)
    dependency = models.CharField(
        _("dependencia"), max_length=15, choices=ResponseDependency.choices, blank=True
    )
    submitted_on = models.DateField(_("fecha de envío"), null=True, blank=True)

    class Meta:
        verbose_name = _("respuesta")
        verbose_name_plural = _("respuestas")
        indexes = [models.Index(fields=["campaign", "region", "network"])]

    def __str__(self):
        return f"{self.campaign_id} · {self.pk}"


class Answer(models.Model):
    """One answer: an integer `value` (Likert 1–5, the number of a chosen
    option counting from 1, or a number) or a `text`. A multiple-choice
    question has one row per chosen option."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers", verbose_name=_("respuesta")
    )
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="answers", verbose_name=_("pregunta")
    )
    value = models.IntegerField(_("valor"), null=True, blank=True)
    text = models.TextField(_("texto"), blank=True)

    class Meta:
        verbose_name = _("respuesta a una pregunta")
        verbose_name_plural = _("respuestas a preguntas")

    def __str__(self):
        return f"{self.question_id}={self.value if self.value is not None else self.text}"


class ReportScope(models.TextChoices):
    NATIONAL = "national", _("Nacional")
    REGION = "region", _("Región")
    NETWORK = "network", _("Red")


class ReportStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("informe", "En cola")
    RUNNING = "running", pgettext_lazy("informe", "En preparación")
    DONE = "done", pgettext_lazy("informe", "Listo")
    FAILED = "failed", pgettext_lazy("informe", "Con error")


def report_path(report, filename):
    return report.file_name()


class Report(models.Model):
    """The PDF report of one scope of a campaign, in one language, built by a
    Celery task. `checksum` is the hash of the inputs the stored file was
    built from: a request whose inputs hash the same is not rebuilt."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="reports", verbose_name=_("campaña")
    )
    scope = models.CharField(_("alcance"), max_length=10, choices=ReportScope.choices)
    scope_id = models.CharField(
        _("código del alcance"),
        max_length=30,
        blank=True,
        help_text=_("Código de la región o de la red; vacío para el informe nacional."),
    )
    region = models.ForeignKey(
        "schools.Region",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("región"),
    )
    network = models.ForeignKey(
        "networks.Network",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("red"),
    )
    language = models.CharField(
        _("idioma"), max_length=2, choices=Language.choices, default=Language.ES
    )
    status = models.CharField(
        _("estado"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.PENDING
    )
    file = models.FileField(_("archivo"), upload_to=report_path, max_length=200, blank=True)
    checksum = models.CharField(_("suma de verificación"), max_length=64, blank=True)
    requested_at = models.DateTimeField(_("solicitado"), null=True, blank=True)
    started_at = models.DateTimeField(_("iniciado"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminado"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("intentos"), default=0)
    pages = models.PositiveSmallIntegerField(_("páginas"), null=True, blank=True)

    class Meta:
        verbose_name = _("informe")
        verbose_name_plural = _("informes")
        ordering = ["campaign", "language", "scope", "scope_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "scope", "scope_id", "language"], name="unique_report_scope"
            )
        ]
        indexes = [models.Index(fields=["status", "started_at"])]

    def __str__(self):
        return f"{self.campaign_id} · {self.scope_text} · {self.language}"

    @property
    def scope_text(self):
        """As the command and the results pages write it: national, region:7,
        network:RME-07-001."""
        return f"{self.scope}:{self.scope_id}" if self.scope_id else self.scope

    def file_name(self):
        safe = self.scope_text.replace(":", "-")
        return f"reports/{self.campaign.slug}/{self.language}/{safe}.pdf"

    @property
    def is_done(self):
        return self.status == ReportStatus.DONE and bool(self.file)
