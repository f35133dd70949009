"""Operations that change the survey: instruments, campaigns, invitations,
drafts, responses and imported waves. Views, the API, commands and tasks
call these; each validates, runs atomically and raises ValidationError with
a translated message naming the field (or "fila N, columna COL: …" for
files)."""

import logging
import random
import re
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from networks.models import Network, NetworkSchool, NetworkStatus
from rme_platform import audit, outbox
from rme_platform.sql import row_date
from schools.models import Deprov, Position, School

from . import permissions
from .models import (
    CHOICE_KINDS,
    Answer,
    Campaign,
    CampaignStatus,
    CampaignTarget,
    Draft,
    Instrument,
    Invitation,
    Question,
    QuestionKind,
    Response,
    ResponseDependency,
    Section,
)

logger = logging.getLogger(__name__)

CODE_RE = re.compile(r"^[A-Z][A-Z0-9_]{1,39}$")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,59}$")
MAX_TEXT = 5000
MAX_NUMBER = 10_000
# School dependency (COD_DEPE) as reported: corporations and DAEM are
# municipal; delegated administration has no category of its own.
DEPENDENCY_OF_SCHOOL = {
    1: ResponseDependency.MUNICIPAL,
    2: ResponseDependency.MUNICIPAL,
    3: ResponseDependency.SUBSIDIZED,
    6: ResponseDependency.SLEP,
}


def _require(allowed):
    if not allowed:
        raise PermissionDenied


def _clean_slug(slug, field="slug"):
    slug = (slug or "").strip().lower()
    if not SLUG_RE.match(slug):
        raise ValidationError(
            {
                field: _(
                    "El identificador debe tener de 2 a 60 letras minúsculas, números o "
                    "guiones, por ejemplo rme-2025."
                )
            }
        )
    return slug


# --- instruments ------------------------------------------------------------------


def _editable(instrument):
    if instrument.frozen:
        raise ValidationError(
            _(
                "El instrumento «%(name)s» ya se usa en una campaña y no se puede modificar; "
                "cópielo a una nueva versión para cambiarlo."
            )
            % {"name": instrument}
        )


def create_instrument(*, by, slug, name, language="es", description=""):
    """A new, empty instrument (version 1 of its family)."""
    _require(permissions.can_edit_instruments(by))
    slug = _clean_slug(slug)
    if not (name or "").strip():
        raise ValidationError({"name": _("Indique el nombre del instrumento.")})
    with transaction.atomic():
        if Instrument.objects.filter(Q(slug=slug) | Q(family=slug)).exists():
            raise ValidationError(
                {
                    "slug": _("Ya existe un instrumento con el identificador %(slug)s.")
                    % {"slug": slug}
                }
            )
        return Instrument.objects.create(
            slug=slug,
            family=slug,
            name=name.strip(),
            language=language,
            description=description,
        )


def update_instrument(*, by, instrument, name, language, description=""):
    _require(permissions.can_edit_instruments(by))
    _editable(instrument)
    if not (name or "").strip():
        raise ValidationError({"name": _("Indique el nombre del instrumento.")})
    instrument.name, instrument.language = name.strip(), language
    instrument.description = description
    instrument.save(update_fields=["name", "language", "description"])
    return instrument


def copy_instrument(*, by, instrument, slug=None, name=None):
    """Copy an instrument with its sections and questions to the next
    version of its family (codes kept, so waves stay comparable). Atomic."""
    _require(permissions.can_edit_instruments(by))
    with transaction.atomic():
        version = (
            Instrument.objects.filter(family=instrument.family).aggregate(v=Max("version"))["v"] + 1
        )
        slug = _clean_slug(slug or f"{instrument.family}-v{version}")
        if Instrument.objects.filter(slug=slug).exists():
            raise ValidationError(
                {
                    "slug": _("Ya existe un instrumento con el identificador %(slug)s.")
                    % {"slug": slug}
                }
            )
        copy = Instrument.objects.create(
            slug=slug,
            family=instrument.family,
            name=(name or instrument.name).strip(),
            version=version,
            language=instrument.language,
            description=instrument.description,
            copied_from=instrument,
        )
        questions = []
        for section in instrument.sections.prefetch_related("questions"):
            new_section = Section.objects.create(
                instrument=copy,
                order=section.order,
                title_es=section.title_es,
                title_en=section.title_en,
                description_es=section.description_es,
                description_en=section.description_en,
            )
            questions += [
                Question(
                    instrument=copy,
                    section=new_section,
                    order=q.order,
                    code=q.code,
                    text_es=q.text_es,
                    text_en=q.text_en,
                    kind=q.kind,
                    construct=q.construct,
                    required=q.required,
                    options=q.options,
                )
                for q in section.questions.all()
            ]
        Question.objects.bulk_create(questions)
    return copy


def add_section(*, by, instrument, title_es, title_en="", description_es="", description_en=""):
    _require(permissions.can_edit_instruments(by))
    _editable(instrument)
    if not (title_es or "").strip():
        raise ValidationError({"title_es": _("Indique el título de la sección.")})
    with transaction.atomic():
        last = instrument.sections.aggregate(m=Max("order"))["m"] or 0
        return Section.objects.create(
            instrument=instrument,
            order=last + 1,
            title_es=title_es.strip(),
            title_en=(title_en or "").strip(),
            description_es=description_es or "",
            description_en=description_en or "",
        )


def update_section(*, by, section, title_es, title_en="", description_es="", description_en=""):
    _require(permissions.can_edit_instruments(by))
    _editable(section.instrument)
    if not (title_es or "").strip():
        raise ValidationError({"title_es": _("Indique el título de la sección.")})
    section.title_es, section.title_en = title_es.strip(), (title_en or "").strip()
    section.description_es, section.description_en = description_es or "", description_en or ""
    section.save()
    return section


def delete_section(*, by, section):
    """Delete a section and its questions (only while the instrument is not frozen)."""
    _require(permissions.can_edit_instruments(by))
    _editable(section.instrument)
    section.delete()


