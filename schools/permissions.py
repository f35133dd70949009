"""Who may see and change the registry, and the role primitives that need
the registry's models: an analyst's scope, a supervisor's DEPROV, a
directivo's schools, a representative's sostenedores. Every app builds on
these (README, "Who sees what").

The directory is public information: any signed-in user may see every school.
Importing files is for ministry admins."""

from rme_platform.accounts.permissions import (
    is_active_user,
    is_admin,
    is_analyst_role,
    is_directivo,
    is_sostenedor_rep,
    is_supervisor,
)

from .models import (
    AnalystScope,
    Position,
    PositionRole,
    Region,
    School,
    SostenedorRepresentative,
    SupervisorProfile,
)


def visible_schools(user):
    if not is_active_user(user):
        return School.objects.none()
    return School.objects.all()


def can_import_directory(user):
    return is_admin(user)


# --- role primitives ---------------------------------------------------------------


def analyst_scope(user):
    """An active analyst's AnalystScope (national, or a set of regions), or
    None. Kept on the user object for the rest of the request."""
    if not is_analyst_role(user):
        return None
    cached = getattr(user, "_analyst_scope", False)
    if cached is False:
        cached = AnalystScope.objects.filter(user=user).first()
        user._analyst_scope = cached
    return cached


def analyst_regions(user):
    """Regions within an analyst's scope: all for a national one."""
    scope = analyst_scope(user)
    if scope is None:
        return Region.objects.none()
    return Region.objects.all() if scope.national else scope.regions.all()


def supervisor_deprov_ids(user):
    """The DEPROV an active supervisor belongs to (their SupervisorProfile),
    as a subquery: where they manage networks. Empty for anyone else."""
    if not is_supervisor(user):
        return SupervisorProfile.objects.none().values("deprov_id")
    return SupervisorProfile.objects.filter(user=user).values("deprov_id")


def directivo_school_ids(user):
    """Schools where an active directivo holds an active position, as a
    subquery. Empty for anyone else."""
    if not is_directivo(user):
        return Position.objects.none().values("school_id")
    return Position.objects.active().filter(user=user).values("school_id")


def is_school_director(user, school_id):
    """An active directivo holding an active director position at the school."""
    return (
        is_directivo(user)
        and Position.objects.active()
        .filter(user=user, school_id=school_id, role=PositionRole.DIRECTOR)
        .exists()
    )


def sostenedor_ids(user):
    """Sostenedores an active representative is linked to, as a subquery.
    Empty for anyone else."""
    if not is_sostenedor_rep(user):
        return SostenedorRepresentative.objects.none().values("sostenedor_id")
    return SostenedorRepresentative.objects.filter(user=user).values("sostenedor_id")
