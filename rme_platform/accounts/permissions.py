"""Who may do what with accounts."""

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
    """The user has enrolled a TOTP authenticator."""
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def lacks_required_second_factor(user):
    """The user's role demands a second factor (analysts, ministry staff)
    and they have not enrolled one: until they do, they may only set it up."""
    return bool(user.requires_mfa) and not has_second_factor(user)
