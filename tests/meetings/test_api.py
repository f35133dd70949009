"""/api/v1/ for meetings: scoped and checked like the pages, writing through
the same services (so the same messages and the same emails)."""

import datetime

import pytest
from django.utils import timezone

from networks.meetings import services as services
from networks.meetings.models import AgendaProposal, Agreement, Meeting, ProposalVote

from .conftest import MEMBERS, ROLES, RUNNERS, SEERS, convene, in_days, move_to_past

pytestmark = pytest.mark.django_db


def api(login, user):
    return login(user)


@pytest.mark.parametrize("role", ROLES)
def test_meeting_list_is_scoped(meeting_world, meeting, login, role):
    body = api(login, getattr(meeting_world, role)).get("/api/v1/meetings/").json()
    ids = [m["id"] for m in body["results"]]
    assert (meeting.pk in ids) == (role in SEERS)


def test_meeting_list_filters(meeting_world, login):
    first = convene(meeting_world, days=5, title="Cinco")
    second = convene(meeting_world, days=15, title="Quince")
    services.cancel_meeting(by=meeting_world.supervisor_a, meeting=second)
    other = Meeting.objects.create(
        network=meeting_world.network_b,
        title="Santiago",
        starts_at=in_days(6),
        ends_at=in_days(6, 1),
        proposals_close_at=in_days(5),
        place="Sala",
    )
    client = login(meeting_world.admin)

    def titles(query):
        return sorted(
            m["title"] for m in client.get(f"/api/v1/meetings/?{query}").json()["results"]
        )

    assert titles("network=RME-07-901") == ["Cinco", "Quince"]
    assert titles("status=cancelled") == ["Quince"]
    day = timezone.localdate(first.starts_at).isoformat()
    assert titles(f"starts_after={day}&starts_before={day}") == ["Cinco"]
    later = timezone.localdate(other.starts_at).isoformat()
    assert titles(f"starts_after={later}") == ["Quince", "Santiago"]
    detail = client.get(f"/api/v1/meetings/{first.pk}/").json()
    assert detail["network"] == "RME-07-901" and detail["status"] == "convened"
    assert detail["convened_by"] == meeting_world.supervisor_a.get_full_name()


def convene_body(**changes):
    return {
        "network": "RME-07-901",
        "title": "Reunión por API",
        "starts_at": in_days(8).isoformat(),
        "ends_at": in_days(8, 2).isoformat(),
        "online_url": "https://meet.example/rme",
        **changes,
    }


