"""Demo and benchmark data for network meetings, on top of networks.demo.

- `seed_demo_meetings()`: for each Maule demo network, the meetings of the
  current school year up to today and of the two school years before (one
  a month, March to December, none in the summer holidays: the earlier
  years' survey waves report on them) with agenda, attendance, published
  minutes and agreements in every state, plus an upcoming meeting whose
  proposals are still open.
- `seed_national_meetings()`: a year of monthly meetings for every national
  network (`seed_demo --scale national`), built with bulk_create, for the
  benchmark.

Both are repeatable: the same seed gives the same data, relative to today
(the demo's school years come from timezone.localdate()); running a seeder
twice leaves the database as after the first run. No email is sent.
"""

import datetime
import random
from itertools import product
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from networks.models import Membership, MembershipRole, Network
from rme_platform.accounts.models import Role
from rme_platform.management.demo import DEMO_SEED, demo_years

from .cache import bump_meetings_version
from .models import (
    AgendaItem,
    AgendaProposal,
    Agreement,
    AgreementNote,
    AgreementStatus,
    Attendance,
    AttendeeRole,
    Meeting,
    MeetingNotice,
    MeetingStatus,
    Minutes,
    MinutesAttachment,
    PmeDimension,
    ProposalVote,
    Rsvp,
)

SANTIAGO = ZoneInfo("America/Santiago")
DEMO_CODES = [f"RME-07-{n:03d}" for n in range(1, 7)]
NATIONAL_PREFIX = "RME-N"
SCHOOL_MONTHS = {3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
MONTHS = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
]
TOPICS = [
    ("Lectura en primer ciclo", PmeDimension.PEDAGOGICAL, "Los resultados de lectura bajaron."),
    ("Convivencia en los recreos", PmeDimension.COEXISTENCE, "Aumentaron los conflictos."),
    ("Asistencia de los estudiantes", PmeDimension.COEXISTENCE, "La asistencia cayó bajo 85 %."),
    ("Planificación de la evaluación", PmeDimension.PEDAGOGICAL, "Queremos criterios comunes."),
    ("Uso de los recursos SEP", PmeDimension.RESOURCES, "Compartir cómo priorizamos gastos."),
    ("Liderazgo distribuido", PmeDimension.LEADERSHIP, "Los equipos directivos están solos."),
    ("Vínculo con el CESFAM", "", "Necesitamos apoyo en salud mental."),
    ("Inducción de docentes nuevos", PmeDimension.RESOURCES, "Llegaron muchos profesores nuevos."),
    ("Acompañamiento al aula", PmeDimension.PEDAGOGICAL, "Aprender a observar clases entre pares."),
    ("Participación de las familias", PmeDimension.COEXISTENCE, "Pocas familias asisten."),
]
AGREEMENTS = [
    "Cada establecimiento comparte su plan de lectura en la plataforma.",
    "Organizar una visita de observación de aula entre pares.",
    "Reunir los datos de asistencia del mes y traerlos a la próxima reunión.",
    "Invitar al CESFAM a la próxima reunión.",
    "Preparar una pauta común de evaluación de lectura.",
    "Presentar la experiencia de convivencia del liceo anfitrión.",
]
NOTE_TEXT = {
    AgreementStatus.IN_PROGRESS: "Se revisó el avance en la reunión siguiente: va en curso.",
    AgreementStatus.DONE: "Cumplido; se presentó el resultado a la red.",
    AgreementStatus.DROPPED: "La red decidió no continuar con este acuerdo.",
}
# Chance that an invited person attends, by role.
PRESENCE = {
    AttendeeRole.DIRECTOR: 0.85,
    AttendeeRole.UTP: 0.75,
    AttendeeRole.SOSTENEDOR_REP: 0.5,
    AttendeeRole.SUPERVISOR: 1.0,
    AttendeeRole.GUEST: 0.5,
}


def _say(stdout, text):
    if stdout is not None:
        stdout.write(text if text.endswith("\n") else text + "\n")


def _at(day, hour, minute=0):
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SANTIAGO)


def _second_wednesday(year, month):
    first = datetime.date(year, month, 1)
    return first + datetime.timedelta(days=(2 - first.weekday()) % 7 + 7)


