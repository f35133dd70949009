"""The school registry: territory, sostenedores, schools and their
performance categories, as published by MINEDUC and the Agencia de Calidad.

Codes from the official files are the primary keys (region code, comuna CUT,
DEPROV code, sostenedor RUT, school RBD), so foreign keys hold the same
numbers the files and the ministry use."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .validators import format_rut, modulo11_check_digit


class Region(models.Model):
    code = models.PositiveSmallIntegerField(_("código"), primary_key=True)
    roman = models.CharField(_("número romano"), max_length=5)
    name = models.CharField(_("nombre"), max_length=100)
    short_name = models.CharField(_("nombre corto"), max_length=50)
    order = models.PositiveSmallIntegerField(_("orden de norte a sur"), unique=True)

    class Meta:
        verbose_name = _("región")
        verbose_name_plural = _("regiones")
        ordering = ["order"]

    def __str__(self):
        return self.name


class Deprov(models.Model):
    """A Departamento Provincial de Educación. Its code is not a province code:
    one DEPROV may cover several provinces, and a province may be split."""

    code = models.PositiveSmallIntegerField(_("código"), primary_key=True)
    name = models.CharField(_("nombre"), max_length=100)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="deprovs", verbose_name=_("región")
    )

    class Meta:
        verbose_name = _("departamento provincial")
        verbose_name_plural = _("departamentos provinciales")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Comuna(models.Model):
    cut = models.PositiveIntegerField(_("código CUT"), primary_key=True)
    name = models.CharField(_("nombre"), max_length=100)
    province_code = models.PositiveSmallIntegerField(_("código de provincia"))
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="comunas", verbose_name=_("región")
    )
    deprov = models.ForeignKey(
        Deprov,
        on_delete=models.PROTECT,
        related_name="comunas",
        verbose_name=_("departamento provincial"),
    )

    class Meta:
        verbose_name = _("comuna")
        verbose_name_plural = _("comunas")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def cut_code(self):
        """The CUT as SUBDERE writes it, with five digits (01101)."""
        return f"{self.cut:05d}"


class SostenedorKind(models.TextChoices):
    MUNICIPALITY = "municipality", _("Municipalidad (DAEM)")
    MUNICIPAL_CORPORATION = "municipal_corporation", _("Corporación municipal")
    SLEP = "slep", _("Servicio Local de Educación Pública (SLEP)")
    PRIVATE_SUBSIDIZED = "private_subsidized", _("Particular subvencionado")
    PRIVATE_PAID = "private_paid", _("Particular pagado")
    DELEGATED_ADMINISTRATION = "delegated", _("Administración delegada")


class Sostenedor(models.Model):
    """The legal owner of schools, known by its RUT. The directory gives the RUT
    without check digit and no name; the import computes the digit and names
    municipalities after their comuna."""

    rut = models.PositiveIntegerField(_("RUT"), primary_key=True)
    check_digit = models.CharField(_("dígito verificador"), max_length=1)
    name = models.CharField(_("nombre"), max_length=200, blank=True)
    kind = models.CharField(_("tipo"), max_length=30, choices=SostenedorKind.choices)

    class Meta:
        verbose_name = _("sostenedor")
        verbose_name_plural = _("sostenedores")
        ordering = ["rut"]

    def __str__(self):
        return self.name or _("Sostenedor RUT %(rut)s") % {"rut": self.formatted_rut}

    @property
    def formatted_rut(self):
        return format_rut(self.rut, self.check_digit)

    def clean(self):
        if self.rut and self.check_digit.upper() != modulo11_check_digit(self.rut):
            raise ValidationError(
                {"check_digit": _("El dígito verificador no corresponde al RUT.")}
            )
        self.check_digit = self.check_digit.upper()


class Dependency(models.IntegerChoices):
    """COD_DEPE of the directory."""

    MUNICIPAL_CORPORATION = 1, _("Corporación municipal")
    MUNICIPAL_DAEM = 2, _("Municipal DAEM")
    PRIVATE_SUBSIDIZED = 3, _("Particular subvencionado")
    PRIVATE_PAID = 4, _("Particular pagado")
    DELEGATED_ADMINISTRATION = 5, _("Corporación de administración delegada")
    SLEP = 6, _("Servicio Local de Educación Pública")


class SchoolStatus(models.IntegerChoices):
    """ESTADO_ESTAB of the directory."""

    OPERATING = 1, _("Funcionando")
    IN_RECESS = 2, _("En receso")
    CLOSED = 3, _("Cerrado")
    AUTHORIZED_NO_ENROLLMENT = 4, _("Autorizado sin matrícula")


class SostenedorPersonType(models.IntegerChoices):
    """P_JURIDICA of the directory: only legal persons come with a RUT. A
    natural person's identity is personal data and is never stored."""

    NATURAL_PERSON = 0, _("Persona natural")
    LEGAL_PERSON = 1, _("Persona jurídica")
    NO_INFORMATION = 9, _("Sin información")


