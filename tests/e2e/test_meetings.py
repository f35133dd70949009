"""A network meeting end to end in Chromium: a supervisor convenes, two
members propose and vote (htmx, no reload), the supervisor builds the agenda
from the top proposal, takes attendance, publishes the minutes and an
agreement, and the agreement shows on a member's home page and on the next
meeting."""

import datetime
import re
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from networks.meetings import services as meeting_services
from networks.meetings.models import Meeting
from networks.models import Membership, Network, NetworkSchool
from schools.models import Deprov, Position, SupervisorProfile
from tests.factories import (
    PASSWORD,
    ExternalPartnerFactory,
    SchoolFactory,
    UserFactory,
    territory_comuna,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HOME_PY = Path(__file__).resolve().parents[2] / "rme_platform" / "home.py"


def sign_in(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").last.click()
    expect(page.get_by_role("heading", name=re.compile("^Hola"))).to_be_visible()


def sign_out(page):
    page.locator("#user-menu").click()
    page.get_by_role("button", name="Cerrar sesión").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def local(value):
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def mark_page(page):
    """A flag that survives htmx swaps but not a page load."""
    page.evaluate("window.__noReload = true")


def assert_not_reloaded(page):
    assert page.evaluate("window.__noReload === true")


def test_a_meeting_from_convening_to_follow_up(page):
    talca = territory_comuna(7101)
    school_a = SchoolFactory(comuna=talca, name="Escuela Las Araucarias")
    school_b = SchoolFactory(comuna=talca, name="Liceo Río Claro")
    network = Network.objects.create(
        code="RME-07-077", name="Red Talca Norte", deprov=Deprov.objects.get(code=72), year=2025
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
    partner = ExternalPartnerFactory(name="CESFAM Talca Norte", kind="health")
    partner.networks.add(network)
    starts = timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(days=9)

    # 1. The supervisor convenes.
    sign_in(page, supervisor.email)
    page.goto("/meetings/")
    page.get_by_label("Red que convoca").select_option("RME-07-077")
    page.get_by_role("button", name="Convocar reunión").click()
    page.get_by_label("Título").fill("Reunión de abril")
    page.get_by_label("Objetivo").fill("Mejorar la lectura en primer ciclo")
    page.get_by_label("Inicio").fill(local(starts))
    page.get_by_label("Término").fill(local(starts + datetime.timedelta(hours=2)))
    page.get_by_label("Lugar").fill("Escuela Las Araucarias, biblioteca")
    page.get_by_label("Establecimiento anfitrión").select_option(label="Escuela Las Araucarias")
    page.get_by_role("button", name="Convocar", exact=True).click()
    expect(page.get_by_text("Reunión convocada.")).to_be_visible()
    expect(page.get_by_role("heading", name="Reunión de abril")).to_be_visible()
    meeting = Meeting.objects.get(title="Reunión de abril")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [supervisor.email, rosa.email, pablo.email]
    )
    assert mail.outbox[0].attachments[0][0] == "reunion.ics"
    sign_out(page)

    # 2. Two members propose and vote, without reloading the page.
    proposals = page.get_by_role("region", name="Temas propuestos por los integrantes")
    for user, title, why, vote_for in (
        (
            rosa,
            "Lectura en primer ciclo",
            "Bajaron los resultados SIMCE.",
            "Lectura en primer ciclo",
        ),
        (pablo, "Convivencia en recreos", "Aumentaron los conflictos.", "Lectura en primer ciclo"),
    ):
        sign_in(page, user.email)
        page.goto(f"/meetings/{meeting.pk}/")
        mark_page(page)
        page.get_by_label("Tema que propone").fill(title)
        page.get_by_label("Por qué importa").fill(why)
        page.get_by_role("button", name="Proponer tema").click()
        expect(proposals.get_by_role("heading", name=title)).to_be_visible()
        page.get_by_role("button", name=f"Votar por «{vote_for}»").click()
        expect(page.get_by_role("button", name=f"Retirar mi voto por «{vote_for}»")).to_be_visible()
        expect(page.get_by_role("status").filter(has_text="quedó registrado")).to_have_count(1)
        if user == pablo:
            page.get_by_text("Asistiré", exact=True).click()
            page.get_by_role("button", name="Guardar respuesta").click()
            expect(page.get_by_text("Respuesta guardada.")).to_be_visible()
        assert_not_reloaded(page)
        sign_out(page)
    # 3. The supervisor builds the agenda from the top proposal.
    sign_in(page, supervisor.email)
    page.goto(f"/meetings/{meeting.pk}/")
    page.get_by_role("link", name="Armar la tabla").click()
    ranked = page.get_by_role("region", name="Propuestas de los integrantes, más votadas primero")
    expect(ranked.get_by_role("heading", level=3).first).to_have_text("Lectura en primer ciclo")
    mark_page(page)
    page.get_by_role("button", name="Agregar «Lectura en primer ciclo» a la tabla").click()
    agenda = page.get_by_role("region", name="Tabla de la reunión")
    expect(agenda.get_by_text("Lectura en primer ciclo")).to_be_visible()
    expect(agenda.get_by_text("Propuesto por integrantes")).to_be_visible()
    assert_not_reloaded(page)
    page.get_by_role("link", name="Volver a la reunión").click()
    expect(
        page.get_by_role("region", name="Tabla", exact=True).get_by_text(
            "Propuesto por integrantes"
        )
    ).to_be_visible()

    # 4. The day comes: attendance from the phone.
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=1),
        ends_at=timezone.now() + datetime.timedelta(hours=1),
        proposals_close_at=timezone.now() - datetime.timedelta(days=1),
    )
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.get_by_role("link", name="Tomar asistencia").click()
    page.get_by_role("checkbox", name="Rosa Paz").check()
    page.get_by_role("checkbox", name="Sofía Supervisora").check()
    page.get_by_role("checkbox", name="CESFAM Talca Norte").check()
    page.get_by_label("Invitados").fill("Carla Díaz, Universidad de Talca")
    page.get_by_role("button", name="Guardar asistencia").click()
    expect(page.get_by_text("Asistencia guardada.")).to_be_visible()
    expect(page.get_by_text("Realizada", exact=True)).to_be_visible()
    page.set_viewport_size({"width": 1280, "height": 900})

    # 5. Minutes and an agreement.
    page.get_by_role("link", name="Acta y acuerdos").click()
    page.get_by_label("Acta", exact=True).fill(
        "## Desarrollo\n\nSe revisó la **lectura**.\n\n<script>alert(1)</script>"
    )
    page.get_by_role("button", name="Publicar acta").click()
    expect(page.get_by_text("Acta publicada.")).to_be_visible()
    minutes = page.get_by_role("region", name="Acta", exact=True)
    expect(minutes.locator("strong", has_text="lectura")).to_be_visible()
    expect(minutes.locator("script")).to_have_count(0)
    page.get_by_role("link", name="Acta y acuerdos").click()
    page.get_by_label("Acuerdo", exact=True).fill("Compartir el plan de lectura de cada escuela")
    page.get_by_label("Persona responsable").select_option(label="Rosa Paz")
    page.get_by_label("Plazo").fill(
        (timezone.localdate() + datetime.timedelta(days=20)).isoformat()
    )
    page.get_by_role("button", name="Registrar acuerdo").click()
    expect(page.get_by_text("Acuerdo registrado.")).to_be_visible()
    sign_out(page)

    # 6. The next meeting follows the agreement up; so does Rosa's home page.
    next_meeting = meeting_services.convene_meeting(
        by=supervisor,
        network=network,
        title="Reunión de mayo",
        starts_at=starts + datetime.timedelta(days=30),
        ends_at=starts + datetime.timedelta(days=30, hours=2),
        place="Liceo Río Claro",
    )
    sign_in(page, rosa.email)
    if "home_panel" in HOME_PY.read_text():
        home = page
    else:  # until the home page includes the panel, its fragment stands in
        page.goto("/meetings/panel/home/")
        home = page
    expect(home.get_by_text("Compartir el plan de lectura de cada escuela")).to_be_visible()
    expect(home.get_by_text("Reunión de mayo")).to_be_visible()
    page.goto(f"/meetings/{next_meeting.pk}/")
    follow_up = page.get_by_role("region", name="Seguimiento de acuerdos anteriores")
    expect(follow_up.get_by_text("Compartir el plan de lectura de cada escuela")).to_be_visible()
    expect(follow_up.get_by_text("Responsable: Rosa Paz")).to_be_visible()
