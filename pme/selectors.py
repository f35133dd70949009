"""Reads shared by the PME pages, the API, the exports and the panels other
apps embed; each starts from a scope of pme.permissions. Rollups aggregate
in the database: a fixed number of queries whatever the number of plans."""

import re
from dataclasses import dataclass, field
from datetime import timedelta
from html import escape

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Avg,
    Count,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.template.defaultfilters import date as date_filter
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from networks.models import Network, NetworkSchool
from rme_platform import charts
from rme_platform.accounts.permissions import is_directivo, is_sostenedor_rep, is_supervisor
from rme_platform.links import row_url
from rme_platform.money import format_clp

from . import permissions
from .cache import TIMEOUT as PME_TIMEOUT
from .cache import plan_version, pme_version
from .models import (
    STALE_DAYS,
    STATUS_COLORS,
    Action,
    ActionStatus,
    ActionUpdate,
    AnnualPlan,
    Comment,
    Dimension,
    FundingLine,
    FundingSource,
    StrategicObjective,
    delayed_condition,
)
from .templatetags.pme import progress_bar

NOT_CANCELLED = ~Q(status=ActionStatus.CANCELLED)
# Chart series, in the order a reader expects; cancelled actions stay in the tables.
CHART_STATES = [
    ActionStatus.DONE,
    ActionStatus.IN_PROGRESS,
    ActionStatus.PLANNED,
    ActionStatus.DELAYED,
]


def stale_cutoff():
    return timezone.now() - timedelta(days=STALE_DAYS)


# --- plans, cycles and actions -------------------------------------------------------


def _per_plan(aggregate):
    """A correlated subquery computing `aggregate` over each plan's actions:
    cheaper than a join and GROUP BY when a page shows a few of many plans."""
    return Subquery(
        Action.objects.filter(plan=OuterRef("pk"))
        .order_by()
        .values("plan")
        .annotate(value=aggregate)
        .values("value")
    )


def plan_actions_sql(today=None):
    """SQL for correlated subqueries over each plan's actions (alias `a`),
    written out because the ORM spent longer building and compiling them
    than the database running them: the text `SELECT {} FROM actions a
    WHERE <the plan's>` (fill in what to select), and delayed_condition as
    an SQL condition with its parameters. They name the plans' table, so a
    query they annotate must not be nested, re-aliased, in another one."""
    quote = connection.ops.quote_name
    actions = (
        f"SELECT {{}} FROM {quote(Action._meta.db_table)} a "  # noqa: S608 - our models' quoted names; values are parameters
        f"WHERE a.plan_id = {quote(AnnualPlan._meta.db_table)}.id"
    )
    today = connection.ops.adapt_datefield_value(today or timezone.localdate())
    delayed = "a.end_date < %s AND a.progress < 100 AND a.status NOT IN (%s, %s)"
    return actions, delayed, (today, ActionStatus.DONE.value, ActionStatus.CANCELLED.value)


def with_figures(plans, today=None):
    """Plans annotated with n_actions, avg_progress (cancelled actions left
    out) and n_delayed, in SQL (plan_actions_sql)."""
    actions, delayed, delayed_params = plan_actions_sql(today)
    return plans.annotate(
        n_actions=RawSQL(actions.format("COUNT(*)"), (), output_field=IntegerField()),  # noqa: S611
        avg_progress=RawSQL(  # noqa: S611 - parameters only
            actions.format("AVG(a.progress)") + " AND a.status <> %s",
            (ActionStatus.CANCELLED.value,),
            output_field=FloatField(),
        ),
        n_delayed=RawSQL(  # noqa: S611 - parameters only
            actions.format("COUNT(*)") + " AND " + delayed,
            delayed_params,
            output_field=IntegerField(),
        ),
    )


def plan_list(user):
    """Visible plans with their school and action figures (one query)."""
    return with_figures(
        permissions.visible_plans(user).select_related("school__comuna", "approved_by")
    ).order_by("-year", "school__name")


def action_queryset(base, today=None):
    """Actions with what lists and pages show, and their effective state."""
    return (
        base.with_state(today)
        .select_related(
            "dimension", "subdimension", "strategy", "ate_provider", "plan__school__sostenedor"
        )
        .prefetch_related("funding")
    )


