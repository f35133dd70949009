from functools import partial

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rme_platform.widgets import FastSelect

from .cache import registry_options_key
from .models import Comuna, Dependency, Deprov, Region, School, SchoolStatus

ALL_F = pgettext_lazy("filtro, femenino", "Todas")
ALL_M = pgettext_lazy("filtro, masculino", "Todos")


class SchoolFilter(django_filters.FilterSet):
    """School search, shared by the search page and the API."""

    q = django_filters.CharFilter(label=_("Nombre o RBD"), method="filter_q")
    region = django_filters.ModelChoiceFilter(
        label=_("Región"),
        field_name="comuna__region",
        queryset=Region.objects.all(),
        empty_label=ALL_F,
        widget=FastSelect(cache_key=partial(registry_options_key, "region")),
    )
    comuna = django_filters.ModelChoiceFilter(
        label=_("Comuna"),
        queryset=Comuna.objects.all(),
        empty_label=ALL_F,
        widget=FastSelect(cache_key=partial(registry_options_key, "comuna")),
    )
    deprov = django_filters.ModelChoiceFilter(
        label=_("Departamento provincial"),
        queryset=Deprov.objects.all(),
        empty_label=ALL_M,
        widget=FastSelect(cache_key=partial(registry_options_key, "deprov")),
    )
    dependency = django_filters.ChoiceFilter(
        label=_("Dependencia"), choices=Dependency.choices, empty_label=ALL_F
    )
    status = django_filters.ChoiceFilter(
        label=_("Estado"), choices=SchoolStatus.choices, empty_label=ALL_M
    )
    rural = django_filters.BooleanFilter(
        label=_("Zona"),
        widget=forms.Select(choices=[("", ALL_F), ("true", _("Rural")), ("false", _("Urbana"))]),
    )

    class Meta:
        model = School
        fields = ["q", "region", "comuna", "deprov", "dependency", "status", "rural"]

    def filter_q(self, queryset, name, value):
        """Part of the name, or an RBD (with or without its check digit)."""
        value = value.strip()
        rbd = value.split("-")[0].strip()
        if rbd.isascii() and rbd.isdigit() and len(rbd) <= 9:
            return queryset.filter(Q(rbd=int(rbd)) | Q(name__icontains=value))
        return queryset.filter(name__icontains=value)
