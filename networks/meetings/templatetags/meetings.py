from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

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
