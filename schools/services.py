"""Operations that change the school registry: the territory tables, the
MINEDUC directory import and the Agencia de Calidad's performance categories."""

import logging
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from importlib import import_module

from django.apps import apps as global_apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rme_platform import outbox
from rme_platform.spreadsheets import open_xlsx, xlsx_rows

from .cache import bump_registry_version
from .directory import (
    SCHOOL_FIELDS,
    WARNING_KINDS,
    DirectoryImportError,
    RowProblems,
    read_directory,
)
from .models import (
    Category,
    CategoryLevel,
    Comuna,
    Dependency,
    Deprov,
    ImportJob,
    PerformanceCategory,
    School,
    SchoolStatus,
    Sostenedor,
    SostenedorPersonType,
)

BATCH_SIZE = 2000

logger = logging.getLogger(__name__)


# --- Territory ----------------------------------------------------------------


def ensure_regions():
    """Create the 16 regions if missing, from the data migration that writes
    them (tests call it after a transactional test has flushed the tables).
    Comunas and DEPROV come from the directory: see import_directory."""
    migration = import_module("schools.migrations.0002_load_territory")
    migration.load_regions(global_apps)


# --- Directory import ---------------------------------------------------------

SOSTENEDOR_FIELDS = ("check_digit", "name", "kind")


@dataclass
class DirectoryImportResult:
    """What an import found and did (or, with dry_run, would do)."""

    year: int
    dry_run: bool
    encoding: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    marked_absent: int = 0
    comunas: int = 0
    comunas_created: int = 0
    comunas_updated: int = 0
    deprovs: int = 0
    deprovs_created: int = 0
    deprovs_updated: int = 0
    sostenedores: int = 0
    sostenedores_created: int = 0
    sostenedores_updated: int = 0
    without_sostenedor: dict = field(default_factory=dict)
    without_coordinates: int = 0
    by_dependency: dict = field(default_factory=dict)
    by_status: dict = field(default_factory=dict)
    defaulted_columns: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    @property
    def warning_counts(self):
        counts = Counter(w.kind for w in self.warnings)
        return {kind: counts[kind] for kind in WARNING_KINDS if counts[kind]}

    def as_dict(self):
        """JSON-safe figures, for ImportJob.counts."""
        return {
            "year": self.year,
            "dry_run": self.dry_run,
            "encoding": self.encoding,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "marked_absent": self.marked_absent,
            "comunas": self.comunas,
            "comunas_created": self.comunas_created,
            "comunas_updated": self.comunas_updated,
            "deprovs": self.deprovs,
            "deprovs_created": self.deprovs_created,
            "deprovs_updated": self.deprovs_updated,
            "sostenedores": self.sostenedores,
            "sostenedores_created": self.sostenedores_created,
            "sostenedores_updated": self.sostenedores_updated,
            "without_sostenedor": {str(k): v for k, v in self.without_sostenedor.items()},
            "without_coordinates": self.without_coordinates,
            "by_dependency": {str(k): v for k, v in self.by_dependency.items()},
            "by_status": {str(k): v for k, v in self.by_status.items()},
            "defaulted_columns": self.defaulted_columns,
            "warnings": self.warning_counts,
        }

    def summary_lines(self):
        return summary_lines(self.as_dict())