def plan_actions(plan, today=None):
    return list(
        action_queryset(plan.actions.all(), today)
        .annotate(n_comments=Count("comments", distinct=True))
        .order_by("dimension__order", "start_date", "pk")
    )


def plan_detail_queryset(user):
    return permissions.visible_plans(user).select_related(
        "school__sostenedor", "school__comuna", "cycle", "approved_by"
    )


def plan_comments(plan):
    return list(
        Comment.objects.filter(plan=plan, action__isnull=True)
        .select_related("author")
        .order_by("created_at", "pk")
    )


def action_comments(action):
    return list(action.comments.select_related("author").order_by("created_at", "pk"))


# The action page lists the latest progress updates; the rest on demand.
UPDATES_SHOWN = 20


def action_updates(action, limit=None):
    """The action's progress updates, newest first, with author and evidence;
    with `limit`, at most that many plus one (to tell whether there are more)."""
    updates = action.updates.select_related("author").prefetch_related("evidence")
    if limit is not None:
        updates = updates[: limit + 1]
    return list(updates)


def cycle_detail_queryset(user):
    objectives = StrategicObjective.objects.select_related("dimension").prefetch_related(
        "goals", "strategies"
    )
    return (
        permissions.visible_cycles(user)
        .select_related("school__comuna", "school__sostenedor")
        .prefetch_related(
            Prefetch("objectives", queryset=objectives),
            "assessments__dimension",
        )
    )


def cycle_plans(user, cycle):
    """The cycle's plans the user may read, with their figures."""
    return plan_list(user).filter(cycle=cycle).order_by("year")


def group_by_dimension(actions):
    """[(dimension, [actions])] in catalog order, for pages and exports."""
    groups = {}
    for action in actions:
        groups.setdefault(action.dimension_id, (action.dimension, []))[1].append(action)
    return sorted(groups.values(), key=lambda group: group[0].order)


def plan_status_chart(groups):
    """SVG of a plan's actions by dimension and effective status (None when
    it has none), from `group_by_dimension`."""
    if not groups:
        return None
    return charts.stacked_bar_chart(
        title=_("Acciones por dimensión y estado"),
        rows=[
            (
                str(dimension),
                [sum(1 for a in items if a.effective_status == s) for s in CHART_STATES],
            )
            for dimension, items in groups
        ],
        series=[(str(state.label), STATUS_COLORS[state]) for state in CHART_STATES],
    )


PLAN_CHART_ID = re.compile(r"\bchart\d+-([td])\b")


def plan_actions_part(plan, *, today=None):
    """(summary, chart, HTML of the table of actions) of a plan's page: the
    same for every reader of the plan, so cached under the plan's version
    (bumped by each write to its actions, their funding and comments: see
    pme.cache), the day (effective states follow it) and the language."""
    today = today or timezone.localdate()
    key = f"pme:plan:{plan.pk}:v{plan_version(plan.pk)}:{today.isoformat()}:{get_language()}"
    cached = cache.get(key)
    if cached is None:
        actions = plan_actions(plan, today)
        groups = group_by_dimension(actions)
        chart = plan_status_chart(groups)
        if chart is not None:
            # The chart's element ids (a per-process counter) fixed per plan:
            # the cached SVG is served by every process.
            chart = mark_safe(PLAN_CHART_ID.sub(rf"pme-plan-chart-{plan.pk}-\1", chart))  # noqa: S308
        cached = (
            plan_summary(actions),
            chart,
            render_to_string("pme/_plan_actions.html", {"groups": groups}),
        )
        cache.set(key, cached, PME_TIMEOUT)
    return cached


def plan_summary(actions):
    """Counts by effective state, average progress (cancelled excluded) and
    funding by source of an already loaded list of actions."""
    states = dict.fromkeys(ActionStatus.values, 0)
    funding = dict.fromkeys(FundingSource.values, 0)
    progress = []
    for action in actions:
        states[action.effective_status] += 1
        if action.status != ActionStatus.CANCELLED:
            progress.append(action.progress)
            for line in action.funding.all():
                funding[line.source] += line.amount
    return {
        "total": len(actions),
        "states": [(ActionStatus(key).label, key, n) for key, n in states.items()],
        "delayed": states[ActionStatus.DELAYED],
        "avg_progress": round(sum(progress) / len(progress), 1) if progress else None,
        "funding": [(FundingSource(key).label, key, n) for key, n in funding.items()],
        "funding_total": sum(funding.values()),
    }


