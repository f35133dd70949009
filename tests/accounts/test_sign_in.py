import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from tests.factories import PASSWORD, UserFactory
from tests.helpers import current_totp

pytestmark = pytest.mark.django_db


def test_directivo_signs_in_with_email_and_password(client, director):
    response = client.post(
        "/accounts/login/", {"login": director.email.upper(), "password": PASSWORD}
    )
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert "Director/a" in home.content.decode()


def test_the_welcome_message_is_in_the_users_language_not_the_browsers(client, director):
    director.language = "es"
    director.save(update_fields=["language"])
    client.post(
        "/accounts/login/",
        {"login": director.email, "password": PASSWORD},
        HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9",
    )
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Ha iniciado sesión exitosamente como" in home
    assert "Successfully signed in" not in home

    client.logout()
    director.language = "en"
    director.save(update_fields=["language"])
    client.post("/accounts/login/", {"login": director.email, "password": PASSWORD})
    assert "Successfully signed in as" in client.get("/").content.decode()


def test_wrong_password_is_refused_with_a_message(client, director):
    response = client.post("/accounts/login/", {"login": director.email, "password": "mala"})
    assert response.status_code == 200
    assert "no son correctas" in response.content.decode()


def test_unverified_email_cannot_sign_in(client):
    user = UserFactory()
    EmailAddress.objects.filter(user=user).update(verified=False)
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert client.get("/").status_code == 302
    assert len(mail.outbox) == 1  # a fresh verification email


def test_there_is_no_open_sign_up(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "intruso@x.cl",
            "password1": "Una-clave-larga-2025",
            "password2": "Una-clave-larga-2025",
        },
    )
    assert "cerrado" in response.content.decode().lower()
    from rme_platform.accounts.models import User

    assert not User.objects.filter(email="intruso@x.cl").exists()


def test_failed_logins_are_rate_limited(client, director):
    for _ in range(5):
        client.post("/accounts/login/", {"login": director.email, "password": "mala"})
    # Even the right password is refused while the limit holds.
    response = client.post("/accounts/login/", {"login": director.email, "password": PASSWORD})
    assert "Demasiados intentos fallidos" in response.content.decode()
    assert client.get("/").status_code == 302


def test_login_attempts_per_address_are_capped(client, director):
    statuses = {
        client.post("/accounts/login/", {"login": f"x{i}@x.cl", "password": "x"}).status_code
        for i in range(35)
    }
    assert 429 in statuses


def test_password_reset_sends_a_link_that_sets_a_new_password(client, director):
    response = client.post("/accounts/password/reset/", {"email": director.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    link = next(word for word in body.split() if "/accounts/password/reset/key/" in word)
    page = client.get(link, follow=True)
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else link
    response = client.post(
        form_url, {"password1": "Otra-clave-nueva-99", "password2": "Otra-clave-nueva-99"}
    )
    assert response.status_code == 302
    director.refresh_from_db()
    assert director.check_password("Otra-clave-nueva-99")


def test_analyst_without_totp_is_sent_to_set_it_up(client):
    analyst = UserFactory(role="analyst")
    client.post("/accounts/login/", {"login": analyst.email, "password": PASSWORD})
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"
    # Setting up TOTP asks for the password again (allauth's reauthentication),
    # then shows the QR code and secret.
    response = client.get("/accounts/2fa/totp/activate/")
    assert response["Location"].startswith("/accounts/reauthenticate/")
    client.post(response["Location"], {"password": PASSWORD})
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    assert "svg" in page.content.decode()


def test_directivo_is_not_forced_to_use_totp(client, director):
    client.post("/accounts/login/", {"login": director.email, "password": PASSWORD})
    assert client.get("/").status_code == 200


def test_analyst_with_totp_signs_in_in_two_steps(client, analyst):
    response = client.post("/accounts/login/", {"login": analyst.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/").status_code == 302  # not signed in yet
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200
    response = client.post("/accounts/2fa/authenticate/", {"code": current_totp()})
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert "Analista" in home.content.decode()


def test_email_change_page_is_available(client, director):
    client.force_login(director)
    response = client.get("/accounts/email/")
    assert response.status_code == 200
    client.post("/accounts/email/", {"action_add": "", "email": "nuevo@escuela.cl"})
    assert any("nuevo@escuela.cl" in m.to for m in mail.outbox)


def test_sign_out(client, director):
    client.force_login(director)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302
