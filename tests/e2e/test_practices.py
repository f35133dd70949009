import re

import pytest
from playwright.sync_api import expect

from networks.models import Membership
from schools.models import Position
from tests.factories import (
    NetworkFactory,
    NetworkSchoolFactory,
    SchoolFactory,
    UserFactory,
    pme_catalog,
    territory_comuna,
)

from .test_pme import sign_in, sign_out

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def directivo(school, network, first_name, last_name):
    user = UserFactory(role="director", first_name=first_name, last_name=last_name)
    Position.objects.create(user=user, school=school, role="director")
    Membership.objects.create(network=network, user=user, role="directivo", school=school)
    return user


def test_a_practice_shared_with_all_is_found_adopted_and_the_author_sees_it(page):
    pme_catalog()
    talca = SchoolFactory(comuna=territory_comuna(7101), name="Escuela Las Araucarias")
    santiago = SchoolFactory(comuna=territory_comuna(13101), name="Liceo Bicentenario Sur")
    network_a = NetworkFactory(code="RME-07-077", name="Red Talca Oriente", deprov_id=72)
    network_b = NetworkFactory(code="RME-13-077", name="Red Santiago Centro", deprov_id=131)
    NetworkSchoolFactory(network=network_a, school=talca)
    NetworkSchoolFactory(network=network_b, school=santiago)
    author = directivo(talca, network_a, "Rosa", "Directora")
    adopter = directivo(santiago, network_b, "Pedro", "Director")

    # The director of Las Araucarias shares a practice with every user.
    sign_in(page, author.email)
    page.get_by_role("link", name="Prácticas").first.click()
    expect(page.get_by_role("heading", name="Biblioteca de prácticas")).to_be_visible()
    page.get_by_role("link", name="Compartir una práctica").click()
    page.get_by_label("Título").fill("Evaluación formativa con tickets de salida")
    page.get_by_label("Resumen").fill("Una pregunta al cierre de cada clase orienta la siguiente.")
    page.get_by_label("Qué se hizo").fill("Tickets de salida **diarios** en matemática.")
    page.get_by_label("Dimensión del PME", exact=True).select_option(label="Gestión pedagógica")
    page.get_by_label("Etiquetas").fill("evaluación, matemática")
    page.get_by_label("Todos los usuarios de la plataforma").check()
    page.get_by_role("button", name="Guardar borrador").click()
    expect(page.get_by_text("Borrador guardado.")).to_be_visible()
    page.get_by_role("button", name="Publicar").click()
    expect(page.get_by_text("Práctica publicada.")).to_be_visible()
    sign_out(page)

    # A director of another network, in another DEPROV, finds it without accents.
    sign_in(page, adopter.email)
    page.goto("/practices/")
    page.get_by_role("textbox", name="Buscar").fill("evaluacion")
    page.get_by_role("button", name="Buscar").click()
    expect(page.get_by_test_id("result-count")).to_have_text(re.compile("^1 práctica"))
    page.get_by_role("link", name="Evaluación formativa con tickets de salida").click()
    expect(page.locator("strong", has_text="diarios")).to_be_visible()
    page.get_by_label("Etapa").select_option(label="Probando")
    page.get_by_label("Notas").fill("Partimos con 7.º básico en abril.")
    page.get_by_role("button", name="Registrar adopción").click()
    expect(page.get_by_text("Adopción registrada.")).to_be_visible()
    page.screenshot(path="/tmp/practices_work/e2e_adopted.png", full_page=True)
    sign_out(page)

    # The author sees who adopted it and how it goes.
    sign_in(page, author.email)
    page.goto("/practices/")
    page.get_by_role("link", name="Evaluación formativa con tickets de salida").first.click()
    adoption = page.get_by_test_id("adoption")
    expect(adoption).to_contain_text("Liceo Bicentenario Sur")
    expect(adoption).to_contain_text("Probando")
    expect(adoption).to_contain_text("Partimos con 7.º básico en abril.")
