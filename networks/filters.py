from functools import partial

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rme_platform.widgets import FastSelect
from schools.cache import registry_options_key
from schools.models import Deprov, Region

from .models import Network, NetworkStatus


class NetworkFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Buscar"), method="search")
    region = django_filters.ModelChoiceFilter(
        label=_("Región"),
        field_name="deprov__region",
        queryset=Region.objects.all(),
        widget=FastSelect(cache_key=partial(registry_options_key, "network-region")),
    )
    deprov = django_filters.ModelChoiceFilter(
        label=_("Departamento provincial"),
        queryset=Deprov.objects.all(),
        widget=FastSelect(cache_key=partial(registry_options_key, "network-deprov")),
    )
    year = django_filters.NumberFilter(label=_("Año"))
    status = django_filters.ChoiceFilter(label=_("Estado"), choices=NetworkStatus.choices)

    class Meta:
        model = Network
        fields = ["q", "region", "deprov", "year", "status"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value))
