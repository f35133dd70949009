"""The attendance page reads on GET and writes on POST only: a member who
joined after the meeting was convened is listed (unsaved, unchecked) and
their invitation is saved when the attendance is recorded."""

import pytest

from networks.meetings import services as services
from networks.meetings.models import Attendance, Meeting
from tests.factories import MembershipFactory, PositionFactory

from .conftest import convene

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture
def newcomer(meeting_world, held):
    """A director of A's third school who joined after the meeting was
    convened: no attendance row yet."""
    user = PositionFactory(
        school=meeting_world.a3,
        user__email="nueva@escuela.cl",
        user__first_name="Ana",
        user__last_name="Aguirre",
    ).user
    MembershipFactory(
        network=meeting_world.network_a, user=user, role="directivo", school=meeting_world.a3
    )
    assert not held.attendances.filter(user=user).exists()
    return user


def snapshot(meeting):
    """Every attendance row of the meeting and its status."""
    rows = Attendance.objects.filter(meeting=meeting).order_by("pk")
    return (
        list(rows.values_list("pk", "user_id", "partner_id", "guest_name", "role", "attended")),
        Meeting.objects.filter(pk=meeting.pk).values_list("status", "updated_at").get(),
    )


def writes(captured):
    return [q["sql"] for q in captured.captured_queries if q["sql"].upper().startswith(WRITES)]


def names(response):
    return {
        str(label): [row.user.get_full_name() for row in rows]
        for label, rows in response.context["sheet"]["groups"]
    }


def test_reading_the_page_writes_nothing_and_lists_the_newcomer(
    meeting_world, held, newcomer, login, django_assert_num_queries
):
    client = login(meeting_world.supervisor_a)
    before, count = snapshot(held), Attendance.objects.count()
    # 1 user, 2 the meeting, 3 "runs it?", 4 attendance rows, 5 members not
    # invited yet, 6 the network's partners: all reads.
    with django_assert_num_queries(6) as captured:
        response = client.get(f"/meetings/{held.pk}/attendance/")
    assert response.status_code == 200
    assert writes(captured) == []
    assert snapshot(held) == before and Attendance.objects.count() == count
    # Listed in name order within their role, unchecked, as before.
    assert names(response) == {
        "Supervisor/a": ["Sofía Supervisora"],
        "Director/a": ["Ana Aguirre", "Alicia Directora"],
        "Jefe/a de UTP": ["Uma Jefa UTP"],
        "Representante del sostenedor": [meeting_world.rep_a.get_full_name()],
    }
    page = response.content.decode()
    assert f'value="{newcomer.pk}" id="present-{newcomer.pk}">' in page
    assert "CESFAM Talca Oriente" in page


def test_reading_it_again_and_again_changes_nothing(meeting_world, held, newcomer, login):
    client = login(meeting_world.supervisor_a)
    before = snapshot(held)
    for _ in range(3):
        assert client.get(f"/meetings/{held.pk}/attendance/").status_code == 200
    assert snapshot(held) == before


def test_recording_saves_the_newcomer_with_the_rest(meeting_world, held, newcomer, login):
    client = login(meeting_world.supervisor_a)
    response = client.post(
        f"/meetings/{held.pk}/attendance/",
        {
            "present": [newcomer.pk, meeting_world.director_a.pk],
            "partners": [meeting_world.partner.pk],
            "guests": "Carla Díaz\ncarla díaz\n",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/meetings/{held.pk}/"
    held.refresh_from_db()
    assert held.status == "held"
    rows = {row.user_id: row for row in held.attendances.filter(user__isnull=False)}
    assert (rows[newcomer.pk].role, rows[newcomer.pk].attended) == ("director", True)
    assert rows[meeting_world.director_a.pk].attended is True
    assert (
        rows[meeting_world.utp_a2.pk].attended is False
        and rows[meeting_world.rep_a.pk].attended is False
    )
    assert held.attendances.filter(partner=meeting_world.partner, attended=True).exists()
    assert list(held.attendances.filter(role="guest").values_list("guest_name", flat=True)) == [
        "Carla Díaz"
    ]
    # The page then shows what was recorded.
    page = client.get(f"/meetings/{held.pk}/attendance/")
    assert names(page)["Director/a"] == ["Ana Aguirre", "Alicia Directora"]
    assert page.context["sheet"]["partner_ids"] == {meeting_world.partner.pk}
    assert page.context["guest_text"] == "Carla Díaz"
    assert f'id="present-{newcomer.pk}" checked' in page.content.decode()


def test_a_refused_post_writes_nothing_and_shows_the_sheet(meeting_world, held, newcomer, login):
    client = login(meeting_world.supervisor_a)
    before = snapshot(held)
    response = client.post(
        f"/meetings/{held.pk}/attendance/",
        {"present": [meeting_world.director_b.pk]},  # not a member of A
    )
    assert response.status_code == 400
    assert "Marcó como presente a alguien que no integra la red." in response.content.decode()
    assert snapshot(held) == before
    assert "Ana Aguirre" in names(response)["Director/a"]


def test_a_cancelled_meeting_says_so_instead_of_a_sheet(meeting_world, login):
    meeting = convene(meeting_world)
    services.cancel_meeting(by=meeting_world.supervisor_a, meeting=meeting)
    later = PositionFactory(
        school=meeting_world.a3, user__first_name="Beto", user__last_name="Tardío"
    ).user
    MembershipFactory(
        network=meeting_world.network_a, user=later, role="directivo", school=meeting_world.a3
    )
    before = snapshot(meeting)
    response = login(meeting_world.supervisor_a).get(f"/meetings/{meeting.pk}/attendance/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "La reunión fue cancelada: no se toma asistencia." in page
    assert 'name="present"' not in page
    assert snapshot(meeting) == before
