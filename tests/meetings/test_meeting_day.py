"""When a meeting's parts open (issue 16): a meeting is held only once it
has started, the attendance and minutes pages say so up front, a meeting
held earlier can be recorded afterwards without emails, the RSVP answer
updates the counts, and the RSVP card and the .ics go once the meeting is
over. Built on tests/factories.py only; the clock is set to Santiago times."""

import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from networks.meetings import services
from networks.meetings.models import Meeting, MeetingNotice, MeetingStatus, Minutes
from tests.factories import (
    MeetingFactory,
    MembershipFactory,
    NetworkFactory,
    NetworkSchoolFactory,
    PositionFactory,
    SupervisorProfileFactory,
)

pytestmark = pytest.mark.django_db

SANTIAGO = ZoneInfo("America/Santiago")
# Tuesday 14 April 2026, 09:45 in Santiago; the meeting is at 11:00.
MORNING = datetime.datetime(2026, 4, 14, 9, 45, tzinfo=SANTIAGO)
ELEVEN = datetime.datetime(2026, 4, 14, 11, 0, tzinfo=SANTIAGO)


@pytest.fixture
def clock(monkeypatch):
    """clock(when): from now on, timezone.now() answers `when`."""

    def set_to(when):
        monkeypatch.setattr(timezone, "now", lambda: when.astimezone(datetime.UTC))

    return set_to


@pytest.fixture
def net(db):
    network = NetworkFactory(name="Red Talca Centro")
    link = NetworkSchoolFactory(network=network)
    supervisor = SupervisorProfileFactory(deprov=network.deprov).user
    MembershipFactory(network=network, user=supervisor, role="supervisor")
    director = PositionFactory(school=link.school, user__first_name="Rosa").user
    MembershipFactory(network=network, user=director, role="directivo", school=link.school)
    return SimpleNamespace(network=network, supervisor=supervisor, director=director)


def convened_at(net, starts_at, **fields):
    meeting = MeetingFactory(
        network=net.network,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=2),
        proposals_close_at=starts_at - datetime.timedelta(days=2),
        **fields,
    )
    services.invite_members(meeting=meeting)
    return meeting


def refusal(call, **kwargs):
    with pytest.raises(ValidationError) as exc:
        call(**kwargs)
    return exc.value.message_dict


# --- held only once started ---------------------------------------------------------


def test_attendance_before_the_start_does_not_make_the_meeting_held(net, clock):
    clock(MORNING)
    meeting = convened_at(net, ELEVEN)
    errors = refusal(
        services.record_attendance,
        by=net.supervisor,
        meeting=meeting,
        present_user_ids=[net.director.pk],
    )
    assert "11:00" in errors["meeting"][0]
    assert errors["meeting"][0].startswith("La asistencia se registra desde el inicio")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CONVENED
    assert not meeting.attendances.filter(attended__isnull=False).exists()

    clock(ELEVEN + datetime.timedelta(minutes=5))
    services.record_attendance(by=net.supervisor, meeting=meeting, present_user_ids=[])
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD


def test_minutes_are_drafted_on_the_day_but_published_only_once_started(net, clock):
    clock(MORNING)
    meeting = convened_at(net, ELEVEN)
    services.save_minutes(by=net.supervisor, meeting=meeting, body="Tabla y notas previas")
    errors = refusal(
        services.save_minutes, by=net.supervisor, meeting=meeting, body="Acta", publish=True
    )
    assert errors["meeting"][0].startswith("El acta se publica desde el inicio")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CONVENED
    assert Minutes.objects.get(meeting=meeting).published_at is None

    clock(ELEVEN + datetime.timedelta(hours=1))
    services.save_minutes(by=net.supervisor, meeting=meeting, body="Acta", publish=True)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD


def test_the_minutes_page_offers_publishing_only_once_started(net, clock, login):
    clock(MORNING)
    meeting = convened_at(net, ELEVEN)
    page = login(net.supervisor).get(f"/meetings/{meeting.pk}/minutes/").content.decode()
    assert 'name="publish"' not in page
    assert "el acta se publica desde el inicio de la reunión, a las 11:00" in page
    clock(ELEVEN)
    page = login(net.supervisor).get(f"/meetings/{meeting.pk}/minutes/").content.decode()
    assert 'name="publish"' in page


def test_the_minutes_page_before_the_day_shows_no_form(net, clock, login):
    clock(MORNING)
    meeting = convened_at(net, ELEVEN + datetime.timedelta(days=3))
    page = login(net.supervisor).get(f"/meetings/{meeting.pk}/minutes/").content.decode()
    assert "se registran desde el día de la reunión, el 17 de abril de 2026" in page
    assert "<form" not in page.split("<main", 1)[1].split("</main>")[0]


# --- attendance page: said up front ---------------------------------------------------


