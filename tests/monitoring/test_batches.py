"""Responses are written in batches: a submit only marks the draft (keyed by
its invitation) submitted; once enough wait in a cell (campaign, network,
role, dependency: what a response records), one transaction turns a batch
of at least MIN_CELL_SIZE of that cell into anonymous responses in shuffled
order, marks their invitations answered and deletes their drafts. Nothing in
the database then links a response to its invitation more finely than its
cell's batch: not PostgreSQL's transaction ids, row positions or id order,
nor a time of day."""

import random
import threading

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
def crowd(monitoring_world):
    """An open campaign for one network of 20 schools, a director in each:
    their invitations in id order (the order they will submit in)."""
    network = NetworkFactory(code="RME-07-950", name="Red Talca Grande", deprov_id=72)
    for i in range(20):
        school = school_in(7101, name=f"Escuela Grande {i:02d}", dependency=2)
        NetworkSchoolFactory(network=network, school=school)
        PositionFactory(school=school, user__email=f"director{i:02d}@grande.cl")
    campaign = CampaignFactory(slug="rme-lotes", target="networks")
    campaign.target_networks.set([network])
    services.open_campaign(by=monitoring_world.admin, campaign=campaign, send=False)
    campaign.refresh_from_db()
    invitations = list(Invitation.objects.filter(campaign=campaign).order_by("pk"))
    assert len(invitations) == 20
    return campaign, invitations


def build_national(monitoring_world, layout, slug="rme-nacional"):
    """An open campaign over several networks: `layout` lists (network code,
    deprov, comuna, school dependency code, number of schools), each school
    with a director and a head of UTP. Returns the campaign and its
    invitations in id order."""
    networks = {}
    for code, deprov, cut, dependency, count in layout:
        if code not in networks:
            networks[code] = NetworkFactory(code=code, name=f"Red {code}", deprov_id=deprov)
        for i in range(count):
            school = school_in(
                cut, name=f"Escuela {code} {dependency} {i:02d}", dependency=dependency
            )
            NetworkSchoolFactory(network=networks[code], school=school)
            PositionFactory(school=school)
            PositionFactory(school=school, user__role="utp")
    campaign = CampaignFactory(slug=slug, target="networks")
    campaign.target_networks.set(networks.values())
    services.open_campaign(by=monitoring_world.admin, campaign=campaign, send=False)
    campaign.refresh_from_db()
    invitations = list(
        Invitation.objects.filter(campaign=campaign).select_related("school").order_by("pk")
    )
    return campaign, invitations


def cell_of(invitation):
    return (
        invitation.network_id,
        invitation.role,
        services.DEPENDENCY_OF_SCHOOL.get(invitation.school.dependency, ""),
    )


def submit(invitation, marker):
    services.submit_response(invitation=invitation, answers=full_answers() | {MARKER: marker})


def participation(monitoring_world, campaign):
    return response_rates(monitoring_world.admin, campaign)["total"]["answered"]


@pytest.mark.django_db
def test_submits_wait_in_their_drafts_until_a_batch_is_due(
    monitoring_world, crowd, settings, client
):
    settings.MIN_CELL_SIZE = 3
    campaign, invitations = crowd
    for i, invitation in enumerate(invitations[:5]):
        submit(invitation, i)
    # 5 wait (fewer than 2 × 3): nothing written, yet each has taken part.
    assert not Response.objects.exists()
    assert Draft.objects.filter(submitted=True).count() == 5
    assert not Invitation.objects.filter(answered=True).exists()
    assert participation(monitoring_world, campaign) == 5
    link = client.get(f"/monitoring/respond/{invitations[0].token}/")
    assert "Esta encuesta ya fue respondida" in link.content.decode()

    submit(invitations[5], 5)  # 6 wait: all but 3 move, in one batch
    assert Response.objects.count() == 3
    assert Invitation.objects.filter(answered=True).count() == 3
    assert Draft.objects.filter(submitted=True).count() == 3
    assert participation(monitoring_world, campaign) == 6
    assert set(Response.objects.values_list("submitted_on", flat=True)) == {timezone.localdate()}

    # An unsubmitted draft is discarded at close; the held ones are stored.
    services.save_draft(invitation=invitations[6], answers={"RME_META_COMUN": "2"})
    services.close_campaign(by=monitoring_world.admin, campaign=campaign)
    assert Response.objects.count() == 6
    assert not Draft.objects.exists()
    assert Invitation.objects.filter(answered=True).count() == 6
    markers = sorted(Answer.objects.filter(question__code=MARKER).values_list("value", flat=True))
    assert markers == [0, 1, 2, 3, 4, 5]
    assert participation(monitoring_world, campaign) == 6


