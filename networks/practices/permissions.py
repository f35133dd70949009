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

from django.db import connection
from django.db.models import BooleanField, Expression, F, Q
from django.utils import timezone

from networks.meetings.permissions import runnable_networks
from networks.models import Membership, Network, NetworkSchool, NetworkStatus
from rme_platform.accounts.permissions import (
    is_active_user,
    is_admin,
    is_analyst_role,
    is_directivo,
    is_sostenedor_rep,
    is_supervisor,
)
from rme_platform.sql import quoted
from schools.models import Position, School, SostenedorRepresentative, SupervisorProfile
from schools.permissions import (
    directivo_school_ids,
    is_school_director,
)

from .models import Practice, PracticeStatus, PracticeVisibility


class _Scope(Expression):
    """The visibility condition of visible_practices written once as SQL
    over the practice's own columns (compiled with the query's alias, so it
    works inside subqueries too). A tree of Q objects with three nested
    querysets cost more to build and compile in Python than the rest of a
    library page; this is one node with the same meaning."""

    output_field = BooleanField()
    conditional = True
    COLUMNS = ("status", "visibility", "pk", "school_id")

    def __init__(self, sql, params, prefix=""):
        super().__init__()
        self.sql = sql
        self.params = tuple(params)
        self.columns = [F(prefix + name) for name in self.COLUMNS]

    def prefixed(self, prefix):
        """The same condition on the practice reached through `prefix`."""
        return _Scope(self.sql, self.params, prefix)

    def get_source_expressions(self):
        return self.columns

    def set_source_expressions(self, exprs):
        self.columns = list(exprs)

    def resolve_expression(
        self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False
    ):
        clone = self.copy()
        clone.columns = [
            c.resolve_expression(query, allow_joins, reuse, summarize, for_save)
            for c in self.columns
        ]
        return clone

    def as_sql(self, compiler, connection):
        names = dict(
            zip(
                ("status", "visibility", "id", "school"),
                (compiler.compile(c)[0] for c in self.columns),
                strict=True,
            )
        )
        return "(" + self.sql.format(**names) + ")", self.params


def _placeholders(values):
    return ", ".join(["%s"] * len(values))


def directivo_schools(user):
    """The ids of the schools where the user holds an active directivo
    position (a list, empty for anyone else). Read once, it can serve the
    scope (visible_practices(user, schools=…)), "may write?" (non-empty:
    can_write_practices) and the user's own practices."""
    if not is_directivo(user):
        return []
    # schools.permissions.directivo_school_ids (Position.objects.active())
    # written as SQL: compiling the queryset cost more than running it.
    positions, p_school, p_user, p_start, p_end, p_role = quoted(
        Position, "school_id", "user_id", "start_date", "end_date", "role"
    )
    today = timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {p_school} FROM {positions} WHERE {p_user} = %s AND {p_start} <= %s "  # noqa: S608 - our models' quoted names; values are parameters
            f"AND ({p_end} IS NULL OR {p_end} >= %s) ORDER BY {p_school}, {p_role}",
            [user.pk, today, today],
        )
        return [school for (school,) in cursor.fetchall()]


def _networks(user, schools):
    """The active networks the user may see, as (id, deprov_id) pairs, for
    an active user who is neither an admin nor an analyst: the meaning of
    networks.permissions.visible_networks written as one SQL query
    (`schools`: directivo_schools(user)), whose queryset cost more to build
    and compile than the query costs to run."""
    networks, n_id, n_deprov, n_status = quoted(Network, "id", "deprov_id", "status")
    members, m_network, m_user, m_active = quoted(Membership, "network_id", "user_id", "active")
    links, l_school, l_network, l_left = quoted(NetworkSchool, "school_id", "network_id", "left_on")
    sql = [f"{n_id} IN (SELECT {m_network} FROM {members} WHERE {m_user} = %s AND {m_active})"]  # noqa: S608 - our models' quoted names; values are parameters
    params = [NetworkStatus.ACTIVE, user.pk]
    if is_supervisor(user):
        profiles, p_deprov, p_user = quoted(SupervisorProfile, "deprov_id", "user_id")
        sql.append(f"{n_deprov} IN (SELECT {p_deprov} FROM {profiles} WHERE {p_user} = %s)")  # noqa: S608 - our models' quoted names; values are parameters
        params.append(user.pk)
    if schools:  # is_directivo: the schools of their active positions
        sql.append(
            f"{n_id} IN (SELECT {l_network} FROM {links} WHERE {l_left} IS NULL "  # noqa: S608 - our models' quoted names; values are parameters
            f"AND {l_school} IN ({_placeholders(schools)}))"
        )
        params += schools
    if is_sostenedor_rep(user):
        schools_t, rbd, s_sostenedor = quoted(School, "rbd", "sostenedor_id")
        reps, r_sostenedor, r_user = quoted(SostenedorRepresentative, "sostenedor_id", "user_id")
        sql.append(
            f"{n_id} IN (SELECT {l_network} FROM {links} WHERE {l_left} IS NULL AND {l_school} IN "  # noqa: S608 - our models' quoted names; values are parameters
            f"(SELECT {rbd} FROM {schools_t} WHERE {s_sostenedor} IN "
            f"(SELECT {r_sostenedor} FROM {reps} WHERE {r_user} = %s)))"
        )
        params.append(user.pk)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {n_id}, {n_deprov} FROM {networks} WHERE {n_status} = %s "  # noqa: S608 - our models' quoted names; values are parameters
            f"AND ({' OR '.join(sql)})",
            params,
        )
        return cursor.fetchall()


