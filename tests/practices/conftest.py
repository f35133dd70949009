"""A small world for the practice tests: networks A and C of Talca (DEPROV
72), network B of Santiago, and named users for each way of (not) seeing a
practice written at A's first school."""

from types import SimpleNamespace

import pytest

from schools.models import Comuna
from tests.factories import (
    AnalystScopeFactory,
    MembershipFactory,
    NetworkFactory,
    NetworkSchoolFactory,
    PositionFactory,
    PracticeFactory,
    SchoolFactory,
    SostenedorRepresentativeFactory,
    SupervisorProfileFactory,
    UserFactory,
)

TALCA, SANTIAGO_CENTRO = 72, 131

ROLES = [
    "director_a",  # author, director at A's first school (a1)
    "utp_a1",  # head of UTP at a1: a directivo of the practice's school
    "utp_a2",  # head of UTP at a2, another school of network A
    "supervisor_a",  # supervisor of Talca, in A's dupla
    "rep_a",  # sostenedor representative appointed to A
    "director_c",  # director in network C: same DEPROV, another network
    "director_b",  # director in network B: another DEPROV
    "supervisor_other",  # supervisor of Santiago Centro
    "analyst",  # national analyst
    "admin",
    "anonymous",
]

# Who sees a practice of a1, by its state.
SEES = {
    "draft": {"director_a", "utp_a1", "admin"},
    "network": {"director_a", "utp_a1", "utp_a2", "supervisor_a", "rep_a", "admin"},
    "deprov": {"director_a", "utp_a1", "utp_a2", "supervisor_a", "rep_a", "director_c", "admin"},
    "all": set(ROLES) - {"anonymous"},
}


def school_in(cut, **kwargs):
    return SchoolFactory(comuna=Comuna.objects.get(cut=cut), **kwargs)


@pytest.fixture
def world(db):
    w = SimpleNamespace(anonymous=None)
    w.a1 = school_in(7101, name="Escuela Talca Uno", rural=True, enrollment=120, levels=[10, 110])
    w.a2 = school_in(7101, name="Liceo Talca Dos")
    w.c1 = school_in(7101, name="Escuela Talca Norte")
    w.b1 = school_in(13101, name="Escuela Santiago Centro")
    w.network_a = NetworkFactory(code="RME-07-901", name="Red Talca A", deprov_id=TALCA)
    w.network_c = NetworkFactory(code="RME-07-902", name="Red Talca C", deprov_id=TALCA)
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

    def directivo(school, network, email, role="director", **names):
        user = PositionFactory(school=school, user__role=role, user__email=email, **names).user
        MembershipFactory(network=network, user=user, role="directivo", school=school)
        return user

    w.director_a = directivo(
        w.a1,
        w.network_a,
        "directora.a@escuela.cl",
        user__first_name="Rosa",
        user__last_name="Directora",
    )
    w.utp_a1 = directivo(w.a1, w.network_a, "utp.a1@escuela.cl", role="utp")
    w.utp_a2 = directivo(w.a2, w.network_a, "utp.a2@escuela.cl", role="utp")
    w.director_c = directivo(w.c1, w.network_c, "director.c@escuela.cl")
    w.director_b = directivo(w.b1, w.network_b, "director.b@escuela.cl")
    w.supervisor_a = SupervisorProfileFactory(
        deprov_id=TALCA,
        user__email="supervisora.talca@mineduc.cl",
        user__first_name="Sofía",
        user__last_name="Supervisora",
    ).user
    MembershipFactory(network=w.network_a, user=w.supervisor_a, role="supervisor")
    w.rep_a = SostenedorRepresentativeFactory(user__email="rep@sostenedor.cl").user
    MembershipFactory(network=w.network_a, user=w.rep_a, role="sostenedor_rep")
    w.supervisor_other = SupervisorProfileFactory(
        deprov_id=SANTIAGO_CENTRO, user__email="supervisor.santiago@mineduc.cl"
    ).user
    w.analyst = AnalystScopeFactory(user__email="analista@mineduc.cl").user
    w.admin = UserFactory(
        email="admin@mineduc.cl", role="admin", is_staff=True, is_superuser=True, with_totp=True
    )
    return w


@pytest.fixture
def practice_of(world):
    """A practice of a1 by director_a in a given state: draft, network, deprov, all."""

    def make(state="network", **kwargs):
        if state == "draft":
            kwargs.setdefault("status", "draft")
            kwargs.setdefault("published_at", None)
        else:
            kwargs.setdefault("visibility", state)
        return PracticeFactory(school=world.a1, authors=[world.director_a], **kwargs)

    return make
