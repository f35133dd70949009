"""Networks at risk in Chromium: an analyst of the Maule region opens the
page from the survey, sees the flagged network of her region with its
reason, and downloads the list as CSV."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.test_monitoring import sign_in
from tests.factories import AnalystScopeFactory, NetworkFactory
from tests.monitoring.risk_data import held_meeting

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_analyst_sees_and_downloads_the_flagged_networks_of_her_region(page):
    flagged = NetworkFactory(code="RME-07-801", name="Red Talca Sur", deprov_id=72, year=2025)
    fine = NetworkFactory(code="RME-07-802", name="Red Talca Norte", deprov_id=72, year=2025)
    held_meeting(flagged, 3, attendance={"director": (3, 10)})
    held_meeting(fine, 3, attendance={"director": (9, 10)})
    analyst = AnalystScopeFactory(
        user__email="analista.maule@mineduc.cl", national=False, regions=[7]
    ).user

    sign_in(page, analyst.email, totp=True)
    page.goto("/monitoring/")
    page.get_by_role("link", name="Redes en riesgo").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Redes en riesgo · Región del Maule · 2025"
    )
    table = page.get_by_test_id("risk-table")
    expect(table).to_contain_text("RME-07-801")
    expect(table).to_contain_text("Asistencia de directores de 30 % (umbral: 80 %).")
    expect(table).not_to_contain_text("RME-07-802")

    with page.expect_download() as info:
        page.get_by_role("link", name="Descargar CSV").click()
    download = info.value
    assert download.suggested_filename == "redes-en-riesgo_region-7_2025.csv"
    content = Path(download.path()).read_text(encoding="utf-8")
    assert "RME-07-801" in content and "RME-07-802" not in content