def visible_practices(user, schools=None):
    """Practices the user may see, drafts included where they may.

    The user's own schools and networks are read first (one small query
    each) and the condition is written with their ids, as one SQL node
    (_Scope): a condition of nested permission subqueries cost more to
    build and compile in Python than the whole rest of a library page."""
    if not is_active_user(user):
        return Practice.objects.none()
    if is_admin(user):
        return Practice.objects.all()
    return Practice.objects.filter(_scope(user, schools))


def visible_scope(user):
    """The condition of visible_practices as a function of a prefix (see
    published_scope)."""
    if not is_active_user(user):
        return lambda prefix="": Q(pk__in=[])
    if is_admin(user):
        return lambda prefix="": Q()
    scope = _scope(user)
    return lambda prefix="": Q(scope.prefixed(prefix))


def published_scope(user):
    """The condition of published_practices as a function of a prefix: ""
    for practices, "practice__" for rows of another table (an adoption, a
    feature), which are then filtered on their practice's columns in the
    same query rather than through a subquery over every practice the user
    may see. The user's scope is read once for all the queries it serves."""

    def published(prefix=""):
        return Q(**{f"{prefix}status": PracticeStatus.PUBLISHED})

    if not is_active_user(user):
        return lambda prefix="": Q(pk__in=[])
    if is_admin(user):
        return published
    scope = _scope(user)
    return lambda prefix="": published(prefix) & Q(scope.prefixed(prefix))


def _scope(user, schools=None):
    """The visibility condition for an active user who is not an admin
    (`schools`: directivo_schools(user) when the caller has read them)."""
    published, deprov = PracticeStatus.PUBLISHED, PracticeVisibility.DEPROV
    authors, a_practice, a_user = quoted(Practice.authors.through, "practice_id", "user_id")
    schools_t, rbd, deprov_col = quoted(School, "rbd", "deprov_id")
    # Published for everyone; own drafts and practices: authors, and the
    # school's directivos.
    sql = [
        "({status} = %s AND {visibility} = %s)",
        f"{{id}} IN (SELECT {a_practice} FROM {authors} WHERE {a_user} = %s)",  # noqa: S608 - our models' quoted names; values are parameters
    ]
    params = [published, PracticeVisibility.ALL, user.pk]
    if schools is None:
        schools = directivo_schools(user)
    if schools:
        sql.append(f"{{school}} IN ({_placeholders(schools)})")
        params += schools
    if not is_analyst_role(user):
        networks = _networks(user, schools)
        deprovs = sorted({d for _pk, d in networks})
        # School subqueries rather than joins: the planner keeps the scan on
        # the practices table alone (see bench/bench_practices.py).
        if is_supervisor(user):
            profiles, p_deprov, p_user = quoted(SupervisorProfile, "deprov_id", "user_id")
            sql.append(
                f"({{status}} = %s AND {{visibility}} = %s AND {{school}} IN "  # noqa: S608 - our models' quoted names; values are parameters
                f"(SELECT {rbd} FROM {schools_t} WHERE {deprov_col} IN "
                f"(SELECT {p_deprov} FROM {profiles} WHERE {p_user} = %s)))"
            )
            params += [published, deprov, user.pk]
        if networks:
            links, l_school, l_network, l_left = quoted(
                NetworkSchool, "school_id", "network_id", "left_on"
            )
            ids = sorted(pk for pk, _deprov in networks)
            sql.append(
                f"({{status}} = %s AND {{visibility}} IN (%s, %s) AND {{school}} IN "  # noqa: S608 - our models' quoted names; values are parameters
                f"(SELECT {l_school} FROM {links} WHERE {l_left} IS NULL AND "
                f"{l_network} IN ({_placeholders(ids)})))"
            )
            params += [published, PracticeVisibility.NETWORK, deprov, *ids]
        if deprovs:
            sql.append(
                f"({{status}} = %s AND {{visibility}} = %s AND {{school}} IN "  # noqa: S608 - our models' quoted names; values are parameters
                f"(SELECT {rbd} FROM {schools_t} WHERE {deprov_col} IN ({_placeholders(deprovs)})))"
            )
            params += [published, deprov, *deprovs]
    return _Scope(" OR ".join(sql), params)


def published_practices(user, schools=None):
    return visible_practices(user, schools).filter(status=PracticeStatus.PUBLISHED)


def published_scope_sql(user, status, visibility, id, school, schools=None):  # noqa: A002 - the column's name
    """The condition of published_practices as SQL text and parameters over
    the given (quoted) columns of a practice, for a query written in SQL
    (networks.practices.help, the library): compiling the querysets cost
    more than the rest of the help panel. None when the user sees no
    practice. `schools`: directivo_schools(user) when the caller has read
    them."""
    if not is_active_user(user):
        return None
    sql, params = f"{status} = %s", [PracticeStatus.PUBLISHED]
    if is_admin(user):
        return sql, params
    scope = _scope(user, schools)
    names = {"status": status, "visibility": visibility, "id": id, "school": school}
    return f"{sql} AND ({scope.sql.format(**names)})", [*params, *scope.params]


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


def can_edit_practice(user, practice, authors=None, directs=None):
    """Authors, co-authors, the school's current director and admins
    (`authors`: the practice's authors when the caller has read them;
    `directs`: whether the user is the school's current director, when the
    caller has read it)."""
    if not is_active_user(user):
        return False
    if is_admin(user):
        return True
    if authors is not None:
        author = any(a.pk == user.pk for a in authors)
    else:
        author = is_author(user, practice)
    if directs is None:
        directs = is_school_director(user, practice.school_id)
    return author or directs


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