def _move(items, item, offset):
    """Swap `item` with its neighbour in `items` (ordered) and renumber 1..n."""
    items = list(items)
    index = next(i for i, x in enumerate(items) if x.pk == item.pk)
    other = index + offset
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    for order, x in enumerate(items, start=1):
        if x.order != order:
            x.order = order
            x.save(update_fields=["order"])


def move_section(*, by, section, offset):
    """Move a section one place up (offset -1) or down (+1)."""
    _require(permissions.can_edit_instruments(by))
    _editable(section.instrument)
    with transaction.atomic():
        _move(
            section.instrument.sections.select_for_update().order_by("order", "pk"), section, offset
        )


def _clean_options(kind, options):
    if kind not in CHOICE_KINDS:
        return []
    cleaned, seen = [], set()
    for option in options or []:
        value = (option.get("value") or "").strip()
        es = (option.get("es") or "").strip()
        if not value or not es:
            raise ValidationError(
                {"options": _("Cada opción necesita un valor y un texto en español.")}
            )
        if value in seen:
            raise ValidationError(
                {"options": _("La opción «%(value)s» está repetida.") % {"value": value}}
            )
        seen.add(value)
        cleaned.append({"value": value, "es": es, "en": (option.get("en") or "").strip()})
    if len(cleaned) < 2:
        raise ValidationError(
            {"options": _("Una pregunta de selección necesita al menos dos opciones.")}
        )
    return cleaned


def _clean_question(instrument, *, code, kind, text_es, options, exclude=None):
    code = (code or "").strip().upper()
    if not CODE_RE.match(code):
        raise ValidationError(
            {
                "code": _(
                    "El código debe tener de 2 a 40 letras mayúsculas, números o guiones bajos "
                    "y empezar con una letra, por ejemplo RME_META_COMUN."
                )
            }
        )
    taken = Question.objects.filter(instrument=instrument, code=code)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise ValidationError(
            {
                "code": _("El instrumento ya tiene una pregunta con el código %(code)s.")
                % {"code": code}
            }
        )
    if kind not in QuestionKind.values:
        raise ValidationError({"kind": _("Tipo de pregunta no válido.")})
    if not (text_es or "").strip():
        raise ValidationError({"text_es": _("Indique el texto de la pregunta en español.")})
    return code, _clean_options(kind, options)


def add_question(
    *,
    by,
    section,
    code,
    text_es,
    kind,
    text_en="",
    construct="",
    required=True,
    options=None,
):
    """Add a question at the end of a section."""
    _require(permissions.can_edit_instruments(by))
    instrument = section.instrument
    _editable(instrument)
    code, options = _clean_question(
        instrument, code=code, kind=kind, text_es=text_es, options=options
    )
    with transaction.atomic():
        last = section.questions.aggregate(m=Max("order"))["m"] or 0
        return Question.objects.create(
            instrument=instrument,
            section=section,
            order=last + 1,
            code=code,
            text_es=text_es.strip(),
            text_en=(text_en or "").strip(),
            kind=kind,
            construct=(construct or "").strip(),
            required=required,
            options=options,
        )


def update_question(
    *,
    by,
    question,
    code,
    text_es,
    kind,
    text_en="",
    construct="",
    required=True,
    options=None,
    section=None,
):
    """Change a question; moving it to another section puts it last there."""
    _require(permissions.can_edit_instruments(by))
    instrument = question.instrument
    _editable(instrument)
    code, options = _clean_question(
        instrument, code=code, kind=kind, text_es=text_es, options=options, exclude=question
    )
    with transaction.atomic():
        if section is not None and section.pk != question.section_id:
            if section.instrument_id != instrument.pk:
                raise ValidationError({"section": _("La sección es de otro instrumento.")})
            question.section = section
            question.order = (section.questions.aggregate(m=Max("order"))["m"] or 0) + 1
        question.code, question.kind = code, kind
        question.text_es, question.text_en = text_es.strip(), (text_en or "").strip()
        question.construct, question.required = (construct or "").strip(), required
        question.options = options
        question.save()
    return question


def delete_question(*, by, question):
    _require(permissions.can_edit_instruments(by))
    _editable(question.instrument)
    question.delete()


def move_question(*, by, question, offset):
    """Move a question one place up (offset -1) or down (+1) in its section."""
    _require(permissions.can_edit_instruments(by))
    _editable(question.instrument)
    with transaction.atomic():
        _move(
            question.section.questions.select_for_update().order_by("order", "pk"),
            question,
            offset,
        )


def _freeze(instrument):
    if not instrument.frozen:
        Instrument.objects.filter(pk=instrument.pk).update(frozen=True)
        instrument.frozen = True


# --- campaigns ------------------------------------------------------------------


def _clean_campaign(*, name, year, opens_on, closes_on, target, regions, networks):
    if not (name or "").strip():
        raise ValidationError({"name": _("Indique el nombre de la campaña.")})
    if not 2000 <= int(year) <= 2100:
        raise ValidationError({"year": _("El año debe estar entre 2000 y 2100.")})
    if opens_on and closes_on and closes_on < opens_on:
        raise ValidationError({"closes_on": _("La fecha de cierre es anterior a la de apertura.")})
    if target not in CampaignTarget.values:
        raise ValidationError({"target": _("Destinatarios no válidos.")})
    if target == CampaignTarget.REGIONS and not regions:
        raise ValidationError({"target_regions": _("Elija al menos una región.")})
    if target == CampaignTarget.NETWORKS and not networks:
        raise ValidationError({"target_networks": _("Elija al menos una red.")})


