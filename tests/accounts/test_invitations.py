import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import timezone

from rme_platform.accounts.models import Invitation, User
from rme_platform.accounts.services import invite_user
from tests.factories import SchoolFactory, SupervisorProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def school(db):
    return SchoolFactory()


@pytest.fixture
def supervisor(db, school):
    """A supervisor of the school's DEPROV: may invite its directivos."""
    return SupervisorProfileFactory(deprov=school.deprov).user


def director_form(email, school, **fields):
    return {"email": email, "role": "director", "rbd": school.rbd, "language": "es", **fields}


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
    client, admin_user, school, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/people/invite/",
            director_form("Nueva.Directora@Escuela.cl", school, first_name="Rosa", last_name="Paz"),
        )
    assert response.status_code == 302
    user = User.objects.get(email="nueva.directora@escuela.cl")
    assert user.role == "director" and not user.has_usable_password()
    assert user.positions.get().school == school
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


def test_there_is_one_invitation_page(client, admin_user):
    """The accounts address of the page leads to the one page, which
    carries the person's place and lists the invitations sent."""
    client.force_login(admin_user)
    response = client.get("/accounts/invite/")
    assert response.status_code == 301 and response["Location"] == "/people/invite/"
    page = client.get("/people/invite/").content.decode()
    for field in ("rbd", "deprov", "sostenedor_rut", "networks", "language"):
        assert f'name="{field}"' in page
    assert "Invitaciones recientes" in page


def test_an_admin_invites_an_admin_who_holds_no_place(
    client, admin_user, school, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    form = {"email": "nuevo.admin@mineduc.cl", "role": "admin", "language": "en"}
    response = client.post("/people/invite/", {**form, "rbd": school.rbd})
    assert response.status_code == 200
    assert "no lleva establecimiento" in response.content.decode()
    assert not User.objects.filter(email="nuevo.admin@mineduc.cl").exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/people/invite/", form).status_code == 302
    user = User.objects.get(email="nuevo.admin@mineduc.cl")
    assert user.role == "admin" and user.is_staff and user.language == "en"
    assert len(mail.outbox) == 1


def test_supervisor_may_invite_directivos_but_not_analysts(client, supervisor):
    client.force_login(supervisor)
    page = client.get("/people/invite/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'value="director"' in body and 'value="analyst"' not in body
    response = client.post(
        "/people/invite/", {"email": "x@y.cl", "role": "analyst", "language": "es"}
    )
    assert response.status_code == 200
    assert "Escoja una opción válida" in response.content.decode()
    assert not User.objects.filter(email="x@y.cl").exists()
    assert mail.outbox == []


def test_directivo_cannot_invite(client, director):
    client.force_login(director)
    assert client.get("/people/invite/").status_code == 403
    assert (
        client.post("/people/invite/", {"email": "a@b.cl", "role": "director"}).status_code == 403
    )


def test_invitation_email_in_invitees_language(client, invite):
    invite(email="english@school.cl", role="director", first_name="Ann", language="en")
    message = mail.outbox[0]
    assert "Hello, Ann" in message.body
    assert "School Improvement Networks" in message.subject


# --- an invited account is inactive until it accepts (issue 14) -----------------


def reset_links():
    return [
        word
        for message in mail.outbox
        for word in message.body.split()
        if "/accounts/password/reset/key/" in word
    ]


def test_invited_account_is_inactive_until_the_invitation_is_accepted(client, invite):
    invite(email="nueva@escuela.cl", role="director")
    user = User.objects.get(email="nueva@escuela.cl")
    assert not user.is_active
    link = invitation_link(mail.outbox[0])
    client.post(link, {"password1": "Una-clave-larga-2025", "password2": "Una-clave-larga-2025"})
    user.refresh_from_db()
    assert user.is_active


@pytest.mark.parametrize("state", ["pending", "expired", "revoked"])
def test_password_reset_does_not_let_an_invitee_in(client, invite, state):
    invitation = invite(email="invitada@escuela.cl", role="director")
    if state == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
    if state == "revoked":
        from rme_platform.accounts.services import revoke_invitation

        revoke_invitation(invitation=invitation)
    mail.outbox.clear()
    response = client.post("/accounts/password/reset/", {"email": "invitada@escuela.cl"})
    assert response.status_code == 302
    assert reset_links() == []
    # Even with a password (set by any means), the account cannot sign in.
    user = User.objects.get(email="invitada@escuela.cl")
    user.set_password("Una-clave-larga-2025")
    user.save()
    EmailAddress.objects.filter(user=user).update(verified=True)
    client.post(
        "/accounts/login/", {"login": "invitada@escuela.cl", "password": "Una-clave-larga-2025"}
    )
    assert client.get("/").status_code == 302


def test_revoking_withdraws_the_link_and_deactivates_the_account(client, admin_user, invite, login):
    invitation = invite(email="retirada@escuela.cl", role="director")
    link = invitation_link(mail.outbox[0])
    # A person who had become active by older means is deactivated too.
    User.objects.filter(email="retirada@escuela.cl").update(is_active=True)
    admin = login(admin_user)
    response = admin.post(
        "/admin/accounts/invitation/",
        {"action": "revoke", "_selected_action": [invitation.pk]},
    )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert not User.objects.get(email="retirada@escuela.cl").is_active
    client.logout()
    assert client.get(link).status_code == 404


def test_revoking_leaves_an_accepted_account_alone(client, invite):
    from rme_platform.accounts.services import accept_invitation, revoke_invitation

    invitation = invite(email="activa@escuela.cl", role="director")
    token = invitation_link(mail.outbox[0]).rstrip("/").rsplit("/", 1)[1]
    accept_invitation(token=token, password="Una-clave-larga-2025")
    assert revoke_invitation(invitation=invitation) is False
    assert User.objects.get(email="activa@escuela.cl").is_active


def test_a_supervisor_cannot_re_role_a_pending_account_of_someone_else(
    client, supervisor, school, invite
):
    invite(email="pendiente@mineduc.cl", role="analyst")
    client.force_login(supervisor)
    response = client.post("/people/invite/", director_form("pendiente@mineduc.cl", school))
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert User.objects.get(email="pendiente@mineduc.cl").role == "analyst"


def test_migration_deactivates_accounts_whose_invitations_were_never_accepted(invite):
    from importlib import import_module

    from django.apps import apps

    migration = import_module(
        "rme_platform.accounts.migrations.0002_invited_accounts_inactive_until_accepted"
    )
    never_invited = UserFactory()
    accepted = UserFactory()
    Invitation.objects.create(
        user=accepted,
        email=accepted.email,
        role="director",
        expires_at=timezone.now(),
        accepted_at=timezone.now(),
    )
    expired = invite(email="vencida@escuela.cl", role="director")
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=9))
    # People who got in some other way (a password reset while invited
    # accounts were active) and used the platform keep their account.
    signed_in = invite(email="entro@escuela.cl", role="director")
    User.objects.filter(pk=signed_in.user_id).update(last_login=timezone.now())
    with_password = invite(email="clave@escuela.cl", role="director")
    with_password.user.set_password("Una-clave-larga-2025")
    with_password.user.save()
    # As before the change: invited accounts were created active.
    User.objects.update(is_active=True)
    migration.deactivate_unaccepted_invitees(apps, None)
    active = dict(User.objects.values_list("email", "is_active"))
    assert active[never_invited.email] and active[accepted.email]
    assert active["entro@escuela.cl"] and active["clave@escuela.cl"]
    assert not active["vencida@escuela.cl"]


