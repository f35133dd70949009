"""Every PDF the platform makes (survey reports, PME plans) is tagged for
assistive technology and says what it is: title, author, subject and
creation date (rme_platform.pdf)."""

import io

import pytest
from pypdf import PdfReader

from monitoring.permissions import parse_scope
from monitoring.reports.data import ReportInputs, scope_data
from monitoring.reports.rendering import render_pdf
from pme.exports import plan_pdf
from tests.factories import ActionFactory, AnnualPlanFactory, CampaignFactory, NetworkFactory

pytestmark = pytest.mark.django_db


def described(pdf_bytes):
    reader = PdfReader(io.BytesIO(pdf_bytes))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]), "the PDF is not tagged"
    assert "/StructTreeRoot" in root, "the PDF has no structure tree"
    assert root.get("/Lang"), "the PDF does not say its language"
    return reader.metadata


def test_a_pme_plan_pdf_is_tagged_and_says_what_it_is():
    plan = AnnualPlanFactory()
    ActionFactory(plan=plan, name="Plan lector")
    meta = described(plan_pdf(plan))
    assert meta.title == f"Plan anual {plan.year} · {plan.school.display_name}"
    assert meta.author == plan.school.display_name
    assert "Plan de Mejoramiento Educativo" in meta.subject
    assert meta.creation_date is not None


def test_a_survey_report_pdf_is_tagged_and_says_what_it_is():
    NetworkFactory(code="RME-07-901", name="Red Talca A", deprov_id=72)
    campaign = CampaignFactory(slug="rme-meta", name="Encuesta de prueba", status="published")
    data = scope_data(ReportInputs(campaign), parse_scope("network:RME-07-901"), "es")
    pdf, pages = render_pdf(data)
    assert pages >= 1
    meta = described(pdf)
    assert "Red Talca A" in meta.title and "Encuesta de prueba" in meta.title
    assert meta.author == "Ministerio de Educación de Chile"
    assert "Encuesta de monitoreo" in meta.subject
    assert meta.creation_date is not None
