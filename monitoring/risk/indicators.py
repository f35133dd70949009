"""Networks at risk: per network of a year, the signals that a network is
not working (members stop coming, the agenda is not theirs, agreements are
not kept, no partners, the schools' PME actions are late, interest and
community ties falling in the survey), each against a threshold, and the
reasons a network is flagged.

Everything is computed for all the networks of a scope at once, in a fixed
number of grouped queries whatever their number (QUERIES, with the networks
themselves): the meeting signals (one query of per-meeting counts, with the
same definitions as networks.meetings.selectors.network_meeting_measures
but only the figures read here; cached per network under its meetings
version), the PME delayed actions (one; cached per network under its PME
version), the survey waves (one, then
monitoring.results for each wave, which applies the suppression rules,
cached), the construct questions (one, when a wave is not cached) and the
waves' response counts (one). The networks of a DEPROV or a region reach the
grouped queries as a list of ids, the country's as a subquery.

Thresholds (DEFAULT_THRESHOLDS; the setting RISK_THRESHOLDS overrides any)
were set from the national distribution of the benchmark's national seed by
`manage.py risk_thresholds` (monitoring.risk.calibration): each signal flags
about its worst 5 % of the networks.
"""

import statistics
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, Max, QuerySet
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from networks.meetings.cache import TIMEOUT as MEETINGS_TIMEOUT
from networks.meetings.cache import meetings_versions
from networks.meetings.models import (
    AgendaItem,
    Agreement,
    AgreementStatus,
    Attendance,
    AttendeeRole,
    Meeting,
    MeetingStatus,
)
from networks.meetings.selectors import MEASURED_ROLES, year_bounds
from networks.models import Network
from pme.cache import TIMEOUT as PME_TIMEOUT
from pme.cache import pme_versions
from pme.models import Action, delayed_condition

from ..models import Campaign, CampaignStatus, Question, QuestionKind, Response
from ..results import CACHE_SECONDS, NETWORK, campaign_results, likert_question_dict

# Set from the national distribution of the benchmark's national seed by
# `manage.py risk_thresholds` (monitoring.risk.calibration): each flags about
# the worst 5 % of the networks with data; see the README and bench/RESULTS.md.
DEFAULT_THRESHOLDS = {
    # Attendance rate (%) over the year's held meetings, below which a role flags.
    "attendance_director": 80.0,
    "attendance_utp": 70.0,
    "attendance_sostenedor_rep": 27.0,
    # A fall of at least this many points of a role's attendance between the
    # first and the last of the last TREND_MEETINGS held meetings (a setting
    # "attendance_fall" sets the three at once). The representatives' is off
    # (no fall reaches 101): with one or two a meeting, a single absence is a
    # fall of 50 or 100 points, which a fifth of the networks show.
    "attendance_fall_director": 21.0,
    "attendance_fall_utp": 24.0,
    "attendance_fall_sostenedor_rep": 101.0,
    # Share (%) of agenda items that came from members' proposals, below which it flags.
    "agenda_from_members": 20.0,
    # Share (%) of agreements due that were done on time, below which it flags.
    "agreements_on_time": 40.0,
    # Held meetings, none with an external partner present, from which it flags.
    "meetings_without_partners": 12,
    # Share (%) of the schools' PME actions that are delayed, above which it flags.
    "pme_delayed": 40.0,
    # A fall of this many points of % agree against the previous wave.
    "survey_fall": 10.0,
}
TREND_MEETINGS = 3
# Up to this many networks the grouped queries name them (networks_at_risk).
ID_LIST_MAX = 150
# Queries of networks_at_risk with two survey waves, its caches filled (tests
# assert it): the networks, the waves and their response counts (the meeting
# signals, PME delayed actions and construct questions only on a miss).
QUERIES = 3
# Survey constructs followed, by key: the construct name of the instrument.
CONSTRUCTS = {
    "interest": "Interés en las reuniones",
    "community": "Vínculo con la comunidad",
}
ROLE_KEYS = {
    AttendeeRole.DIRECTOR: "attendance_director",
    AttendeeRole.UTP: "attendance_utp",
    AttendeeRole.SOSTENEDOR_REP: "attendance_sostenedor_rep",
}
REASON_CODES = (
    "attendance_director",
    "attendance_utp",
    "attendance_sostenedor_rep",
    "attendance_fall_director",
    "attendance_fall_utp",
    "attendance_fall_sostenedor_rep",
    "agenda_from_members",
    "agreements_on_time",
    "no_partners",
    "pme_delayed",
    "survey_interest",
    "survey_community",
)