# --- rollups ---------------------------------------------------------------------------


@dataclass
class Rollup:
    """Figures over a set of shared plans; see `rollup()`."""

    plans: int = 0
    stale: int = 0
    actions: int = 0
    delayed: int = 0
    avg_progress: float | None = None
    by_dimension: list = field(default_factory=list)
    funding: list = field(default_factory=list)
    funding_total: int = 0
    stale_plans: list = field(default_factory=list)
    charts: dict = field(default_factory=dict)
    groups: dict = field(default_factory=dict)


def _group_figures():
    return {
        "n_plans": 0,
        "n_stale": 0,
        "n_actions": 0,
        "n_delayed": 0,
        "avg_progress": None,
        "_n": 0,
        "_sum": 0,
    }


def rollup(plans, *, group=None, stale_limit=50, today=None, nameable=None):
    """Aggregate a queryset of plans: plans and stale plans (no activity in
    STALE_DAYS days), actions by dimension and effective status, average
    progress and delayed actions, funding by source (cancelled actions
    excluded), the stalest plans. With `group` (a plan field path such as
    "school__deprov_id"), the same queries also give those figures per
    group, in `groups`. `nameable` (a subset of `plans`) limits the stalest
    plans listed by school name; the others count only in the figures.
    Five queries."""
    today = today or timezone.localdate()
    cutoff = stale_cutoff()
    plan_ids = plans.values("pk")
    figures = {"n": Count("pk"), "stale": Count("pk", filter=Q(last_activity_at__lt=cutoff))}
    if group:
        counts = plans.values(group=F(group)).annotate(**figures).order_by()
    else:
        counts = [plans.aggregate(**figures)]
    action_group = {"group": F(f"plan__{group}")} if group else {}
    grouped = (
        Action.objects.filter(plan__in=plan_ids)
        .with_state(today)
        .values("dimension_id", "state", **action_group)
        .annotate(n=Count("pk"), progress=Sum("progress"))
        .order_by()
    )
    result = Rollup()
    for row in counts:
        result.plans += row["n"]
        result.stale += row["stale"]
        if group:
            figures = result.groups.setdefault(row["group"], _group_figures())
            figures["n_plans"], figures["n_stale"] = row["n"], row["stale"]
    dimensions = list(Dimension.objects.order_by("order"))
    cells = {}
    for row in grouped:
        cell = cells.setdefault((row["dimension_id"], row["state"]), {"n": 0, "progress": 0})
        cell["n"] += row["n"]
        cell["progress"] += row["progress"] or 0
        if group:
            figures = result.groups.setdefault(row["group"], _group_figures())
            figures["n_actions"] += row["n"]
            if row["state"] == ActionStatus.DELAYED:
                figures["n_delayed"] += row["n"]
            if row["state"] != ActionStatus.CANCELLED:
                figures["_n"] += row["n"]
                figures["_sum"] += row["progress"] or 0
    for figures in result.groups.values():
        if figures["_n"]:
            figures["avg_progress"] = figures["_sum"] / figures["_n"]
    all_n = all_sum = 0
    for dimension in dimensions:
        states = {}
        dim_n = dim_sum = 0
        for state in ActionStatus.values:
            cell = cells.get((dimension.code, state), {"n": 0, "progress": 0})
            states[state] = cell["n"]
            if state != ActionStatus.CANCELLED:
                dim_n += cell["n"]
                dim_sum += cell["progress"]
        result.by_dimension.append(
            {
                "dimension": dimension,
                "states": states,
                "total": sum(states.values()),
                "avg_progress": round(dim_sum / dim_n, 1) if dim_n else None,
            }
        )
        result.actions += sum(states.values())
        result.delayed += states[ActionStatus.DELAYED]
        all_n += dim_n
        all_sum += dim_sum
    result.avg_progress = round(all_sum / all_n, 1) if all_n else None
    sums = dict(
        FundingLine.objects.filter(action__plan__in=plan_ids)
        .exclude(action__status=ActionStatus.CANCELLED)
        .values("source")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("source", "total")
    )
    result.funding = [
        (FundingSource(source).label, source, sums.get(source, 0) or 0)
        for source in FundingSource.values
    ]
    result.funding_total = sum(total for _label, _source, total in result.funding)
    if result.stale:
        named = plans if nameable is None else nameable
        result.stale_plans = list(
            named.filter(last_activity_at__lt=cutoff)
            .select_related("school__comuna")
            .order_by("last_activity_at", "school_id")[:stale_limit]
        )
    result.charts = rollup_charts(result)
    return result