@pytest.mark.django_db
def test_held_answers_are_not_reminded_nor_offered_again(monitoring_world, crowd, settings):
    settings.MIN_CELL_SIZE = 3
    campaign, invitations = crowd
    Invitation.objects.filter(campaign=campaign).update(sent_at=timezone.now())
    submit(invitations[0], 0)
    pending = set(Invitation.objects.pending().values_list("pk", flat=True))
    assert invitations[0].pk not in pending and invitations[1].pk in pending
    reminded = services.send_reminders(campaign=campaign)
    assert reminded == 19


@pytest.mark.django_db
def test_a_batch_is_drawn_from_one_cell_only(monitoring_world, settings):
    """Six people wait in the campaign (2 × 3) but no more than five in any
    one network × role × dependency: nothing moves, since a batch mixing
    cells would leave each response alone with its invitation within its
    cell. The sixth director of the municipal schools of network 1 moves
    three of that cell, and only of it; the close moves every cell's rest,
    the cell of two alone as it is (it cannot be hidden in fewer than its
    own size)."""
    settings.MIN_CELL_SIZE = 3
    campaign, invitations = build_national(
        monitoring_world,
        [
            ("RME-07-961", 72, 7101, 2, 7),  # municipal: 7 directors, 7 UTP
            ("RME-07-961", 72, 7101, 6, 2),  # SLEP: 2 and 2
            ("RME-07-962", 71, 7301, 2, 4),
        ],
    )
    cells = {}
    for invitation in invitations:
        cells.setdefault(cell_of(invitation), []).append(invitation)
    n1 = Invitation.objects.filter(campaign=campaign).order_by("network_id")[0].network_id
    big = cells[(n1, "director", "municipal")]
    n1_utp = cells[(n1, "utp", "municipal")]
    slep = cells[(n1, "director", "slep")]
    other = next(c for key, c in cells.items() if key[0] != n1 and key[1] == "director")
    marker = iter(range(1000))
    for invitation in big[:5] + n1_utp[:5] + slep + other[:4]:
        submit(invitation, next(marker))
    assert services.submitted_waiting(campaign) == 16
    assert not Response.objects.exists()  # a campaign-wide batch would have moved

    submit(big[5], next(marker))  # 6 in the cell: all but 3 move
    assert Response.objects.count() == 3
    assert set(Response.objects.values_list("network_id", "role", "dependency")) == {
        (n1, "director", "municipal")
    }
    answered = set(Invitation.objects.filter(answered=True).values_list("pk", flat=True))
    assert len(answered) == 3 and answered <= {i.pk for i in big[:6]}

    services.close_campaign(by=monitoring_world.admin, campaign=campaign)
    stored = {}
    for key in Response.objects.values_list("network_id", "role", "dependency"):
        stored[key] = stored.get(key, 0) + 1
    assert stored == {
        (n1, "director", "municipal"): 6,
        (n1, "utp", "municipal"): 5,
        (n1, "director", "slep"): 2,
        cell_of(other[0]): 4,
    }
    assert not Draft.objects.exists()
    assert Answer.objects.filter(question__code=MARKER).count() == 17


