"""Helpers shared by the apps' forms."""

from functools import lru_cache

from django import forms
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .money import group_thousands, parse_clp


def add_service_errors(form, exc):
    """Attach a service's ValidationError to the form: to the field it names
    when the form has it, else to the form as a whole."""
    if hasattr(exc, "error_dict"):
        for key, errors in exc.message_dict.items():
            form.add_error(key if key in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@lru_cache(maxsize=1024)
def _blank_fields(form_class, language, kwargs, initial):
    form = form_class(initial=dict(initial) or None, **dict(kwargs))
    return render_to_string("includes/form_fields.html", {"form": form})


def form_fields(form_class, form=None, *, initial=None, **kwargs):
    """A form's fields as includes/form_fields.html writes them. A bound
    `form` (with its errors) is rendered now; an empty one of `form_class`
    (built with `initial` and `kwargs`, all hashable) once per process and
    language: its labels and help texts are translated, nothing else of it
    varies from one request to the next."""
    if form is not None and form.is_bound:
        return render_to_string("includes/form_fields.html", {"form": form})
    return _blank_fields(
        form_class,
        get_language(),
        tuple(sorted(kwargs.items())),
        tuple(sorted((initial or {}).items())),
    )


class CLPInput(forms.TextInput):
    """A peso amount shown as it is written, "1.500.000" (a text input: a
    number input would drop or misread the thousands dots)."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "numeric", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, int):
            return group_thousands(value)
        return super().format_value(value)


class CLPField(forms.Field):
    """Whole Chilean pesos, typed with or without thousands dots, "$" or
    spaces ("$ 1.500.000"); cleans to an int, or None when blank."""

    widget = CLPInput

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("En pesos, por ejemplo 1.500.000."))
        super().__init__(**kwargs)

    def to_python(self, value):
        return parse_clp(value)

    def prepare_value(self, value):
        # A valid amount is shown back grouped, whatever way it was typed.
        try:
            number = parse_clp(value)
        except ValidationError:
            return value
        return value if number is None else number
