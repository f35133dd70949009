"""The access matrix of meetings, page by page: who runs a network's meetings
(its supervisors and admins) gets every page; active members get the meeting
and take part; everyone else gets 404, like for a missing meeting. Visible
but not allowed answers 403, and a denied write changes nothing."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from networks import services as network_services
from networks.meetings import permissions as perms
from networks.meetings import selectors as selectors
from networks.meetings import services as services
from networks.meetings.models import AgendaProposal, ProposalVote
from tests.helpers import pdf_bytes

from .conftest import MEMBERS, ROLES, RUNNERS, SEERS

pytestmark = pytest.mark.django_db


def by_role(expected):
    return [pytest.param(role, expected(role), id=role) for role in ROLES]


def see(role):
    return 200 if role in SEERS else 404


def run(role):
    if role in RUNNERS:
        return 200
    return 403 if role in SEERS else 404


@pytest.mark.parametrize(("role", "status"), by_role(see))
def test_meeting_page(meeting_world, meeting, login, role, status):
    response = login(getattr(meeting_world, role)).get(f"/meetings/{meeting.pk}/")
    assert response.status_code == status
    page = response.content.decode()
    if status == 200:
        assert "Reunión de marzo" in page and "Escuela Talca Uno, sala de profesores" in page
        assert ("Armar la tabla" in page) == (role in RUNNERS)
        assert ("Proponer tema" in page) == (role in MEMBERS)
        assert ("Guardar respuesta" in page) == (role in MEMBERS)
    else:
        assert "Reunión de marzo" not in page


def test_a_hidden_meeting_answers_like_a_missing_one(meeting_world, meeting, login):
    client = login(meeting_world.director_b)
    hidden, missing = client.get(f"/meetings/{meeting.pk}/"), client.get("/meetings/999999/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.templates[0].name == missing.templates[0].name


def test_anonymous_visitors_are_sent_to_sign_in(client, meeting_world, meeting):
    for url in (f"/meetings/{meeting.pk}/", "/meetings/", "/meetings/calendar/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(("role", "shown"), by_role(lambda role: role in SEERS))
def test_meeting_list_shows_only_the_meetings_of_ones_networks(
    meeting_world, meeting, login, role, shown
):
    response = login(getattr(meeting_world, role)).get("/meetings/")
    assert response.status_code == 200
    assert (meeting.pk in {row.pk for row in response.context["page"].object_list}) == shown


@pytest.mark.parametrize(("role", "status"), by_role(see))
def test_meeting_ics(meeting_world, meeting, login, role, status):
    response = login(getattr(meeting_world, role)).get(f"/meetings/{meeting.pk}/meeting.ics")
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"].startswith("text/calendar")
        assert b"METHOD:PUBLISH" in response.content
        assert f"UID:{meeting.uid}@rme.mineduc.cl".encode() in response.content


@pytest.mark.parametrize(("role", "status"), by_role(run))
def test_convene_page(meeting_world, login, role, status):
    response = login(getattr(meeting_world, role)).get("/meetings/new/?network=RME-07-901")
    assert response.status_code == status


@pytest.mark.parametrize("path", ["edit/", "cancel/", "agenda/"])
@pytest.mark.parametrize(("role", "status"), by_role(run))
def test_pages_of_who_runs_the_meeting(meeting_world, meeting, login, role, status, path):
    response = login(getattr(meeting_world, role)).get(f"/meetings/{meeting.pk}/{path}")
    assert response.status_code == status


@pytest.mark.parametrize("path", ["attendance/", "minutes/"])
@pytest.mark.parametrize(("role", "status"), by_role(run))
def test_pages_of_the_meeting_day(meeting_world, held, login, role, status, path):
    response = login(getattr(meeting_world, role)).get(f"/meetings/{held.pk}/{path}")
    assert response.status_code == status


@pytest.mark.parametrize(("role", "status"), by_role(run))
def test_cancel_post(meeting_world, meeting, login, role, status, mailoutbox):
    response = login(getattr(meeting_world, role)).post(
        f"/meetings/{meeting.pk}/cancel/", {"reason": "Paro"}
    )
    meeting.refresh_from_db()
    if status == 200:
        assert response.status_code == 302
        assert meeting.status == "cancelled"
    else:
        assert response.status_code == status
        assert meeting.status == "convened"


# --- taking part: propose, vote, RSVP --------------------------------------------------------


def htmx(client):
    client.defaults["HTTP_HX_REQUEST"] = "true"
    return client


@pytest.mark.parametrize(("role", "status"), by_role(see))
def test_proposing(meeting_world, meeting, login, role, status):
    client = htmx(login(getattr(meeting_world, role)))
    response = client.post(
        f"/meetings/{meeting.pk}/proposals/",
        {"title": "Convivencia en recreos", "rationale": "Hubo conflictos."},
    )
    assert response.status_code == status
    created = AgendaProposal.objects.filter(title="Convivencia en recreos").exists()
    assert created == (role in MEMBERS)
    if role in SEERS and role not in MEMBERS:
        assert "Solo los integrantes de la red pueden proponer temas." in response.content.decode()


@pytest.mark.parametrize(("role", "status"), by_role(see))
def test_voting(meeting_world, meeting, login, role, status):
    proposal = services.propose_agenda_item(
        by=meeting_world.director_a, meeting=meeting, title="Lectura", rationale="Bajó."
    )
    client = htmx(login(getattr(meeting_world, role)))
    response = client.post(f"/meetings/proposals/{proposal.pk}/vote/")
    assert response.status_code == status
    voted = ProposalVote.objects.filter(proposal=proposal).exists()
    assert voted == (role in MEMBERS)
    if role in MEMBERS:
        assert f'id="proposal-{proposal.pk}"' in response.content.decode()
        assert "quedó registrado" in response.content.decode()
    elif status == 200:
        assert "Solo los integrantes de la red pueden votar." in response.content.decode()


@pytest.mark.parametrize(("role", "status"), by_role(see))
def test_answering_the_rsvp(meeting_world, meeting, login, role, status):
    client = htmx(login(getattr(meeting_world, role)))
    response = client.post(f"/meetings/{meeting.pk}/rsvp/", {"answer": "yes"})
    assert response.status_code == status
    answered = meeting.attendances.filter(rsvp="yes").exists()
    assert answered == (role in MEMBERS)


# --- minutes, files and agreements -------------------------------------------------------------


@pytest.fixture
def published(meeting_world, held):
    services.save_minutes(
        by=meeting_world.supervisor_a,
        meeting=held,
        body="## Acuerdos\n\nLeer juntos.",
        publish=False,
    )
    attachment = services.add_minutes_attachment(
        by=meeting_world.supervisor_a,
        meeting=held,
        file=SimpleUploadedFile("acta.pdf", pdf_bytes(), content_type="application/pdf"),
    )
    return held, attachment


@pytest.mark.parametrize(
    ("role", "draft", "final"),
    [
        pytest.param(
            role,
            200 if role in RUNNERS else 404,
            200 if role in SEERS else 404,
            id=role,
        )
        for role in ROLES
    ],
)
def test_minutes_files_are_downloaded_only_by_who_may_read_them(
    meeting_world, published, login, role, draft, final
):
    meeting, attachment = published
    client = login(getattr(meeting_world, role))
    response = client.get(f"/meetings/files/{attachment.pk}/")
    assert response.status_code == draft
    services.save_minutes(
        by=meeting_world.supervisor_a,
        meeting=meeting,
        body="## Acuerdos\n\nLeer juntos.",
        publish=True,
    )
    response = client.get(f"/meetings/files/{attachment.pk}/")
    assert response.status_code == final
    if final == 200:
        assert b"".join(response.streaming_content) == pdf_bytes()
        assert 'attachment; filename="acta.pdf"' in response["Content-Disposition"]
    page = client.get(f"/meetings/{meeting.pk}/")
    assert page.status_code == final
    if final == 200:
        assert "<h2>Acuerdos</h2>" in page.content.decode()
        assert "acta.pdf" in page.content.decode()


def test_media_files_are_not_served_directly(meeting_world, published, client):
    _meeting, attachment = published
    response = client.get("/media/" + attachment.file.name)
    assert response.status_code == 404


@pytest.fixture
def agreement(meeting_world, held):
    return services.add_agreement(
        by=meeting_world.supervisor_a,
        meeting=held,
        text="Compartir el plan de lectura",
        due_on=timezone.localdate() + datetime.timedelta(days=20),
        responsible_user=meeting_world.director_a,
    )


def follow_up_outcome(role):
    if role in RUNNERS or role == "director_a":
        return 302
    return 403 if role in SEERS else 404


@pytest.mark.parametrize(("role", "status"), by_role(see))
def test_agreement_page(meeting_world, agreement, login, role, status):
    response = login(getattr(meeting_world, role)).get(f"/meetings/agreements/{agreement.pk}/")
    assert response.status_code == status


@pytest.mark.parametrize(("role", "status"), by_role(follow_up_outcome))
def test_agreement_follow_up(meeting_world, agreement, login, role, status):
    response = login(getattr(meeting_world, role)).post(
        f"/meetings/agreements/{agreement.pk}/", {"text": "Avance", "status": "in_progress"}
    )
    assert response.status_code == status
    agreement.refresh_from_db()
    assert (agreement.status == "in_progress") == (status == 302)
    assert agreement.notes.exists() == (status == 302)


def test_a_supervisor_of_the_deprov_runs_a_networks_meetings_once_assigned_to_it(
    world, meeting, login
):
    """Supervising a network is being assigned to it (an active supervisor
    membership): belonging to its DEPROV lets one manage the network, not
    run or see its meetings."""
    client = login(world.supervisor_deprov)
    assert client.get("/networks/RME-07-901/").status_code == 200  # manages it
    assert client.get(f"/meetings/{meeting.pk}/").status_code == 404
    assert client.get(f"/api/v1/meetings/{meeting.pk}/").status_code == 404
    assert client.get("/meetings/new/?network=RME-07-901").status_code == 404
    body = {
        "network": "RME-07-901",
        "title": "Reunión por API",
        "starts_at": meeting.starts_at.isoformat(),
        "ends_at": meeting.ends_at.isoformat(),
        "place": "Sala",
    }
    assert client.post("/api/v1/meetings/", body, content_type="application/json").status_code == (
        404
    )

    network_services.add_member(
        by=world.supervisor_deprov,
        network=world.network_a,
        user=world.supervisor_deprov,
        role="supervisor",
    )
    client = login(world.supervisor_deprov)
    page = client.get(f"/meetings/{meeting.pk}/")
    assert page.status_code == 200 and "Armar la tabla" in page.content.decode()
    assert client.get(f"/meetings/{meeting.pk}/agenda/").status_code == 200
    assert client.get("/meetings/new/?network=RME-07-901").status_code == 200
    assert client.post("/api/v1/meetings/", body, content_type="application/json").status_code == (
        201
    )


@pytest.mark.parametrize("role", ROLES)
def test_the_meeting_page_knows_its_members_without_asking_again(meeting_world, meeting, role):
    # The page reads the meeting through visible_meetings(user): only an
    # admin may see it without being a member, so only an admin is asked.
    user = getattr(meeting_world, role)
    seen = selectors.meeting_page_queryset(user).filter(pk=meeting.pk).first()
    if seen is not None:
        assert perms.is_member_of_visible(user, seen) == perms.is_member(user, seen.network)
    network_services.remove_member(
        by=meeting_world.admin, network=meeting.network, user=meeting_world.director_a
    )
    user = meeting_world.director_a
    assert not selectors.meeting_page_queryset(user).filter(pk=meeting.pk).exists()
