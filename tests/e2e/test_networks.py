import re

import pytest
from playwright.sync_api import expect

from schools.models import Deprov, Position, SupervisorProfile
from tests.factories import PASSWORD, SchoolFactory, UserFactory, territory_comuna

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


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


def test_supervisor_builds_a_network_that_only_its_members_see(page):
    talca = territory_comuna(7101)
    school_a = SchoolFactory(comuna=talca, name="Escuela Las Araucarias")
    school_b = SchoolFactory(comuna=talca, name="Liceo Río Claro")
    elsewhere = SchoolFactory(comuna=territory_comuna(13101), name="Escuela Santiago Centro")
    supervisor = UserFactory(role="supervisor", first_name="Sofía", last_name="Supervisora")
    SupervisorProfile.objects.create(user=supervisor, deprov=Deprov.objects.get(code=72))
    member = UserFactory(role="director", first_name="Rosa", last_name="Paz")
    Position.objects.create(user=member, school=school_a, role="director")
    outsider = UserFactory(role="director", first_name="Otro", last_name="Director")
    Position.objects.create(user=outsider, school=elsewhere, role="director")

    sign_in(page, supervisor.email)
    page.get_by_role("link", name="Redes", exact=True).first.click()
    page.get_by_role("link", name="Nueva red").click()
    page.get_by_label("Código").fill("RME-07-042")
    page.get_by_label("Nombre").fill("Red Talca Norte")
    page.get_by_label("Departamento provincial").select_option(label="TALCA")
    page.get_by_role("button", name="Crear red").click()
    expect(page.get_by_role("heading", name="Red Talca Norte")).to_be_visible()

    for school in (school_a, school_b):
        page.get_by_label("RBD del establecimiento").fill(str(school.rbd))
        page.get_by_role("button", name="Sumar a la red").click()
        expect(page.get_by_role("link", name=school.name)).to_be_visible()
    # A school of another DEPROV is refused with a clear message.
    page.get_by_label("RBD del establecimiento").fill(str(elsewhere.rbd))
    page.get_by_role("button", name="Sumar a la red").click()
    expect(page.get_by_text("pertenece a otro departamento provincial")).to_be_visible()

    page.get_by_label("Correo de la persona").fill(member.email)
    page.get_by_label("Rol en la red").select_option("directivo")
    page.get_by_role("button", name="Sumar", exact=True).click()
    expect(page.get_by_role("region", name="Integrantes").get_by_text("Rosa Paz")).to_be_visible()

    page.get_by_label("Nombre", exact=True).fill("CESFAM Talca Norte")
    page.get_by_label("Tipo").select_option("health")
    page.get_by_role("button", name="Vincular", exact=True).click()
    expect(
        page.get_by_role("region", name="Vínculos con la comunidad").get_by_text(
            "CESFAM Talca Norte"
        )
    ).to_be_visible()
    sign_out(page)

    sign_in(page, member.email)
    page.get_by_role("link", name="RME-07-042").click()
    expect(page.get_by_role("heading", name="Red Talca Norte")).to_be_visible()
    expect(
        page.get_by_role("region", name="Vínculos con la comunidad").get_by_text(
            "CESFAM Talca Norte"
        )
    ).to_be_visible()
    # Members read the network but cannot manage it.
    expect(page.get_by_role("button", name="Sumar a la red")).to_have_count(0)
    sign_out(page)

    sign_in(page, outsider.email)
    expect(page.get_by_text("RME-07-042")).to_have_count(0)
    response = page.goto("/networks/RME-07-042/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Página no encontrada")).to_be_visible()
