"""The survey end to end in Chromium: an invited directivo answers half by
the link in the email, closes the browser, resumes on another device and
submits; the analyst follows the response rate and, after closing and
publishing, reads the results."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from monitoring import services
from monitoring.models import Draft, Invitation, Question, Response
from schools.models import Comuna, Position
from tests.factories import (
    PASSWORD,
    AnalystScopeFactory,
    CampaignFactory,
    NetworkFactory,
    NetworkSchoolFactory,
    SchoolFactory,
    UserFactory,
    default_instrument,
)
from tests.helpers import current_totp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page, email, *, totp=False):
    page.goto("/accounts/login/")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").last.click()
    if totp:
        page.get_by_label("Código").fill(current_totp())
        page.get_by_role("button", name="Iniciar sesión").click()
    expect(page.get_by_role("heading", name=re.compile("^Hola"))).to_be_visible()


def answer(page, code, label):
    page.locator(f"#q-{code}").get_by_text(label, exact=True).click()


def test_a_directivo_answers_in_two_sittings_and_the_analyst_publishes(browser, live_server):
    instrument = default_instrument()
    likert = list(
        Question.objects.filter(instrument=instrument, kind="likert5").order_by(
            "section__order", "order"
        )
    )
    network = NetworkFactory(code="RME-07-777", name="Red Talca Oriente", deprov_id=72)
    talca = Comuna.objects.get(cut=7101)
    directora = UserFactory(email="rosa.paz@escuela.cl", first_name="Rosa", last_name="Paz")
    colleagues = []
    for i in range(5):
        school = SchoolFactory(comuna=talca, name=f"Escuela Oriente {i}")
        NetworkSchoolFactory(network=network, school=school)
        person = UserFactory(email=f"colega{i}@escuela.cl")
        Position.objects.create(user=person, school=school, role="director")
        colleagues.append(person)
    own = SchoolFactory(comuna=talca, name="Escuela Las Araucarias")
    NetworkSchoolFactory(network=network, school=own)
    Position.objects.create(user=directora, school=own, role="director")
    analyst = AnalystScopeFactory(user__email="analista@mineduc.cl").user
    campaign = CampaignFactory(slug="rme-2025", name="Encuesta de monitoreo 2025")
    services.open_campaign(by=analyst, campaign=campaign)  # commits: the emails go out
    email = next(m for m in mail.outbox if m.to == [directora.email])
    link = re.search(r"https?://\S+/monitoring/respond/\S+/", email.body).group(0)
    path = "/" + link.split("/", 3)[3]

    # First sitting, on a phone: half of the questions.
    phone = browser.new_context(
        base_url=live_server.url, locale="es-CL", viewport={"width": 390, "height": 844}
    )
    page = phone.new_page()
    page.goto(path)
    expect(page.get_by_role("heading", name="Encuesta de monitoreo 2025")).to_be_visible()
    expect(page.get_by_text("0 de 40 preguntas respondidas")).to_be_visible()
    half = likert[:17]
    for question in half:
        answer(page, question.code, "De acuerdo")
    expect(page.get_by_text("17 de 40 preguntas respondidas")).to_be_visible()
    expect(page.get_by_test_id("saved")).to_be_visible()
    phone.close()
    assert Response.objects.count() == 0

    # Second sitting, on a computer, by the same link.
    desk = browser.new_context(base_url=live_server.url, locale="es-CL")
    page = desk.new_page()
    page.goto(path)
    expect(page.get_by_text("17 de 40 preguntas respondidas")).to_be_visible()
    expect(page.locator(f"#{half[0].code}-4")).to_be_checked()
    for question in likert[17:]:
        answer(page, question.code, "Muy de acuerdo")
    answer(page, "RME_FRECUENCIA_REUNIONES", "Una vez al mes")
    answer(page, "RME_FRECUENCIA_ADECUADA", "Adecuada")
    page.locator("#RME_COMENTARIOS-input").fill("Más vínculos con el CESFAM.")
    page.get_by_role("button", name="Enviar respuestas").click()
    expect(page.get_by_role("heading", name="¡Gracias por responder!")).to_be_visible()
    # The link now says it was answered; nothing more can be sent.
    page.goto(path)
    expect(page.get_by_role("heading", name="Esta encuesta ya fue respondida")).to_be_visible()
    desk.close()
    # Submitted and counted, but held in the draft until a batch of
    # MIN_CELL_SIZE (or the close) writes it as an anonymous response.
    assert Draft.objects.get(invitation__user=directora, invitation__campaign=campaign).submitted
    assert Response.objects.filter(campaign=campaign).count() == 0

    # The colleagues answer too (through the same service as the form).
    answers = {q.code: 4 for q in likert} | {
        "RME_FRECUENCIA_REUNIONES": 2,
        "RME_FRECUENCIA_ADECUADA": 1,
    }
    for person in colleagues:
        invitation = Invitation.objects.get(campaign=campaign, user=person)
        services.submit_response(invitation=invitation, answers=answers)

    # The analyst follows participation, closes and publishes.
    office = browser.new_context(base_url=live_server.url, locale="es-CL")
    page = office.new_page()
    sign_in(page, analyst.email, totp=True)
    page.goto("/monitoring/")
    page.get_by_role("link", name="Encuesta de monitoreo 2025").click()
    expect(page.get_by_test_id("rate")).to_contain_text("6 de 6 invitados respondieron")
    page.get_by_role("link", name="Participación por región y red").click()
    expect(page.get_by_role("row", name=re.compile("RME-07-777"))).to_contain_text("100,0 %")
    expect(page.get_by_text("rosa.paz@escuela.cl")).to_have_count(0)
    page.go_back()
    page.get_by_role("button", name="Cerrar campaña").click()
    expect(page.get_by_test_id("status")).to_have_text("Cerrada")
    assert Response.objects.filter(campaign=campaign).count() == 6
    page.get_by_role("button", name="Publicar resultados").click()
    expect(page.get_by_test_id("status")).to_have_text("Publicada")
    page.get_by_role("link", name="Ver resultados").click()
    page.get_by_label("Alcance", exact=True).select_option("network:RME-07-777")
    page.get_by_role("button", name="Ver", exact=True).click()
    expect(page.get_by_text("RME-07-777 · Red Talca Oriente · 6 respuestas")).to_be_visible()
    first = page.get_by_role("article", name=re.compile("RME_META_COMUN"))
    expect(first.locator("svg")).to_be_visible()
    # 6 answers: 5 colleagues agree (4) and Rosa agreed (4): 100 % agreement.
    expect(first.get_by_role("row", name=re.compile("RME-07-777"))).to_contain_text("100,0 %")
    office.close()
