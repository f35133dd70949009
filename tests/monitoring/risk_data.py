"""Hand-made meetings, PME actions and survey waves for the networks-at-risk
tests: each helper writes just the rows an indicator reads."""

import datetime
from zoneinfo import ZoneInfo

from networks.meetings.models import AgendaItem, Agreement, Attendance
from tests.factories import (
    ActionFactory,
    AnnualPlanFactory,
    CampaignFactory,
    ExternalPartnerFactory,
    MeetingFactory,
    UserFactory,
)
from tests.monitoring.conftest import likert_questions

SANTIAGO = ZoneInfo("America/Santiago")
YEAR = 2025


def held_meeting(network, month, *, attendance=None, partners=0, agenda=(0, 0)):
    """A held meeting of `month` of YEAR. `attendance`: {role: (attended,
    invited)}; `agenda`: (items from members, other items)."""
    starts = datetime.datetime(YEAR, month, 10, 15, tzinfo=SANTIAGO)
    meeting = MeetingFactory(
        network=network,
        status="held",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        proposals_close_at=starts - datetime.timedelta(days=2),
    )
    rows = []
    for role, (attended, invited) in (attendance or {}).items():
        for i in range(invited):
            rows.append(
                Attendance(meeting=meeting, user=UserFactory(), role=role, attended=i < attended)
            )
    for _ in range(partners):
        rows.append(
            Attendance(
                meeting=meeting, partner=ExternalPartnerFactory(), role="partner", attended=True
            )
        )
    Attendance.objects.bulk_create(rows)
    from_members, others = agenda
    order = 0
    for i in range(from_members):
        from tests.factories import AgendaProposalFactory

        order += 1
        AgendaItem.objects.create(
            meeting=meeting,
            order=order,
            title=f"Tema {i}",
            duration_minutes=20,
            proposal=AgendaProposalFactory(meeting=meeting),
        )
    for i in range(others):
        order += 1
        AgendaItem.objects.create(
            meeting=meeting, order=order, title=f"Otro {i}", duration_minutes=20
        )
    return meeting


def agreements(meeting, *, on_time=0, late=0, open_overdue=0):
    due = datetime.date(YEAR, meeting.starts_at.month, 28)
    for _ in range(on_time):
        Agreement.objects.create(
            meeting=meeting, text="A tiempo", due_on=due, status="done", closed_on=due
        )
    for _ in range(late):
        Agreement.objects.create(
            meeting=meeting,
            text="Tarde",
            due_on=due,
            status="done",
            closed_on=due + datetime.timedelta(days=10),
        )
    for _ in range(open_overdue):
        Agreement.objects.create(meeting=meeting, text="Pendiente", due_on=due, status="open")


def pme_actions(school, *, delayed=0, on_track=0, shared=True):
    """A shared plan of YEAR for `school` with delayed actions (ended,
    progress 50) and actions done."""
    plan = AnnualPlanFactory(cycle__school=school, year=YEAR, shared_with_network=shared)
    for _ in range(delayed):
        ActionFactory(plan=plan, status="in_progress", progress=50)
    for _ in range(on_track):
        ActionFactory(plan=plan, status="done", progress=100)
    return plan


def wave(year, status="closed"):
    from monitoring.models import Campaign

    found = Campaign.objects.filter(slug=f"ola-{year}").first()
    return found or CampaignFactory(year=year, status=status, slug=f"ola-{year}")


def answers_by_construct(interest, community):
    codes = {q.code: q.construct for q in likert_questions()}
    return {
        code: (interest if construct == "Interés en las reuniones" else community)
        for code, construct in codes.items()
        if construct in ("Interés en las reuniones", "Vínculo con la comunidad")
    }
