"""Operations on accounts: invitations, profile, API tokens.

Views, the API, admin actions and management commands call these functions;
none repeats their logic.
"""

import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rme_platform import audit, outbox

from .models import ApiToken, Invitation, Role, User, hash_secret
from .permissions import invitable_roles, is_admin


def _clean_email(email):
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError(
            {"email": _("«%(email)s» no es un correo electrónico válido.") % {"email": email}}
        ) from exc
    return email


def invite_user(
    *,
    email,
    role,
    invited_by=None,
    first_name="",
    last_name="",
    language=None,
    send=True,
):
    """Create (or refresh) the account for `email` and an invitation valid for
    INVITATION_VALID_DAYS days. Atomic; the email with the link is sent by a
    Celery task once the transaction commits (the task mints the secret token,
    so it never travels through the broker or the logs). Returns the invitation.

    The account stays inactive (it cannot sign in, nor get a password reset
    link) until the invitation is accepted.

    Raises ValidationError if the inviter may not invite that role, the
    person already has an active account with a password, or (unless the
    inviter is an admin) the account was invited with another role or has a
    pending invitation of another inviter.
    """
    email = _clean_email(email)
    if role not in Role.values:
        raise ValidationError({"role": _("«%(role)s» no es un rol válido.") % {"role": role}})
    if invited_by is not None and role not in invitable_roles(invited_by):
        raise ValidationError(
            {
                "role": _("No tiene permiso para invitar a personas con el rol «%(role)s».")
                % {"role": Role(role).label}
            }
        )
    language = language or settings.LANGUAGE_CODE
    with transaction.atomic():
        user = User.objects.select_for_update().filter(email__iexact=email).first()
        if user is not None and user.has_usable_password():
            raise ValidationError(
                {
                    "email": _("%(email)s ya tiene una cuenta activa en la plataforma.")
                    % {"email": email}
                }
            )
        if (
            user is not None
            and invited_by is not None
            and not is_admin(invited_by)
            and user.role
            and user.role != role
        ):
            raise ValidationError(
                {
                    "email": _(
                        "%(email)s ya tiene una cuenta con otro rol; solo el ministerio "
                        "puede cambiarla."
                    )
                    % {"email": email}
                }
            )
        if (
            user is not None
            and invited_by is not None
            and not is_admin(invited_by)
            and user.invitations.pending().exclude(invited_by=invited_by).exists()
        ):
            # Re-sending would take the invitation over (its revocation, the
            # names): only its inviter or the ministry may.
            raise ValidationError(
                {
                    "email": _(
                        "%(email)s tiene una invitación pendiente de otra persona; solo quien "
                        "invitó o el ministerio pueden reenviarla."
                    )
                    % {"email": email}
                }
            )
        if user is None:
            user = User.objects.create_user(
                email=email,
                first_name=first_name,
                last_name=last_name,
                language=language,
                role=role,
                is_staff=role == Role.ADMIN,
                is_active=False,
            )
        else:
            user.first_name = first_name or user.first_name
            user.last_name = last_name or user.last_name
            user.role = role
            user.is_staff = user.is_staff or role == Role.ADMIN
            user.is_active = False
            user.save(update_fields=["first_name", "last_name", "role", "is_staff", "is_active"])
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"primary": True, "verified": False}
        )
        # A fresh invitation replaces any earlier pending one.
        if user.invitations.pending().update(revoked_at=timezone.now()):
            audit.record(invited_by, "invitation.revoked", user, reason="replaced")
        invitation = Invitation.objects.create(
            user=user,
            email=email,
            role=role,
            invited_by=invited_by,
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
        )
        audit.record(invited_by, "invitation.sent", invitation, role=role)
        if send:
            # Lazy: accounts.tasks imports this module (Celery task cycle).
            from .tasks import send_invitation_email

            outbox.send(send_invitation_email, [invitation.pk])
    return invitation


def issue_invitation_token(invitation):
    """Mint the secret token of an invitation's link; only its hash is kept."""
    token = secrets.token_urlsafe(32)
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=hash_secret(token))
    invitation.token_hash = hash_secret(token)
    return token


class InvitationError(Exception):
    """The link cannot be used; `reason` is one of invalid, expired, used."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def get_invitation(token):
    """Return the pending invitation for a raw token or raise InvitationError."""
    if not token:
        raise InvitationError("invalid")
    invitation = (
        Invitation.objects.select_related("user").filter(token_hash=hash_secret(token)).first()
    )
    if invitation is None or invitation.revoked_at:
        raise InvitationError("invalid")
    if invitation.accepted_at:
        raise InvitationError("used")
    if invitation.is_expired:
        raise InvitationError("expired")
    return invitation


def accept_invitation(*, token, password):
    """Set the invitee's password, verify their email (the link reached it)
    and close the invitation. Atomic; raises InvitationError or ValidationError."""
    with transaction.atomic():
        invitation = get_invitation(token)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at:
            raise InvitationError("used")
        user = invitation.user
        validate_password(password, user)
        user.set_password(password)
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
        EmailAddress.objects.filter(user=user).update(primary=False)
        address, _created = EmailAddress.objects.get_or_create(
            user=user, email=invitation.email, defaults={"primary": True, "verified": True}
        )
        address.primary = True
        address.verified = True
        address.save(update_fields=["primary", "verified"])
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        audit.record(user, "invitation.accepted", invitation)
    return user


def revoke_invitation(*, invitation, by=None):
    """Withdraw a pending invitation: its link stops working and, if the
    person never accepted an invitation, their account is deactivated, so
    neither a password reset nor an email confirmation lets them in.
    Idempotent; an accepted invitation is left as it is (returns False)."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at:
            return False
        if invitation.revoked_at is None:
            invitation.revoked_at = timezone.now()
            invitation.save(update_fields=["revoked_at"])
            audit.record(by, "invitation.revoked", invitation.user, reason="revoked")
        user = invitation.user
        if not user.invitations.filter(accepted_at__isnull=False).exists():
            User.objects.filter(pk=user.pk).update(is_active=False)
    return True


def update_profile(*, user, first_name, last_name, language):
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Idioma no disponible.")})
    user.first_name = first_name.strip()
    user.last_name = last_name.strip()
    user.language = language
    user.save(update_fields=["first_name", "last_name", "language"])
    return user


def create_api_token(*, user, name):
    """Create a personal API token; returns (token, key). The key is only
    available here: it is stored hashed."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Indique un nombre para el token.")})
    if user.api_tokens.active().count() >= 20:
        raise ValidationError({"name": _("Ya tiene 20 tokens activos; revoque uno antes.")})
    key = ApiToken.generate_key()
    token = ApiToken.objects.create(
        user=user, name=name[:80], prefix=key[:12], key_hash=hash_secret(key)
    )
    audit.record(user, "token.created", token)
    return token, key


def revoke_api_token(*, user, token_id):
    """Revoke one of the user's tokens. Idempotent; another user's token is
    treated as missing."""
    updated = ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not updated and not ApiToken.objects.filter(pk=token_id, user=user).exists():
        raise ApiToken.DoesNotExist
    if updated:
        audit.record(user, "token.revoked", ApiToken.objects.get(pk=token_id))