def rollup_charts(result):
    if not result.actions:
        return {}
    status_chart = charts.stacked_bar_chart(
        title=_("Acciones por dimensión y estado"),
        rows=[
            (str(row["dimension"]), [row["states"][state] for state in CHART_STATES])
            for row in result.by_dimension
        ],
        series=[(str(state.label), STATUS_COLORS[state]) for state in CHART_STATES],
    )
    progress_chart = charts.bar_chart(
        title=_("Avance promedio por dimensión"),
        items=[(str(row["dimension"]), row["avg_progress"]) for row in result.by_dimension],
        unit=" %",
        max_value=100,
        decimals=1,
    )
    top = max((total for _label, _source, total in result.funding), default=0)
    funding_chart = charts.bar_chart(
        title=_("Financiamiento por fuente (CLP)"),
        items=[(str(label), total) for label, _source, total in result.funding],
        # Room after the longest bar for its amount.
        max_value=top * 1.35 or None,
        number_format=format_clp,
    )
    return {"status": status_chart, "progress": progress_chart, "funding": funding_chart}


def breakdown(plans, key, *, today=None, extra_filter=None):
    """Per-group figures (plans, actions, average progress, delayed, stale)
    of a queryset of plans grouped by `key` (a plan field path). One query."""
    today = today or timezone.localdate()
    rows = plans
    if extra_filter is not None:
        rows = rows.filter(extra_filter)
    return list(
        rows.values(group=F(key))
        .annotate(
            n_plans=Count("pk", distinct=True),
            n_stale=Count("pk", distinct=True, filter=Q(last_activity_at__lt=stale_cutoff())),
            n_actions=Count("actions"),
            avg_progress=Avg("actions__progress", filter=~Q(actions__status="cancelled")),
            n_delayed=Count("actions", filter=delayed_condition(today, prefix="actions__")),
        )
        .order_by("group")
    )


def shared_plans(year):
    return AnnualPlan.objects.filter(year=year, shared_with_network=True)


def shared_plans_in(*, region=None, deprov=None):
    """Shared plans of schools of a region or a DEPROV, every year."""
    plans = AnnualPlan.objects.filter(shared_with_network=True)
    if region is not None:
        plans = plans.filter(school__deprov__region=region)
    if deprov is not None:
        plans = plans.filter(school__deprov=deprov)
    return plans


def schools_in_networks(year, *, region=None, deprov=None):
    """Schools taking part in a network of that year: the total, and by
    DEPROV (for a region) or by network (for a DEPROV). One query."""
    links = NetworkSchool.objects.filter(left_on__isnull=True, network__year=year)
    if region is not None:
        links, key = links.filter(network__deprov__region=region), "network__deprov_id"
    else:
        links, key = links.filter(network__deprov=deprov), "network_id"
    by_group = dict(
        links.values(key).annotate(n=Count("school", distinct=True)).values_list(key, "n")
    )
    # A school takes part in at most one active network per year.
    return {"total": sum(by_group.values()), "by_group": by_group}


def network_breakdown(plans, *, deprov, year):
    """[(network, figures)] for the DEPROV's networks of the year. Two queries."""
    networks = list(Network.objects.filter(deprov=deprov, year=year).order_by("code"))
    in_networks = plans.filter(
        school__network_links__left_on__isnull=True,
        school__network_links__network__year=year,
        school__network_links__network__deprov=deprov,
    )
    rows = {row["group"]: row for row in breakdown(in_networks, "school__network_links__network")}
    return [(network, rows.get(network.pk, {})) for network in networks]


def network_plans(network, year=None):
    """Shared plans, of the network's year, of its schools taking part."""
    schools = NetworkSchool.objects.filter(network=network, left_on__isnull=True).values(
        "school_id"
    )
    return shared_plans(year or network.year).filter(school__in=schools)


