"""While a campaign is open no answer aggregate of it is readable anywhere:
an analyst who read a network's results, waited for one submit and read
again would recover that person's answers. Only participation counts are
shown; everything opens as before once the campaign closes."""

import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from monitoring import services
from monitoring.reports.data import ReportInputs
from monitoring.reports.services import request_reports
from monitoring.results import ResultsNotReleased, campaign_results, choice_results
from tests.factories import CampaignFactory

from .conftest import add_responses

pytestmark = pytest.mark.django_db

BASE = "/monitoring/campaigns/rme-viva"
API = "/api/v1/monitoring/campaigns/rme-viva"


@pytest.fixture
def live(monitoring_world):
    """An open campaign whose network A already holds 12 stored responses,
    every one "Muy de acuerdo" (100 % agreement, were it shown)."""
    campaign = CampaignFactory(slug="rme-viva")
    services.open_campaign(by=monitoring_world.admin, campaign=campaign, send=False)
    add_responses(campaign, monitoring_world.network_a, [5] * 12)
    return campaign


def command(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_an_open_campaign_shows_no_aggregate_on_any_path(monitoring_world, login, live):
    client = login(monitoring_world.analyst)
    page = client.get(f"{BASE}/results/?scope=network:RME-07-901")
    assert page.status_code == 200
    assert [t.name for t in page.templates][0] == "monitoring/results_pending.html"
    content = page.content.decode()
    assert 'data-testid="results-pending"' in content
    assert "100,0" not in content and "RME_META_COMUN" not in content
    assert "datas" not in page.context

    api = client.get(f"{API}/results/?scope=network:RME-07-901")
    assert api.status_code == 409
    assert api.json()["code"] == "results_not_released" and api.json()["detail"]
    assert "questions" not in api.json()

    for path in ("results.csv?scope=national", "results.xlsx?scope=national", "responses.csv"):
        download = client.get(f"{BASE}/{path}")
        assert download.status_code == 409, path
        assert download["Content-Type"].startswith("text/html")
        assert 'data-testid="results-pending"' in download.content.decode()

    with pytest.raises(CommandError, match="closes"):
        command("survey_results", "--campaign", "rme-viva", "--scope", "network:RME-07-901")
    with pytest.raises(CommandError):
        command("build_reports", "--campaign", "rme-viva", "--sync")
    with pytest.raises(ValidationError):
        request_reports(by=None, campaign=live)
    # The aggregation itself refuses, whatever path calls it.
    with pytest.raises(ResultsNotReleased):
        campaign_results(live)
    with pytest.raises(ResultsNotReleased):
        choice_results(live)
    with pytest.raises(ResultsNotReleased):
        ReportInputs(live)

    # Participation counts stay readable.
    rates = client.get(f"{API}/rates/")
    assert rates.status_code == 200 and rates.json()["total"]["invited"] == 5


def test_the_page_says_why_in_the_readers_language(monitoring_world, login, live):
    client = login(monitoring_world.analyst)
    spanish = client.get(f"{BASE}/results/").content.decode()
    english = client.get(f"{BASE}/results/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="results-pending"' in spanish and 'data-testid="results-pending"' in english
    assert f"{BASE}/rates/" in spanish


def test_members_still_get_no_results_of_an_open_campaign(monitoring_world, login, live):
    client = login(monitoring_world.director_a)
    assert client.get(f"{BASE}/results/").status_code == 403
    assert client.get(f"{API}/results/").status_code == 403


def test_after_close_everything_reads_as_before(monitoring_world, login, live):
    live = services.close_campaign(by=monitoring_world.admin, campaign=live)
    client = login(monitoring_world.analyst)
    page = client.get(f"{BASE}/results/?scope=network:RME-07-901")
    assert page.status_code == 200 and "100,0" in page.content.decode()
    api = client.get(f"{API}/results/?scope=network:RME-07-901")
    assert api.status_code == 200 and api.json()["questions"][0]["pct_agree"] == 100.0
    for path in ("results.csv?scope=national", "results.xlsx?scope=national", "responses.csv"):
        assert client.get(f"{BASE}/{path}").status_code == 200, path
    data = json.loads(
        command("survey_results", "--campaign", "rme-viva", "--scope", "network:RME-07-901")
    )
    assert data["n_responses"] == 12
    outcomes = request_reports(by=None, campaign=live, enqueue_builds=False)
    assert outcomes and {outcome for _report, outcome in outcomes} == {"queued"}


def test_results_rates_and_reports_name_their_campaign_in_the_breadcrumb(
    monitoring_world, login, live
):
    """The breadcrumb back to the campaign reads its name, as its title does,
    not the slug of its URLs."""
    live = services.close_campaign(by=monitoring_world.admin, campaign=live)
    client = login(monitoring_world.analyst)
    for path in ("results/", "rates/", "reports/"):
        html = client.get(f"{BASE}/{path}").content.decode()
        assert f'<a href="{BASE}/">{live.name}</a>' in html, path
        assert f'">{live.slug}</a>' not in html, path
