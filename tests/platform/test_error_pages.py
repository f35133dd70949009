"""What a user meets when something is refused, and the analyst's home
figures: themed, translated pages instead of the server's bare English."""

import datetime

import pytest
from django.test import Client

from tests.factories import (
    AnalystScopeFactory,
    NetworkFactory,
    NetworkSchoolFactory,
    SchoolFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "heading"), [("es", "Acceso denegado"), ("en", "Access denied")]
)
def test_a_refused_page_is_themed_and_translated(client, language, heading):
    director = UserFactory(role="director", language=language)
    client.force_login(director)
    response = client.get("/schools/import/")  # staff only
    page = response.content.decode()
    assert response.status_code == 403
    assert heading in page and "403 Forbidden" not in page
    assert 'href="/"' in page and "<nav" in page  # the site's layout, with its menu


def test_a_stale_form_gets_a_translated_page_not_the_csrf_debug_text():
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(role="director"))
    response = client.post("/accounts/profile/", {"first_name": "Ana"})
    page = response.content.decode()
    assert response.status_code == 403
    assert "No se pudo enviar el formulario" in page
    assert "La verificación CSRF ha fallado" not in page and "DEBUG=True" not in page


def test_the_analyst_home_counts_only_schools_in_a_network(client):
    analyst = AnalystScopeFactory().user
    network = NetworkFactory(code="RME-07-990", deprov_id=72)
    NetworkSchoolFactory(network=network)
    NetworkSchoolFactory(network=network)
    NetworkSchoolFactory(network=network, left_on=datetime.date(2025, 6, 30))  # left it
    SchoolFactory()  # in no network
    client.force_login(analyst)
    page = client.get("/").content.decode()
    assert "4 establecimientos en funcionamiento, 2 de ellos en una red." in page
