"""Networks (redes), the schools and people that form them, and their links
with community actors."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NetworkStatus(models.TextChoices):
    ACTIVE = "active", _("Activa")
    CLOSED = "closed", _("Cerrada")


class NetworkQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=NetworkStatus.ACTIVE)


class Network(models.Model):
    """A Red de Mejoramiento Escolar of one DEPROV for one year."""

    code = models.CharField(
        _("código"),
        max_length=30,
        unique=True,
        help_text=_("Estable en el tiempo, por ejemplo RME-13-042."),
    )
    name = models.CharField(_("nombre"), max_length=200)
    deprov = models.ForeignKey(
        "schools.Deprov",
        on_delete=models.PROTECT,
        related_name="networks",
        verbose_name=_("departamento provincial"),
    )
    year = models.PositiveSmallIntegerField(_("año"))
    status = models.CharField(
        _("estado"), max_length=10, choices=NetworkStatus.choices, default=NetworkStatus.ACTIVE
    )
    description = models.TextField(_("descripción"), blank=True)
    work_plan = models.TextField(
        _("plan de trabajo anual"),
        blank=True,
        help_text=_("Objetivos y temas del año. Admite Markdown."),
    )
    created_at = models.DateTimeField(_("creada"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizada"), auto_now=True)

    objects = NetworkQuerySet.as_manager()

    class Meta:
        verbose_name = _("red")
        verbose_name_plural = _("redes")
        ordering = ["-year", "code"]
        indexes = [models.Index(fields=["deprov", "year", "status"])]

    def __str__(self):
        return f"{self.code} · {self.name}"


class NetworkSchool(models.Model):
    """A school's participation in a network; `left_on` closes it."""

    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="network_schools", verbose_name=_("red")
    )
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.PROTECT,
        related_name="network_links",
        verbose_name=_("establecimiento"),
    )
    joined_on = models.DateField(_("desde"), default=timezone.localdate)
    left_on = models.DateField(_("hasta"), null=True, blank=True)

    class Meta:
        verbose_name = _("establecimiento de la red")
        verbose_name_plural = _("establecimientos de la red")
        ordering = ["school__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "school"],
                condition=Q(left_on__isnull=True),
                name="unique_active_school_per_network",
            )
        ]

    def __str__(self):
        return f"{self.network.code} · {self.school_id}"

    @property
    def is_active(self):
        return self.left_on is None


class MembershipRole(models.TextChoices):
    DIRECTIVO = "directivo", _("Directivo")
    SUPERVISOR = "supervisor", _("Supervisor/a")
    SOSTENEDOR_REP = "sostenedor_rep", _("Representante del sostenedor")
    GUEST = "guest", _("Invitado/a")


class Membership(models.Model):
    """A person's place in a network. Supervisors form the network's dupla
    (one or two, from its DEPROV)."""

    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("red")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("persona"),
    )
    role = models.CharField(_("rol en la red"), max_length=20, choices=MembershipRole.choices)
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("establecimiento"),
    )
    active = models.BooleanField(_("activa"), default=True)
    created_at = models.DateTimeField(_("desde"), auto_now_add=True)

    class Meta:
        verbose_name = _("integrante")
        verbose_name_plural = _("integrantes")
        ordering = ["role", "user__last_name", "user__first_name"]
        constraints = [
            models.UniqueConstraint(fields=["network", "user"], name="unique_member_per_network")
        ]
        indexes = [models.Index(fields=["user", "active"])]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()}"


class PartnerKind(models.TextChoices):
    UNIVERSITY = "university", _("Universidad o centro de formación")
    HEALTH = "health", _("Centro de salud")
    MUNICIPAL_OFFICE = "municipal_office", _("Oficina municipal")
    NGO = "ngo", _("Organización social u ONG")
    COMPANY = "company", _("Empresa")
    OTHER = "other", _("Otro")


class ExternalPartner(models.Model):
    """A community actor a network works with: its links outside the schools."""

    name = models.CharField(_("nombre"), max_length=200)
    kind = models.CharField(_("tipo"), max_length=20, choices=PartnerKind.choices)
    contact_name = models.CharField(_("persona de contacto"), max_length=200, blank=True)
    contact_email = models.EmailField(_("correo de contacto"), blank=True)
    contact_phone = models.CharField(_("teléfono de contacto"), max_length=40, blank=True)
    networks = models.ManyToManyField(
        Network, related_name="partners", blank=True, verbose_name=_("redes")
    )
    created_at = models.DateTimeField(_("creado"), auto_now_add=True)

    class Meta:
        verbose_name = _("socio externo")
        verbose_name_plural = _("socios externos")
        ordering = ["name"]

    def __str__(self):
        return self.name
