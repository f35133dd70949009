"""¿Quién puede ayudarnos? Suggestions for a school's PME subdimension (an
action that is delayed or at risk, or any subdimension): the practices
shared in that subdimension, and the schools that completed actions in it
this cycle, closest first.

Only what the reader may see is suggested: practices through
`permissions.visible_practices`, and a school that completed actions only
when the reader may read that plan (`pme.permissions.visible_plans`; never a
private plan: a directivo reads only their own schools' plans, so others
see only the practices).

Ranking, the same for practices and schools (pinned in
tests/practices/test_help.py):

1. reach: the school's own networks first, then its DEPROV, its region,
   the country;
2. closeness of context: one point each for the same rural/urban setting,
   dependency, a teaching level in common, enrollment band and latest
   performance category (a practice's levels, setting and enrollment are
   those written on it; dependency and category those of its school);
3. evidence: a completed action weighs 3, an adoption that reached
   "adoptada" 3, one explored or tried 1 (a dropped one nothing), a comment
   1;
4. the newest first.

Each suggestion carries one line saying why, in the reader's language.

A fixed number of queries whatever the size: the reader's school; the best
`limit` practices, ranked and cut in SQL by the whole key above (reach,
closeness, evidence, newest) with their schools' context, so that the
practices left out all rank below the ones loaded (pinned by
test_the_cut_in_sql_keeps_the_closest_practice), and their reasons then
written in Python from those rows; the completed actions by school; and the
chosen practices' adoptions by stage. The ranking query keeps its plan
cheap: the reader's networks' schools and the schools of the reader's
category are sets computed once, the counts joins, not subqueries per row,
whose estimate at national scale (about 1,600 practices in a subdimension)
crossed PostgreSQL's jit_above_cost and spent more time compiling the query
than running it (see bench/bench_help.py)."""

import json
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Count,
    Q,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from networks.models import NetworkSchool
from pme.models import Action, ActionStatus, AnnualPlan, Subdimension
from pme.permissions import visible_plans
from rme_platform.sql import quoted, row_datetime
from schools.models import Comuna, PerformanceCategory, School

from . import permissions as perms
from .models import AdoptionStage, Practice, PracticeAdoption, PracticeComment

DEFAULT_LIMIT = 8
ENROLLMENT_BANDS = (100, 300, 600, 1000)  # < 100, 100–299, 300–599, 600–999, ≥ 1000

NETWORK, DEPROV, REGION, COUNTRY = range(4)


def enrollment_band(enrollment):
    return sum(1 for limit in ENROLLMENT_BANDS if (enrollment or 0) >= limit)


def _reach_line(kind, reach):
    if kind == "practice":
        return {
            NETWORK: _("Práctica de un establecimiento de su red."),
            DEPROV: _("Práctica de un establecimiento de su departamento provincial."),
            REGION: _("Práctica de un establecimiento de su región."),
            COUNTRY: _("Práctica de un establecimiento de otra región."),
        }[reach]
    return {
        NETWORK: _("Establecimiento de su red."),
        DEPROV: _("Establecimiento de su departamento provincial."),
        REGION: _("Establecimiento de su región."),
        COUNTRY: _("Establecimiento de otra región."),
    }[reach]


def _trait_labels(traits, rural):
    labels = {
        "rural": _("zona rural") if rural else _("zona urbana"),
        "dependency": _("la misma dependencia"),
        "levels": _("un tipo de enseñanza"),
        "enrollment": _("una matrícula parecida"),
        "category": _("la misma categoría de desempeño"),
    }
    return [labels[t] for t in traits]


@dataclass
class Suggestion:
    """One suggestion: a practice (`kind` "practice") or a school that
    completed actions (`kind` "school")."""

    kind: str
    pk: int
    title: str
    school_name: str
    school_rbd: int
    url: str
    reach: int
    traits: list
    evidence: int
    newest: float
    reason: str = ""
    stages: dict = field(default_factory=dict)  # practices: adoptions by stage
    n_comments: int = 0
    n_completed: int = 0  # schools: completed actions
    plan_id: int = 0  # schools: the plan read

    @property
    def closeness(self):
        return len(self.traits)

    @property
    def rank_key(self):
        return (self.reach, -self.closeness, -self.evidence, -self.newest, self.kind, self.pk)

    @property
    def reach_name(self):
        return ("network", "deprov", "region", "country")[self.reach]

    @property
    def n_adoptions(self):
        return sum(self.stages.values())


