"""The PME tests stand on the shared world (tests/conftest.py): network A of
Talca with schools a1 and a2, network B of Santiago Centro with b1, and a
named person per role; `pme_world` adds a plan per school (a1's and b1's
shared with their networks, a2's not) with an action each."""

import datetime

import pytest

from tests.factories import (
    ActionFactory,
    AnnualPlanFactory,
    FundingLineFactory,
    PMECycleFactory,
    pme_catalog,
)

ROLES = [
    "director_a",  # director of a1
    "utp_a1",  # head of UTP of a1
    "utp_a2",  # head of UTP of a2, another school of A
    "director_b",  # director of b1
    "supervisor_a",  # supervisor of Talca assigned to A
    "supervisor_deprov",  # supervisor of Talca not assigned to A
    "supervisor_b",  # supervisor of Santiago Centro assigned to B
    "rep_a",  # representative of a1's sostenedor
    "rep_b",  # representative of b1's sostenedor
    "analyst",  # national analyst
    "analyst_rm",  # analyst of the Metropolitana region
    "admin",
]


@pytest.fixture(autouse=True)
def _catalog(db):
    pme_catalog()


def plan_for(school, *, shared, year=2025):
    cycle = PMECycleFactory(school=school)
    return AnnualPlanFactory(cycle=cycle, school=school, year=year, shared_with_network=shared)


@pytest.fixture
def pme_world(world):
    """The world, with the 2025 plan of each school and an action in each."""
    world.plan_a1 = plan_for(world.a1, shared=True)
    world.plan_a2 = plan_for(world.a2, shared=False)
    world.plan_b1 = plan_for(world.b1, shared=True)
    world.action_a1 = ActionFactory(plan=world.plan_a1, name="Acompañamiento al aula")
    FundingLineFactory(action=world.action_a1, source="sep", amount=1_500_000)
    world.action_a2 = ActionFactory(plan=world.plan_a2, name="Taller de convivencia A2")
    world.action_b1 = ActionFactory(plan=world.plan_b1, name="Plan lector B1")
    return world


def day(month, dd, year=2025):
    return datetime.date(year, month, dd)
