"""The library's search and filters, shared by the page and the API."""

import json
from functools import partial

import django_filters
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, FloatField, TextField, Value
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from networks.models import Network, NetworkSchool
from pme.models import Dimension
from rme_platform.sql import quoted
from rme_platform.widgets import FastSelect, FastTextInput
from schools.cache import registry_options_key
from schools.models import TEACHING_LABELS, Comuna, Region, School

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


def library_sql(data, p):
    """PracticeFilter's filters, search and order as SQL over the practice
    columns `p` (a dict of quoted, qualified column names), for the library
    page's count and page of ids written as SQL (selectors.LibraryQuery):
    compiling them as querysets cost more than the rest of the search page.
    `data`: the valid filter form's cleaned_data (invalid fields are left
    out, and ignored, as PracticeFilter does). Returns the conditions' SQL
    (a list, joined with AND) and parameters, and the ORDER BY's SQL and
    parameters: the same practices in the same order as
    PracticeFilter.filter_queryset."""
    sql, params = [], []
    if data.get("dimension") is not None:
        sql.append(f"{p['dimension_id']} = %s")
        params.append(data["dimension"].pk)
    level = data.get("level")
    if level and str(level).isdigit():
        if connection.vendor == "postgresql":
            sql.append(f"{p['levels']} @> %s::jsonb")
            params.append(json.dumps([int(level)]))
        else:
            sql.append(f"CAST({p['levels']} AS TEXT) REGEXP %s")
            params.append(rf"(^|[^0-9]){int(level)}([^0-9]|$)")
    schools, rbd, s_comuna = quoted(School, "rbd", "comuna_id")
    if data.get("region") is not None:
        comunas, cut, c_region = quoted(Comuna, "cut", "region_id")
        sql.append(
            f"{p['school_id']} IN (SELECT {rbd} FROM {schools} WHERE {s_comuna} IN "  # noqa: S608 - our models' quoted names; values are parameters
            f"(SELECT {cut} FROM {comunas} WHERE {c_region} = %s))"
        )
        params.append(data["region"].pk)
    network = (data.get("network") or "").strip()
    if network:
        links, l_school, l_network, l_left = quoted(
            NetworkSchool, "school_id", "network_id", "left_on"
        )
        networks, n_id, n_code = quoted(Network, "id", "code")
        sql.append(
            f"{p['school_id']} IN (SELECT {l_school} FROM {links} WHERE {l_left} IS NULL AND "  # noqa: S608 - our models' quoted names; values are parameters
            f"{l_network} IN (SELECT {n_id} FROM {networks} WHERE {n_code} = %s))"
        )
        params.append(network)
    if data.get("rural") is not None:
        sql.append(f"{p['rural']} = %s")
        params.append(data["rural"])
    tag = (data.get("tag") or "").strip()
    if tag:
        tagged, t_practice, t_tag = quoted(Practice.tags.through, "practice_id", "tag_id")
        tags, tag_id, slug = quoted(Tag, "id", "slug")
        sql.append(
            f"{p['id']} IN (SELECT {t_practice} FROM {tagged} WHERE {t_tag} IN "  # noqa: S608 - our models' quoted names; values are parameters
            f"(SELECT {tag_id} FROM {tags} WHERE {slug} = %s))"
        )
        params.append(tag)
    text = " ".join((data.get("q") or "").split())[:200]
    order, order_params = f"{p['published_at']} DESC, {p['id']} DESC", []
    if text and connection.vendor == "postgresql":
        query = "websearch_to_tsquery(%s::regconfig, %s)"
        sql.append(f"{p['search_vector']} @@ {query}")
        params += [SEARCH_CONFIG, text]
        if (data.get("ordering") or RELEVANCE) == RELEVANCE:
            order = f"ts_rank({p['search_vector']}, {query}) DESC, {order}"
            order_params = [SEARCH_CONFIG, text]
    elif text:
        # Every word in the normalized text (search), LIKE as Django's
        # "contains" on SQLite; the rank is 0, the order the most recent.
        for word in normalize(text).split():
            word = connection.ops.prep_for_like_query(word.strip('"'))
            sql.append(f"{p['search_text']} LIKE %s ESCAPE '\\'")
            params.append(f"%{word}%")
    return sql, params, order, order_params
