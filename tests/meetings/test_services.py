"""The meeting services: each step of the flow as the roles that may and may
not take it. Bad input gets a translated message naming the field and
changes nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from networks.meetings import services as services
from networks.meetings.models import (
    AgendaItem,
    AgendaProposal,
    Agreement,
    AgreementNote,
    Attendance,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesAttachment,
    ProposalVote,
)
from tests.factories import MembershipFactory, PositionFactory
from tests.helpers import pdf_bytes

from .conftest import convene, in_days, move_to_past

pytestmark = pytest.mark.django_db


def state():
    """Everything a meeting service could change."""
    return {
        "meetings": list(
            Meeting.objects.order_by("pk").values_list(
                "pk", "status", "sequence", "starts_at", "ends_at", "title"
            )
        ),
        "proposals": AgendaProposal.objects.count(),
        "votes": ProposalVote.objects.count(),
        "items": list(AgendaItem.objects.order_by("pk").values_list("pk", "order")),
        "attendance": list(Attendance.objects.order_by("pk").values_list("pk", "rsvp", "attended")),
        "minutes": list(Minutes.objects.values_list("body", "published_at")),
        "files": MinutesAttachment.objects.count(),
        "agreements": list(Agreement.objects.values_list("pk", "status")),
        "notes": AgreementNote.objects.count(),
    }


def refused(call, **kwargs):
    """Run a service that must refuse with ValidationError; check nothing
    changed and return the messages by field."""
    before = state()
    with pytest.raises(ValidationError) as excinfo:
        call(**kwargs)
    assert state() == before
    return excinfo.value.message_dict


def denied(call, **kwargs):
    before = state()
    with pytest.raises(PermissionDenied):
        call(**kwargs)
    assert state() == before


# --- convene ------------------------------------------------------------------------------


def test_convening_invites_every_active_member_with_their_role(meeting_world):
    meeting = convene(meeting_world)
    assert meeting.status == MeetingStatus.CONVENED and meeting.sequence == 0
    assert meeting.convened_by == meeting_world.supervisor_a
    invited = dict(meeting.attendances.values_list("user__email", "role"))
    assert invited == {
        "sofia@mineduc.cl": "supervisor",
        "alice@escuela.cl": "director",
        "uma@escuela.cl": "utp",
        "rita@sostenedor.cl": "sostenedor_rep",
    }
    # The default cut-off for proposals: two days before the start.
    assert meeting.proposals_close_at == meeting.starts_at - datetime.timedelta(days=2)


@pytest.mark.parametrize("role", ["supervisor_a", "admin"])
def test_supervisors_of_the_network_and_admins_convene(meeting_world, role):
    meeting = convene(meeting_world, by=getattr(meeting_world, role))
    assert meeting.attendances.count() == 4


@pytest.mark.parametrize(
    "role",
    [
        "director_a",
        "utp_a2",
        "rep_a",
        "director_b",
        "supervisor_deprov",  # of A's DEPROV, not assigned to A
        "supervisor_b",
        "analyst",
    ],
)
def test_others_may_not_convene(meeting_world, role):
    denied(
        services.convene_meeting,
        by=getattr(meeting_world, role),
        network=meeting_world.network_a,
        title="Reunión",
        starts_at=in_days(3),
        ends_at=in_days(3, 2),
        place="Sala",
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"ends_at": in_days(5, -1)},
            "ends_at",
            "La reunión debe terminar después de comenzar.",
        ),
        (
            {"starts_at": in_days(-1), "ends_at": in_days(-1, 2)},
            "starts_at",
            "La reunión no puede comenzar en el pasado.",
        ),
        ({"ends_at": in_days(5, 13)}, "ends_at", "Una reunión dura a lo más 12 horas."),
        ({"title": "  "}, "title", "Indique el título de la reunión."),
        (
            {"place": "", "online_url": ""},
            "place",
            "Indique el lugar o el enlace de la reunión en línea.",
        ),
        (
            {"proposals_close_at": in_days(6)},
            "proposals_close_at",
            "El cierre de propuestas debe ser anterior al inicio de la reunión.",
        ),
        (
            {"proposals_close_at": in_days(-1)},
            "proposals_close_at",
            "El cierre de propuestas no puede estar en el pasado.",
        ),
    ],
)
def test_convening_refuses_bad_dates_and_missing_fields(meeting_world, changes, field, message):
    data = {
        "by": meeting_world.supervisor_a,
        "network": meeting_world.network_a,
        "title": "Reunión",
        "starts_at": in_days(5),
        "ends_at": in_days(5, 2),
        "place": "Sala",
        **changes,
    }
    errors = refused(services.convene_meeting, **data)
    assert errors[field] == [message]


def test_host_school_must_belong_to_the_network(meeting_world):
    errors = refused(
        services.convene_meeting,
        by=meeting_world.supervisor_a,
        network=meeting_world.network_a,
        title="Reunión",
        starts_at=in_days(5),
        ends_at=in_days(5, 2),
        place="Sala",
        host_school=meeting_world.b1,
    )
    assert errors["host_school"] == ["El establecimiento anfitrión debe ser de la red."]


def test_a_closed_network_convenes_nothing(meeting_world):
    meeting_world.network_a.status = "closed"
    meeting_world.network_a.save()
    errors = refused(
        services.convene_meeting,
        by=meeting_world.supervisor_a,
        network=meeting_world.network_a,
        title="Reunión",
        starts_at=in_days(5),
        ends_at=in_days(5, 2),
        place="Sala",
    )
    assert "network" in errors


# --- reschedule and cancel ---------------------------------------------------------------------


def test_rescheduling_raises_the_sequence_but_other_edits_do_not(meeting_world, meeting):
    services.update_meeting(
        by=meeting_world.supervisor_a, meeting=meeting, title="Reunión de abril"
    )
    meeting.refresh_from_db()
    assert meeting.title == "Reunión de abril" and meeting.sequence == 0
    services.reschedule_meeting(
        by=meeting_world.supervisor_a,
        meeting=meeting,
        starts_at=in_days(12),
        ends_at=in_days(12, 3),
    )
    meeting.refresh_from_db()
    assert meeting.starts_at == in_days(12) and meeting.sequence == 1
    services.update_meeting(by=meeting_world.supervisor_a, meeting=meeting, place="Liceo Talca Dos")
    meeting.refresh_from_db()
    assert meeting.sequence == 2


def test_rescheduling_into_the_past_is_refused(meeting_world, meeting):
    errors = refused(
        services.reschedule_meeting,
        by=meeting_world.supervisor_a,
        meeting=meeting,
        starts_at=in_days(-2),
        ends_at=in_days(-2, 2),
    )
    assert errors["starts_at"] == ["La reunión no puede comenzar en el pasado."]


@pytest.mark.parametrize("role", ["director_a", "supervisor_b", "analyst"])
def test_only_who_runs_the_meeting_edits_or_cancels_it(meeting_world, meeting, role):
    user = getattr(meeting_world, role)
    denied(services.update_meeting, by=user, meeting=meeting, title="Otra")
    denied(services.cancel_meeting, by=user, meeting=meeting)


def test_cancelling_twice_is_refused(meeting_world, meeting):
    services.cancel_meeting(by=meeting_world.supervisor_a, meeting=meeting, reason="Paro")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED and meeting.sequence == 1
    assert meeting.cancel_reason == "Paro"
    errors = refused(services.cancel_meeting, by=meeting_world.supervisor_a, meeting=meeting)
    assert errors["meeting"] == ["La reunión fue cancelada."]
    errors = refused(
        services.update_meeting, by=meeting_world.supervisor_a, meeting=meeting, title="Otra"
    )
    assert errors["meeting"] == ["La reunión fue cancelada."]


# --- proposals and votes -------------------------------------------------------------------------


def propose(w, meeting, user=None, title="Lectura en primer ciclo"):
    return services.propose_agenda_item(
        by=user or w.director_a,
        meeting=meeting,
        title=title,
        rationale="Los resultados bajaron.",
        pme_dimension="gestion_pedagogica",
    )


@pytest.mark.parametrize("role", ["supervisor_a", "director_a", "utp_a2", "rep_a"])
def test_active_members_propose_and_vote(meeting_world, meeting, role):
    user = getattr(meeting_world, role)
    proposal = propose(meeting_world, meeting, user)
    assert proposal.proposed_by == user and proposal.pme_dimension == "gestion_pedagogica"
    services.vote_for_proposal(by=user, proposal=proposal)
    assert proposal.votes.filter(user=user).count() == 1


@pytest.mark.parametrize(
    "role",
    [
        "supervisor_deprov",
        "utp_a1",
        "director_b",
        "supervisor_b",
        "analyst",
        "admin",
    ],
)
def test_non_members_may_not_propose_or_vote(meeting_world, meeting, role):
    user = getattr(meeting_world, role)
    proposal = propose(meeting_world, meeting)
    errors = refused(
        services.propose_agenda_item,
        by=user,
        meeting=meeting,
        title="Tema",
        rationale="Razón",
    )
    assert errors["user"] == ["Solo los integrantes de la red pueden proponer temas."]
    errors = refused(services.vote_for_proposal, by=user, proposal=proposal)
    assert errors["user"] == ["Solo los integrantes de la red pueden votar."]


def test_an_inactive_member_may_not_vote(meeting_world, meeting):
    proposal = propose(meeting_world, meeting)
    meeting_world.network_a.memberships.filter(user=meeting_world.utp_a2).update(active=False)
    errors = refused(services.vote_for_proposal, by=meeting_world.utp_a2, proposal=proposal)
    assert errors["user"] == ["Solo los integrantes de la red pueden votar."]


def test_a_second_vote_is_refused_and_a_vote_can_be_withdrawn(meeting_world, meeting):
    proposal = propose(meeting_world, meeting)
    services.vote_for_proposal(by=meeting_world.utp_a2, proposal=proposal)
    errors = refused(services.vote_for_proposal, by=meeting_world.utp_a2, proposal=proposal)
    assert errors["proposal"] == ["Ya votó por esta propuesta."]
    services.withdraw_vote(by=meeting_world.utp_a2, proposal=proposal)
    assert proposal.votes.count() == 0
    errors = refused(services.withdraw_vote, by=meeting_world.utp_a2, proposal=proposal)
    assert errors["proposal"] == ["No ha votado por esta propuesta."]


def test_proposals_and_votes_after_the_cut_off_are_refused(meeting_world):
    meeting = convene(meeting_world, proposals_close_at=in_days(1))
    proposal = propose(meeting_world, meeting)
    Meeting.objects.filter(pk=meeting.pk).update(
        proposals_close_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    meeting.refresh_from_db()
    errors = refused(
        services.propose_agenda_item,
        by=meeting_world.utp_a2,
        meeting=meeting,
        title="Tarde",
        rationale="Razón",
    )
    assert errors["meeting"][0].startswith("El plazo para proponer temas y votar cerró el")
    errors = refused(services.vote_for_proposal, by=meeting_world.utp_a2, proposal=proposal)
    assert errors["meeting"][0].startswith("El plazo para proponer temas y votar cerró el")


def test_a_proposal_needs_a_title_and_a_reason(meeting_world, meeting):
    errors = refused(
        services.propose_agenda_item,
        by=meeting_world.utp_a2,
        meeting=meeting,
        title="",
        rationale="",
        pme_dimension="astrologia",
    )
    assert errors == {
        "title": ["Indique el tema que propone."],
        "rationale": ["Cuente por qué este tema importa para la red."],
        "pme_dimension": ["Dimensión del PME no válida."],
    }


def test_only_the_author_withdraws_a_proposal_not_yet_on_the_agenda(meeting_world, meeting):
    proposal = propose(meeting_world, meeting)
    denied(services.withdraw_proposal, by=meeting_world.utp_a2, proposal=proposal)
    services.add_agenda_item(
        by=meeting_world.supervisor_a, meeting=meeting, proposal=proposal, duration_minutes=20
    )
    errors = refused(services.withdraw_proposal, by=meeting_world.director_a, proposal=proposal)
    assert errors["proposal"] == ["La propuesta ya está en la tabla de la reunión."]
    other = propose(meeting_world, meeting, title="Otro tema")
    services.withdraw_proposal(by=meeting_world.director_a, proposal=other)
    assert not AgendaProposal.objects.filter(pk=other.pk).exists()


# --- agenda ---------------------------------------------------------------------------------------


def test_the_agenda_is_built_from_proposals_and_new_items_in_order(meeting_world, meeting):
    top = propose(meeting_world, meeting, title="Lectura")
    item1 = services.add_agenda_item(
        by=meeting_world.supervisor_a,
        meeting=meeting,
        proposal=top,
        duration_minutes=30,
        presenter="Alicia",
    )
    assert (item1.title, item1.description, item1.order) == ("Lectura", top.rationale, 1)
    item2 = services.add_agenda_item(
        by=meeting_world.supervisor_a, meeting=meeting, title="Varios", duration_minutes=10
    )
    assert item2.order == 2 and item2.proposal is None
    services.move_agenda_item(by=meeting_world.supervisor_a, item=item2, offset=-1)
    assert list(meeting.agenda_items.values_list("title", flat=True)) == ["Varios", "Lectura"]
    services.remove_agenda_item(by=meeting_world.supervisor_a, item=item2)
    assert list(meeting.agenda_items.values_list("title", "order")) == [("Lectura", 1)]
    errors = refused(
        services.add_agenda_item,
        by=meeting_world.supervisor_a,
        meeting=meeting,
        proposal=top,
        duration_minutes=10,
    )
    assert errors["proposal"] == ["La propuesta ya está en la tabla."]


def test_agenda_items_need_a_title_and_a_sensible_length(meeting_world, meeting):
    errors = refused(
        services.add_agenda_item,
        by=meeting_world.supervisor_a,
        meeting=meeting,
        title="",
        duration_minutes=0,
    )
    assert errors == {
        "title": ["Indique el tema del punto."],
        "duration_minutes": ["La duración debe estar entre 1 y 480 minutos."],
    }


@pytest.mark.parametrize("role", ["director_a", "rep_a", "supervisor_b"])
def test_only_who_runs_the_meeting_sets_the_agenda(meeting_world, meeting, role):
    denied(
        services.add_agenda_item,
        by=getattr(meeting_world, role),
        meeting=meeting,
        title="Tema",
        duration_minutes=10,
    )


# --- RSVP and attendance -------------------------------------------------------------------------


def test_members_answer_the_rsvp_and_can_change_their_answer(meeting_world, meeting):
    services.respond_rsvp(
        by=meeting_world.director_a, meeting=meeting, answer="maybe", comment="Consejo"
    )
    services.respond_rsvp(by=meeting_world.director_a, meeting=meeting, answer="yes")
    row = meeting.attendances.get(user=meeting_world.director_a)
    assert (row.rsvp, row.rsvp_comment) == ("yes", "")
    errors = refused(
        services.respond_rsvp, by=meeting_world.director_b, meeting=meeting, answer="yes"
    )
    assert "user" in errors
    errors = refused(
        services.respond_rsvp, by=meeting_world.utp_a2, meeting=meeting, answer="quizás"
    )
    assert errors["answer"] == ["Elija si asistirá, no asistirá o tal vez."]


def test_a_member_who_joined_after_convening_can_answer(meeting_world, meeting):
    newcomer = PositionFactory(school=meeting_world.a3, user__email="nueva@escuela.cl").user
    MembershipFactory(
        network=meeting_world.network_a, user=newcomer, role="directivo", school=meeting_world.a3
    )
    services.respond_rsvp(by=newcomer, meeting=meeting, answer="yes")
    assert meeting.attendances.get(user=newcomer).role == "director"


def test_no_rsvp_once_the_meeting_started(meeting_world, held):
    errors = refused(services.respond_rsvp, by=meeting_world.director_a, meeting=held, answer="yes")
    assert "answer" in errors


def test_attendance_is_taken_once_started_and_marks_the_meeting_held(meeting_world, meeting):
    errors = refused(
        services.record_attendance,
        by=meeting_world.supervisor_a,
        meeting=meeting,
        present_user_ids=[meeting_world.director_a.pk],
    )
    assert errors["meeting"][0].startswith("La asistencia se registra desde el inicio de")
    move_to_past(meeting)
    services.record_attendance(
        by=meeting_world.supervisor_a,
        meeting=meeting,
        present_user_ids=[meeting_world.director_a.pk, meeting_world.supervisor_a.pk],
        partner_ids=[meeting_world.partner.pk],
        guests=["Carla Díaz, Universidad de Talca", "carla díaz, universidad de talca", ""],
    )
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    present = set(meeting.attendances.filter(attended=True).values_list("role", flat=True))
    assert present == {"director", "supervisor", "partner", "guest"}
    assert set(
        meeting.attendances.filter(attended=False).values_list("user__email", flat=True)
    ) == {"uma@escuela.cl", "rita@sostenedor.cl"}
    assert meeting.attendances.filter(role="guest").count() == 1
    # Taking it again replaces the earlier record.
    services.record_attendance(
        by=meeting_world.supervisor_a,
        meeting=meeting,
        present_user_ids=[meeting_world.utp_a2.pk],
    )
    assert list(meeting.attendances.filter(attended=True).values_list("user", flat=True)) == [
        meeting_world.utp_a2.pk
    ]
    assert not meeting.attendances.filter(role__in=["partner", "guest"]).exists()


def test_attendance_refuses_strangers(meeting_world, held):
    errors = refused(
        services.record_attendance,
        by=meeting_world.supervisor_a,
        meeting=held,
        present_user_ids=[meeting_world.director_b.pk],
    )
    assert "present_user_ids" in errors
    other_partner = meeting_world.partner.__class__.objects.create(name="Otro", kind="ngo")
    errors = refused(
        services.record_attendance,
        by=meeting_world.supervisor_a,
        meeting=held,
        present_user_ids=[],
        partner_ids=[other_partner.pk],
    )
    assert "partner_ids" in errors
    denied(
        services.record_attendance, by=meeting_world.director_a, meeting=held, present_user_ids=[]
    )


# --- minutes and files -----------------------------------------------------------------


def test_minutes_are_saved_then_published(meeting_world, held):
    minutes = services.save_minutes(by=meeting_world.supervisor_a, meeting=held, body="Borrador")
    assert minutes.published_at is None
    errors = refused(
        services.save_minutes, by=meeting_world.supervisor_a, meeting=held, body=" ", publish=True
    )
    assert errors["body"] == ["Escriba el acta antes de publicarla."]
    minutes = services.save_minutes(
        by=meeting_world.supervisor_a, meeting=held, body="## Acta\n\nAcordamos…", publish=True
    )
    held.refresh_from_db()
    assert minutes.published_at is not None and held.status == MeetingStatus.HELD
    denied(services.save_minutes, by=meeting_world.director_a, meeting=held, body="Mío")


def test_minutes_wait_for_the_meeting_day(meeting_world, meeting):
    errors = refused(
        services.save_minutes, by=meeting_world.supervisor_a, meeting=meeting, body="x"
    )
    assert errors["meeting"] == ["El acta se escribe desde el día de la reunión."]


def pdf(name="acta.pdf", size=None):
    content = pdf_bytes(size or 400)
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_attachments_are_checked_for_type_size_and_content(meeting_world, held):
    attachment = services.add_minutes_attachment(
        by=meeting_world.supervisor_a, meeting=held, file=pdf()
    )
    assert attachment.original_name == "acta.pdf" and attachment.size == 400
    errors = refused(
        services.add_minutes_attachment,
        by=meeting_world.supervisor_a,
        meeting=held,
        file=pdf(size=10 * 1024 * 1024 + 1),
    )
    assert "pesa" in errors["file"][0] and "el máximo es 10" in errors["file"][0]
    errors = refused(
        services.add_minutes_attachment,
        by=meeting_world.supervisor_a,
        meeting=held,
        file=SimpleUploadedFile("virus.exe", b"MZ\x90\x00", content_type="application/x-msdos"),
    )
    assert "no es de un tipo permitido" in errors["file"][0]
    errors = refused(
        services.add_minutes_attachment,
        by=meeting_world.supervisor_a,
        meeting=held,
        file=SimpleUploadedFile("falso.pdf", b"<html>", content_type="application/pdf"),
    )
    assert "no corresponde a un archivo PDF" in errors["file"][0]
    denied(services.add_minutes_attachment, by=meeting_world.director_a, meeting=held, file=pdf())


# --- agreements ------------------------------------------------------------------------


def test_agreements_with_a_member_or_a_school_responsible(meeting_world, held):
    due = timezone.localdate() + datetime.timedelta(days=30)
    agreement = services.add_agreement(
        by=meeting_world.supervisor_a,
        meeting=held,
        text="Compartir el plan de lectura",
        due_on=due,
        responsible_user=meeting_world.director_a,
    )
    assert (
        agreement.status == "open"
        and agreement.responsible_label == meeting_world.director_a.full_name
    )
    by_school = services.add_agreement(
        by=meeting_world.supervisor_a,
        meeting=held,
        text="Recibir la visita",
        due_on=due,
        responsible_school=meeting_world.a2,
    )
    assert by_school.responsible_label == "Liceo Talca Dos"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"text": " "}, "text"),
        ({"due_on": None}, "due_on"),
        ({"due_on": datetime.date(2020, 1, 1)}, "due_on"),
        ({"responsible_user": None}, "responsible_user"),
        ("outsider", "responsible_user"),
        ("other_school", "responsible_school"),
    ],
)
def test_bad_agreements_are_refused(meeting_world, held, changes, field):
    data = {
        "by": meeting_world.supervisor_a,
        "meeting": held,
        "text": "Acuerdo",
        "due_on": timezone.localdate() + datetime.timedelta(days=7),
        "responsible_user": meeting_world.director_a,
    }
    if changes == "outsider":
        changes = {"responsible_user": meeting_world.director_b}
    elif changes == "other_school":
        changes = {"responsible_user": None, "responsible_school": meeting_world.b1}
    errors = refused(services.add_agreement, **{**data, **changes})
    assert field in errors


def test_follow_up_notes_change_the_status_and_record_the_closing_date(meeting_world, held):
    agreement = services.add_agreement(
        by=meeting_world.supervisor_a,
        meeting=held,
        text="Compartir el plan",
        due_on=timezone.localdate() + datetime.timedelta(days=10),
        responsible_user=meeting_world.director_a,
    )
    # The responsible person follows it up; another member may not.
    services.follow_up_agreement(
        by=meeting_world.director_a, agreement=agreement, text="Avanzamos", status="in_progress"
    )
    denied(
        services.follow_up_agreement,
        by=meeting_world.utp_a2,
        agreement=agreement,
        text="Yo también",
    )
    services.follow_up_agreement(
        by=meeting_world.supervisor_a, agreement=agreement, text="Listo", status="done"
    )
    agreement.refresh_from_db()
    assert agreement.status == "done" and agreement.closed_on == timezone.localdate()
    assert list(agreement.notes.values_list("status", flat=True)) == ["in_progress", "done"]
    services.follow_up_agreement(
        by=meeting_world.supervisor_a, agreement=agreement, text="Se reabre", status="open"
    )
    agreement.refresh_from_db()
    assert agreement.status == "open" and agreement.closed_on is None
    errors = refused(
        services.follow_up_agreement, by=meeting_world.supervisor_a, agreement=agreement, text=""
    )
    assert errors["text"] == ["Escriba la nota de seguimiento."]


def test_members_of_the_responsible_school_follow_up(meeting_world, held):
    agreement = services.add_agreement(
        by=meeting_world.supervisor_a,
        meeting=held,
        text="Recibir la visita",
        due_on=timezone.localdate() + datetime.timedelta(days=10),
        responsible_school=meeting_world.a2,
    )
    services.follow_up_agreement(by=meeting_world.utp_a2, agreement=agreement, text="Fecha fijada")
    denied(
        services.follow_up_agreement, by=meeting_world.director_a, agreement=agreement, text="No"
    )


def test_rescheduling_after_the_cut_off_keeps_proposals_closed(meeting_world, meeting):
    closed = timezone.now() - datetime.timedelta(hours=1)
    Meeting.objects.filter(pk=meeting.pk).update(proposals_close_at=closed)
    meeting.refresh_from_db()
    services.reschedule_meeting(
        by=meeting_world.supervisor_a,
        meeting=meeting,
        starts_at=in_days(15),
        ends_at=in_days(15, 2),
    )
    meeting.refresh_from_db()
    assert meeting.proposals_close_at == closed and not meeting.proposals_open
    errors = refused(
        services.update_meeting,
        by=meeting_world.supervisor_a,
        meeting=meeting,
        proposals_close_at=closed - datetime.timedelta(hours=1),
    )
    assert errors["proposals_close_at"] == ["El cierre de propuestas no puede estar en el pasado."]
