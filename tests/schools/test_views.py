"""The school search and school pages: any signed-in user; constant queries."""

import factory
import pytest
from django.urls import reverse

from schools.models import Comuna
from tests.factories import PerformanceCategoryFactory, SchoolFactory, territory_comuna

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/schools/", "/schools/9999999/", "/schools/import/"])
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_search_lists_schools_for_a_signed_in_user(client, director):
    SchoolFactory(name="Escuela Los Aromos")
    client.force_login(director)
    response = client.get("/schools/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Escuela Los Aromos" in page
    assert 'data-testid="result-count"' in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "aromos"}, {"Escuela Los Aromos"}),
        ({"q": "9100001"}, {"Liceo Bicentenario Arica"}),
        ({"q": "9100001-5"}, {"Liceo Bicentenario Arica"}),
        ({"comuna": "15101"}, {"Liceo Bicentenario Arica"}),
        ({"region": "15"}, {"Liceo Bicentenario Arica"}),
        ({"region": "13"}, {"Escuela Los Aromos", "Colegio Particular Oriente"}),
        ({"dependency": "4"}, {"Colegio Particular Oriente"}),
        ({"dependency": "4", "q": "aromos"}, set()),
    ],
)
def test_search_filters(client, director, query, expected):
    SchoolFactory(name="Escuela Los Aromos", dependency=3)
    SchoolFactory(name="Colegio Particular Oriente", dependency=4)
    SchoolFactory(rbd=9100001, name="Liceo Bicentenario Arica", comuna=territory_comuna(15101))
    client.force_login(director)
    response = client.get("/schools/", query)
    shown = {school.name for school in response.context["page"].object_list}
    assert shown == expected


def test_search_is_paginated_fifty_a_page(client, director):
    SchoolFactory.create_batch(55)
    client.force_login(director)
    first = client.get("/schools/")
    assert len(first.context["page"].object_list) == 50
    second = client.get("/schools/", {"page": 2})
    assert len(second.context["page"].object_list) == 5
    assert "Página 2 de 2" in second.content.decode()


@pytest.mark.parametrize("count", [5, 30])
def test_search_runs_a_constant_number_of_queries(
    client, director, django_assert_num_queries, count
):
    comunas = list(Comuna.objects.all()[:3])
    for n in range(count):
        SchoolFactory(comuna=comunas[n % 3])
    client.force_login(director)
    # (The session comes from the cache.) 1 user, 2 count of results, 3 page of
    # schools with comuna and region, 4-6 the region, comuna and DEPROV
    # choices of the search form (read once: then cached with the registry's
    # version, see test_a_repeated_search_reads_only_the_user_and_the_region).
    with django_assert_num_queries(6):
        response = client.get("/schools/", {"q": "escuela"})
    assert response.context["page"].paginator.count == count


def test_school_page_shows_directory_data_map_and_categories(client, director):
    school = SchoolFactory(
        name="Escuela Villa Las Estrellas",
        comuna=territory_comuna(12202),
        latitude=-62.200997,
        longitude=-58.964631,
        pie=True,
    )
    PerformanceCategoryFactory(school=school, year=2019, category="insuficiente")
    client.force_login(director)
    response = client.get(reverse("schools:detail", args=[school.rbd]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Escuela Villa Las Estrellas" in page
    assert "Antártica" in page
    assert f"{school.rbd}-{school.check_digit}" in page
    assert "https://www.openstreetmap.org/?mlat=-62.200997&amp;mlon=-58.964631" in page
    assert "Insuficiente" in page
    assert school.sostenedor.name in page


def test_school_page_without_name_coordinates_or_sostenedor(client, director):
    school = SchoolFactory(name="", sostenedor=None, sostenedor_person_type=0)
    client.force_login(director)
    page = client.get(f"/schools/{school.rbd}/").content.decode()
    assert f"RBD {school.rbd}" in page
    assert "openstreetmap" not in page
    assert "Persona natural" in page


def test_school_page_marks_an_absent_school(client, director):
    school = SchoolFactory(absent=True, last_seen_year=2024)
    client.force_login(director)
    page = client.get(f"/schools/{school.rbd}/").content.decode()
    assert "no figura en el último directorio importado" in page


def test_unknown_school_is_404(client, director):
    client.force_login(director)
    assert client.get("/schools/12345678/").status_code == 404


def test_school_page_runs_a_constant_number_of_queries(client, director, django_assert_num_queries):
    school = SchoolFactory()
    PerformanceCategoryFactory.create_batch(
        3, school=school, year=factory.Iterator([2019, 2022, 2023])
    )
    client.force_login(director)
    # (The session comes from the cache.) 1 user, 2 school with comuna, region,
    # DEPROV, sostenedor, 3 categories. The school's networks come in a panel
    # of the networks app (tests/networks/test_school_panel.py).
    with django_assert_num_queries(3):
        client.get(f"/schools/{school.rbd}/")


def test_cached_search_and_api_follow_registry_changes(
    client, director, django_capture_on_commit_callbacks
):
    client.force_login(director)
    assert (
        "Escuela Nueva Esperanza"
        not in client.get("/schools/", {"q": "esperanza"}).content.decode()
    )
    assert client.get("/api/v1/schools/", {"q": "esperanza"}).json()["count"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        SchoolFactory(name="Escuela Nueva Esperanza")
    assert "Escuela Nueva Esperanza" in client.get("/schools/", {"q": "esperanza"}).content.decode()
    assert client.get("/api/v1/schools/", {"q": "esperanza"}).json()["count"] == 1


def test_search_filters_list_the_registry_as_it_changes(
    client, director, django_capture_on_commit_callbacks
):
    """The region, comuna and DEPROV options are cached with the registry's
    version: a comuna added (or renamed) shows in the next search."""
    existing = territory_comuna()
    client.force_login(director)
    page = client.get("/schools/").content.decode()
    assert f'<option value="{existing.cut}">{existing.name}</option>' in page
    assert "Comuna &lt;Nueva&gt;" not in page
    with django_capture_on_commit_callbacks(execute=True):
        Comuna.objects.create(
            cut=99999,
            name="Comuna <Nueva>",
            province_code=existing.province_code,
            region=existing.region,
            deprov=existing.deprov,
        )
    page = client.get("/schools/", {"comuna": 99999}).content.decode()
    assert '<option value="99999" selected>Comuna &lt;Nueva&gt;</option>' in page
    with django_capture_on_commit_callbacks(execute=True):
        Comuna.objects.filter(cut=99999).update(name="x")  # no signal: still cached
        Comuna.objects.get(cut=99999).delete()
    assert "Comuna &lt;Nueva&gt;" not in client.get("/schools/").content.decode()


def test_a_repeated_search_reads_only_the_user_and_the_region(
    client, director, django_assert_max_num_queries
):
    comuna = territory_comuna()
    SchoolFactory.create_batch(3, comuna=comuna)
    client.force_login(director)
    search = {"q": "escuela", "region": comuna.region_id}
    client.get("/schools/", search)
    # Once the registry's filter options and results are cached: the user,
    # and the region asked for (the filter checks it exists).
    with django_assert_max_num_queries(2):
        response = client.get("/schools/", search)
    assert response.status_code == 200