FALL_KEYS = {
    AttendeeRole.DIRECTOR: "attendance_fall_director",
    AttendeeRole.UTP: "attendance_fall_utp",
    AttendeeRole.SOSTENEDOR_REP: "attendance_fall_sostenedor_rep",
}


def thresholds():
    overrides = dict(getattr(settings, "RISK_THRESHOLDS", {}))
    every_fall = overrides.pop("attendance_fall", None)
    limits = dict(DEFAULT_THRESHOLDS)
    if every_fall is not None:
        limits.update(dict.fromkeys(FALL_KEYS.values(), every_fall))
    return {**limits, **overrides}


def _pct(part, whole):
    return round(part * 100 / whole, 1) if whole else None


@dataclass
class NetworkRisk:
    """The indicators of one network over one year, and why it is flagged."""

    network: Network
    year: int
    meetings_held: int = 0
    attendance: dict = field(default_factory=dict)  # role -> rate or None
    attendance_trend: dict = field(default_factory=dict)  # role -> [rates, oldest first]
    agenda_from_members: float | None = None
    agreements_on_time: float | None = None
    agreements_due: int = 0
    meetings_with_partners: int = 0
    pme_actions: int = 0
    pme_delayed: int = 0
    survey: dict = field(default_factory=dict)  # construct key -> {current, previous, change}
    reasons: list = field(default_factory=list)  # [(code, text)]

    @property
    def flagged(self):
        return bool(self.reasons)

    @property
    def pme_delayed_rate(self):
        return _pct(self.pme_delayed, self.pme_actions)

    def attendance_change(self, role):
        trend = self.attendance_trend.get(role) or []
        rates = [r for r in trend if r is not None]
        if len(rates) < TREND_MEETINGS:
            return None
        return round(rates[-1] - rates[0], 1)

    @property
    def reason_codes(self):
        return [code for code, _text in self.reasons]

    @property
    def reason_texts(self):
        return [text for _code, text in self.reasons]

    def as_dict(self):
        """The JSON of the API and the rows of the exports."""
        network = self.network
        return {
            "network": network.code,
            "name": network.name,
            "deprov": network.deprov_id,
            "region": network.deprov.region_id,
            "year": self.year,
            "meetings_held": self.meetings_held,
            "attendance": {str(role): self.attendance.get(role) for role in MEASURED_ROLES},
            "attendance_change": {
                str(role): self.attendance_change(role) for role in MEASURED_ROLES
            },
            "agenda_from_members": self.agenda_from_members,
            "agreements_on_time": self.agreements_on_time,
            "meetings_with_partners": self.meetings_with_partners,
            "pme_actions": self.pme_actions,
            "pme_delayed": self.pme_delayed_rate,
            "survey": {
                key: self.survey.get(key, {"current": None, "previous": None, "change": None})
                for key in CONSTRUCTS
            },
            "flagged": self.flagged,
            "reasons": [{"code": code, "text": text} for code, text in self.reasons],
        }


# --- the grouped reads --------------------------------------------------------------


@dataclass
class MeetingSignals:
    """The meeting figures of one network and year that the risk signals read."""

    meetings_held: int = 0
    attendance: dict = field(default_factory=dict)  # role -> rate or None
    meetings_with_partners: int = 0
    agenda_items: int = 0
    agenda_from_members: int = 0
    agreements_due: int = 0
    agreements_on_time: int = 0
    attendance_trend: dict = field(default_factory=dict)  # role -> [rates, oldest first]


def _table(model, *fields):
    """The quoted table and column names of `model`'s fields, for _MEETINGS_SQL."""
    qn = connection.ops.quote_name
    names = {"table": qn(model._meta.db_table)}
    for name in fields:
        names[name] = qn(model._meta.get_field(name).column)
    return names


