"""Operations on shared practices. Views, the API, the demo and the Celery
tasks call these; none repeats their logic.

Each service checks who acts (PermissionDenied when the user may see the
practice but not do this), validates, runs in transaction.atomic() and
raises ValidationError with a translated message naming the field: on bad
input nothing is stored. Emails are queued through the outbox
(rme_platform.outbox): recorded with the change, sent once it commits.
"""

import datetime
import re
import unicodedata

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from networks.meetings import permissions as meeting_perms
from networks.meetings import services as meeting_services
from networks.meetings.models import AgendaItem, Meeting, MeetingStatus
from pme import services as pme_services
from pme.models import Action, Dimension, Subdimension
from rme_platform import outbox
from rme_platform.accounts.models import User
from rme_platform.files import validate_attachment
from schools.models import TEACHING_LABELS, Position

from . import permissions as perms
from .help import network_needs
from .models import (
    AdoptionStage,
    Practice,
    PracticeAction,
    PracticeAdoption,
    PracticeAdoptionNote,
    PracticeAttachment,
    PracticeComment,
    PracticeDigest,
    PracticeFeature,
    PracticeNotice,
    PracticeNotificationPreference,
    PracticePresentation,
    PracticeStatus,
    PracticeVisibility,
    Tag,
)

SEARCH_CONFIG = "rme_spanish"
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 10
MAX_TEXT_CHARS = 50_000
MAX_TAGS = 10
TEXT_FIELDS = ("summary", "context", "problem", "body", "results")
EDITABLE_FIELDS = {
    "title",
    "summary",
    "context",
    "problem",
    "body",
    "results",
    "levels",
    "rural",
    "enrollment",
    "dimension",
    "subdimension",
    "tags",
    "coauthors",
    "visibility",
}
# Markdown is sanitized when shown, but markup that can run code is refused
# outright so that the author knows it will not work.
UNSAFE_MARKUP = re.compile(
    r"<\s*/?\s*(script|iframe|object|embed|style|form|input|svg|math)\b"
    r"|javascript\s*:|vbscript\s*:|\bon[a-z]+\s*=",
    re.IGNORECASE,
)


def _require(allowed):
    if not allowed:
        raise PermissionDenied


