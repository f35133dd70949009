"""The meeting page in Chromium at 1280 and 390 px (issue 16): the counts
table fits its card and follows an RSVP without a reload, the calendar
button reads as a button; a supervisor records a meeting held yesterday and
takes its attendance; a future meeting's attendance page says when it opens.
Screenshots go to var/screenshots/meeting_*.png."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from networks.meetings import services as meeting_services
from networks.models import Membership, Network, NetworkSchool
from schools.models import Deprov, Position, SupervisorProfile
from tests.factories import (
    PASSWORD,
    SchoolFactory,
    SostenedorRepresentativeFactory,
    UserFactory,
    territory_comuna,
)

from .conftest import SCREENSHOTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDE, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}


def sign_in(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").last.click()
    expect(page.get_by_role("heading", name=re.compile("^Hola"))).to_be_visible()


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"meeting_{name}.png"), full_page=True)


def local(value):
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def talca():
    """Red Talca Centro with its supervisor, a director, a head of UTP and a
    sostenedor's representative (the longest role name in the counts)."""
    school_a = SchoolFactory(comuna=territory_comuna(7101), name="Escuela Las Araucarias")
    school_b = SchoolFactory(comuna=territory_comuna(7101), name="Liceo Río Claro")
    network = Network.objects.create(
        code="RME-07-078", name="Red Talca Centro", deprov=Deprov.objects.get(code=72), year=2025
    )
    for school in (school_a, school_b):
        NetworkSchool.objects.create(network=network, school=school)
    supervisor = UserFactory(role="supervisor", first_name="Sofía", last_name="Supervisora")
    SupervisorProfile.objects.create(user=supervisor, deprov_id=72)
    Membership.objects.create(network=network, user=supervisor, role="supervisor")
    rosa = UserFactory(role="director", first_name="Rosa", last_name="Paz")
    pablo = UserFactory(role="utp", first_name="Pablo", last_name="Soto")
    for user, school, role in ((rosa, school_a, "director"), (pablo, school_b, "utp")):
        Position.objects.create(user=user, school=school, role=role)
        Membership.objects.create(network=network, user=user, role="directivo", school=school)
    rep = SostenedorRepresentativeFactory(
        sostenedor=school_a.sostenedor, user__first_name="Ramón", user__last_name="Muñoz"
    ).user
    Membership.objects.create(network=network, user=rep, role="sostenedor_rep")
    return network, supervisor, rosa, rep


def convene(network, supervisor, days=9):
    starts = timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(days=days)
    return meeting_services.convene_meeting(
        by=supervisor,
        network=network,
        title="Reunión de abril",
        objective="Mejorar la lectura en primer ciclo",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        place="Escuela Las Araucarias, biblioteca",
    )


def inside(inner, outer):
    a, b = inner.bounding_box(), outer.bounding_box()
    return a["x"] >= b["x"] - 0.5 and a["x"] + a["width"] <= b["x"] + b["width"] + 0.5


def test_the_counts_fit_and_follow_an_rsvp_without_reload(page, talca):
    network, supervisor, _rosa, rep = talca
    meeting = convene(network, supervisor)
    page.set_viewport_size(WIDE)
    sign_in(page, rep.email)
    page.goto(f"/meetings/{meeting.pk}/")
    page.evaluate("window.__noReload = true")

    counts = page.get_by_role("region", name="Respuestas a la convocatoria")
    table = counts.get_by_role("table")
    for header in ("Rol", "Sí", "No", "Tal vez", "Invitados"):
        cell = table.get_by_role("columnheader", name=header, exact=True)
        expect(cell).to_be_visible()
        assert inside(cell, counts), f"«{header}» is cut off"
    scroller = counts.locator(".table-responsive")
    assert scroller.evaluate("el => el.scrollWidth <= el.clientWidth")

    calendar = page.get_by_role("link", name="Agregar a mi calendario (.ics)")
    expect(calendar).to_be_visible()
    expect(calendar).to_have_class(re.compile(r"\bbtn-outline-primary\b"))

    row = table.get_by_role("row", name=re.compile("Representante del sostenedor"))
    expect(row.get_by_role("cell").nth(2)).to_have_text("0")  # Sí, No, Tal vez, Invitados
    page.locator("#rsvp").get_by_text("Tal vez", exact=True).click()
    page.get_by_role("button", name="Guardar respuesta").click()
    expect(page.get_by_text("Respuesta guardada.")).to_be_visible()
    expect(row.get_by_role("cell").nth(2)).to_have_text("1")
    expect(counts.get_by_text("3 integrantes aún no responden.")).to_be_visible()
    assert page.evaluate("window.__noReload === true")
    shot(page, "rsvp_1280")
    page.set_viewport_size(PHONE)
    shot(page, "rsvp_390")


