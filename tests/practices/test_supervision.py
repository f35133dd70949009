"""Supervisors feature practices for the networks they run and put them on
the agenda of their upcoming meetings; the network page shows what its
schools shared and adopted this year."""

import datetime

import pytest
from django.utils import timezone

from networks.meetings.models import AgendaItem
from networks.practices.models import PracticeFeature, PracticePresentation
from tests.factories import (
    MeetingFactory,
    MembershipFactory,
    PracticeAdoptionFactory,
    PracticeFactory,
)

pytestmark = pytest.mark.django_db


def test_a_supervisor_features_a_practice_for_a_network(practice_world, practice_of, login):
    practice = practice_of("deprov")
    MembershipFactory(
        network=practice_world.network_c, user=practice_world.supervisor_a, role="supervisor"
    )
    client = login(practice_world.supervisor_a)
    page = client.get(f"/practices/{practice.pk}/").content.decode()
    assert "Destacar en la red" in page and "RME-07-902" in page
    client.post(f"/practices/{practice.pk}/feature/", {"network": "RME-07-902"})
    assert PracticeFeature.objects.filter(
        practice=practice, network=practice_world.network_c
    ).exists()
    panel = (
        login(practice_world.director_c)
        .get("/networks/RME-07-902/practices-panel/")
        .content.decode()
    )
    assert "Destacadas por la supervisión" in panel and practice.title in panel
    client = login(practice_world.supervisor_a)
    client.post(f"/practices/{practice.pk}/feature/", {"network": "RME-07-902", "remove": "1"})
    assert not PracticeFeature.objects.exists()


def test_a_supervisor_does_not_feature_for_a_network_of_their_deprov_they_do_not_supervise(
    practice_world, practice_of, login
):
    practice = practice_of("deprov")
    client = login(practice_world.supervisor_a)  # of Talca, assigned to A only
    page = client.get(f"/practices/{practice.pk}/").content.decode()
    assert "Destacar en la red" in page and "RME-07-902" not in page
    response = client.post(f"/practices/{practice.pk}/feature/", {"network": "RME-07-902"})
    assert response.status_code == 404
    assert not PracticeFeature.objects.exists()


def test_a_practice_is_not_featured_where_its_visibility_does_not_reach(
    practice_world, practice_of, login
):
    practice = practice_of("network")
    MembershipFactory(
        network=practice_world.network_c, user=practice_world.supervisor_a, role="supervisor"
    )
    response = login(practice_world.supervisor_a).post(
        f"/practices/{practice.pk}/feature/", {"network": "RME-07-902"}, follow=True
    )
    assert "no pueden ver esta práctica" in response.content.decode()
    assert not PracticeFeature.objects.exists()


@pytest.mark.parametrize("role", ["director_a", "rep_a", "supervisor_b", "analyst"])
def test_others_cannot_feature(practice_world, practice_of, login, role):
    practice = practice_of("all")
    response = login(getattr(practice_world, role)).post(
        f"/practices/{practice.pk}/feature/", {"network": "RME-07-901"}
    )
    assert response.status_code == 404
    assert not PracticeFeature.objects.exists()


def test_a_supervisor_puts_a_practice_on_a_meetings_agenda(practice_world, practice_of, login):
    practice = practice_of("network", title="Recreos entretenidos")
    meeting = MeetingFactory(network=practice_world.network_a, title="Reunión de abril")
    client = login(practice_world.supervisor_a)
    response = client.post(
        f"/practices/{practice.pk}/agenda/", {"meeting": meeting.pk, "duration_minutes": 25}
    )
    assert response.status_code == 302 and response["Location"] == f"/meetings/{meeting.pk}/"
    item = AgendaItem.objects.get()
    assert (item.practice_link.practice, item.duration_minutes, item.presenter) == (
        practice,
        25,
        "Escuela Talca Uno",
    )
    page = login(practice_world.director_a).get(f"/meetings/{meeting.pk}/").content.decode()
    assert "Práctica: Recreos entretenidos" in page
    assert f'href="/practices/{practice.pk}/"' in page
    client = login(practice_world.supervisor_a)
    again = client.post(f"/practices/{practice.pk}/agenda/", {"meeting": meeting.pk}, follow=True)
    assert "ya está en la tabla" in again.content.decode()
    assert AgendaItem.objects.count() == 1


