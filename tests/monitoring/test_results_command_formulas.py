"""survey_results --format csv goes through the same safe CSV writer as
the downloads: a question code that reads as a formula gets its quote."""

import csv
import io

import pytest
from django.core.management import call_command

from monitoring.models import Question
from tests.factories import CampaignFactory

from .conftest import add_responses

pytestmark = pytest.mark.django_db


def test_survey_results_csv_neutralises_formula_like_text(monitoring_world):
    campaign = CampaignFactory(slug="rme-2023", year=2023, status="published")
    add_responses(campaign, monitoring_world.network_a, [4] * 6)
    Question.objects.filter(instrument=campaign.instrument, code="RME_META_COMUN").update(
        code="@SUM(A1)"
    )
    out = io.StringIO()
    call_command(
        "survey_results",
        "--campaign",
        "rme-2023",
        "--scope",
        "national",
        "--format",
        "csv",
        stdout=out,
    )
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    row = next(r for r in rows if r["code"].endswith("@SUM(A1)"))
    assert row["code"] == "'@SUM(A1)" and row["n"] == "6"
