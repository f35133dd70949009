"""The menu bar is rendered once per kind of reader and kept in the process
(rme_platform.nav): whoever reads it next must still see their own name,
links, section and language, and its forms must carry the request's own
CSRF token and path."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def nav(page):
    return re.search(r"<nav .*?</nav>", page, re.S).group(0)


def test_each_reader_sees_their_own_bar(login, director, admin_user, supervisor):
    for _ in range(2):  # the second round is served from the kept bars
        directors = nav(login(director).get("/networks/").content.decode())
        assert director.get_full_name() in directors
        assert admin_user.get_full_name() not in directors
        assert "Administración" not in directors and "Invitar personas" not in directors
        assert 'active" aria-current="page" href="/networks/"' in directors

        admins = nav(login(admin_user).get("/networks/").content.decode())
        assert admin_user.get_full_name() in admins
        assert director.get_full_name() not in admins
        assert "Administración" in admins

        supervisors = nav(login(supervisor).get("/meetings/").content.decode())
        assert supervisor.get_full_name() in supervisors and "Invitar personas" in supervisors
        assert 'active" aria-current="page" href="/meetings/"' in supervisors
        assert 'active" aria-current="page" href="/networks/"' not in supervisors


def test_a_renamed_user_and_another_language_show_at_once(login, director):
    client = login(director)
    assert ">Redes<" in nav(client.get("/").content.decode())
    director.first_name = "Renombrada"
    director.language = "en"
    director.save()
    bar = nav(client.get("/").content.decode())
    assert "Renombrada" in bar
    assert ">Networks<" in bar and "Español" in bar


def test_anonymous_bar_offers_sign_in():
    bar = nav(Client().get("/accounts/login/").content.decode())
    assert "Iniciar sesión" in bar and "Cerrar sesión" not in bar


def test_the_bars_forms_carry_this_requests_token_and_path(director):
    client = Client(enforce_csrf_checks=True)
    client.force_login(director)
    page = client.get("/schools/?q=<b>&region=7").content.decode()
    bar = nav(page)
    # The path the language form returns to, escaped as the template escapes it.
    assert 'name="next" type="hidden" value="/schools/?q=%3Cb%3E&amp;region=7"' in bar
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', bar)
    assert len(tokens) == 2 and "placeholder" not in bar
    # The sign-out form of the bar works with the token it carries.
    response = client.post("/accounts/logout/", {"csrfmiddlewaretoken": tokens[1]})
    assert response.status_code == 302
    assert client.get("/networks/").status_code == 302  # signed out: to the sign-in page
