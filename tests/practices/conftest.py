"""The practice tests stand on the shared world (tests/conftest.py): networks
A of Talca and B of Santiago, and a named person for each way of (not)
seeing a practice written at A's first school; `practice_world` adds
network C, another network of Talca."""

import pytest

from tests.conftest import TALCA, school_in
from tests.factories import (
    MembershipFactory,
    NetworkFactory,
    NetworkSchoolFactory,
    PositionFactory,
    PracticeFactory,
)

ROLES = [
    "director_a",  # author, director at A's first school (a1)
    "utp_a1",  # head of UTP at a1: a directivo of the practice's school
    "utp_a2",  # head of UTP at a2, another school of network A, member
    "supervisor_a",  # supervisor of Talca, in A's dupla
    "rep_a",  # sostenedor representative appointed to A
    "director_c",  # director in network C: same DEPROV, another network
    "director_b",  # director in network B: another DEPROV
    "supervisor_b",  # supervisor of Santiago Centro
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


@pytest.fixture
def practice_world(world):
    """The world, with network C of Talca (same DEPROV as A), its school c1
    and c1's director, a member of C."""
    world.c1 = school_in(7101, name="Escuela Talca Norte")
    world.network_c = NetworkFactory(code="RME-07-902", name="Red Talca C", deprov_id=TALCA)
    NetworkSchoolFactory(network=world.network_c, school=world.c1)
    world.director_c = PositionFactory(school=world.c1, user__email="director.c@escuela.cl").user
    MembershipFactory(
        network=world.network_c, user=world.director_c, role="directivo", school=world.c1
    )
    return world


@pytest.fixture
def practice_of(practice_world):
    """A practice of a1 by director_a in a given state: draft, network, deprov, all."""

    def make(state="network", **kwargs):
        if state == "draft":
            kwargs.setdefault("status", "draft")
            kwargs.setdefault("published_at", None)
        else:
            kwargs.setdefault("visibility", state)
        return PracticeFactory(
            school=practice_world.a1, authors=[practice_world.director_a], **kwargs
        )

    return make
