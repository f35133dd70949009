import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from rme_platform.accounts.services import create_api_token
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_me_requires_authentication(client):
    assert client.get("/api/v1/me/").status_code in {401, 403}


def test_me_with_session_and_update(client, director):
    client.force_login(director)
    data = client.get("/api/v1/me/").json()
    assert data["email"] == director.email and data["role"] == "director"
    response = client.patch(
        "/api/v1/me/", {"language": "en", "first_name": "Rosa"}, content_type="application/json"
    )
    assert response.status_code == 200
    director.refresh_from_db()
    assert (director.language, director.first_name) == ("en", "Rosa")


def test_me_rejects_bad_language_and_read_only_fields_stay(client, director):
    client.force_login(director)
    response = client.patch("/api/v1/me/", {"language": "xx"}, content_type="application/json")
    assert response.status_code == 400
    assert "language" in response.json()
    client.patch(
        "/api/v1/me/", {"role": "analyst", "email": "x@y.cl"}, content_type="application/json"
    )
    director.refresh_from_db()
    assert director.role == "director" and director.email != "x@y.cl"


def test_schema_is_complete_without_warnings():
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_schema_and_offline_docs_are_served(client):
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/me/" in schema.content
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"drf_spectacular_sidecar/swagger-ui-dist" in docs.content  # no CDN


def test_page_size_is_capped_at_200():
    from rme_platform.pagination import Pagination

    assert Pagination.max_page_size == 200 and Pagination.page_size_query_param == "page_size"


def test_a_short_page_gives_the_count_without_counting(django_assert_num_queries):
    from django.core.paginator import EmptyPage, PageNotAnInteger

    from rme_platform.accounts.models import User
    from rme_platform.pagination import RowsFirstPaginator

    UserFactory.create_batch(5)
    users = User.objects.order_by("pk")
    with django_assert_num_queries(1):  # the rows only: the last page
        page = RowsFirstPaginator(users, 2).page(3)
        assert (page.paginator.count, page.paginator.num_pages, len(page)) == (5, 3, 1)
        assert not page.has_next() and page.start_index() == 5
    second = list(users[2:4])
    with django_assert_num_queries(2):  # a full page: counted
        page = RowsFirstPaginator(users, 2).page(2)
        assert (page.paginator.count, page.has_next(), list(page)) == (5, True, second)
    with django_assert_num_queries(1):
        page = RowsFirstPaginator(users, 10).page("1")
        assert (page.paginator.count, len(page)) == (5, 5)
    with django_assert_num_queries(1):  # an empty first page is valid
        assert RowsFirstPaginator(users.filter(pk__lt=0), 10).page(1).paginator.count == 0
    for number, error in [(4, EmptyPage), (0, EmptyPage), ("x", PageNotAnInteger)]:
        with pytest.raises(error):
            RowsFirstPaginator(users, 2).page(number)


def test_an_api_list_past_its_last_page_is_not_found(client, director):
    client.force_login(director)
    assert client.get("/api/v1/networks/?page=1").json()["count"] == 0
    assert client.get("/api/v1/networks/?page=2").status_code == 404
    assert client.get("/api/v1/networks/?page=last").json()["count"] == 0


@pytest.fixture
def api_schema(db):
    user = UserFactory(role="director")
    _token, key = create_api_token(user=user, name="schemathesis")
    from rme_platform.wsgi import application

    # Like Django's test client: keep the test's transaction open across the
    # requests made straight to the WSGI application.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield schemathesis.from_wsgi(
        "/api/v1/schema/?format=json", application, headers={"Authorization": f"Token {key}"}
    )
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


schema = schemathesis.from_pytest_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case):
    """Schemathesis, as an authenticated user: no 5xx, responses match the schema."""
    response = case.call_wsgi()
    case.validate_response(
        response,
        checks=(
            schemathesis.checks.not_a_server_error,
            schemathesis.checks.response_schema_conformance,
            schemathesis.checks.content_type_conformance,
        ),
    )
