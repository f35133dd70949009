"""The results page at national scale (issue 17): the figures of a campaign
are kept by the process between requests, the charts drawn from them too,
and the page runs a fixed number of queries however many networks answered
or may be chosen. What is kept never outlives the figures: a new response,
or an emptied cache, is seen at once."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import NetworkFactory

from .conftest import add_responses

pytestmark = pytest.mark.django_db

URL = "/monitoring/campaigns/rme-2024/results/?scope=national"


def grouped_queries(queries):
    return [q["sql"] for q in queries.captured_queries if "GROUP BY" in q["sql"]]


def test_a_second_visit_reads_the_kept_figures(monitoring_world, login, published):
    client = login(monitoring_world.analyst)
    first = client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        second = client.get(URL)
    assert second.status_code == 200
    assert not [sql for sql in grouped_queries(queries) if "monitoring_answer" in sql]
    # The same page, charts included (their ids aside).
    assert second.content.count(b"<svg") == first.content.count(b"<svg") > 0
    assert "26 respuestas" in second.content.decode()


def test_a_new_response_and_an_emptied_cache_are_seen_at_once(monitoring_world, login, published):
    client = login(monitoring_world.analyst)
    assert "26 respuestas" in client.get(URL).content.decode()
    add_responses(published, monitoring_world.network_b, [5])
    assert "27 respuestas" in client.get(URL).content.decode()
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        page = client.get(URL).content.decode()
    assert "27 respuestas" in page
    assert [sql for sql in grouped_queries(queries) if "monitoring_answer" in sql]


def test_the_page_runs_a_fixed_number_of_queries(
    monitoring_world, login, published, django_assert_max_num_queries
):
    client = login(monitoring_world.analyst)
    client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        client.get(URL)
    few = len(queries.captured_queries)
    # Many more networks answer, and may be chosen in the scope menu.
    for index in range(12):
        network = NetworkFactory(
            code=f"RME-07-{950 + index}", deprov=monitoring_world.network_a.deprov
        )
        add_responses(published, network, [4, 5, 3])
    client.get(URL)
    with django_assert_max_num_queries(few):
        page = client.get(URL).content.decode()
    assert "RME-07-961" in page
    assert 'value="national" selected' in page


def test_the_scope_menu_kept_by_its_options_marks_each_visits_scope(
    monitoring_world, login, published
):
    """The menu is kept per process by its options (monitoring.views
    _SCOPE_MENUS): each visit marks its own scope, and a renamed network is
    a new menu, escaped like any text of the page."""
    client = login(monitoring_world.analyst)
    base = "/monitoring/campaigns/rme-2024/results/?scope="
    national = client.get(base + "national").content.decode()
    region = client.get(base + "region:7").content.decode()
    assert 'value="national" selected' in national and 'value="region:7">' in national
    assert 'value="region:7" selected' in region and 'value="national">' in region
    assert region.count(" selected>") == national.count(" selected>")
    network = monitoring_world.network_a
    network.name = "Red <Talca> & Maule"
    network.save()
    page = client.get(base + "national").content.decode()
    assert f"{network.code} · Red &lt;Talca&gt; &amp; Maule</option>" in page