def summary_lines(counts):
    """The import summary as translated sentences, from ImportJob.counts."""
    without = counts["without_sostenedor"]
    warnings = counts["warnings"]
    lines = [
        _("Directorio %(year)s. Filas leídas: %(rows)s (codificación %(encoding)s).") % counts,
        _(
            "Establecimientos creados: %(created)s; actualizados: %(updated)s; sin cambios: "
            "%(unchanged)s; marcados como ausentes: %(marked_absent)s."
        )
        % counts,
        _(
            "Territorio. Comunas: %(comunas)s (creadas: %(comunas_created)s; actualizadas: "
            "%(comunas_updated)s). DEPROV: %(deprovs)s (creados: %(deprovs_created)s; "
            "actualizados: %(deprovs_updated)s)."
        )
        % {
            "comunas": 0,
            "comunas_created": 0,
            "comunas_updated": 0,
            "deprovs": 0,
            "deprovs_created": 0,
            "deprovs_updated": 0,
            **counts,
        },
        _(
            "Sostenedores en el archivo: %(sostenedores)s (creados: %(sostenedores_created)s; "
            "actualizados: %(sostenedores_updated)s)."
        )
        % counts,
        _(
            "Sin RUT de sostenedor: %(total)s (persona natural: %(natural)s; "
            "sin información: %(none)s; persona jurídica: %(legal)s)."
        )
        % {
            "total": sum(without.values()),
            "natural": without.get(str(SostenedorPersonType.NATURAL_PERSON), 0),
            "none": without.get(str(SostenedorPersonType.NO_INFORMATION), 0),
            "legal": without.get(str(SostenedorPersonType.LEGAL_PERSON), 0),
        },
        _("Sin coordenadas en el archivo: %(n)s.") % {"n": counts["without_coordinates"]},
        _("Advertencias: %(n)s.") % {"n": sum(warnings.values())},
    ]
    lines.extend(f"  - {WARNING_KINDS[kind]}: {n}" for kind, n in warnings.items())
    lines.append(_("Por dependencia (COD_DEPE):"))
    lines.extend(
        f"  {code} {Dependency(code).label}: {counts['by_dependency'].get(str(code), 0)}"
        for code in Dependency.values
    )
    lines.append(_("Por estado (ESTADO_ESTAB):"))
    lines.extend(
        f"  {code} {SchoolStatus(code).label}: {counts['by_status'].get(str(code), 0)}"
        for code in SchoolStatus.values
    )
    if counts["defaulted_columns"]:
        lines.append(
            _("Columnas opcionales ausentes (se usaron valores por omisión): %(cols)s.")
            % {"cols": ", ".join(counts["defaulted_columns"])}
        )
    if counts["dry_run"]:
        lines.append(_("Simulación: no se escribió nada."))
    return lines


def import_directory(*, path_or_file, year=None, dry_run=False, progress=None):
    """Import MINEDUC's "Directorio Oficial de Establecimientos" (the CSV as
    published; see schools.directory for the formats accepted).

    Upserts by RBD and by RUT: running the same file twice changes nothing
    the second time; a newer year updates what changed and marks the schools
    it no longer lists as absent; an older year than the last imported is
    refused. All or nothing, in one transaction: any error raises
    DirectoryImportError (its messages say "fila N, columna COL: ...") and
    nothing is written. Oddities of real files are warnings in the result.
    `year` defaults to the AGNO column; `progress(done, total)` is called as
    rows are read. With dry_run nothing is written and the result says what
    would change."""
    parsed = read_directory(path_or_file, year=year, progress=progress)
    result = DirectoryImportResult(
        year=parsed.year,
        dry_run=dry_run,
        encoding=parsed.encoding,
        rows=len(parsed.schools),
        comunas=len(parsed.comunas),
        deprovs=len(parsed.deprovs),
        sostenedores=len(parsed.sostenedores),
        without_sostenedor=dict(sorted(parsed.without_sostenedor.items())),
        without_coordinates=parsed.without_coordinates,
        by_dependency=dict(sorted(parsed.by_dependency.items())),
        by_status=dict(sorted(parsed.by_status.items())),
        defaulted_columns=parsed.defaulted_columns,
        warnings=parsed.warnings,
    )
    with transaction.atomic():
        latest = School.objects.aggregate(latest=Max("last_seen_year"))["latest"]
        if latest and parsed.year < latest:
            raise DirectoryImportError(
                [
                    _("El directorio %(year)s es anterior al último importado (%(latest)s).")
                    % {"year": parsed.year, "latest": latest}
                ]
            )
        _upsert_territory(parsed, result, dry_run=dry_run)
        _upsert_sostenedores(parsed.sostenedores, result, dry_run=dry_run)
        _upsert_schools(parsed.schools, result, dry_run=dry_run)
        if not dry_run:
            bump_registry_version()
    if progress:
        progress(len(parsed.schools), len(parsed.schools))
    return result


