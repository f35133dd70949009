"""Each school's improvement plan (PME): a four-year cycle with its PEI
summary, self-assessment, strategic objectives, goals and strategies; an
annual plan per year with actions, their funding and progress updates; the
ATE registry of technical assistance providers.

An action's "delayed" status is never stored: it is computed (in the
database, see `ActionQuerySet.with_state`) when its end date has passed and
its progress is below 100, so it is always current."""

import uuid
from datetime import timedelta
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from schools.validators import format_rut

STALE_DAYS = 60


class Dimension(models.Model):
    """A dimension of the quality standards (Gestión pedagógica, …)."""

    code = models.CharField(_("código"), max_length=40, primary_key=True)
    name = models.CharField(_("nombre"), max_length=100)
    order = models.PositiveSmallIntegerField(_("orden"), unique=True)

    class Meta:
        verbose_name = _("dimensión")
        verbose_name_plural = _("dimensiones")
        ordering = ["order"]

    def __str__(self):
        return gettext(self.name)


class Subdimension(models.Model):
    code = models.CharField(_("código"), max_length=40, primary_key=True)
    dimension = models.ForeignKey(
        Dimension,
        on_delete=models.PROTECT,
        related_name="subdimensions",
        verbose_name=_("dimensión"),
    )
    name = models.CharField(_("nombre"), max_length=100)
    order = models.PositiveSmallIntegerField(_("orden"), unique=True)

    class Meta:
        verbose_name = _("subdimensión")
        verbose_name_plural = _("subdimensiones")
        ordering = ["order"]

    def __str__(self):
        return gettext(self.name)


class ATEProvider(models.Model):
    """A provider of the public registry of Asistencia Técnica Educativa."""

    rut = models.PositiveIntegerField(_("RUT"), unique=True)
    check_digit = models.CharField(_("dígito verificador"), max_length=1)
    name = models.CharField(_("nombre"), max_length=200)
    registry_number = models.CharField(_("número de registro"), max_length=40, unique=True)
    service_areas = models.ManyToManyField(
        Dimension, blank=True, related_name="ate_providers", verbose_name=_("áreas de servicio")
    )
    regions = models.ManyToManyField(
        "schools.Region", blank=True, related_name="ate_providers", verbose_name=_("regiones")
    )
    active = models.BooleanField(
        _("vigente"),
        default=True,
        help_text=_("Figura en la última versión importada del registro."),
    )
    updated_at = models.DateTimeField(_("actualizado"), auto_now=True)

    class Meta:
        verbose_name = _("proveedor ATE")
        verbose_name_plural = _("proveedores ATE")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def formatted_rut(self):
        return format_rut(self.rut, self.check_digit)


class PMECycle(models.Model):
    """A school's strategic phase: up to four years, with its PEI summary."""

    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        related_name="pme_cycles",
        verbose_name=_("establecimiento"),
    )
    first_year = models.PositiveSmallIntegerField(_("primer año"))
    last_year = models.PositiveSmallIntegerField(_("último año"))
    pei_vision = models.TextField(_("visión (PEI)"), blank=True)
    pei_mission = models.TextField(_("misión (PEI)"), blank=True)
    pei_sellos = models.TextField(
        _("sellos educativos (PEI)"), blank=True, help_text=_("Uno por línea.")
    )
    created_at = models.DateTimeField(_("creado"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizado"), auto_now=True)

    class Meta:
        verbose_name = _("ciclo de mejoramiento")
        verbose_name_plural = _("ciclos de mejoramiento")
        ordering = ["school_id", "-first_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "first_year"], name="pme_unique_cycle_per_school_start"
            ),
            models.CheckConstraint(
                condition=Q(last_year__gte=F("first_year")), name="pme_cycle_years_in_order"
            ),
        ]

    def __str__(self):
        return f"PME {self.first_year}–{self.last_year} · {self.school_id}"

    def get_absolute_url(self):
        return reverse("pme:cycle_detail", args=[self.pk])

    @property
    def years(self):
        return range(self.first_year, self.last_year + 1)

    @property
    def sellos_list(self):
        return [line.strip() for line in self.pei_sellos.splitlines() if line.strip()]


class DimensionAssessment(models.Model):
    """The school's self-assessment of one dimension at the start of a cycle."""

    cycle = models.ForeignKey(
        PMECycle, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("ciclo")
    )
    dimension = models.ForeignKey(
        Dimension, on_delete=models.PROTECT, related_name="+", verbose_name=_("dimensión")
    )
    text = models.TextField(_("autoevaluación"), blank=True)

    class Meta:
        verbose_name = _("autoevaluación por dimensión")
        verbose_name_plural = _("autoevaluaciones por dimensión")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "dimension"], name="pme_unique_assessment_per_dimension"
            )
        ]

    def __str__(self):
        return f"{self.cycle} · {self.dimension_id}"