@pytest.mark.django_db
def test_a_move_that_dies_midway_loses_nothing(monitoring_world, crowd, settings, monkeypatch):
    settings.MIN_CELL_SIZE = 3
    campaign, invitations = crowd
    real_write_answers = services._write_answers

    def killed(*args, **kwargs):
        raise DatabaseError("the worker died here")

    # The answers are written after the batch's responses.
    monkeypatch.setattr(services, "_write_answers", killed)
    for i, invitation in enumerate(invitations[:6]):
        submit(invitation, i)  # the sixth submit's move fails after its responses
    # The move rolled back whole: no response, every answer still held.
    assert not Response.objects.exists()
    assert Draft.objects.filter(submitted=True).count() == 6
    assert not Invitation.objects.filter(answered=True).exists()
    assert participation(monitoring_world, campaign) == 6

    monkeypatch.setattr(services, "_write_answers", real_write_answers)
    assert tasks.move_submitted_responses() == 3  # the periodic sweep
    assert Response.objects.count() == 3 and Answer.objects.filter(question__code=MARKER).count()
    entry = settings.CELERY_BEAT_SCHEDULE["monitoring-move-submitted-responses"]
    assert entry["task"] == tasks.move_submitted_responses.name


def _ctid(text):
    block, row = text.strip("()").split(",")
    return int(block), int(row)


def _attack(groups, key_r, key_i, truth):
    """Pair each group's responses sorted by `key_r` with its invitations
    sorted by `key_i`; count the pairs that are right."""
    hits = 0
    for responses, invitations in groups:
        for response, invitation in zip(
            sorted(responses, key=lambda r: r[key_r]),
            sorted(invitations, key=lambda i: i[key_i]),
            strict=True,
        ):
            hits += truth[response["marker"]] == invitation["id"]
    return hits


