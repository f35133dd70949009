"""Analysts and ministry admins must enrol a second factor (TOTP) before
anything else: no personal API token, no invitations, no API by token or
by session until they do (issue 14)."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, TOTP

from rme_platform.accounts.models import ApiToken, User
from rme_platform.accounts.services import create_api_token
from tests.factories import PASSWORD, TOTP_SECRET, UserFactory
from tests.helpers import current_totp, login_with_mfa

pytestmark = pytest.mark.django_db

SETUP = "/accounts/2fa/totp/activate/"


@pytest.fixture(params=["analyst", "admin"])
def unenrolled(request):
    """An analyst or an admin with no authenticator, signed in by password
    only (as right after the first sign-in)."""
    if request.param == "admin":
        return UserFactory(role="admin", is_staff=True, is_superuser=True)
    return UserFactory(role="analyst")


def invite_form(email):
    return {"email": email, "role": "analyst", "language": "es", "first_name": "Ana"}


def test_without_totp_no_token_can_be_created(client, unenrolled):
    client.force_login(unenrolled)
    response = client.post("/accounts/profile/tokens/", {"name": "planilla"})
    assert response.status_code == 302 and response["Location"] == SETUP
    assert not ApiToken.objects.exists()
    assert client.get("/accounts/profile/")["Location"] == SETUP


def test_without_totp_no_one_can_be_invited(client, unenrolled):
    client.force_login(unenrolled)
    assert client.get("/people/invite/")["Location"] == SETUP
    response = client.post("/people/invite/", invite_form("nueva@mineduc.cl"))
    assert response.status_code == 302 and response["Location"] == SETUP
    response = client.post(
        "/people/invite/",
        {**invite_form("otra@mineduc.cl"), "last_name": "Paz"},
    )
    assert response.status_code == 302 and response["Location"] == SETUP
    assert not User.objects.filter(email__in=["nueva@mineduc.cl", "otra@mineduc.cl"]).exists()


def test_without_totp_a_token_opens_no_api(client, unenrolled):
    # A token made before the rule (or by any other path) is refused.
    _token, key = create_api_token(user=unenrolled, name="antiguo")
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code in (401, 403)
    assert unenrolled.email not in response.content.decode()
    assert client.get("/api/v1/networks/", HTTP_AUTHORIZATION=f"Token {key}").status_code in (
        401,
        403,
    )


def test_without_totp_the_session_opens_no_api(client, unenrolled):
    client.force_login(unenrolled)
    response = client.get("/api/v1/me/")
    assert response.status_code == 403
    assert unenrolled.email not in response.content.decode()


def test_without_totp_set_up_and_sign_out_stay_reachable(client, unenrolled):
    client.force_login(unenrolled)
    response = client.get(SETUP)
    # allauth asks for the password again before showing the secret.
    assert response.status_code == 200 or response["Location"].startswith(
        "/accounts/reauthenticate/"
    )
    assert client.get("/accounts/reauthenticate/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/api/v1/me/").status_code in (401, 403)  # signed out now


def test_with_totp_everything_works(client, unenrolled, django_capture_on_commit_callbacks):
    TOTP.activate(unenrolled, TOTP_SECRET)
    assert Authenticator.objects.filter(user=unenrolled).exists()
    client.force_login(unenrolled)
    client.post("/accounts/profile/tokens/", {"name": "planilla"})
    token = ApiToken.objects.get(user=unenrolled)
    assert client.get("/people/invite/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/people/invite/", invite_form("nueva@mineduc.cl"))
    assert response.status_code == 302 and response["Location"] == "/people/invite/"
    assert User.objects.filter(email="nueva@mineduc.cl").exists()
    assert client.get("/api/v1/me/").status_code == 200
    client.logout()
    _token, key = create_api_token(user=unenrolled, name="otro")
    me = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert me.status_code == 200 and me.json()["email"] == unenrolled.email
    assert token.revoked_at is None


def test_an_enrolled_analyst_cannot_switch_the_second_factor_off(client, analyst):
    from tests.factories import PASSWORD

    client.force_login(analyst)
    response = client.get("/accounts/2fa/totp/deactivate/")
    if response.status_code == 302:  # allauth asks for the password first
        client.post(response["Location"], {"password": PASSWORD})
    client.post("/accounts/2fa/totp/deactivate/", {})
    assert Authenticator.objects.filter(user=analyst, type=Authenticator.Type.TOTP).exists()


def test_a_directivo_may_switch_an_optional_second_factor_off(client, director):
    from tests.factories import PASSWORD

    TOTP.activate(director, TOTP_SECRET)
    client.force_login(director)
    response = client.get("/accounts/2fa/totp/deactivate/")
    if response.status_code == 302:
        client.post(response["Location"], {"password": PASSWORD})
    client.post("/accounts/2fa/totp/deactivate/", {})
    assert not Authenticator.objects.filter(user=director, type=Authenticator.Type.TOTP).exists()


# --- the second factor belongs to the session, not to the account ----------------


def token_and_api_blocked(client):
    """The session can neither create a personal token nor read the API."""
    client.post("/accounts/profile/tokens/", {"name": "planilla"})
    assert not ApiToken.objects.exists()
    assert client.get("/api/v1/me/").status_code in (401, 403)


def test_the_admin_login_form_does_not_skip_the_second_factor(client, admin_user):
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": admin_user.email, "password": PASSWORD, "next": "/admin/"},
    )
    # Django's password-only form is gone: it sends to allauth's sign-in.
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    token_and_api_blocked(client)
    assert client.get("/admin/").status_code == 302


def test_a_password_only_session_of_an_enrolled_admin_is_signed_out(client, admin_user):
    # Any sign-in that is not allauth's (here Django's own authenticate/login).
    assert client.login(email=admin_user.email, password=PASSWORD)
    response = client.get("/accounts/profile/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    token_and_api_blocked(client)
    assert client.get("/accounts/2fa/recovery-codes/").status_code == 302


def test_signing_in_with_password_and_totp_opens_the_platform(client, admin_user):
    response = login_with_mfa(client, admin_user, PASSWORD)
    assert response.status_code == 302
    client.post("/accounts/profile/tokens/", {"name": "planilla"})
    assert ApiToken.objects.filter(user=admin_user).exists()
    assert client.get("/api/v1/me/").status_code == 200
    assert client.get("/admin/").status_code == 200
    # Already signed in: the admin's login address goes straight on.
    assert client.get("/admin/login/?next=/admin/accounts/user/")["Location"] == (
        "/admin/accounts/user/"
    )


def test_an_authenticator_removed_by_an_admin_takes_effect_at_once(client, analyst):
    client.force_login(analyst)
    assert client.get("/api/v1/me/").status_code == 200
    Authenticator.objects.filter(user=analyst).delete()  # lost phone: an admin removes it
    assert client.get("/api/v1/me/").status_code == 403
    assert client.get("/accounts/profile/")["Location"] == SETUP


def test_enrolling_totp_in_the_session_opens_the_platform(
    client, unenrolled, django_capture_on_commit_callbacks
):
    client.force_login(unenrolled)
    response = client.get(SETUP)
    if response.status_code == 302:  # allauth asks for the password first
        client.post(response["Location"], {"password": PASSWORD})
    assert client.get(SETUP).status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SETUP, {"code": current_totp(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=unenrolled, type=Authenticator.Type.TOTP).exists()
    assert client.get("/accounts/profile/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 200
