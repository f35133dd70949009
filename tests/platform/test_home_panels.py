"""The home page shows at once what is the user's own (schools, DEPROV,
scope, networks) and loads each app's panel by htmx after it shows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

ROLES = ["director_a", "supervisor_a", "rep_a", "analyst", "admin"]


@pytest.mark.parametrize("role", ROLES)
def test_the_home_page_asks_for_the_panels_of_the_role(world, login, role):
    html = login(getattr(world, role)).get("/").content.decode()
    for name in ("monitoring", "meetings", "pme", "practices"):
        assert f'hx-get="/home/panels/{name}/"' in html
    assert ('hx-get="/home/panels/risk/"' in html) == (role == "supervisor_a")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["monitoring", "risk", "meetings", "pme", "practices"])
def test_each_panel_answers_alone(world, login, role, name):
    response = login(getattr(world, role)).get(f"/home/panels/{name}/")
    assert response.status_code == 200
    assert "<html" not in response.content.decode()


def test_the_meetings_panel_shows_on_its_own_url(world, login):
    html = login(world.alice).get("/home/panels/meetings/").content.decode()
    assert 'data-testid="home-meetings"' in html


def test_an_unknown_panel_is_not_found_and_signed_out_people_sign_in(world, login, client):
    assert login(world.alice).get("/home/panels/nothing/").status_code == 404
    login(None)
    response = client.get("/home/panels/meetings/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_the_home_page_runs_few_queries(world, login, role):
    client = login(getattr(world, role))
    client.get("/")
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    # Session, user, the role's own lists and its networks; none of the panels.
    assert len(captured) <= 8, [q["sql"][:120] for q in captured]


@pytest.mark.parametrize("role", ["director_a", "rep_a", "supervisor_a"])
def test_the_home_page_links_each_school_and_network_and_the_menu(world, login, role):
    from django.urls import reverse

    response = login(getattr(world, role)).get("/")
    html = response.content.decode()
    context = response.context
    networks = context["networks"]
    schools = [p.school for p in context.get("positions") or []]
    schools += list(context["rep_schools"]) if context.get("rep_schools") else []
    assert networks or schools
    for network in networks:
        assert f'href="{reverse("networks:detail", args=[network.code])}"' in html
    for school in schools:
        assert f'href="{reverse("schools:detail", args=[school.rbd])}"' in html
    for view in ("networks:list", "meetings:list", "schools:list", "accounts:profile"):
        assert f'href="{reverse(view)}"' in html
    assert f'action="{reverse("account_logout")}"' in html
