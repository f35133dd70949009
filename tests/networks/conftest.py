"""A small world for the network tests: two DEPROV of the Maule region (72
Talca, 71 Curicó), one of Santiago (131), schools and networks in each, and a
named user per role."""

from types import SimpleNamespace

import pytest

from schools.models import Comuna
from tests.factories import (
    AnalystScopeFactory,
    MembershipFactory,
    NetworkFactory,
    NetworkSchoolFactory,
    PositionFactory,
    SchoolFactory,
    SostenedorRepresentativeFactory,
    SupervisorProfileFactory,
    UserFactory,
)

TALCA, CURICO, SANTIAGO_CENTRO = 72, 71, 131
ROLES = [
    "directivo_member",
    "directivo_other",
    "supervisor_a",
    "supervisor_other",
    "sostenedor_rep",
    "analyst_national",
    "analyst_other_region",
    "admin",
    "anonymous",
]


def school_in(cut, **kwargs):
    return SchoolFactory(comuna=Comuna.objects.get(cut=cut), **kwargs)


@pytest.fixture
def world(db):
    w = SimpleNamespace()
    # Schools: two in network A, one free in Talca, one in Curicó, one in Santiago.
    w.a1 = school_in(7101, name="Escuela Talca Uno")
    w.a2 = school_in(7101, name="Liceo Talca Dos")
    w.talca_free = school_in(7102, name="Escuela Constitución Libre")
    w.c1 = school_in(7301, name="Escuela Curicó")
    w.b1 = school_in(13101, name="Escuela Santiago Centro")
    w.network_a = NetworkFactory(code="RME-07-901", name="Red Talca A", deprov_id=TALCA)
    w.network_c = NetworkFactory(code="RME-07-902", name="Red Curicó C", deprov_id=CURICO)
    w.network_b = NetworkFactory(
        code="RME-13-901", name="Red Santiago B", deprov_id=SANTIAGO_CENTRO
    )
    for network, school in [
        (w.network_a, w.a1),
        (w.network_a, w.a2),
        (w.network_c, w.c1),
        (w.network_b, w.b1),
    ]:
        NetworkSchoolFactory(network=network, school=school)

    w.directivo_member = PositionFactory(school=w.a1, user__email="directora.a@escuela.cl").user
    MembershipFactory(network=w.network_a, user=w.directivo_member, role="directivo", school=w.a1)
    w.directivo_other = PositionFactory(school=w.b1, user__email="director.b@escuela.cl").user
    w.supervisor_a = SupervisorProfileFactory(
        deprov_id=TALCA, user__email="supervisora.talca@mineduc.cl"
    ).user
    MembershipFactory(network=w.network_a, user=w.supervisor_a, role="supervisor")
    w.supervisor_other = SupervisorProfileFactory(
        deprov_id=SANTIAGO_CENTRO, user__email="supervisor.santiago@mineduc.cl"
    ).user
    w.sostenedor_rep = SostenedorRepresentativeFactory(
        sostenedor=w.a2.sostenedor, user__email="rep@sostenedor.cl"
    ).user
    w.analyst_national = AnalystScopeFactory(user__email="analista.nacional@mineduc.cl").user
    w.analyst_other_region = AnalystScopeFactory(
        national=False, regions=[13], user__email="analista.rm@mineduc.cl"
    ).user
    w.admin = UserFactory(
        email="admin@mineduc.cl", role="admin", is_staff=True, is_superuser=True, with_totp=True
    )
    w.anonymous = None
    # Someone a manager can add to network A: head of UTP at its second school.
    w.candidate = PositionFactory(
        school=w.a2, user__role="utp", user__email="utp.a2@escuela.cl"
    ).user
    return w
