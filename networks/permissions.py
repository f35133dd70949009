"""Who may see and change networks. The one source of truth for access,
used by the HTML views and the API alike.

Scopes turn a user into a queryset; checks answer for one object. An object
outside the user's scope answers 404, like a missing one.
"""

from django.db.models import Q
from django.utils.translation import gettext as _

from rme_platform.accounts.models import Role, User
from rme_platform.accounts.permissions import (
    invitable_roles,
    is_active_user,
    is_admin,
    is_analyst_role,
    is_directivo,
    is_sostenedor_rep,
    is_supervisor,
)
from schools.models import (
    Deprov,
    Position,
    School,
    SostenedorRepresentative,
    SupervisorProfile,
)
from schools.permissions import (
    analyst_regions,
    analyst_scope,
    directivo_school_ids,
    sostenedor_ids,
    supervisor_deprov_ids,
)

from .models import Membership, MembershipRole, Network, NetworkSchool


def analyst_networks(user):
    """Networks within an analyst's scope."""
    scope = analyst_scope(user)
    if scope is None:
        return Network.objects.none()
    if scope.national:
        return Network.objects.all()
    return Network.objects.filter(deprov__region__in=analyst_regions(user).values("code"))


# --- supervisor of a network ----------------------------------------------------------
# The one meaning, used by meetings, PME, practices and monitoring: an active
# user with the supervisor role who holds an active supervisor membership of
# the network ("assigned" to it, one of its dupla). Belonging to the
# network's DEPROV is a different thing: it lets a supervisor manage the
# DEPROV's networks (manageable_deprovs, can_manage_network), not run them.


def supervised_network_ids(user):
    """Networks the user supervises, as a subquery (no join: no duplicates)."""
    if not is_supervisor(user):
        return Membership.objects.none().values("network_id")
    return Membership.objects.filter(user=user, role=MembershipRole.SUPERVISOR, active=True).values(
        "network_id"
    )


def supervised_networks(user):
    """Networks the user is an assigned supervisor of."""
    if not is_supervisor(user):
        return Network.objects.none()
    return Network.objects.filter(pk__in=supervised_network_ids(user))


def is_network_supervisor(user, network):
    return (
        is_supervisor(user)
        and Membership.objects.filter(
            user=user, network_id=network.pk, role=MembershipRole.SUPERVISOR, active=True
        ).exists()
    )


def visible_networks(user):
    """Networks the user may see.

    admin: all · analyst: within their scope · supervisor: their DEPROV's and
    those they belong to · directivo: those of the schools where they hold an
    active position, and those they belong to · sostenedor representative:
    those they were appointed to and those of their sostenedor's schools.
    """
    if not is_active_user(user):
        return Network.objects.none()
    if is_admin(user):
        return Network.objects.all()
    if is_analyst_role(user):
        return analyst_networks(user)
    # Each clause is a pk__in subquery (no joins), so the result has no
    # duplicates and the planner never multiplies rows.
    condition = Q(pk__in=Membership.objects.filter(user=user, active=True).values("network_id"))
    if is_supervisor(user):
        condition |= Q(deprov__in=supervisor_deprov_ids(user))
    if is_directivo(user):
        condition |= Q(
            pk__in=NetworkSchool.objects.filter(
                school__in=directivo_school_ids(user), left_on__isnull=True
            ).values("network_id")
        )
    if is_sostenedor_rep(user):
        condition |= Q(
            pk__in=NetworkSchool.objects.filter(
                school__sostenedor__in=sostenedor_ids(user), left_on__isnull=True
            ).values("network_id")
        )
    return Network.objects.filter(condition)


def manageable_deprovs(user):
    """DEPROV where the user may create and edit networks."""
    if not is_active_user(user):
        return Deprov.objects.none()
    if is_admin(user):
        return Deprov.objects.all()
    if is_supervisor(user):
        return Deprov.objects.filter(code__in=supervisor_deprov_ids(user))
    return Deprov.objects.none()


def can_create_network(user):
    return manageable_deprovs(user).exists()


