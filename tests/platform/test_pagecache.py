"""Rendered pages are reused per session until something is written."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from networks.models import Network
from tests.factories import NetworkFactory, SupervisorProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor_client(client):
    profile = SupervisorProfileFactory(deprov_id=72)
    NetworkFactory(code="RME-07-501", name="Red Uno", deprov_id=72)
    client.force_login(profile.user)
    return client


def queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(ctx.captured_queries)


def test_a_page_seen_again_is_served_from_the_cache(supervisor_client):
    supervisor_client.get("/")  # the browser now holds its CSRF cookie
    first, first_queries = queries(supervisor_client, "/networks/")
    again, again_queries = queries(supervisor_client, "/networks/")
    assert again.content == first.content
    assert first_queries > 2 and again_queries <= 2  # user (and nothing else)


def test_any_write_shows_at_once(supervisor_client):
    assert "Red Dos" not in supervisor_client.get("/networks/").content.decode()
    NetworkFactory(code="RME-07-502", name="Red Dos", deprov_id=72)  # a model save
    assert "Red Dos" in supervisor_client.get("/networks/").content.decode()
    Network.objects.filter(code="RME-07-502").update(name="Red Dos Bis")  # no signal...
    supervisor_client.post("/i18n/setlang/", {"language": "es", "next": "/"})  # ...but a POST
    assert "Red Dos Bis" in supervisor_client.get("/networks/").content.decode()


def test_pages_with_messages_waiting_are_not_taken_from_the_cache(supervisor_client):
    supervisor_client.get("/networks/RME-07-501/")
    response = supervisor_client.post(
        "/networks/RME-07-501/partners/add/", {"name": "CESFAM Norte", "kind": "health"}
    )
    assert response.status_code == 302
    page = supervisor_client.get("/networks/RME-07-501/").content.decode()
    assert "CESFAM Norte quedó vinculado a la red." in page
    assert "CESFAM Norte" in page


def test_each_session_has_its_own_copy(client, django_user_model):
    profile = SupervisorProfileFactory(deprov_id=72)
    NetworkFactory(code="RME-07-503", deprov_id=72)
    client.force_login(profile.user)
    mine = client.get("/networks/").content.decode()
    other = SupervisorProfileFactory(deprov_id=131)
    client.force_login(other.user)
    theirs = client.get("/networks/").content.decode()
    assert "RME-07-503" in mine and "RME-07-503" not in theirs