def create_campaign(
    *,
    by,
    slug,
    name,
    instrument,
    year,
    opens_on=None,
    closes_on=None,
    target=CampaignTarget.ALL,
    target_regions=(),
    target_networks=(),
    reminder_every_days=7,
):
    """A campaign in draft. Only national analysts and admins may."""
    _require(permissions.can_manage_campaigns(by))
    slug = _clean_slug(slug)
    _clean_campaign(
        name=name,
        year=year,
        opens_on=opens_on,
        closes_on=closes_on,
        target=target,
        regions=target_regions,
        networks=target_networks,
    )
    with transaction.atomic():
        if Campaign.objects.filter(slug=slug).exists():
            raise ValidationError(
                {"slug": _("Ya existe una campaña con el identificador %(slug)s.") % {"slug": slug}}
            )
        campaign = Campaign.objects.create(
            slug=slug,
            name=name.strip(),
            instrument=instrument,
            year=year,
            opens_on=opens_on,
            closes_on=closes_on,
            target=target,
            reminder_every_days=reminder_every_days,
            created_by=by,
        )
        campaign.target_regions.set(target_regions if target == CampaignTarget.REGIONS else [])
        campaign.target_networks.set(target_networks if target == CampaignTarget.NETWORKS else [])
    return campaign


def update_campaign(
    *,
    by,
    campaign,
    name,
    instrument,
    year,
    opens_on=None,
    closes_on=None,
    target=CampaignTarget.ALL,
    target_regions=(),
    target_networks=(),
    reminder_every_days=7,
):
    """Change a campaign. The instrument and the target only change in draft;
    dates, name and reminders also while open."""
    _require(permissions.can_manage_campaigns(by))
    _clean_campaign(
        name=name,
        year=year,
        opens_on=opens_on,
        closes_on=closes_on,
        target=target,
        regions=target_regions,
        networks=target_networks,
    )
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        draft = campaign.status == CampaignStatus.DRAFT
        if not draft and campaign.status != CampaignStatus.OPEN:
            raise ValidationError(_("Una campaña cerrada o publicada ya no se modifica."))
        if not draft and (
            instrument.pk != campaign.instrument_id
            or target != campaign.target
            or {r.pk for r in target_regions}
            != set(campaign.target_regions.values_list("pk", flat=True))
            or {n.pk for n in target_networks}
            != set(campaign.target_networks.values_list("pk", flat=True))
        ):
            raise ValidationError(
                _(
                    "El instrumento y los destinatarios solo se cambian mientras la campaña "
                    "es un borrador."
                )
            )
        campaign.name, campaign.year = name.strip(), year
        campaign.instrument = instrument
        campaign.opens_on, campaign.closes_on = opens_on, closes_on
        campaign.target, campaign.reminder_every_days = target, reminder_every_days
        campaign.save()
        if draft:
            campaign.target_regions.set(target_regions if target == CampaignTarget.REGIONS else [])
            campaign.target_networks.set(
                target_networks if target == CampaignTarget.NETWORKS else []
            )
    return campaign


def targeted_networks(campaign):
    """The active networks a campaign reaches."""
    networks = Network.objects.filter(status=NetworkStatus.ACTIVE)
    if campaign.target == CampaignTarget.REGIONS:
        networks = networks.filter(deprov__region__in=campaign.target_regions.all())
    elif campaign.target == CampaignTarget.NETWORKS:
        networks = networks.filter(pk__in=campaign.target_networks.all())
    return networks


def _create_invitations(campaign):
    """One invitation per active directivo (director or head of UTP with an
    active position) at each school of each targeted network. Idempotent:
    existing invitations are kept. Returns the ids of the new ones."""
    today = timezone.localdate()
    links = NetworkSchool.objects.filter(
        network__in=targeted_networks(campaign), left_on__isnull=True
    ).values_list("network_id", "school_id")
    by_school = {}
    for network_id, school_id in links:
        by_school.setdefault(school_id, []).append(network_id)
    positions = (
        Position.objects.active(today)
        .filter(school_id__in=list(by_school), user__is_active=True)
        .order_by("school_id", "role", "user_id")
        .values_list("user_id", "school_id", "role")
    )
    existing = set(
        Invitation.objects.filter(campaign=campaign).values_list("user_id", "network_id")
    )
    new = []
    for user_id, school_id, role in positions:
        for network_id in by_school[school_id]:
            if (user_id, network_id) in existing:
                continue
            existing.add((user_id, network_id))
            new.append(
                Invitation(
                    campaign=campaign,
                    user_id=user_id,
                    network_id=network_id,
                    school_id=school_id,
                    role=role,
                )
            )
    for invitation in new:
        invitation.nonce = invitation.nonce or _nonce()
    Invitation.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
    return list(
        Invitation.objects.filter(campaign=campaign, sent_at__isnull=True).values_list(
            "pk", flat=True
        )
    )


def _nonce():
    return get_random_string(32)


def open_campaign(*, by, campaign, send=True):
    """Open a draft campaign: freeze its instrument, invite every active
    directivo of the targeted networks and (on commit, by Celery in batches)
    email each one a personal link. Returns the number of invitations.
    Raises ValidationError unless the campaign is a draft."""
    _require(by is None or permissions.can_manage_campaigns(by))
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.status != CampaignStatus.DRAFT:
            raise ValidationError(_("Solo se abre una campaña en borrador."))
        if not campaign.instrument.questions.exists():
            raise ValidationError({"instrument": _("El instrumento no tiene preguntas.")})
        today = timezone.localdate()
        if campaign.closes_on and campaign.closes_on < today:
            raise ValidationError({"closes_on": _("La fecha de cierre ya pasó.")})
        _freeze(campaign.instrument)
        campaign.status = CampaignStatus.OPEN
        campaign.opened_at = timezone.now()
        campaign.opens_on = campaign.opens_on or today
        campaign.save(update_fields=["status", "opened_at", "opens_on"])
        audit.record(by, "campaign.opened", campaign)
        unsent = _create_invitations(campaign)
        if send and unsent:
            # Lazy: monitoring.tasks imports this module (Celery task cycle).
            from .tasks import send_campaign_invitations

            outbox.send(send_campaign_invitations, [campaign.pk])
        transaction.on_commit(_analyze_invitations)
    return Invitation.objects.filter(campaign=campaign).count()


