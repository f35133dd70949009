from html import escape

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _

from pme.models import ActionStatus
from rme_platform.links import row_url
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


@register.simple_tag
def progress_bar(value, label=""):
    value = int(round(value or 0))
    return format_html(
        '<div class="d-flex align-items-center gap-2"><div class="progress flex-grow-1" '
        'style="min-width:4rem;height:.6rem" role="progressbar" aria-label="{}" '
        'aria-valuenow="{}" aria-valuemin="0" aria-valuemax="100"><div class="progress-bar" '
        'style="width: {}%"></div></div><span class="small text-nowrap">{} %</span></div>',
        label or _("Avance"),
        value,
        value,
        value,
    )


@register.filter
def get_item(mapping, key):
    return mapping.get(key, 0) if mapping else 0


@register.simple_tag
def action_status_choices():
    return ActionStatus.choices


@register.simple_tag
def network_school_rows(plans):
    """The network panel's rows, one per shared plan, written here in one
    go instead of a template row per school (link, phase, progress bar,
    date): the same HTML the loop in the template wrote."""
    plan_url = row_url("pme:plan_detail")
    approved = f' <span class="badge text-bg-success">{_e(_("Aprobado"))}</span>'
    stale = f'<span class="badge text-bg-warning">{_e(_("más de 60 días"))}</span> '
    html = []
    for plan in plans:
        name = plan.school.display_name
        school = _e(name)
        if plan.readable:
            school = f'<a href="{_e(plan_url(plan.pk))}">{school}</a>'
        progress = progress_bar(plan.avg_progress, name) if plan.n_actions else "—"
        delayed = (
            f'<span class="text-danger fw-semibold">{plan.n_delayed}</span>'
            if plan.n_delayed
            else "0"
        )
        last = plan.last_activity_at
        last = _e(date_filter(template_localtime(last), "SHORT_DATE_FORMAT")) if last else ""
        phase = _e(plan.get_phase_display()) + (approved if plan.approved_at else "")
        html.append(
            "\n        <tr>\n"
            f"          <td>{school}</td>\n"
            f"          <td>{phase}</td>\n"
            f'          <td class="text-end">{plan.n_actions}</td>\n'
            f"          <td>{progress}</td>\n"
            f'          <td class="text-end">{delayed}</td>\n'
            f"          <td>{stale if plan.is_stale else ''}{last}</td>\n"
            "        </tr>\n      "
        )
    return mark_safe("".join(html))  # noqa: S308 - values escaped by _e, the bar by format_html


def _e(value):
    """A value as the template's autoescape writes it (html.escape)."""
    return escape(str(value))
