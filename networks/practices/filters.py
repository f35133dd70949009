"""The library's search and filters, shared by the page and the API."""

from functools import partial

import django_filters
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, FloatField, TextField, Value
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from networks.models import NetworkSchool
from pme.models import Dimension
from rme_platform.widgets import FastSelect, FastTextInput
from schools.cache import registry_options_key
from schools.models import TEACHING_LABELS, Region

from .models import Practice, Tag
from .services import SEARCH_CONFIG, normalize

ALL_F = pgettext_lazy("filtro, femenino", "Todas")
ALL_M = pgettext_lazy("filtro, masculino", "Todos")
RELEVANCE, RECENT = "relevance", "recent"
ORDERINGS = [(RELEVANCE, _("Relevancia")), (RECENT, _("Más recientes"))]


def search(queryset, text):
    """Practices matching `text`, annotated with `rank`. PostgreSQL: full
    text in Spanish without accents (websearch syntax: "frases", -palabra,
    or); elsewhere every word must appear in the title, summary, tags or
    text, accents and case ignored."""
    text = " ".join((text or "").split())[:200]
    if not text:
        return queryset.annotate(rank=Value(0.0, output_field=FloatField()))
    if connection.vendor == "postgresql":
        query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
        return queryset.filter(search_vector=query).annotate(
            rank=SearchRank(F("search_vector"), query)
        )
    for word in normalize(text).split():
        queryset = queryset.filter(search_text__contains=word.strip('"'))
    return queryset.annotate(rank=Value(0.0, output_field=FloatField()))


def with_level(queryset, code):
    """Practices whose levels include `code` (a JSON list of integers)."""
    if connection.vendor == "postgresql":
        return queryset.filter(levels__contains=[code])
    return queryset.alias(levels_text=Cast("levels", TextField())).filter(
        levels_text__regex=rf"(^|[^0-9]){code}([^0-9]|$)"
    )


class PracticeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Buscar"), method="filter_q", widget=FastTextInput)
    dimension = django_filters.ModelChoiceFilter(
        label=_("Dimensión del PME"),
        queryset=Dimension.objects.all(),
        empty_label=ALL_F,
        widget=FastSelect,
    )
    level = django_filters.ChoiceFilter(
        label=_("Tipo de enseñanza"),
        choices=sorted(TEACHING_LABELS.items()),
        empty_label=ALL_M,
        method="filter_level",
        widget=FastSelect,
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Región"),
        field_name="school__comuna__region",
        queryset=Region.objects.all(),
        empty_label=ALL_F,
        # Options cached with the school registry's version (schools.cache).
        widget=FastSelect(cache_key=partial(registry_options_key, "practices-region")),
    )
    network = django_filters.CharFilter(
        label=_("Red (código)"), method="filter_network", max_length=30, widget=FastTextInput
    )
    rural = django_filters.BooleanFilter(
        label=_("Zona"),
        widget=FastSelect(choices=[("", ALL_F), ("true", _("Rural")), ("false", _("Urbana"))]),
    )
    tag = django_filters.CharFilter(label=_("Etiqueta"), method="filter_tag", max_length=60)
    ordering = django_filters.ChoiceFilter(
        label=_("Ordenar por"),
        choices=ORDERINGS,
        empty_label=None,
        method="keep",
        widget=FastSelect,
    )

    class Meta:
        model = Practice
        fields = ["q", "dimension", "level", "region", "network", "rural", "tag", "ordering"]

    def filter_q(self, queryset, name, value):
        return queryset  # applied in filter_queryset, where the rank is ranked

    def keep(self, queryset, name, value):
        return queryset

    def filter_level(self, queryset, name, value):
        return with_level(queryset, int(value)) if str(value).isdigit() else queryset

    def filter_network(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        schools = NetworkSchool.objects.filter(network__code=value, left_on__isnull=True).values(
            "school_id"
        )
        return queryset.filter(school__in=schools)

    def filter_tag(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        tagged = Practice.tags.through.objects.filter(tag__in=Tag.objects.filter(slug=value))
        return queryset.filter(pk__in=tagged.values("practice_id"))

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        text = self.form.cleaned_data.get("q") or ""
        queryset = search(queryset, text)
        ordering = self.form.cleaned_data.get("ordering") or (RELEVANCE if text else RECENT)
        # Published practices only (publishing sets published_at): plain
        # descending order, the order of the practices_library index, so a
        # page of the newest is read from the index instead of sorting every
        # visible practice.
        if ordering == RELEVANCE and text.strip():
            return queryset.order_by("-rank", "-published_at", "-pk")
        return queryset.order_by("-published_at", "-pk")
