"""A small world for the PME tests: network A of Talca (DEPROV 72) with two
schools, network B of Santiago Centro (DEPROV 131) with one; a plan per
school (A1's and B1's shared with their networks, A2's not) and a named user
per role."""

import datetime
from types import SimpleNamespace

import pytest

from schools.models import Comuna
from tests.factories import (
    ActionFactory,
    AnalystScopeFactory,
    AnnualPlanFactory,
    FundingLineFactory,
    MembershipFactory,
    NetworkFactory,
    NetworkSchoolFactory,
    PMECycleFactory,
    PositionFactory,
    SchoolFactory,
    SostenedorRepresentativeFactory,
    SupervisorProfileFactory,
    UserFactory,
    pme_catalog,
)

TALCA, SANTIAGO_CENTRO = 72, 131
ROLES = [
    "director_a1",
    "utp_a1",
    "director_a2",
    "director_b1",
    "supervisor_a",
    "supervisor_talca",
    "supervisor_b",
    "rep_a1",
    "rep_b1",
    "analyst_national",
    "analyst_rm",
    "admin",
]


@pytest.fixture(autouse=True)
def _catalog(db):
    pme_catalog()


def school_in(cut, **kwargs):
    return SchoolFactory(comuna=Comuna.objects.get(cut=cut), **kwargs)


def plan_for(school, *, shared, year=2025):
    cycle = PMECycleFactory(school=school)
    return AnnualPlanFactory(cycle=cycle, school=school, year=year, shared_with_network=shared)


@pytest.fixture
def world(db):
    w = SimpleNamespace()
    w.a1 = school_in(7101, name="Escuela Talca Uno")
    w.a2 = school_in(7101, name="Liceo Talca Dos")
    w.b1 = school_in(13101, name="Escuela Santiago Centro")
    w.network_a = NetworkFactory(code="RME-07-901", name="Red Talca A", deprov_id=TALCA)
    w.network_b = NetworkFactory(
        code="RME-13-901", name="Red Santiago B", deprov_id=SANTIAGO_CENTRO
    )
    for network, school in [(w.network_a, w.a1), (w.network_a, w.a2), (w.network_b, w.b1)]:
        NetworkSchoolFactory(network=network, school=school)

    w.director_a1 = PositionFactory(school=w.a1, user__email="directora.a1@escuela.cl").user
    w.utp_a1 = PositionFactory(school=w.a1, user__role="utp", user__email="utp.a1@escuela.cl").user
    w.director_a2 = PositionFactory(school=w.a2, user__email="director.a2@escuela.cl").user
    w.director_b1 = PositionFactory(school=w.b1, user__email="director.b1@escuela.cl").user
    w.supervisor_a = SupervisorProfileFactory(
        deprov_id=TALCA, user__email="supervisora.a@mineduc.cl"
    ).user
    MembershipFactory(network=w.network_a, user=w.supervisor_a, role="supervisor")
    # A supervisor of the same DEPROV who is not assigned to network A.
    w.supervisor_talca = SupervisorProfileFactory(
        deprov_id=TALCA, user__email="supervisor.talca@mineduc.cl"
    ).user
    w.supervisor_b = SupervisorProfileFactory(
        deprov_id=SANTIAGO_CENTRO, user__email="supervisor.b@mineduc.cl"
    ).user
    MembershipFactory(network=w.network_b, user=w.supervisor_b, role="supervisor")
    w.rep_a1 = SostenedorRepresentativeFactory(
        sostenedor=w.a1.sostenedor, user__email="rep.a1@sostenedor.cl"
    ).user
    w.rep_b1 = SostenedorRepresentativeFactory(
        sostenedor=w.b1.sostenedor, user__email="rep.b1@sostenedor.cl"
    ).user
    w.analyst_national = AnalystScopeFactory(user__email="analista@mineduc.cl").user
    w.analyst_rm = AnalystScopeFactory(
        national=False, regions=[13], user__email="analista.rm@mineduc.cl"
    ).user
    w.admin = UserFactory(
        email="admin@mineduc.cl", role="admin", is_staff=True, is_superuser=True, with_totp=True
    )

    w.plan_a1 = plan_for(w.a1, shared=True)
    w.plan_a2 = plan_for(w.a2, shared=False)
    w.plan_b1 = plan_for(w.b1, shared=True)
    w.action_a1 = ActionFactory(plan=w.plan_a1, name="Acompañamiento al aula")
    FundingLineFactory(action=w.action_a1, source="sep", amount=1_500_000)
    w.action_a2 = ActionFactory(plan=w.plan_a2, name="Taller de convivencia A2")
    w.action_b1 = ActionFactory(plan=w.plan_b1, name="Plan lector B1")
    return w


def day(month, dd, year=2025):
    return datetime.date(year, month, dd)
