"""An imported wave asks only the questions its file has columns for: the
others say "no incluida en esta encuesta" on the results page, in the API
and in the PDF report, instead of passing for a cell with fewer than 5
answers."""

import io

import pytest

from monitoring.imports import import_responses
from monitoring.models import Campaign
from monitoring.permissions import parse_scope
from monitoring.reports.data import ReportInputs, scope_data
from monitoring.reports.rendering import render_html
from monitoring.results import campaign_results
from tests.factories import AnalystScopeFactory, NetworkFactory, default_instrument

pytestmark = pytest.mark.django_db


@pytest.fixture
def wave():
    """2023 imported with two Likert questions: the first answered by 6
    directors of network A, the second by only 2 of them."""
    instrument = default_instrument()
    likert = list(instrument.questions.filter(kind="likert5").order_by("section__order", "order"))
    first, second = likert[0].code, likert[1].code
    NetworkFactory(code="RME-07-901", name="Red Talca A", deprov_id=72)
    rows = [f"region,network,role,dependency,{first},{second}"]
    rows += [f"7,RME-07-901,director,municipal,4,{'5' if i < 2 else ''}" for i in range(6)]
    import_responses(
        path_or_file=io.BytesIO("\n".join(rows).encode()), campaign_slug="rme-2023", year=2023
    )
    return first, second, likert[2].code


def test_questions_left_out_of_an_imported_wave_say_so(wave):
    first, few, absent = wave
    results = campaign_results(Campaign.objects.get(slug="rme-2023")).for_scope("national")
    by_code = {q["code"]: q for q in results["questions"]}
    assert by_code[first]["suppressed"] is False and "not_asked" not in by_code[first]
    # Asked, but answered by 2: a small cell, not a question left out.
    assert by_code[few]["suppressed"] is True and "not_asked" not in by_code[few]
    assert by_code[absent]["suppressed"] is True and by_code[absent]["not_asked"] is True


def test_the_results_page_and_api_say_not_included(wave, client):
    first, few, absent = wave
    client.force_login(AnalystScopeFactory().user)
    page = client.get("/monitoring/campaigns/rme-2023/results/").content.decode()
    articles = {
        a.split('id="q-', 1)[1].split('"', 1)[0]: a
        for a in page.split("<article")[1:]
        if 'id="q-' in a
    }
    assert "No incluida en esta encuesta" in articles[absent]
    assert "No se muestra" not in articles[absent] and "<svg" not in articles[absent]
    assert "No incluida en esta encuesta" not in articles[few]
    assert "No se muestra" in articles[few]
    api = client.get("/api/v1/monitoring/campaigns/rme-2023/results/", {"scope": "national"})
    assert api.status_code == 200, api.content
    items = {q["code"]: q for q in api.json()["questions"]}
    assert items[absent]["not_asked"] is True and "not_asked" not in items[few]


def test_the_pdf_report_says_not_included(wave):
    first, few, absent = wave
    inputs = ReportInputs(Campaign.objects.get(slug="rme-2023"))
    data = scope_data(inputs, parse_scope("network:RME-07-901"), "es")
    html = render_html(data)
    assert "no incluida en esta encuesta" in html