def _meetings_sql(ids_sql):
    """One row per meeting of the networks, neither cancelled nor outside the
    year: (network, status, people invited and present per measured role,
    partners present, agenda items, from members, agreements due, on time),
    oldest first in each network. Plain SQL: the four grouped queries it
    replaces cost more to build in the ORM than to run."""
    m = _table(Meeting, "id", "network", "status", "starts_at")
    a = _table(Attendance, "meeting", "user", "partner", "role", "attended")
    g = _table(AgendaItem, "meeting", "proposal")
    k = _table(Agreement, "meeting", "status", "due_on", "closed_on")
    people = f"a.{a['user']} IS NOT NULL AND a.{a['role']} = %s"
    per_role = ", ".join(
        f"COUNT(*) FILTER (WHERE {people}) AS i{i}, "
        f"COUNT(*) FILTER (WHERE {people} AND a.{a['attended']}) AS p{i}"
        for i, _role in enumerate(MEASURED_ROLES)
    )
    counts = ", ".join(f"att.i{i}, att.p{i}" for i, _role in enumerate(MEASURED_ROLES))
    # Names from the models, values as parameters.
    meetings = (
        f"SELECT {m['id']} FROM {m['table']} WHERE {m['network']} IN ({ids_sql}) "  # noqa: S608
        f"AND {m['starts_at']} >= %s AND {m['starts_at']} < %s AND {m['status']} <> %s"
    )
    return f"""
        SELECT m.{m["network"]}, m.{m["status"]}, {counts}, att.partners,
               agenda.total, agenda.from_members, agreements.due, agreements.on_time
        FROM {m["table"]} m
        LEFT JOIN (
            SELECT a.{a["meeting"]} AS meeting_id, {per_role},
                   COUNT(*) FILTER (WHERE a.{a["partner"]} IS NOT NULL) AS partners
            FROM {a["table"]} a
            WHERE a.{a["meeting"]} IN ({meetings})
              AND ((a.{a["user"]} IS NOT NULL AND a.{a["role"]} IN (%s, %s, %s))
                   OR (a.{a["partner"]} IS NOT NULL AND a.{a["attended"]}))
            GROUP BY a.{a["meeting"]}
        ) att ON att.meeting_id = m.{m["id"]}
        LEFT JOIN (
            SELECT g.{g["meeting"]} AS meeting_id, COUNT(*) AS total,
                   COUNT(*) FILTER (WHERE g.{g["proposal"]} IS NOT NULL) AS from_members
            FROM {g["table"]} g WHERE g.{g["meeting"]} IN ({meetings})
            GROUP BY g.{g["meeting"]}
        ) agenda ON agenda.meeting_id = m.{m["id"]}
        LEFT JOIN (
            SELECT k.{k["meeting"]} AS meeting_id,
                   COUNT(*) FILTER (
                       WHERE k.{k["due_on"]} < %s OR k.{k["status"]} IN (%s, %s)
                   ) AS due,
                   COUNT(*) FILTER (
                       WHERE k.{k["status"]} = %s AND k.{k["closed_on"]} <= k.{k["due_on"]}
                   ) AS on_time
            FROM {k["table"]} k WHERE k.{k["meeting"]} IN ({meetings})
            GROUP BY k.{k["meeting"]}
        ) agreements ON agreements.meeting_id = m.{m["id"]}
        WHERE m.{m["network"]} IN ({ids_sql})
          AND m.{m["starts_at"]} >= %s AND m.{m["starts_at"]} < %s AND m.{m["status"]} <> %s
        ORDER BY m.{m["network"]}, m.{m["starts_at"]}, m.{m["id"]}
    """  # noqa: S608 - names from the models, values as parameters