def past_months(today, count=12):
    """(year, month) of the `count` months before today's, oldest first."""
    out, year, month = [], today.year, today.month
    for _i in range(count):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        out.append((year, month))
    return list(reversed(out))


def _role(membership_role, user_role):
    if membership_role == MembershipRole.DIRECTIVO:
        return AttendeeRole.UTP if user_role == Role.UTP else AttendeeRole.DIRECTOR
    return {
        MembershipRole.SUPERVISOR: AttendeeRole.SUPERVISOR,
        MembershipRole.SOSTENEDOR_REP: AttendeeRole.SOSTENEDOR_REP,
    }.get(membership_role, AttendeeRole.GUEST)


def _members(networks):
    """{network id: [(user id, attendee role, school rbd)]} of active members."""
    members = {network.pk: [] for network in networks}
    rows = (
        Membership.objects.filter(network__in=networks, active=True, user__is_active=True)
        .values_list("network_id", "user_id", "role", "user__role", "school_id")
        .order_by("network_id", "role", "user_id")
    )
    for network_id, user_id, role, user_role, school in rows:
        members[network_id].append((user_id, _role(role, user_role), school))
    return members


class _Builder:
    """Collects rows for bulk_create; meetings first (their ids are needed)."""

    def __init__(self, rng, now):
        self.rng, self.now = rng, now
        self.meetings, self.plans = [], []

    def meeting(self, network, members, partners, *, day, title, held, supervisor):
        starts = _at(day, 15)
        meeting = Meeting(
            network=network,
            title=title,
            objective="Revisar los avances de la red y acordar los próximos pasos.",
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=2, minutes=30),
            place="Sala de reuniones del departamento provincial",
            proposals_close_at=starts - datetime.timedelta(days=2),
            status=MeetingStatus.HELD if held else MeetingStatus.CONVENED,
            convened_by_id=supervisor,
        )
        self.meetings.append(meeting)
        self.plans.append((meeting, members, partners, held))
        return meeting

    def build(self, *, with_minutes=True, notes=True):
        Meeting.objects.bulk_create(self.meetings, batch_size=2000)
        rng = self.rng
        attendance, proposals, items, minutes, agreements = [], [], [], [], []
        proposal_plans = []
        for meeting, members, partners, held in self.plans:
            for user_id, role, _school in members:
                attended = (rng.random() < PRESENCE.get(role, 0.5)) if held else None
                rsvp = ""
                if held or rng.random() < 0.5:
                    rsvp = Rsvp.YES if attended or rng.random() < 0.6 else Rsvp.NO
                attendance.append(
                    Attendance(
                        meeting=meeting, user_id=user_id, role=role, rsvp=rsvp, attended=attended
                    )
                )
            if held:
                for partner_id in partners:
                    if rng.random() < 0.4:
                        attendance.append(
                            Attendance(
                                meeting=meeting,
                                partner_id=partner_id,
                                role=AttendeeRole.PARTNER,
                                attended=True,
                            )
                        )
            topics = rng.sample(TOPICS, 3)
            voters = [user_id for user_id, _r, _s in members]
            planned = []
            for title, dimension, why in topics:
                author = voters[rng.randrange(len(voters))] if voters else None
                proposal = AgendaProposal(
                    meeting=meeting,
                    title=title,
                    rationale=why,
                    pme_dimension=dimension,
                    proposed_by_id=author,
                )
                proposals.append(proposal)
                votes = rng.sample(voters, min(len(voters), rng.randint(1, 6))) if voters else []
                planned.append((proposal, votes))
            # The supervisor took the two most voted into the agenda.
            ranked = sorted(range(len(planned)), key=lambda i: -len(planned[i][1]))
            for index, (proposal, votes) in enumerate(planned):
                proposal_plans.append((proposal, votes, held and index in ranked[:2]))
            if held:
                minutes.append(
                    Minutes(
                        meeting=meeting,
                        body=(
                            "## Desarrollo\n\n"
                            f"- Tema: **{topics[0][0]}**. Cada establecimiento presentó su "
                            "situación y se compartieron prácticas.\n"
                            f"- Tema: **{topics[1][0]}**. Se acordó profundizar en la "
                            "próxima reunión.\n\n"
                            "## Acuerdos\n\nVer la lista de acuerdos de la reunión."
                        ),
                        written_by_id=meeting.convened_by_id,
                        published_at=meeting.ends_at + datetime.timedelta(days=1),
                    )
                    if with_minutes
                    else None
                )
                schools = [s for _u, r, s in members if s]
                directivos = [u for u, r, _s in members if r == AttendeeRole.DIRECTOR]
                for n in range(rng.randint(1, 2)):
                    due = (meeting.starts_at + datetime.timedelta(days=rng.choice([21, 30]))).date()
                    status, closed = self._agreement_state(due)
                    by_school = n == 1 and schools
                    agreements.append(
                        Agreement(
                            meeting=meeting,
                            text=rng.choice(AGREEMENTS),
                            responsible_user_id=None
                            if by_school or not directivos
                            else rng.choice(directivos),
                            responsible_school_id=rng.choice(schools) if by_school else None,
                            due_on=due,
                            status=status,
                            closed_on=closed,
                            created_by_id=meeting.convened_by_id,
                        )
                    )
        Attendance.objects.bulk_create(attendance, batch_size=5000)
        AgendaProposal.objects.bulk_create(proposals, batch_size=5000)
        votes = []
        for proposal, voters, on_agenda in proposal_plans:
            votes.extend(ProposalVote(proposal=proposal, user_id=u) for u in voters)
            if on_agenda:
                items.append((proposal, len(voters)))
        ProposalVote.objects.bulk_create(votes, batch_size=5000)
        agenda, order = [], {}
        for proposal, _votes in sorted(items, key=lambda pair: (pair[0].meeting_id, -pair[1])):
            order[proposal.meeting_id] = order.get(proposal.meeting_id, 0) + 1
            agenda.append(
                AgendaItem(
                    meeting_id=proposal.meeting_id,
                    order=order[proposal.meeting_id],
                    title=proposal.title,
                    description=proposal.rationale,
                    duration_minutes=40,
                    proposal=proposal,
                )
            )
        for meeting, _members, _partners, held in self.plans:
            if held:
                order[meeting.pk] = order.get(meeting.pk, 0) + 1
                agenda.append(
                    AgendaItem(
                        meeting=meeting,
                        order=order[meeting.pk],
                        title="Seguimiento de acuerdos y varios",
                        duration_minutes=20,
                    )
                )
        AgendaItem.objects.bulk_create(agenda, batch_size=5000)
        Minutes.objects.bulk_create([m for m in minutes if m is not None], batch_size=2000)
        Agreement.objects.bulk_create(agreements, batch_size=5000)
        if notes:
            followed = [a for a in agreements if a.status != AgreementStatus.OPEN]
            notes = AgreementNote.objects.bulk_create(
                [
                    AgreementNote(
                        agreement=agreement,
                        text=NOTE_TEXT[agreement.status],
                        status=agreement.status,
                        author_id=agreement.created_by_id,
                    )
                    for agreement in followed
                ],
                batch_size=5000,
            )
            # Dated when the follow-up happened, not today.
            for note, agreement in zip(notes, followed, strict=True):
                day = agreement.closed_on or min(
                    agreement.due_on, timezone.localdate(self.now)
                ) - datetime.timedelta(days=3)
                note.created_at = _at(day, 18)
            AgreementNote.objects.bulk_update(notes, ["created_at"], batch_size=1000)
        bump_meetings_version()  # bulk writes send no post_save
        return {
            "meetings": len(self.meetings),
            "attendance": len(attendance),
            "proposals": len(proposals),
            "votes": len(votes),
            "agreements": len(agreements),
        }

    def _agreement_state(self, due):
        today = timezone.localdate(self.now)
        if due >= today:
            return self.rng.choice([AgreementStatus.OPEN, AgreementStatus.IN_PROGRESS]), None
        draw = self.rng.random()
        if draw < 0.6:
            return AgreementStatus.DONE, due - datetime.timedelta(days=self.rng.randint(0, 10))
        if draw < 0.75:
            return AgreementStatus.DONE, due + datetime.timedelta(days=self.rng.randint(1, 20))
        if draw < 0.85:
            return AgreementStatus.DROPPED, due
        return AgreementStatus.IN_PROGRESS, None