def _analyze_invitations():
    """Refresh PostgreSQL's statistics of the invitations table once a
    campaign's invitations are in (thousands at once). Until autovacuum
    gets to it the planner takes the new campaign for one row and reads a
    submit's cell through the campaign's index (every invitation of the
    campaign, for each submit) instead of the (campaign, network, answered)
    index: the first minutes after an opening are when most people answer."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {_table(Invitation)}")


def invite_new_directivos(*, by, campaign, send=True):
    """Invite directivos who joined the targeted networks after the campaign
    opened. Idempotent. Returns the number of new invitations."""
    _require(permissions.can_manage_campaigns(by))
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.status != CampaignStatus.OPEN:
            raise ValidationError(_("La campaña no está abierta."))
        before = Invitation.objects.filter(campaign=campaign).count()
        unsent = _create_invitations(campaign)
        if send and unsent:
            # Lazy: monitoring.tasks imports this module (Celery task cycle).
            from .tasks import send_campaign_invitations

            outbox.send(send_campaign_invitations, [campaign.pk])
    return Invitation.objects.filter(campaign=campaign).count() - before


def close_campaign(*, by, campaign):
    """Close an open campaign: links stop working, submitted answers still
    waiting are stored (the last batch, see move_submitted) and unsubmitted
    drafts are discarded, in one transaction."""
    _require(by is None or permissions.can_manage_campaigns(by))
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.status != CampaignStatus.OPEN:
            raise ValidationError(_("Solo se cierra una campaña abierta."))
        campaign.status = CampaignStatus.CLOSED
        campaign.closed_at = timezone.now()
        campaign.save(update_fields=["status", "closed_at"])
        audit.record(by, "campaign.closed", campaign)
        # Submitted answers still waiting become responses, in the last
        # batch; drafts never submitted are discarded.
        move_submitted(campaign, final=True)
        Draft.objects.filter(invitation__campaign=campaign).delete()
        if reports_on_close():
            # Lazy: monitoring.tasks imports this module (Celery task cycle).
            from .tasks import queue_campaign_reports

            outbox.send(queue_campaign_reports, [campaign.pk])
    return campaign


def reports_on_close():
    """Closing a campaign queues its PDF reports when a Celery broker is
    configured (MONITORING_REPORTS_ON_CLOSE, default on); in the embedded
    set-up, where tasks run in the request, analysts ask for them on the
    reports page instead."""
    return settings.MONITORING_REPORTS_ON_CLOSE and not settings.CELERY_TASK_ALWAYS_EAGER


def publish_campaign(*, by, campaign):
    """Publish a closed campaign's results to the networks' members."""
    _require(permissions.can_manage_campaigns(by))
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.status != CampaignStatus.CLOSED:
            raise ValidationError(_("Solo se publica una campaña cerrada."))
        campaign.status = CampaignStatus.PUBLISHED
        campaign.published_at = timezone.now()
        campaign.save(update_fields=["status", "published_at"])
        audit.record(by, "campaign.published", campaign)
    return campaign


def close_due_campaigns(*, today=None):
    """Close the open campaigns whose closing date has passed. Idempotent."""
    today = today or timezone.localdate()
    closed = 0
    for campaign in Campaign.objects.filter(status=CampaignStatus.OPEN, closes_on__lt=today):
        try:
            close_campaign(by=None, campaign=campaign)
            closed += 1
        except ValidationError:
            pass
    return closed


def send_reminders(*, campaign, by=None, today=None, due_only=False):
    """Remind, by email, those invited who have not answered. Nobody is
    reminded twice in a day; with `due_only` (the scheduled run) only those
    last contacted `reminder_every_days` days ago or more. The emails go by
    Celery on commit, in batches. Returns the number of people reminded."""
    _require(by is None or permissions.can_manage_campaigns(by))
    today = today or timezone.localdate()
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.status != CampaignStatus.OPEN:
            raise ValidationError(_("Solo se envían recordatorios de una campaña abierta."))
        pending = (
            Invitation.objects.pending()
            .filter(campaign=campaign, sent_at__isnull=False)
            .exclude(reminded_on=today)
        )
        if due_only:
            if not campaign.reminder_every_days:
                return 0
            since = today - timedelta(days=campaign.reminder_every_days)
            pending = pending.filter(
                Q(reminded_on__lte=since) | Q(reminded_on__isnull=True, sent_at__date__lte=since)
            )
        ids = list(pending.order_by("pk").values_list("pk", flat=True))
        campaign.last_reminder_on = today
        campaign.save(update_fields=["last_reminder_on"])
        if ids:
            # Lazy: monitoring.tasks imports this module (Celery task cycle).
            from .tasks import BATCH_SIZE, send_invitation_batch

            for i in range(0, len(ids), BATCH_SIZE):
                outbox.send(send_invitation_batch, [ids[i : i + BATCH_SIZE]], {"reminder": True})
    return len(ids)


def send_scheduled_reminders(*, today=None):
    """The daily run: reminders for every open campaign that is due."""
    total = 0
    for campaign in Campaign.objects.filter(status=CampaignStatus.OPEN, reminder_every_days__gt=0):
        total += send_reminders(campaign=campaign, today=today, due_only=True)
    return total


# --- answering ------------------------------------------------------------------


class SurveyUnavailable(Exception):
    """The link cannot be used to answer; `reason` is one of invalid,
    answered, closed, not_open."""

    def __init__(self, reason, campaign=None):
        super().__init__(reason)
        self.reason = reason
        self.campaign = campaign


_READERS = {}


def _reader(model, alias):
    """(select list, reader) for every column of `model` under the table
    alias `alias` in a raw query: the reader turns its slice of a row into
    an instance, through the database's converters, as a queryset would."""
    key = (model, alias, connection.vendor)
    if key not in _READERS:
        fields = model._meta.concrete_fields
        columns = [field.get_col(alias) for field in fields]
        converters = [
            (
                index,
                column,
                connection.ops.get_db_converters(column) + column.get_db_converters(connection),
            )
            for index, column in enumerate(columns)
        ]
        converters = [(index, column, found) for index, column, found in converters if found]
        names = [field.attname for field in fields]

        def read(values):
            values = list(values)
            for index, column, found in converters:
                for convert in found:
                    values[index] = convert(values[index], column, connection)
            return model.from_db(connection.alias, names, values)

        select = ", ".join(f"{alias}.{connection.ops.quote_name(f.column)}" for f in fields)
        _READERS[key] = (select, len(fields), read)
    return _READERS[key]


