"""Who may see and do what with shared practices, for the pages and the API
alike. Built on networks.permissions (and re-exported there).

- A draft is seen only by the school's directivos (its authors and
  co-authors, and whoever holds an active director or head of UTP position
  at the school).
- A published practice is seen, according to its visibility, by
  "network": the people of the networks the school takes part in (their
  directivos, supervisors and sostenedor representatives);
  "deprov": also everyone attached to a network of the same DEPROV and the
  supervisors of that DEPROV;
  "all": every active user of the platform (analysts read these only).
- Ministry admins see everything. Anyone else gets 404 for a practice.
- Authors, co-authors and the school's director edit and publish; the
  directivos of another school adopt; the supervisors of a network
  (networks.permissions.supervised_networks) and admins feature a practice
  for it and put it on its meetings' agenda.
"""

from django.db.models import Q

from networks.meetings.permissions import runnable_networks
from networks.models import NetworkSchool, NetworkStatus
from networks.permissions import visible_networks
from rme_platform.accounts.permissions import (
    is_active_user,
    is_admin,
    is_analyst_role,
    is_directivo,
    is_supervisor,
)
from schools.models import Position, School
from schools.permissions import (
    directivo_school_ids,
    is_school_director,
    supervisor_deprov_ids,
)

from .models import Practice, PracticeStatus, PracticeVisibility


def _schools_of(network_ids):
    return NetworkSchool.objects.filter(network__in=network_ids, left_on__isnull=True).values(
        "school_id"
    )


def _authored(user):
    return Practice.authors.through.objects.filter(user=user).values("practice_id")


def visible_practices(user):
    """Practices the user may see, drafts included where they may.

    The user's own schools and networks are read first (one small query
    each) and the condition is written with their ids: a
    condition of nested permission subqueries cost more to build and
    compile in Python than the whole rest of a library page."""
    if not is_active_user(user):
        return Practice.objects.none()
    if is_admin(user):
        return Practice.objects.all()
    published = Q(status=PracticeStatus.PUBLISHED)
    condition = published & Q(visibility=PracticeVisibility.ALL)
    # Own drafts and practices: authors, and the school's directivos.
    condition |= Q(pk__in=_authored(user))
    if is_directivo(user):
        schools = list(directivo_school_ids(user).values_list("school_id", flat=True))
        if schools:
            condition |= Q(school__in=schools)
    if not is_analyst_role(user):
        networks = list(
            visible_networks(user)
            .filter(status=NetworkStatus.ACTIVE)
            .values_list("pk", "deprov_id")
        )
        deprovs = {deprov for _pk, deprov in networks}
        if is_supervisor(user):
            condition |= published & Q(
                visibility=PracticeVisibility.DEPROV,
                school__in=School.objects.filter(deprov__in=supervisor_deprov_ids(user)).values(
                    "rbd"
                ),
            )
        if networks:
            condition |= published & Q(
                visibility__in=[PracticeVisibility.NETWORK, PracticeVisibility.DEPROV],
                school__in=_schools_of(sorted(pk for pk, _deprov in networks)),
            )
        # School subqueries rather than joins: the planner keeps the scan on
        # the practices table alone (see bench/bench_practices.py).
        if deprovs:
            condition |= published & Q(
                visibility=PracticeVisibility.DEPROV,
                school__in=School.objects.filter(deprov__in=sorted(deprovs)).values("rbd"),
            )
    return Practice.objects.filter(condition)


def published_practices(user):
    return visible_practices(user).filter(status=PracticeStatus.PUBLISHED)


def can_view_practice(user, practice):
    # Published for "all": every active user sees it (the first clause of
    # visible_practices), no need to build the user's scope.
    if (
        is_active_user(user)
        and practice.status == PracticeStatus.PUBLISHED
        and practice.visibility == PracticeVisibility.ALL
    ):
        return True
    return visible_practices(user).filter(pk=practice.pk).exists()


def is_author(user, practice):
    return practice.authors.filter(pk=user.pk).exists()


def can_edit_practice(user, practice, authors=None):
    """Authors, co-authors, the school's current director and admins
    (`authors`: the practice's authors when the caller has read them)."""
    if not is_active_user(user):
        return False
    if is_admin(user):
        return True
    if authors is not None:
        author = any(a.pk == user.pk for a in authors)
    else:
        author = is_author(user, practice)
    return author or is_school_director(user, practice.school_id)


def can_write_practices(user):
    """Directivos with an active position write practices for their school."""
    return is_directivo(user) and Position.objects.active().filter(user=user).exists()


def writable_schools(user):
    if not is_directivo(user):
        return School.objects.none()
    return School.objects.filter(rbd__in=directivo_school_ids(user))


def adopting_schools(user, practice):
    """The user's schools that may adopt the practice: not its own school."""
    if not practice.is_published:
        return School.objects.none()
    return writable_schools(user).exclude(pk=practice.school_id)


def can_adopt(user, practice):
    return adopting_schools(user, practice).exists()


def can_comment(user, practice):
    return is_active_user(user) and practice.is_published


def can_follow_adoption(user, adoption):
    """Add notes and change the stage: the adopting school's directivos."""
    return is_active_user(user) and (
        is_admin(user) or writable_schools(user).filter(pk=adoption.school_id).exists()
    )


def featurable_networks(user):
    """Active networks for which the user features practices and sets
    agendas: those whose meetings they run (their supervisors, and admins)."""
    return runnable_networks(user).filter(status=NetworkStatus.ACTIVE)


def can_feature(user, practice):
    return practice.is_published and featurable_networks(user).exists()