def _school_context(school):
    """The reader's school: setting, dependency, levels, enrollment band,
    DEPROV, region and latest category (one query, written in SQL as the
    ranking's)."""
    schools, rbd, rural, dependency, levels, enrollment, deprov_id, comuna_id = quoted(
        School, "rbd", "rural", "dependency", "levels", "enrollment", "deprov_id", "comuna_id"
    )
    comunas, cut, region_id = quoted(Comuna, "cut", "region_id")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.{rbd}, s.{rural}, s.{dependency}, s.{levels}, s.{enrollment}, "  # noqa: S608 - our models' quoted names; values are parameters
            f"s.{deprov_id}, m.{region_id}, {_latest_category_sql(f's.{rbd}')} "
            f"FROM {schools} s INNER JOIN {comunas} m ON s.{comuna_id} = m.{cut} "
            f"WHERE s.{rbd} = %s",
            [school.pk],
        )
        found = cursor.fetchone()
    if found is None:
        raise School.DoesNotExist
    row = dict(
        zip(
            (
                "rbd",
                "rural",
                "dependency",
                "levels",
                "enrollment",
                "deprov_id",
                "comuna__region_id",
                "category",
            ),
            found,
            strict=True,
        )
    )
    if isinstance(row["levels"], str):
        row["levels"] = json.loads(row["levels"])
    row["rural"] = bool(row["rural"])
    row["band"] = enrollment_band(row["enrollment"])
    row["levels"] = set(row["levels"] or [])
    return row


def _traits(context, *, rural, dependency, levels, enrollment, category):
    traits = []
    if rural == context["rural"]:
        traits.append("rural")
    if dependency == context["dependency"]:
        traits.append("dependency")
    if context["levels"] & set(levels or []):
        traits.append("levels")
    if enrollment_band(enrollment) == context["band"]:
        traits.append("enrollment")
    if category and category == context["category"]:
        traits.append("category")
    return traits


def _reach(context, *, in_network, deprov_id, region_id):
    if in_network:
        return NETWORK
    if deprov_id == context["deprov_id"]:
        return DEPROV
    if region_id == context["comuna__region_id"]:
        return REGION
    return COUNTRY


def _network_schools_sql(school_pk):
    """The schools that share an active network with the school `school_pk`
    (SQL text and parameters)."""
    links, school_id, network_id, left_on = quoted(
        NetworkSchool, "school_id", "network_id", "left_on"
    )
    return (
        f"SELECT l2.{school_id} FROM {links} l2 WHERE l2.{left_on} IS NULL AND "  # noqa: S608 - our models' quoted names; values are parameters
        f"l2.{network_id} IN (SELECT l1.{network_id} FROM {links} l1 "
        f"WHERE l1.{left_on} IS NULL AND l1.{school_id} = %s)",
        [school_pk],
    )


def _latest_category_sql(school_column):
    """The latest performance category (the newest year, then the first
    level) of the school at `school_column`, as SQL text."""
    table, school_id, year, level, category = quoted(
        PerformanceCategory, "school_id", "year", "level", "category"
    )
    return (
        f"(SELECT c0.{category} FROM {table} c0 WHERE c0.{school_id} = {school_column} "  # noqa: S608 - our models' quoted names
        f"ORDER BY c0.{year} DESC, c0.{level} ASC LIMIT 1)"
    )