def invitation_for_token(token, *, with_network=True):
    """The invitation of a personal link, or SurveyUnavailable("invalid"),
    read with its campaign and instrument (and its network, which the form
    names, unless `with_network` is false: a submit or an autosave only
    needs the campaign) in one query, written in SQL: every request of the
    personal link starts here, and the ORM's select_related of three tables
    cost more CPU than the rest of a submit's queries together."""
    pk, _sep, _digest = (token or "").partition("-")
    if not (pk.isdigit() and len(pk) < 19):
        raise SurveyUnavailable("invalid")
    models = [(Invitation, "i"), (Campaign, "c"), (Instrument, "m")]
    if with_network:
        models.append((Network, "n"))
    readers = [_reader(model, alias) for model, alias in models]
    quote = connection.ops.quote_name
    sql = (
        f"SELECT {', '.join(select for select, _n, _read in readers)} "  # noqa: S608
        f"FROM {_table(Invitation)} i JOIN {_table(Campaign)} c ON c.id = i.campaign_id "
        f"JOIN {_table(Instrument)} m ON m.id = c.instrument_id "
    )
    if with_network:
        sql += f"JOIN {_table(Network)} n ON n.{quote(Network._meta.pk.column)} = i.network_id "
    sql += "WHERE i.id = %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [int(pk)])
        row = cursor.fetchone()
    if row is None:
        raise SurveyUnavailable("invalid")
    objects, start = [], 0
    for _select, n, read in readers:
        objects.append(read(row[start : start + n]))
        start += n
    invitation, campaign, instrument = objects[:3]
    if not invitation.token_matches(token):
        raise SurveyUnavailable("invalid")
    campaign.instrument = instrument
    invitation.campaign = campaign
    if with_network:
        invitation.network = objects[3]
    return invitation


def check_answerable(invitation, today=None):
    """Raise SurveyUnavailable when the invitation can no longer be answered:
    "answered" once its draft is submitted (waiting for its batch) or moved."""
    submitted = Draft.objects.filter(invitation_id=invitation.pk, submitted=True).exists()
    _refuse_unanswerable(invitation.campaign, invitation.answered or submitted, today)


def _refuse_unanswerable(campaign, answered, today=None):
    today = today or timezone.localdate()
    if answered:
        raise SurveyUnavailable("answered", campaign)
    if campaign.status == CampaignStatus.DRAFT or (campaign.opens_on and today < campaign.opens_on):
        raise SurveyUnavailable("not_open", campaign)
    if campaign.status != CampaignStatus.OPEN or (
        campaign.closes_on and today > campaign.closes_on
    ):
        raise SurveyUnavailable("closed", campaign)


_FROZEN_QUESTIONS = {}


def instrument_questions(instrument):
    """The instrument's questions in the order respondents see them. A
    frozen instrument never changes, so its questions are kept in memory
    (every autosave and submit needs them)."""
    key = (instrument.pk, instrument.slug)
    if instrument.frozen and key in _FROZEN_QUESTIONS:
        return _FROZEN_QUESTIONS[key]
    questions = list(
        Question.objects.filter(instrument=instrument)
        .select_related("section")
        .order_by("section__order", "section_id", "order", "pk")
    )
    if instrument.frozen:
        _FROZEN_QUESTIONS[key] = questions
    return questions


