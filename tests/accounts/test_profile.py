import pytest

from rme_platform.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def test_profile_updates_name_and_language(client, director):
    client.force_login(director)
    response = client.post(
        "/accounts/profile/", {"first_name": "María José", "last_name": "Soto", "language": "en"}
    )
    assert response.status_code == 302
    director.refresh_from_db()
    assert (director.first_name, director.language) == ("María José", "en")
    page = client.get("/accounts/profile/")
    assert "My profile" in page.content.decode()


def test_profile_rejects_unknown_language(client, director):
    client.force_login(director)
    response = client.post(
        "/accounts/profile/", {"first_name": "A", "last_name": "B", "language": "fr"}
    )
    assert response.status_code == 200
    director.refresh_from_db()
    assert director.language == "es"


def test_create_list_use_and_revoke_an_api_token(client, director):
    client.force_login(director)
    client.post("/accounts/profile/tokens/", {"name": "planilla"})
    page = client.get("/accounts/profile/").content.decode()
    assert "planilla" in page
    key = page.split('data-testid="new-token"')[0].rsplit('value="', 1)[1].split('"')[0]
    assert key.startswith("rme_")
    token = ApiToken.objects.get(user=director)
    assert token.key_hash != key  # stored hashed
    # The key is shown once only.
    assert key not in client.get("/accounts/profile/").content.decode()

    client.logout()
    me = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert me.status_code == 200
    assert me.json()["email"] == director.email
    token.refresh_from_db()
    assert token.last_used_at is not None

    client.force_login(director)
    client.post(f"/accounts/profile/tokens/{token.pk}/revoke/")
    client.logout()
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401


def test_cannot_revoke_someone_elses_token(client, director, utp):
    from rme_platform.accounts.services import create_api_token

    token, key = create_api_token(user=utp, name="suyo")
    client.force_login(director)
    assert client.post(f"/accounts/profile/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_token_without_name_is_refused(client, director):
    client.force_login(director)
    client.post("/accounts/profile/tokens/", {"name": "  "})
    assert not ApiToken.objects.exists()