def _meeting_signals(network_ids, year):
    """{network id: MeetingSignals} from one query of per-meeting counts
    (_meetings_sql), with the definitions of
    networks.meetings.selectors.network_meeting_measures: held meetings;
    attendance by role over the held meetings (people invited with a
    measured role), its trend over the last TREND_MEETINGS held meetings
    with attendance taken, and the held meetings with a partner present;
    agenda items of the held meetings from members' proposals; agreements of
    the meetings not cancelled, due and done on time. `network_ids`: a list
    or a queryset of network ids."""
    if isinstance(network_ids, QuerySet):
        ids_sql, ids_params = network_ids.query.sql_with_params()
        ids_params = list(ids_params)
    else:
        ids_sql = ", ".join(["%s"] * len(network_ids)) or "NULL"
        ids_params = list(network_ids)
    ops = connection.ops
    start, end = year_bounds(year)
    window = [
        *ids_params,
        ops.adapt_datetimefield_value(start),
        ops.adapt_datetimefield_value(end),
        MeetingStatus.CANCELLED.value,
    ]
    roles = [str(role) for role in MEASURED_ROLES]
    today = ops.adapt_datefield_value(timezone.localdate())
    params = [
        *[role for role in roles for _twice in (0, 1)],
        *window,
        *roles,
        *window,
        today,
        AgreementStatus.DONE.value,
        AgreementStatus.DROPPED.value,
        AgreementStatus.DONE.value,
        *window,
        *window,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_meetings_sql(ids_sql), params)
        rows = cursor.fetchall()
    held = MeetingStatus.HELD.value
    roles = list(enumerate(MEASURED_ROLES))
    found = {}
    for network_id, group in groupby(rows, key=itemgetter(0)):
        m = found[network_id] = MeetingSignals()
        taken = []  # the held meetings with attendance taken, oldest first
        for row in group:
            if row[11] is not None:
                m.agreements_due += row[11]
                m.agreements_on_time += row[12]
            if row[1] != held:
                continue
            m.meetings_held += 1
            if row[9] is not None:
                m.agenda_items += row[9]
                m.agenda_from_members += row[10]
            if row[2] is not None:
                taken.append(row[2:9])
        if not taken:
            continue
        totals = [sum(column) for column in zip(*taken, strict=True)]
        m.attendance = {
            role: _pct(totals[1 + 2 * i], totals[2 * i]) for i, role in roles if totals[2 * i]
        }
        m.meetings_with_partners = sum(1 for counts in taken if counts[6])
        trend = {}
        for counts in taken[-TREND_MEETINGS:]:
            for i, role in roles:
                if counts[2 * i]:
                    trend.setdefault(role, []).append(_pct(counts[1 + 2 * i], counts[2 * i]))
        m.attendance_trend = trend
    return found


SIGNALS_KEY = "monitoring:risk-meetings:1"


def _per_network_cached(network_ids, year, *, prefix, versions, compute, empty, timeout):
    """{network id: value} of every network of `network_ids`, each kept in
    the cache under `prefix`, the year, the day (figures fall due and late as
    days pass) and the network's version of `versions` (bumped by every write
    the value is read from); `compute(missing ids, year)` gives those not
    cached, `empty()` the value of a network it has no row for."""
    today = timezone.localdate().isoformat()
    keys = {pk: f"{prefix}:{pk}:{year}:{today}:{versions[pk]}" for pk in network_ids}
    found = cache.get_many(list(keys.values()))
    values = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [pk for pk in network_ids if pk not in values]
    if missing:
        computed = compute(missing, year)
        fresh = {pk: computed.get(pk) or empty() for pk in missing}
        cache.set_many({keys[pk]: value for pk, value in fresh.items()}, timeout)
        values.update(fresh)
    return values


def _cached_meeting_signals(network_ids, year):
    """_meeting_signals of a list of network ids ({network id:
    MeetingSignals}, every one of them), each network's kept in the cache
    under its meetings version (networks.meetings.cache: bumped by every
    write to the meetings, attendance, agenda and agreements counted here)
    and the day (agreements fall due as days pass). The query it spares is
    the costliest of the computation, most of all when its rows are cold."""
    return _per_network_cached(
        network_ids,
        year,
        prefix=SIGNALS_KEY,
        versions=meetings_versions(network_ids),
        compute=_meeting_signals,
        empty=MeetingSignals,
        timeout=MEETINGS_TIMEOUT,
    )