def test_inviter_revokes_from_the_invitation_page(
    client, supervisor, school, invite, django_capture_on_commit_callbacks
):
    client.force_login(supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/people/invite/", director_form("rev@escuela.cl", school))
    invitation = Invitation.objects.get(email="rev@escuela.cl")
    page = client.get("/people/invite/").content.decode()
    assert f"/accounts/invite/{invitation.pk}/revoke/" in page
    # Someone else's invitation is not theirs to revoke.
    others = invite(email="ajena@escuela.cl", role="director")
    assert client.post(f"/accounts/invite/{others.pk}/revoke/").status_code == 404
    assert Invitation.objects.get(pk=others.pk).revoked_at is None
    response = client.post(f"/accounts/invite/{invitation.pk}/revoke/", follow=True)
    assert response.redirect_chain == [("/people/invite/", 302)]
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert not invitation.user.is_active
    link = invitation_link(mail.outbox[0])
    client.logout()
    assert client.get(link).status_code == 404


def test_a_supervisor_cannot_take_over_another_inviters_pending_invitation(
    client, supervisor, school, admin_user, invite, login
):
    colleague = SupervisorProfileFactory(deprov=school.deprov).user
    theirs = invite(email="ajena@escuela.cl", role="director", invited_by=colleague)
    form = director_form("ajena@escuela.cl", school)
    response = login(supervisor).post("/people/invite/", {**form, "first_name": "Otro"})
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert list(Invitation.objects.filter(email="ajena@escuela.cl")) == [theirs]
    # Its inviter and the ministry may send it again.
    assert login(colleague).post("/people/invite/", form).status_code == 302
    assert login(admin_user).post("/people/invite/", form).status_code == 302
    latest = Invitation.objects.filter(email="ajena@escuela.cl").latest("pk")
    assert latest.invited_by == admin_user and latest.revoked_at is None