# Networks × roles × dependencies of a national campaign, MIN_CELL_SIZE 5:
# cells of 11 and 10 (a batch during the campaign, the rest at close), of 6
# and 7 (one batch at close) and of 3 (fewer than 5 in all: one batch of 3).
NATIONAL = [
    ("RME-07-971", 72, 7101, 2, 11),
    ("RME-07-971", 72, 7101, 6, 6),
    ("RME-07-972", 71, 7301, 2, 10),
    ("RME-07-972", 71, 7301, 6, 3),
    ("RME-13-971", 131, 13101, 3, 7),
]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_nothing_in_postgresql_links_a_response_to_its_invitation(
    monitoring_world, settings, monkeypatch
):
    """74 directors and heads of UTP of three networks and three kinds of
    school submit, interleaved, through the real service; the close moves
    the rest. Whatever an attacker with the database tries — transaction ids
    (xmin) together with what a response records (network, role,
    dependency), physical positions (ctid), id order, dates — no response is
    matched to its invitation better than chance within its cell's batch,
    and every such batch holds at least MIN_CELL_SIZE, but for the cell
    that has fewer in all."""
    settings.MIN_CELL_SIZE = 5
    monkeypatch.setattr(services, "BATCH_RANDOM", random.Random(20251204))
    campaign, invitations = build_national(monitoring_world, NATIONAL)
    assert len(invitations) == 74
    order = list(invitations)
    random.Random(14).shuffle(order)
    truth = {}
    for marker, invitation in enumerate(order):
        submit(invitation, marker)
        truth[marker] = invitation.pk
    moved_before_close = Response.objects.count()
    services.close_campaign(by=monitoring_world.admin, campaign=campaign)

    dependency_of = dict(services.DEPENDENCY_OF_SCHOOL)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.id, r.xmin::text::bigint, r.ctid::text, r.submitted_on, a.value, "
            "r.network_id, r.role, r.dependency "
            "FROM monitoring_response r JOIN monitoring_answer a ON a.response_id = r.id "
            "JOIN monitoring_question q ON q.id = a.question_id "
            "WHERE r.campaign_id = %s AND q.code = %s",
            [campaign.pk, MARKER],
        )
        responses = [
            {"id": i, "ctid": _ctid(c), "date": d, "marker": m, "key": (x, net, role, dep)}
            for i, x, c, d, m, net, role, dep in cursor.fetchall()
        ]
        cursor.execute(
            "SELECT i.id, i.xmin::text::bigint, i.ctid::text, i.network_id, i.role, s.dependency "
            "FROM monitoring_invitation i LEFT JOIN schools_school s "
            "ON s.rbd = i.school_id WHERE i.campaign_id = %s",
            [campaign.pk],
        )
        rows = [
            {"id": i, "ctid": _ctid(c), "key": (x, net, role, dependency_of.get(dep, ""))}
            for i, x, c, net, role, dep in cursor.fetchall()
        ]
    assert len(responses) == 74 and sorted(truth) == sorted(r["marker"] for r in responses)
    assert 0 < moved_before_close < 74  # batches during the campaign, and at close

    # Each (xmin, network, role, dependency) group of responses is exactly
    # the invitations with the same: at least 5 of each, but for the cells
    # of 3 (the close's batch of all they had).
    groups = {}
    for response in responses:
        groups.setdefault(response["key"], ([], []))[0].append(response)
    for row in rows:
        assert row["key"] in groups, "an invitation marked answered apart from its responses"
        groups[row["key"]][1].append(row)
    assert len(groups) > len(NATIONAL) * 2  # cells that moved twice
    for key, (members, people) in groups.items():
        assert {truth[r["marker"]] for r in members} == {p["id"] for p in people}
        assert {r["date"] for r in members} == {timezone.localdate()}
        whole_cell = [row for row in rows if row["key"][1:] == key[1:]]
        if len(whole_cell) >= 5:
            assert len(members) >= 5, key
        else:
            assert len(members) == len(whole_cell) == 3, key

    # Order within each group: response ids and physical positions against
    # invitation ids and positions. Chance is one right pair per group; the
    # ids of a group of five or more never follow the submits.
    for key_r, key_i in (("id", "id"), ("ctid", "id"), ("ctid", "ctid"), ("id", "ctid")):
        assert _attack(groups.values(), key_r, key_i, truth) <= 2 * len(groups), (key_r, key_i)
    for members, _people in groups.values():
        if len(members) >= 5:
            by_id = [r["marker"] for r in sorted(members, key=lambda r: r["id"])]
            assert by_id != sorted(by_id)
    # No time of day anywhere on a response.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT data_type FROM information_schema.columns "
            "WHERE table_name = 'monitoring_response'"
        )
        assert not any("time" in t for (t,) in cursor.fetchall())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_submits_do_not_wait_for_a_batch_being_moved(
    monitoring_world, crowd, settings, monkeypatch
):
    """In a burst a submit completes a batch every few submits and moves it
    in its request. While one move is still writing its batch, the other
    respondents' submits go through, and so does a second move of the same
    cell (it takes only the drafts the first one does not hold); in the end
    every answer is stored exactly once."""
    settings.MIN_CELL_SIZE = 3
    campaign, invitations = crowd
    for i, invitation in enumerate(invitations[:5]):
        submit(invitation, i)
    assert not Response.objects.exists()  # 5 wait, a move needs 2n = 6

    writing, release = threading.Event(), threading.Event()
    real_write_answers = services._write_answers

    def stalled(rows):
        writing.set()
        assert release.wait(60)
        real_write_answers(rows)

    def sixth():
        try:
            submit(invitations[5], 5)  # completes the cell: its move stalls
        finally:
            connection.close()

    monkeypatch.setattr(services, "_write_answers", stalled)
    mover = threading.Thread(target=sixth)
    mover.start()
    try:
        assert writing.wait(60)
        monkeypatch.setattr(services, "_write_answers", real_write_answers)
        with connection.cursor() as cursor:
            # A submit that waited for the stalled move would fail here.
            cursor.execute("SET lock_timeout = '5s'")
        for i, invitation in enumerate(invitations[6:12], start=6):
            submit(invitation, i)
        # The sixth submit's move still holds its batch; the twelfth moved
        # 3 of the 6 drafts the first move does not hold.
        assert mover.is_alive()
        assert Response.objects.filter(campaign=campaign).count() == 3
    finally:
        release.set()
        mover.join(60)
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    assert Response.objects.filter(campaign=campaign).count() == 6
    assert Draft.objects.filter(submitted=True).count() == 6
    services.close_campaign(by=monitoring_world.admin, campaign=campaign)
    markers = Answer.objects.filter(question__code=MARKER).values_list("value", flat=True)
    assert sorted(markers) == list(range(12))
    assert Invitation.objects.filter(campaign=campaign, answered=True).count() == 12


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_opening_a_campaign_refreshes_the_invitations_statistics(monitoring_world):
    """A campaign's invitations arrive thousands at once, and the first
    minutes after its opening are when most people answer: PostgreSQL's
    statistics of the invitations table are refreshed as soon as they are
    in, not when autovacuum gets to them, so that the planner reads a
    submit's cell through the (campaign, network, answered) index."""

    def last_analyze():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT analyze_count FROM pg_stat_user_tables "
                "WHERE relname = 'monitoring_invitation'"
            )
            return cursor.fetchone()[0]

    network = NetworkFactory(code="RME-07-951", deprov_id=72)
    for i in range(3):
        school = school_in(7101, name=f"Escuela Estadística {i}", dependency=2)
        NetworkSchoolFactory(network=network, school=school)
        PositionFactory(school=school)
    campaign = CampaignFactory(slug="rme-estadisticas", target="networks")
    campaign.target_networks.set([network])
    before = last_analyze()
    services.open_campaign(by=monitoring_world.admin, campaign=campaign, send=False)
    assert Invitation.objects.filter(campaign=campaign).count() == 3
    assert last_analyze() == before + 1


