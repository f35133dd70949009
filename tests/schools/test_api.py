"""The registry's read-only API (registered by schools.api.register)."""

import pytest

from schools.api import (
    ComunaViewSet,
    DeprovViewSet,
    RegionViewSet,
    SchoolViewSet,
    SostenedorViewSet,
)
from tests.factories import PerformanceCategoryFactory, SchoolFactory, territory_comuna

pytestmark = pytest.mark.django_db


@pytest.fixture
def schools():
    return {
        "aromos": SchoolFactory(name="Escuela Los Aromos", dependency=3, rural=False),
        "rural": SchoolFactory(name="Escuela Rural El Alto", dependency=2, rural=True, status=3),
        "arica": SchoolFactory(
            rbd=9100001, name="Liceo Arica", dependency=6, comuna=territory_comuna(15101)
        ),
    }


def names(response):
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["results"]}


def test_every_viewset_declares_its_serializer():
    for viewset in [RegionViewSet, ComunaViewSet, DeprovViewSet, SostenedorViewSet, SchoolViewSet]:
        assert viewset.serializer_class is not None


def test_anonymous_requests_are_refused(client):
    assert client.get("/api/v1/schools/").status_code in {401, 403}


def test_territory_endpoints(client, director):
    client.force_login(director)
    regions = client.get("/api/v1/regions/", {"page_size": 50}).json()
    assert regions["count"] == 16
    assert regions["results"][0]["name"] == "Región de Arica y Parinacota"  # north first
    # The tests' territory (tests/territory.py): Maule's 30 comunas and 4
    # DEPROV, and 6 comunas in 6 other DEPROV.
    assert client.get("/api/v1/comunas/").json()["count"] == 36
    assert client.get("/api/v1/deprovs/").json()["count"] == 10
    santiago = client.get("/api/v1/comunas/13101/").json()
    assert (santiago["name"], santiago["region"], santiago["deprov"]) == ("Santiago", 13, 131)
    assert santiago["province_code"] == 131
    assert client.get("/api/v1/comunas/", {"region": 7}).json()["count"] == 30


def test_sostenedores(client, director, schools):
    client.force_login(director)
    sostenedor = schools["aromos"].sostenedor
    data = client.get(f"/api/v1/sostenedores/{sostenedor.rut}/").json()
    assert data["formatted_rut"] == sostenedor.formatted_rut
    assert data["kind_label"] == "Particular subvencionado"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"Escuela Los Aromos", "Escuela Rural El Alto", "Liceo Arica"}),
        ({"region": 15}, {"Liceo Arica"}),
        ({"comuna": 13101}, {"Escuela Los Aromos", "Escuela Rural El Alto"}),
        ({"deprov": 151}, {"Liceo Arica"}),
        ({"dependency": 2}, {"Escuela Rural El Alto"}),
        ({"rural": "true"}, {"Escuela Rural El Alto"}),
        ({"status": 3}, {"Escuela Rural El Alto"}),
        ({"q": "aromos"}, {"Escuela Los Aromos"}),
        ({"q": "9100001"}, {"Liceo Arica"}),
    ],
)
def test_school_filters(client, director, schools, query, expected):
    client.force_login(director)
    assert names(client.get("/api/v1/schools/", query)) == expected


def test_an_unknown_filter_value_is_a_bad_request(client, director):
    client.force_login(director)
    assert client.get("/api/v1/schools/", {"comuna": 99999}).status_code == 400


def test_school_detail_by_rbd(client, director, schools):
    PerformanceCategoryFactory(school=schools["arica"], year=2019, category="alto")
    client.force_login(director)
    data = client.get("/api/v1/schools/9100001/").json()
    assert data["rbd"] == 9100001
    assert data["region"] == 15
    assert data["performance_categories"] == [
        {"year": 2019, "level": "basica", "category": "alto", "category_label": "Alto"}
    ]
    assert "mrun" not in {key.lower() for key in data}


@pytest.mark.parametrize("count", [3, 20])
def test_school_list_runs_a_constant_number_of_queries(
    client, director, django_assert_num_queries, count
):
    for _ in range(count):
        PerformanceCategoryFactory()
    client.force_login(director)
    # (The session comes from the cache.) 1 user, 2 count, 3 schools with
    # comuna, 4 their categories.
    with django_assert_num_queries(4):
        response = client.get("/api/v1/schools/")
    assert response.json()["count"] == count