def _upsert_territory(parsed, result, *, dry_run):
    """Create the DEPROV and comunas the file names, and update those whose
    name, region or DEPROV changed (two queries to compare, writes only for
    differences)."""
    stored_deprovs = {
        code: (name, region)
        for code, name, region in Deprov.objects.values_list("code", "name", "region_id")
    }
    deprovs = [
        Deprov(code=code, name=name, region_id=region)
        for code, (name, region) in sorted(parsed.deprovs.items())
        if stored_deprovs.get(code) != (name, region)
    ]
    stored_comunas = {
        cut: tuple(values)
        for cut, *values in Comuna.objects.values_list(
            "cut", "name", "province_code", "region_id", "deprov_id"
        )
    }
    comunas = [
        Comuna(cut=cut, name=name, province_code=province, region_id=region, deprov_id=deprov)
        for cut, (name, province, region, deprov) in sorted(parsed.comunas.items())
        if stored_comunas.get(cut) != (name, province, region, deprov)
    ]
    result.deprovs_created = sum(1 for d in deprovs if d.code not in stored_deprovs)
    result.deprovs_updated = len(deprovs) - result.deprovs_created
    result.comunas_created = sum(1 for c in comunas if c.cut not in stored_comunas)
    result.comunas_updated = len(comunas) - result.comunas_created
    if not dry_run:
        _upsert(Deprov, deprovs, ["code"], ["name", "region"])
        _upsert(Comuna, comunas, ["cut"], ["name", "province_code", "region", "deprov"])


def _upsert_sostenedores(sostenedores, result, *, dry_run):
    known = {
        rut: tuple(values)
        for rut, *values in Sostenedor.objects.values_list("rut", *SOSTENEDOR_FIELDS)
    }
    new, changed = [], []
    for rut, (check_digit, name, kind) in sostenedores.items():
        old = known.get(rut)
        if old is None:
            new.append(Sostenedor(rut=rut, check_digit=check_digit, name=name, kind=kind))
            continue
        values = (check_digit, old[1] or name, kind)  # a name set by hand is kept
        if values != old:
            changed.append(Sostenedor(rut=rut, **dict(zip(SOSTENEDOR_FIELDS, values, strict=True))))
    result.sostenedores_created, result.sostenedores_updated = len(new), len(changed)
    if not dry_run:
        _upsert(Sostenedor, new + changed, ["rut"], SOSTENEDOR_FIELDS)


def _upsert_schools(schools, result, *, dry_run):
    """Compare each school with what is stored (one query) and write only the
    differences: new rows, changed fields, the year last seen, absences."""
    year = result.year
    stored = {
        rbd: (tuple(values[:-2]), values[-2], values[-1])
        for rbd, *values in School.objects.values_list(
            "rbd", *SCHOOL_FIELDS, "last_seen_year", "absent"
        ).iterator(chunk_size=BATCH_SIZE)
    }
    new, changed, seen_again = [], [], []
    for rbd, values in schools.items():
        old = stored.get(rbd)
        if old is None or old[0] != values:
            school = School(
                rbd=rbd,
                last_seen_year=year,
                absent=False,
                **dict(zip(SCHOOL_FIELDS, values, strict=True)),
            )
            (new if old is None else changed).append(school)
        elif old[1] != year or old[2]:
            seen_again.append(rbd)
    absent = [
        rbd
        for rbd, (_values, seen, is_absent) in stored.items()
        if rbd not in schools and not is_absent and seen < year
    ]
    result.created, result.updated = len(new), len(changed)
    result.unchanged = len(schools) - len(new) - len(changed)
    result.marked_absent = len(absent)
    if dry_run:
        return
    _upsert(School, new + changed, ["rbd"], [*SCHOOL_FIELDS, "last_seen_year", "absent"])
    for start in range(0, len(seen_again), BATCH_SIZE):
        School.objects.filter(rbd__in=seen_again[start : start + BATCH_SIZE]).update(
            last_seen_year=year, absent=False
        )
    for start in range(0, len(absent), BATCH_SIZE):
        School.objects.filter(rbd__in=absent[start : start + BATCH_SIZE]).update(absent=True)


