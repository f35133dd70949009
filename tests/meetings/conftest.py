"""A small world for the meeting tests: network A of Talca (DEPROV 72) with
its members by role, a network B of Santiago, and named users for each way
of (not) taking part in A's meetings."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from networks.meetings import services as services
from networks.meetings.models import Meeting
from schools.models import Comuna
from tests.factories import (
    AnalystScopeFactory,
    ExternalPartnerFactory,
    MembershipFactory,
    NetworkFactory,
    NetworkSchoolFactory,
    PositionFactory,
    SchoolFactory,
    SostenedorRepresentativeFactory,
    SupervisorProfileFactory,
    UserFactory,
)

TALCA, SANTIAGO_CENTRO = 72, 131
A, B = "RME-07-901", "RME-13-901"

# Who may do what with network A's meetings. A supervisor of A's DEPROV who
# is not assigned to A manages the network but neither runs nor sees its
# meetings (networks.permissions.supervised_networks).
RUNNERS = {"supervisor_a", "admin"}
MEMBERS = {"supervisor_a", "director_a", "utp_a", "rep_a"}
SEERS = RUNNERS | MEMBERS
ROLES = [
    "supervisor_a",  # supervisor of Talca, in A's dupla
    "supervisor_deprov",  # supervisor of Talca, not a member of A
    "director_a",  # director at A's first school, member
    "utp_a",  # head of UTP at A's second school, member
    "rep_a",  # sostenedor representative, member of A
    "director_position_only",  # active position at a school of A, no membership
    "director_b",  # member of network B only
    "supervisor_other",  # supervisor of Santiago Centro
    "analyst",  # national analyst
    "admin",
]


def school_in(cut, **kwargs):
    return SchoolFactory(comuna=Comuna.objects.get(cut=cut), **kwargs)


def in_days(days, hours=0):
    return timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(
        days=days, hours=hours
    )


@pytest.fixture
def world(db):
    w = SimpleNamespace()
    w.a1 = school_in(7101, name="Escuela Talca Uno")
    w.a2 = school_in(7101, name="Liceo Talca Dos")
    w.a3 = school_in(7101, name="Colegio Talca Tres")
    w.b1 = school_in(13101, name="Escuela Santiago Centro")
    w.network_a = NetworkFactory(code=A, name="Red Talca A", deprov_id=TALCA)
    w.network_b = NetworkFactory(code=B, name="Red Santiago B", deprov_id=SANTIAGO_CENTRO)
    for network, school in [
        (w.network_a, w.a1),
        (w.network_a, w.a2),
        (w.network_a, w.a3),
        (w.network_b, w.b1),
    ]:
        NetworkSchoolFactory(network=network, school=school)

    w.supervisor_a = SupervisorProfileFactory(
        deprov_id=TALCA,
        user__email="supervisora.talca@mineduc.cl",
        user__first_name="Sofía",
        user__last_name="Supervisora",
    ).user
    MembershipFactory(network=w.network_a, user=w.supervisor_a, role="supervisor")
    w.supervisor_deprov = SupervisorProfileFactory(
        deprov_id=TALCA, user__email="otro.supervisor.talca@mineduc.cl"
    ).user
    w.director_a = PositionFactory(
        school=w.a1,
        user__email="directora.a@escuela.cl",
        user__first_name="Rosa",
        user__last_name="Directora",
    ).user
    MembershipFactory(network=w.network_a, user=w.director_a, role="directivo", school=w.a1)
    w.utp_a = PositionFactory(
        school=w.a2,
        user__role="utp",
        user__email="utp.a@escuela.cl",
        user__first_name="Pablo",
        user__last_name="Jefe UTP",
    ).user
    MembershipFactory(network=w.network_a, user=w.utp_a, role="directivo", school=w.a2)
    w.rep_a = SostenedorRepresentativeFactory(
        sostenedor=w.a1.sostenedor, user__email="rep@sostenedor.cl"
    ).user
    MembershipFactory(network=w.network_a, user=w.rep_a, role="sostenedor_rep")
    w.director_position_only = PositionFactory(
        school=w.a3, user__email="director.a3@escuela.cl"
    ).user
    w.director_b = PositionFactory(school=w.b1, user__email="director.b@escuela.cl").user
    MembershipFactory(network=w.network_b, user=w.director_b, role="directivo", school=w.b1)
    w.supervisor_other = SupervisorProfileFactory(
        deprov_id=SANTIAGO_CENTRO, user__email="supervisor.santiago@mineduc.cl"
    ).user
    w.analyst = AnalystScopeFactory(user__email="analista@mineduc.cl").user
    w.admin = UserFactory(
        email="admin@mineduc.cl", role="admin", is_staff=True, is_superuser=True, with_totp=True
    )
    w.partner = ExternalPartnerFactory(name="CESFAM Talca Oriente", kind="health")
    w.partner.networks.add(w.network_a)
    w.members_a = [w.supervisor_a, w.director_a, w.utp_a, w.rep_a]
    return w


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
def meeting(world):
    return convene(world)


@pytest.fixture
def held(world):
    """A meeting of A that took place yesterday."""
    return move_to_past(convene(world))