def test_a_meeting_held_yesterday_is_recorded_and_a_future_one_waits(page, talca):
    network, supervisor, _rosa, _rep = talca
    future = convene(network, supervisor)
    mail.outbox.clear()
    page.set_viewport_size(WIDE)
    sign_in(page, supervisor.email)

    # A future meeting: the attendance page says when it opens, no sheet.
    page.goto(f"/meetings/{future.pk}/attendance/")
    expect(page.get_by_text("La asistencia se toma desde el inicio de la reunión")).to_be_visible()
    expect(page.get_by_role("checkbox")).to_have_count(0)
    shot(page, "attendance_future_1280")

    # Yesterday's meeting, recorded afterwards.
    page.goto("/meetings/")
    page.get_by_label("Red que convoca").select_option("RME-07-078")
    shot(page, "list_1280")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth <= 390")
    shot(page, "list_390")
    page.set_viewport_size(WIDE)
    page.get_by_role("button", name="Registrar reunión realizada").click()
    expect(page.get_by_text("no se envía ningún correo")).to_be_visible()
    shot(page, "record_form_1280")
    starts = timezone.localtime().replace(hour=11, minute=0, second=0, microsecond=0)
    starts -= datetime.timedelta(days=1)
    page.get_by_label("Título").fill("Reunión de marzo")
    page.get_by_label("Inicio").fill(local(starts))
    page.get_by_label("Término").fill(local(starts + datetime.timedelta(hours=2)))
    page.get_by_label("Lugar").fill("Liceo Río Claro")
    page.get_by_role("button", name="Registrar reunión realizada").click()
    expect(page.get_by_text("Reunión registrada como realizada")).to_be_visible()
    page.set_viewport_size(PHONE)
    page.get_by_role("checkbox", name="Rosa Paz").check()
    page.get_by_role("checkbox", name="Sofía Supervisora").check()
    page.get_by_role("button", name="Guardar asistencia").click()
    expect(page.get_by_text("Asistencia guardada.")).to_be_visible()
    expect(page.get_by_text("Realizada", exact=True)).to_be_visible()
    # Over: no RSVP card, no calendar file; the counts are of presence.
    expect(page.get_by_role("region", name="Su asistencia")).to_have_count(0)
    expect(page.get_by_role("link", name="Agregar a mi calendario (.ics)")).to_have_count(0)
    expect(page.locator("section[aria-labelledby=h-summary]")).to_be_visible()
    shot(page, "recorded_390")
    page.set_viewport_size(WIDE)
    shot(page, "recorded_1280")
    assert mail.outbox == []

    page.get_by_role("link", name="Acta y acuerdos").click()
    page.get_by_label("Acta", exact=True).fill("## Desarrollo\n\nSe revisó la lectura.")
    page.get_by_role("button", name="Publicar acta").click()
    expect(page.get_by_text("Acta publicada.")).to_be_visible()


def sign_in_in_english(page, user):
    """Sign in (the form is in Spanish until then) as `user`, whose language
    is English: the pages that follow are in English."""
    user.language = "en"
    user.save(update_fields=["language"])
    page.goto("/accounts/login/")
    page.get_by_label("Correo electrónico").fill(user.email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").last.click()
    expect(page.get_by_role("heading", name=re.compile("^(Hello|Hi)"))).to_be_visible()


def test_proposals_fit_a_phone_in_english(page, talca):
    """A member's proposals list at 390 px in English: the vote count and the
    'Voted · withdraw' button stay on the screen (the page does not scroll
    sideways), as in Spanish; the PME badge "Student development and school
    climate" wraps instead of pushing them off."""
    network, supervisor, rosa, rep = talca
    meeting = convene(network, supervisor)
    proposal = meeting_services.propose_agenda_item(
        by=rep,
        meeting=meeting,
        title="Estrategias de comprensión lectora en primer ciclo básico",
        rationale="Compartir lo que funcionó en cada escuela durante el semestre.",
        pme_dimension="formacion_convivencia",  # the longest badge in English
    )
    for voter in (rosa, rep):
        meeting_services.vote_for_proposal(by=voter, proposal=proposal)
    page.set_viewport_size(PHONE)
    sign_in_in_english(page, rosa)
    page.goto(f"/meetings/{meeting.pk}/")
    votes = page.locator(f"#proposal-{proposal.pk} [data-testid=votes]")
    expect(votes).to_contain_text("2 votes")
    expect(page.get_by_role("button", name=re.compile("Withdraw my vote"))).to_be_visible()
    shot(page, "proposals_en_390")
    assert page.evaluate("document.documentElement.scrollWidth <= 390")

    # The supervisor's agenda builder, same phone: the proposal's card holds
    # its count, and the presenter's field is wide enough to read a name.
    page.context.clear_cookies()
    sign_in_in_english(page, supervisor)
    page.goto(f"/meetings/{meeting.pk}/agenda/")
    presenter = page.locator(f"#presenter-{proposal.pk}")
    expect(presenter).to_have_value("Ramón Muñoz")
    shot(page, "agenda_builder_en_390")
    assert presenter.bounding_box()["width"] >= 150
    assert page.evaluate("document.documentElement.scrollWidth <= 390")