class SepClassification(models.TextChoices):
    AUTONOMOUS = "autonomo", _("Autónomo")
    EMERGING = "emergente", _("Emergente")
    RECOVERING = "en_recuperacion", _("En recuperación")


# Teaching types (ENS_01..ENS_11): labels by the codebook's groups; the exact
# code is always shown too.
TEACHING_LABELS = {
    10: _("Educación parvularia"),
    110: _("Enseñanza básica"),
    310: _("Enseñanza media científico-humanista"),
    410: _("Enseñanza media técnico-profesional comercial"),
    510: _("Enseñanza media técnico-profesional industrial"),
    610: _("Enseñanza media técnico-profesional técnica"),
    710: _("Enseñanza media técnico-profesional agrícola"),
    810: _("Enseñanza media técnico-profesional marítima"),
    910: _("Enseñanza media artística"),
}
TEACHING_GROUP_LABELS = {
    1: _("Educación básica de adultos"),
    2: _("Educación especial"),
    3: _("Educación media científico-humanista de adultos"),
    4: _("Educación media técnico-profesional de adultos"),
    5: _("Educación media técnico-profesional de adultos"),
    6: _("Educación media técnico-profesional de adultos"),
    7: _("Educación media técnico-profesional de adultos"),
    8: _("Educación media técnico-profesional de adultos"),
    9: _("Educación media artística de adultos"),
}


