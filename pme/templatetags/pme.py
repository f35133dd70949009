from django import template
from django.utils.formats import number_format

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


@register.inclusion_tag("pme/_status.html")
def status_badge(action):
    state = action.effective_status
    return {"css": BADGES.get(state, "text-bg-light"), "label": action.effective_status_label}


@register.inclusion_tag("pme/_progress.html")
def progress_bar(value, label=""):
    value = int(round(value or 0))
    return {"value": value, "label": label}


@register.filter
def get_item(mapping, key):
    return mapping.get(key, 0) if mapping else 0


@register.simple_tag
def action_status_choices():
    return ActionStatus.choices
