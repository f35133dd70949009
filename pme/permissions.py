"""Who may see and change PMEs. The one source of truth for access, used by
the HTML views, the API, the exports and the rollups.

- directivos (role director or jefe de UTP, with an active position at the
  school) read and edit their own school's cycles and plans, shared or not;
- supervisors of one of the school's networks (networks.permissions:
  assigned to it by an active supervisor membership) and the
  representatives of the school's sostenedor read the plans the school
  shares with its networks, and comment on them; representatives may also
  mark an annual plan approved by the sostenedor;
- analysts read the rollups of shared plans within their scope, never a
  plan itself; supervisors read the rollups of their DEPROV and region;
- ministry admins see and may change everything.

A plan or cycle outside one's scope answers 404, like a missing one.
"""

from django.db.models import Q

from networks.models import NetworkSchool
from networks.permissions import supervised_network_ids
from rme_platform.accounts.permissions import (
    is_active_user,
    is_admin,
    is_analyst_role,
    is_directivo,
    is_sostenedor_rep,
    is_supervisor,
)
from schools.models import Deprov, Region
from schools.permissions import (
    analyst_regions,
    directivo_school_ids,
    sostenedor_ids,
    supervisor_deprov_ids,
)

from .models import Action, AnnualPlan, PMECycle


def supervised_school_ids(user):
    """Schools of the networks the user supervises (networks.permissions)."""
    return NetworkSchool.objects.filter(
        left_on__isnull=True, network__in=supervised_network_ids(user)
    ).values("school_id")


def own_school_ids(user):
    """Schools whose PME the user edits: those of their active positions."""
    return directivo_school_ids(user)


def _reader_condition(user):
    """Q on plans for what the user may read, by role (no OR across roles,
    so the planner estimates the few rows each scope gives); None means
    everything."""
    if not is_active_user(user):
        return Q(pk__in=[])
    if is_admin(user):
        return None
    if is_directivo(user):
        return Q(school__in=own_school_ids(user))
    if is_supervisor(user):
        return Q(shared_with_network=True, school__in=supervised_school_ids(user))
    if is_sostenedor_rep(user):
        return Q(shared_with_network=True, school__sostenedor__in=sostenedor_ids(user))
    return Q(pk__in=[])


def visible_plans(user):
    """Annual plans the user may read."""
    condition = _reader_condition(user)
    plans = AnnualPlan.objects.all()
    return plans if condition is None else plans.filter(condition)


def editable_plans(user):
    if not is_active_user(user):
        return AnnualPlan.objects.none()
    if is_admin(user):
        return AnnualPlan.objects.all()
    if not is_directivo(user):
        return AnnualPlan.objects.none()
    return AnnualPlan.objects.filter(school__in=own_school_ids(user))


def visible_cycles(user):
    """Cycles of the user's own schools, and those with a plan they may read."""
    if not is_active_user(user):
        return PMECycle.objects.none()
    if is_admin(user):
        return PMECycle.objects.all()
    if is_directivo(user):
        return PMECycle.objects.filter(school__in=own_school_ids(user))
    return PMECycle.objects.filter(pk__in=visible_plans(user).values("cycle_id"))


def visible_actions(user):
    """Actions of the plans the user may read."""
    if is_active_user(user) and is_admin(user):
        return Action.objects.all()
    return Action.objects.filter(plan__in=visible_plans(user).values("pk"))


def can_edit_school(user, school_id, *, own_school=None):
    """Create cycles and plans for the school. `own_school`: whether the
    school is one of the user's (`own_school_ids`), when the caller knows."""
    if not is_active_user(user):
        return False
    if is_admin(user):
        return True
    if own_school is None:
        own_school = own_school_ids(user).filter(school_id=school_id).exists()
    return is_directivo(user) and own_school


def can_edit_plan(user, plan, *, own_school=None):
    """Change the plan, its actions and their progress (closed plans are
    refused by the services, with a message)."""
    return can_edit_school(user, plan.school_id, own_school=own_school)


def can_edit_cycle(user, cycle):
    return can_edit_school(user, cycle.school_id)


def can_view_plan(user, plan):
    return visible_plans(user).filter(pk=plan.pk).exists()


def can_comment(user, plan):
    """Everyone who may read a plan may comment on it (the school answers)."""
    return can_view_plan(user, plan)


def can_approve(user, plan):
    """A representative of the school's sostenedor, on a plan they may read."""
    if not is_sostenedor_rep(user):
        return False
    return (
        plan.school.sostenedor_id is not None
        and sostenedor_ids(user).filter(sostenedor_id=plan.school.sostenedor_id).exists()
        and can_view_plan(user, plan)
    )


def plans_awaiting_approval(user):
    """Plans a sostenedor representative may approve and has not yet: those
    of their sostenedores' schools that they may read, not approved."""
    if not is_sostenedor_rep(user):
        return AnnualPlan.objects.none()
    return visible_plans(user).filter(
        school__sostenedor__in=sostenedor_ids(user),
        approved_at__isnull=True,
    )


def can_import_ate(user):
    return is_admin(user)


# --- rollups -------------------------------------------------------------------


def rollup_regions(user):
    """Regions whose dashboard the user may open."""
    if not is_active_user(user):
        return Region.objects.none()
    if is_admin(user):
        return Region.objects.all()
    if is_analyst_role(user):
        return analyst_regions(user)
    if is_supervisor(user):
        return Region.objects.filter(deprovs__in=supervisor_deprov_ids(user)).distinct()
    return Region.objects.none()


def rollup_deprovs(user):
    """DEPROV whose dashboard the user may open."""
    if not is_active_user(user):
        return Deprov.objects.none()
    if is_admin(user):
        return Deprov.objects.all()
    if is_analyst_role(user):
        return Deprov.objects.filter(region__in=rollup_regions(user).values("code"))
    if is_supervisor(user):
        return Deprov.objects.filter(code__in=supervisor_deprov_ids(user))
    return Deprov.objects.none()


def can_view_dashboards(user):
    return rollup_deprovs(user).exists()
