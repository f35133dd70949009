"""Networks at risk in Chromium: an analyst of the Maule region opens the
page from the survey, sees the flagged network of her region with its
reason as a chip, picks a DEPROV of her region in the scope picker, and
downloads the list as CSV."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.test_monitoring import sign_in
from tests.factories import AnalystScopeFactory, NetworkFactory
from tests.monitoring.risk_data import held_meeting

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
REASON = "Asistencia de directores de 30 % (umbral: 80 %)."


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
    expect(table).to_contain_text(REASON)
    expect(table).not_to_contain_text("RME-07-802")
    chip = table.locator('[data-reason="attendance_director"]')
    expect(chip).to_be_visible()
    expect(chip).to_have_text("Asistencia: directores" + REASON)  # the sentence for readers
    expect(chip).to_have_attribute("title", REASON)

    # The scope picker offers what she reads: the country, her region and its DEPROV.
    picker = page.get_by_label("Alcance")
    expect(picker).to_have_value("region:7")
    expect(picker.locator('option[value="region:13"]')).to_have_count(0)
    picker.select_option("deprov:72")
    page.get_by_role("button", name="Ver").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Redes en riesgo · Departamento provincial Talca · 2025"
    )
    expect(page).to_have_url(re.compile(r"scope=deprov%3A72"))
    expect(page.get_by_test_id("risk-table")).to_contain_text("RME-07-801")

    with page.expect_download() as info:
        page.get_by_role("link", name="Descargar CSV").click()
    download = info.value
    assert download.suggested_filename == "redes-en-riesgo_deprov-72_2025.csv"
    content = Path(download.path()).read_text(encoding="utf-8")
    assert "RME-07-801" in content and "RME-07-802" not in content