class StrategicObjective(models.Model):
    cycle = models.ForeignKey(
        PMECycle, on_delete=models.CASCADE, related_name="objectives", verbose_name=_("ciclo")
    )
    dimension = models.ForeignKey(
        Dimension, on_delete=models.PROTECT, related_name="+", verbose_name=_("dimensión")
    )
    text = models.TextField(_("objetivo estratégico"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("objetivo estratégico")
        verbose_name_plural = _("objetivos estratégicos")
        ordering = ["cycle_id", "created_at", "pk"]

    def __str__(self):
        return self.text[:80]


class StrategicGoal(models.Model):
    objective = models.ForeignKey(
        StrategicObjective,
        on_delete=models.CASCADE,
        related_name="goals",
        verbose_name=_("objetivo estratégico"),
    )
    indicator = models.CharField(_("indicador"), max_length=300)
    baseline = models.DecimalField(
        _("línea base"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    target = models.DecimalField(_("meta"), max_digits=12, decimal_places=2)
    unit = models.CharField(_("unidad"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("meta estratégica")
        verbose_name_plural = _("metas estratégicas")
        ordering = ["objective_id", "pk"]

    def __str__(self):
        return self.indicator


class Strategy(models.Model):
    objective = models.ForeignKey(
        StrategicObjective,
        on_delete=models.CASCADE,
        related_name="strategies",
        verbose_name=_("objetivo estratégico"),
    )
    text = models.TextField(_("estrategia"))

    class Meta:
        verbose_name = _("estrategia")
        verbose_name_plural = _("estrategias")
        ordering = ["objective_id", "pk"]

    def __str__(self):
        return self.text[:80]


class Phase(models.TextChoices):
    DIAGNOSIS = "diagnostico", _("Diagnóstico")
    PLANNING = "planificacion", _("Planificación")
    IMPLEMENTATION = "implementacion", _("Implementación")
    EVALUATION = "evaluacion", _("Evaluación")
    CLOSED = "cerrado", _("Cerrado")


class AnnualPlan(models.Model):
    """One year of a cycle. `school` repeats the cycle's school so that
    scopes and rollups filter plans without joining the cycle."""

    cycle = models.ForeignKey(
        PMECycle, on_delete=models.CASCADE, related_name="plans", verbose_name=_("ciclo")
    )
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        related_name="pme_plans",
        verbose_name=_("establecimiento"),
    )
    year = models.PositiveSmallIntegerField(_("año"))
    phase = models.CharField(
        _("fase"), max_length=20, choices=Phase.choices, default=Phase.DIAGNOSIS
    )
    diagnosis = models.TextField(_("diagnóstico"), blank=True, help_text=_("Admite Markdown."))
    shared_with_network = models.BooleanField(_("compartido con la red"), default=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("aprobado por"),
    )
    approved_at = models.DateTimeField(_("aprobado por el sostenedor el"), null=True, blank=True)
    created_at = models.DateTimeField(_("creado"), auto_now_add=True)
    last_activity_at = models.DateTimeField(
        _("última actualización"),
        default=timezone.now,
        help_text=_("Último cambio del plan, de sus acciones o de su avance."),
    )

    class Meta:
        verbose_name = _("plan anual")
        verbose_name_plural = _("planes anuales")
        ordering = ["school_id", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["school", "year"], name="pme_unique_plan_per_year")
        ]
        indexes = [models.Index(fields=["year", "shared_with_network", "school"])]

    def __str__(self):
        return gettext("PME %(year)s · %(school)s") % {"year": self.year, "school": self.school_id}

    def get_absolute_url(self):
        return reverse("pme:plan_detail", args=[self.pk])

    @property
    def is_closed(self):
        return self.phase == Phase.CLOSED

    @property
    def is_approved(self):
        return self.approved_at is not None

    @property
    def is_stale(self):
        return self.last_activity_at < timezone.now() - timedelta(days=STALE_DAYS)


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planificada")
    IN_PROGRESS = "in_progress", _("En ejecución")
    DONE = "done", _("Realizada")
    DELAYED = "delayed", _("Atrasada")
    CANCELLED = "cancelled", _("Cancelada")


# What a person may choose; "delayed" is computed.
SETTABLE_STATUSES = [
    ActionStatus.PLANNED,
    ActionStatus.IN_PROGRESS,
    ActionStatus.DONE,
    ActionStatus.CANCELLED,
]
STATUS_COLORS = {
    ActionStatus.DONE: "#2a9d8f",
    ActionStatus.IN_PROGRESS: "#0f4c81",
    ActionStatus.PLANNED: "#6c757d",
    ActionStatus.DELAYED: "#d52b1e",
    ActionStatus.CANCELLED: "#adb5bd",
}


def delayed_condition(today=None, prefix=""):
    """Q for actions whose end date has passed with progress below 100 (with
    `prefix`, e.g. "actions__", from a related model)."""
    today = today or timezone.localdate()
    return Q(**{f"{prefix}end_date__lt": today, f"{prefix}progress__lt": 100}) & ~Q(
        **{f"{prefix}status__in": [ActionStatus.DONE, ActionStatus.CANCELLED]}
    )


class ActionQuerySet(models.QuerySet):
    def with_state(self, today=None):
        """Annotate `state`: the stored status, or "delayed" when it applies."""
        return self.annotate(
            state=Case(
                When(delayed_condition(today), then=Value(ActionStatus.DELAYED.value)),
                default=F("status"),
                output_field=models.CharField(),
            )
        )

    def in_state(self, state, today=None):
        """Filter by effective status (a delayed action is not "in progress")."""
        if state == ActionStatus.DELAYED:
            return self.filter(delayed_condition(today))
        return self.filter(status=state).exclude(delayed_condition(today))


class Action(models.Model):
    plan = models.ForeignKey(
        AnnualPlan, on_delete=models.CASCADE, related_name="actions", verbose_name=_("plan anual")
    )
    dimension = models.ForeignKey(
        Dimension, on_delete=models.PROTECT, related_name="actions", verbose_name=_("dimensión")
    )
    subdimension = models.ForeignKey(
        Subdimension,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("subdimensión"),
    )
    strategy = models.ForeignKey(
        Strategy,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("estrategia"),
    )
    name = models.CharField(_("nombre"), max_length=300)
    description = models.TextField(_("descripción"), blank=True)
    start_date = models.DateField(_("inicio"))
    end_date = models.DateField(_("término"))
    responsible = models.CharField(_("responsable (cargo)"), max_length=200, blank=True)
    resources = models.TextField(_("recursos"), blank=True)
    ate_provider = models.ForeignKey(
        ATEProvider,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("proveedor ATE"),
    )
    verification_means = models.TextField(_("medios de verificación"), blank=True)
    status = models.CharField(
        _("estado"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    progress = models.PositiveSmallIntegerField(_("avance (%)"), default=0)
    created_at = models.DateTimeField(_("creada"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizada"), auto_now=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("acción")
        verbose_name_plural = _("acciones")
        ordering = ["start_date", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="pme_progress_at_most_100"),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="pme_action_dates_in_order"
            ),
        ]
        indexes = [models.Index(fields=["plan", "dimension"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("pme:action_detail", args=[self.pk])

    @property
    def is_delayed(self):
        return (
            self.end_date < timezone.localdate()
            and self.progress < 100
            and self.status not in (ActionStatus.DONE, ActionStatus.CANCELLED)
        )

    @property
    def effective_status(self):
        """The stored status, or "delayed" when the end date has passed."""
        if hasattr(self, "state"):
            return self.state
        return ActionStatus.DELAYED.value if self.is_delayed else self.status

    @property
    def effective_status_label(self):
        return ActionStatus(self.effective_status).label

    @property
    def total_funding(self):
        return sum(line.amount for line in self.funding.all())


class FundingSource(models.TextChoices):
    SEP = "sep", _("SEP")
    PIE = "pie", _("PIE")
    FAEP = "faep", _("FAEP")
    SOSTENEDOR = "sostenedor", _("Sostenedor")
    OTHER = "other", _("Otra fuente")


class FundingLine(models.Model):
    """Money an action draws from one source, in whole Chilean pesos."""

    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="funding", verbose_name=_("acción")
    )
    source = models.CharField(_("fuente"), max_length=20, choices=FundingSource.choices)
    amount = models.PositiveBigIntegerField(_("monto (CLP)"))

    class Meta:
        verbose_name = _("financiamiento")
        verbose_name_plural = _("financiamiento")
        ordering = ["action_id", "source"]
        constraints = [
            models.UniqueConstraint(fields=["action", "source"], name="pme_one_line_per_source")
        ]

    def __str__(self):
        return f"{self.get_source_display()}: {self.amount}"


class ActionUpdate(models.Model):
    """A progress report on an action, with its evidence files."""

    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="updates", verbose_name=_("acción")
    )
    date = models.DateField(_("fecha"))
    progress = models.PositiveSmallIntegerField(_("avance (%)"))
    note = models.TextField(_("nota"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("autor"),
    )
    created_at = models.DateTimeField(_("registrado"), auto_now_add=True)

    class Meta:
        verbose_name = _("registro de avance")
        verbose_name_plural = _("registros de avance")
        ordering = ["-date", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="pme_update_progress_at_most_100"
            )
        ]

    def __str__(self):
        return f"{self.action_id} · {self.date} · {self.progress} %"


def evidence_path(instance, filename):
    # A random name: files are never served from MEDIA_URL, and names leak nothing.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"pme/evidence/{uuid.uuid4().hex}{suffix}"


class Evidence(models.Model):
    update = models.ForeignKey(
        ActionUpdate,
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name=_("registro de avance"),
    )
    file = models.FileField(_("archivo"), upload_to=evidence_path)
    original_name = models.CharField(_("nombre del archivo"), max_length=255)
    size = models.PositiveIntegerField(_("tamaño (bytes)"), default=0)
    uploaded_at = models.DateTimeField(_("subido"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidencia")
        verbose_name_plural = _("evidencias")
        ordering = ["pk"]

    def __str__(self):
        return self.original_name


class Comment(models.Model):
    """A reader's comment on a plan, or on one of its actions."""

    plan = models.ForeignKey(
        AnnualPlan, on_delete=models.CASCADE, related_name="comments", verbose_name=_("plan anual")
    )
    action = models.ForeignKey(
        Action,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("acción"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("autor"),
    )
    body = models.TextField(_("comentario"), help_text=_("Admite Markdown."))
    created_at = models.DateTimeField(_("escrito"), auto_now_add=True)
    notified_at = models.DateTimeField(_("notificado"), null=True, blank=True)

    class Meta:
        verbose_name = _("comentario")
        verbose_name_plural = _("comentarios")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.author} · {self.created_at:%Y-%m-%d}"
