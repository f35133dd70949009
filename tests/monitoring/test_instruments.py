"""Instruments: the default `rme-monitoreo`, and the editor analysts use
in the browser (sections and questions: add, order, edit, preview; copy to
a new version; frozen once a campaign uses it)."""

import pytest
from django.core.exceptions import ValidationError

from monitoring import services
from monitoring.default_instrument import CONTRACT_CODES
from monitoring.models import Instrument, Question, Section
from tests.factories import InstrumentFactory, default_instrument

pytestmark = pytest.mark.django_db

CONTRACT_TEXTS = {
    "RME_META_COMUN": "En la red trabajamos colectivamente hacia metas comunes.",
    "RME_AGENDA_PRIORIDADES": (
        "La agenda de la red se construye a partir de las prioridades de sus participantes."
    ),
    "RME_MEJORA_GESTION": "El trabajo en red se asocia al mejoramiento de mi gestión.",
    "RME_VINCULO_COMUNIDAD": (
        "La red establece mecanismos o canales para vincularse con otros actores o "
        "instituciones de la comunidad."
    ),
    "RME_INTERES_REUNIONES": (
        "Mi interés por participar en las reuniones de red ha aumentado desde que comenzaron."
    ),
}


def test_the_default_instrument_is_loaded_with_the_contract_questions():
    instrument = Instrument.objects.get(slug="rme-monitoreo")
    assert (instrument.version, instrument.language, instrument.frozen) == (1, "es", False)
    questions = {q.code: q for q in instrument.questions.all()}
    assert set(CONTRACT_CODES) == set(CONTRACT_TEXTS)
    for code, text in CONTRACT_TEXTS.items():
        assert questions[code].kind == "likert5"
        assert questions[code].text_es == text
        assert questions[code].text_en
    kinds = {q.kind for q in questions.values()}
    assert kinds == {"likert5", "single", "multiple", "number", "text"}
    assert 35 <= len(questions) <= 45
    assert all(q.construct for q in questions.values())


@pytest.fixture
def editor(monitoring_world, login):
    client = login(monitoring_world.analyst_rm)  # any analyst builds instruments
    instrument = InstrumentFactory(slug="piloto")
    return client, instrument


