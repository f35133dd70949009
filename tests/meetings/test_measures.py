"""The measures of meetings over a year, per network and per DEPROV and
region, computed by the database; the network panel that shows them."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from networks.meetings import selectors as selectors
from networks.meetings import services as services
from networks.meetings.models import AgendaItem, Agreement, Attendance, Meeting
from tests.factories import MeetingFactory, MembershipFactory, NetworkFactory, PositionFactory

from .conftest import school_in

pytestmark = pytest.mark.django_db

SANTIAGO = ZoneInfo("America/Santiago")
YEAR = timezone.localdate().year - 1  # a whole past year: every date is settled


def on(month, day, hour=9):
    return datetime.datetime(YEAR, month, day, hour, tzinfo=SANTIAGO)


def past_meeting(w, network, month, day, present, *, partners=(), status="held"):
    """A meeting of the past year with its members invited and, if held,
    attendance taken through the service."""
    meeting = MeetingFactory(
        network=network,
        starts_at=on(month, day),
        ends_at=on(month, day, 11),
        proposals_close_at=on(month, day - 2),
        convened_by=w.supervisor_a,
    )
    services.invite_members(meeting=meeting)
    if status == "held":
        services.record_attendance(
            by=w.admin,
            meeting=meeting,
            present_user_ids=[u.pk for u in present],
            partner_ids=[p.pk for p in partners],
        )
    else:
        Meeting.objects.filter(pk=meeting.pk).update(status=status)
    return meeting


def agreement(meeting, due, *, status="open", closed=None):
    return Agreement.objects.create(
        meeting=meeting, text="Acuerdo", due_on=due, status=status, closed_on=closed
    )


@pytest.fixture
def year_of_meetings(meeting_world):
    w = meeting_world
    m1 = past_meeting(w, w.network_a, 3, 10, [w.director_a, w.rep_a], partners=[w.partner])
    m2 = past_meeting(w, w.network_a, 4, 14, [w.director_a, w.utp_a2])
    past_meeting(w, w.network_a, 5, 12, [], status="cancelled")
    proposal = m1.proposals.create(title="Lectura", rationale="Bajó", proposed_by=w.director_a)
    AgendaItem.objects.create(
        meeting=m1, order=1, title="Lectura", duration_minutes=30, proposal=proposal
    )
    AgendaItem.objects.create(meeting=m1, order=2, title="Varios", duration_minutes=10)
    AgendaItem.objects.create(meeting=m2, order=1, title="Convivencia", duration_minutes=30)
    agreement(m1, on(3, 31).date(), status="done", closed=on(3, 30).date())  # on time
    agreement(m1, on(4, 30).date())  # overdue, still open
    agreement(m2, on(5, 31).date(), status="done", closed=on(6, 15).date())  # late
    agreement(m2, on(6, 30).date(), status="dropped", closed=on(6, 1).date())
    # A meeting of the next year (cancelled: the panel keeps reporting on
    # YEAR) does not count.
    MeetingFactory(
        network=w.network_a,
        starts_at=on(12, 31, 23) + datetime.timedelta(hours=2),
        status="cancelled",
    )
    return m1, m2


def test_measures_of_a_network_over_a_year(meeting_world, year_of_meetings):
    measures = selectors.network_meeting_measures([meeting_world.network_a.pk], YEAR)[
        meeting_world.network_a.pk
    ]
    assert (measures.meetings_held, measures.meetings_cancelled) == (2, 1)
    assert measures.attendance_rate("director") == 100.0  # 2 of 2
    assert measures.attendance_rate("utp") == 50.0  # 1 of 2
    assert measures.attendance_rate("sostenedor_rep") == 50.0
    assert measures.attendance["utp"] == {"attended": 1, "invited": 2, "rate": 50.0}
    assert (measures.agenda_from_members, measures.agenda_items) == (1, 3)
    assert measures.agenda_from_members_rate == 33.3
    assert (measures.agreements, measures.agreements_due, measures.agreements_on_time) == (4, 4, 1)
    assert measures.agreements_on_time_rate == 25.0
    assert measures.agreements_open == 1
    assert (measures.partners_present, measures.meetings_with_partners) == (1, 1)
    assert [row["role"] for row in measures.attendance_rows] == [
        "director",
        "utp",
        "sostenedor_rep",
    ]


def test_a_network_without_meetings_has_empty_measures(meeting_world):
    measures = selectors.network_meeting_measures([meeting_world.network_b.pk], YEAR)[
        meeting_world.network_b.pk
    ]
    assert measures.meetings_held == 0
    assert measures.attendance_rate("director") is None
    assert measures.agenda_from_members_rate is None and measures.agreements_on_time_rate is None


def test_measures_per_deprov_and_region(meeting_world, year_of_meetings):
    curico = NetworkFactory(code="RME-07-903", deprov_id=71)
    school = school_in(7301)
    director = PositionFactory(school=school).user
    MembershipFactory(network=curico, user=director, role="directivo", school=school)
    past_meeting(meeting_world, curico, 6, 9, [])
    past_meeting(meeting_world, meeting_world.network_b, 6, 9, [meeting_world.director_b])

    by_deprov = selectors.area_meeting_measures(level="deprov", year=YEAR)
    assert by_deprov[72].meetings_held == 2 and by_deprov[71].meetings_held == 1
    assert by_deprov[71].attendance_rate("director") == 0.0
    assert by_deprov[131].attendance_rate("director") == 100.0
    by_region = selectors.area_meeting_measures(level="region", year=YEAR)
    maule = by_region[7]
    assert maule.meetings_held == 3
    assert maule.attendance["director"] == {"attended": 2, "invited": 3, "rate": 66.7}
    assert by_region[13].meetings_held == 1
    only = selectors.area_meeting_measures(level="region", year=YEAR, ids=[7, 1])
    assert set(only) == {7, 1} and only[1].meetings_held == 0


def test_measures_take_five_queries_whatever_the_number_of_networks(
    meeting_world, year_of_meetings
):
    def count(network_ids):
        with CaptureQueriesContext(connection) as captured:
            selectors.network_meeting_measures(network_ids, YEAR)
        return len(captured)

    one = count([meeting_world.network_a.pk])
    for i in range(3):
        network = NetworkFactory(code=f"RME-07-95{i}", deprov_id=72)
        past_meeting(meeting_world, network, 7, 10 + i, [])
    many = count(list(Meeting.objects.values_list("network_id", flat=True).distinct()))
    # meetings by status, attendance by role, partners, agenda items, agreements
    assert one == many == 5


def test_the_network_panel_shows_the_measures_and_chart_to_who_sees_the_network(
    meeting_world, year_of_meetings, login, client
):
    panel = selectors.network_panel(meeting_world.analyst, meeting_world.network_a)
    assert panel["meetings_year"] == YEAR
    assert panel["meetings_measures"].meetings_held == 2
    assert (
        panel["meetings_chart"].startswith("<svg")
        and "Asistencia por rol" in panel["meetings_chart"]
    )
    # The analyst sees the measures but not the meetings themselves.
    assert not panel["meetings_visible"] and panel["meetings_past"] == []
    member = selectors.network_panel(meeting_world.director_a, meeting_world.network_a)
    assert member["meetings_visible"] and len(member["meetings_past"]) == 4
    assert not member["meetings_can_convene"]
    assert selectors.network_panel(meeting_world.supervisor_a, meeting_world.network_a)[
        "meetings_can_convene"
    ]

    html = (
        login(meeting_world.supervisor_a)
        .get("/meetings/panel/network/RME-07-901/")
        .content.decode()
    )
    assert f"Indicadores de reuniones en {YEAR}" in html
    assert "Convocar reunión" in html and "<svg" in html
    assert "50 %" in html and "(1/2)" in html
    assert (
        login(meeting_world.director_b).get("/meetings/panel/network/RME-07-901/").status_code
        == 404
    )


def test_the_attendance_chart_has_a_point_per_month_and_role(meeting_world, year_of_meetings):
    rates = selectors.monthly_attendance(meeting_world.network_a.pk, YEAR)
    assert rates[(3, "director")] == 100.0 and rates[(3, "utp")] == 0.0
    assert rates[(4, "utp")] == 100.0 and rates[(4, "sostenedor_rep")] == 0.0
    assert 5 not in {month for month, _role in rates}  # cancelled


def test_attendance_counts_only_the_invited_members(meeting_world, year_of_meetings):
    m1, _m2 = year_of_meetings
    assert Attendance.objects.filter(meeting=m1, user__isnull=False).count() == 4


def test_the_network_panel_shows_a_change_of_its_measures_at_once(meeting_world, year_of_meetings):
    """The panel's measures and chart are cached under the meetings' version:
    each kind of write they are read from, row by row or in bulk through the
    services, shows at the next read, with no query when nothing changed."""
    w = meeting_world
    m1, _m2 = year_of_meetings

    def panel():
        return selectors.network_panel(w.analyst, w.network_a)

    first = panel()
    assert first["meetings_measures"].meetings_held == 2
    with CaptureQueriesContext(connection) as cached:
        again = panel()
    with CaptureQueriesContext(connection) as measured:
        selectors.network_meeting_measures([w.network_a.pk], YEAR)
    assert again["meetings_measures"] == first["meetings_measures"]
    assert again["meetings_chart"] == first["meetings_chart"]
    # Served from the cache by any process: its ids are the network's, not a counter's.
    chart_id = f"meetings-chart-{w.network_a.pk}"
    assert f'aria-labelledby="{chart_id}-t {chart_id}-d"' in first["meetings_chart"]
    assert f'<title id="{chart_id}-t">' in first["meetings_chart"]
    assert len(measured) == 5 and len(cached) <= 3  # only the access checks

    past_meeting(w, w.network_a, 6, 10, [w.director_a])  # bulk invitation and attendance
    assert panel()["meetings_measures"].meetings_held == 3
    services.record_attendance(
        by=w.admin, meeting=m1, present_user_ids=[w.director_a.pk, w.utp_a2.pk]
    )
    assert panel()["meetings_measures"].attendance_rate("utp") == 66.7  # 2 of 3
    AgendaItem.objects.create(meeting=m1, order=3, title="Cierre", duration_minutes=5)
    assert panel()["meetings_measures"].agenda_items == 4
    open_one = Agreement.objects.get(meeting=m1, status="open")
    open_one.status = "done"
    open_one.closed_on = on(4, 1).date()
    open_one.save()
    assert panel()["meetings_measures"].agreements_open == 0
    Meeting.objects.get(pk=m1.pk).delete()
    assert panel()["meetings_measures"].meetings_held == 2


def test_a_change_in_one_network_keeps_the_others_cached_measures(meeting_world, year_of_meetings):
    """Each network's measures are cached under its own version: an RSVP in
    network B does not make network A's panel read its measures again, a
    change in A does."""
    w = meeting_world
    m1, _m2 = year_of_meetings

    def measures_queries(network):
        with CaptureQueriesContext(connection) as captured:
            selectors.network_measures_and_chart(network)
        return len(captured)

    assert measures_queries(w.network_a) > 0
    assert measures_queries(w.network_a) == 0  # cached
    other = MeetingFactory(
        network=w.network_b, starts_at=on(6, 2), ends_at=on(6, 2, 11), convened_by=w.supervisor_a
    )
    services.invite_members(meeting=other)  # the invitations, then an RSVP there
    invitation = Attendance.objects.filter(meeting=other, user__isnull=False).first()
    invitation.rsvp = "yes"
    invitation.save()
    assert measures_queries(w.network_a) == 0  # still cached: another network changed
    assert measures_queries(w.network_b) > 0
    Attendance.objects.filter(meeting=m1).first().save()
    assert measures_queries(w.network_a) > 0  # its own change shows


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_agreement_status_badge(lang):
    """The badge of each status, with "Vencido" when the agreement is overdue
    (open or in progress past its date)."""
    from django.template import engines
    from django.utils import translation

    tag = engines["django"].from_string("{% load meetings %}{% agreement_status agreement %}")
    today = timezone.localdate()
    late, later = today - datetime.timedelta(days=3), today + datetime.timedelta(days=3)
    overdue = {"es": "Vencido", "en": "Overdue"}[lang]
    labels = {
        "es": {"open": "Abierto", "in_progress": "En curso", "done": "Cumplido"},
        "en": {"open": "Open", "in_progress": "In progress", "done": "Completed"},
    }[lang]
    with translation.override(lang):
        html = {
            (status, due): tag.render({"agreement": Agreement(status=status, due_on=due)})
            for status in ("open", "in_progress", "done", "dropped")
            for due in (late, later)
        }
    open_badge = f'<span class="badge text-bg-light border">{labels["open"]}</span>'
    assert html[("open", later)] == open_badge
    overdue_badge = f'<span class="badge text-bg-danger">{overdue}</span>'
    assert html[("open", late)] == f"{open_badge} {overdue_badge}"
    assert html[("in_progress", late)].startswith(
        f'<span class="badge text-bg-primary">{labels["in_progress"]}</span> <span'
    )
    assert html[("done", late)] == f'<span class="badge text-bg-success">{labels["done"]}</span>'
    assert html[("dropped", late)].startswith('<span class="badge text-bg-secondary">')
    assert overdue not in html[("dropped", late)]
