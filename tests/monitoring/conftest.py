"""The survey tests stand on the shared world (tests/conftest.py): networks A
of Talca and B of Santiago Centro and a named person per role;
`monitoring_world` adds network C of Curicó (Maule, like A) with a
directivo, and the default instrument; helpers store responses."""

import random

import pytest

from monitoring.models import Answer, Question, Response
from tests.conftest import CURICO, TALCA, school_in
from tests.factories import (
    CampaignFactory,
    NetworkFactory,
    NetworkSchoolFactory,
    PositionFactory,
    default_instrument,
)

__all__ = ["ROLES", "TALCA", "add_responses", "likert_questions", "school_in"]

ROLES = [
    "director_a",
    "director_b",
    "supervisor_a",
    "supervisor_b",
    "rep_a",
    "analyst",
    "analyst_rm",
    "supervisor_deprov",
    "admin",
]


@pytest.fixture(autouse=True)
def _default_instrument(request):
    """The default instrument, as its migration loads it; again after a
    transactional test elsewhere has flushed the tables."""
    if "db" in request.fixturenames or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("db")
        default_instrument()


@pytest.fixture
def monitoring_world(world):
    """The world, with network C of Curicó (DEPROV 71), its school c1 and
    c1's director (no membership), and the default instrument."""
    world.instrument = default_instrument()
    world.network_c = NetworkFactory(code="RME-07-902", name="Red Curicó C", deprov_id=CURICO)
    world.c1 = school_in(7301, name="Escuela Curicó")
    NetworkSchoolFactory(network=world.network_c, school=world.c1)
    world.directivo_c = PositionFactory(school=world.c1, user__email="director.c@escuela.cl").user
    return world


def likert_questions(instrument=None):
    instrument = instrument or default_instrument()
    return list(
        Question.objects.filter(instrument=instrument, kind="likert5").order_by(
            "section__order", "order"
        )
    )


def add_responses(campaign, network, values, *, role="director", region=None, codes=None):
    """Store one response per item of `values` (a Likert value, or a dict
    code → value) with answers to every Likert question (or `codes`)."""
    questions = {q.code: q for q in likert_questions(campaign.instrument)}
    region = region if region is not None else network.deprov.region_id
    responses = Response.objects.bulk_create(
        [
            Response(campaign=campaign, network=network, region_id=region, role=role)
            for _value in values
        ]
    )
    answers = []
    for response, value in zip(responses, values, strict=True):
        given = value if isinstance(value, dict) else dict.fromkeys(codes or questions, value)
        for code, v in given.items():
            if v is not None:
                answers.append(Answer(response=response, question=questions[code], value=v))
    Answer.objects.bulk_create(answers)
    return responses


def random_values(n, seed=1):
    rng = random.Random(seed)
    return [rng.randint(1, 5) for _ in range(n)]


@pytest.fixture
def published(monitoring_world):
    """A published 2024 campaign: network A 12 responses, C 6, B 8 (heads of UTP)."""
    campaign = CampaignFactory(slug="rme-2024", year=2024, status="published")
    w = monitoring_world
    add_responses(campaign, w.network_a, [4, 4, 5, 5, 3, 2, 4, 5, 1, 4, 4, 5])
    add_responses(campaign, w.network_c, [5, 5, 4, 3, 4, 2])
    add_responses(campaign, w.network_b, [2, 3, 4, 4, 5, 1, 2, 3], role="utp")
    return campaign