def _pme_delayed(network_ids, year):
    """{network id: (actions, delayed)} of the shared plans of the year of
    the schools taking part, delayed as pme.models.delayed_condition says
    (one query)."""
    # Straight from the actions (no plan-level figures): cheaper than
    # pme.selectors.breakdown over every school of the country.
    rows = (
        Action.objects.filter(
            plan__year=year,
            plan__shared_with_network=True,
            plan__school__network_links__left_on__isnull=True,
            plan__school__network_links__network__in=network_ids,
        )
        .values(group=F("plan__school__network_links__network"))
        .annotate(n=Count("pk"), delayed=Count("pk", filter=delayed_condition()))
        .order_by()
    )
    return {row["group"]: (row["n"], row["delayed"]) for row in rows}


PME_KEY = "monitoring:risk-pme:1"


def _cached_pme_delayed(network_ids, year):
    """_pme_delayed of a list of network ids, each network's kept in the
    cache under its PME version (pme.cache: bumped by every write to the
    plans, actions and memberships counted here) and the day (actions fall
    late as days pass). Its query is the costliest left on a warm panel."""
    return _per_network_cached(
        network_ids,
        year,
        prefix=PME_KEY,
        versions=pme_versions(network_ids),
        compute=_pme_delayed,
        empty=lambda: (0, 0),
        timeout=PME_TIMEOUT,
    )


def survey_waves(year):
    """(this year's wave, the previous wave): the latest released campaign
    of the year and the latest released one before it (one query)."""
    released = list(
        Campaign.objects.filter(
            year__lte=year, status__in=(CampaignStatus.CLOSED, CampaignStatus.PUBLISHED)
        ).order_by("-year", "-pk")[:20]
    )
    current = next((c for c in released if c.year == year), None)
    previous = next((c for c in released if c.year < year), None)
    return current, previous


def _construct_agree(cells, asked, question_ids):
    """% agree of a construct in a network's figures: the mean of its
    questions' % agree, over the questions not suppressed (None if all
    are: the suppression rules of monitoring.results decide)."""
    values = []
    for question_id in question_ids:
        cell = cells.get(question_id)
        if cell is None or question_id not in asked:
            continue
        data = likert_question_dict("", cell)
        if data["pct_agree"] is not None:
            values.append(data["pct_agree"])
    return round(sum(values) / len(values), 1) if values else None


def _construct_questions(waves):
    """{(instrument id, construct): [question ids]} of the Likert questions
    of the CONSTRUCTS in the waves' instruments (one query)."""
    by_instrument = {}
    for pk, instrument_id, construct in (
        Question.objects.filter(
            instrument_id__in={c.instrument_id for c in waves},
            kind=QuestionKind.LIKERT5,
            construct__in=CONSTRUCTS.values(),
        )
        .order_by("section__order", "order", "pk")
        .values_list("pk", "instrument_id", "construct")
    ):
        by_instrument.setdefault((instrument_id, construct), []).append(pk)
    return by_instrument


def _wave_constructs(wave, questions, stats):
    """{network id: {construct key: % agree}} of every network of a wave,
    cached like monitoring.results (keyed by the wave's responses, `stats`:
    their number and last id): reading it back is much cheaper than
    unpickling the wave's whole results. `questions()`: _construct_questions
    of the waves, called only when the figures are computed (a released
    wave's instrument is frozen)."""
    key = (
        f"monitoring:risk-constructs:1:{wave.pk}:{wave.instrument_id}:"
        f"{settings.MIN_CELL_SIZE}:{stats['n']}:{stats['last']}"
    )
    found = cache.get(key)
    if found is not None:
        return found
    by_instrument = questions()
    results = campaign_results(wave, use_cache=False)
    found = {}
    for (level, _region, network_id, role), cells in results.table.cells.items():
        if level != NETWORK or role is not None or network_id is None:
            continue
        found[network_id] = {
            name: _construct_agree(
                cells, results.asked, by_instrument.get((wave.instrument_id, construct), [])
            )
            for name, construct in CONSTRUCTS.items()
        }
    cache.set(key, found, CACHE_SECONDS)
    return found