def normalize(text):
    """Lower case without accents: what the plain search compares."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def check_markdown(text, field):
    """Refuse Markdown with scripts, frames or event handlers."""
    if text and UNSAFE_MARKUP.search(text):
        raise ValidationError(
            {
                field: _(
                    "El texto contiene código que no se permite (scripts, marcos o atributos "
                    "de eventos). Use solo Markdown."
                )
            }
        )
    if text and len(text) > MAX_TEXT_CHARS:
        raise ValidationError({field: _("El texto admite hasta 50.000 caracteres.")})


# --- search -------------------------------------------------------------------------------


def search_vector():
    """The weighted vector of a practice, built from its own columns. The
    `rme_spanish` part drops accents before stemming, so "evaluacion" finds
    "evaluación"; Snowball's Spanish stemmer only knows some suffixes with
    their accent (-ción), so the plain `spanish` part is added too, and
    "evaluaciones" also finds "evaluación"."""
    vector = None
    for config in (SEARCH_CONFIG, "spanish"):
        part = (
            SearchVector("title", weight="A", config=config)
            + SearchVector("summary", "tags_text", weight="B", config=config)
            + SearchVector("problem", "body", "results", weight="C", config=config)
        )
        vector = part if vector is None else vector + part
    return vector


def refresh_search(queryset):
    """Recompute the search columns of these practices (set-based on
    PostgreSQL; the plain text row by row elsewhere)."""
    postgres = connection.vendor == "postgresql"
    practices = list(queryset.prefetch_related("tags"))
    for practice in practices:
        practice.tags_text = " ".join(tag.name for tag in practice.tags.all())[:500]
        # PostgreSQL searches the vector; the plain text would only widen rows.
        practice.search_text = (
            ""
            if postgres
            else normalize(
                " ".join(
                    [practice.title, practice.summary, practice.tags_text, practice.problem]
                    + [practice.body, practice.results]
                )
            )
        )
    Practice.objects.bulk_update(practices, ["tags_text", "search_text"], batch_size=500)
    if postgres and practices:
        Practice.objects.filter(pk__in=[p.pk for p in practices]).update(
            search_vector=search_vector()
        )


# --- write, edit, publish -----------------------------------------------------------------


def _tags(value):
    if isinstance(value, str):
        value = value.split(",")
    names = []
    for raw in value or []:
        name = " ".join(str(raw).split())[:60]
        if name and slugify(name) and name.lower() not in {n.lower() for n in names}:
            names.append(name)
    if len(names) > MAX_TAGS:
        raise ValidationError({"tags": _("Use a lo más 10 etiquetas.")})
    tags = []
    for name in names:
        tag, _created = Tag.objects.get_or_create(slug=slugify(name)[:60], defaults={"name": name})
        tags.append(tag)
    return tags


def coauthors_error(school):
    """The one message for co-authors who cannot sign a practice of `school`.
    It names nobody: an id outside the caller's reach (or of no one at all)
    gets exactly the same answer, so errors reveal no one out of scope."""
    return _("Los coautores deben ser personas con un cargo directivo vigente en %(school)s.") % {
        "school": school.display_name
    }


def _clean(school, data, *, publishing=False):
    """Validate the fields of a practice; returns them cleaned."""
    errors = {}
    title = " ".join((data.get("title") or "").split())
    if not title:
        errors["title"] = _("Indique el título de la práctica.")
    elif len(title) > 200:
        errors["title"] = _("El título admite hasta 200 caracteres.")
    data["title"] = title
    for field in TEXT_FIELDS:
        data[field] = (data.get(field) or "").strip()
        try:
            check_markdown(data[field], field)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if not data["summary"]:
        errors["summary"] = _("Escriba un resumen de la práctica.")
    elif len(data["summary"]) > 1000:
        errors["summary"] = _("El resumen admite hasta 1.000 caracteres.")
    if publishing and not data["body"]:
        errors["body"] = _("Cuente qué se hizo antes de publicar la práctica.")
    dimension = data.get("dimension")
    if isinstance(dimension, str):
        dimension = Dimension.objects.filter(code=dimension).first()
    if dimension is None:
        errors["dimension"] = _("Elija la dimensión del PME.")
    subdimension = data.get("subdimension")
    if isinstance(subdimension, str):
        subdimension = (
            Subdimension.objects.filter(code=subdimension).first() if subdimension else None
        )
    if (
        subdimension is not None
        and dimension is not None
        and subdimension.dimension_id != dimension.pk
    ):
        errors["subdimension"] = _("La subdimensión no pertenece a la dimensión elegida.")
    data["dimension"], data["subdimension"] = dimension, subdimension
    if data.get("visibility") not in PracticeVisibility.values:
        errors["visibility"] = _("Elija quiénes pueden ver la práctica.")
    levels = []
    for code in data.get("levels") or []:
        try:
            code = int(code)
        except (TypeError, ValueError):
            code = None
        if code is None or code not in TEACHING_LABELS:
            errors["levels"] = _("Tipo de enseñanza no válido.")
        elif code not in levels:
            levels.append(code)
    data["levels"] = sorted(levels)
    data["rural"] = bool(data.get("rural"))
    try:
        data["enrollment"] = max(0, int(data.get("enrollment") or 0))
    except (TypeError, ValueError):
        errors["enrollment"] = _("Indique la matrícula como un número entero.")
    coauthors = list(data.get("coauthors") or [])
    colleagues = set(
        Position.objects.active().filter(school=school).values_list("user_id", flat=True)
    )
    if any(u.pk not in colleagues for u in coauthors):
        errors["coauthors"] = coauthors_error(school)
    data["coauthors"] = coauthors
    try:
        data["tags"] = _tags(data.get("tags")) if not errors else []
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return data


def school_context(school):
    """The context fields a new practice starts with, from its school."""
    return {
        "levels": sorted(c for c in school.levels if c in TEACHING_LABELS),
        "rural": school.rural,
        "enrollment": school.enrollment,
    }


def _save(practice, data):
    for field in ("title", *TEXT_FIELDS, "levels", "rural", "enrollment", "visibility"):
        setattr(practice, field, data[field])
    practice.dimension = data["dimension"]
    practice.subdimension = data["subdimension"]
    practice.save()
    practice.tags.set(data["tags"])
    if data["coauthors"]:
        practice.authors.add(*data["coauthors"])
    refresh_search(Practice.objects.filter(pk=practice.pk))
    practice.refresh_from_db()


def create_practice(*, by, school, visibility=PracticeVisibility.NETWORK, **fields):
    """Write a draft practice for one of the user's schools; the user is its
    first author, co-authors must hold a position at the same school."""
    _require(perms.writable_schools(by).filter(pk=school.pk).exists())
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(
            _("Campos desconocidos: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    data = {**school_context(school), **fields, "visibility": visibility}
    with transaction.atomic():
        data = _clean(school, data)
        practice = Practice(school=school, created_by=by, status=PracticeStatus.DRAFT)
        data["coauthors"] = [by, *data["coauthors"]]
        _save(practice, data)
    return practice


def _values(practice, *, tags):
    """The practice's fields as _clean takes them, with these tags and no co-author added."""
    return {
        "title": practice.title,
        **{field: getattr(practice, field) for field in TEXT_FIELDS},
        "levels": practice.levels,
        "rural": practice.rural,
        "enrollment": practice.enrollment,
        "dimension": practice.dimension,
        "subdimension": practice.subdimension,
        "tags": tags,
        "coauthors": [],
        "visibility": practice.visibility,
    }


