"""The library's search and filters: full text in Spanish without accents
on PostgreSQL, a plain search that also ignores accents elsewhere; filters
by dimension, level, region, network, rural and tag; relevance or recency."""

import datetime

import pytest
from django.utils import timezone

from tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(practice_world):
    now = timezone.now()
    return {
        "evaluacion": PracticeFactory(
            school=practice_world.a1,
            visibility="all",
            title="Evaluación formativa en matemática",
            summary="Retroalimentación semanal a cada curso.",
            body="Usamos tickets de salida.",
            dimension_id="gestion_pedagogica",
            subdimension_id="ensenanza_aprendizaje",
            levels=[110],
            rural=True,
            tags=["evaluación", "matemática"],
            published_at=now - datetime.timedelta(days=10),
        ),
        "convivencia": PracticeFactory(
            school=practice_world.b1,
            visibility="all",
            title="Recreos con juegos guiados",
            summary="Menos conflictos en el patio gracias a la evaluación de los recreos.",
            body="Monitores de patio.",
            dimension_id="formacion_convivencia",
            levels=[310],
            rural=False,
            tags=["convivencia"],
            published_at=now - datetime.timedelta(days=1),
        ),
        "lectura": PracticeFactory(
            school=practice_world.c1,
            visibility="all",
            title="Lectura compartida",
            summary="Quince minutos diarios de lectura.",
            body="Cada mañana leemos juntos; la evaluación viene después.",
            dimension_id="gestion_pedagogica",
            levels=[10, 110],
            published_at=now - datetime.timedelta(days=5),
        ),
    }


def titles(client, query):
    response = client.get(f"/practices/?{query}")
    assert response.status_code == 200
    return [p["title"] for p in response.context["page"].object_list]


@pytest.mark.parametrize("word", ["evaluación", "evaluacion", "EVALUACION", "Evaluación"])
def test_search_ignores_accents_and_case(practice_world, library, login, word):
    found = titles(login(practice_world.director_b), f"q={word}")
    assert set(found) == {
        "Evaluación formativa en matemática",
        "Recreos con juegos guiados",
        "Lectura compartida",
    }


def test_every_word_must_match(practice_world, library, login):
    assert titles(login(practice_world.director_b), "q=lectura+compartida") == [
        "Lectura compartida"
    ]
    assert titles(login(practice_world.director_b), "q=ajedrez") == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("dimension=formacion_convivencia", ["Recreos con juegos guiados"]),
        ("level=310", ["Recreos con juegos guiados"]),
        ("level=10", ["Lectura compartida"]),
        ("region=13", ["Recreos con juegos guiados"]),
        ("network=RME-07-901", ["Evaluación formativa en matemática"]),
        ("rural=true", ["Evaluación formativa en matemática"]),
        ("tag=matematica", ["Evaluación formativa en matemática"]),
        (
            "",
            [
                "Recreos con juegos guiados",
                "Lectura compartida",
                "Evaluación formativa en matemática",
            ],
        ),
        (
            "ordering=recent&q=evaluacion",
            [
                "Recreos con juegos guiados",
                "Lectura compartida",
                "Evaluación formativa en matemática",
            ],
        ),
    ],
)
def test_filters_and_recency(practice_world, library, login, query, expected):
    assert titles(login(practice_world.director_b), query) == expected


def test_the_api_searches_and_filters_like_the_page(practice_world, library, login):
    client = login(practice_world.director_b)
    rows = client.get("/api/v1/practices/?q=evaluacion&dimension=gestion_pedagogica").json()
    assert {row["title"] for row in rows["results"]} == {
        "Evaluación formativa en matemática",
        "Lectura compartida",
    }
    rows = client.get("/api/v1/practices/?tag=convivencia&ordering=recent").json()
    assert [row["title"] for row in rows["results"]] == ["Recreos con juegos guiados"]


@pytest.mark.postgres
def test_postgres_ranks_the_title_first_and_stems_spanish(practice_world, library, login):
    client = login(practice_world.director_b)
    # Title (weight A) ranks above the summary (B) and the body (C).
    assert titles(client, "q=evaluacion") == [
        "Evaluación formativa en matemática",
        "Recreos con juegos guiados",
        "Lectura compartida",
    ]
    # Spanish stems: the plural and the verb find the noun; accents ignored.
    assert titles(client, "q=evaluaciones") == titles(client, "q=evaluación")
    assert "Recreos con juegos guiados" in titles(client, "q=conflicto")
    assert titles(client, "q=matematica") == ["Evaluación formativa en matemática"]
    # Tags are searched too (weight B).
    assert titles(client, "q=convivencia") == ["Recreos con juegos guiados"]


@pytest.mark.postgres
def test_postgres_vector_follows_edits(practice_world, library):
    from networks.practices import services as services
    from networks.practices.filters import search
    from networks.practices.models import Practice

    practice = library["lectura"]
    services.update_practice(
        by=practice_world.director_c, practice=practice, title="Club de ajedrez"
    )
    found = search(Practice.objects.all(), "ajedrez")
    assert list(found) == [practice]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "q=evaluacion",
        "q=evaluacion&ordering=recent",
        "q=evaluacion&dimension=gestion_pedagogica",
        'q="lectura compartida"',
        "q=lectura+-recreos",
        "q=100%25_x",
        "level=110",
        "level=abc",
        "region=7",
        "network=RME-07-901",
        "network=+",
        "rural=false",
        "tag=evaluacion",
        "dimension=nope",
        "ordering=relevance",
    ],
)
def test_the_page_lists_what_the_api_lists(practice_world, library, login, query):
    """The page's SQL (filters.library_sql) and the API's queryset
    (PracticeFilter) find the same practices in the same order."""
    client = login(practice_world.director_a)
    page = [row["pk"] for row in client.get(f"/practices/?{query}").context["page"].object_list]
    api = client.get(f"/api/v1/practices/?{query}")
    if api.status_code == 400:  # an invalid filter: the page ignores it
        assert page == [row["pk"] for row in client.get("/practices/").context["page"].object_list]
        return
    assert page == [row["id"] for row in api.json()["results"]]
