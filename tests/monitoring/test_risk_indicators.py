"""Each indicator of "networks at risk" on small hand-made data, its
threshold, the reasons (one translated line each) and the query count."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from monitoring.risk.indicators import QUERIES, distribution, networks_at_risk
from networks.meetings.models import Attendance
from networks.meetings.selectors import MEASURED_ROLES, network_meeting_measures
from networks.models import Network
from tests.factories import NetworkFactory, NetworkSchoolFactory
from tests.monitoring.conftest import add_responses
from tests.monitoring.risk_data import (
    YEAR,
    agreements,
    held_meeting,
    pme_actions,
)
from tests.monitoring.risk_data import (
    answers_by_construct as _answers,
)
from tests.monitoring.risk_data import (
    wave as _wave,
)

pytestmark = pytest.mark.django_db

D, U, S = "director", "utp", "sostenedor_rep"


def risk_of(network, **kwargs):
    with translation.override("es"):
        (risk,) = networks_at_risk(Network.objects.filter(pk=network.pk), YEAR, **kwargs)
    return risk


@pytest.fixture
def network():
    return NetworkFactory(year=YEAR)


def test_a_network_without_data_has_no_indicator_and_no_flag(network):
    risk = risk_of(network)
    assert risk.attendance == {D: None, U: None, S: None}
    assert risk.agenda_from_members is None
    assert risk.agreements_on_time is None
    assert risk.pme_delayed_rate is None
    assert risk.survey == {}
    assert not risk.flagged


def test_attendance_by_role_over_the_year_and_its_thresholds(network):
    # Directors 5/10 = 50 % (< 80), UTP 8/10 = 80 % (>= 70), reps 1/4 = 25 % (< 27).
    held_meeting(network, 3, attendance={D: (2, 5), U: (4, 5), S: (1, 2)})
    held_meeting(network, 4, attendance={D: (3, 5), U: (4, 5), S: (0, 2)})
    risk = risk_of(network)
    assert risk.attendance == {D: 50.0, U: 80.0, S: 25.0}
    assert risk.reason_codes == ["attendance_director", "attendance_sostenedor_rep"]
    assert risk.reason_texts[0] == "Asistencia de directores de 50 % (umbral: 80 %)."
    assert risk.reason_texts[1] == (
        "Asistencia de representantes del sostenedor de 25 % (umbral: 27 %)."
    )


def test_a_fall_in_attendance_over_the_last_three_meetings(network):
    # Four meetings: the first is outside the window; 100 → 90 → 70 over the
    # last three is a fall of 30 points (>= 21). UTP 80 → 80 → 70 is only 10 (< 24).
    held_meeting(network, 3, attendance={D: (2, 10), U: (10, 10)})
    held_meeting(network, 4, attendance={D: (10, 10), U: (8, 10)})
    held_meeting(network, 5, attendance={D: (9, 10), U: (8, 10)})
    held_meeting(network, 6, attendance={D: (7, 10), U: (7, 10)})
    risk = risk_of(network)
    assert risk.attendance_trend[D] == [100.0, 90.0, 70.0]
    assert risk.attendance_change(D) == -30.0
    assert risk.attendance_change(U) == -10.0
    assert "attendance_fall_director" in risk.reason_codes
    assert "attendance_fall_utp" not in risk.reason_codes
    assert (
        "La asistencia de directores cayó 30 puntos en las últimas 3 reuniones."
        in risk.reason_texts
    )


def test_two_meetings_make_no_trend(network):
    held_meeting(network, 3, attendance={D: (10, 10)})
    held_meeting(network, 4, attendance={D: (6, 10)})
    assert risk_of(network).attendance_change(D) is None


def test_agenda_from_members_share(network):
    held_meeting(network, 3, agenda=(1, 4))  # 1 of 5 = 20 %: not below 20
    assert risk_of(network).agenda_from_members == 20.0
    assert "agenda_from_members" not in risk_of(network).reason_codes
    held_meeting(network, 4, agenda=(0, 5))  # 1 of 10 = 10 %
    risk = risk_of(network)
    assert risk.agenda_from_members == 10.0
    assert "agenda_from_members" in risk.reason_codes


def test_agreements_done_on_time_among_those_due(network):
    meeting = held_meeting(network, 3)
    agreements(meeting, on_time=1, late=1, open_overdue=2)  # 1 of 4 = 25 %
    risk = risk_of(network)
    assert risk.agreements_on_time == 25.0
    assert "Solo el 25 % de los acuerdos se cumplió a tiempo (umbral: 40 %)." in (risk.reason_texts)


def test_no_external_partner_after_three_meetings(network, settings):
    settings.RISK_THRESHOLDS = {"meetings_without_partners": 3}  # the default is 12
    for month in (3, 4):
        held_meeting(network, month)
    assert "no_partners" not in risk_of(network).reason_codes  # only two held
    held_meeting(network, 5)
    risk = risk_of(network)
    assert risk.meetings_with_partners == 0
    assert "Ninguna de sus 3 reuniones realizadas contó con socios externos." in (risk.reason_texts)
    held_meeting(network, 6, partners=2)
    risk = risk_of(network)
    assert risk.meetings_with_partners == 1
    assert "no_partners" not in risk.reason_codes


def test_share_of_delayed_pme_actions_of_shared_plans(network):
    school = NetworkSchoolFactory(network=network).school
    other = NetworkSchoolFactory(network=network).school
    pme_actions(school, delayed=3, on_track=3)
    pme_actions(other, delayed=5, shared=False)  # not shared: not counted
    risk = risk_of(network)
    assert (risk.pme_actions, risk.pme_delayed, risk.pme_delayed_rate) == (6, 3, 50.0)
    assert risk.reason_texts == [
        "El 50 % de las acciones PME de sus establecimientos está atrasado (umbral: 40 %)."
    ]


def test_survey_constructs_against_the_previous_wave(network):
    # Previous wave: all agree (5); this wave: 3 of 6 agree on interest
    # (50 %, a fall of 50 points), community unchanged.
    add_responses(_wave(YEAR - 1), network, [_answers(5, 5)] * 6)
    add_responses(_wave(YEAR), network, [_answers(5, 5)] * 3 + [_answers(1, 5)] * 3)
    risk = risk_of(network)
    assert risk.survey["interest"] == {"current": 50.0, "previous": 100.0, "change": -50.0}
    assert risk.survey["community"] == {"current": 100.0, "previous": 100.0, "change": 0.0}
    assert risk.reason_texts == [
        "El interés en las reuniones bajó 50 puntos respecto de la encuesta anterior."
    ]


def test_a_suppressed_survey_cell_flags_nothing(network):
    add_responses(_wave(YEAR - 1), network, [_answers(5, 5)] * 6)
    add_responses(_wave(YEAR), network, [_answers(1, 1)] * 4)  # 4 < MIN_CELL_SIZE
    risk = risk_of(network)
    assert risk.survey["interest"]["current"] is None
    assert risk.survey["interest"]["change"] is None
    assert not risk.flagged


def test_an_open_wave_is_not_read(network):
    add_responses(_wave(YEAR - 1), network, [_answers(5, 5)] * 6)
    add_responses(_wave(YEAR, status="open"), network, [_answers(1, 1)] * 6)
    risk = risk_of(network)
    # The open wave is skipped: the year has no released wave.
    assert risk.survey == {}


def test_survey_figures_only_for_readable_networks(network):
    add_responses(_wave(YEAR - 1), network, [_answers(5, 5)] * 6)
    add_responses(_wave(YEAR), network, [_answers(1, 1)] * 6)
    assert risk_of(network, readable=lambda campaign: set()).survey == {}
    assert risk_of(network, readable=lambda campaign: {network.pk}).flagged


def test_thresholds_come_from_settings(network, settings):
    held_meeting(network, 3, attendance={D: (9, 10)})
    assert "attendance_director" not in risk_of(network).reason_codes
    settings.RISK_THRESHOLDS = {"attendance_director": 95}
    assert "attendance_director" in risk_of(network).reason_codes


def test_distribution_counts_flagged_networks_and_deciles():
    networks = [NetworkFactory(year=YEAR) for _ in range(3)]
    for network, attended in zip(networks, (2, 8, 9), strict=True):
        held_meeting(network, 3, attendance={D: (attended, 10)})
    risks = networks_at_risk(Network.objects.all(), YEAR)
    with translation.override("es"):
        data = distribution(risks)
    assert (data["networks"], data["flagged"]) == (3, 1)
    assert data["by_reason"] == [
        {"code": "attendance_director", "label": "Baja asistencia de directores", "count": 1}
    ]
    row = data["indicators"][0]
    assert (row["n"], row["median"]) == (3, 80.0)
    assert row["p10"] == 32.0 and row["p90"] == 88.0


def _scenario(n_networks):
    """n networks, each with meetings, agreements, partners, PME and two waves."""
    previous, current = _wave(YEAR - 1), _wave(YEAR)
    for _ in range(n_networks):
        network = NetworkFactory(year=YEAR)
        meeting = held_meeting(network, 3, attendance={D: (1, 2)}, partners=1, agenda=(1, 1))
        held_meeting(network, 4, attendance={D: (1, 2)})
        agreements(meeting, on_time=1)
        pme_actions(NetworkSchoolFactory(network=network).school, delayed=1)
        add_responses(previous, network, [_answers(5, 5)] * 5)
        add_responses(current, network, [_answers(1, 5)] * 5)


def _queries():
    with CaptureQueriesContext(connection) as ctx:
        risks = networks_at_risk(Network.objects.all(), YEAR)
    return len(ctx.captured_queries), risks


def test_a_fixed_number_of_queries_whatever_the_number_of_networks():
    _scenario(2)
    _queries()  # fill the results cache, as in steady use
    few, risks = _queries()
    assert len(risks) == 2 and all(r.flagged for r in risks)
    _scenario(3)
    _queries()
    many, risks = _queries()
    assert len(risks) == 5
    # 1 networks, 1 waves, 1 results cache keys (both waves); the meeting
    # signals, the PME delayed actions and the construct questions come from
    # the cache.
    assert few == many == QUERIES == 3


def test_the_meeting_signals_are_cached_per_network_until_its_meetings_change():
    a, b = NetworkFactory(year=YEAR), NetworkFactory(year=YEAR)
    held_meeting(a, 3, attendance={D: (1, 2)})
    held_meeting(b, 3, attendance={D: (2, 2)})
    both = Network.objects.filter(pk__in=[a.pk, b.pk])

    def held():
        with CaptureQueriesContext(connection) as ctx:
            risks = networks_at_risk(both, YEAR)
        meeting_sql = [q["sql"] for q in ctx.captured_queries if '"meetings_meeting"' in q["sql"]]
        return {r.network.pk: r.meetings_held for r in risks}, meeting_sql

    assert held()[0] == {a.pk: 1, b.pk: 1}
    counts, sql = held()
    assert counts == {a.pk: 1, b.pk: 1} and sql == []  # both from the cache
    # A meeting of A (its version bumped): A is read again, B stays cached.
    held_meeting(a, 4, attendance={D: (2, 2)})
    counts, [sql] = held()
    assert counts == {a.pk: 2, b.pk: 1}
    assert f"IN ({a.pk})" in sql
    # An attendance taken in B: B's figures change at once.
    row = Attendance.objects.filter(meeting__network=b, role=D).first()
    row.attended = False
    row.save()
    rates = {r.network.pk: r.attendance[D] for r in networks_at_risk(both, YEAR)}
    assert rates == {a.pk: 75.0, b.pk: 50.0}


def test_the_pme_delayed_actions_are_cached_per_network_until_its_pme_changes():
    a, b = NetworkFactory(year=YEAR), NetworkFactory(year=YEAR)
    plan_a = pme_actions(NetworkSchoolFactory(network=a).school, delayed=1, on_track=1)
    pme_actions(NetworkSchoolFactory(network=b).school, delayed=1, on_track=3)
    both = Network.objects.filter(pk__in=[a.pk, b.pk])

    def delayed():
        with CaptureQueriesContext(connection) as ctx:
            risks = networks_at_risk(both, YEAR)
        action_sql = [q["sql"] for q in ctx.captured_queries if '"pme_action"' in q["sql"]]
        return {r.network.pk: (r.pme_actions, r.pme_delayed) for r in risks}, action_sql

    assert delayed()[0] == {a.pk: (2, 1), b.pk: (4, 1)}
    counts, sql = delayed()
    assert counts == {a.pk: (2, 1), b.pk: (4, 1)} and sql == []  # both from the cache
    # An action of A falls late (its version bumped): A is read again, B stays cached.
    action = plan_a.actions.get(status="done")
    action.status, action.progress = "in_progress", 50
    action.save()
    counts, [sql] = delayed()
    assert counts == {a.pk: (2, 2), b.pk: (4, 1)}
    assert f"IN ({a.pk})" in sql


def test_the_cached_pme_delayed_actions_are_the_days(network, monkeypatch):
    """An action falls late as the days pass, with no write: the cached
    delayed actions are kept for one day."""
    plan = pme_actions(NetworkSchoolFactory(network=network).school, on_track=1)
    action = plan.actions.get()
    action.status, action.progress = "in_progress", 50
    action.save()
    ends = action.end_date
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: ends)
    assert risk_of(network).pme_delayed == 0
    assert risk_of(network).pme_delayed == 0  # from the cache
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: ends + datetime.timedelta(days=1))
    assert risk_of(network).pme_delayed == 1


def test_the_meeting_signals_keep_the_meeting_measures_definitions():
    """The narrow meeting queries of the risk page give the figures of
    networks.meetings.selectors.network_meeting_measures."""
    _scenario(2)
    network = NetworkFactory(year=YEAR)
    held_meeting(network, 5, attendance={D: (3, 4)}, partners=2, agenda=(4, 1))
    agreements(held_meeting(network, 6, attendance={D: (0, 3)}), on_time=2, late=1)
    measures = network_meeting_measures(Network.objects.values_list("pk", flat=True), YEAR)
    for risk in networks_at_risk(Network.objects.all(), YEAR):
        m = measures[risk.network.pk]
        assert risk.meetings_held == m.meetings_held
        assert risk.attendance == {role: m.attendance_rate(role) for role in MEASURED_ROLES}
        assert risk.meetings_with_partners == m.meetings_with_partners
        assert risk.agenda_from_members == m.agenda_from_members_rate
        assert risk.agreements_on_time == m.agreements_on_time_rate
        assert risk.agreements_due == m.agreements_due


def test_the_cached_meeting_signals_are_the_days(network, monkeypatch):
    """An open agreement falls due as the days pass, with no write: the
    cached meeting signals are kept for one day."""
    agreements(held_meeting(network, 3), open_overdue=1)  # due on the 28th of March
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: datetime.date(YEAR, 3, 28))
    assert risk_of(network).agreements_due == 0
    assert risk_of(network).agreements_due == 0  # from the cache
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: datetime.date(YEAR, 3, 29))
    assert risk_of(network).agreements_due == 1
