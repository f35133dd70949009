"""Responses are written in batches: a submit only marks the draft (keyed by
its invitation) submitted; once enough wait, one transaction turns a batch
of at least MIN_CELL_SIZE into anonymous responses in shuffled order, marks
their invitations answered and deletes their drafts. Nothing in the
database then links a response to its invitation more finely than its
batch: not PostgreSQL's transaction ids, row positions or id order, nor a
time of day."""

import random

import pytest
from django.db import DatabaseError, connection
from django.utils import timezone

from monitoring import services, tasks
from monitoring.models import Answer, Draft, Invitation, Response
from monitoring.selectors import response_rates
from tests.factories import CampaignFactory, NetworkFactory, NetworkSchoolFactory, PositionFactory

from .conftest import school_in
from .test_answering import full_answers

MARKER = "RME_REUNIONES_ASISTIDAS"  # a number question: who answered what, for the checks


@pytest.fixture
def crowd(world):
    """An open campaign for one network of 20 schools, a director in each:
    their invitations in id order (the order they will submit in)."""
    network = NetworkFactory(code="RME-07-950", name="Red Talca Grande", deprov_id=72)
    for i in range(20):
        school = school_in(7101, name=f"Escuela Grande {i:02d}", dependency=2)
        NetworkSchoolFactory(network=network, school=school)
        PositionFactory(school=school, user__email=f"director{i:02d}@grande.cl")
    campaign = CampaignFactory(slug="rme-lotes", target="networks")
    campaign.target_networks.set([network])
    services.open_campaign(by=world.admin, campaign=campaign, send=False)
    campaign.refresh_from_db()
    invitations = list(Invitation.objects.filter(campaign=campaign).order_by("pk"))
    assert len(invitations) == 20
    return campaign, invitations


def submit(invitation, marker):
    services.submit_response(invitation=invitation, answers=full_answers() | {MARKER: marker})


def participation(world, campaign):
    return response_rates(world.admin, campaign)["total"]["answered"]


@pytest.mark.django_db
def test_submits_wait_in_their_drafts_until_a_batch_is_due(world, crowd, settings, client):
    settings.MIN_CELL_SIZE = 3
    campaign, invitations = crowd
    for i, invitation in enumerate(invitations[:5]):
        submit(invitation, i)
    # 5 wait (fewer than 2 × 3): nothing written, yet each has taken part.
    assert not Response.objects.exists()
    assert Draft.objects.filter(submitted=True).count() == 5
    assert not Invitation.objects.filter(answered=True).exists()
    assert participation(world, campaign) == 5
    link = client.get(f"/monitoring/respond/{invitations[0].token}/")
    assert "Esta encuesta ya fue respondida" in link.content.decode()

    submit(invitations[5], 5)  # 6 wait: all but 3 move, in one batch
    assert Response.objects.count() == 3
    assert Invitation.objects.filter(answered=True).count() == 3
    assert Draft.objects.filter(submitted=True).count() == 3
    assert participation(world, campaign) == 6
    assert set(Response.objects.values_list("submitted_on", flat=True)) == {timezone.localdate()}

    # An unsubmitted draft is discarded at close; the held ones are stored.
    services.save_draft(invitation=invitations[6], answers={"RME_META_COMUN": "2"})
    services.close_campaign(by=world.admin, campaign=campaign)
    assert Response.objects.count() == 6
    assert not Draft.objects.exists()
    assert Invitation.objects.filter(answered=True).count() == 6
    markers = sorted(Answer.objects.filter(question__code=MARKER).values_list("value", flat=True))
    assert markers == [0, 1, 2, 3, 4, 5]
    assert participation(world, campaign) == 6


@pytest.mark.django_db
def test_held_answers_are_not_reminded_nor_offered_again(world, crowd, settings):
    settings.MIN_CELL_SIZE = 3
    campaign, invitations = crowd
    Invitation.objects.filter(campaign=campaign).update(sent_at=timezone.now())
    submit(invitations[0], 0)
    pending = set(Invitation.objects.pending().values_list("pk", flat=True))
    assert invitations[0].pk not in pending and invitations[1].pk in pending
    reminded = services.send_reminders(campaign=campaign)
    assert reminded == 19