@pytest.mark.django_db
def test_a_close_stores_every_cell_whole_in_statements_of_limited_size(
    monitoring_world, settings, monkeypatch
):
    """A close's move may hold thousands of answers: it writes them a few
    rows to a statement (here 2, instead of 1,000) and still gives each
    response the answers and the cell of the person who sent them."""
    settings.MIN_CELL_SIZE = 3
    monkeypatch.setattr(services, "_CHUNK", 2)
    campaign, invitations = build_national(
        monitoring_world,
        [
            ("RME-07-963", 72, 7101, 2, 3),  # municipal: 3 directors, 3 UTP
            ("RME-07-963", 72, 7101, 6, 2),  # SLEP: 2 and 2
            ("RME-13-964", 131, 13101, 3, 2),  # another region
        ],
    )
    expected = {}
    for marker, invitation in enumerate(invitations):
        submit(invitation, marker)
        expected[marker] = (*cell_of(invitation), invitation.network.deprov.region_id)
    assert not Response.objects.exists()  # no cell reached 2 × 3

    services.close_campaign(by=monitoring_world.admin, campaign=campaign)
    stored = {
        value: (network, role, dependency, region)
        for value, network, role, dependency, region in Answer.objects.filter(
            question__code=MARKER
        ).values_list(
            "value",
            "response__network_id",
            "response__role",
            "response__dependency",
            "response__region_id",
        )
    }
    assert stored == expected
    answers = Answer.objects.filter(response__campaign=campaign)
    assert (
        answers.count()
        == len(invitations) * answers.filter(response_id=answers[0].response_id).count()
    )
    assert not Draft.objects.exists()
    assert Invitation.objects.filter(campaign=campaign, answered=True).count() == len(invitations)