def _upsert(model, objects, unique_fields, update_fields):
    """INSERT ... ON CONFLICT DO UPDATE in batches: as fast as bulk_create for
    new rows, and much faster than bulk_update's CASE expressions for changed
    ones (a new year changes nearly every school's enrollment)."""
    model.objects.bulk_create(
        objects,
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=unique_fields,
        update_fields=update_fields,
    )


def start_directory_import(*, file, year=None, dry_run=False, user):
    """Save an uploaded directory file under MEDIA_ROOT/imports/ and queue its
    import; the task starts once this transaction commits."""
    # Lazy: schools.tasks imports this module (Celery task cycle).
    from .tasks import import_directory_task

    job = ImportJob.objects.create(
        file=file, original_name=file.name[:255], year=year, dry_run=dry_run, created_by=user
    )
    outbox.send(import_directory_task, [job.pk])
    return job


def run_import_job(*, job_id):
    """Run a pending ImportJob: mark it running, import, and record the
    summary and warnings, or the errors. Returns the final status, or None if
    the job was not pending (so a repeated task does nothing)."""
    jobs = ImportJob.objects.filter(pk=job_id)
    if not jobs.filter(status=ImportJob.Status.PENDING).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now()
    ):
        return None
    job = jobs.select_related("created_by").get()

    def progress(done, total):
        jobs.update(rows_done=done, rows_total=total)

    # Messages in the uploader's language.
    with translation.override(job.created_by.language if job.created_by else None):
        try:
            with job.file.open("rb") as f:
                result = import_directory(
                    path_or_file=f, year=job.year, dry_run=job.dry_run, progress=progress
                )
        except DirectoryImportError as exc:
            errors = "\n".join(exc.messages)
        except Exception:
            logger.exception("Directory import job %s failed", job_id)
            errors = _("Error inesperado al importar; quedó registrado para el equipo técnico.")
        else:
            jobs.update(
                status=ImportJob.Status.DONE,
                counts=result.as_dict(),
                warnings="\n".join(str(warning) for warning in result.warnings),
                finished_at=timezone.now(),
            )
            return ImportJob.Status.DONE
    jobs.update(status=ImportJob.Status.FAILED, errors=errors, finished_at=timezone.now())
    return ImportJob.Status.FAILED


# --- Performance categories ---------------------------------------------------


def _normalize_label(text):
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return " ".join(text.upper().replace(" :", ":").split())


CATEGORY_LABELS = {
    "ALTO": Category.HIGH,
    "MEDIO": Category.MEDIUM,
    "MEDIO-BAJO": Category.MEDIUM_LOW,
    "MEDIO BAJO": Category.MEDIUM_LOW,
    "MEDIO-BAJO (NUEVO)": Category.MEDIUM_LOW_NEW,
    "MEDIO BAJO (NUEVO)": Category.MEDIUM_LOW_NEW,
    "INSUFICIENTE": Category.INSUFFICIENT,
    "SIN CATEGORIA: BAJA MATRICULA": Category.NO_CATEGORY_LOW_ENROLLMENT,
    "SIN CATEGORIA: FALTA DE INFORMACION": Category.NO_CATEGORY_MISSING_INFORMATION,
}


