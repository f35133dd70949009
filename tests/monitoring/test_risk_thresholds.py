"""Thresholds from a distribution (monitoring.risk.calibration and
`manage.py risk_thresholds`): each signal flags about its worst networks,
ties at a value every network shares flag none, and the command prints the
distribution, the thresholds and how many networks they flag."""

import io

import pytest
from django.core.management import call_command

from monitoring.risk.calibration import flagged_counts, suggest
from monitoring.risk.indicators import DEFAULT_THRESHOLDS, NetworkRisk
from tests.factories import NetworkFactory
from tests.monitoring.risk_data import YEAR, held_meeting

D = "director"


def risks(n=100, **build):
    """n NetworkRisk, the i-th (1..n) with the figures build[field](i)."""
    return [
        NetworkRisk(network=None, year=YEAR, **{key: get(i) for key, get in build.items()})
        for i in range(1, n + 1)
    ]


def test_a_low_signal_flags_its_worst_decile():
    spread = risks(attendance=lambda i: {D: float(i)})  # 1 % .. 100 %
    limits = suggest(spread, worst=10)
    assert limits["attendance_director"] == 11.0  # below 11 %: the ten lowest
    assert flagged_counts(spread, limits)["attendance_director"] == 10
    assert suggest(spread, worst=5)["attendance_director"] == 6.0


def test_a_high_signal_flags_its_worst_decile():
    spread = risks(pme_actions=lambda i: 100, pme_delayed=lambda i: i)
    limits = suggest(spread, worst=10)
    assert limits["pme_delayed"] == 90.0  # above 90 %: the ten highest
    assert flagged_counts(spread, limits)["pme_delayed"] == 10


def test_ties_at_the_cut_move_the_threshold_until_they_flag_few():
    # A fifth of the networks fall 100 points (one representative missing):
    # a 100-point threshold would flag 20 %, so none reaches it.
    falls = risks(
        attendance_trend=lambda i: {"sostenedor_rep": [100.0, 50.0, 0.0 if i > 80 else 100.0]}
    )
    limits = suggest(falls, worst=10)
    assert limits["attendance_fall_sostenedor_rep"] == 101.0
    assert flagged_counts(falls, limits)["attendance_fall_sostenedor_rep"] == 0


def test_a_value_every_network_shares_keeps_a_threshold_flagging_none():
    same = risks(agenda_from_members=lambda i: 66.7)
    limits = suggest(same)
    assert limits["agenda_from_members"] == DEFAULT_THRESHOLDS["agenda_from_members"]
    assert flagged_counts(same, limits)["agenda_from_members"] == 0


def test_no_partners_flags_from_the_meetings_only_the_worst_reach():
    # Every network held 11 meetings without a partner: flagging from 11 would
    # flag them all; from 12, none.
    none = risks(meetings_held=lambda i: 11)
    assert suggest(none)["meetings_without_partners"] == 12
    # Five of a hundred never had one: they are the worst 5 %, flagged from 1.
    some = risks(meetings_held=lambda i: 11, meetings_with_partners=lambda i: int(i > 5))
    limits = suggest(some)
    assert limits["meetings_without_partners"] == 1
    assert flagged_counts(some, limits)["meetings_without_partners"] == 5


@pytest.mark.django_db
def test_the_command_prints_the_distribution_and_the_thresholds():
    for attended in range(1, 11):
        held_meeting(NetworkFactory(year=YEAR), 3, attendance={D: (attended, 10)})
    out = io.StringIO()
    call_command("risk_thresholds", "--year", str(YEAR), "--worst", "10", stdout=out)
    text = out.getvalue()
    assert f"10 networks of {YEAR}; thresholds flag the worst 10 % of each." in text
    row = next(line for line in text.splitlines() if line.startswith("| attendance_director "))
    # 10 % .. 100 %: p10 19 %, the current threshold (80) flags 7, the proposed (19) one.
    assert row.split(" | ")[-4:] == ["80.0", "7", "19.0", "1 |"]
    assert '    "attendance_director": 19.0,' in text
