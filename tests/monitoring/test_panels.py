"""The survey on other pages: the home panel (an open invitation for a
directivo) and the network panel (published results for its members)."""

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import translation

from monitoring import services
from monitoring.models import Invitation, ReportStatus
from monitoring.reports.building import report_row
from monitoring.reports.data import campaign_scopes
from monitoring.selectors import home_panel, network_panel
from tests.factories import CampaignFactory

from .conftest import add_responses

pytestmark = pytest.mark.django_db


def test_home_panel_shows_an_open_invitation_with_its_link_and_progress(monitoring_world):
    campaign = CampaignFactory(slug="rme-2025", name="Encuesta de monitoreo 2025")
    services.open_campaign(by=monitoring_world.admin, campaign=campaign, send=False)
    invitation = Invitation.objects.get(campaign=campaign, user=monitoring_world.director_a)
    services.save_draft(invitation=invitation, answers={"RME_META_COMUN": "4"})
    panel = home_panel(monitoring_world.director_a)
    [item] = panel["invitations"]
    assert item["url"] == f"/monitoring/respond/{invitation.token}/"
    assert (item["answered"], item["total"], item["started"]) == (1, 40, True)
    html = render_to_string("monitoring/_home_panel.html", {"monitoring_panel": panel})
    assert "Encuesta de monitoreo 2025" in html and "Continuar la encuesta" in html
    assert "Lleva 1 de 40 preguntas." in html
    # Answered, or someone not invited: nothing to show.
    services.submit_response(
        invitation=invitation,
        answers={
            **{q.code: 4 for q in campaign.instrument.questions.filter(kind="likert5")},
            "RME_FRECUENCIA_REUNIONES": 1,
            "RME_FRECUENCIA_ADECUADA": 2,
        },
    )
    assert home_panel(monitoring_world.director_a)["invitations"] == []
    # Someone neither invited nor running the survey: nothing to show.
    empty = home_panel(monitoring_world.supervisor_deprov)
    assert (
        render_to_string("monitoring/_home_panel.html", {"monitoring_panel": empty}).strip() == ""
    )


def test_analysts_and_admins_see_the_campaigns_under_way_in_their_scope(monitoring_world, login):
    """Those who run the survey find on their home its campaigns under way,
    with their participation within their scope (a regional analyst's
    region only) and a link to the rates; and the latest results."""
    w = monitoring_world
    previous = CampaignFactory(slug="rme-2024", name="Encuesta 2024", year=2024)
    services.open_campaign(by=w.admin, campaign=previous, send=False)
    services.close_campaign(by=w.admin, campaign=previous)
    campaign = CampaignFactory(slug="rme-2025", name="Encuesta 2025", year=2025)
    services.open_campaign(by=w.admin, campaign=campaign, send=False)
    invitations = Invitation.objects.filter(campaign=campaign)
    talca = invitations.filter(network=w.network_a).first()
    Invitation.objects.filter(pk=talca.pk).update(answered=True)
    total, in_rm = invitations.count(), invitations.filter(network=w.network_b).count()
    assert total > in_rm > 0

    national = home_panel(w.analyst)
    [running] = national["running"]
    assert running["campaign"] == campaign
    assert (running["answered"], running["invited"]) == (1, total)
    assert running["rates_url"] == "/monitoring/campaigns/rme-2025/rates/"
    assert national["latest"]["campaign"] == previous and not national["latest"]["published"]
    regional = home_panel(w.analyst_rm)["running"][0]
    assert (regional["answered"], regional["invited"]) == (0, in_rm)  # Talca is not theirs
    assert home_panel(w.admin)["running"][0]["invited"] == total
    # Members are invited or read their networks' results, not the campaign's rates.
    assert home_panel(w.director_a)["running"] == [] and home_panel(w.supervisor_a)["running"] == []

    html = login(w.analyst).get("/home/panels/monitoring/").content.decode()
    assert 'href="/monitoring/campaigns/rme-2025/rates/"' in html
    assert f"Han participado 1 de {total} invitados" in html
    assert "«Encuesta 2024» está cerrada y sin publicar." in html
    assert 'href="/monitoring/campaigns/rme-2024/results/"' in html
    w.analyst.language = "en"
    w.analyst.save(update_fields=["language"])
    try:
        english = login(w.analyst).get("/home/panels/monitoring/").content.decode()
    finally:
        translation.activate(settings.LANGUAGE_CODE)  # the request left English active
    assert f"1 of {total} invited people have taken part" in english
    assert "“Encuesta 2024” is closed and not yet published." in english


def test_network_panel_compares_the_network_with_region_and_country(monitoring_world, published):
    panel = network_panel(monitoring_world.director_a, monitoring_world.network_a)
    assert panel["campaign"] == published and panel["n_responses"] == 12
    assert [row["code"] for row in panel["rows"]] == [
        "RME_META_COMUN",
        "RME_AGENDA_PRIORIDADES",
        "RME_MEJORA_GESTION",
        "RME_VINCULO_COMUNIDAD",
        "RME_INTERES_REUNIONES",
    ]
    first = panel["rows"][0]
    assert first["network"]["pct_agree"] == 75.0  # 9 of 12
    assert first["region"]["n"] == 18 and first["national"]["n"] == 26
    html = render_to_string("monitoring/_network_panel.html", {"monitoring_panel": panel})
    assert "75,0 %" in html and "En la red trabajamos colectivamente" in html
    # Someone who does not see the network gets nothing.
    assert network_panel(monitoring_world.director_b, monitoring_world.network_a) is None


def test_network_panel_marks_suppressed_figures(monitoring_world):
    campaign = CampaignFactory(status="published")
    add_responses(campaign, monitoring_world.network_a, [4, 4, 5])
    add_responses(campaign, monitoring_world.network_b, [4] * 10)
    panel = network_panel(monitoring_world.director_a, monitoring_world.network_a)
    assert panel["rows"][0]["network"]["suppressed"]
    html = render_to_string("monitoring/_network_panel.html", {"monitoring_panel": panel})
    assert "no se muestra" in html
    assert network_panel(monitoring_world.director_a, monitoring_world.network_c) is None


def test_home_panel_links_the_networks_built_report(monitoring_world, published):
    panel = home_panel(monitoring_world.director_a)
    [item] = [i for i in panel["published"] if i["network"] == monitoring_world.network_a]
    assert item["report_url"] is None  # not built yet: no link
    scope = campaign_scopes(published, "network:RME-07-901")[0]
    report = report_row(published, scope, "es")
    report.status = ReportStatus.DONE
    report.save()
    report.file.save(report.file_name(), ContentFile(b"%PDF-1.7 prueba"), save=True)
    panel = home_panel(monitoring_world.director_a)
    [item] = [i for i in panel["published"] if i["network"] == monitoring_world.network_a]
    url = f"/monitoring/campaigns/rme-2024/reports/{report.pk}/download/"
    assert item["report_url"] == url
    html = render_to_string("monitoring/_home_panel.html", {"monitoring_panel": panel})
    assert f'href="{url}">Informe PDF</a>' in html
    # Someone outside the network gets no link to it.
    other = home_panel(monitoring_world.director_b)
    assert all(i["report_url"] is None for i in other["published"])
