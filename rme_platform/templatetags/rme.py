import datetime

from django import forms, template
from django.template.loader import get_template
from django.utils import timezone
from django.utils.safestring import mark_safe

from rme_platform.nav import render_nav
from rme_platform.text import render_markdown

register = template.Library()


@register.simple_tag
def bootstrap_widget(field):
    """Render a bound field's widget with Bootstrap classes and the ARIA
    attributes that tie it to its errors."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.Select | forms.SelectMultiple):
        css = "form-select"
    elif isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        css = ""
    else:
        css = "form-control"
    attrs = {}
    if css:
        attrs["class"] = f"{css}{' is-invalid' if field.errors else ''}"
    if field.errors:
        attrs["aria-invalid"] = "true"
        # Django points aria-describedby at "<id>_helptext" (rendered with
        # that id by includes/form_fields.html); the errors come after it.
        described = [f"{field.auto_id}_helptext"] if field.help_text and field.auto_id else []
        attrs["aria-describedby"] = " ".join([*described, f"{field.id_for_label}-errors"])
    return field.as_widget(attrs=attrs)


@register.filter(name="markdown")
def markdown_filter(text):
    """Render user Markdown as sanitized HTML."""
    return mark_safe(render_markdown(text))  # noqa: S308 - sanitized by nh3


@register.filter
def datetime_attr(value):
    """A valid HTML `datetime` attribute: local time to the second with its
    offset. (`|date:'c'` writes microseconds, which HTML does not accept.)"""
    if not isinstance(value, datetime.datetime):
        return value.isoformat() if isinstance(value, datetime.date) else ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(microsecond=0).isoformat()


@register.simple_tag(takes_context=True)
def site_nav(context):
    """The menu bar (includes/nav.html), rendered once per kind of reader:
    rme_platform.nav."""
    request = context.get("request")
    if request is None:  # rendered outside a request: the bar as the template makes it
        return get_template("includes/nav.html").render(context.flatten())
    return render_nav(request)