def teaching_label(code):
    label = TEACHING_LABELS.get(code) or TEACHING_GROUP_LABELS.get(code // 100)
    return label or _("Otra enseñanza")


class School(models.Model):
    """A school of the Directorio Oficial de Establecimientos, known by its RBD."""

    rbd = models.PositiveIntegerField(_("RBD"), primary_key=True)
    check_digit = models.CharField(
        _("dígito verificador"),
        max_length=1,
        help_text=_("Tal como lo publica el directorio (no siempre es el del módulo 11)."),
    )
    name = models.CharField(_("nombre"), max_length=200, blank=True)
    sostenedor = models.ForeignKey(
        Sostenedor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="schools",
        verbose_name=_("sostenedor"),
    )
    sostenedor_person_type = models.PositiveSmallIntegerField(
        _("tipo de persona del sostenedor"),
        choices=SostenedorPersonType.choices,
        default=SostenedorPersonType.LEGAL_PERSON,
    )
    comuna = models.ForeignKey(
        Comuna, on_delete=models.PROTECT, related_name="schools", verbose_name=_("comuna")
    )
    deprov = models.ForeignKey(
        Deprov,
        on_delete=models.PROTECT,
        related_name="schools",
        verbose_name=_("departamento provincial"),
    )
    dependency = models.PositiveSmallIntegerField(_("dependencia"), choices=Dependency.choices)
    status = models.PositiveSmallIntegerField(
        _("estado"), choices=SchoolStatus.choices, default=SchoolStatus.OPERATING
    )
    rural = models.BooleanField(_("rural"), default=False)
    latitude = models.FloatField(_("latitud"), null=True, blank=True)
    longitude = models.FloatField(_("longitud"), null=True, blank=True)
    enrollment = models.PositiveIntegerField(_("matrícula total"), default=0)
    levels = models.JSONField(
        _("tipos de enseñanza"),
        default=list,
        blank=True,
        help_text=_("Códigos de enseñanza del directorio (ENS_01 a ENS_11)."),
    )
    pie = models.BooleanField(_("convenio PIE"), default=False)
    pace = models.BooleanField(_("programa PACE"), default=False)
    sep = models.BooleanField(_("convenio SEP"), null=True, blank=True)
    sep_classification = models.CharField(
        _("clasificación SEP"), max_length=20, choices=SepClassification.choices, blank=True
    )
    last_seen_year = models.PositiveSmallIntegerField(_("último directorio en que figura"))
    absent = models.BooleanField(
        _("ausente del último directorio"),
        default=False,
        help_text=_("El directorio más reciente importado ya no incluye este establecimiento."),
    )

    class Meta:
        verbose_name = _("establecimiento")
        verbose_name_plural = _("establecimientos")
        ordering = ["rbd"]
        indexes = [models.Index(fields=["name"])]

    def __str__(self):
        return f"{self.display_name} (RBD {self.rbd_with_digit})"

    @property
    def display_name(self):
        """The name, or "RBD N" where the directory gives none."""
        return self.name_or_rbd(self.name, self.rbd)

    @staticmethod
    def name_or_rbd(name, rbd):
        """display_name from the two columns, for rows read as values."""
        return name or _("RBD %(rbd)s") % {"rbd": rbd}

    @property
    def rbd_with_digit(self):
        return f"{self.rbd}-{self.check_digit}"

    @property
    def has_coordinates(self):
        return self.latitude is not None and self.longitude is not None

    @property
    def map_url(self):
        if not self.has_coordinates:
            return ""
        lat, lon = f"{self.latitude:.6f}", f"{self.longitude:.6f}"
        return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"

    @property
    def level_labels(self):
        return [(code, teaching_label(code)) for code in self.levels]


class CategoryLevel(models.TextChoices):
    BASICA = "basica", pgettext_lazy("nivel de enseñanza", "Básica")
    MEDIA = "media", pgettext_lazy("nivel de enseñanza", "Media")


class Category(models.TextChoices):
    """Categoría de Desempeño of the Agencia de Calidad de la Educación."""

    HIGH = "alto", _("Alto")
    MEDIUM = "medio", _("Medio")
    MEDIUM_LOW = "medio_bajo", _("Medio-Bajo")
    MEDIUM_LOW_NEW = "medio_bajo_nuevo", _("Medio-Bajo (nuevo)")
    INSUFFICIENT = "insuficiente", _("Insuficiente")
    NO_CATEGORY_LOW_ENROLLMENT = "sin_categoria_baja_matricula", _("Sin categoría: baja matrícula")
    NO_CATEGORY_MISSING_INFORMATION = (
        "sin_categoria_falta_informacion",
        _("Sin categoría: falta de información"),
    )


class PerformanceCategory(models.Model):
    """A school's performance category for one year and level (básica or
    media: the Agencia publishes them separately)."""

    school = models.ForeignKey(
        School,
        on_delete=models.CASCADE,
        related_name="performance_categories",
        verbose_name=_("establecimiento"),
    )
    year = models.PositiveSmallIntegerField(_("año"))
    level = models.CharField(
        _("nivel"), max_length=10, choices=CategoryLevel.choices, default=CategoryLevel.BASICA
    )
    category = models.CharField(_("categoría"), max_length=40, choices=Category.choices)

    class Meta:
        verbose_name = _("categoría de desempeño")
        verbose_name_plural = _("categorías de desempeño")
        ordering = ["school", "-year", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "year", "level"], name="unique_category_per_school_year_level"
            )
        ]

    def __str__(self):
        level, category = self.get_level_display(), self.get_category_display()
        return f"{self.school_id} {self.year} {level}: {category}"


