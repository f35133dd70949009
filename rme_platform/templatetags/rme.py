from django import forms, template
from django.utils.safestring import mark_safe

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
        attrs["aria-describedby"] = f"{field.id_for_label}-errors"
    return field.as_widget(attrs=attrs)


@register.filter(name="markdown")
def markdown_filter(text):
    """Render user Markdown as sanitized HTML."""
    return mark_safe(render_markdown(text))  # noqa: S308 - sanitized by nh3