def _survey(networks, year, readable):
    """{network id: {construct key: {current, previous, change}}} for the
    networks in `readable(campaign)` (ids whose results the reader may
    read in that wave)."""
    current, previous = survey_waves(year)
    if current is None:
        return {}
    waves = [c for c in (current, previous) if c is not None]
    questions = []  # _construct_questions(waves), once, if a wave is computed

    def construct_questions():
        if not questions:
            questions.append(_construct_questions(waves))
        return questions[0]

    stats = {
        row["campaign_id"]: row
        for row in Response.objects.filter(campaign__in=[c.pk for c in waves])
        .values("campaign_id")
        .annotate(n=Count("pk"), last=Max("pk"))
        .order_by()
    }
    figures = {}
    for wave in waves:
        by_network = _wave_constructs(
            wave, construct_questions, stats.get(wave.pk, {"n": 0, "last": None})
        )
        allowed = readable(wave)
        for network in networks:
            if allowed is not None and network.pk not in allowed:
                continue
            values = by_network.get(network.pk, {})
            for key in CONSTRUCTS:
                slot = figures.setdefault(network.pk, {}).setdefault(
                    key, {"current": None, "previous": None, "change": None}
                )
                slot["current" if wave is current else "previous"] = values.get(key)
    for by_key in figures.values():
        for slot in by_key.values():
            if slot["current"] is not None and slot["previous"] is not None:
                slot["change"] = round(slot["current"] - slot["previous"], 1)
    return figures


# --- the flags ------------------------------------------------------------------------


def _reason_texts():
    """The lines of the reasons in the active language (looked up once per
    computation, not once per network)."""
    return {
        "roles": {
            AttendeeRole.DIRECTOR: _("directores"),
            AttendeeRole.UTP: _("jefes de UTP"),
            AttendeeRole.SOSTENEDOR_REP: _("representantes del sostenedor"),
        },
        "attendance": _("Asistencia de %(role)s de %(rate)s %% (umbral: %(limit)s %%)."),
        "attendance_fall": _(
            "La asistencia de %(role)s cayó %(points)s puntos en las últimas "
            "%(meetings)s reuniones."
        ),
        "agenda_from_members": _(
            "Solo el %(rate)s %% de los temas de la tabla vino de propuestas de los "
            "integrantes (umbral: %(limit)s %%)."
        ),
        "agreements_on_time": _(
            "Solo el %(rate)s %% de los acuerdos se cumplió a tiempo (umbral: %(limit)s %%)."
        ),
        "no_partners": _("Ninguna de sus %(held)s reuniones realizadas contó con socios externos."),
        "pme_delayed": _(
            "El %(rate)s %% de las acciones PME de sus establecimientos está atrasado "
            "(umbral: %(limit)s %%)."
        ),
        "interest": _(
            "El interés en las reuniones bajó %(points)s puntos respecto de la encuesta anterior."
        ),
        "community": _(
            "El vínculo con la comunidad bajó %(points)s puntos respecto de la encuesta anterior."
        ),
        "numbers": _Numbers().__getitem__,
    }


