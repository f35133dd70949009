"""The networks-at-risk chapter of the PDF reports (render_html text): a
network's own signals and reasons; a region's and the country's
distribution and count of flagged networks; in the report's language."""

import re

import pytest
from django.utils import translation

from monitoring.permissions import parse_scope
from monitoring.reports.data import ReportInputs, scope_data
from monitoring.reports.rendering import render_html
from tests.factories import NetworkFactory
from tests.monitoring.conftest import add_responses
from tests.monitoring.risk_data import YEAR, answers_by_construct, held_meeting, wave

pytestmark = pytest.mark.django_db


@pytest.fixture
def inputs():
    """Region 7: network A with low directors' attendance (20 %), network C
    fine (90 %); a closed wave with answers from both."""
    a = NetworkFactory(code="RME-07-901", name="Red Talca A", deprov_id=72, year=YEAR)
    c = NetworkFactory(code="RME-07-902", name="Red Curicó C", deprov_id=71, year=YEAR)
    held_meeting(a, 3, attendance={"director": (2, 10)})
    held_meeting(c, 3, attendance={"director": (9, 10)})
    campaign = wave(YEAR)
    add_responses(campaign, a, [answers_by_construct(4, 4)] * 5)
    add_responses(campaign, c, [answers_by_construct(4, 4)] * 5)
    return ReportInputs(campaign)


def _text(inputs, scope, language="es"):
    with translation.override(language):
        html = render_html(scope_data(inputs, parse_scope(scope), language))
    chapter = html.split('id="riesgo"', 1)[1].split("</section>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", chapter))


def test_a_network_report_lists_its_own_signals_and_reasons(inputs):
    text = _text(inputs, "network:RME-07-901")
    assert "Señales de riesgo" in text
    assert "La red cruza estos umbrales:" in text
    assert "Asistencia de directores de 20 % (umbral: 80 %)." in text
    assert "Asistencia de directores 20,0 % 80,0 %" in text


def test_a_network_below_no_threshold_says_so(inputs):
    text = _text(inputs, "network:RME-07-902")
    assert "La red no cruza ninguno de los umbrales de riesgo." in text


def test_region_and_country_reports_give_the_distribution_and_the_flagged_count(inputs):
    region = _text(inputs, "region:7")
    assert "1 de 2 redes cruzan algún umbral de riesgo." in region
    assert "Asistencia de directores 2 27,0 % 55,0 % 83,0 %" in region
    assert "Baja asistencia de directores 1" in region
    assert "Red Talca A" not in region  # the distribution, not a list of networks