def _delete_meetings(networks):
    """Remove the meetings of these networks and everything hanging from
    them, each table with one DELETE (no per-row cascade in Python)."""
    meetings = Meeting.objects.filter(network__in=networks).values("pk")
    ProposalVote.objects.filter(proposal__meeting__in=meetings).delete()
    AgendaItem.objects.filter(meeting__in=meetings).delete()
    AgendaProposal.objects.filter(meeting__in=meetings).delete()
    AgreementNote.objects.filter(agreement__meeting__in=meetings).delete()
    Agreement.objects.filter(meeting__in=meetings).delete()
    MinutesAttachment.objects.filter(minutes__meeting__in=meetings).delete()
    Minutes.objects.filter(meeting__in=meetings).delete()
    MeetingNotice.objects.filter(meeting__in=meetings).delete()
    Attendance.objects.filter(meeting__in=meetings).delete()
    Meeting.objects.filter(network__in=networks).delete()


def _supervisor_of(members):
    return next((u for u, role, _s in members if role == AttendeeRole.SUPERVISOR), None)


def _partners(networks):
    links = Network.partners.through.objects.filter(network__in=networks)
    out = {}
    for network_id, partner_id in links.values_list("network_id", "externalpartner_id"):
        out.setdefault(network_id, []).append(partner_id)
    return out