def test_an_analyst_builds_an_instrument_in_the_browser(editor):
    client, instrument = editor
    base = f"/monitoring/instruments/{instrument.slug}/"
    assert client.get(base).status_code == 200
    client.post(base + "sections/add/", {"title_es": "Clima", "title_en": "Climate"})
    client.post(base + "sections/add/", {"title_es": "Liderazgo"})
    clima, liderazgo = instrument.sections.order_by("order")
    response = client.post(
        base + "questions/add/",
        {
            "section": clima.pk,
            "code": "pil_confianza",
            "kind": "likert5",
            "text_es": "Confío en mis colegas de red.",
            "construct": "Confianza",
            "required": "on",
        },
    )
    assert response.status_code == 302
    client.post(
        base + "questions/add/",
        {
            "section": clima.pk,
            "code": "PIL_FRECUENCIA",
            "kind": "single",
            "text_es": "¿Cada cuánto se reúnen?",
            "options_text": "mensual | Cada mes | Monthly\nanual | Cada año",
        },
    )
    first, second = clima.questions.order_by("order")
    assert (first.code, second.code) == ("PIL_CONFIANZA", "PIL_FRECUENCIA")
    assert second.options == [
        {"value": "mensual", "es": "Cada mes", "en": "Monthly"},
        {"value": "anual", "es": "Cada año", "en": ""},
    ]
    # Order: move the second question up, and the second section up.
    client.post(base + f"questions/{second.pk}/move/", {"direction": "up"})
    assert list(clima.questions.order_by("order").values_list("code", flat=True)) == [
        "PIL_FRECUENCIA",
        "PIL_CONFIANZA",
    ]
    client.post(base + f"sections/{liderazgo.pk}/move/", {"direction": "up"})
    assert list(instrument.sections.order_by("order").values_list("title_es", flat=True)) == [
        "Liderazgo",
        "Clima",
    ]
    # Edit: change the text and move it to the other section.
    response = client.post(
        base + f"questions/{first.pk}/edit/",
        {
            "section": liderazgo.pk,
            "code": "PIL_CONFIANZA",
            "kind": "likert5",
            "text_es": "Confío en los integrantes de la red.",
            "construct": "Confianza",
        },
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.section == liderazgo and not first.required
    # Preview as a respondent.
    preview = client.get(base + "preview/").content.decode()
    assert "Confío en los integrantes de la red." in preview
    assert "Cada mes" in preview and "Vista previa" in preview
    client.post(base + f"questions/{second.pk}/delete/")
    assert not Question.objects.filter(pk=second.pk).exists()


def test_the_editor_refuses_bad_questions_with_a_message(editor):
    client, instrument = editor
    section = services.add_section(by=_admin(), instrument=instrument, title_es="Uno")
    base = f"/monitoring/instruments/{instrument.slug}/questions/add/"
    response = client.post(
        base, {"section": section.pk, "code": "1MAL", "kind": "likert5", "text_es": "x"}
    )
    assert response.status_code == 400
    assert "El código debe tener de 2 a 40 letras" in response.content.decode()
    response = client.post(
        base,
        {
            "section": section.pk,
            "code": "UNA_OPCION",
            "kind": "single",
            "text_es": "x",
            "options_text": "si | Sí",
        },
    )
    assert "al menos dos opciones" in response.content.decode()


def _admin():
    from tests.factories import UserFactory

    return UserFactory(role="admin", is_staff=True)


def test_a_frozen_instrument_cannot_change_but_can_be_copied(monitoring_world, login):
    instrument = default_instrument()
    services.open_campaign(
        by=monitoring_world.admin,
        campaign=services.create_campaign(
            by=monitoring_world.admin,
            slug="rme-2025",
            name="2025",
            instrument=instrument,
            year=2025,
        ),
        send=False,
    )
    instrument.refresh_from_db()
    assert instrument.frozen
    question = instrument.questions.get(code="RME_META_COMUN")
    with pytest.raises(ValidationError, match="cópielo a una nueva versión"):
        services.update_question(
            by=monitoring_world.admin,
            question=question,
            code="RME_META_COMUN",
            kind="likert5",
            text_es="x",
        )
    client = login(monitoring_world.analyst)
    page = client.get("/monitoring/instruments/rme-monitoreo/").content.decode()
    assert "no se puede modificar" in page and "Agregar pregunta" not in page
    response = client.post(
        f"/monitoring/instruments/rme-monitoreo/questions/{question.pk}/delete/", follow=True
    )
    assert "cópielo a una nueva versión" in response.content.decode()
    assert Question.objects.filter(pk=question.pk).exists()

    response = client.post(
        "/monitoring/instruments/rme-monitoreo/copy/",
        {"slug": "rme-monitoreo-v2", "name": "Encuesta de monitoreo 2026"},
    )
    assert response.status_code == 302
    copy = Instrument.objects.get(slug="rme-monitoreo-v2")
    assert (copy.family, copy.version, copy.frozen, copy.copied_from) == (
        "rme-monitoreo",
        2,
        False,
        instrument,
    )
    assert list(
        copy.questions.order_by("section__order", "order").values_list("code", flat=True)
    ) == list(
        instrument.questions.order_by("section__order", "order").values_list("code", flat=True)
    )
    assert Section.objects.filter(instrument=copy).count() == instrument.sections.count()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("analyst", 200),
        ("analyst_rm", 200),
        ("admin", 200),
        ("supervisor_a", 403),
        ("director_a", 403),
        ("rep_a", 403),
    ],
)
def test_who_may_open_the_instrument_editor(monitoring_world, login, role, status):
    client = login(getattr(monitoring_world, role))
    assert client.get("/monitoring/instruments/").status_code == status
    before = Section.objects.count()
    response = client.post(
        "/monitoring/instruments/rme-monitoreo/sections/add/", {"title_es": "Intrusa"}
    )
    assert response.status_code in ({302} if status == 200 else {403, 404})
    if status != 200:
        assert Section.objects.count() == before


def test_the_instrument_list_runs_a_fixed_number_of_queries(
    monitoring_world, login, django_assert_num_queries
):
    client = login(monitoring_world.analyst)
    client.get("/monitoring/instruments/")  # warm the session and MFA flag

    def count():
        # The user, the analyst's scope, the annotated instrument list.
        with django_assert_num_queries(3):
            client.get("/monitoring/instruments/")

    count()
    InstrumentFactory.create_batch(5)
    count()
