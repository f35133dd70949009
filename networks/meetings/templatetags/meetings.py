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


def _short_date(moment):
    # |date:"SHORT_DATE_FORMAT" of a datetime: in local time.
    return formats.date_format(timezone.localtime(moment), "SHORT_DATE_FORMAT")


@register.simple_tag
def agreement_items(agreements, show_meeting=False):
    """The <li> of each agreement (its link, status, responsible, deadline,
    the meeting it comes from with `show_meeting`, and its last follow-up
    note), written here rather than an included template per agreement
    (they were a fifth of the meeting page's rendering). Each value is
    escaped as the template escaped it."""
    url = row_url("meetings:agreement")
    rows = []
    for agreement in agreements:
        who = agreement.responsible_label
        details = (_("Responsable: %(who)s") % {"who": escape(who)} + " · " if who else "") + _(
            "Plazo: %(date)s"
        ) % {"date": escape(formats.date_format(agreement.due_on, "DATE_FORMAT"))}
        origin = ""
        if show_meeting:
            origin = " · " + _("Acordado en «%(title)s» (%(date)s)") % {
                "title": escape(agreement.meeting.title),
                "date": escape(_short_date(agreement.meeting.starts_at)),
            }
        note = agreement.last_note
        last = ""
        if note:
            text = _("Último seguimiento (%(date)s): %(text)s") % {
                "date": escape(_short_date(note.created_at)),
                "text": escape(Truncator(note.text).chars(140)),
            }
            last = f'<div class="small mt-1">{text}</div>'
        rows.append(
            '\n<li class="list-group-item">\n'
            '  <div class="d-flex justify-content-between gap-2 flex-wrap">\n'
            f'    <a class="fw-semibold" href="{url(agreement.pk)}">'
            f"{escape(Truncator(agreement.text).chars(160))}</a>\n"
            f"    <span>{agreement_status(agreement)}</span>\n"
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
