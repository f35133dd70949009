"""The PME pages as a directivo, a supervisor and a sostenedor use them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string

from pme import selectors, services
from pme.models import Action, AnnualPlan, PMECycle, StrategicObjective
from tests.helpers import pdf_bytes

pytestmark = pytest.mark.django_db

PDF = pdf_bytes()


def test_a_director_drafts_a_cycle_objectives_and_a_plan(pme_world, client):
    client.force_login(pme_world.director_a)
    page = client.get("/pme/").content.decode()
    assert "Nuevo ciclo de mejoramiento" in page and "Escuela Talca Uno" in page
    response = client.post(
        "/pme/cycles/new/",
        {
            "school": pme_world.a1.rbd,
            "first_year": 2027,
            "last_year": 2030,
            "pei_vision": "Aprender juntos",
            "pei_sellos": "Inclusión\nArte",
            "assessment_liderazgo": "Liderazgo distribuido incipiente.",
        },
    )
    cycle = PMECycle.objects.get(school=pme_world.a1, first_year=2027)
    assert response["Location"] == f"/pme/cycles/{cycle.pk}/"
    client.post(
        f"/pme/cycles/{cycle.pk}/objectives/add/",
        {"dimension": "liderazgo", "text": "Instalar un liderazgo pedagógico."},
    )
    objective = StrategicObjective.objects.get(cycle=cycle)
    client.post(
        f"/pme/objectives/{objective.pk}/goals/add/",
        {
            "indicator": "Consejos con análisis de datos",
            "baseline": "2",
            "target": "8",
            "unit": "al año",
        },
    )
    client.post(f"/pme/objectives/{objective.pk}/strategies/add/", {"text": "Ciclos de datos."})
    bad = client.post(f"/pme/objectives/{objective.pk}/goals/add/", {"indicator": ""})
    assert bad.status_code == 400
    page = client.get(f"/pme/cycles/{cycle.pk}/").content.decode()
    for text in (
        "Aprender juntos",
        "Arte",
        "Liderazgo distribuido incipiente.",
        "Instalar un liderazgo pedagógico.",
        "Consejos con análisis de datos",
        "Ciclos de datos.",
    ):
        assert text in page
    response = client.post(f"/pme/cycles/{cycle.pk}/plans/add/", {"year": 2031})
    assert response.status_code == 400
    assert "no pertenece al ciclo 2027–2030" in response.content.decode()
    response = client.post(f"/pme/cycles/{cycle.pk}/plans/add/", {"year": 2027})
    plan = AnnualPlan.objects.get(school=pme_world.a1, year=2027)
    assert response["Location"] == f"/pme/plans/{plan.pk}/"


def test_action_form_shows_the_services_messages(pme_world, client):
    client.force_login(pme_world.utp_a1)
    url = f"/pme/plans/{pme_world.plan_a1.pk}/actions/new/"
    response = client.post(
        url,
        {
            "name": "Salidas pedagógicas",
            "dimension": "gestion_pedagogica",
            "start_date": "2025-09-01",
            "end_date": "2025-10-01",
            "status": "planned",
            "progress": 0,
            "funding_sep": -10,
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "no puede ser negativo" in form.errors["funding_sep"][0]
    response = client.post(
        url,
        {
            "name": "Salidas pedagógicas",
            "dimension": "gestion_pedagogica",
            "start_date": "2025-09-01",
            "end_date": "2025-08-01",
            "status": "planned",
            "progress": 0,
            "funding_sep": 10,
        },
    )
    assert response.status_code == 400
    assert "anterior a la de inicio" in response.content.decode()
    assert not Action.objects.filter(name="Salidas pedagógicas").exists()


def test_progress_with_evidence_and_download(pme_world, client):
    client.force_login(pme_world.utp_a1)
    response = client.post(
        f"/pme/actions/{pme_world.action_a1.pk}/progress/",
        {
            "date": "2025-05-10",
            "progress": 55,
            "note": "Se realizaron 12 visitas al aula.",
            "evidence": [
                SimpleUploadedFile("pauta.pdf", PDF, content_type="application/pdf"),
                SimpleUploadedFile("notas.txt", b"lista de asistencia", content_type="text/plain"),
            ],
        },
    )
    assert response.status_code == 302
    page = client.get(f"/pme/actions/{pme_world.action_a1.pk}/").content.decode()
    assert "Se realizaron 12 visitas al aula." in page
    assert "pauta.pdf" in page and "notas.txt" in page and "55 %" in page
    update = pme_world.action_a1.updates.get()
    assert update.author == pme_world.utp_a1 and update.evidence.count() == 2
    # A file of a forbidden type is refused with the field's message.
    response = client.post(
        f"/pme/actions/{pme_world.action_a1.pk}/progress/",
        {
            "progress": 60,
            "date": "2025-05-11",
            "evidence": SimpleUploadedFile("virus.exe", b"MZ", content_type="application/x-msdos"),
        },
    )
    assert response.status_code == 400
    assert "no es de un tipo permitido" in response.content.decode()
    assert pme_world.action_a1.updates.count() == 1


def test_sharing_toggles_in_place_with_htmx(pme_world, client):
    client.force_login(pme_world.utp_a2)
    response = client.post(
        f"/pme/plans/{pme_world.plan_a2.pk}/share/", {"shared": "1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="share-box"' in html and 'aria-live="polite"' in html
    assert "Dejar de compartir con mis redes" in html
    assert AnnualPlan.objects.get(pk=pme_world.plan_a2.pk).shared_with_network is True


def test_comments_post_in_place_with_htmx(pme_world, client):
    client.force_login(pme_world.supervisor_a)
    response = client.post(
        f"/pme/plans/{pme_world.plan_a1.pk}/comments/",
        {"body": "**Bien** encaminado <script>alert(1)</script>"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>Bien</strong> encaminado" in html and "<script>" not in html
    assert "Comentario publicado." in html
    empty = client.post(
        f"/pme/actions/{pme_world.action_a1.pk}/comments/", {"body": ""}, HTTP_HX_REQUEST="true"
    )
    assert empty.status_code == 200 and "invalid-feedback" in empty.content.decode()


def test_sostenedor_approves_from_the_plan_page(pme_world, client):
    client.force_login(pme_world.rep_a)
    client.post(f"/pme/plans/{pme_world.plan_a1.pk}/approve/")
    page = client.get(f"/pme/plans/{pme_world.plan_a1.pk}/").content.decode()
    assert "Aprobado por el sostenedor" in page
    assert pme_world.rep_a.get_full_name() in page
    assert "Aprobar el plan en nombre del sostenedor" not in page


def test_copy_button_drafts_next_year(pme_world, client):
    client.force_login(pme_world.director_a)
    response = client.post(f"/pme/plans/{pme_world.plan_a1.pk}/copy/")
    plan = AnnualPlan.objects.get(school=pme_world.a1, year=2026)
    assert response["Location"] == f"/pme/plans/{plan.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Acompañamiento al aula" in page and "Fase: Diagnóstico" in page


def test_home_panel_for_a_directivo(pme_world):
    services.update_action(
        by=pme_world.director_a, action=pme_world.action_a1, progress=30, status="in_progress"
    )
    context = selectors.home_panel(pme_world.director_a)
    assert context["pme_panel"] == "directivo"
    assert [plan.pk for plan in context["pme_plans"]] == [pme_world.plan_a1.pk]
    # Its end date (30 June 2025) has passed below 100 %.
    assert [action.pk for action in context["pme_delayed"]] == [pme_world.action_a1.pk]
    html = render_to_string("pme/_home_panel.html", context)
    assert "Plan anual 2025 · Escuela Talca Uno" in html
    assert "Acciones atrasadas" in html and "Acompañamiento al aula" in html


def test_home_panel_for_readers_and_others(pme_world):
    context = selectors.home_panel(pme_world.supervisor_a)
    assert context["pme_panel"] == "reader" and context["pme_figures"]["plans"] == 1
    assert "Planes compartidos" in render_to_string("pme/_home_panel.html", context)
    assert selectors.home_panel(pme_world.analyst)["pme_panel"] == "dashboard"
    director_without_plan = pme_world.director_b
    AnnualPlan.objects.filter(school=pme_world.b1).delete()
    context = selectors.home_panel(director_without_plan)
    assert context["pme_can_start"] is True
    assert "aún no registra su PME" in render_to_string("pme/_home_panel.html", context)


def test_plan_list_filters(pme_world, client):
    client.force_login(pme_world.admin)
    response = client.get(f"/pme/?network={pme_world.network_a.pk}")
    shown = {plan.school.name for plan in response.context["page"].object_list}
    assert shown == {"Escuela Talca Uno", "Liceo Talca Dos"}
    response = client.get("/pme/?shared_with_network=true")
    shown = {plan.school.name for plan in response.context["page"].object_list}
    assert shown == {"Escuela Talca Uno", "Escuela Santiago Centro"}


def test_plan_list_blank_filter_form_follows_the_networks(pme_world, client):
    """The empty filter form is kept per language and network options: a
    renamed network shows its new name, and each reader their own networks."""
    client.force_login(pme_world.admin)
    assert pme_world.network_a.name in client.get("/pme/").content.decode()
    pme_world.network_a.name = "Red renombrada"
    pme_world.network_a.save()
    page = client.get("/pme/").content.decode()
    assert "Red renombrada" in page
    client.force_login(pme_world.supervisor_b)
    page = client.get("/pme/").content.decode()
    assert "Red renombrada" not in page and pme_world.network_b.name in page


def test_network_rollup_page(pme_world, client):
    client.force_login(pme_world.utp_a2)  # a peer: sees the rollup, reads no plan
    response = client.get("/pme/networks/RME-07-901/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 de 2 establecimientos comparten su plan anual." in html
    assert "Escuela Talca Uno" in html
    assert f'href="/pme/plans/{pme_world.plan_a1.pk}/"' not in html
    assert client.get("/pme/networks/RME-13-901/").status_code == 404


def test_action_page_shows_the_latest_updates_and_the_full_log_on_demand(
    pme_world, client, django_assert_max_num_queries
):
    import datetime

    from pme.models import ActionUpdate

    action = pme_world.action_a1
    start = datetime.date(2025, 3, 1)
    for index in range(selectors.UPDATES_SHOWN + 5):
        ActionUpdate.objects.create(
            action=action,
            date=start + datetime.timedelta(days=index),
            progress=index,
            note=f"Avance número {index}",
            author=pme_world.utp_a1,
        )
    client.force_login(pme_world.utp_a1)
    url = f"/pme/actions/{action.pk}/"
    client.get(url)
    # user; action with plan, catalog and practice source; updates; their
    # evidence; funding; comments; the edit check.
    with django_assert_max_num_queries(8):
        page = client.get(url).content.decode()
    newest, oldest = selectors.UPDATES_SHOWN + 4, 0
    assert f"Avance número {newest}" in page
    assert f"Avance número {5}" in page and "Avance número 4<" not in page
    assert "Ver el registro completo" in page
    assert "Se muestran los 20 avances más recientes." in page
    assert "$1.500.000" in page  # the funding total
    with django_assert_max_num_queries(8):
        page = client.get(url + "?registro=completo").content.decode()
    assert f"Avance número {oldest}<" in page and "Ver el registro completo" not in page