def test_the_attendance_page_of_a_future_meeting_says_when_it_opens(net, clock, login):
    clock(MORNING)
    meeting = convened_at(net, ELEVEN + datetime.timedelta(days=3))
    client = login(net.supervisor)
    response = client.get(f"/meetings/{meeting.pk}/attendance/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "La asistencia se toma desde el inicio de la reunión, el 17 de abril de 2026" in page
    assert 'name="present"' not in page and "Guardar asistencia" not in page
    response = client.post(f"/meetings/{meeting.pk}/attendance/", {"present": [net.director.pk]})
    assert response.status_code == 400
    assert not meeting.attendances.filter(attended__isnull=False).exists()


def test_the_attendance_page_opens_at_the_start(net, clock, login):
    clock(ELEVEN)
    meeting = convened_at(net, ELEVEN)
    page = login(net.supervisor).get(f"/meetings/{meeting.pk}/attendance/").content.decode()
    assert f'name="present" value="{net.director.pk}"' in page


# --- recording a meeting held earlier -------------------------------------------------


def test_a_past_meeting_is_recorded_as_held_without_emails(
    net, mailoutbox, django_capture_on_commit_callbacks
):
    yesterday = timezone.now().replace(second=0, microsecond=0) - datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.record_held_meeting(
            by=net.supervisor,
            network=net.network,
            title="Reunión de marzo",
            starts_at=yesterday,
            ends_at=yesterday + datetime.timedelta(hours=2),
            place="Escuela, biblioteca",
        )
    assert meeting.status == MeetingStatus.HELD
    assert meeting.proposals_close_at == meeting.starts_at
    assert set(meeting.attendances.values_list("user", flat=True)) == {
        net.supervisor.pk,
        net.director.pk,
    }
    assert mailoutbox == [] and not MeetingNotice.objects.exists()
    # Then attendance, minutes and an agreement, as for any meeting.
    with django_capture_on_commit_callbacks(execute=True):
        services.record_attendance(
            by=net.supervisor, meeting=meeting, present_user_ids=[net.director.pk]
        )
        services.save_minutes(by=net.supervisor, meeting=meeting, body="Acta", publish=True)
        services.add_agreement(
            by=net.supervisor,
            meeting=meeting,
            text="Compartir el plan de lectura",
            due_on=timezone.localdate() + datetime.timedelta(days=20),
            responsible_user=net.director,
        )
    assert meeting.attendances.get(user=net.director).attended is True
    assert meeting.agreements.count() == 1
    # Publishing the minutes does tell the members, as for any meeting.
    assert {m.to[0] for m in mailoutbox} == {net.supervisor.email, net.director.email}


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (1, "Una reunión realizada ya comenzó: para una reunión futura, convóquela."),
        (-400, "Solo se registran reuniones realizadas en el último año."),
    ],
)
def test_a_recorded_meeting_must_have_started_within_the_year(net, days, message):
    starts = timezone.now() + datetime.timedelta(days=days)
    errors = refusal(
        services.record_held_meeting,
        by=net.supervisor,
        network=net.network,
        title="Reunión",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        place="Sala",
    )
    assert errors["starts_at"] == [message]
    assert not Meeting.objects.exists()


def test_only_who_convenes_records_a_held_meeting(net, login):
    yesterday = timezone.now() - datetime.timedelta(days=1)
    with pytest.raises(PermissionDenied):
        services.record_held_meeting(
            by=net.director,
            network=net.network,
            title="Reunión",
            starts_at=yesterday,
            ends_at=yesterday + datetime.timedelta(hours=1),
            place="Sala",
        )
    url = f"/meetings/new/held/?network={net.network.code}"
    assert login(net.director).get(url).status_code == 403


def test_the_record_page_saves_a_held_meeting_and_goes_to_attendance(net, login):
    client = login(net.supervisor)
    url = f"/meetings/new/held/?network={net.network.code}"
    page = client.get(url).content.decode()
    assert "no se envía ningún correo" in page and "proposals_close_at" not in page
    starts = timezone.localtime() - datetime.timedelta(days=2)
    response = client.post(
        url,
        {
            "network": net.network.code,
            "title": "Reunión de marzo",
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (starts + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "place": "Escuela, biblioteca",
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/meetings/{meeting.pk}/attendance/"
    assert meeting.status == MeetingStatus.HELD
    convene_page = client.get(f"/meetings/new/?network={net.network.code}").content.decode()
    assert f'href="/meetings/new/held/?network={net.network.code}"' in convene_page


# --- the meeting page: counts, RSVP card, .ics ----------------------------------------


def test_an_htmx_rsvp_also_updates_the_counts(net, login):
    meeting = convened_at(net, timezone.now() + datetime.timedelta(days=5))
    response = login(net.director).post(
        f"/meetings/{meeting.pk}/rsvp/", {"answer": "maybe"}, HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert '<div id="attendance-summary" hx-swap-oob="innerHTML">' in page
    summary = page.split('id="attendance-summary"', 1)[1]
    # Director/a: 0 yes, 0 no, 1 maybe, 1 invited.
    assert (
        '>Director/a</th><td class="text-end">0</td><td class="text-end">0</td>'
        '<td class="text-end">1</td><td class="text-end">1</td>'
    ) in summary


def test_the_rsvp_card_and_the_ics_go_once_the_meeting_is_over(net, login):
    meeting = convened_at(net, timezone.now() + datetime.timedelta(days=5))
    client = login(net.director)
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert 'id="rsvp"' in page
    assert (
        f'class="btn btn-outline-primary btn-sm" href="/meetings/{meeting.pk}/meeting.ics"' in page
    )
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=3),
        ends_at=timezone.now() - datetime.timedelta(hours=1),
        status=MeetingStatus.HELD,
    )
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert 'id="rsvp"' not in page and "Su asistencia" not in page
    assert "meeting.ics" not in page


def test_the_invitation_names_the_network_once(net, mailoutbox, django_capture_on_commit_callbacks):
    starts = timezone.now() + datetime.timedelta(days=9)
    with django_capture_on_commit_callbacks(execute=True):
        services.convene_meeting(
            by=net.supervisor,
            network=net.network,
            title="Reunión de abril",
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=2),
            place="Sala",
        )
    body = mailoutbox[0].body
    assert "Se convocó una reunión de Red Talca Centro." in body
    assert "red Red" not in body and "red Red" not in mailoutbox[0].alternatives[0][0]