def network_panel(user, network, *, today=None):
    """The PME panel of a network page: a rollup of the plans its schools
    share, for the network's year, and a row per school. The network page
    has already checked that the user sees the network. The part every
    reader sees alike comes from the cache (`network_rollup`); two queries
    ask what differs by reader: which plans they may open, and whether they
    may open the DEPROV's dashboard."""
    shared = network_rollup(network, today=today)
    rows = shared["rows"]
    readable = (
        set(
            permissions.visible_plans(user)
            .filter(pk__in=[row.pk for row in rows])
            .values_list("pk", flat=True)
        )
        if rows
        else set()
    )
    plan_url = row_url("pme:plan_detail")
    html = []
    for row in rows:
        school = escape(row.name)
        if row.pk in readable:
            school = f'<a href="{escape(plan_url(row.pk))}">{school}</a>'
        html.append(f"\n        <tr>\n          <td>{school}</td>\n{row.tail}")
    return {
        "pme_network": network,
        "pme_year": network.year,
        "pme_shared": shared["plans"],
        "pme_rollup_html": shared["rollup_html"],
        "pme_school_rows": rows,
        "pme_readable": readable,
        "pme_rows_html": mark_safe("".join(html)),  # noqa: S308 - escaped here and in _row_tail
        "pme_school_count": shared["schools"],
        "pme_can_dashboard": permissions.rollup_deprovs(user).filter(pk=network.deprov_id).exists(),
    }


@dataclass(frozen=True)
class SchoolRow:
    """A row of the network panel: the plan, its school's name, its figures
    and the HTML of the row after the school's cell."""

    pk: int
    name: str
    n_actions: int
    avg_progress: float | None
    n_delayed: int
    tail: str


def _row_tail(plan, approved, stale):
    """The cells of a network panel row after the school's (phase,
    actions, progress bar, delayed, date), as the template loop wrote them."""
    progress = progress_bar(plan.avg_progress, plan.school.display_name) if plan.n_actions else "—"
    delayed = (
        f'<span class="text-danger fw-semibold">{plan.n_delayed}</span>' if plan.n_delayed else "0"
    )
    last = plan.last_activity_at
    last = escape(date_filter(template_localtime(last), "SHORT_DATE_FORMAT")) if last else ""
    phase = escape(plan.get_phase_display()) + (approved if plan.approved_at else "")
    return (
        f"          <td>{phase}</td>\n"
        f'          <td class="text-end">{plan.n_actions}</td>\n'
        f"          <td>{progress}</td>\n"
        f'          <td class="text-end">{delayed}</td>\n'
        f"          <td>{stale if plan.is_stale else ''}{last}</td>\n"
        "        </tr>\n      "
    )


CHART_ID = re.compile(r"\bchart\d+-([td])\b")


def _build_network_rollup(network, today):
    plans = network_plans(network)
    figures = rollup(plans, stale_limit=50, today=today)
    # The charts' element ids (a per-process counter) fixed per network: the
    # cached SVG is served by every process, beside other charts.
    figures.charts = {
        name: mark_safe(CHART_ID.sub(rf"pme-chart-{network.pk}-{name}-\1", chart))  # noqa: S308
        for name, chart in figures.charts.items()
    }
    schools = list(with_figures(plans.select_related("school"), today).order_by("school__name"))
    # Translated outside the f-strings: makemessages (xgettext) skips calls in them.
    approved, stale = escape(_("Aprobado")), escape(_("más de 60 días"))
    approved = f' <span class="badge text-bg-success">{approved}</span>'
    stale = f'<span class="badge text-bg-warning">{stale}</span> '
    rows = [
        SchoolRow(
            plan.pk,
            str(plan.school.display_name),
            plan.n_actions,
            plan.avg_progress,
            plan.n_delayed,
            _row_tail(plan, approved, stale),
        )
        for plan in schools
    ]
    # The figures change with time alone when a plan becomes stale.
    fresh = [plan.last_activity_at for plan in schools if not plan.is_stale]
    return {
        "plans": figures.plans,
        "rollup_html": render_to_string("pme/_rollup.html", {"figures": figures})
        if figures.plans
        else "",
        "rows": rows,
        "schools": NetworkSchool.objects.filter(network=network, left_on__isnull=True).count(),
        "expires": min(fresh) + timedelta(days=STALE_DAYS) if fresh else None,
    }