def reasons_for(risk, limits=None, texts=None):
    """[(code, line in the active language)] of the thresholds the network
    crosses. An indicator without data flags nothing. `texts`: _reason_texts()
    when called for many networks."""
    limits = limits or thresholds()
    texts = texts or _reason_texts()
    num = texts.get("numbers") or _Numbers().__getitem__
    reasons = []
    labels = texts["roles"]
    for role, key in ROLE_KEYS.items():
        rate = risk.attendance.get(role)
        if rate is not None and rate < limits[key]:
            reasons.append(
                (
                    key,
                    texts["attendance"]
                    % {"role": labels[role], "rate": num(rate), "limit": num(limits[key])},
                )
            )
    for role in MEASURED_ROLES:
        change = risk.attendance_change(role)
        if change is not None and change <= -limits[FALL_KEYS[role]]:
            reasons.append(
                (
                    FALL_KEYS[role],
                    texts["attendance_fall"]
                    % {"role": labels[role], "points": num(-change), "meetings": TREND_MEETINGS},
                )
            )
    if (
        risk.agenda_from_members is not None
        and risk.agenda_from_members < limits["agenda_from_members"]
    ):
        reasons.append(
            (
                "agenda_from_members",
                texts["agenda_from_members"]
                % {
                    "rate": num(risk.agenda_from_members),
                    "limit": num(limits["agenda_from_members"]),
                },
            )
        )
    if (
        risk.agreements_on_time is not None
        and risk.agreements_on_time < limits["agreements_on_time"]
    ):
        reasons.append(
            (
                "agreements_on_time",
                texts["agreements_on_time"]
                % {
                    "rate": num(risk.agreements_on_time),
                    "limit": num(limits["agreements_on_time"]),
                },
            )
        )
    if (
        risk.meetings_held >= limits["meetings_without_partners"]
        and not risk.meetings_with_partners
    ):
        reasons.append(
            (
                "no_partners",
                texts["no_partners"] % {"held": risk.meetings_held},
            )
        )
    delayed = risk.pme_delayed_rate
    if delayed is not None and delayed > limits["pme_delayed"]:
        reasons.append(
            (
                "pme_delayed",
                texts["pme_delayed"] % {"rate": num(delayed), "limit": num(limits["pme_delayed"])},
            )
        )
    for key in CONSTRUCTS:
        change = risk.survey.get(key, {}).get("change")
        if change is not None and change <= -limits["survey_fall"]:
            reasons.append((f"survey_{key}", texts[key] % {"points": num(-change)}))
    return reasons


