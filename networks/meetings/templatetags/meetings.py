from django import template
from django.utils import formats, timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

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
