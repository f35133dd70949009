"""A directivo answers by their personal link: the form, autosave into a
draft, resuming, submitting once, and what is (not) stored."""

import threading
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from monitoring import services
from monitoring.models import Answer, Draft, Invitation, Response
from tests.factories import CampaignFactory, default_instrument

from .conftest import likert_questions

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(monitoring_world):
    campaign = CampaignFactory(slug="rme-2025", closes_on=timezone.localdate() + timedelta(days=20))
    services.open_campaign(by=monitoring_world.admin, campaign=campaign, send=False)
    return campaign


@pytest.fixture
def invitation(monitoring_world, campaign):
    return Invitation.objects.get(campaign=campaign, user=monitoring_world.director_a)


def url(invitation, name="monitoring:respond"):
    return reverse(name, args=[invitation.token])


def full_answers(value="4"):
    """Every required answer of the default instrument, as a form posts them."""
    data = {q.code: value for q in likert_questions()}
    data.update(RME_FRECUENCIA_REUNIONES="2", RME_FRECUENCIA_ADECUADA="2")
    return data


def test_the_link_opens_the_form_without_signing_in(client, invitation):
    response = client.get(url(invitation))
    assert response.status_code == 200
    content = response.content.decode()
    assert "En la red trabajamos colectivamente hacia metas comunes." in content
    assert "Muy en desacuerdo" in content and "Muy de acuerdo" in content
    assert "0 de 40 preguntas respondidas" in content
    assert f'hx-post="{url(invitation, "monitoring:autosave")}"' in content


def test_a_wrong_or_tampered_link_answers_404(client, invitation):
    assert client.get("/monitoring/respond/nada/").status_code == 404
    tampered = invitation.token[:-1] + ("0" if invitation.token[-1] != "0" else "1")
    response = client.get(reverse("monitoring:respond", args=[tampered]))
    assert response.status_code == 404
    assert "Enlace no válido" in response.content.decode()


