"""The library, the practice page, the API lists and the network panel run a
fixed number of queries however many practices, tags, comments and
adoptions there are: each is measured at two sizes."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import (
    PracticeAdoptionFactory,
    PracticeCommentFactory,
    PracticeFactory,
    SchoolFactory,
)

pytestmark = pytest.mark.django_db


# The rows of a library page: one query on PostgreSQL (selectors._page_rows),
# the practices and then their tags elsewhere.
ROW_QUERIES = 1 if connection.vendor == "postgresql" else 2


def count(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return response, len(captured)


def grow(w, n):
    """n more practices of network A's schools, each with tags, a comment
    and an adoption by another school of A."""
    for i in range(n):
        practice = PracticeFactory(
            school=w.a1 if i % 2 else w.a2, visibility="network", tags=[f"tema {i}", "lectura"]
        )
        PracticeCommentFactory(practice=practice, author=w.director_b)
        PracticeAdoptionFactory(practice=practice, school=w.a2 if i % 2 else w.a1)


@pytest.mark.parametrize("query", ["", "q=practica&level=110&rural=false&tag=lectura"])
def test_library_runs_constant_queries(practice_world, login, query):
    grow(practice_world, 1)
    client = login(practice_world.utp_a2)
    client.get("/practices/")  # the regions' options cached (as after the first visitor)
    small, small_count = count(client, f"/practices/?{query}")
    grow(practice_world, 8)
    large, large_count = count(client, f"/practices/?{query}")
    assert large.context["page"].paginator.count == 9
    assert small_count == large_count
    # 1 user, 2-3 the user's schools (which also say "may write?") and
    # networks (the practices they may see), 4 count, 5 the ids of the page
    # (practices table only), 6 those practices with school, comuna,
    # region, dimension, counts and tags, 7 my school's practices, 8 digest
    # preference, 9 tags for the filter, 10 dimensions for the filter (the
    # regions' options come from the cache); on SQLite 6 is two queries.
    assert large_count == 9 + ROW_QUERIES


def test_practice_page_runs_constant_queries(practice_world, practice_of, login):
    practice = practice_of("network")
    PracticeCommentFactory(practice=practice, author=practice_world.utp_a2)
    PracticeAdoptionFactory(practice=practice, school=practice_world.a2)
    client = login(practice_world.utp_a2)
    _r, small_count = count(client, f"/practices/{practice.pk}/")
    for _i in range(5):
        PracticeCommentFactory(practice=practice, author=practice_world.director_b)
        PracticeAdoptionFactory(practice=practice, school=SchoolFactory())
    large, large_count = count(client, f"/practices/{practice.pk}/")
    assert len(large.context["comments"]) == 6 and len(large.context["adoptions"]) == 6
    assert small_count == large_count


def test_api_lists_run_constant_queries(practice_world, login):
    grow(practice_world, 1)
    client = login(practice_world.utp_a2)
    _r, practices_small = count(client, "/api/v1/practices/")
    _r, adoptions_small = count(client, "/api/v1/practice-adoptions/")
    grow(practice_world, 6)
    large, practices_large = count(client, "/api/v1/practices/")
    assert large.json()["count"] == 7
    large, adoptions_large = count(client, "/api/v1/practice-adoptions/")
    assert large.json()["count"] == 7
    # 1 user, 2-3 the user's schools and networks (the practices they may
    # see), 4 count, 5 the ids of the page, 6 its rows with their tags
    # (two queries on SQLite).
    assert practices_small == practices_large == 5 + ROW_QUERIES
    # 1 user, 2-3 the user's schools and networks, 4 count, 5 the page,
    # 6 its notes with their authors.
    assert adoptions_small == adoptions_large == 6


def test_network_panel_runs_constant_queries(practice_world, login):
    grow(practice_world, 1)
    client = login(practice_world.supervisor_a)
    small, small_count = count(client, "/networks/RME-07-901/practices-panel/")
    grow(practice_world, 8)
    large, large_count = count(client, "/networks/RME-07-901/practices-panel/")
    assert large.context["practices_n_shared"] == 9
    assert len(large.context["practices_adoptions"]) == 9
    assert small_count == large_count


def test_library_card_shows_place_summary_date_and_counts(practice_world, login):
    """The card's text is written in Python once per page: the school and
    comuna, the zone, the summary cut at 220 characters, the publication
    date and the singular or plural counts."""
    one = PracticeFactory(
        school=practice_world.a1,
        visibility="network",
        rural=True,
        summary="x" * 300,
        published_at=timezone.make_aware(datetime.datetime(2026, 3, 5, 12)),
    )
    PracticeAdoptionFactory(practice=one, school=practice_world.a2)
    for _i in range(2):
        PracticeCommentFactory(practice=one, author=practice_world.director_b)
    response = login(practice_world.utp_a2).get("/practices/")
    card = response.content.decode()
    assert f'href="/practices/{one.pk}/"' in card
    assert f"{practice_world.a1.display_name} · " in card
    assert "Rural</p>" in card
    assert "x" * 219 + "…" in card and "x" * 221 not in card
    assert "05-03-2026" in card or "05/03/2026" in card
    assert "1 adopción · 2 comentarios" in card