@transaction.atomic
def seed_demo_meetings(stdout=None, *, seed=DEMO_SEED):
    """The demo's meetings (see the module docstring). A network that already
    has meetings is left as it is."""
    now = timezone.now()
    today = timezone.localdate(now)
    years = demo_years(today)
    networks = [
        n
        for n in Network.objects.filter(code__in=DEMO_CODES).order_by("code")
        if not n.meetings.exists()
    ]
    if not networks:
        _say(stdout, "Meetings: the demo networks already have meetings.")
        return {"meetings": 0}
    members = _members(networks)
    partners = _partners(networks)
    builder = _Builder(random.Random(seed), now)
    upcoming = []
    for network in networks:
        supervisor = _supervisor_of(members[network.pk])
        for year, month in product(years, sorted(SCHOOL_MONTHS)):
            day = _second_wednesday(year, month)
            if _at(day, 18) >= now:
                continue
            builder.meeting(
                network,
                members[network.pk],
                partners.get(network.pk, []),
                day=day,
                title=f"Reunión de {MONTHS[month - 1]}",
                held=True,
                supervisor=supervisor,
            )
        day = today + datetime.timedelta(days=10)
        if day.month not in SCHOOL_MONTHS:  # summer holidays: the next school year's first
            day = _second_wednesday(day.year, 3)
        upcoming.append(
            builder.meeting(
                network,
                members[network.pk],
                partners.get(network.pk, []),
                day=day,
                title=f"Reunión de {MONTHS[day.month - 1]}",
                held=False,
                supervisor=supervisor,
            )
        )
    figures = builder.build()
    _say(
        stdout,
        "Meetings: {meetings} in {networks} demo networks, {attendance} invitations, "
        "{proposals} proposals, {agreements} agreements.".format(networks=len(networks), **figures),
    )
    return figures


@transaction.atomic
def seed_national_meetings(*, seed=DEMO_SEED, stdout=None, months=12):
    """A year of monthly meetings (the `months` months before this one) for
    every national network, all held, with attendance, agenda, minutes and
    agreements. Repeatable: it first removes the national networks' meetings."""
    now = timezone.now()
    today = timezone.localdate(now)
    networks = list(Network.objects.filter(code__startswith=NATIONAL_PREFIX).order_by("code"))
    _delete_meetings(Network.objects.filter(code__startswith=NATIONAL_PREFIX))
    members = _members(networks)
    partners = _partners(networks)
    builder = _Builder(random.Random(seed), now)
    calendar = past_months(today, months)
    for index, network in enumerate(networks):
        supervisor = _supervisor_of(members[network.pk])
        for year, month in calendar:
            day = _second_wednesday(year, month) + datetime.timedelta(days=index % 2)
            builder.meeting(
                network,
                members[network.pk],
                partners.get(network.pk, []),
                day=day,
                title=f"Reunión de {MONTHS[month - 1]} {year}",
                held=True,
                supervisor=supervisor,
            )
    figures = builder.build()
    _say(
        stdout,
        "National meetings: {meetings} in {networks} networks, {attendance} attendance rows, "
        "{proposals} proposals, {votes} votes, {agreements} agreements.".format(
            networks=len(networks), **figures
        ),
    )
    return {"networks": len(networks), **figures}
