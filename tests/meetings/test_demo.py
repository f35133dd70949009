"""The demo's meetings: a past school year for each Maule network with
attendance, minutes and agreements, and an upcoming meeting open for
proposals; repeatable. The national generator builds a year of monthly
meetings per national network."""

import pytest
from django.utils import timezone

from networks.demo import seed_small
from networks.meetings import selectors as selectors
from networks.meetings.demo import seed_demo_meetings, seed_national_meetings
from networks.meetings.models import (
    AgendaItem,
    AgendaProposal,
    Agreement,
    Attendance,
    Meeting,
    Minutes,
    ProposalVote,
)
from networks.models import Network
from rme_platform.accounts.models import User

pytestmark = pytest.mark.django_db

MODELS = [Meeting, Attendance, AgendaProposal, ProposalVote, AgendaItem, Minutes, Agreement]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_demo_meetings_are_complete_and_repeatable(client):
    seed_small()
    figures = seed_demo_meetings()
    assert figures["meetings"] >= 6 * 2
    first = counts()
    assert seed_demo_meetings() == {"meetings": 0}
    assert counts() == first

    network = Network.objects.get(code="RME-07-001")
    now = timezone.now()
    past = network.meetings.filter(starts_at__lt=now)
    assert past.count() >= 8 and set(past.values_list("status", flat=True)) == {"held"}
    assert all(m.minutes.is_published for m in past)
    assert Agreement.objects.filter(meeting__network=network).exists()
    upcoming = network.meetings.get(starts_at__gt=now)
    assert upcoming.status == "convened" and upcoming.proposals_open
    assert upcoming.proposals.count() == 3

    # The demo director sees the upcoming meeting and open agreements at home.
    directora = User.objects.get(email="directora@demo.rme.cl")
    panel = selectors.home_panel(directora)
    assert upcoming in panel["meetings_upcoming"]
    measures = selectors.network_panel(directora, network)["meetings_measures"]
    assert measures.meetings_held >= 1 and measures.attendance_rate("director") is not None
    client.force_login(directora)
    assert client.get(f"/meetings/{upcoming.pk}/").status_code == 200

    # The national generator (a year of monthly meetings per national
    # network), tried on a demo network standing in for a national one.
    network = Network.objects.get(code="RME-07-002")
    network.code = "RME-N07-001"
    network.save()
    figures = seed_national_meetings(months=3)
    assert figures["networks"] == 1 and figures["meetings"] == 3
    again = seed_national_meetings(months=3)
    assert again == figures
    assert Meeting.objects.filter(network=network).count() == 3
    assert Attendance.objects.filter(meeting__network=network, user__isnull=False).count() == (
        3 * network.memberships.filter(active=True).count()
    )