def test_autosave_keeps_answers_in_a_draft_and_reports_progress(client, invitation):
    response = client.post(
        url(invitation, "monitoring:autosave"),
        {"RME_META_COMUN": "5", "RME_AGENDA_PRIORIDADES": "9", "RME_COMENTARIOS": "Más tiempo"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "2 de 40 preguntas respondidas" in response.content.decode()
    assert "Guardado a las" in response.content.decode()
    draft = Draft.objects.get(invitation=invitation)
    # An out-of-range answer is left out; nothing is stored as a response.
    assert draft.answers == {"RME_META_COMUN": 5, "RME_COMENTARIOS": "Más tiempo"}
    assert Response.objects.count() == 0


def test_resuming_from_another_device_shows_the_saved_answers(client, invitation):
    client.post(url(invitation, "monitoring:autosave"), {"RME_META_COMUN": "2"})
    client.logout()
    response = client.get(url(invitation))
    content = response.content.decode()
    assert 'id="RME_META_COMUN-2" value="2" checked' in content
    assert "1 de 40 preguntas respondidas" in content


def test_submitting_stores_an_anonymous_response_and_deletes_the_draft(
    client, monitoring_world, invitation, django_capture_on_commit_callbacks
):
    client.post(url(invitation, "monitoring:autosave"), {"RME_META_COMUN": "2"})
    data = full_answers()
    data.update(
        RME_MODALIDAD_REUNIONES=["1", "3"],
        RME_REUNIONES_ASISTIDAS="6",
        RME_COMENTARIOS="Que la agenda la definamos juntos.",
    )
    response = client.post(url(invitation), data)
    assert response.status_code == 302
    assert response["Location"].endswith("?sent=1")
    thanks = client.get(response["Location"])
    assert "¡Gracias por responder!" in thanks.content.decode()
    # Held, submitted, in the draft until a batch of MIN_CELL_SIZE moves:
    # no response is written beside its invitation in a transaction of its own.
    assert Draft.objects.get(invitation=invitation).submitted
    assert not Response.objects.exists()
    assert services.submitted_waiting(invitation.campaign) == 1
    services.close_campaign(by=monitoring_world.admin, campaign=invitation.campaign)

    stored = Response.objects.get()
    assert (stored.campaign_id, stored.network_id, stored.region_id) == (
        invitation.campaign_id,
        monitoring_world.network_a.pk,
        7,
    )
    assert stored.role == "director" and stored.dependency == "municipal"
    assert stored.submitted_on == timezone.localdate()
    answers = {
        (a.question.code, a.value, a.text)
        for a in Answer.objects.filter(response=stored).select_related("question")
    }
    assert ("RME_META_COMUN", 4, "") in answers
    assert {("RME_MODALIDAD_REUNIONES", 1, ""), ("RME_MODALIDAD_REUNIONES", 3, "")} <= answers
    assert ("RME_COMENTARIOS", None, "Que la agenda la definamos juntos.") in answers
    invitation.refresh_from_db()
    assert invitation.answered
    assert not Draft.objects.exists()


def test_a_missing_required_answer_stores_nothing_and_keeps_the_draft(client, invitation):
    data = full_answers()
    del data["RME_CONFIANZA"]
    response = client.post(url(invitation), data)
    assert response.status_code == 400
    content = response.content.decode()
    assert "Falta responder o corregir 1 pregunta" in content
    assert 'href="#q-RME_CONFIANZA"' in content
    assert Response.objects.count() == 0
    assert Draft.objects.get(invitation=invitation).answers["RME_META_COMUN"] == 4
    invitation.refresh_from_db()
    assert not invitation.answered


def test_a_second_submit_stores_nothing_and_says_so(client, monitoring_world, invitation):
    assert client.post(url(invitation), full_answers()).status_code == 302
    again = client.post(url(invitation), full_answers("1"))
    assert again.status_code == 409
    assert "Esta encuesta ya fue respondida" in again.content.decode()
    # Opening the link again says the same, and autosave changes nothing.
    assert "ya fue respondida" in client.get(url(invitation)).content.decode()
    client.post(url(invitation, "monitoring:autosave"), {"RME_META_COMUN": "1"})
    draft = Draft.objects.get()
    assert draft.submitted and draft.answers["RME_META_COMUN"] == 4
    services.close_campaign(by=monitoring_world.admin, campaign=invitation.campaign)
    assert Response.objects.count() == 1
    assert not Answer.objects.filter(value=1).exists()
    assert not Draft.objects.exists()


def test_a_closed_campaign_or_a_past_closing_date_stores_nothing(
    client, monitoring_world, invitation
):
    campaign = invitation.campaign
    campaign.closes_on = timezone.localdate() - timedelta(days=1)
    campaign.save()
    response = client.post(url(invitation), full_answers())
    assert response.status_code == 410
    assert "La encuesta está cerrada" in response.content.decode()
    services.close_campaign(by=monitoring_world.admin, campaign=campaign)
    response = client.get(url(invitation))
    assert "ya no sirve para responder" in response.content.decode()
    assert Response.objects.count() == 0


def test_a_draft_campaign_link_is_not_open_yet(client, monitoring_world):
    campaign = CampaignFactory()
    invitation = Invitation.objects.create(
        campaign=campaign,
        user=monitoring_world.director_a,
        network=monitoring_world.network_a,
        role="director",
    )
    response = client.get(url(invitation))
    assert "La encuesta aún no abre" in response.content.decode()
    with pytest.raises(services.SurveyUnavailable):
        services.submit_response(invitation=invitation, answers=full_answers())


def test_submit_service_validates_each_kind_of_answer(invitation):
    data = full_answers()
    data.update(
        RME_META_COMUN="6",
        RME_FRECUENCIA_REUNIONES="9",
        RME_REUNIONES_ASISTIDAS="muchas",
        RME_MODALIDAD_REUNIONES=["1", "7"],
    )
    with pytest.raises(services.ValidationError) as exc:
        services.submit_response(invitation=invitation, answers=data)
    assert exc.value.message_dict == {
        "RME_META_COMUN": ["Elija un valor de 1 a 5."],
        "RME_FRECUENCIA_REUNIONES": ["Elija entre las opciones ofrecidas."],
        "RME_REUNIONES_ASISTIDAS": ["Escriba un número entero entre 0 y 10000."],
        "RME_MODALIDAD_REUNIONES": ["Elija entre las opciones ofrecidas."],
    }


def test_the_signed_in_directivo_finds_the_link_on_the_survey_page(
    client, monitoring_world, invitation
):
    client.force_login(monitoring_world.director_a)
    content = client.get(reverse("monitoring:index")).content.decode()
    assert url(invitation) in content


def _queries_of(client, path, data):
    with CaptureQueriesContext(connection) as queries:
        response = client.post(path, data)
    return response, len(queries)


def test_submit_and_autosave_run_the_same_few_queries_whatever_the_number_of_questions(
    client, monitoring_world
):
    """Answers are validated in one pass over the instrument's questions and
    written as one draft: a questionnaire of 40 questions costs a submit and
    an autosave no more queries than one of 2."""
    admin = monitoring_world.admin
    short = services.create_instrument(by=admin, slug="corta", name="Encuesta corta")
    section = services.add_section(by=admin, instrument=short, title_es="Única")
    for code in ("CORTA_UNO", "CORTA_DOS"):
        services.add_question(
            by=admin, section=section, code=code, text_es=f"Pregunta {code}", kind="likert5"
        )
    counts = {}
    for slug, instrument, answers in [
        ("larga", default_instrument(), full_answers()),
        ("corta", short, {"CORTA_UNO": "3", "CORTA_DOS": "4"}),
    ]:
        campaign = CampaignFactory(slug=slug, instrument=instrument)
        services.open_campaign(by=admin, campaign=campaign, send=False)
        invitation = Invitation.objects.get(campaign=campaign, user=monitoring_world.director_a)
        # The form first, as respondents open it (a frozen instrument's
        # questions are then kept in memory).
        assert client.get(url(invitation)).status_code == 200
        saved, autosave = _queries_of(client, url(invitation, "monitoring:autosave"), answers)
        sent, submit = _queries_of(client, url(invitation), answers)
        assert (saved.status_code, sent.status_code) == (200, 302)
        assert Draft.objects.get(invitation=invitation).submitted
        counts[slug] = (len(services.instrument_questions(instrument)), autosave, submit)
    assert counts["larga"][0] == 40 and counts["corta"][0] == 2
    assert counts["larga"][1:] == counts["corta"][1:]
    autosave, submit = counts["larga"][1:]
    # The link's invitation, its lock and check, the draft; a submit also
    # counts its cell's waiting drafts (and on PostgreSQL the campaign's
    # share lock, the transaction's BEGIN and COMMIT).
    assert autosave <= 7 and submit <= 7


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submits_store_one_response(monitoring_world):
    """Two requests submit the same invitation at the same moment (two
    threads, two database connections): exactly one response is stored."""
    campaign = CampaignFactory(slug="rme-concurrente")
    services.open_campaign(by=monitoring_world.admin, campaign=campaign, send=False)
    invitation = Invitation.objects.get(campaign=campaign, user=monitoring_world.director_a)
    answers = full_answers()
    barrier = threading.Barrier(2)
    outcomes = []

    def submit():
        try:
            barrier.wait()
            services.submit_response(
                invitation=services.invitation_for_token(invitation.token), answers=answers
            )
            outcomes.append("stored")
        except services.SurveyUnavailable as exc:
            outcomes.append(exc.reason)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["answered", "stored"]
    assert services.submitted_waiting(campaign) == 1
    services.close_campaign(by=monitoring_world.admin, campaign=campaign)
    assert Response.objects.filter(campaign=campaign).count() == 1
    questions = len(likert_questions()) + 2
    assert Answer.objects.filter(response__campaign=campaign).count() == questions


def test_an_autosave_after_the_close_is_refused_and_keeps_nothing(
    client, monitoring_world, invitation
):
    client.post(url(invitation, "monitoring:autosave"), {"RME_META_COMUN": "2"})
    services.close_campaign(by=monitoring_world.admin, campaign=invitation.campaign)
    assert not Draft.objects.exists()
    response = client.post(url(invitation, "monitoring:autosave"), {"RME_META_COMUN": "3"})
    assert response.status_code == 200 and "Guardado a las" not in response.content.decode()
    with pytest.raises(services.SurveyUnavailable):
        services.save_draft(invitation=invitation, answers={"RME_META_COMUN": "3"})
    assert not Draft.objects.exists()


def test_the_sweep_discards_unsent_drafts_of_a_closed_campaign(monitoring_world, invitation):
    """Answers never sent are not kept past a close, whatever left them
    (here written straight into the table, as a lost race would)."""
    from monitoring import tasks

    services.close_campaign(by=monitoring_world.admin, campaign=invitation.campaign)
    Draft.objects.create(invitation=invitation, answers={"RME_META_COMUN": 2})
    tasks.move_submitted_responses()
    assert not Draft.objects.exists()


def test_a_submit_that_fails_validation_as_the_campaign_closes_says_it_is_closed(
    client, monitoring_world, invitation, monkeypatch
):
    """The campaign closes while a submit with a missing answer is being
    handled: the page says the survey is closed (no error page) and keeps
    nothing."""
    real_submit = services.submit_response

    def closed_meanwhile(**kwargs):
        services.close_campaign(by=monitoring_world.admin, campaign=invitation.campaign)
        return real_submit(**kwargs)

    monkeypatch.setattr(services, "submit_response", closed_meanwhile)
    data = full_answers()
    del data["RME_CONFIANZA"]
    response = client.post(url(invitation), data)
    assert response.status_code == 410
    assert "La encuesta está cerrada" in response.content.decode()
    assert not Draft.objects.exists() and not Response.objects.exists()


def _in_thread(target):
    def run():
        try:
            target()
        finally:
            close_old_connections()
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_submits_do_not_wait_for_each_other_but_a_close_waits_for_them(monitoring_world):
    """A submit whose transaction is still open does not hold back another
    person's submit to the same campaign (the campaign row is only
    share-locked); a close waits for it and then stores both."""
    campaign = CampaignFactory(slug="rme-paralelo")
    services.open_campaign(by=monitoring_world.admin, campaign=campaign, send=False)
    first = Invitation.objects.get(campaign=campaign, user=monitoring_world.director_a)
    second = Invitation.objects.get(campaign=campaign, user=monitoring_world.director_b)
    held, release = threading.Event(), threading.Event()

    def slow_submit():
        with transaction.atomic():
            services.submit_response(invitation=first, answers=full_answers())
            held.set()
            release.wait(30)

    slow = _in_thread(slow_submit)
    assert held.wait(30)
    try:
        other = _in_thread(
            lambda: services.submit_response(invitation=second, answers=full_answers("2"))
        )
        other.join(10)
        assert not other.is_alive(), "a submit waited for another person's submit"
        closing = _in_thread(
            lambda: services.close_campaign(by=monitoring_world.admin, campaign=campaign)
        )
        closing.join(1)
        assert closing.is_alive(), "the close did not wait for the submit in flight"
    finally:
        release.set()
        slow.join(30)
    closing.join(30)
    assert Response.objects.filter(campaign=campaign).count() == 2
    assert not Draft.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_autosave_racing_the_close_leaves_no_draft(monitoring_world):
    """An autosave still in its transaction when the close starts: the close
    waits for it and then discards the draft (before, the close could not
    see it and the draft stayed behind, kept for good)."""
    campaign = CampaignFactory(slug="rme-carrera")
    services.open_campaign(by=monitoring_world.admin, campaign=campaign, send=False)
    invitation = Invitation.objects.get(campaign=campaign, user=monitoring_world.director_a)
    held, release = threading.Event(), threading.Event()

    def slow_autosave():
        with transaction.atomic():
            services.save_draft(invitation=invitation, answers={"RME_META_COMUN": "2"})
            held.set()
            release.wait(30)

    saving = _in_thread(slow_autosave)
    assert held.wait(30)
    closing = _in_thread(
        lambda: services.close_campaign(by=monitoring_world.admin, campaign=campaign)
    )
    closing.join(1)
    release.set()
    saving.join(30)
    closing.join(30)
    campaign.refresh_from_db()
    assert campaign.status == "closed"
    assert not Draft.objects.exists()
