"""The meeting tests stand on the shared world (tests/conftest.py): network A
of Talca with its members, network B of Santiago, and a named person for
each way of (not) taking part in A's meetings; `meeting_world` adds A's
third school and a community partner."""

import datetime

import pytest
from django.utils import timezone

from networks.meetings import services as services
from networks.meetings.models import Meeting
from tests.conftest import school_in
from tests.factories import ExternalPartnerFactory, NetworkSchoolFactory

# Who may do what with network A's meetings. A supervisor of A's DEPROV who
# is not assigned to A manages the network but neither runs nor sees its
# meetings (networks.permissions.supervised_networks).
RUNNERS = {"supervisor_a", "admin"}
MEMBERS = {"supervisor_a", "director_a", "utp_a2", "rep_a"}
SEERS = RUNNERS | MEMBERS
ROLES = [
    "supervisor_a",  # supervisor of Talca, in A's dupla
    "supervisor_deprov",  # supervisor of Talca, not a member of A
    "director_a",  # director at A's first school, member
    "utp_a2",  # head of UTP at A's second school, member
    "rep_a",  # sostenedor representative, member of A
    "utp_a1",  # head of UTP at a school of A, with no membership
    "director_b",  # member of network B only
    "supervisor_b",  # supervisor of Santiago Centro
    "analyst",  # national analyst
    "admin",
]


def in_days(days, hours=0):
    return timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(
        days=days, hours=hours
    )


@pytest.fixture
def meeting_world(world):
    """The world, with a third school of A (a3) and a community partner of A."""
    world.a3 = school_in(7101, name="Colegio Talca Tres")
    NetworkSchoolFactory(network=world.network_a, school=world.a3)
    world.partner = ExternalPartnerFactory(name="CESFAM Talca Oriente", kind="health")
    world.partner.networks.add(world.network_a)
    return world


def convene(w, *, by=None, days=10, **overrides):
    """A meeting of network A convened through the service (members invited)."""
    data = {
        "by": by or w.supervisor_a,
        "network": w.network_a,
        "title": "Reunión de marzo",
        "objective": "Analizar los resultados de lectura.",
        "starts_at": in_days(days),
        "ends_at": in_days(days, hours=2),
        "place": "Escuela Talca Uno, sala de profesores",
    }
    return services.convene_meeting(**{**data, **overrides})


def move_to_past(meeting, days=1):
    """The day of the meeting arrives: shift it `days` into the past."""
    delta = meeting.starts_at - (timezone.now() - datetime.timedelta(days=days))
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=meeting.starts_at - delta,
        ends_at=meeting.ends_at - delta,
        proposals_close_at=meeting.proposals_close_at - delta,
    )
    meeting.refresh_from_db()
    return meeting


@pytest.fixture
def meeting(meeting_world):
    return convene(meeting_world)


@pytest.fixture
def held(meeting_world):
    """A meeting of A that took place yesterday."""
    return move_to_past(convene(meeting_world))
