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
