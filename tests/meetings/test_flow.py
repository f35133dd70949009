"""The meeting flow through the pages, as the people who take each step:
convene → propose and vote (htmx) → agenda → RSVP → attendance → minutes →
agreements → follow-up at the next meeting and on members' home panel."""

import datetime

import pytest
from django.utils import timezone

from networks.meetings import selectors as selectors
from networks.meetings import services as services
from networks.meetings.models import AgendaItem, AgendaProposal, Agreement, Meeting

from .conftest import convene, in_days, move_to_past

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def local(value):
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def test_the_whole_flow(
    meeting_world, login, client, mailoutbox, django_capture_on_commit_callbacks
):
    # 1. The supervisor convenes from the network's meetings.
    login(meeting_world.supervisor_a)
    form = {
        "network": "RME-07-901",
        "title": "Reunión de abril",
        "objective": "Lectura temprana",
        "starts_at": local(in_days(9)),
        "ends_at": local(in_days(9, 2)),
        "place": "Liceo Talca Dos",
        "host_school": meeting_world.a2.pk,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/meetings/new/?network=RME-07-901", form)
    meeting = Meeting.objects.get(title="Reunión de abril")
    assert response.status_code == 302 and response["Location"] == f"/meetings/{meeting.pk}/"
    assert (
        meeting.host_school == meeting_world.a2
        and meeting.convened_by == meeting_world.supervisor_a
    )
    assert len(mailoutbox) == 4
    page = client.get(response["Location"]).content.decode()
    assert "Reunión convocada." in page and "Liceo Talca Dos" in page

    # 2. Two members propose and vote, without reloading the page.
    login(meeting_world.director_a)
    response = client.post(
        f"/meetings/{meeting.pk}/proposals/",
        {"title": "Lectura en primer ciclo", "rationale": "Bajaron los resultados."},
        **HTMX,
    )
    assert response.status_code == 200
    fragment = response.content.decode()
    assert "<html" not in fragment and "Lectura en primer ciclo" in fragment
    assert 'hx-swap-oob="innerHTML"' in fragment and "propuesto" in fragment
    login(meeting_world.utp_a2)
    client.post(
        f"/meetings/{meeting.pk}/proposals/",
        {
            "title": "Convivencia",
            "rationale": "Conflictos en recreos.",
            "pme_dimension": "formacion_convivencia",
        },
        **HTMX,
    )
    top = AgendaProposal.objects.get(title="Lectura en primer ciclo")
    other = AgendaProposal.objects.get(title="Convivencia")
    for user in (meeting_world.director_a, meeting_world.utp_a2):
        login(user)
        response = client.post(f"/meetings/proposals/{top.pk}/vote/", **HTMX)
        assert "Votó · retirar" in response.content.decode()
    response = client.post(f"/meetings/proposals/{other.pk}/vote/", **HTMX)
    response = client.post(f"/meetings/proposals/{other.pk}/vote/", **HTMX)  # a second vote
    assert "Ya votó por esta propuesta." in response.content.decode()
    response = client.post(f"/meetings/proposals/{other.pk}/unvote/", **HTMX)
    assert "Retiró su voto" in response.content.decode()
    page = client.get(f"/meetings/{meeting.pk}/")
    assert [p.title for p in page.context["proposals"]] == [
        "Lectura en primer ciclo",
        "Convivencia",
    ]
    assert [p.n_votes for p in page.context["proposals"]] == [2, 0]

    # 3. The supervisor builds the agenda from the top proposal, plus one item.
    login(meeting_world.supervisor_a)
    response = client.post(
        f"/meetings/{meeting.pk}/agenda/from/{top.pk}/",
        {"duration_minutes": 40, "presenter": "Alicia Directora"},
        **HTMX,
    )
    assert response.status_code == 200 and "Propuesto por integrantes" in response.content.decode()
    client.post(
        f"/meetings/{meeting.pk}/agenda/",
        {"title": "Varios", "duration_minutes": 10, "presenter": ""},
        **HTMX,
    )
    items = list(AgendaItem.objects.filter(meeting=meeting).order_by("order"))
    assert [(i.title, i.proposal_id, i.duration_minutes) for i in items] == [
        ("Lectura en primer ciclo", top.pk, 40),
        ("Varios", None, 10),
    ]
    client.post(f"/meetings/agenda-items/{items[1].pk}/move/", {"direction": "up"}, **HTMX)
    assert list(meeting.agenda_items.values_list("title", flat=True)) == [
        "Varios",
        "Lectura en primer ciclo",
    ]
    client.post(f"/meetings/agenda-items/{items[1].pk}/remove/", **HTMX)
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "Propuesto por integrantes" in page and "Presenta: Alicia Directora" in page

    # 4. Members answer the RSVP.
    login(meeting_world.director_a)
    response = client.post(
        f"/meetings/{meeting.pk}/rsvp/", {"answer": "yes", "comment": "Llego 10 min tarde"}, **HTMX
    )
    assert "Respuesta guardada." in response.content.decode()
    assert "Llego 10 min tarde" in response.content.decode()
    login(meeting_world.utp_a2)
    client.post(f"/meetings/{meeting.pk}/rsvp/", {"answer": "no"}, **HTMX)

    # 5. On the day, the supervisor takes attendance from the phone page.
    move_to_past(meeting, days=0)
    login(meeting_world.supervisor_a)
    page = client.get(f"/meetings/{meeting.pk}/attendance/").content.decode()
    assert "Director/a" in page and "CESFAM Talca Oriente" in page
    response = client.post(
        f"/meetings/{meeting.pk}/attendance/",
        {
            "present": [
                meeting_world.director_a.pk,
                meeting_world.supervisor_a.pk,
                meeting_world.rep_a.pk,
            ],
            "partners": [meeting_world.partner.pk],
            "guests": "Carla Díaz, Universidad de Talca",
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == "held"
    page = client.get(f"/meetings/{meeting.pk}/")
    rows = {row["role"]: row for row in page.context["summary"]["rows"]}
    assert rows["director"]["present"] == 1 and rows["utp"]["present"] == 0
    assert rows["partner"]["present"] == 1 and rows["guest"]["present"] == 1

    # 6. Minutes, sanitized, then published; an agreement.
    response = client.post(
        f"/meetings/{meeting.pk}/minutes/",
        {
            "body": "## Acta\n\n<script>alert('x')</script>\n\n**Lectura** compartida.",
            "publish": "",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "<strong>Lectura</strong> compartida." in page
    assert "<script>alert" not in page and "alert('x')" not in page.split("<main")[1]
    response = client.post(
        f"/meetings/{meeting.pk}/agreements/",
        {
            "text": "Cada escuela comparte su plan de lectura",
            "responsible_user": meeting_world.director_a.pk,
            "due_on": (timezone.localdate() + datetime.timedelta(days=25)).isoformat(),
        },
    )
    assert response.status_code == 302
    agreement = Agreement.objects.get()

    # 7. The agreement is followed up at the next meeting and on home panels.
    next_meeting = convene(meeting_world, days=30, title="Reunión de mayo")
    login(meeting_world.utp_a2)
    page = client.get(f"/meetings/{next_meeting.pk}/").content.decode()
    assert "Seguimiento de acuerdos anteriores" in page
    assert "Cada escuela comparte su plan de lectura" in page
    panel = client.get("/meetings/panel/home/").content.decode()
    assert "Cada escuela comparte su plan de lectura" in panel and "Reunión de mayo" in panel

    # 8. Once done, it leaves both.
    login(meeting_world.director_a)
    client.post(f"/meetings/agreements/{agreement.pk}/", {"text": "Listo", "status": "done"})
    page = client.get(f"/meetings/{next_meeting.pk}/").content.decode()
    assert "Cada escuela comparte su plan de lectura" not in page
    assert not selectors.home_panel(meeting_world.utp_a2)["meetings_open_agreements"]


def test_bad_convening_shows_the_errors_and_creates_nothing(
    meeting_world, login, client, mailoutbox
):
    login(meeting_world.supervisor_a)
    response = client.post(
        "/meetings/new/?network=RME-07-901",
        {
            "network": "RME-07-901",
            "title": "Reunión",
            "starts_at": local(in_days(5)),
            "ends_at": local(in_days(4)),
            "place": "",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "La reunión debe terminar después de comenzar." in page
    assert "Indique el lugar o el enlace de la reunión en línea." in page
    assert not Meeting.objects.exists() and mailoutbox == []


def test_rescheduling_from_the_edit_page(
    meeting_world, meeting, login, client, mailoutbox, django_capture_on_commit_callbacks
):
    login(meeting_world.supervisor_a)
    page = client.get(f"/meetings/{meeting.pk}/edit/")
    # The form shows Santiago time.
    shown = page.context["form"]["starts_at"].value()
    assert shown == timezone.localtime(meeting.starts_at).replace(tzinfo=None)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/meetings/{meeting.pk}/edit/",
            {
                "title": meeting.title,
                "starts_at": local(in_days(11)),
                "ends_at": local(in_days(11, 2)),
                "place": meeting.place,
                "proposals_close_at": local(meeting.proposals_close_at),
            },
            follow=True,
        )
    assert "Reunión reprogramada." in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.sequence == 1 and len(mailoutbox) == 4


def test_a_cancelled_meeting_shows_why(meeting_world, meeting, login, client):
    services.cancel_meeting(by=meeting_world.supervisor_a, meeting=meeting, reason="Paro docente")
    page = login(meeting_world.director_a).get(f"/meetings/{meeting.pk}/").content.decode()
    assert "Esta reunión fue cancelada." in page and "Paro docente" in page
    assert "Guardar respuesta" not in page and "Proponer tema" not in page


def test_upload_errors_are_shown_on_the_minutes_page(meeting_world, held, login, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(meeting_world.supervisor_a)
    response = client.post(
        f"/meetings/{held.pk}/minutes/files/",
        {"file": SimpleUploadedFile("programa.exe", b"MZ", content_type="application/x-msdos")},
    )
    assert response.status_code == 400
    assert "no es de un tipo permitido" in response.content.decode()


def test_the_calendar_link_is_secret_and_revocable(meeting_world, meeting, login, client):
    login(meeting_world.director_a)
    response = client.post("/meetings/calendar/new/", follow=True)
    feed_url = response.context["feed_url"]
    assert feed_url.startswith("http://testserver/meetings/calendar/") and feed_url.endswith(".ics")
    # Shown once only.
    assert client.get("/meetings/calendar/").context["feed_url"] is None
    other = convene(meeting_world, days=20, title="Reunión cancelada")
    services.cancel_meeting(by=meeting_world.supervisor_a, meeting=other)
    client.logout()
    feed = client.get(feed_url)
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    import icalendar

    calendar = icalendar.Calendar.from_ical(feed.content)
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {"Reunión de marzo · Red Talca A", "Reunión cancelada · Red Talca A"}
    assert str(events["Reunión cancelada · Red Talca A"]["STATUS"]) == "CANCELLED"
    assert "METHOD" not in calendar
    # Another network's meeting is not in it.
    convene_b = Meeting.objects.create(
        network=meeting_world.network_b,
        title="Reunión de Santiago",
        starts_at=in_days(5),
        ends_at=in_days(5, 1),
        proposals_close_at=in_days(4),
        place="Sala",
    )
    assert convene_b.title.encode() not in client.get(feed_url).content
    # Revoked: the link stops working.
    login(meeting_world.director_a)
    client.post("/meetings/calendar/revoke/")
    client.logout()
    assert client.get(feed_url).status_code == 404
    assert client.get("/meetings/calendar/not-a-token.ics").status_code == 404


def test_a_new_calendar_link_replaces_the_old_one(meeting_world, login, client):
    login(meeting_world.director_a)
    first = client.post("/meetings/calendar/new/", follow=True).context["feed_url"]
    second = client.post("/meetings/calendar/new/", follow=True).context["feed_url"]
    client.logout()
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