@dataclass
class CategoryImportResult:
    year: int
    level: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    by_category: dict = field(default_factory=dict)

    def summary_lines(self):
        lines = [
            _(
                "Categorías de desempeño %(year)s (%(level)s). Filas: %(rows)s; creadas: "
                "%(created)s; actualizadas: %(updated)s; sin cambios: %(unchanged)s."
            )
            % {**vars(self), "level": CategoryLevel(self.level).label}
        ]
        lines.extend(
            f"  {category.label}: {self.by_category.get(category, 0)}" for category in Category
        )
        return lines


def import_categories(*, path_or_file, year, level=CategoryLevel.BASICA):
    """Import the Agencia de Calidad's yearly "Categoría de Desempeño" workbook
    (first sheet; a header row with an RBD column and a category column).

    Upserts one PerformanceCategory per school for `year` and `level`; running
    it twice changes nothing. All or nothing: an unknown RBD or label raises
    ValidationError with "fila N, columna COL: ..." messages."""
    # Expanded size, rows and columns are capped before anything is read.
    workbook = open_xlsx(path_or_file)
    try:
        sheet = workbook.worksheets[0]
        rows = xlsx_rows(sheet)
        header = [str(cell or "").strip() for cell in next(rows, ())]
        normalized = [_normalize_label(name) for name in header]
        rbd_col = next((i for i, name in enumerate(normalized) if name == "RBD"), None)
        category_col = next(
            (i for i, name in enumerate(normalized) if name.startswith("CATEGORIA")), None
        )
        if rbd_col is None or category_col is None:
            raise ValidationError(
                _("La primera fila debe tener las columnas «RBD» y «Categoría Desempeño»."),
            )
        rbd_name, category_name = header[rbd_col], header[category_col]
        known = set(School.objects.values_list("rbd", flat=True))
        problems = RowProblems()
        parsed, seen = {}, {}
        for row_number, row in enumerate(rows, start=1):
            if not any(cell not in (None, "") for cell in row):
                continue
            raw_rbd = row[rbd_col] if rbd_col < len(row) else None
            raw_label = row[category_col] if category_col < len(row) else None
            rbd = _cell_int(raw_rbd)
            if rbd is None or rbd <= 0:
                problems.error(
                    row_number,
                    rbd_name,
                    _("«%(value)s» no es un número entero positivo.") % {"value": raw_rbd or ""},
                )
            elif rbd not in known:
                problems.error(
                    row_number,
                    rbd_name,
                    _("el RBD %(rbd)s no está en el directorio.") % {"rbd": rbd},
                )
            elif rbd in seen:
                problems.error(
                    row_number,
                    rbd_name,
                    _("el RBD %(rbd)s ya aparece en la fila %(first)s.")
                    % {"rbd": rbd, "first": seen[rbd]},
                )
            else:
                seen[rbd] = row_number
            category = CATEGORY_LABELS.get(_normalize_label(raw_label or ""))
            if category is None:
                problems.error(
                    row_number,
                    category_name,
                    _("«%(value)s» no es una categoría de desempeño conocida.")
                    % {"value": raw_label or ""},
                )
            if not problems.error_count:
                parsed[rbd] = category
        problems.raise_if_any()
    finally:
        workbook.close()

    result = CategoryImportResult(year=year, level=level, rows=len(parsed))
    result.by_category = dict(Counter(parsed.values()))
    with transaction.atomic():
        stored = dict(
            PerformanceCategory.objects.filter(year=year, level=level).values_list(
                "school_id", "category"
            )
        )
        writes = [
            PerformanceCategory(school_id=rbd, year=year, level=level, category=category)
            for rbd, category in parsed.items()
            if stored.get(rbd) != category
        ]
        _upsert(PerformanceCategory, writes, ["school", "year", "level"], ["category"])
        bump_registry_version()
    result.created = sum(1 for rbd in parsed if rbd not in stored)
    result.updated = len(writes) - result.created
    result.unchanged = result.rows - result.created - result.updated
    return result


def _cell_int(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None