def test_the_practice_page_lists_the_agendas_its_reader_sees(practice_world, practice_of, login):
    practice = practice_of("all")
    for network, title in (
        (practice_world.network_a, "Reunión A"),
        (practice_world.network_b, "Reunión B"),
    ):
        item = AgendaItem.objects.create(
            meeting=MeetingFactory(network=network, title=title),
            order=1,
            title="Práctica",
            duration_minutes=10,
        )
        PracticePresentation.objects.create(agenda_item=item, practice=practice)
    member = login(practice_world.director_a).get(f"/practices/{practice.pk}/").content.decode()
    assert "En la tabla de reuniones" in member
    assert "Reunión A" in member and "Reunión B" not in member
    admin = login(practice_world.admin).get(f"/practices/{practice.pk}/").content.decode()
    assert "Reunión A" in admin and "Reunión B" in admin


def test_a_past_meeting_or_a_foreign_one_takes_no_practice(practice_world, practice_of, login):
    practice = practice_of("all")
    past = MeetingFactory(
        network=practice_world.network_a,
        starts_at=timezone.now() - datetime.timedelta(days=3),
        ends_at=timezone.now() - datetime.timedelta(days=3, hours=-2),
        proposals_close_at=timezone.now() - datetime.timedelta(days=5),
    )
    foreign = MeetingFactory(network=practice_world.network_b)
    client = login(practice_world.supervisor_a)
    client.post(f"/practices/{practice.pk}/agenda/", {"meeting": past.pk})
    assert (
        client.post(f"/practices/{practice.pk}/agenda/", {"meeting": foreign.pk}).status_code == 404
    )
    assert not AgendaItem.objects.exists()


def test_the_network_panel_shows_what_its_schools_shared_and_adopted_this_year(
    practice_world, practice_of, login
):
    shared = practice_of("network", title="Tutorías entre pares")
    PracticeAdoptionFactory(practice=shared, school=practice_world.a2, stage="trying")
    outside = PracticeFactory(school=practice_world.c1, visibility="all", title="Huerto escolar")
    PracticeAdoptionFactory(practice=outside, school=practice_world.a2)  # not between A's schools
    last_year = practice_of("network", title="Práctica antigua")
    last_year.published_at = timezone.now().replace(year=timezone.now().year - 1)
    last_year.save()
    panel = login(practice_world.utp_a2).get("/networks/RME-07-901/practices-panel/")
    html = panel.content.decode()
    assert panel.status_code == 200
    assert "Tutorías entre pares" in html and "Práctica antigua" not in html
    assert panel.context["practices_n_shared"] == 1
    assert [a.practice.pk for a in panel.context["practices_adoptions"]] == [shared.pk]
    assert "Liceo Talca Dos" in html
    # The adoption's row: the practice, its school, the adopter and the stage.
    assert (
        f'<tr><td><a href="/practices/{shared.pk}/">Tutorías entre pares</a></td>'
        f"<td>{shared.school.display_name}</td><td>Liceo Talca Dos</td><td>Probando</td></tr>"
    ) in html
    # Outsiders get 404, like for the network page.
    assert (
        login(practice_world.director_b).get("/networks/RME-07-901/practices-panel/").status_code
        == 404
    )


def test_the_network_page_loads_the_panel(practice_world, login):
    page = login(practice_world.director_a).get("/networks/RME-07-901/").content.decode()
    assert "/networks/RME-07-901/practices-panel/" in page


def test_the_practice_pages_times_are_santiagos(practice_world, practice_of, login):
    """A comment written at 06:19 UTC on 2 December reads 03:19 on the page
    (America/Santiago, summer time), on either database (the page reads its
    rows with SQL text: SQLite gives datetimes without a zone)."""
    from networks.practices.models import PracticeComment
    from tests.factories import PracticeCommentFactory

    practice = practice_of("all")
    comment = PracticeCommentFactory(practice=practice, author=practice_world.director_a)
    written = datetime.datetime(2026, 12, 2, 6, 19, tzinfo=datetime.UTC)
    PracticeComment.objects.filter(pk=comment.pk).update(created_at=written)
    page = login(practice_world.director_a).get(f"/practices/{practice.pk}/").content.decode()
    assert "02/12/2026 03:19" in page and "06:19" not in page
