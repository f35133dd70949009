"""The home page's practices panel: the author sees who adopts the school's
practices and how it goes, and the practices featured for their networks."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from networks.practices.models import PracticeFeature
from networks.practices.selectors import home_panel
from tests.factories import PracticeAdoptionFactory, PracticeFactory

pytestmark = pytest.mark.django_db


def test_the_author_sees_who_adopts_and_what_is_featured(practice_world, practice_of, login):
    own = practice_of("all", title="Lectura compartida")
    PracticeAdoptionFactory(practice=own, school=practice_world.c1, stage="trying")
    other = PracticeFactory(
        school=practice_world.a2, title="Tutorías entre pares", visibility="network"
    )
    PracticeFeature.objects.create(practice=other, network=practice_world.network_a)

    html = login(practice_world.director_a).get("/home/panels/practices/").content.decode()
    panel = html[html.index('data-testid="home-practices"') :]
    assert "Lectura compartida" in panel and "Escuela Talca Norte" in panel
    assert "Probando" in panel
    assert "★" in panel and "Tutorías entre pares" in panel and "RME-07-901" in panel


def test_a_practice_featured_where_the_reader_cannot_see_it_is_not_listed(practice_world, login):
    hidden = PracticeFactory(school=practice_world.b1, title="Solo Santiago", visibility="network")
    PracticeFeature.objects.create(practice=hidden, network=practice_world.network_a)
    html = login(practice_world.director_a).get("/home/panels/practices/").content.decode()
    assert 'data-testid="home-practices"' in html
    assert "Solo Santiago" not in html
    assert "Aún ningún establecimiento adopta sus prácticas." in html


@pytest.mark.parametrize("role", ["supervisor_a", "rep_a", "analyst", "admin"])
def test_only_directivos_get_the_panel(practice_world, login, role):
    assert home_panel(getattr(practice_world, role)) == {}
    assert (
        'data-testid="home-practices"'
        not in login(getattr(practice_world, role)).get("/home/panels/practices/").content.decode()
    )


def test_the_panel_runs_five_queries_however_many_rows(practice_world, practice_of):
    def count():
        with CaptureQueriesContext(connection) as captured:
            home_panel(practice_world.director_a)
        return len(captured)

    small = count()
    for i in range(8):
        practice = practice_of("all", title=f"Práctica {i}")
        PracticeAdoptionFactory(practice=practice, school=practice_world.c1)
        featured = PracticeFactory(school=practice_world.a2, visibility="network")
        PracticeFeature.objects.create(practice=featured, network=practice_world.network_a)
    panel = home_panel(practice_world.director_a)
    assert len(panel["home_adoptions"]) == len(panel["home_featured"]) == 5
    # May write practices, the user's schools and networks (the practices
    # they may see), adoptions, featured.
    assert small == count() == 5
