"""The raw responses CSV (national analysts): rows in random order,
quasi-identifiers (region, network, role, dependency) generalised until
every combination shown holds at least MIN_CELL_SIZE rows, and free text in
a file of its own with no quasi-identifier at all."""

import csv
import io
import random
from collections import Counter

import pytest

from monitoring.exports import QUASI_IDENTIFIERS, generalise
from monitoring.models import Answer, Question, Response
from tests.factories import CampaignFactory

from .conftest import add_responses

pytestmark = pytest.mark.django_db

RAW = "/monitoring/campaigns/{}/responses.csv"
TEXTS = "/monitoring/campaigns/{}/texts.csv"


def read(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def runs(values):
    """How many blocks of equal neighbours: 3 for networks sorted A…B…C."""
    return sum(1 for i, v in enumerate(values) if i == 0 or values[i - 1] != v)


def test_raw_rows_come_in_random_order(monitoring_world, login, published):
    client = login(monitoring_world.analyst)
    rows = read(client, RAW.format("rme-2024"))
    networks = [r["network"] for r in rows]
    assert Counter(networks) == {"RME-07-901": 12, "RME-07-902": 6, "RME-13-901": 8}
    # Sorted by scope there would be 3 blocks; shuffled, far more.
    assert runs(networks) > 6


def add(campaign, network, n, *, role="director", dependency="", region=None):
    responses = add_responses(campaign, network, [4] * n, role=role, region=region)
    Response.objects.filter(pk__in=[r.pk for r in responses]).update(dependency=dependency)


def test_every_combination_shown_holds_at_least_the_minimum(monitoring_world, login, settings):
    campaign = CampaignFactory(slug="rme-2022", year=2022, status="closed")
    add(campaign, monitoring_world.network_a, 7, dependency="municipal")
    add(campaign, monitoring_world.network_a, 2, role="utp", dependency="municipal")
    add(campaign, monitoring_world.network_a, 1, dependency="slep")
    add(campaign, monitoring_world.network_c, 3)
    add(campaign, monitoring_world.network_b, 6, role="utp")
    add(campaign, monitoring_world.network_b, 1)  # alone: director in region 13
    client = login(monitoring_world.analyst)
    rows = read(client, RAW.format("rme-2022"))
    assert list(rows[0])[:4] == list(QUASI_IDENTIFIERS)
    assert len(rows) == 20, "nobody is left out"
    shown = Counter(tuple(r[f] for f in QUASI_IDENTIFIERS) for r in rows)
    assert min(shown.values()) >= settings.MIN_CELL_SIZE, shown
    # The big groups keep their network; the director alone in region 13
    # and the three of network C are nowhere named with their network.
    assert shown[("7", "RME-07-901", "director", "municipal")] >= 5
    assert shown[("13", "RME-13-901", "utp", "")] >= 5
    assert not [r for r in rows if r["network"] == "RME-07-902"]
    assert not [r for r in rows if r["network"] and r["role"] == "director" and r["region"] == "13"]
    assert {r["RME_META_COMUN"] for r in rows} == {"4"}


def test_generalisation_holds_for_any_mix_of_groups():
    rng = random.Random(7)
    for trial in range(200):
        rows = [
            {
                "region": rng.choice([5, 7, 13]),
                "network": rng.choice(["N1", "N2", "N3", "N4", ""]),
                "role": rng.choice(["director", "utp"]),
                "dependency": rng.choice(["municipal", "slep", ""]),
            }
            for _ in range(rng.randint(0, 60))
        ]
        out = generalise([dict(r) for r in rows], 5, random.Random(trial))
        counts = Counter(tuple(r[f] for f in QUASI_IDENTIFIERS) for r in out)
        assert all(n >= 5 for n in counts.values()), (trial, counts)
        if len(rows) >= 5:
            assert len(out) == len(rows), trial
        else:
            assert out == []


def test_free_text_is_exported_apart_with_no_quasi_identifier(monitoring_world, login):
    campaign = CampaignFactory(slug="rme-2022", year=2022, status="closed")
    comments = Question.objects.get(instrument=campaign.instrument, code="RME_COMENTARIOS")
    responses = add_responses(campaign, monitoring_world.network_a, [4] * 6)
    texts = [f"Comentario número {i}" for i in range(6)]
    Answer.objects.bulk_create(
        [
            Answer(response=r, question=comments, text=t)
            for r, t in zip(responses, texts, strict=True)
        ]
    )
    client = login(monitoring_world.analyst)
    raw = client.get(RAW.format("rme-2022")).content.decode()
    assert "RME_COMENTARIOS" not in raw and "Comentario" not in raw
    rows = read(client, TEXTS.format("rme-2022"))
    assert list(rows[0]) == ["question", "text"]
    assert sorted(r["text"] for r in rows) == texts
    assert {r["question"] for r in rows} == {"RME_COMENTARIOS"}
    content = client.get(TEXTS.format("rme-2022")).content.decode()
    for value in ("RME-07-901", "director", "municipal", ",7,"):
        assert value not in content
    # Same readers as the raw responses.
    for role, status in (("analyst_rm", 403), ("supervisor_a", 403), ("admin", 200)):
        assert (
            login(getattr(monitoring_world, role)).get(TEXTS.format("rme-2022")).status_code
            == status
        )


def test_a_question_few_answered_releases_no_text(monitoring_world, login, settings):
    """The texts of a question come out only when at least MIN_CELL_SIZE
    responses answered it: 6 comments are released, the 2 texts of the
    other question are not (whoever knows the two who wrote them would tell
    which is whose), however many responses the campaign has."""
    settings.MIN_CELL_SIZE = 5
    campaign = CampaignFactory(slug="rme-2022", year=2022, status="closed")
    comments, highlight = (
        Question.objects.get(instrument=campaign.instrument, code=code)
        for code in ("RME_COMENTARIOS", "RME_LOGRO_DESTACADO")
    )
    responses = add_responses(campaign, monitoring_world.network_a, [4] * 12)
    Answer.objects.bulk_create(
        [
            Answer(response=r, question=comments, text=f"Comentario {i}")
            for i, r in enumerate(responses[:6])
        ]
        + [
            Answer(response=r, question=highlight, text=f"Logro {i}")
            for i, r in enumerate(responses[:2])
        ]
    )
    rows = read(login(monitoring_world.analyst), TEXTS.format("rme-2022"))
    assert sorted(r["text"] for r in rows) == [f"Comentario {i}" for i in range(6)]
    assert {r["question"] for r in rows} == {"RME_COMENTARIOS"}

    # One more comment missing and the comments go too: 4 < 5.
    Answer.objects.filter(question=comments, text__in=["Comentario 0", "Comentario 1"]).delete()
    rows = read(login(monitoring_world.analyst), TEXTS.format("rme-2022"))
    assert rows == []
