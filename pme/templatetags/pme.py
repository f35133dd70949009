from django import template
from django.utils.formats import number_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from pme.models import ActionStatus
from rme_platform.money import format_clp

register = template.Library()

BADGES = {
    "done": "text-bg-success",
    "in_progress": "text-bg-primary",
    "planned": "text-bg-secondary",
    "delayed": "text-bg-danger",
    "cancelled": "text-bg-light border",
}


@register.filter
def clp(value):
    """Whole Chilean pesos with thousands separators: $1.500.000 ($1,500,000 in English)."""
    return format_clp(value)


@register.filter
def percent(value):
    """A progress figure with one decimal at most: 45 %, 47,5 %."""
    if value in (None, ""):
        return "—"
    value = round(float(value), 1)
    decimals = 0 if value.is_integer() else 1
    return number_format(value, decimal_pos=decimals, use_l10n=True) + " %"


# The two tags below are drawn on every row of a plan's actions: written
# with format_html rather than as included templates (a template per row
# was a good part of the plan page's time).
@register.simple_tag
def status_badge(action):
    state = action.effective_status
    return format_html(
        '<span class="badge {}">{}</span>',
        BADGES.get(state, "text-bg-light"),
        action.effective_status_label,
    )


PROGRESS_BAR = (
    '<div class="d-flex align-items-center gap-2"><div class="progress flex-grow-1" '
    'style="min-width:4rem;height:.6rem" role="progressbar" aria-label="{label}" '
    'aria-valuenow="{value}" aria-valuemin="0" aria-valuemax="100"><div class="progress-bar" '
    'style="width: {value}%"></div></div><span class="small text-nowrap">{value} %</span></div>'
)


@register.simple_tag
def progress_bar(value, label=""):
    # str.format rather than format_html: a list writes fifty of these.
    value = int(round(value or 0))
    label = conditional_escape(label or _("Avance"))
    return mark_safe(PROGRESS_BAR.format(label=label, value=value))  # noqa: S308 - label escaped


@register.filter
def get_item(mapping, key):
    return mapping.get(key, 0) if mapping else 0


@register.simple_tag
def action_status_choices():
    return ActionStatus.choices
