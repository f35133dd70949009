"""A small world for the survey tests: the Maule region (networks A in
Talca and C in Curicó) and Santiago (network B), a directivo per school,
a named user per role, and helpers to store responses."""

import random
from types import SimpleNamespace

import pytest

from monitoring.models import Answer, Question, Response
from schools.models import Comuna
from tests.factories import (
    AnalystScopeFactory,
    CampaignFactory,
    MembershipFactory,
    NetworkFactory,
    NetworkSchoolFactory,
    PositionFactory,
    SchoolFactory,
    SostenedorRepresentativeFactory,
    SupervisorProfileFactory,
    UserFactory,
    default_instrument,
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
]


@pytest.fixture(autouse=True)
def _default_instrument(request):
    """The default instrument, as its migration loads it; again after a
    transactional test elsewhere has flushed the tables."""
    if "db" in request.fixturenames or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("db")
        default_instrument()


def school_in(cut, **kwargs):
    return SchoolFactory(comuna=Comuna.objects.get(cut=cut), **kwargs)


@pytest.fixture
def world(db):
    w = SimpleNamespace()
    w.instrument = default_instrument()
    w.network_a = NetworkFactory(code="RME-07-901", name="Red Talca A", deprov_id=TALCA)
    w.network_c = NetworkFactory(code="RME-07-902", name="Red Curicó C", deprov_id=CURICO)
    w.network_b = NetworkFactory(
        code="RME-13-901", name="Red Santiago B", deprov_id=SANTIAGO_CENTRO
    )
    w.a1 = school_in(7101, name="Escuela Talca Uno", dependency=2)
    w.a2 = school_in(7101, name="Liceo Talca Dos", dependency=6)
    w.c1 = school_in(7301, name="Escuela Curicó")
    w.b1 = school_in(13101, name="Escuela Santiago Centro")
    for network, school in [
        (w.network_a, w.a1),
        (w.network_a, w.a2),
        (w.network_c, w.c1),
        (w.network_b, w.b1),
    ]:
        NetworkSchoolFactory(network=network, school=school)

    w.directivo_member = PositionFactory(
        school=w.a1, user__email="directora.a@escuela.cl", user__first_name="Rosa"
    ).user
    MembershipFactory(network=w.network_a, user=w.directivo_member, role="directivo", school=w.a1)
    w.utp_member = PositionFactory(
        school=w.a1, user__role="utp", user__email="utp.a@escuela.cl"
    ).user
    w.director_a2 = PositionFactory(school=w.a2, user__email="director.a2@escuela.cl").user
    w.directivo_c = PositionFactory(school=w.c1, user__email="director.c@escuela.cl").user
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
    return w


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
def published(world):
    """A published 2024 campaign: network A 12 responses, C 6, B 8 (heads of UTP)."""
    campaign = CampaignFactory(slug="rme-2024", year=2024, status="published")
    add_responses(campaign, world.network_a, [4, 4, 5, 5, 3, 2, 4, 5, 1, 4, 4, 5])
    add_responses(campaign, world.network_c, [5, 5, 4, 3, 4, 2])
    add_responses(campaign, world.network_b, [2, 3, 4, 4, 5, 1, 2, 3], role="utp")
    return campaign