@pytest.mark.parametrize(
    ("role", "status"),
    [
        pytest.param(role, 201 if role in RUNNERS else (403 if role in SEERS else 404), id=role)
        for role in ROLES
    ],
)
def test_convening_by_api(
    meeting_world, login, role, status, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(login, getattr(meeting_world, role)).post(
            "/api/v1/meetings/", convene_body(), content_type="application/json"
        )
    assert response.status_code == status
    assert Meeting.objects.filter(title="Reunión por API").exists() == (status == 201)
    assert len(mailoutbox) == (4 if status == 201 else 0)


def test_bad_meetings_are_refused_with_the_service_messages(meeting_world, login):
    client = login(meeting_world.supervisor_a)
    response = client.post(
        "/api/v1/meetings/",
        convene_body(ends_at=in_days(7).isoformat()),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["ends_at"] == ["La reunión debe terminar después de comenzar."]
    response = client.post(
        "/api/v1/meetings/",
        convene_body(starts_at=in_days(-1).isoformat(), ends_at=in_days(-1, 1).isoformat()),
        content_type="application/json",
    )
    assert response.json()["starts_at"] == ["La reunión no puede comenzar en el pasado."]
    assert not Meeting.objects.exists()


def test_rescheduling_and_cancelling_by_api(meeting_world, meeting, login):
    client = login(meeting_world.supervisor_a)
    response = client.patch(
        f"/api/v1/meetings/{meeting.pk}/",
        {"starts_at": in_days(12).isoformat(), "ends_at": in_days(12, 2).isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["sequence"] == 1
    response = client.post(
        f"/api/v1/meetings/{meeting.pk}/cancel/",
        {"reason": "Lluvia"},
        content_type="application/json",
    )
    assert response.json()["status"] == "cancelled" and response.json()["sequence"] == 2
    response = client.post(
        f"/api/v1/meetings/{meeting.pk}/cancel/", {}, content_type="application/json"
    )
    assert response.status_code == 400
    member = login(meeting_world.director_a)
    response = member.patch(
        f"/api/v1/meetings/{meeting.pk}/", {"title": "Mía"}, content_type="application/json"
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("role", "status"),
    [
        pytest.param(role, 200 if role in MEMBERS else (400 if role in SEERS else 404), id=role)
        for role in ROLES
    ],
)
def test_rsvp_by_api(meeting_world, meeting, login, role, status):
    response = api(login, getattr(meeting_world, role)).post(
        f"/api/v1/meetings/{meeting.pk}/rsvp/",
        {"answer": "maybe", "comment": "Depende del consejo"},
        content_type="application/json",
    )
    assert response.status_code == status
    if status == 200:
        assert response.json()["rsvp"] == "maybe"
    elif status == 400:
        assert response.json()["user"] == [
            "Solo los integrantes de la red responden la convocatoria."
        ]


def test_proposals_and_votes_by_api(meeting_world, meeting, login):
    client = login(meeting_world.director_a)
    response = client.post(
        "/api/v1/meeting-proposals/",
        {
            "meeting": meeting.pk,
            "title": "Lectura",
            "rationale": "Bajó",
            "pme_dimension": "liderazgo",
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    proposal_id = response.json()["id"]
    response = client.post(f"/api/v1/meeting-proposals/{proposal_id}/vote/")
    assert response.status_code == 201 and response.json()["n_votes"] == 1
    assert response.json()["voted"] is True
    response = client.post(f"/api/v1/meeting-proposals/{proposal_id}/vote/")
    assert response.status_code == 400
    assert response.json()["proposal"] == ["Ya votó por esta propuesta."]
    assert client.delete(f"/api/v1/meeting-proposals/{proposal_id}/vote/").status_code == 204
    assert not ProposalVote.objects.exists()
    listed = client.get(f"/api/v1/meeting-proposals/?meeting={meeting.pk}").json()
    assert [p["title"] for p in listed["results"]] == ["Lectura"]
    # A non-member who sees the meeting gets the service's message; an
    # outsider (a supervisor of the DEPROV not assigned to the network too)
    # does not even see the proposal.
    response = login(meeting_world.admin).post(f"/api/v1/meeting-proposals/{proposal_id}/vote/")
    assert response.status_code == 400
    assert response.json()["user"] == ["Solo los integrantes de la red pueden votar."]
    response = login(meeting_world.supervisor_deprov).post(
        f"/api/v1/meeting-proposals/{proposal_id}/vote/"
    )
    assert response.status_code == 404
    response = login(meeting_world.director_b).post(
        f"/api/v1/meeting-proposals/{proposal_id}/vote/"
    )
    assert response.status_code == 404
    response = login(meeting_world.director_b).post(
        "/api/v1/meeting-proposals/",
        {"meeting": meeting.pk, "title": "Intruso", "rationale": "x"},
        content_type="application/json",
    )
    assert response.status_code == 404
    # The author withdraws it.
    response = login(meeting_world.director_a).delete(f"/api/v1/meeting-proposals/{proposal_id}/")
    assert response.status_code == 204 and not AgendaProposal.objects.exists()


def test_agenda_by_api(meeting_world, meeting, login):
    proposal = services.propose_agenda_item(
        by=meeting_world.director_a, meeting=meeting, title="Lectura", rationale="Bajó"
    )
    client = login(meeting_world.supervisor_a)
    response = client.post(
        f"/api/v1/meetings/{meeting.pk}/agenda/",
        {"proposal": proposal.pk, "duration_minutes": 30},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["proposal"] == proposal.pk
    response = client.post(
        f"/api/v1/meetings/{meeting.pk}/agenda/",
        {"title": "Varios", "duration_minutes": 10},
        content_type="application/json",
    )
    assert response.status_code == 201
    agenda = login(meeting_world.utp_a2).get(f"/api/v1/meetings/{meeting.pk}/agenda/").json()
    assert [(i["order"], i["title"]) for i in agenda] == [(1, "Lectura"), (2, "Varios")]
    response = login(meeting_world.utp_a2).post(
        f"/api/v1/meetings/{meeting.pk}/agenda/",
        {"title": "Mío", "duration_minutes": 10},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_attendance_and_agreements_by_api(meeting_world, login):
    meeting = move_to_past(convene(meeting_world))
    member = login(meeting_world.director_a)
    assert member.get(f"/api/v1/meetings/{meeting.pk}/attendance/").status_code == 403
    client = login(meeting_world.supervisor_a)
    response = client.put(
        f"/api/v1/meetings/{meeting.pk}/attendance/",
        {
            "present_user_ids": [meeting_world.director_a.pk],
            "partner_ids": [meeting_world.partner.pk],
            "guests": ["Carla Díaz"],
        },
        content_type="application/json",
    )
    assert response.status_code == 200
    present = {(r["role"], r["name"]) for r in response.json() if r["attended"]}
    assert present == {
        ("director", meeting_world.director_a.get_full_name()),
        ("partner", "CESFAM Talca Oriente"),
        ("guest", "Carla Díaz"),
    }
    due = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    response = client.post(
        "/api/v1/agreements/",
        {
            "meeting": meeting.pk,
            "text": "Compartir el plan",
            "due_on": due,
            "responsible_school": meeting_world.a1.pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    agreement_id = response.json()["id"]
    assert response.json()["responsible"] == "Escuela Talca Uno"
    response = client.post(
        "/api/v1/agreements/",
        {"meeting": meeting.pk, "text": "Sin responsable", "due_on": due},
        content_type="application/json",
    )
    assert response.status_code == 400 and "responsible_user" in response.json()
    response = login(meeting_world.director_a).post(
        f"/api/v1/agreements/{agreement_id}/notes/",
        {"text": "Hecho", "status": "done"},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["status"] == "done"
    assert response.json()["notes"][0]["text"] == "Hecho"
    assert Agreement.objects.get().closed_on == timezone.localdate()
    listed = (
        login(meeting_world.utp_a2).get("/api/v1/agreements/?status=done&network=RME-07-901").json()
    )
    assert [a["id"] for a in listed["results"]] == [agreement_id]
    assert (
        login(meeting_world.director_b).get(f"/api/v1/agreements/{agreement_id}/").status_code
        == 404
    )


def test_agreement_responsible_errors_do_not_tell_who_exists(meeting_world, login):
    """An id of someone outside the network and an id of no one get the
    same answer, which names nobody (issue 14)."""
    meeting = move_to_past(convene(meeting_world))
    client = login(meeting_world.supervisor_a)
    due = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()

    def post(user_id):
        return client.post(
            "/api/v1/agreements/",
            {"meeting": meeting.pk, "text": "X", "due_on": due, "responsible_user_id": user_id},
            content_type="application/json",
        )

    outside, missing = post(meeting_world.director_b.pk), post(999_999)
    assert outside.status_code == missing.status_code == 400
    assert outside.json() == missing.json()
    assert meeting_world.director_b.get_full_name() not in outside.content.decode()
    assert meeting_world.director_b.email not in outside.content.decode()
    assert not Agreement.objects.exists()