def can_manage_network(user, network):
    """Edit the network, its schools, members and partners: admins, and the
    supervisors of the network's DEPROV (assigned to it or not)."""
    if is_admin(user):
        return True
    return (
        is_supervisor(user)
        and supervisor_deprov_ids(user).filter(deprov_id=network.deprov_id).exists()
    )


def can_view_network(user, network):
    return visible_networks(user).filter(pk=network.pk).exists()


# --- granting roles, positions, memberships and scopes -------------------------


def grantable_networks(user):
    """Networks whose membership `user` may give: an admin all, a supervisor
    those of their DEPROV, an analyst those within their scope."""
    if not is_active_user(user):
        return Network.objects.none()
    if is_admin(user):
        return Network.objects.all()
    if is_analyst_role(user):
        return analyst_networks(user)
    return Network.objects.filter(deprov__in=manageable_deprovs(user))


def member_candidates(user):
    """People `user` may add to a network they manage (the granter's reach):
    an admin anyone active; a supervisor those holding an active position at
    a school of their DEPROV, the DEPROV's supervisors and the
    representatives of sostenedores with schools in it; nobody else. Someone
    outside answers exactly like someone unknown, so adding a member reveals
    no account."""
    if not is_active_user(user):
        return User.objects.none()
    active = User.objects.filter(is_active=True)
    if is_admin(user):
        return active
    deprovs = manageable_deprovs(user).values("code")
    return active.filter(
        Q(pk__in=Position.objects.active().filter(school__deprov__in=deprovs).values("user_id"))
        | Q(pk__in=SupervisorProfile.objects.filter(deprov__in=deprovs).values("user_id"))
        | Q(
            pk__in=SostenedorRepresentative.objects.filter(
                sostenedor__schools__deprov__in=deprovs
            ).values("user_id")
        )
    )


def analyst_scope_to_grant(user):
    """The survey scope an analyst invited by `user` receives: never wider
    than the inviter's own. Returns (national, region codes)."""
    if user is None or is_admin(user):
        return True, []
    scope = analyst_scope(user)
    if scope is None:
        return False, []
    if scope.national:
        return True, []
    return False, list(scope.regions.values_list("code", flat=True))


def grant_scope_errors(granter, *, role, school=None, deprov=None, sostenedor=None, networks=()):
    """Why `granter` may not give a person `role` with these attachments (a
    position at `school`, the supervisors' `deprov`, a link to `sostenedor`,
    memberships of `networks`), as {column: message}; empty when allowed.

    Nobody grants more than they hold: an admin grants anything; others only
    the roles they may invite (accounts.permissions.invitable_roles), and a
    supervisor only inside their DEPROV (a school of it, a sostenedor whose
    schools all are in it, its networks); an analyst only networks within
    their own scope. Every path that grants (both invitation pages, the
    people import, the API) asks here."""
    if not is_active_user(granter):
        return {"role": _("Debe iniciar sesión para invitar.")}
    if is_admin(granter):
        return {}
    if role not in invitable_roles(granter):
        label = Role(role).label if role in Role.values else role
        return {
            "role": _("No tiene permiso para invitar a personas con el rol «%(role)s».")
            % {"role": label}
        }
    errors = {}
    deprovs = set(manageable_deprovs(granter).values_list("code", flat=True))
    if school is not None and school.deprov_id not in deprovs:
        errors["rbd"] = _("El establecimiento es de otro departamento provincial.")
    if deprov is not None and deprov.code not in deprovs:
        errors["deprov"] = _("Ese departamento provincial no es el suyo.")
    if sostenedor is not None and (
        not deprovs
        or School.objects.filter(sostenedor=sostenedor).exclude(deprov_id__in=deprovs).exists()
    ):
        errors["sostenedor_rut"] = _(
            "El sostenedor tiene establecimientos de otro departamento provincial; solo el "
            "ministerio puede vincular a su representante."
        )
    if networks:
        codes = {n.pk for n in networks}
        reachable = set(
            grantable_networks(granter).filter(pk__in=codes).values_list("pk", flat=True)
        )
        if codes - reachable:
            errors["networks"] = (
                _("Solo puede sumar personas a redes de su departamento provincial.")
                if is_supervisor(granter)
                else _("Solo puede sumar personas a redes dentro de su alcance.")
            )
    return errors
