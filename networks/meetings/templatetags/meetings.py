import datetime
import unicodedata

from django import template
from django.core.exceptions import ObjectDoesNotExist
from django.template.defaultfilters import linebreaksbr
from django.utils import formats, timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rme_platform.links import row_url

from ..models import OPEN_AGREEMENT_STATUSES, AgreementStatus

register = template.Library()

AGREEMENT_BADGES = {
    "done": "text-bg-success",
    "dropped": "text-bg-secondary",
    "in_progress": "text-bg-primary",
}


# Drawn for each agreement of the meeting page, the minutes page and the
# home panel: written with format_html rather than an included template.
@register.simple_tag
def agreement_status(agreement):
    """The agreement's status badge, and "Vencido" when it is overdue."""
    badge = format_html(
        '<span class="badge {}">{}</span>',
        AGREEMENT_BADGES.get(agreement.status, "text-bg-light border"),
        agreement.get_status_display(),
    )
    if agreement.is_overdue:
        return format_html('{} <span class="badge text-bg-danger">{}</span>', badge, _("Vencido"))
    return badge


def _chars(text, length):
    """|truncatechars:length, without a Truncator for a text that fits."""
    normal = unicodedata.normalize("NFC", text)
    return normal if len(normal) <= length else Truncator(text).chars(length)


@register.simple_tag
def agreement_items(agreements, show_meeting=False):
    """The <li> of each agreement (its link, status, responsible, deadline,
    the meeting it comes from with `show_meeting`, and its last follow-up
    note), written here rather than an included template per agreement
    (they were a fifth of the meeting page's rendering): the texts are
    translated and the dates formatted once for all the rows. Each value is
    escaped as the template escaped it."""
    url = row_url("meetings:agreement")
    statuses = {value: escape(label) for value, label in AgreementStatus.choices}
    overdue = ' <span class="badge text-bg-danger">{}</span>'.format(escape(_("Vencido")))
    today = timezone.localdate()
    responsible, due = _("Responsable: %(who)s"), _("Plazo: %(date)s")
    origin_text, note_text = (
        _("Acordado en «%(title)s» (%(date)s)"),
        _("Último seguimiento (%(date)s): %(text)s"),
    )
    dates = {}

    def date(value, fmt):
        # |date:fmt (a datetime in local time), each value formatted once.
        if (value, fmt) not in dates:
            local = timezone.localtime(value) if isinstance(value, datetime.datetime) else value
            dates[value, fmt] = escape(formats.date_format(local, fmt))
        return dates[value, fmt]

    rows = []
    for agreement in agreements:
        status = agreement.status
        badge = '<span class="badge {}">{}</span>'.format(
            AGREEMENT_BADGES.get(status, "text-bg-light border"), statuses.get(status, status)
        )
        if status in OPEN_AGREEMENT_STATUSES and agreement.due_on < today:
            badge += overdue
        who = agreement.responsible_label
        details = (responsible % {"who": escape(who)} + " · " if who else "") + due % {
            "date": date(agreement.due_on, "DATE_FORMAT")
        }
        origin = ""
        if show_meeting:
            origin = " · " + origin_text % {
                "title": escape(agreement.meeting.title),
                "date": date(agreement.meeting.starts_at, "SHORT_DATE_FORMAT"),
            }
        note = agreement.last_note
        last = ""
        if note:
            text = note_text % {
                "date": date(note.created_at, "SHORT_DATE_FORMAT"),
                "text": escape(_chars(note.text, 140)),
            }
            last = f'<div class="small mt-1">{text}</div>'
        rows.append(
            '\n<li class="list-group-item">\n'
            '  <div class="d-flex justify-content-between gap-2 flex-wrap">\n'
            f'    <a class="fw-semibold" href="{url(agreement.pk)}">'
            f"{escape(_chars(agreement.text, 160))}</a>\n"
            f"    <span>{badge}</span>\n"
            "  </div>\n"
            '  <div class="small text-body-secondary">\n'
            f"    {details}\n"
            f"    {origin}\n"
            "  </div>\n"
            f"  {last}\n"
            "</li>\n"
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value escaped above


@register.simple_tag
def agenda_rows(agenda):
    """The <li> of each agenda item of the meeting page, written here
    rather than by the template's loop (same text, each value escaped as
    the template escaped it)."""
    practice_url = row_url("practices:detail")
    # Translated literals are written as they are, like {% translate %}.
    see_practice = _("Ver la práctica compartida")
    badge = '<span class="badge text-bg-info" title="{}">{}</span><br>'.format(
        _("Este punto viene de las propuestas de los integrantes"), _("Propuesto por integrantes")
    )
    rows = []
    for item in agenda:
        try:
            link = item.practice_link
        except ObjectDoesNotExist:  # not a practice's presentation
            link = None
        practice = ""
        if link:
            href = practice_url(link.practice_id)
            practice = f'<div class="small"><a href="{href}">{see_practice}</a></div>'

        description = (
            f'<div class="small">{linebreaksbr(item.description, autoescape=True)}</div>'
            if item.description
            else ""
        )
        presenter = (
            _("Presenta: %(name)s") % {"name": escape(item.presenter)} if item.presenter else ""
        )
        minutes = item.duration_minutes
        duration = ngettext("%(minutes)s minuto", "%(minutes)s minutos", minutes) % {
            "minutes": minutes
        }
        rows.append(
            '\n  <li class="list-group-item d-flex justify-content-between'
            ' align-items-start gap-2">\n'
            '    <div class="ms-2 me-auto">\n'
            f'      <div class="fw-semibold">{escape(item.title)}</div>\n'
            f"      {practice}\n"
            f"      {description}\n"
            f'      <div class="small text-body-secondary">{presenter}</div>\n'
            "    </div>\n"
            '    <div class="text-end text-nowrap">\n'
            f"      {badge if item.proposal_id else ''}\n"
            f'      <span class="small">{duration}</span>\n'
            "    </div>\n"
            "  </li>\n"
            "  "
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value escaped above
