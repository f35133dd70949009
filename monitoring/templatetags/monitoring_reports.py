"""Number formats of the PDF reports, in the active language."""

from django import template
from django.utils.formats import number_format

from monitoring.reports import rendering

register = template.Library()


@register.filter
def pct(value):
    """62,4 % in Spanish, 62.4% in English; — for nothing."""
    return rendering.pct(value)


@register.filter
def pp(value):
    """A signed difference in percentage points."""
    return rendering.points(value)


@register.filter
def num(value):
    """An integer with thousands separators (12.345 in Spanish)."""
    if value in (None, ""):
        return "—"
    return number_format(value, use_l10n=True, force_grouping=True)


@register.filter
def dec2(value):
    """A mean with two decimals (3,45)."""
    if value in (None, ""):
        return "—"
    return number_format(value, decimal_pos=2, use_l10n=True)
