"""Who may do what with accounts, and the role primitives that depend on
the user alone. Every app builds on these (README, "Who sees what"); the
ones that need a school, a DEPROV or a network live in schools.permissions
and networks.permissions."""

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator

from .models import DIRECTIVO_ROLES, Role


def is_active_user(user):
    """Signed in with an account that is not disabled."""
    return user is not None and user.is_authenticated and user.is_active


def is_admin(user):
    """Ministry admin: an active account that is staff or holds the admin role."""
    return is_active_user(user) and (user.is_staff or user.role == Role.ADMIN)


def can_open_admin_site(user):
    """Django's admin site lets in active staff accounts only."""
    return is_active_user(user) and user.is_staff


def has_role(user, *roles):
    """An active account whose role is one of `roles`. What the role lets
    one reach comes from schools.permissions and networks.permissions."""
    return is_active_user(user) and user.role in roles


def is_supervisor(user):
    return has_role(user, Role.SUPERVISOR)


def is_directivo(user):
    return has_role(user, *DIRECTIVO_ROLES)


def is_sostenedor_rep(user):
    return has_role(user, Role.SOSTENEDOR_REP)


def is_analyst_role(user):
    """The analyst role; what an analyst reads also needs their scope
    (schools.permissions.analyst_scope)."""
    return has_role(user, Role.ANALYST)


def invitable_roles(user):
    """The roles `user` may invite people with."""
    if not is_active_user(user):
        return set()
    if is_admin(user):
        return set(Role.values)
    if is_analyst_role(user):
        return {Role.ANALYST}
    if is_supervisor(user):
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
