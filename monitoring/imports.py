"""Imported waves: `import_responses` loads a survey wave answered outside
the platform from a CSV file, all-or-nothing (like the people import)."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from networks.models import Network
from rme_platform.spreadsheets import decode_upload, read_csv_rows, sniff_delimiter
from schools.directory import RowProblems
from schools.models import Region

from .default_instrument import SLUG as DEFAULT_SLUG
from .models import (
    Answer,
    Campaign,
    CampaignStatus,
    Instrument,
    Question,
    QuestionKind,
    Response,
    ResponseDependency,
    ResponseRole,
)
from .services import MAX_NUMBER, MAX_TEXT, _clean_slug, _freeze, _to_int

IMPORT_COLUMNS = ["region", "network", "role", "dependency"]


@dataclass
class ImportResult:
    campaign: Campaign
    responses: int
    created_campaign: bool


def _parse_value(question, text):
    """(value, error) for one cell of an imported file; value None = blank."""
    text = text.strip()
    if not text:
        return None, None
    if question.kind == QuestionKind.TEXT:
        return text[:MAX_TEXT], None
    if question.kind == QuestionKind.LIKERT5:
        number = _to_int(text)
        if number is None or not 1 <= number <= 5:
            return None, _("«%(value)s» no es una respuesta de 1 a 5") % {"value": text}
        return number, None
    if question.kind == QuestionKind.NUMBER:
        number = _to_int(text)
        if number is None or not 0 <= number <= MAX_NUMBER:
            return None, _("«%(value)s» no es un número entero entre 0 y %(max)s") % {
                "value": text,
                "max": MAX_NUMBER,
            }
        return number, None
    by_value = {o["value"]: i for i, o in enumerate(question.options, start=1)}
    parts = (
        [p.strip() for p in text.split(";")] if question.kind == QuestionKind.MULTIPLE else [text]
    )
    numbers = []
    for part in parts:
        number = by_value.get(part)
        if number is None:
            number = _to_int(part)
            if number is not None and not 1 <= number <= len(question.options):
                number = None
        if number is None:
            return None, _("«%(value)s» no es una opción; use %(options)s") % {
                "value": part,
                "options": ", ".join(by_value),
            }
        numbers.append(number)
    if question.kind == QuestionKind.MULTIPLE:
        return sorted(set(numbers)), None
    return numbers[0], None


def import_responses(*, path_or_file, campaign_slug, year=None, instrument_slug=None):
    """Load a wave answered elsewhere from a CSV (UTF-8 or UTF-16 with BOM,
    else Latin-1) with the header region,network,role,dependency followed by
    question codes of the instrument (any subset, any order). All-or-nothing: every row is
    checked first and any problem raises ValidationError listing up to 50
    "fila N, columna COL: …" messages (data rows count from 1); otherwise
    the responses are stored in one transaction. When the campaign does not
    exist, `year` is required and a closed campaign is created on the
    instrument (default rme-monitoreo)."""
    campaign = Campaign.objects.select_related("instrument").filter(slug=campaign_slug).first()
    if campaign is not None:
        instrument = campaign.instrument
        if instrument_slug and instrument_slug != instrument.slug:
            raise ValidationError(
                {
                    "instrument": _("La campaña %(campaign)s usa el instrumento %(slug)s.")
                    % {"campaign": campaign.slug, "slug": instrument.slug}
                }
            )
        if campaign.status == CampaignStatus.PUBLISHED:
            raise ValidationError(
                {
                    "campaign": _(
                        "La campaña %(campaign)s ya está publicada; no se le agregan respuestas."
                    )
                    % {"campaign": campaign.slug}
                }
            )
    else:
        _clean_slug(campaign_slug, "campaign")
        if not year:
            raise ValidationError(
                {
                    "year": _(
                        "La campaña %(campaign)s no existe: indique el año (--year) para crearla."
                    )
                    % {"campaign": campaign_slug}
                }
            )
        if not 2000 <= int(year) <= 2100:
            raise ValidationError({"year": _("El año debe estar entre 2000 y 2100.")})
        instrument = Instrument.objects.filter(slug=instrument_slug or DEFAULT_SLUG).first()
        if instrument is None:
            raise ValidationError(
                {
                    "instrument": _("No existe el instrumento %(slug)s.")
                    % {"slug": instrument_slug or DEFAULT_SLUG}
                }
            )

    text, _encoding = decode_upload(path_or_file)
    lines = read_csv_rows(text, delimiter=sniff_delimiter(text))
    header = [h.strip() for h in (lines[0] if lines else [])]
    questions = {q.code: q for q in Question.objects.filter(instrument=instrument)}
    problems = RowProblems()
    for position, column in enumerate(IMPORT_COLUMNS):
        if len(header) <= position or header[position] != column:
            problems.error(
                0,
                column,
                _("el encabezado debe empezar con region,network,role,dependency"),
            )
            problems.raise_if_any()
    seen = set()
    for column in header[len(IMPORT_COLUMNS) :]:
        if column not in questions:
            problems.error(
                0,
                column,
                _("columna desconocida: no es un código de pregunta del instrumento %(slug)s")
                % {"slug": instrument.slug},
            )
        elif column in seen:
            problems.error(0, column, _("la columna está repetida"))
        seen.add(column)
    problems.raise_if_any()

    regions = set(Region.objects.values_list("code", flat=True))
    networks = {
        code: (pk, region)
        for code, pk, region in Network.objects.values_list("code", "pk", "deprov__region_id")
    }
    dependencies = {"": ""} | {d: d for d in ResponseDependency.values if d}
    columns = [(i, questions[c]) for i, c in enumerate(header) if c in questions]
    rows = []
    for number, row in enumerate(lines[1:], start=1):
        if not any(cell.strip() for cell in row):
            continue
        row = row + [""] * (len(header) - len(row))
        if len(row) > len(header):
            problems.error(number, header[-1], _("la fila tiene más columnas que el encabezado"))
            continue
        region_text, network_text, role, dependency = (c.strip() for c in row[:4])
        region = _to_int(region_text)
        if region is None or region not in regions:
            problems.error(
                number,
                "region",
                _("«%(value)s» no es una región (1 a 16)") % {"value": region_text},
            )
        network_id = None
        if network_text:
            found = networks.get(network_text)
            if found is None:
                problems.error(
                    number, "network", _("no existe la red «%(code)s»") % {"code": network_text}
                )
            elif region is not None and found[1] != region:
                problems.error(
                    number,
                    "network",
                    _("la red %(code)s no es de la región %(region)s")
                    % {"code": network_text, "region": region_text},
                )
            else:
                network_id = found[0]
        if role not in ResponseRole.values:
            problems.error(
                number,
                "role",
                _("«%(value)s» no es un cargo; use director o utp") % {"value": role},
            )
        if dependency.lower() not in dependencies:
            problems.error(
                number,
                "dependency",
                _(
                    "«%(value)s» no es una dependencia; use municipal, slep, subvencionado "
                    "o deje en blanco"
                )
                % {"value": dependency},
            )
        answers = []
        for index, question in columns:
            value, error = _parse_value(question, row[index])
            if error:
                problems.error(number, question.code, error)
            elif value is not None:
                answers.append((question, value))
        rows.append((region, network_id, role, dependency.lower(), answers))
    if not rows and not problems.error_count:
        problems.error(1, "region", _("el archivo no tiene filas de datos"))
    problems.raise_if_any()

    with transaction.atomic():
        created = campaign is None
        if created:
            campaign = Campaign.objects.create(
                slug=campaign_slug,
                name=_("Encuesta de monitoreo %(year)s") % {"year": year},
                instrument=instrument,
                year=year,
                status=CampaignStatus.CLOSED,
                imported=True,
                closed_at=timezone.now(),
            )
        elif campaign.status == CampaignStatus.DRAFT:
            campaign.status, campaign.closed_at, campaign.imported = (
                CampaignStatus.CLOSED,
                timezone.now(),
                True,
            )
            campaign.save(update_fields=["status", "closed_at", "imported"])
        _freeze(instrument)
        responses = Response.objects.bulk_create(
            [
                Response(
                    campaign=campaign,
                    network_id=network_id,
                    region_id=region,
                    role=role,
                    dependency=dependency,
                    submitted_on=None,
                )
                for region, network_id, role, dependency, _answers in rows
            ],
            batch_size=2000,
        )
        answers = []
        for response, (*_scope, row_answers) in zip(responses, rows, strict=True):
            for question, value in row_answers:
                if question.kind == QuestionKind.TEXT:
                    answers.append(Answer(response=response, question=question, text=value))
                elif question.kind == QuestionKind.MULTIPLE:
                    answers += [
                        Answer(response=response, question=question, value=v) for v in value
                    ]
                else:
                    answers.append(Answer(response=response, question=question, value=value))
        Answer.objects.bulk_create(answers, batch_size=5000)
    return ImportResult(campaign=campaign, responses=len(responses), created_campaign=created)