def network_rollup(network, *, today=None):
    """What the network panel shows every reader alike (the rollup's HTML,
    the rows without the school's cell, the counts), cached under the
    network's PME version, the day, the language and the time zone, until a
    plan becomes stale. Seven queries when it is not cached, none when it is
    (the version is read from the cache)."""
    today = today or timezone.localdate()
    key = (
        f"pme:network:{network.pk}:v{pme_version(network.pk)}:{today.isoformat()}:"
        f"{get_language()}:{timezone.get_current_timezone_name()}"
    )
    shared = cache.get(key)
    if shared is None or (shared["expires"] is not None and timezone.now() >= shared["expires"]):
        shared = _build_network_rollup(network, today)
        cache.set(key, shared, PME_TIMEOUT)
    return shared


def dashboard_years(plans):
    """Years with shared plans in the scope, and the one to show by default:
    this year if it has plans, else the latest."""
    years = list(
        plans.filter(shared_with_network=True)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )
    this_year = timezone.localdate().year
    default = this_year if this_year in years or not years else years[0]
    return years, default


# --- panels for the home page ----------------------------------------------------------


AWAITING_SHOWN = 10


def home_panel(user):
    """What the home page shows about PMEs: for a directivo, the plan of each
    of their schools (this year's, else the latest) with its phase, sharing,
    approval, figures and the delayed actions; for supervisors and
    sostenedor representatives, the shared plans they follow; for staff, a
    link to the dashboards; for a sostenedor representative also the plans
    awaiting their approval. Four queries at most."""
    if not user.is_authenticated:
        return {}
    if is_directivo(user):
        this_year = timezone.localdate().year
        # A directivo reads the plans of their own schools (visible_plans),
        # and the panel shows two of plan_list's figures and none of its joins.
        plans = list(
            permissions.visible_plans(user)
            .select_related("school")
            .annotate(
                n_actions=Coalesce(_per_plan(Count("pk")), 0),
                avg_progress=_per_plan(Avg("progress", filter=NOT_CANCELLED)),
            )
            .order_by("school__name", "-year")
        )
        chosen = {}
        for plan in plans:
            current = chosen.get(plan.school_id)
            if current is None or (current.year > this_year and plan.year <= this_year):
                chosen[plan.school_id] = plan
        chosen = list(chosen.values())
        delayed = list(
            Action.objects.filter(plan__in=[p.pk for p in chosen])
            .filter(delayed_condition())
            .select_related("plan__school")
            .order_by("end_date", "pk")[:8]
        )
        return {
            "pme_panel": "directivo",
            "pme_plans": chosen,
            "pme_delayed": delayed,
            "pme_can_start": not chosen,
        }
    if is_supervisor(user) or is_sostenedor_rep(user):
        plans = permissions.visible_plans(user).filter(shared_with_network=True)
        figures = plans.aggregate(
            plans=Count("pk", distinct=True),
            delayed=Count("actions", filter=delayed_condition(prefix="actions__")),
            stale=Count("pk", distinct=True, filter=Q(last_activity_at__lt=stale_cutoff())),
        )
        context = {
            "pme_panel": "reader",
            "pme_figures": figures,
            "pme_can_dashboard": permissions.can_view_dashboards(user),
        }
        if is_sostenedor_rep(user):
            awaiting = list(
                permissions.plans_awaiting_approval(user)
                .select_related("school")
                .order_by("-year", "school__name")[: AWAITING_SHOWN + 1]
            )
            context["pme_awaiting"] = awaiting[:AWAITING_SHOWN]
            context["pme_awaiting_more"] = len(awaiting) > AWAITING_SHOWN
        return context
    if permissions.can_view_dashboards(user):
        return {"pme_panel": "dashboard", "pme_can_dashboard": True}
    return {}


# --- API helpers -----------------------------------------------------------------------


def api_cycles(user):
    objectives = StrategicObjective.objects.prefetch_related("goals", "strategies")
    return (
        permissions.visible_cycles(user)
        .select_related("school")
        .prefetch_related(Prefetch("objectives", queryset=objectives), "assessments")
        .order_by("school_id", "-first_year")
    )


def api_plans(user):
    return plan_list(user).select_related("cycle").order_by("school_id", "-year")


def api_actions(user):
    """The API shows related rows by id: only the plan is joined (few joins
    keep the planner's join order search whole)."""
    return (
        permissions.visible_actions(user)
        .with_state()
        .select_related("plan")
        .prefetch_related("funding")
        .order_by("plan_id", "start_date", "pk")
    )


def api_updates(action):
    return (
        ActionUpdate.objects.filter(action=action)
        .select_related("author")
        .prefetch_related("evidence")
    )
