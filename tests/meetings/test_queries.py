"""The meeting list, the meeting page, the API lists and the panels run a
fixed number of queries however many meetings, proposals, votes, items,
people and agreements there are: each is measured at two sizes."""

import datetime

import pytest
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from networks.meetings import selectors as selectors
from networks.meetings import services as services
from networks.meetings.models import OPEN_AGREEMENT_STATUSES, AgreementNote
from networks.practices.models import PracticePresentation
from tests.factories import MembershipFactory, PositionFactory, PracticeFactory

from .conftest import convene, move_to_past

pytestmark = pytest.mark.django_db


def count(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return response, len(captured)


def grow(w, meeting, n):
    """n more members, each proposing and voting for every proposal, and n
    agreements of an earlier meeting with notes."""
    users = []
    for _i in range(n):
        user = PositionFactory(school=w.a3).user
        MembershipFactory(network=w.network_a, user=user, role="directivo", school=w.a3)
        users.append(user)
    services.invite_members(meeting=meeting)
    proposals = [
        services.propose_agenda_item(by=user, meeting=meeting, title="Tema", rationale="R")
        for user in users
    ]
    for proposal in proposals:
        for user in users:
            services.vote_for_proposal(by=user, proposal=proposal)
        services.add_agenda_item(
            by=w.supervisor_a, meeting=meeting, proposal=proposal, duration_minutes=5
        )
    for user in users:
        services.respond_rsvp(by=user, meeting=meeting, answer="yes")
    earlier = move_to_past(convene(w, days=1, title="Anterior"), days=30)
    for user in users:
        agreement = services.add_agreement(
            by=w.supervisor_a,
            meeting=earlier,
            text="Acuerdo",
            due_on=timezone.localdate() + datetime.timedelta(days=5),
            responsible_user=user,
        )
        AgreementNote.objects.create(agreement=agreement, text="Avance", author=user)
    return users


@pytest.mark.parametrize("role", ["supervisor_a", "director_a"])
def test_meeting_page_runs_constant_queries(meeting_world, login, role):
    meeting = convene(meeting_world)
    grow(meeting_world, meeting, 1)
    client = login(getattr(meeting_world, role))
    url = f"/meetings/{meeting.pk}/"
    small, small_count = count(client, url)
    grow(meeting_world, meeting, 6)
    large, large_count = count(client, url)
    assert len(large.context["proposals"]) == 7 and len(large.context["agenda"]) == 7
    assert len(large.context["follow_up"]) == 7
    assert small_count == large_count
    # 1 user (the session is signed), 2 the meeting with network, DEPROV,
    # region, host, convener and minutes, 3 "runs it?" (asked of the
    # database only for a supervisor: nobody else runs a network's
    # meetings, so a directivo's page has no such query), ("is a member?"
    # is asked only of an admin: anyone else sees a meeting only as a
    # member), 5 the user's own invitation (while the RSVP is open), 6 proposals with
    # votes, "voted?" and "on the agenda?", 7 agenda items with their
    # practice, 8 answers and presence by role (then read from the cache
    # until an answer changes them: the test below), 9 this meeting's
    # agreements and the open ones of earlier meetings, with their meeting,
    # responsible and last note (one query for both lists).
    assert large_count == (8 if role == "supervisor_a" else 7)


def test_meeting_list_runs_constant_queries(meeting_world, login):
    grow(meeting_world, convene(meeting_world), 1)
    client = login(meeting_world.director_a)
    small, small_count = count(client, "/meetings/")
    for i in range(8):
        meeting = convene(meeting_world, days=12 + i, title=f"Reunión {i}")
        if i < 2:
            grow(meeting_world, meeting, 2)
    large, large_count = count(client, "/meetings/")
    assert small.context["page"].paginator.count == 2  # and the earlier one
    assert large.context["page"].paginator.count == 12
    assert small_count == large_count
    # 1 user, 2 count, 3 the page of meetings with network, the user's
    # answer and head counts, 4 networks for the filter. (The networks the
    # user may convene in need no query for a directivo: only supervisors
    # and admins convene.)
    assert large_count == 4


def test_meetings_api_list_runs_constant_queries(meeting_world, login):
    convene(meeting_world)
    client = login(meeting_world.supervisor_a)
    small, small_count = count(client, "/api/v1/meetings/")
    for i in range(6):
        convene(meeting_world, days=12 + i, title=f"Reunión {i}")
    large, large_count = count(client, "/api/v1/meetings/")
    assert large.json()["count"] == 7
    # 1 user, 2 count, 3 the page with network, host, convener, the user's
    # answer and head counts.
    assert small_count == large_count == 3


def test_agreements_and_proposals_api_lists_run_constant_queries(meeting_world, login):
    meeting = convene(meeting_world)
    grow(meeting_world, meeting, 1)
    client = login(meeting_world.supervisor_a)
    _r, agreements_small = count(client, "/api/v1/agreements/")
    _r, proposals_small = count(client, "/api/v1/meeting-proposals/")
    grow(meeting_world, meeting, 5)
    large, agreements_large = count(client, "/api/v1/agreements/")
    assert large.json()["count"] == 6
    assert sum(len(a["notes"]) for a in large.json()["results"]) == 6
    large, proposals_large = count(client, "/api/v1/meeting-proposals/")
    assert large.json()["count"] == 6
    # 1 user, 2 count, 3 the page, 4 notes with authors (agreements only).
    assert agreements_small == agreements_large == 4
    assert proposals_small == proposals_large == 3


def test_home_panel_and_network_panel_run_constant_queries(meeting_world):
    def queries(call):
        with CaptureQueriesContext(connection) as captured:
            result = call()
        return result, len(captured)

    meeting = convene(meeting_world)
    grow(meeting_world, meeting, 1)
    _r, home_small = queries(lambda: selectors.home_panel(meeting_world.director_a))
    _r, panel_small = queries(
        lambda: selectors.network_panel(meeting_world.director_a, meeting_world.network_a)
    )
    grow(meeting_world, meeting, 4)
    for i in range(4):
        convene(meeting_world, days=20 + i)
    home, home_large = queries(lambda: selectors.home_panel(meeting_world.director_a))
    panel, panel_large = queries(
        lambda: selectors.network_panel(meeting_world.director_a, meeting_world.network_a)
    )
    assert len(home["meetings_upcoming"]) == 5 and len(home["meetings_open_agreements"]) == 5
    assert home_small == home_large == 2  # next meetings, open agreements
    assert panel_small == panel_large


def test_meeting_page_shows_its_agreements_apart_from_earlier_open_ones(meeting_world, login):
    """The two lists come from one query: each agreement still shows in its
    own section, and closed earlier ones in neither."""
    w = meeting_world
    due = timezone.localdate() + datetime.timedelta(days=5)
    earlier = move_to_past(convene(w, days=1, title="Anterior"), days=30)
    for text in ("Acuerdo anterior abierto", "Acuerdo anterior cerrado"):
        services.add_agreement(
            by=w.supervisor_a,
            meeting=earlier,
            text=text,
            due_on=due,
            responsible_user=w.director_a,
        )
    closed = earlier.agreements.get(text="Acuerdo anterior cerrado")
    services.follow_up_agreement(by=w.supervisor_a, agreement=closed, text="Listo", status="done")
    meeting = move_to_past(convene(w, days=2, title="Esta"), days=1)
    services.add_agreement(
        by=w.supervisor_a,
        meeting=meeting,
        text="Acuerdo de hoy",
        due_on=due,
        responsible_user=w.director_a,
    )
    response = login(w.director_a).get(f"/meetings/{meeting.pk}/")
    page = response.content.decode()
    follow_up = page[page.index('id="h-follow-up"') : page.index('id="h-proposals"')]
    this_meeting = page[page.index('id="h-agreements"') :]
    assert "Acuerdo anterior abierto" in follow_up and "Acuerdo de hoy" not in follow_up
    assert "Acuerdo de hoy" in this_meeting and "Acuerdo anterior abierto" not in this_meeting
    assert "Acuerdo anterior cerrado" not in page


def test_meeting_page_reads_the_attendance_summary_from_the_cache_until_an_answer(
    meeting_world, login
):
    w = meeting_world
    meeting = convene(w)
    client = login(w.director_a)
    url = f"/meetings/{meeting.pk}/"
    first, first_count = count(client, url)
    again, cached_count = count(client, url)
    # The answers and presence by role, counted once, are read from the cache.
    assert cached_count == first_count - 1
    assert again.context["summary"] == first.context["summary"]
    assert first.context["summary"]["totals"]["yes"] == 0
    # An answer in another network leaves this meeting's counts cached.
    other = convene(w, by=w.oscar, network=w.network_b)
    services.respond_rsvp(by=w.director_b, meeting=other, answer="yes")
    assert count(client, url)[1] == cached_count
    # An answer here shows at once.
    services.respond_rsvp(by=w.director_a, meeting=meeting, answer="yes")
    page, page_count = count(client, url)
    assert page_count == first_count
    assert page.context["summary"]["totals"]["yes"] == 1
    assert page.context["summary"]["totals"]["unanswered"] == (
        first.context["summary"]["totals"]["unanswered"] - 1
    )


@pytest.mark.parametrize("role", ["supervisor_a", "director_a"])
def test_the_meeting_pages_lists_read_as_sql_are_the_querysets(meeting_world, role):
    """The meeting page reads its proposals, agenda and agreements with SQL
    text; the querysets the other pages and the htmx fragments use give the
    same rows, values and order (proposals ranked by votes, an agenda item
    presenting a practice, agreements with a school responsible, notes)."""
    w = meeting_world
    meeting = convene(w)
    users = grow(w, meeting, 3)
    services.withdraw_vote(by=users[1], proposal=meeting.proposals.order_by("pk").first())
    item = meeting.agenda_items.order_by("order").first()
    PracticePresentation.objects.create(agenda_item=item, practice=PracticeFactory(school=w.a3))
    meeting = move_to_past(meeting, days=1)  # held: its own agreements can be written
    earlier = meeting.network.meetings.get(title="Anterior")
    services.add_agreement(
        by=w.supervisor_a,
        meeting=earlier,
        text="Acuerdo de un colegio",
        due_on=timezone.localdate() - datetime.timedelta(days=3),
        responsible_school=w.a3,
    )
    services.add_agreement(
        by=w.supervisor_a,
        meeting=meeting,
        text="Acuerdo de esta reunión",
        due_on=timezone.localdate() + datetime.timedelta(days=9),
        responsible_user=users[2],
    )
    user = getattr(w, role)

    def proposal(p):
        by = p.proposed_by.get_full_name() if p.proposed_by else None
        dimension = p.get_pme_dimension_display()
        return (p.pk, p.title, p.rationale, dimension, by, p.proposed_by_id, p.n_votes, p.voted)

    sql_proposals = selectors._page_proposals(meeting, user)
    assert [proposal(p) + (p.on_agenda,) for p in sql_proposals] == [
        proposal(p) + (p.on_agenda,) for p in selectors.ranked_proposals(meeting, user)
    ]
    assert [p.n_votes for p in sql_proposals] == [3, 3, 2]

    def agenda(i):
        link = getattr(i, "practice_link", None)
        practice = link.practice_id if link else None
        values = (i.title, i.description, i.duration_minutes, i.presenter, i.proposal_id)
        return (i.pk, *values, practice)

    def orm_agenda(i):
        try:
            return agenda(i)
        except ObjectDoesNotExist:
            return (
                i.pk,
                i.title,
                i.description,
                i.duration_minutes,
                i.presenter,
                i.proposal_id,
                None,
            )

    sql_agenda = [agenda(i) for i in selectors._page_agenda(meeting)]
    assert sql_agenda == [orm_agenda(i) for i in selectors.agenda_items(meeting)]
    assert sum(1 for row in sql_agenda if row[-1]) == 1

    def agreement(a):
        note = a.last_note
        return (
            a.pk,
            a.meeting_id,
            a.text,
            a.status,
            a.due_on,
            a.meeting.title,
            a.meeting.starts_at,
            a.responsible_label,
            (note.text, note.created_at) if note else None,
        )

    # The rule: this meeting's agreements, and the network's earlier ones
    # still open.
    earlier_open = Q(
        status__in=OPEN_AGREEMENT_STATUSES,
        meeting__network_id=meeting.network_id,
        meeting__starts_at__lt=meeting.starts_at,
    )
    orm = selectors._agreements().filter(Q(meeting=meeting) | earlier_open)
    sql_agreements = [agreement(a) for a in selectors._page_agreement_rows(meeting)]
    assert sql_agreements == [agreement(a) for a in orm.order_by("due_on", "pk")]
    labels = {row[7] for row in sql_agreements}
    assert "Colegio Talca Tres" in labels and users[2].get_full_name() in labels
    assert len(sql_agreements) == 5 and sum(1 for row in sql_agreements if row[-1]) == 3


@pytest.mark.parametrize("role", ["supervisor_a", "director_a", "admin"])
def test_the_meeting_lists_rows_read_as_sql_are_the_querysets(meeting_world, role):
    """The meetings page reads its rows with SQL text; meeting_list (the
    API's) gives the same meetings, order and values for every filter of
    the page's form."""
    w = meeting_world
    upcoming = convene(w)
    grow(w, upcoming, 2)
    held = move_to_past(convene(w, days=3, title="Realizada"), days=5)
    services.record_attendance(by=w.supervisor_a, meeting=held, present_user_ids=[w.director_a.pk])
    services.cancel_meeting(
        by=w.supervisor_a, meeting=convene(w, days=4, title="Cancelada"), reason="Paro"
    )
    user = getattr(w, role)
    now = timezone.now()
    cases = {
        (): {},
        (("period", "upcoming"),): {"ends_at__gte": now},
        (("period", "past"),): {"ends_at__lt": now},
        (("status", "cancelled"),): {"status": "cancelled"},
        (("status", "held"), ("period", "past")): {"status": "held", "ends_at__lt": now},
        (("network", w.network_a.code),): {"network__code": w.network_a.code},
        (("network", "NO-EXISTE"),): {"network__code": "NO-EXISTE"},
    }

    def values(m):
        row = (m.pk, m.title, m.starts_at, m.status, m.network.code, m.my_rsvp)
        return (*row, m.n_yes, m.n_present, m.n_proposals)

    seen = set()
    for form, lookups in cases.items():
        rows = selectors.MeetingListRows(user, now=now, **dict(form))
        orm = selectors.meeting_list(user).filter(**lookups)
        if dict(form).get("period") == "upcoming":
            orm = orm.order_by("starts_at", "pk")
        expected = [values(m) for m in orm]
        assert rows.count() == len(expected), form
        assert [values(m) for m in rows[0 : len(expected) + 5]] == expected, form
        assert [values(m) for m in rows[1:2]] == expected[1:2], form
        seen |= {row[3] for row in expected}
    assert {"convened", "cancelled", "held"} <= seen