def _num(value):
    """A figure written the language's way (62,4 in Spanish)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return number_format(value, use_l10n=True)


class _Numbers(dict):
    """_num of each figure once per computation (hundreds of networks share
    the thresholds and many rates)."""

    def __missing__(self, value):
        self[value] = text = _num(value)
        return text


def networks_at_risk(networks, year, *, readable=None):
    """[NetworkRisk] for the networks of `networks` (a queryset) of `year`,
    ordered by region, DEPROV and code. `readable(campaign)` gives the ids of
    the networks whose survey results the reader may read in a wave (None:
    all). A fixed number of queries whatever the number of networks."""
    networks_qs = networks
    networks = list(
        networks.filter(year=year)
        .select_related("deprov__region")
        .order_by("deprov__region__order", "deprov_id", "code")
    )
    if not networks:
        return []
    # The grouped queries take a DEPROV's or a region's networks as a list of
    # ids: behind the subquery of a supervisor's networks (an OR of two
    # subqueries) PostgreSQL expected hundreds of networks and scanned every
    # attendance and PME action of the country (0.5 s instead of 50 ms). The
    # country's stay a subquery: a list of hundreds of ids costs more to
    # compile in each query than the subquery to run, and they read most rows.
    if len(networks) <= ID_LIST_MAX:
        ids = [network.pk for network in networks]
    else:
        ids = networks_qs.filter(year=year).values("pk")
    limits, texts = thresholds(), _reason_texts()
    if isinstance(ids, list):
        signals = _cached_meeting_signals(ids, year)
        pme = _cached_pme_delayed(ids, year)
    else:
        signals = _meeting_signals(ids, year)
        pme = _pme_delayed(ids, year)
    survey = _survey(networks, year, readable or (lambda _campaign: None))
    empty = MeetingSignals()
    out = []
    for network in networks:
        m = signals.get(network.pk, empty)
        actions, delayed = pme.get(network.pk, (0, 0))
        risk = NetworkRisk(
            network=network,
            year=year,
            meetings_held=m.meetings_held,
            attendance={role: m.attendance.get(role) for role in MEASURED_ROLES},
            attendance_trend=m.attendance_trend,
            agenda_from_members=_pct(m.agenda_from_members, m.agenda_items),
            agreements_on_time=_pct(m.agreements_on_time, m.agreements_due),
            agreements_due=m.agreements_due,
            meetings_with_partners=m.meetings_with_partners,
            pme_actions=actions,
            pme_delayed=delayed,
            survey=survey.get(network.pk, {}),
        )
        risk.reasons = reasons_for(risk, limits, texts)
        out.append(risk)
    return out


# --- distributions (region and country) ---------------------------------------------------

INDICATORS = (
    ("attendance_director", lambda r: r.attendance.get(AttendeeRole.DIRECTOR)),
    ("attendance_utp", lambda r: r.attendance.get(AttendeeRole.UTP)),
    ("attendance_sostenedor_rep", lambda r: r.attendance.get(AttendeeRole.SOSTENEDOR_REP)),
    ("agenda_from_members", lambda r: r.agenda_from_members),
    ("agreements_on_time", lambda r: r.agreements_on_time),
    ("pme_delayed", lambda r: r.pme_delayed_rate),
)


def indicator_labels():
    return {
        "attendance_director": _("Asistencia de directores"),
        "attendance_utp": _("Asistencia de jefes de UTP"),
        "attendance_sostenedor_rep": _("Asistencia de representantes del sostenedor"),
        "agenda_from_members": _("Temas propuestos por los integrantes"),
        "agreements_on_time": _("Acuerdos cumplidos a tiempo"),
        "pme_delayed": _("Acciones PME atrasadas"),
    }


def reason_labels():
    """A short label per reason code (the distribution tables)."""
    return {
        "attendance_director": _("Baja asistencia de directores"),
        "attendance_utp": _("Baja asistencia de jefes de UTP"),
        "attendance_sostenedor_rep": _("Baja asistencia de representantes del sostenedor"),
        "attendance_fall_director": _("Caída de la asistencia de directores"),
        "attendance_fall_utp": _("Caída de la asistencia de jefes de UTP"),
        "attendance_fall_sostenedor_rep": _(
            "Caída de la asistencia de representantes del sostenedor"
        ),
        "agenda_from_members": _("Pocos temas propuestos por los integrantes"),
        "agreements_on_time": _("Pocos acuerdos cumplidos a tiempo"),
        "no_partners": _("Sin socios externos"),
        "pme_delayed": _("Muchas acciones PME atrasadas"),
        "survey_interest": _("Cae el interés en las reuniones"),
        "survey_community": _("Cae el vínculo con la comunidad"),
    }


def reason_chips():
    """A label of two or three words per reason code: the chips of the page's
    rows (the full sentence goes with each chip)."""
    return {
        "attendance_director": _("Asistencia: directores"),
        "attendance_utp": _("Asistencia: UTP"),
        "attendance_sostenedor_rep": _("Asistencia: sostenedor"),
        "attendance_fall_director": _("Caída: directores"),
        "attendance_fall_utp": _("Caída: UTP"),
        "attendance_fall_sostenedor_rep": _("Caída: sostenedor"),
        "agenda_from_members": _("Temas de integrantes"),
        "agreements_on_time": _("Acuerdos a tiempo"),
        "no_partners": _("Sin socios"),
        "pme_delayed": _("PME atrasado"),
        "survey_interest": _("Encuesta: interés"),
        "survey_community": _("Encuesta: comunidad"),
    }


def _decile(values, which):
    if len(values) < 2:
        return values[0] if values else None
    cuts = statistics.quantiles(values, n=10, method="inclusive")
    return round(cuts[0] if which == "low" else cuts[-1], 1)


def distribution(risks):
    """The figures of a region or the country: networks, flagged networks,
    flagged per reason and, per indicator, networks with data, p10, median
    and p90."""
    labels = indicator_labels()
    rows = []
    for key, get in INDICATORS:
        values = sorted(v for v in (get(r) for r in risks) if v is not None)
        rows.append(
            {
                "key": key,
                "label": labels[key],
                "n": len(values),
                "p10": _decile(values, "low"),
                "median": round(statistics.median(values), 1) if values else None,
                "p90": _decile(values, "high"),
            }
        )
    by_reason = {}
    for risk in risks:
        for code in risk.reason_codes:
            by_reason[code] = by_reason.get(code, 0) + 1
    return {
        "networks": len(risks),
        "flagged": sum(1 for r in risks if r.flagged),
        "by_reason": [
            {"code": code, "label": reason_labels()[code], "count": by_reason[code]}
            for code in REASON_CODES
            if code in by_reason
        ],
        "indicators": rows,
    }
