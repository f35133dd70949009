import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from networks.models import Membership
from schools.models import Deprov, Position, SupervisorProfile
from tests.factories import (
    PASSWORD,
    AnnualPlanFactory,
    NetworkFactory,
    NetworkSchoolFactory,
    PMECycleFactory,
    SchoolFactory,
    UserFactory,
    pme_catalog,
    territory_comuna,
)
from tests.helpers import pdf_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PDF = pdf_bytes()


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


def test_utp_head_reports_progress_and_the_supervisor_follows_it(page, tmp_path):
    pme_catalog()
    school = SchoolFactory(comuna=territory_comuna(7101), name="Escuela Las Araucarias")
    network = NetworkFactory(code="RME-07-077", name="Red Talca Oriente", deprov_id=72)
    NetworkSchoolFactory(network=network, school=school)
    utp = UserFactory(role="utp", first_name="Ulises", last_name="Jefe Técnico")
    Position.objects.create(user=utp, school=school, role="utp")
    supervisor = UserFactory(role="supervisor", first_name="Sofía", last_name="Supervisora")
    SupervisorProfile.objects.create(user=supervisor, deprov=Deprov.objects.get(code=72))
    Membership.objects.create(network=network, user=supervisor, role="supervisor")
    cycle = PMECycleFactory(school=school)
    AnnualPlanFactory(cycle=cycle, school=school, year=2025, shared_with_network=True)
    evidence = tmp_path / "acta-consejo.pdf"
    evidence.write_bytes(PDF)

    # The head of UTP adds an action to the 2025 plan.
    sign_in(page, utp.email)
    page.goto("/pme/")
    page.get_by_role("link", name="PME 2025").click()
    expect(page.get_by_role("heading", name="Plan anual 2025")).to_be_visible()
    page.get_by_role("link", name="Nueva acción").click()
    page.get_by_label("Nombre de la acción").fill("Club de lectura en primer ciclo")
    page.get_by_label("Dimensión", exact=True).select_option(label="Gestión pedagógica")
    page.get_by_label("Inicio", exact=True).fill("2025-04-01")
    page.get_by_label("Término").fill("2025-11-28")
    page.get_by_label("Responsable (cargo)").fill("Jefe de UTP")
    page.get_by_label("Financiamiento SEP (CLP)").fill("1200000")
    page.get_by_role("button", name="Agregar acción").click()
    expect(page.get_by_text("Acción «Club de lectura en primer ciclo» agregada.")).to_be_visible()
    expect(page.get_by_text("$1.200.000").first).to_be_visible()

    # ... and reports its progress with evidence.
    page.get_by_role("link", name="Club de lectura en primer ciclo").click()
    page.get_by_label("Fecha", exact=True).fill("2025-06-30")
    page.get_by_label("Avance (%)").fill("60")
    page.get_by_label("Nota").fill("Tres sesiones realizadas con 4.º básico.")
    page.get_by_label("Evidencias").set_input_files(str(evidence))
    page.get_by_role("button", name="Registrar avance").click()
    expect(page.get_by_text("Avance registrado: 60 %.")).to_be_visible()
    expect(page.get_by_role("link", name="acta-consejo.pdf")).to_be_visible()
    sign_out(page)

    # The supervisor sees it in the network's rollup and comments.
    sign_in(page, supervisor.email)
    page.goto(f"/pme/networks/{network.code}/")
    panel = page.get_by_test_id("pme-network-panel")
    expect(panel.get_by_text("1 de 1 establecimiento comparte su plan anual.")).to_be_visible()
    expect(page.get_by_test_id("pme-actions")).to_have_text("1")
    expect(page.get_by_test_id("pme-progress")).to_have_text("60 %")
    expect(page.get_by_test_id("pme-funding")).to_contain_text("$1.200.000")
    page.get_by_test_id("pme-schools").get_by_role("link", name="Escuela Las Araucarias").click()
    expect(page.get_by_role("heading", name="Plan anual 2025")).to_be_visible()
    page.get_by_role("link", name="Club de lectura en primer ciclo").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="acta-consejo.pdf").click()
    assert download.value.suggested_filename == "acta-consejo.pdf"
    page.get_by_label("Comentario", exact=True).fill(
        "¡Muy buen avance! Compártanlo en la próxima reunión."
    )
    page.get_by_role("button", name="Publicar comentario").click()
    comments = page.locator("#comments-box")
    expect(
        comments.get_by_text("¡Muy buen avance! Compártanlo en la próxima reunión.")
    ).to_be_visible()
    expect(comments.get_by_text("Sofía Supervisora")).to_be_visible()
    # Posted in place (htmx): the page did not reload, the field is empty again.
    expect(page.get_by_label("Comentario", exact=True)).to_have_value("")
    assert re.search(r"/pme/actions/\d+/$", page.url)
    # The school is told by email.
    assert [message.to for message in mail.outbox] == [[utp.email]]
