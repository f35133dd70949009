import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import timezone

from rme_platform.accounts.models import Invitation, User
from rme_platform.accounts.services import invite_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def invite(django_capture_on_commit_callbacks):
    """invite_user, with the email task run as on a real commit."""

    def _invite(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return invite_user(**kwargs)

    return _invite


def invitation_link(message):
    return re.search(r"http://\S+/accounts/invitation/(\S+)/", message.body).group(0)


def test_admin_invites_by_form_and_email_carries_a_seven_day_link(
    client, admin_user, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    session = client.session
    session["mfa_enrolled"] = True
    session.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/invite/",
            {
                "email": "Nueva.Directora@Escuela.cl",
                "first_name": "Rosa",
                "last_name": "Paz",
                "role": "director",
                "language": "es",
            },
        )
    assert response.status_code == 302
    user = User.objects.get(email="nueva.directora@escuela.cl")
    assert user.role == "director" and not user.has_usable_password()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nueva.directora@escuela.cl"]
    assert "Hola, Rosa" in message.body and "7 días" in message.body
    invitation = Invitation.objects.get(user=user)
    assert invitation.invited_by == admin_user
    assert timedelta(days=6, hours=23) < invitation.expires_at - timezone.now() <= timedelta(days=7)
    assert invitation.sent_at is not None
    # Only a hash of the token is stored.
    token = invitation_link(message).rstrip("/").rsplit("/", 1)[1]
    assert token not in invitation.token_hash


def test_invitee_sets_password_is_verified_and_signed_in(client, invite):
    invite(email="utp@liceo.cl", role="utp", first_name="Ulises")
    link = invitation_link(mail.outbox[0])
    page = client.get(link)
    assert page.status_code == 200
    assert "Jefe/a de UTP" in page.content.decode()
    response = client.post(
        link, {"password1": "Una-clave-larga-2025", "password2": "Una-clave-larga-2025"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    user = User.objects.get(email="utp@liceo.cl")
    assert user.check_password("Una-clave-larga-2025")
    assert EmailAddress.objects.get(user=user).verified
    home = client.get("/")
    assert "Hola, Ulises" in home.content.decode()
    # The link cannot be used twice.
    again = client.get(link)
    assert again.status_code == 410
    assert "ya fue aceptada" in again.content.decode()


def test_weak_or_mismatched_password_is_refused_and_nothing_changes(client, invite):
    invite(email="d@escuela.cl", role="director")
    link = invitation_link(mail.outbox[0])
    response = client.post(link, {"password1": "12345678", "password2": "12345678"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "completamente numérica" in body or "demasiado común" in body
    response = client.post(link, {"password1": "Una-clave-larga-2025", "password2": "otra"})
    assert "no coinciden" in response.content.decode()
    user = User.objects.get(email="d@escuela.cl")
    assert not user.has_usable_password()
    assert Invitation.objects.get(user=user).accepted_at is None


def test_expired_link_says_so(client, invite):
    invitation = invite(email="tarde@escuela.cl", role="director")
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    response = client.get(invitation_link(mail.outbox[0]))
    assert response.status_code == 410
    assert "venció" in response.content.decode()


def test_unknown_token_is_404(client):
    assert client.get("/accounts/invitation/no-existe/").status_code == 404


def test_new_invitation_replaces_the_pending_one(client, invite):
    invite(email="dos@escuela.cl", role="director")
    invite(email="dos@escuela.cl", role="utp")
    old_link, new_link = (invitation_link(message) for message in mail.outbox)
    assert client.get(old_link).status_code == 404
    assert client.get(new_link).status_code == 200
    assert User.objects.get(email="dos@escuela.cl").role == "utp"


def test_cannot_invite_someone_who_already_has_an_account(client, director, invite):
    with pytest.raises(Exception, match="ya tiene una cuenta"):
        invite(email=director.email, role="director")


def test_supervisor_may_invite_directivos_but_not_analysts(client, supervisor):
    client.force_login(supervisor)
    page = client.get("/accounts/invite/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'value="director"' in body and 'value="analyst"' not in body
    response = client.post(
        "/accounts/invite/", {"email": "x@y.cl", "role": "analyst", "language": "es"}
    )
    assert response.status_code == 200
    assert "Escoja una opción válida" in response.content.decode()
    assert not User.objects.filter(email="x@y.cl").exists()
    assert mail.outbox == []


def test_directivo_cannot_invite(client, director):
    client.force_login(director)
    assert client.get("/accounts/invite/").status_code == 403
    assert (
        client.post("/accounts/invite/", {"email": "a@b.cl", "role": "director"}).status_code == 403
    )


def test_invitation_email_in_invitees_language(client, invite):
    invite(email="english@school.cl", role="director", first_name="Ann", language="en")
    message = mail.outbox[0]
    assert "Hello, Ann" in message.body
    assert "School Improvement Networks" in message.subject