@pytest.mark.django_db
def test_a_move_that_dies_midway_loses_nothing(world, crowd, settings, monkeypatch):
    settings.MIN_CELL_SIZE = 3
    campaign, invitations = crowd
    real_bulk_create = Answer.objects.bulk_create

    def killed(*args, **kwargs):
        raise DatabaseError("the worker died here")

    monkeypatch.setattr(Answer.objects, "bulk_create", killed)
    for i, invitation in enumerate(invitations[:6]):
        submit(invitation, i)  # the sixth submit's move fails after its responses
    # The move rolled back whole: no response, every answer still held.
    assert not Response.objects.exists()
    assert Draft.objects.filter(submitted=True).count() == 6
    assert not Invitation.objects.filter(answered=True).exists()
    assert participation(world, campaign) == 6

    monkeypatch.setattr(Answer.objects, "bulk_create", real_bulk_create)
    assert tasks.move_submitted_responses() == 3  # the periodic sweep
    assert Response.objects.count() == 3 and Answer.objects.filter(question__code=MARKER).count()
    assert "monitoring-move-submitted-responses" in tasks.BEAT_SCHEDULE


def _ctid(text):
    block, row = text.strip("()").split(",")
    return int(block), int(row)


def _attack(responses, invitations, key_r, key_i, truth):
    """Pair each batch's responses sorted by `key_r` with its invitations
    sorted by `key_i`; count the pairs that are right."""
    hits = 0
    by_batch = {}
    for row in responses:
        by_batch.setdefault(row["xmin"], []).append(row)
    for xmin, rows in by_batch.items():
        batch_invitations = sorted(
            (i for i in invitations if i["xmin"] == xmin), key=lambda i: i[key_i]
        )
        for response, invitation in zip(
            sorted(rows, key=lambda r: r[key_r]), batch_invitations, strict=True
        ):
            hits += truth[response["marker"]] == invitation["id"]
    return hits


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_nothing_in_postgresql_links_a_response_to_its_invitation(world, crowd, monkeypatch):
    """20 directors submit one after the other through the real service
    (MIN_CELL_SIZE 5: four batches of five, the last at close). Whatever an
    attacker with the database tries — transaction ids (xmin), physical
    positions (ctid), id order, dates — no response is matched to its
    invitation better than chance within its batch."""
    monkeypatch.setattr(services, "BATCH_RANDOM", random.Random(20251204))
    campaign, invitations = crowd
    truth = {}
    for marker, invitation in enumerate(invitations):
        submit(invitation, marker)
        truth[marker] = invitation.pk
    services.close_campaign(by=world.admin, campaign=campaign)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.id, r.xmin::text::bigint, r.ctid::text, r.submitted_on, a.value "
            "FROM monitoring_response r JOIN monitoring_answer a ON a.response_id = r.id "
            "JOIN monitoring_question q ON q.id = a.question_id "
            "WHERE r.campaign_id = %s AND q.code = %s",
            [campaign.pk, MARKER],
        )
        responses = [
            {"id": i, "xmin": x, "ctid": _ctid(c), "date": d, "marker": m}
            for i, x, c, d, m in cursor.fetchall()
        ]
        cursor.execute(
            "SELECT id, xmin::text::bigint, ctid::text FROM monitoring_invitation "
            "WHERE campaign_id = %s",
            [campaign.pk],
        )
        rows = [{"id": i, "xmin": x, "ctid": _ctid(c)} for i, x, c in cursor.fetchall()]
    assert len(responses) == 20 and sorted(truth) == sorted(r["marker"] for r in responses)
    invitation_xmin = {row["id"]: row["xmin"] for row in rows}

    # xmin: one per batch, shared by its responses and its invitations, and
    # each batch holds at least MIN_CELL_SIZE of both.
    batches = {}
    for response in responses:
        batches.setdefault(response["xmin"], []).append(response)
    assert len(batches) == 4
    for xmin, members in batches.items():
        people = {row["id"] for row in rows if row["xmin"] == xmin}
        assert len(members) == len(people) >= 5
        assert {truth[r["marker"]] for r in members} == people
        assert {r["date"] for r in members} == {timezone.localdate()}
    assert all(invitation_xmin[truth[r["marker"]]] == r["xmin"] for r in responses)

    # Order: response ids and physical positions against invitation ids
    # (the order of submits here) and positions. Chance is one right pair
    # per batch, four in all; the ids of a batch never follow the submits.
    for key_r, key_i in (("id", "id"), ("ctid", "id"), ("ctid", "ctid"), ("id", "ctid")):
        assert _attack(responses, rows, key_r, key_i, truth) <= 8, (key_r, key_i)
    for members in batches.values():
        by_id = [r["marker"] for r in sorted(members, key=lambda r: r["id"])]
        assert by_id != sorted(by_id)
    # No time of day anywhere on a response.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT data_type FROM information_schema.columns "
            "WHERE table_name = 'monitoring_response'"
        )
        assert not any("time" in t for (t,) in cursor.fetchall())
