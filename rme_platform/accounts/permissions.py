"""Who may do what with accounts."""

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator

from .models import Role


def invitable_roles(user):
    """The roles `user` may invite people with."""
    if not user.is_authenticated or not user.is_active:
        return set()
    if user.is_ministry_admin:
        return set(Role.values)
    if user.is_analyst:
        return {Role.ANALYST}
    if user.is_supervisor:
        return {Role.DIRECTOR, Role.UTP, Role.SOSTENEDOR_REP}
    return set()


def can_invite(user):
    return bool(invitable_roles(user))


def has_second_factor(user):
    """The user has enrolled a TOTP authenticator. (The signed-in user is
    loaded with the answer: accounts.backends.)"""
    known = getattr(user, "has_totp_authenticator", None)
    if known is not None:
        return known
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def session_used_second_factor(request, user):
    """This session's sign-in (or a later re-authentication, or enrolling
    the authenticator in it) passed the second factor. allauth keeps the
    methods a session was authenticated with, for that user only; a
    password-only sign-in (Django's own login form, `Client.login`) has no
    "mfa" record."""
    return any(
        record.get("method") == "mfa" for record in get_authentication_records(request, user)
    )


def lacks_required_second_factor(user):
    """The user's role demands a second factor (analysts, ministry staff)
    and they have not enrolled one: until they do, they may only set it up."""
    return bool(user.requires_mfa) and not has_second_factor(user)