def update_practice(*, by, practice, **fields):
    """Change some fields of a practice (same rules as create_practice)."""
    _require(perms.can_edit_practice(by, practice))
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(
            _("Campos desconocidos: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    current = _values(practice, tags=[t.name for t in practice.tags.all()])
    with transaction.atomic():
        data = _clean(practice.school, {**current, **fields}, publishing=practice.is_published)
        if "coauthors" in fields:
            # The given list replaces the co-authors; whoever created it stays.
            keep = [u for u in [practice.created_by] if u is not None]
            practice.authors.set([u.pk for u in keep])
        _save(practice, data)
    return practice


def publish_practice(*, by, practice):
    """Publish a draft: from now on it is seen according to its visibility."""
    _require(perms.can_edit_practice(by, practice))
    if practice.is_published:
        raise ValidationError({"status": _("La práctica ya está publicada.")})
    data = _values(practice, tags=[])
    _clean(practice.school, data, publishing=True)
    with transaction.atomic():
        practice.status = PracticeStatus.PUBLISHED
        practice.published_at = timezone.now()
        practice.save(update_fields=["status", "published_at", "updated_at"])
    return practice


def unpublish_practice(*, by, practice):
    """Back to draft: only its school's directivos see it again."""
    _require(perms.can_edit_practice(by, practice))
    with transaction.atomic():
        practice.status = PracticeStatus.DRAFT
        practice.save(update_fields=["status", "updated_at"])
    return practice


# --- attachments --------------------------------------------------------------------------


def add_attachment(*, by, practice, file):
    """Attach a file (documents and images up to 10 MB; content checked
    against the extension; at most 10 per practice)."""
    _require(perms.can_edit_practice(by, practice))
    validate_attachment(file, max_bytes=MAX_ATTACHMENT_BYTES)
    with transaction.atomic():
        Practice.objects.select_for_update().filter(pk=practice.pk).first()
        if practice.attachments.count() >= MAX_ATTACHMENTS:
            raise ValidationError({"file": _("Una práctica admite hasta 10 archivos.")})
        return PracticeAttachment.create_from_upload(file, by=by, practice=practice)


def remove_attachment(*, by, attachment):
    _require(perms.can_edit_practice(by, attachment.practice))
    with transaction.atomic():
        attachment.delete()
        transaction.on_commit(lambda: attachment.file.delete(save=False))


# --- comments and their notices --------------------------------------------------------------


def add_comment(*, by, practice, body):
    """Comment a published practice. Its authors get an email (queued on
    commit), unless they chose the daily digest."""
    _require(perms.can_comment(by, practice))
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Escriba el comentario.")})
    check_markdown(body, "body")
    with transaction.atomic():
        comment = PracticeComment.objects.create(practice=practice, author=by, body=body)
        # Lazy: networks.practices.tasks imports this module (Celery task cycle).
        from .tasks import send_comment_notice

        outbox.send(send_comment_notice, [comment.pk])
    return comment


def set_digest_preference(*, user, daily_digest):
    """Email per comment (False) or one daily digest (True)."""
    preference, _created = PracticeNotificationPreference.objects.update_or_create(
        user=user, defaults={"daily_digest": bool(daily_digest)}
    )
    return preference


def wants_digest(user):
    return PracticeNotificationPreference.objects.filter(user=user, daily_digest=True).exists()


def practice_url(practice):
    return settings.SITE_URL + reverse("practices:detail", args=[practice.pk])


def _send(user, template, context):
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {**context, "user": user}
        subject = render_to_string(f"practices/email/{template}_subject.txt", context)
        body = render_to_string(f"practices/email/{template}_body.txt", context)
        html = render_to_string(f"practices/email/{template}_body.html", context)
    message = EmailMultiAlternatives(" ".join(subject.split()), body, to=[user.email])
    message.attach_alternative(html, "text/html")
    message.send()


def send_comment_notice(*, comment_id):
    """Email the practice's authors (not the commenter, not those who chose
    the digest) about one comment. Idempotent: each author is recorded
    before the email is sent, in one transaction. Returns how many sent."""
    comment = (
        PracticeComment.objects.select_related("practice__school", "author")
        .filter(pk=comment_id)
        .first()
    )
    if comment is None:
        return 0
    digest = PracticeNotificationPreference.objects.filter(user=OuterRef("pk"), daily_digest=True)
    already = PracticeNotice.objects.filter(comment=comment, user=OuterRef("pk"))
    authors = (
        comment.practice.authors.filter(is_active=True)
        .exclude(pk=comment.author_id)
        .exclude(Exists(digest))
        .exclude(Exists(already))
        .order_by("pk")
    )
    sent = 0
    context = {
        "comment": comment,
        "practice": comment.practice,
        "url": practice_url(comment.practice),
    }
    for user in authors:
        try:
            with transaction.atomic():
                PracticeNotice.objects.create(comment=comment, user=user)
                _send(user, "comment", context)
        except IntegrityError:
            continue
        sent += 1
    return sent


def send_daily_digests(*, day=None):
    """One email per author who chose the digest, with the comments others
    wrote on their practices on `day` (default: yesterday, America/Santiago).
    Idempotent: a digest is recorded per person and day. Returns how many."""
    day = day or (timezone.localdate() - datetime.timedelta(days=1))
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    end = timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )
    users = User.objects.filter(
        is_active=True,
        practice_notification_preference__daily_digest=True,
    ).exclude(Exists(PracticeDigest.objects.filter(user=OuterRef("pk"), day=day)))
    sent = 0
    for user in users:
        comments = list(
            PracticeComment.objects.filter(
                practice__authors=user, created_at__gte=start, created_at__lt=end
            )
            .exclude(author=user)
            .select_related("practice", "author")
            .order_by("practice_id", "created_at")
        )
        if not comments:
            continue
        try:
            with transaction.atomic():
                PracticeDigest.objects.create(user=user, day=day, comments=len(comments))
                _send(
                    user,
                    "digest",
                    {
                        "day": day,
                        "comments": comments,
                        "site_url": settings.SITE_URL,
                    },
                )
        except IntegrityError:
            continue
        sent += 1
    return sent


# --- adoption -----------------------------------------------------------------------------


def _clean_pme_action(pme_action, school):
    if pme_action is None:
        return None
    if isinstance(pme_action, int | str):
        pme_action = Action.objects.select_related("plan").filter(pk=pme_action).first()
    if pme_action is None or pme_action.plan.school_id != school.pk:
        raise ValidationError(
            {
                "pme_action": _(
                    "La acción debe ser del PME del establecimiento que adopta la práctica."
                )
            }
        )
    return pme_action


def _clean_stage(stage):
    if stage not in AdoptionStage.values:
        raise ValidationError({"stage": _("Elija la etapa de la adopción.")})
    return stage


def adopt_practice(
    *, by, practice, school, stage=AdoptionStage.EXPLORING, notes="", pme_action=None
):
    """Declare that one of the user's schools is adopting a practice of
    another school (once per school), with a first dated note."""
    _require(perms.can_view_practice(by, practice))
    errors = {}
    if not practice.is_published:
        errors["practice"] = _("Solo se adoptan prácticas publicadas.")
    elif school.pk == practice.school_id:
        errors["school"] = _("No se puede adoptar una práctica del propio establecimiento.")
    elif not perms.writable_schools(by).filter(pk=school.pk).exists():
        errors["school"] = _(
            "Solo puede registrar adopciones de un establecimiento donde es directivo."
        )
    elif PracticeAdoption.objects.filter(practice=practice, school=school).exists():
        errors["school"] = _("%(school)s ya registró la adopción de esta práctica.") % {
            "school": school.display_name
        }
    if errors:
        raise ValidationError(errors)
    stage = _clean_stage(stage)
    notes = (notes or "").strip()
    check_markdown(notes, "notes")
    pme_action = _clean_pme_action(pme_action, school)
    try:
        with transaction.atomic():
            adoption = PracticeAdoption.objects.create(
                practice=practice, school=school, stage=stage, pme_action=pme_action, adopted_by=by
            )
            PracticeAdoptionNote.objects.create(
                adoption=adoption, stage=stage, text=notes, author=by
            )
    except IntegrityError:
        raise ValidationError(
            {
                "school": _("%(school)s ya registró la adopción de esta práctica.")
                % {"school": school.display_name}
            }
        ) from None
    return adoption


def follow_up_adoption(*, by, adoption, stage, text="", date=None, pme_action=False):
    """A dated note on how the adoption goes, moving it to `stage`; the PME
    action is changed when given (None unlinks it)."""
    _require(perms.can_follow_adoption(by, adoption))
    stage = _clean_stage(stage)
    text = (text or "").strip()
    check_markdown(text, "text")
    date = date or timezone.localdate()
    if date > timezone.localdate():
        raise ValidationError({"date": _("La fecha de la nota no puede estar en el futuro.")})
    fields = ["stage", "updated_at"]
    if pme_action is not False:
        adoption.pme_action = _clean_pme_action(pme_action, adoption.school)
        fields.append("pme_action")
    with transaction.atomic():
        adoption.stage = stage
        adoption.save(update_fields=fields)
        note = PracticeAdoptionNote.objects.create(
            adoption=adoption, stage=stage, text=text, author=by, date=date
        )
    return note


# --- supervisors: feature and agenda -----------------------------------------------------


def reaches_network(practice, network):
    """Whether the network's members may all see the practice."""
    if practice.visibility == PracticeVisibility.ALL:
        return True
    in_network = network.network_schools.filter(
        school_id=practice.school_id, left_on__isnull=True
    ).exists()
    if practice.visibility == PracticeVisibility.DEPROV:
        return in_network or network.deprov_id == practice.school.deprov_id
    return in_network


def _require_reach(practice, network, field):
    if not practice.is_published:
        raise ValidationError({field: _("Solo se destacan prácticas publicadas.")})
    if not reaches_network(practice, network):
        raise ValidationError(
            {
                field: _(
                    "Los integrantes de %(network)s no pueden ver esta práctica (su visibilidad "
                    "no alcanza a la red)."
                )
                % {"network": network.code}
            }
        )


def feature_practice(*, by, practice, network):
    """Recommend a practice to a network the user runs. Idempotent."""
    _require(perms.can_view_practice(by, practice))
    _require(perms.featurable_networks(by).filter(pk=network.pk).exists())
    _require_reach(practice, network, "network")
    with transaction.atomic():
        feature, _created = PracticeFeature.objects.get_or_create(
            practice=practice, network=network, defaults={"featured_by": by}
        )
    return feature


def unfeature_practice(*, by, practice, network):
    _require(perms.featurable_networks(by).filter(pk=network.pk).exists())
    with transaction.atomic():
        PracticeFeature.objects.filter(practice=practice, network=network).delete()


def add_practice_to_agenda(*, by, practice, meeting, duration_minutes=20, presenter=""):
    """Put the practice on the agenda of a convened meeting the user runs,
    presented by its school unless told."""
    _require(perms.can_view_practice(by, practice))
    _require(meeting_perms.can_run(by, meeting))
    if meeting.status != MeetingStatus.CONVENED or meeting.starts_at <= timezone.now():
        raise ValidationError({"meeting": _("Elija una reunión convocada que aún no comienza.")})
    _require_reach(practice, meeting.network, "meeting")
    if PracticePresentation.objects.filter(
        agenda_item__meeting=meeting, practice=practice
    ).exists():
        raise ValidationError({"meeting": _("La práctica ya está en la tabla de esa reunión.")})
    with transaction.atomic():
        item = meeting_services.add_agenda_item(
            by=by,
            meeting=meeting,
            duration_minutes=duration_minutes,
            title=_("Práctica: %(title)s") % {"title": practice.title},
            description=practice.summary,
            presenter=presenter or practice.school.display_name,
        )
        PracticePresentation.objects.create(agenda_item=item, practice=practice)
    return item


# --- PME: an action copied from a practice --------------------------------------------------


def pme_action_initial(practice):
    """What a PME action copied from the practice starts with."""
    description = _("Basada en la práctica «%(title)s» de %(school)s: %(url)s") % {
        "title": practice.title,
        "school": practice.school.display_name,
        "url": practice_url(practice),
    }
    return {
        "name": practice.title[:300],
        "description": f"{practice.summary}\n\n{description}",
        "dimension": practice.dimension_id,
        "subdimension": practice.subdimension_id,
    }


def create_action_from_practice(*, by, plan, practice, funding=None, **fields):
    """Add to the plan an action copied from a practice the user may see,
    remembering where it came from. Same rules as pme.services.create_action."""
    _require(perms.can_view_practice(by, practice))
    with transaction.atomic():
        action = pme_services.create_action(by=by, plan=plan, funding=funding, **fields)
        PracticeAction.objects.create(action=action, practice=practice)
    return action


# --- ¿Quién puede ayudarnos? on the next agenda ------------------------------------------------


def next_convened_meeting(network):
    """The network's next convened meeting that has not started, or None."""
    return (
        Meeting.objects.filter(
            network=network, status=MeetingStatus.CONVENED, starts_at__gt=timezone.now()
        )
        .order_by("starts_at", "pk")
        .first()
    )


def propose_help_agenda_item(*, by, network, subdimension, duration_minutes=20):
    """Put one of the network's open needs (a subdimension with delayed
    actions) on the agenda of its next convened meeting, with the network's
    own strengths in it as the item's description. Only who runs the
    network's meetings (add_agenda_item checks it again)."""
    _require(perms.featurable_networks(by).filter(pk=network.pk).exists())
    meeting = next_convened_meeting(network)
    if meeting is None:
        raise ValidationError(
            {"meeting": _("La red no tiene una reunión convocada: convoque una primero.")}
        )
    code = getattr(subdimension, "pk", subdimension)
    need = next((n for n in network_needs(by, network) if n.subdimension.pk == code), None)
    if need is None:
        raise ValidationError(
            {"subdimension": _("La red no tiene acciones atrasadas en esa subdimensión.")}
        )
    if AgendaItem.objects.filter(meeting=meeting, title=need.agenda_title[:200]).exists():
        raise ValidationError({"subdimension": _("Ese tema ya está en la tabla de la reunión.")})
    return meeting_services.add_agenda_item(
        by=by,
        meeting=meeting,
        duration_minutes=duration_minutes,
        title=need.agenda_title,
        description=need.agenda_description,
    )