def _to_int(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if re.fullmatch(r"-?\d{1,9}", text):
        return int(text)
    return None


def clean_answers(questions, raw, *, complete):
    """Normalise answers keyed by question code: Likert and single choice as
    an int, multiple choice as a sorted list of ints, numbers as an int, text
    as a string. Unknown codes and blank answers are dropped. Returns
    (answers, errors) where errors maps codes to messages; with `complete`,
    a missing required answer is an error too."""
    answers, errors = {}, {}
    raw = raw or {}
    for question in questions:
        value = raw.get(question.code)
        if value in (None, "", []):
            if complete and question.required:
                errors[question.code] = _("Responda esta pregunta.")
            continue
        kind = question.kind
        if kind == QuestionKind.TEXT:
            text = str(value).strip()[:MAX_TEXT]
            if text:
                answers[question.code] = text
            elif complete and question.required:
                errors[question.code] = _("Responda esta pregunta.")
            continue
        if kind == QuestionKind.MULTIPLE:
            values = value if isinstance(value, list | tuple) else [value]
            numbers = sorted({_to_int(v) for v in values})
            if not numbers or any(
                n is None or not 1 <= n <= len(question.options) for n in numbers
            ):
                errors[question.code] = _("Elija entre las opciones ofrecidas.")
                continue
            answers[question.code] = numbers
            continue
        number = _to_int(value)
        if kind == QuestionKind.LIKERT5 and (number is None or not 1 <= number <= 5):
            errors[question.code] = _("Elija un valor de 1 a 5.")
        elif kind == QuestionKind.SINGLE and (
            number is None or not 1 <= number <= len(question.options)
        ):
            errors[question.code] = _("Elija entre las opciones ofrecidas.")
        elif kind == QuestionKind.NUMBER and (number is None or not 0 <= number <= MAX_NUMBER):
            errors[question.code] = _("Escriba un número entero entre 0 y %(max)s.") % {
                "max": MAX_NUMBER
            }
        else:
            answers[question.code] = number
    return answers, errors


def save_draft(*, invitation, answers):
    """Keep the answers given so far (invalid ones are left out). Returns
    the draft. Raises SurveyUnavailable once answered or closed.

    The campaign row is share-locked first (as a submit does): a close,
    which takes it FOR UPDATE, waits for an autosave in flight and then
    discards its draft, and an autosave that comes after the close sees the
    campaign closed and is refused. Without it an autosave racing a close
    could write a draft the close never saw, left behind for good."""
    questions = instrument_questions(invitation.campaign.instrument)
    cleaned, _errors = clean_answers(questions, answers, complete=False)
    with transaction.atomic():
        # The invitation's lock orders this against a simultaneous submit,
        # whose answers an autosave must never overwrite.
        _lock_answerable(invitation)
        return _write_draft(invitation, cleaned, submitted=False)


def _share_lock_sql():
    """The statement that share-locks a campaign row (PostgreSQL only)."""
    return f"SELECT status FROM {_table(Campaign)} WHERE id = %s FOR SHARE"  # noqa: S608


def _share_lock_campaign(campaign_id):
    """Lock the campaign row in share mode until the transaction ends:
    autosaves, submits and the moves of open campaigns do not wait for each
    other, while a close (which takes the row FOR UPDATE) waits for those in
    flight and they wait for it. Django's select_for_update has no share
    mode (no_key=True is FOR NO KEY UPDATE, exclusive among its takers), so
    this is a raw SELECT … FOR SHARE on PostgreSQL. On SQLite a writing
    transaction already excludes every other writer: nothing to lock.
    Returns the campaign's status, read under the lock."""
    if connection.vendor != "postgresql":
        return Campaign.objects.filter(pk=campaign_id).values_list("status", flat=True).get()
    with connection.cursor() as cursor:
        cursor.execute(_share_lock_sql(), [campaign_id])
        return cursor.fetchone()[0]


# The statements of a submit and an autosave are written in SQL: each runs
# on every request of a campaign's busiest moments (hundreds of directivos
# submitting in the same minutes), and building them through the ORM cost
# more CPU than everything else a submit does.
def _table(model):
    return connection.ops.quote_name(model._meta.db_table)


def _lock_answerable(invitation, today=None):
    """Share-lock the campaign row (`_share_lock_campaign`), then lock the
    invitation row (FOR UPDATE) and check, in the same query, that it is not
    answered (moved) and that its campaign is open (read afresh: the
    campaign's share lock, taken first, waited for any close in flight).
    Raises SurveyUnavailable otherwise. Whether its draft was submitted is
    left to `_write_draft`: a query that waited for the lock sees the locked
    row as it is now but the rows it joins as they were when it began, so
    the draft of a submit that just committed would be missed here.

    On PostgreSQL the two statements go in one round trip (every autosave
    and submit runs them), still one after the other: the campaign's lock
    before the invitation's, the order a close takes them in."""
    sql = (
        "SELECT i.answered, c.status, c.opens_on, c.closes_on "  # noqa: S608
        f"FROM {_table(Invitation)} i JOIN {_table(Campaign)} c ON c.id = i.campaign_id "
        "WHERE i.id = %s"
    )
    params = [invitation.pk]
    if connection.vendor == "postgresql":
        sql = f"{_share_lock_sql()}; {sql} FOR UPDATE OF i"
        params = [invitation.campaign_id, invitation.pk]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.nextset()  # past the share lock's row
        answered, status, opens_on, closes_on = cursor.fetchone()
    campaign = invitation.campaign
    campaign.status, campaign.opens_on, campaign.closes_on = (
        status,
        row_date(opens_on),
        row_date(closes_on),
    )
    _refuse_unanswerable(campaign, bool(answered), today)


def _write_draft(invitation, answers, *, submitted):
    """Insert or update the invitation's draft in one statement, unless it
    is already submitted (SurveyUnavailable "answered"; the statement reads
    the draft as it is now, after any submit that held the invitation's
    lock). The caller holds that lock. Returns the draft."""
    now = timezone.now()
    field = Draft._meta.get_field
    table = _table(Draft)
    update = "answers = excluded.answers, updated_at = excluded.updated_at"
    if submitted:
        update += ", submitted = excluded.submitted"
    sql = (
        f"INSERT INTO {table} (invitation_id, answers, updated_at, submitted) "  # noqa: S608
        f"VALUES (%s, %s, %s, %s) ON CONFLICT (invitation_id) DO UPDATE SET {update} "
        f"WHERE NOT {table}.submitted"
    )
    params = [
        invitation.pk,
        field("answers").get_db_prep_save(answers, connection),
        field("updated_at").get_db_prep_save(now, connection),
        submitted,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        written = cursor.rowcount
    if written != 1:
        raise SurveyUnavailable("answered", invitation.campaign)
    return Draft(invitation=invitation, answers=answers, updated_at=now, submitted=submitted)


def _answer_rows(response_id, questions, answers):
    """(response_id, question_id, value, text) of each answer to write."""
    rows = []
    for question in questions:
        if question.code not in answers:
            continue
        value = answers[question.code]
        if question.kind == QuestionKind.TEXT:
            rows.append((response_id, question.pk, None, value))
        elif question.kind == QuestionKind.MULTIPLE:
            rows += [(response_id, question.pk, v, "") for v in value]
        else:
            rows.append((response_id, question.pk, value, ""))
    return rows


def _write_answers(rows):
    """Insert answer rows: with COPY on PostgreSQL (a move runs inside a
    submit's request; building ~40 model instances per response cost more
    CPU than the rest of the move), through bulk_create elsewhere."""
    if connection.vendor != "postgresql":
        Answer.objects.bulk_create(
            [Answer(response_id=r, question_id=q, value=v, text=t) for r, q, v, t in rows],
            batch_size=5000,
        )
        return
    sql = f"COPY {_table(Answer)} (response_id, question_id, value, text) FROM STDIN"  # noqa: S608
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def submit_response(*, invitation, answers, questions=None):
    """Submit the answers: the invitation's draft holds them, marked
    submitted, and the respondent has taken part ("answered" from now on,
    counted in the participation figures). They become an anonymous
    Response later, in a batch (`move_submitted`), which this call tries at
    once: a submit that completes a batch moves it. Returns the draft.

    Raises ValidationError (a dict of question code → message) when a
    required answer is missing or invalid, and SurveyUnavailable when the
    invitation was already answered or the campaign is closed. Two
    simultaneous submits store one: the invitation row is locked (FOR
    UPDATE) and the draft marked submitted only if it was not. The campaign
    row is only share-locked, so submits of different invitations never wait
    for each other (nor for the moves of batches); a close, which locks it
    FOR UPDATE, waits for the submits in flight (a close never discards a
    draft being submitted)."""
    campaign = invitation.campaign
    questions = questions or instrument_questions(campaign.instrument)
    cleaned, errors = clean_answers(questions, answers, complete=True)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _lock_answerable(invitation)
        draft = _write_draft(invitation, cleaned, submitted=True)
    try:
        move_submitted(campaign, network_id=invitation.network_id, role=invitation.role)
    except DatabaseError:
        # Stored and counted; the next submit, the periodic sweep or the
        # close moves it (a move commits whole or not at all).
        logger.exception("moving the submitted drafts of campaign %s failed", campaign.pk)
    return draft


# --- batches of responses ----------------------------------------------------------

# Shuffles each batch; unpredictable. Tests replace it with a seeded Random.
BATCH_RANDOM = random.SystemRandom()


def _batch_size():
    return settings.MIN_CELL_SIZE


def submitted_waiting(campaign):
    """How many submitted drafts of the campaign wait for their batch."""
    return Draft.objects.filter(invitation__campaign_id=campaign.pk, submitted=True).count()


def response_dependency(school_dependency):
    """The dependency a Response records for an invitation's school (its
    `dependency` code, None without a school)."""
    return DEPENDENCY_OF_SCHOOL.get(school_dependency, "")


def _waiting_sql(campaign_id, network_id=None, role=None, *, joins=""):
    """(FROM … WHERE …, parameters) of the invitations whose submitted
    drafts wait for their batch (of one network and role when given), as
    `i` with their draft `d` and school `s` (left joined) and `joins`: what
    both the count of a cell and its move read."""
    where, params = "", [campaign_id]
    if network_id is not None:
        where, params = " AND i.network_id = %s AND i.role = %s", [campaign_id, network_id, role]
    school_pk = connection.ops.quote_name(School._meta.pk.column)
    sql = (
        f"FROM {_table(Invitation)} i JOIN {_table(Draft)} d ON d.invitation_id = i.id "
        f"LEFT JOIN {_table(School)} s ON s.{school_pk} = i.school_id {joins}"
        f"WHERE i.campaign_id = %s AND NOT i.answered AND d.submitted{where}"
    )
    return sql, params


def _waiting_per_cell(campaign_id, network_id=None, role=None):
    """How many submitted drafts wait in each cell (of one network and role
    when given), counted without reading them: a move locks and reads its
    cells' invitations and writes a transaction, so it is tried only when a
    cell is due (a count of the whole network and role would try it when
    their drafts are split among dependencies, none of them due)."""
    waiting_sql, params = _waiting_sql(campaign_id, network_id, role)
    sql = (
        "SELECT i.network_id, i.role, s.dependency, COUNT(*) "  # noqa: S608
        f"{waiting_sql} GROUP BY i.network_id, i.role, s.dependency"
    )
    waiting = Counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for network, invitation_role, dependency, count in cursor.fetchall():
            waiting[network, invitation_role, DEPENDENCY_OF_SCHOOL.get(dependency, "")] += count
    return waiting


# A move's statements are written in SQL, as a submit's are: a burst of
# submits moves a batch every few submits, in their requests. A close's
# move may hold thousands: its rows go _CHUNK to a statement (SQLite takes
# at most 32,766 parameters in one).
_CHUNK = 1000


def _lock_waiting(campaign_id, network_id, role, *, final):
    """Lock the invitations whose drafts are submitted and waiting (of one
    network and role when given), in id order as submits and autosaves lock
    them, and read what their responses carry: [(invitation id, network id,
    role, school dependency, region id, answers)]. Returns None when the
    campaign is no longer open (unless `final`).

    Outside a close the campaign is only share-locked, as submits do: the
    move waits for a close in flight and holds the next one back, but
    neither submits nor the moves of other cells wait for it (a burst of
    submits triggers a move every few submits). Two moves of one cell at
    once split it: each locks the rows it finds free (SKIP LOCKED) and
    moves only if it holds 2n of them, keeping n back, so every batch still
    holds at least n and so does the rest. A close (`final`) already
    excludes everyone else and waits for nothing here. On PostgreSQL the
    share lock and the read go in one round trip."""
    quote = connection.ops.quote_name
    waiting_sql, params = _waiting_sql(
        campaign_id,
        network_id,
        role,
        joins=(
            f"JOIN {_table(Network)} n ON n.{quote(Network._meta.pk.column)} = i.network_id "
            f"JOIN {_table(Deprov)} p ON p.{quote(Deprov._meta.pk.column)} = n.deprov_id "
        ),
    )
    sql = (
        "SELECT i.id, i.network_id, i.role, s.dependency, p.region_id, d.answers "  # noqa: S608
        f"{waiting_sql} ORDER BY i.id"
    )
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        sql += " FOR UPDATE OF i" if final else " FOR UPDATE OF i SKIP LOCKED"
        if not final:
            sql = f"{_share_lock_sql()}; {sql}"
            params = [campaign_id, *params]
    elif not final and _share_lock_campaign(campaign_id) != CampaignStatus.OPEN:
        return None
    answers_field = Draft._meta.get_field("answers")
    converters = answers_field.get_db_converters(connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if postgresql and not final:
            if cursor.fetchone()[0] != CampaignStatus.OPEN:
                return None
            cursor.nextset()  # past the share lock's row
        rows = cursor.fetchall()
    waiting = []
    for *values, answers in rows:
        for convert in converters:
            answers = convert(answers, answers_field, connection)
        waiting.append((*values, answers))
    return waiting


def _insert_responses(campaign_id, cells):
    """Insert one Response per (cell, region id) of `cells`, in that order,
    every one dated today (no time). Returns their ids, in the same order."""
    today = Response._meta.get_field("submitted_on").get_db_prep_save(
        timezone.localdate(), connection
    )
    ids = []
    with connection.cursor() as cursor:
        for start in range(0, len(cells), _CHUNK):
            chunk = cells[start : start + _CHUNK]
            params = []
            for (network_id, role, dependency), region_id in chunk:
                params += [campaign_id, network_id, region_id, role, dependency, today]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {_table(Response)} "  # noqa: S608
                "(campaign_id, network_id, region_id, role, dependency, submitted_on) "
                f"VALUES {values} RETURNING id",
                params,
            )
            # SQLite returns the rows of a multi-row INSERT in no set order
            # (PostgreSQL in the order given); both number them in that order.
            ids += sorted(pk for (pk,) in cursor.fetchall())
    return ids


def _retire_drafts(ids):
    """Mark the invitations `ids` answered and delete their drafts (on
    PostgreSQL in one round trip)."""
    with connection.cursor() as cursor:
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            update = f"UPDATE {_table(Invitation)} SET answered = %s WHERE id IN ({marks})"  # noqa: S608
            delete = f"DELETE FROM {_table(Draft)} WHERE invitation_id IN ({marks})"  # noqa: S608
            if connection.vendor == "postgresql":
                cursor.execute(f"{update}; {delete}", [True, *chunk, *chunk])
            else:
                cursor.execute(update, [True, *chunk])
                cursor.execute(delete, chunk)


def move_submitted(campaign, *, final=False, network_id=None, role=None):
    """Turn submitted drafts into anonymous Responses, a batch at a time, so
    that nothing in the database links a response to its invitation more
    finely than a batch of at least MIN_CELL_SIZE (n) people of its cell.

    A cell is (campaign, network, role, dependency): the attributes a
    Response carries. A batch drawn from a whole campaign would not protect
    anyone, since within it each response's network, role and dependency
    match exactly one of the batch's invitations; so each cell is batched on
    its own. While the campaign is open a cell moves only when at least 2n
    of its drafts wait: all but n of them, chosen at random, and n stay
    held. At close (`final`) every cell moves all it has left; because n
    were held, a cell's last batch holds at least n whenever it moved
    before. Holding n back was chosen over re-writing the previous batch at
    close: it never deletes stored responses, whose dead row versions would
    keep the old transaction id on disk until vacuum.

    One transaction writes the responses and answers of the cells that move,
    in shuffled order, marks their invitations answered and deletes their
    drafts: in PostgreSQL every live row it writes carries the same xmin
    (the invitations' too), the response ids and their physical order
    (ctid) are a random permutation, and every response has the same
    `submitted_on` (the day of the move; no time anywhere). It commits whole
    or not at all, so a worker that dies mid-move loses nothing: the drafts
    are still there, submitted, for the next try.

    The limit: a cell whose whole campaign total is below n (say the 3 heads
    of UTP of municipal schools of one network) moves at close as one batch
    of fewer than n. It cannot be protected beyond its own size: its
    attributes alone already narrow each of its responses to those few
    invitations, by design of what a Response records, and every result
    and raw export suppresses or generalises such a cell.

    `network_id` and `role` (a submit's own) restrict the move to the cells
    of that network and role, so a submit only looks at, and locks, its own
    cells. Returns the number of responses written.
    Callers: each submit, the periodic sweep (tasks.move_submitted_responses)
    and close_campaign."""
    n = _batch_size()
    if (
        not final
        and max(_waiting_per_cell(campaign.pk, network_id, role).values(), default=0) < 2 * n
    ):
        return 0
    with transaction.atomic():
        if final:
            # The close's move: it waits for every submit, autosave and move
            # in flight (share locks) and none starts until it commits.
            Campaign.objects.select_for_update().values_list("pk").get(pk=campaign.pk)
        waiting = _lock_waiting(campaign.pk, network_id, role, final=final)
        if waiting is None:
            return 0  # no longer open (closed meanwhile)
        # A cell is what a Response carries besides its campaign (its region
        # follows from its network): a response can only be one of the
        # invitations of its cell, so batches are formed within cells.
        cells = {}
        for pk, network, invitation_role, school_dependency, region_id, answers in waiting:
            cell = (network, invitation_role, response_dependency(school_dependency))
            cells.setdefault(cell, []).append((pk, cell, region_id, answers))
        batch = []
        for key in sorted(cells):
            members = cells[key]
            if final:
                batch += members
            elif len(members) >= 2 * n:
                batch += BATCH_RANDOM.sample(members, len(members) - n)
        if not batch:
            return 0
        BATCH_RANDOM.shuffle(batch)
        response_ids = _insert_responses(
            campaign.pk, [(cell, region) for _pk, cell, region, _answers in batch]
        )
        questions = instrument_questions(campaign.instrument)
        rows = []
        for (_pk, _cell, _region, answers), response_id in zip(batch, response_ids, strict=True):
            rows += _answer_rows(response_id, questions, answers)
        _write_answers(rows)
        _retire_drafts([pk for pk, _cell, _region, _answers in batch])
    return len(batch)


def move_submitted_everywhere():
    """The periodic sweep: move the due batches of every open campaign (those
    a submit could not move, e.g. when its process died), and discard the
    unsubmitted drafts of campaigns no longer open (a close discards them;
    none should be left, but answers never sent are not kept past a close
    whatever happened). Returns the number of responses written."""
    moved = 0
    for campaign in Campaign.objects.filter(status=CampaignStatus.OPEN):
        moved += move_submitted(campaign)
    Draft.objects.filter(submitted=False).exclude(
        invitation__campaign__status=CampaignStatus.OPEN
    ).delete()
    return moved