def _category_schools_sql(category):
    """The schools whose latest category (as `_latest_category_sql` picks it)
    is `category`: one set for the whole query, where a subquery per row
    would weigh on the plan (SQL text and parameters)."""
    table, school_id, year, level, column = quoted(
        PerformanceCategory, "school_id", "year", "level", "category"
    )
    return (
        f"SELECT c1.{school_id} FROM {table} c1 WHERE c1.{column} = %s AND NOT EXISTS "  # noqa: S608 - our models' quoted names; values are parameters
        f"(SELECT 1 FROM {table} c2 WHERE c2.{school_id} = c1.{school_id} AND "
        f"(c2.{year} > c1.{year} OR (c2.{level} < c1.{level} AND c2.{year} = c1.{year})))",
        [category],
    )


def _shares_level_sql(column, codes):
    """True when the JSON list of teaching levels at `column` holds one of
    `codes` (the Python test is `set(codes) & set(levels)`; SQL text and
    parameters). Written per database: on SQLite `contains` is not
    supported on JSON fields."""
    codes = sorted(codes)
    marks = ", ".join(["%s"] * len(codes))
    if connection.vendor == "postgresql":
        return f"({column} @> ANY (ARRAY[{marks}]::jsonb[]))", [json.dumps([c]) for c in codes]
    return (
        f"EXISTS (SELECT 1 FROM json_each({column}) WHERE json_each.value IN ({marks}))",  # noqa: S608 - placeholders only
        codes,
    )


def _one_if_sql(sql):
    return f"CASE WHEN {sql} THEN 1 ELSE 0 END"