class ImportJob(models.Model):
    """A directory file uploaded by staff and imported by a Celery task, which
    records its progress here for the page to poll."""

    class Status(models.TextChoices):
        PENDING = "pending", _("En cola")
        RUNNING = "running", _("Importando")
        DONE = "done", _("Terminada")
        FAILED = "failed", _("Con errores")

    file = models.FileField(_("archivo"), upload_to="imports/")
    original_name = models.CharField(_("nombre del archivo"), max_length=255)
    year = models.PositiveSmallIntegerField(_("año"), null=True, blank=True)
    dry_run = models.BooleanField(_("solo validar"), default=False)
    status = models.CharField(
        _("estado"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    rows_total = models.PositiveIntegerField(_("filas"), default=0)
    rows_done = models.PositiveIntegerField(_("filas procesadas"), default=0)
    counts = models.JSONField(_("resumen"), default=dict, blank=True)
    errors = models.TextField(_("errores"), blank=True)
    warnings = models.TextField(_("advertencias"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("subido por"),
    )
    created_at = models.DateTimeField(_("subido"), auto_now_add=True)
    started_at = models.DateTimeField(_("iniciado"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminado"), null=True, blank=True)

    class Meta:
        verbose_name = _("importación del directorio")
        verbose_name_plural = _("importaciones del directorio")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def is_finished(self):
        return self.status in {self.Status.DONE, self.Status.FAILED}

    @property
    def percent(self):
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0

    @property
    def error_lines(self):
        return [line for line in self.errors.splitlines() if line.strip()]

    @property
    def warning_lines(self):
        return [line for line in self.warnings.splitlines() if line.strip()]


# --- People: who holds which position, and staff scopes ---------------------


class PositionRole(models.TextChoices):
    DIRECTOR = "director", _("Director/a")
    UTP = "utp", _("Jefe/a de UTP")


class PositionQuerySet(models.QuerySet):
    def active(self, on=None):
        on = on or timezone.localdate()
        return self.filter(start_date__lte=on).filter(
            models.Q(end_date__isnull=True) | models.Q(end_date__gte=on)
        )


class Position(models.Model):
    """A directivo's post at a school. A directivo's rights come from their
    active positions (started, and not ended)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="positions",
        verbose_name=_("persona"),
    )
    school = models.ForeignKey(
        School,
        on_delete=models.CASCADE,
        related_name="positions",
        verbose_name=_("establecimiento"),
    )
    role = models.CharField(_("cargo"), max_length=10, choices=PositionRole.choices)
    start_date = models.DateField(_("desde"), default=timezone.localdate)
    end_date = models.DateField(_("hasta"), null=True, blank=True)

    objects = PositionQuerySet.as_manager()

    class Meta:
        verbose_name = _("cargo directivo")
        verbose_name_plural = _("cargos directivos")
        ordering = ["school_id", "role"]
        indexes = [models.Index(fields=["user", "end_date"])]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.school_id}"

    @property
    def is_active(self):
        today = timezone.localdate()
        return self.start_date <= today and (self.end_date is None or self.end_date >= today)


class SupervisorProfile(models.Model):
    """A ministry supervisor belongs to one DEPROV."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="supervisor_profile",
        verbose_name=_("persona"),
    )
    deprov = models.ForeignKey(
        Deprov,
        on_delete=models.PROTECT,
        related_name="supervisors",
        verbose_name=_("departamento provincial"),
    )

    class Meta:
        verbose_name = _("supervisor/a")
        verbose_name_plural = _("supervisores")

    def __str__(self):
        return f"{self.user} · {self.deprov}"


class SostenedorRepresentative(models.Model):
    """A person who represents a sostenedor (DAEM, corporation, SLEP, …)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="sostenedor_links",
        verbose_name=_("persona"),
    )
    sostenedor = models.ForeignKey(
        Sostenedor,
        on_delete=models.CASCADE,
        related_name="representatives",
        verbose_name=_("sostenedor"),
    )

    class Meta:
        verbose_name = _("representante del sostenedor")
        verbose_name_plural = _("representantes de sostenedores")
        constraints = [
            models.UniqueConstraint(fields=["user", "sostenedor"], name="unique_rep_per_sostenedor")
        ]

    def __str__(self):
        return f"{self.user} · {self.sostenedor}"


class AnalystScope(models.Model):
    """What an analyst may read: the whole country, or a set of regions."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="analyst_scope",
        verbose_name=_("persona"),
    )
    national = models.BooleanField(_("alcance nacional"), default=True)
    regions = models.ManyToManyField(Region, blank=True, verbose_name=_("regiones"))

    class Meta:
        verbose_name = _("alcance de analista")
        verbose_name_plural = _("alcances de analistas")

    def __str__(self):
        return f"{self.user} · {'national' if self.national else 'regions'}"
