"""The school page's networks: a panel of the networks app (schools knows
nothing of networks), loaded by htmx from /schools/<rbd>/networks-panel/."""

import pytest


def panel(client, user, school):
    client.force_login(user)
    return client.get(f"/schools/{school.rbd}/networks-panel/")


def test_the_school_page_loads_its_networks_panel(client, world):
    client.force_login(world.director_a)
    page = client.get(f"/schools/{world.a1.rbd}/").content.decode()
    assert f'hx-get="/schools/{world.a1.rbd}/networks-panel/"' in page


def test_a_member_sees_the_networks_of_the_school(client, world):
    response = panel(client, world.director_a, world.a1)
    assert response.status_code == 200
    assert "RME-07-901 · Red Talca A" in response.content.decode()


@pytest.mark.parametrize("role", ["director_b", "supervisor_b", "analyst_rm"])
def test_networks_the_user_may_not_see_are_not_listed(client, world, role):
    response = panel(client, getattr(world, role), world.a1)
    assert response.status_code == 200
    page = response.content.decode()
    assert "RME-07-901" not in page
    assert "No participa en redes que usted pueda ver." in page


def test_the_panel_needs_a_signed_in_user(client, world):
    response = client.get(f"/schools/{world.a1.rbd}/networks-panel/")
    assert response.status_code == 302


def test_an_unknown_school_is_404(client, world):
    client.force_login(world.director_a)
    assert client.get("/schools/99999999/networks-panel/").status_code == 404


def test_the_panel_runs_a_constant_number_of_queries(client, world, django_assert_num_queries):
    client.force_login(world.director_a)
    client.get(f"/schools/{world.a1.rbd}/networks-panel/")
    # 1 user, 2 school, 3 its networks visible to the user (one query with
    # its subqueries, however many networks).
    with django_assert_num_queries(3):
        client.get(f"/schools/{world.a1.rbd}/networks-panel/")
