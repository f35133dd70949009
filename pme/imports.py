"""CSV imports of the PME app, all-or-nothing: every row is checked first,
errors name the row and column ("fila N, columna COL: …"), and only a clean
file is written, in one transaction.

- `import_actions`: a school's existing plan, one action per row (columns in
  ACTION_COLUMNS; the README lists them). An action whose name is already in
  the plan is updated, so importing the same file twice changes nothing.
- `import_ate_providers`: the ATE registry (columns in ATE_COLUMNS), upsert
  by RUT; providers missing from the file are marked as no longer listed.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from rme_platform.money import parse_clp
from rme_platform.spreadsheets import decode_upload, read_csv_rows, sniff_delimiter
from schools.directory import RowProblems
from schools.models import Region, School
from schools.validators import RUT_PATTERN, modulo11_check_digit

from . import services
from .models import (
    SETTABLE_STATUSES,
    Action,
    ActionStatus,
    AnnualPlan,
    ATEProvider,
    Dimension,
    FundingSource,
    Strategy,
    Subdimension,
)

ACTION_REQUIRED = ["name", "dimension", "start_date", "end_date"]
FUNDING_COLUMNS = {f"funding_{source}": source for source in FundingSource.values}
ACTION_COLUMNS = [
    *ACTION_REQUIRED,
    "subdimension",
    "description",
    "strategy",
    "responsible",
    "resources",
    "verification_means",
    *FUNDING_COLUMNS,
    "ate_provider_rut",
    "status",
    "progress",
]
ATE_COLUMNS = ["rut", "name", "registry_number", "service_areas", "regions"]
DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"]


def _key(text):
    """Case- and accent-insensitive key: "Gestión Pedagógica" == "gestion pedagogica"."""
    text = unicodedata.normalize("NFKD", (text or "").strip().lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\s_\-]+", " ", text)


def _reader(path_or_file, columns, required):
    """The data rows of the file (UTF-8, UTF-16 with BOM or Latin-1; comma,
    semicolon or tab) as dicts by column, after checking its header."""
    text, _encoding = decode_upload(path_or_file)
    lines = read_csv_rows(text, delimiter=sniff_delimiter(text))
    header = [h.strip().lower() for h in (lines[0] if lines else [])]
    errors = [
        _("fila 0, columna %(col)s: falta la columna en el encabezado") % {"col": c}
        for c in required
        if c not in header
    ]
    errors += [
        _("fila 0, columna %(col)s: columna desconocida; las columnas válidas son %(cols)s")
        % {"col": c, "cols": ", ".join(columns)}
        for c in header
        if c and c not in columns
    ]
    if errors:
        raise ValidationError(errors)
    return [
        {column: line[i] if i < len(line) else None for i, column in enumerate(header)}
        for line in lines[1:]
        if line
    ]


def _parse_date(text):
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _parse_amount(text):
    """Whole pesos from "1500000", "1.500.000" or "$ 1.500.000" (the rule
    the forms use: rme_platform.money.parse_clp); None if invalid."""
    try:
        return parse_clp(text)
    except ValidationError:
        return None


def _parse_rut(text):
    """(number, check digit, error)."""
    match = RUT_PATTERN.match(text)
    if not match:
        return None, None, _("«%(value)s» no es un RUT con dígito verificador") % {"value": text}
    number, digit = int(match.group(1).replace(".", "")), match.group(2).upper()
    if modulo11_check_digit(number) != digit:
        return (
            None,
            None,
            _("el dígito verificador no corresponde al RUT «%(value)s»") % {"value": text},
        )
    return number, digit, None


# --- actions ---------------------------------------------------------------------


@dataclass
class ActionsImportResult:
    created: int = 0
    updated: int = 0


def _target_plan(rbd, year):
    school = School.objects.filter(rbd=rbd).first()
    if school is None:
        raise ValidationError(
            {"rbd": _("No existe un establecimiento con RBD %(rbd)s.") % {"rbd": rbd}}
        )
    plan = AnnualPlan.objects.filter(school=school, year=year).select_related("cycle").first()
    if plan is None:
        raise ValidationError(
            {
                "year": _(
                    "El establecimiento RBD %(rbd)s no tiene un plan anual %(year)s: créelo "
                    "primero en su ciclo de mejoramiento."
                )
                % {"rbd": rbd, "year": year}
            }
        )
    return plan


def read_action_rows(plan, reader, problems):
    """Check each row; returns [(row number, fields for the services, funding)]."""
    dimensions = {}
    for dimension in Dimension.objects.all():
        dimensions[_key(dimension.code)] = dimension
        dimensions[_key(dimension.name)] = dimension
    subdimensions = {}
    for sub in Subdimension.objects.all():
        subdimensions[_key(sub.code)] = sub
        subdimensions[_key(sub.name)] = sub
    strategies = {_key(s.text): s for s in Strategy.objects.filter(objective__cycle=plan.cycle_id)}
    providers = {p.rut: p for p in ATEProvider.objects.all()}
    statuses = {}
    for status in SETTABLE_STATUSES:
        statuses[_key(status.value)] = status.value
        statuses[_key(str(status.label))] = status.value
    rows, seen = [], {}
    for number, raw in enumerate(reader, start=1):
        value = {k: (raw.get(k) or "").strip() for k in ACTION_COLUMNS}
        if not any(value.values()):
            continue
        errors_before = problems.error_count
        name = value["name"]
        if not name:
            problems.error(number, "name", _("falta el nombre de la acción"))
        elif len(name) > 300:
            problems.error(number, "name", _("el nombre admite hasta 300 caracteres"))
        elif _key(name) in seen:
            problems.error(
                number,
                "name",
                _("la acción ya aparece en la fila %(row)s") % {"row": seen[_key(name)]},
            )
        seen.setdefault(_key(name), number)
        dimension = dimensions.get(_key(value["dimension"]))
        if dimension is None:
            problems.error(
                number,
                "dimension",
                _("«%(value)s» no es una dimensión; use %(options)s")
                % {
                    "value": value["dimension"],
                    "options": ", ".join(d.code for d in Dimension.objects.all()),
                },
            )
        subdimension = None
        if value["subdimension"]:
            subdimension = subdimensions.get(_key(value["subdimension"]))
            if subdimension is None:
                problems.error(
                    number,
                    "subdimension",
                    _("«%(value)s» no es una subdimensión") % {"value": value["subdimension"]},
                )
            elif dimension is not None and subdimension.dimension_id != dimension.code:
                problems.error(
                    number,
                    "subdimension",
                    _("«%(value)s» no pertenece a la dimensión %(dimension)s")
                    % {"value": value["subdimension"], "dimension": dimension.code},
                )
        strategy = None
        if value["strategy"]:
            strategy = strategies.get(_key(value["strategy"]))
            if strategy is None:
                problems.error(
                    number,
                    "strategy",
                    _("el ciclo no tiene una estrategia «%(value)s»")
                    % {"value": value["strategy"]},
                )
        dates = {}
        for column in ("start_date", "end_date"):
            if not value[column]:
                problems.error(number, column, _("falta la fecha"))
                continue
            day = _parse_date(value[column])
            if day is None:
                problems.error(
                    number,
                    column,
                    _("«%(value)s» no es una fecha; use AAAA-MM-DD o DD-MM-AAAA")
                    % {"value": value[column]},
                )
            elif day.year != plan.year:
                problems.error(
                    number,
                    column,
                    _("la fecha %(value)s está fuera del año del plan (%(year)s)")
                    % {"value": value[column], "year": plan.year},
                )
            else:
                dates[column] = day
        if len(dates) == 2 and dates["end_date"] < dates["start_date"]:
            problems.error(number, "end_date", _("la fecha de término es anterior a la de inicio"))
        funding = {}
        for column, source in FUNDING_COLUMNS.items():
            if not value[column]:
                continue
            amount = _parse_amount(value[column])
            if amount is None:
                problems.error(
                    number,
                    column,
                    _("«%(value)s» no es un monto válido: pesos enteros, sin decimales ni signo")
                    % {"value": value[column]},
                )
            elif amount:
                funding[source] = amount
        provider = None
        if value["ate_provider_rut"]:
            rut, _digit, error = _parse_rut(value["ate_provider_rut"])
            if error:
                problems.error(number, "ate_provider_rut", error)
            elif rut not in providers:
                problems.error(
                    number,
                    "ate_provider_rut",
                    _("no hay un proveedor ATE con RUT «%(value)s» en el registro")
                    % {"value": value["ate_provider_rut"]},
                )
            else:
                provider = providers[rut]
        status = ActionStatus.PLANNED.value
        if value["status"]:
            status = statuses.get(_key(value["status"]))
            if status is None:
                problems.error(
                    number,
                    "status",
                    _("«%(value)s» no es un estado; use %(options)s")
                    % {"value": value["status"], "options": ", ".join(SETTABLE_STATUSES)},
                )
        progress = 0
        if value["progress"]:
            text = value["progress"].rstrip("%").strip()
            if not text.isdigit() or not 0 <= int(text) <= 100:
                problems.error(
                    number,
                    "progress",
                    _("«%(value)s» no es un avance entre 0 y 100") % {"value": value["progress"]},
                )
            else:
                progress = int(text)
        if problems.error_count == errors_before:
            fields = {
                "name": name,
                "description": value["description"],
                "dimension": dimension,
                "subdimension": subdimension,
                "strategy": strategy,
                "start_date": dates["start_date"],
                "end_date": dates["end_date"],
                "responsible": value["responsible"],
                "resources": value["resources"],
                "verification_means": value["verification_means"],
                "ate_provider": provider,
                "status": status,
                "progress": progress,
            }
            rows.append((number, fields, funding))
    return rows


def import_actions(*, path_or_file, rbd, year, by=None):
    """Bring a school's existing annual plan from a CSV file, one action per
    row. All-or-nothing: raises ValidationError listing "fila N, columna
    COL: …" problems and writes nothing. An action whose name the plan
    already has is updated; the others are created. `by` (None for the
    command line) must be able to edit the plan."""
    plan = _target_plan(int(rbd), int(year))
    services._require_plan_editor(by, plan)
    reader = _reader(path_or_file, ACTION_COLUMNS, ACTION_REQUIRED)
    problems = RowProblems()
    rows = read_action_rows(plan, reader, problems)
    if not rows and not problems.error_count:
        problems.error(1, "name", _("el archivo no tiene filas de datos"))
    problems.raise_if_any()
    result = ActionsImportResult()
    existing = {_key(a.name): a for a in Action.objects.filter(plan=plan)}
    with transaction.atomic():
        for number, fields, funding in rows:
            try:
                action = existing.get(_key(fields["name"]))
                if action is None:
                    services.create_action(by=by, plan=plan, funding=funding, **fields)
                    result.created += 1
                else:
                    services.update_action(by=by, action=action, funding=funding, **fields)
                    result.updated += 1
            except ValidationError as exc:
                messages = (
                    [f"{k}: {m}" for k, ms in exc.message_dict.items() for m in ms]
                    if hasattr(exc, "error_dict")
                    else exc.messages
                )
                raise ValidationError(
                    [
                        _("fila %(row)s: %(problem)s") % {"row": number, "problem": m}
                        for m in messages
                    ]
                ) from None
    return result


# --- ATE registry ------------------------------------------------------------------


@dataclass
class ProvidersImportResult:
    created: int = 0
    updated: int = 0
    delisted: int = 0


def import_ate_providers(*, path_or_file):
    """Load the ATE registry from a CSV file with the header
    rut,name,registry_number,service_areas,regions. `service_areas` lists
    dimensions (code or name) separated by ";"; `regions` lists region codes
    separated by ";" or spaces, or "todas". All-or-nothing, with row and
    column in each error; upsert by RUT, and providers missing from the file
    are marked as no longer listed. Atomic."""
    reader = _reader(path_or_file, ATE_COLUMNS, ATE_COLUMNS)
    problems = RowProblems()
    dimensions = {}
    for dimension in Dimension.objects.all():
        dimensions[_key(dimension.code)] = dimension
        dimensions[_key(dimension.name)] = dimension
    regions = {str(r.code): r for r in Region.objects.all()}
    rows, seen_rut, seen_registry = [], {}, {}
    for number, raw in enumerate(reader, start=1):
        value = {k: (raw.get(k) or "").strip() for k in ATE_COLUMNS}
        if not any(value.values()):
            continue
        before = problems.error_count
        rut, digit, error = _parse_rut(value["rut"]) if value["rut"] else (None, None, None)
        if not value["rut"]:
            problems.error(number, "rut", _("falta el RUT"))
        elif error:
            problems.error(number, "rut", error)
        elif rut in seen_rut:
            problems.error(
                number, "rut", _("el RUT ya aparece en la fila %(row)s") % {"row": seen_rut[rut]}
            )
        seen_rut.setdefault(rut, number)
        if not value["name"]:
            problems.error(number, "name", _("falta el nombre"))
        registry = value["registry_number"]
        if not registry:
            problems.error(number, "registry_number", _("falta el número de registro"))
        elif registry in seen_registry:
            problems.error(
                number,
                "registry_number",
                _("el número de registro ya aparece en la fila %(row)s")
                % {"row": seen_registry[registry]},
            )
        seen_registry.setdefault(registry, number)
        areas = []
        for item in filter(None, (a.strip() for a in value["service_areas"].split(";"))):
            dimension = dimensions.get(_key(item))
            if dimension is None:
                problems.error(
                    number,
                    "service_areas",
                    _("«%(value)s» no es una dimensión del PME") % {"value": item},
                )
            else:
                areas.append(dimension)
        provider_regions = []
        if _key(value["regions"]) in {"todas", "all", "nacional"}:
            provider_regions = list(regions.values())
        else:
            for code in value["regions"].replace(";", " ").split():
                if code not in regions:
                    problems.error(
                        number,
                        "regions",
                        _("«%(value)s» no es un código de región (1 a 16)") % {"value": code},
                    )
                else:
                    provider_regions.append(regions[code])
        if problems.error_count == before:
            rows.append((number, rut, digit, value["name"], registry, areas, provider_regions))
    if not rows and not problems.error_count:
        problems.error(1, "rut", _("el archivo no tiene filas de datos"))
    problems.raise_if_any()
    result = ProvidersImportResult()
    with transaction.atomic():
        existing = {p.rut: p for p in ATEProvider.objects.select_for_update()}
        taken = {p.registry_number: p.rut for p in existing.values() if p.rut not in seen_rut}
        for number, _rut, _digit, _name, registry, _areas, _regions in rows:
            if registry in taken:
                raise ValidationError(
                    [
                        _(
                            "fila %(row)s, columna registry_number: el número de registro "
                            "pertenece a otro proveedor (RUT %(rut)s)"
                        )
                        % {"row": number, "rut": taken[registry]}
                    ]
                )
        # Registry numbers may move between listed providers: free them first.
        for _number, rut, _digit, _name, registry, _areas, _regions in rows:
            if rut in existing and existing[rut].registry_number != registry:
                ATEProvider.objects.filter(pk=existing[rut].pk).update(registry_number=f"~{rut}")
        for _number, rut, digit, name, registry, areas, provider_regions in rows:
            provider = existing.get(rut)
            if provider is None:
                provider = ATEProvider.objects.create(
                    rut=rut, check_digit=digit, name=name, registry_number=registry
                )
                result.created += 1
            else:
                provider.check_digit, provider.name = digit, name
                provider.registry_number, provider.active = registry, True
                provider.save()
                result.updated += 1
            provider.service_areas.set(areas)
            provider.regions.set(provider_regions)
        result.delisted = (
            ATEProvider.objects.filter(active=True).exclude(rut__in=seen_rut).update(active=False)
        )
    return result