def _practices(user, school, subdimension, context, limit):
    """The best `limit` practices, ranked in SQL by the same key as
    `Suggestion.rank_key` (reach, closeness, evidence, newest, pk) over
    every visible practice of the subdimension, with their schools' context
    in one query; then their traits and reasons in Python from the rows.
    Ranking in SQL keeps the national subdimensions (about 1,600 visible
    practices) off the Python pass, and the cut is exact: the practices
    left out rank below the `limit` loaded ones, whatever their context.

    The query is written in SQL (the user's scope from
    `permissions.published_scope_sql`): as a queryset, building and
    compiling it took half the panel's time. Same text as the queryset's
    it replaced, so the same plan."""
    practices, *cols = quoted(
        Practice,
        "id",
        "title",
        "rural",
        "levels",
        "enrollment",
        "published_at",
        "school_id",
        "status",
        "visibility",
        "subdimension_id",
    )
    p = dict(
        zip(
            (
                "id",
                "title",
                "rural",
                "levels",
                "enrollment",
                "published_at",
                "school_id",
                "status",
                "visibility",
                "subdimension_id",
            ),
            (f"p.{c}" for c in cols),
            strict=True,
        )
    )
    scope = perms.published_scope_sql(
        user, status=p["status"], visibility=p["visibility"], id=p["id"], school=p["school_id"]
    )
    if scope is None:
        return
    schools, rbd, name, dependency, deprov_id, comuna_id = quoted(
        School, "rbd", "name", "dependency", "deprov_id", "comuna_id"
    )
    comunas, cut, region_id = quoted(Comuna, "cut", "region_id")
    adoptions, a_id, a_practice, a_stage = quoted(PracticeAdoption, "id", "practice_id", "stage")
    comments, c_id, c_practice = quoted(PracticeComment, "id", "practice_id")
    network_sql, network_params = _network_schools_sql(school.pk)
    in_network = f"{p['school_id']} IN ({network_sql})"
    closeness = [
        (_one_if_sql(f"{p['rural']}" if context["rural"] else f"NOT {p['rural']}"), []),
        (_one_if_sql(f"s.{dependency} = %s"), [context["dependency"]]),
    ]
    if context["levels"]:
        sql, params = _shares_level_sql(p["levels"], context["levels"])
        closeness.append((_one_if_sql(sql), params))
    bounds = (0, *ENROLLMENT_BANDS, None)
    band = [f"{p['enrollment']} >= %s"], [bounds[context["band"]]]
    if bounds[context["band"] + 1] is not None:
        band[0].append(f"{p['enrollment']} < %s")
        band[1].append(bounds[context["band"] + 1])
    closeness.append((_one_if_sql(" AND ".join(band[0])), band[1]))
    if context["category"]:
        sql, params = _category_schools_sql(context["category"])
        closeness.append((_one_if_sql(f"{p['school_id']} IN ({sql})"), params))
    closeness_sql = "(" + " + ".join(sql for sql, _params in closeness) + ")"
    closeness_params = [x for _sql, params in closeness for x in params]
    adopted = f"COUNT(DISTINCT a.{a_id}) FILTER (WHERE a.{a_stage} = %s)"
    trying = f"COUNT(DISTINCT a.{a_id}) FILTER (WHERE a.{a_stage} IN (%s, %s))"
    n_comments = f"COUNT(DISTINCT c.{c_id})"
    stages = [AdoptionStage.ADOPTED, AdoptionStage.EXPLORING, AdoptionStage.TRYING]
    sql = (
        f"SELECT {p['id']}, {p['title']}, {p['rural']}, {p['levels']}, {p['enrollment']}, "  # noqa: S608 - our models' quoted names; values are parameters
        f"{p['published_at']}, {p['school_id']}, s.{name}, s.{dependency}, s.{deprov_id}, "
        f"m.{region_id}, {in_network}, {_latest_category_sql(p['school_id'])}, "
        f"{adopted}, {trying}, {n_comments}, "
        f"CASE WHEN {in_network} THEN %s WHEN s.{deprov_id} = %s THEN %s "
        f"WHEN m.{region_id} = %s THEN %s ELSE %s END, "
        f"{closeness_sql}, (3 * {adopted} + {trying} + {n_comments}) "
        f"FROM {practices} p INNER JOIN {schools} s ON {p['school_id']} = s.{rbd} "
        f"LEFT OUTER JOIN {adoptions} a ON {p['id']} = a.{a_practice} "
        f"LEFT OUTER JOIN {comments} c ON {p['id']} = c.{c_practice} "
        f"INNER JOIN {comunas} m ON s.{comuna_id} = m.{cut} "
        f"WHERE ({scope[0]}) AND {p['subdimension_id']} = %s AND NOT ({p['school_id']} = %s) "
        f"GROUP BY {p['id']}, s.{rbd}, m.{cut} "
        "ORDER BY 17 ASC, 18 DESC, 19 DESC, 6 DESC NULLS LAST, 1 ASC LIMIT %s"
    )
    params = [
        *network_params,
        *stages,
        *network_params,
        NETWORK,
        context["deprov_id"],
        DEPROV,
        context["comuna__region_id"],
        REGION,
        COUNTRY,
        *closeness_params,
        *stages,
        *scope[1],
        subdimension,
        school.pk,
        limit,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for row in rows:
        (pk, title, rural, levels, enrollment, published_at, school_id, school_name) = row[:8]
        (dependency_, deprov, region, in_net, category, n_adopted, n_trying, n_comm) = row[8:16]
        if isinstance(levels, str):
            levels = json.loads(levels)
        published_at = row_datetime(published_at)
        yield Suggestion(
            kind="practice",
            pk=pk,
            title=title,
            school_name=school_name or str(school_id),
            school_rbd=school_id,
            url="",
            reach=_reach(context, in_network=in_net, deprov_id=deprov, region_id=region),
            traits=_traits(
                context,
                rural=rural,
                dependency=dependency_,
                levels=levels,
                enrollment=enrollment,
                category=category,
            ),
            evidence=3 * n_adopted + n_trying + n_comm,
            newest=published_at.timestamp() if published_at else 0,
            n_comments=n_comm,
        )


def completed_actions(user, *, subdimension, year=None):
    """Completed actions (done, or at 100 %) in the subdimension, of the
    plans of this cycle (a cycle that covers `year`) the reader may read."""
    year = year or timezone.localdate().year
    plans = visible_plans(user).filter(cycle__first_year__lte=year, cycle__last_year__gte=year)
    return Action.objects.filter(
        Q(status=ActionStatus.DONE) | Q(progress=100),
        plan__in=plans.values("pk"),
        subdimension=subdimension,
    ).exclude(status=ActionStatus.CANCELLED)


def _schools(user, school, subdimension, context):
    """The schools that completed actions in the subdimension this cycle
    (`completed_actions` without the reader's school), with their context:
    one query written in SQL, as `_practices` (only the reader's plans are
    compiled from their queryset)."""
    year = timezone.localdate().year
    plans = visible_plans(user).filter(cycle__first_year__lte=year, cycle__last_year__gte=year)
    try:
        plans_sql, plans_params = plans.values("pk").query.sql_with_params()
    except EmptyResultSet:
        return []
    actions, a_id, plan_id, status, progress, subdimension_id = quoted(
        Action, "id", "plan_id", "status", "progress", "subdimension_id"
    )
    annual_plans, pl_id, school_id = quoted(AnnualPlan, "id", "school_id")
    schools, s_rbd, name, rural, dependency, levels, enrollment, deprov_id, comuna_id = quoted(
        School,
        "rbd",
        "name",
        "rural",
        "dependency",
        "levels",
        "enrollment",
        "deprov_id",
        "comuna_id",
    )
    comunas, cut, region_id = quoted(Comuna, "cut", "region_id")
    network_sql, network_params = _network_schools_sql(school.pk)
    if context["category"]:
        category_sql, category_params = _category_schools_sql(context["category"])
        same_category = f"pl.{school_id} IN ({category_sql})"
    else:
        same_category, category_params = "FALSE", []
    sql = (
        f"SELECT a.{plan_id}, pl.{school_id}, s.{name}, s.{rural}, s.{dependency}, "  # noqa: S608 - our models' quoted names; values are parameters
        f"s.{levels}, s.{enrollment}, s.{deprov_id}, m.{region_id}, COUNT(a.{a_id}), "
        f"pl.{school_id} IN ({network_sql}), {same_category} "
        f"FROM {actions} a INNER JOIN {annual_plans} pl ON a.{plan_id} = pl.{pl_id} "
        f"INNER JOIN {schools} s ON pl.{school_id} = s.{s_rbd} "
        f"INNER JOIN {comunas} m ON s.{comuna_id} = m.{cut} "
        f"WHERE (a.{status} = %s OR a.{progress} = 100) AND a.{plan_id} IN ({plans_sql}) "
        f"AND a.{subdimension_id} = %s AND NOT (a.{status} = %s) AND NOT (pl.{school_id} = %s) "
        "GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12"
    )
    params = [
        *network_params,
        *category_params,
        ActionStatus.DONE,
        *plans_params,
        subdimension,
        ActionStatus.CANCELLED,
        school.pk,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [
            dict(
                zip(
                    (
                        "plan_id",
                        "plan__school_id",
                        "plan__school__name",
                        "plan__school__rural",
                        "plan__school__dependency",
                        "plan__school__levels",
                        "plan__school__enrollment",
                        "plan__school__deprov_id",
                        "plan__school__comuna__region_id",
                        "n",
                        "in_network",
                        "same_category",
                    ),
                    row,
                    strict=True,
                )
            )
            for row in cursor.fetchall()
        ]
    for row in rows:
        if isinstance(row["plan__school__levels"], str):
            row["plan__school__levels"] = json.loads(row["plan__school__levels"])
    by_school = {}
    for row in rows:
        rbd = row["plan__school_id"]
        suggestion = by_school.get(rbd)
        if suggestion is None:
            by_school[rbd] = Suggestion(
                kind="school",
                pk=rbd,
                title=row["plan__school__name"] or str(rbd),
                school_name=row["plan__school__name"] or str(rbd),
                school_rbd=rbd,
                url="",
                plan_id=row["plan_id"],
                reach=_reach(
                    context,
                    in_network=row["in_network"],
                    deprov_id=row["plan__school__deprov_id"],
                    region_id=row["plan__school__comuna__region_id"],
                ),
                traits=_traits(
                    context,
                    rural=row["plan__school__rural"],
                    dependency=row["plan__school__dependency"],
                    levels=row["plan__school__levels"],
                    enrollment=row["plan__school__enrollment"],
                    category=context["category"] if row["same_category"] else None,
                ),
                evidence=0,
                newest=0,
            )
            suggestion = by_school[rbd]
        suggestion.n_completed += row["n"]
        suggestion.evidence = 3 * suggestion.n_completed
    return by_school.values()


def _reason(suggestion, context):
    parts = [_reach_line(suggestion.kind, suggestion.reach)]
    if suggestion.kind == "school":
        parts.append(
            ngettext(
                "Completó %(n)s acción de esta subdimensión en este ciclo.",
                "Completó %(n)s acciones de esta subdimensión en este ciclo.",
                suggestion.n_completed,
            )
            % {"n": suggestion.n_completed}
        )
    else:
        adopted = suggestion.stages.get(AdoptionStage.ADOPTED, 0)
        trying = suggestion.stages.get(AdoptionStage.EXPLORING, 0) + suggestion.stages.get(
            AdoptionStage.TRYING, 0
        )
        if adopted:
            parts.append(
                ngettext(
                    "La adoptó %(n)s establecimiento.",
                    "La adoptaron %(n)s establecimientos.",
                    adopted,
                )
                % {"n": adopted}
            )
        if trying:
            parts.append(
                ngettext(
                    "%(n)s establecimiento la está probando.",
                    "%(n)s establecimientos la están probando.",
                    trying,
                )
                % {"n": trying}
            )
        if suggestion.n_comments:
            parts.append(
                ngettext(
                    "Tiene %(n)s comentario.", "Tiene %(n)s comentarios.", suggestion.n_comments
                )
                % {"n": suggestion.n_comments}
            )
    if suggestion.traits:
        parts.append(
            _("En común con su establecimiento: %(traits)s.")
            % {"traits": ", ".join(_trait_labels(suggestion.traits, context["rural"]))}
        )
    return " ".join(parts)


def help_suggestions(user, *, school, subdimension, action=None, limit=DEFAULT_LIMIT):
    """The suggestions for `school` in `subdimension` (a Subdimension or its
    code; with `action`, the action's subdimension when none is given),
    best first, at most `limit`. Four queries (see the module's docstring)."""
    if subdimension is None and action is not None:
        subdimension = action.subdimension_id
    if isinstance(subdimension, Subdimension):
        subdimension = subdimension.pk
    if not subdimension:
        return []
    context = _school_context(school)
    candidates = list(_practices(user, school, subdimension, context, limit))
    candidates.extend(_schools(user, school, subdimension, context))
    chosen = sorted(candidates, key=lambda s: s.rank_key)[:limit]
    practice_ids = [s.pk for s in chosen if s.kind == "practice"]
    if practice_ids:
        stages = {}
        adoptions, practice_id, stage, a_id = quoted(PracticeAdoption, "practice_id", "stage", "id")
        marks = ", ".join(["%s"] * len(practice_ids))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {practice_id}, {stage}, COUNT({a_id}) FROM {adoptions} "  # noqa: S608 - our models' quoted names; values are parameters
                f"WHERE {practice_id} IN ({marks}) GROUP BY 1, 2",
                practice_ids,
            )
            for practice, stage_, n in cursor.fetchall():
                stages.setdefault(practice, {})[stage_] = n
        for suggestion in chosen:
            if suggestion.kind == "practice":
                suggestion.stages = stages.get(suggestion.pk, {})
    for suggestion in chosen:
        suggestion.reason = _reason(suggestion, context)
        if suggestion.kind == "practice":
            suggestion.url = reverse("practices:detail", args=[suggestion.pk])
        else:
            suggestion.url = reverse("pme:plan_detail", args=[suggestion.plan_id])
    return chosen


# --- what the reader may ask about ------------------------------------------------------------

AT_RISK_POINTS = 25


def is_at_risk(action, today=None):
    """Not done nor delayed, but its progress trails the share of its
    period already gone by more than AT_RISK_POINTS points."""
    today = today or timezone.localdate()
    if action.status in (ActionStatus.DONE, ActionStatus.CANCELLED) or action.is_delayed:
        return False
    if today <= action.start_date:
        return False
    days = (action.end_date - action.start_date).days or 1
    elapsed = min(100, 100 * (today - action.start_date).days // days)
    return elapsed - action.progress > AT_RISK_POINTS


def help_schools(user):
    """Schools the reader may ask about: those with a plan they may read."""
    return School.objects.filter(rbd__in=visible_plans(user).values("school_id"))


def help_actions(user):
    """Actions the reader may ask about: those of the plans they may read."""
    return Action.objects.filter(plan__in=visible_plans(user).values("pk")).select_related(
        "plan__school", "subdimension"
    )


# --- the network's needs and strengths --------------------------------------------------------


@dataclass
class Need:
    """A subdimension where the network's schools have delayed actions, with
    the network's own strengths in it."""

    subdimension: object
    n_delayed: int = 0
    n_schools: int = 0
    practices: list = field(default_factory=list)
    schools: list = field(default_factory=list)  # (school name, completed actions)
    proposed: bool = False

    @property
    def agenda_title(self):
        return _("¿Quién puede ayudarnos? %(subdimension)s") % {"subdimension": self.subdimension}

    @property
    def agenda_description(self):
        lines = [
            ngettext(
                "%(n)s acción atrasada en %(schools)s establecimiento de la red.",
                "%(n)s acciones atrasadas en %(schools)s establecimientos de la red.",
                self.n_delayed,
            )
            % {"n": self.n_delayed, "schools": self.n_schools}
        ]
        for practice in self.practices:
            lines.append(
                _("Práctica «%(title)s» de %(school)s.")
                % {"title": practice["title"], "school": practice["school__name"]}
            )
        for name, n in self.schools:
            lines.append(
                ngettext(
                    "%(school)s completó %(n)s acción en esta subdimensión.",
                    "%(school)s completó %(n)s acciones en esta subdimensión.",
                    n,
                )
                % {"school": name, "n": n}
            )
        return "\n".join(lines)


MAX_NEEDS = 6


def network_needs(user, network, *, year=None):
    """The network's open needs (delayed actions of its schools' plans the
    reader may read, by subdimension, most first) matched with its own
    strengths (practices of its schools the reader may see, and completed
    actions of its schools this cycle, in those subdimensions). Three
    queries."""
    year = year or timezone.localdate().year
    schools = NetworkSchool.objects.filter(network=network, left_on__isnull=True).values(
        "school_id"
    )
    plans = visible_plans(user).filter(
        school__in=schools, cycle__first_year__lte=year, cycle__last_year__gte=year
    )
    rows = (
        Action.objects.in_state(ActionStatus.DELAYED)
        .filter(plan__in=plans.values("pk"), subdimension__isnull=False)
        .values("subdimension_id", "subdimension__name", "subdimension__order")
        .annotate(n=Count("pk"), n_schools=Count("plan__school", distinct=True))
        .order_by("-n", "subdimension__order")[:MAX_NEEDS]
    )
    needs = {}
    for row in rows:
        subdimension = Subdimension(
            code=row["subdimension_id"],
            name=row["subdimension__name"],
            order=row["subdimension__order"],
        )
        needs[row["subdimension_id"]] = Need(subdimension, row["n"], row["n_schools"])
    if not needs:
        return []
    for row in (
        perms.published_practices(user)
        .filter(school__in=schools, subdimension__in=list(needs))
        .values("pk", "title", "school__name", "subdimension_id")
        .order_by("-published_at", "-pk")
    ):
        need = needs[row["subdimension_id"]]
        if len(need.practices) < 3:
            need.practices.append(row)
    for row in (
        Action.objects.filter(
            Q(status=ActionStatus.DONE) | Q(progress=100),
            plan__in=plans.values("pk"),
            subdimension__in=list(needs),
        )
        .exclude(status=ActionStatus.CANCELLED)
        .values("subdimension_id", "plan__school__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "plan__school__name")
    ):
        need = needs[row["subdimension_id"]]
        if len(need.schools) < 3:
            need.schools.append((row["plan__school__name"], row["n"]))
    return list(needs.values())
