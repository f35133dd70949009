"""Forms of the PME pages. They parse what the browser sends; the rules
(years, dates within the plan's year, amounts, closed plans) live in the
services, whose messages the views attach to these forms' fields."""

import django_filters
from django import forms
from django.utils import timezone
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import gettext_lazy as _

from networks.permissions import visible_networks
from rme_platform.forms import CLPField
from rme_platform.widgets import FastSelect

from .models import (
    SETTABLE_STATUSES,
    ATEProvider,
    Dimension,
    FundingSource,
    Phase,
    Strategy,
    Subdimension,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CycleForm(forms.Form):
    school = forms.TypedChoiceField(label=_("Establecimiento"), coerce=int)
    first_year = forms.IntegerField(label=_("Primer año"))
    last_year = forms.IntegerField(
        label=_("Último año"), help_text=_("Un ciclo dura a lo más cuatro años.")
    )
    pei_vision = forms.CharField(
        label=_("Visión (PEI)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    pei_mission = forms.CharField(
        label=_("Misión (PEI)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    pei_sellos = forms.CharField(
        label=_("Sellos educativos (PEI)"),
        required=False,
        help_text=_("Uno por línea."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, schools=None, dimensions=(), assessments=None, **kwargs):
        super().__init__(*args, **kwargs)
        if schools is None:
            del self.fields["school"]
        else:
            self.fields["school"].choices = [(s.rbd, s.display_name) for s in schools]
        assessments = assessments or {}
        for dimension in dimensions:
            self.fields[f"assessment_{dimension.code}"] = forms.CharField(
                label=_("Autoevaluación: %(dimension)s") % {"dimension": dimension},
                required=False,
                initial=assessments.get(dimension.code, ""),
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def assessment_texts(self):
        return {
            key.removeprefix("assessment_"): value
            for key, value in self.cleaned_data.items()
            if key.startswith("assessment_")
        }


class ObjectiveForm(forms.Form):
    dimension = forms.ModelChoiceField(label=_("Dimensión"), queryset=Dimension.objects.all())
    text = forms.CharField(
        label=_("Objetivo estratégico"), widget=forms.Textarea(attrs={"rows": 2})
    )


class GoalForm(forms.Form):
    indicator = forms.CharField(label=_("Indicador"), max_length=300)
    baseline = forms.DecimalField(
        label=_("Línea base"), required=False, max_digits=12, decimal_places=2
    )
    target = forms.DecimalField(label=_("Meta"), max_digits=12, decimal_places=2)
    unit = forms.CharField(label=_("Unidad"), max_length=40, required=False)


class StrategyForm(forms.Form):
    text = forms.CharField(label=_("Estrategia"), widget=forms.Textarea(attrs={"rows": 2}))


class PlanCreateForm(forms.Form):
    year = forms.IntegerField(label=_("Año del plan"))


class PlanForm(forms.Form):
    phase = forms.ChoiceField(label=_("Fase"), choices=Phase.choices)
    diagnosis = forms.CharField(
        label=_("Diagnóstico"),
        required=False,
        help_text=_("Admite Markdown."),
        widget=forms.Textarea(attrs={"rows": 8}),
    )


class GroupedSubdimensions(BaseChoiceIterator):
    """Lazy choices: read when the widget renders, not when a form class is
    defined (one query)."""

    def __init__(self, field):
        self.field = field

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        groups = {}
        subdimensions = self.field.queryset.select_related("dimension")
        for sub in subdimensions.order_by("dimension__order", "order"):
            groups.setdefault(sub.dimension, []).append((sub.pk, str(sub)))
        for dimension, subs in groups.items():
            yield (str(dimension), subs)


class SubdimensionField(forms.ModelChoiceField):
    """A subdimension, offered grouped under its dimension."""

    def __init__(self, **kwargs):
        super().__init__(queryset=Subdimension.objects.all(), **kwargs)

    choices = property(GroupedSubdimensions, forms.ChoiceField.choices.fset)


class ActionForm(forms.Form):
    name = forms.CharField(label=_("Nombre de la acción"), max_length=300)
    description = forms.CharField(
        label=_("Descripción"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    dimension = forms.ModelChoiceField(label=_("Dimensión"), queryset=Dimension.objects.all())
    subdimension = SubdimensionField(label=_("Subdimensión"), required=False)
    strategy = forms.ModelChoiceField(label=_("Estrategia"), required=False, queryset=None)
    start_date = forms.DateField(label=_("Inicio"), widget=DATE_WIDGET)
    end_date = forms.DateField(label=_("Término"), widget=DATE_WIDGET)
    responsible = forms.CharField(label=_("Responsable (cargo)"), max_length=200, required=False)
    resources = forms.CharField(
        label=_("Recursos"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    ate_provider = forms.ModelChoiceField(
        label=_("Proveedor ATE"),
        required=False,
        queryset=None,
        help_text=_("Solo si la acción contrata asistencia técnica educativa."),
    )
    verification_means = forms.CharField(
        label=_("Medios de verificación"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    status = forms.ChoiceField(
        label=_("Estado"),
        choices=[(s.value, s.label) for s in SETTABLE_STATUSES],
        help_text=_("«Atrasada» se calcula sola cuando pasa la fecha de término."),
    )
    progress = forms.IntegerField(label=_("Avance (%)"), initial=0)

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["strategy"].queryset = Strategy.objects.filter(
            objective__cycle_id=plan.cycle_id
        ).order_by("pk")
        self.fields["strategy"].label_from_instance = lambda s: s.text[:120]
        providers = ATEProvider.objects.filter(active=True)
        self.fields["ate_provider"].queryset = providers.order_by("name")
        for index, source in enumerate(FundingSource):
            field = CLPField(
                label=_("Financiamiento %(source)s (CLP)") % {"source": source.label},
                required=False,
            )
            if index:  # the hint once, under the first amount
                field.help_text = ""
            self.fields[f"funding_{source.value}"] = field

    def service_fields(self):
        data = dict(self.cleaned_data)
        funding = {
            source: data.pop(f"funding_{source}")
            for source in FundingSource.values
            if f"funding_{source}" in data
        }
        funding = {k: v for k, v in funding.items() if v not in (None, "")}
        return data, funding


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class ProgressForm(forms.Form):
    date = forms.DateField(label=_("Fecha"), widget=DATE_WIDGET, initial=timezone.localdate)
    progress = forms.IntegerField(label=_("Avance (%)"))
    note = forms.CharField(
        label=_("Nota"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    evidence = MultipleFileField(
        label=_("Evidencias"),
        required=False,
        help_text=_("PDF, imágenes, documentos de Office o texto; hasta 10 MB cada uno."),
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comentario"),
        max_length=5000,
        help_text=_("Admite Markdown. El establecimiento recibirá un aviso por correo."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, notifies_school=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not notifies_school:
            self.fields["body"].help_text = _("Admite Markdown.")


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Archivo CSV"))


class PlanFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(label=_("Año"))
    # FastSelect: the same <select> as Django's template, written in Python
    # (the widget templates were a fifth of the plan list's time).
    network = django_filters.ModelChoiceFilter(
        label=_("Red"), queryset=None, method="filter_network", widget=FastSelect
    )
    phase = django_filters.ChoiceFilter(label=_("Fase"), choices=Phase.choices, widget=FastSelect)
    shared_with_network = django_filters.BooleanFilter(
        label=_("Compartido con la red"),
        widget=FastSelect(choices=[("", _("Todos")), ("true", _("Sí")), ("false", _("No"))]),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["network"].queryset = visible_networks(user).order_by("-year", "code")

    def filter_network(self, queryset, name, value):
        return queryset.filter(
            school__network_links__network=value, school__network_links__left_on__isnull=True
        )
