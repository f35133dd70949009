"""The networks-at-risk page, its downloads, the API and the supervisor's
home panel: who reads which scope (403 for roles without the page, 404 for
a scope outside one's own), what they see, and a fixed number of queries."""

import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from tests.conftest import SANTIAGO_CENTRO, TALCA
from tests.factories import NetworkFactory
from tests.monitoring.conftest import add_responses
from tests.monitoring.risk_data import YEAR, held_meeting
from tests.monitoring.risk_data import answers_by_construct as _answers
from tests.monitoring.risk_data import wave as _wave

pytestmark = pytest.mark.django_db

PAGE = "/monitoring/networks-at-risk/"
API = "/api/v1/monitoring/networks-at-risk/"
REASON_A = "Asistencia de directores de 20 % (umbral: 80 %)."
REASON_B = "Asistencia de directores de 40 % (umbral: 80 %)."


@pytest.fixture
def risky(world):
    """Networks A (Talca, region 7) and B (Santiago, region 13) flagged for
    their directors' attendance."""
    held_meeting(world.network_a, 3, attendance={"director": (2, 10)})
    held_meeting(world.network_b, 3, attendance={"director": (4, 10)})
    return world


def _get(login, user, url):
    return login(user).get(url, HTTP_ACCEPT_LANGUAGE="es")


@pytest.mark.parametrize(
    ("who", "scope", "sees_a", "sees_b"),
    [
        ("nora", "region:7", True, False),  # national analyst
        ("nora", "national", True, True),
        ("regina", "region:13", False, True),  # analyst of region 13
        ("regina", "national", False, True),  # the country, as far as she reads
        ("ada", "national", True, True),
        ("sofia", "deprov:72", True, False),  # supervises A
        ("tomas", "deprov:72", True, False),  # A is of his DEPROV
        ("oscar", "national", False, True),
    ],
)
def test_each_role_reads_the_networks_of_its_scope(risky, login, who, scope, sees_a, sees_b):
    response = _get(login, getattr(risky, who), f"{PAGE}?scope={scope}&year={YEAR}")
    assert response.status_code == 200
    text = response.content.decode()
    assert (REASON_A in text) is sees_a
    assert (REASON_B in text) is sees_b
    assert (risky.network_a.code in text) is sees_a


@pytest.mark.parametrize(
    ("who", "scope"),
    [
        ("regina", "region:7"),
        ("regina", "deprov:72"),
        ("oscar", "deprov:72"),
        ("sofia", "region:13"),
        ("nora", "region:99"),
        ("nora", "network:RME-07-901"),
    ],
)
def test_a_scope_outside_ones_own_answers_404(risky, login, who, scope):
    user = getattr(risky, who)
    assert _get(login, user, f"{PAGE}?scope={scope}&year={YEAR}").status_code == 404
    assert _get(login, user, f"{API}?scope={scope}&year={YEAR}").status_code == 404
    assert _get(login, user, f"/monitoring/networks-at-risk.csv?scope={scope}").status_code == 404


def _scope_options(login, user, query=""):
    """(values offered by the scope picker, the one selected)."""
    html = _get(login, user, f"{PAGE}?year={YEAR}{query}").content.decode()
    picker = html[html.index('<select class="form-select" id="risk-scope"') :]
    picker = picker[: picker.index("</select>")]
    values = re.findall(r'<option value="([^"]+)"', picker)
    selected = re.findall(r'<option value="([^"]+)" selected', picker)
    return values, selected


@pytest.mark.parametrize(
    ("who", "offered", "not_offered", "default"),
    [
        ("nora", ["national", "region:7", "region:13", "deprov:72"], [], "national"),
        (
            "regina",
            ["national", "region:13", f"deprov:{SANTIAGO_CENTRO}"],
            ["region:7", "deprov:72"],
            "region:13",
        ),
        (
            "sofia",
            ["national", "region:7", "deprov:72"],
            ["region:13", f"deprov:{SANTIAGO_CENTRO}", "deprov:71"],
            "deprov:72",
        ),
        (
            "oscar",
            ["national", "region:13", f"deprov:{SANTIAGO_CENTRO}"],
            ["region:7", "deprov:72"],
            f"deprov:{SANTIAGO_CENTRO}",
        ),
    ],
)
def test_the_scope_picker_offers_the_scopes_one_may_read(
    risky, login, who, offered, not_offered, default
):
    user = getattr(risky, who)
    values, selected = _scope_options(login, user)
    assert set(offered) <= set(values)
    assert not set(not_offered) & set(values)
    assert selected == [default]
    if who != "nora":  # every scope offered opens (the country's 56 are too many to walk)
        for value in values:
            assert _get(login, user, f"{PAGE}?scope={value}&year={YEAR}").status_code == 200


def test_the_scope_picker_keeps_the_scope_of_the_url(risky, login):
    values, selected = _scope_options(login, risky.nora, "&scope=deprov:72")
    assert selected == ["deprov:72"]
    assert values[0] == "national" and values.index("region:7") < values.index("deprov:72")


@pytest.mark.parametrize("who", ["alice", "rita", "uma"])
def test_roles_without_the_page_get_403(risky, login, who):
    user = getattr(risky, who)
    assert _get(login, user, PAGE).status_code == 403
    assert _get(login, user, API).status_code == 403
    assert _get(login, user, "/monitoring/networks-at-risk.xlsx").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(risky, client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "login" in response["Location"]
    assert client.get(API).status_code in (401, 403)


def test_each_reason_is_a_chip_carrying_its_sentence(risky, login):
    html = _get(login, risky.tomas, f"{PAGE}?scope=deprov:72&year={YEAR}").content.decode()
    assert f'data-reason="attendance_director" title="{REASON_A}"' in html
    assert '<span aria-hidden="true">Asistencia: directores</span>' in html
    assert f'<span class="visually-hidden">{REASON_A}</span>' in html


def test_flagged_only_by_default_and_all_on_request(risky, login):
    NetworkFactory(code="RME-07-950", name="Red Sin Señales", deprov_id=TALCA, year=YEAR)
    url = f"{PAGE}?scope=deprov:72&year={YEAR}"
    assert "RME-07-950" not in _get(login, risky.tomas, url).content.decode()
    text = _get(login, risky.tomas, url + "&all=1").content.decode()
    assert "RME-07-950" in text and "Sin señales" in text
    assert "1 de 2 redes con señales de riesgo." in text


def test_sorting_by_directors_attendance(risky, login):
    text = _get(login, risky.nora, f"{PAGE}?scope=national&year={YEAR}&sort=attendance_director")
    body = text.content.decode()
    assert body.index(risky.network_a.code) < body.index(risky.network_b.code)
    api = _get(login, risky.nora, f"{API}?scope=national&year={YEAR}&sort=code").json()
    assert [n["network"] for n in api["networks"]] == sorted(
        [risky.network_a.code, risky.network_b.code]
    )


def test_csv_and_xlsx_downloads(risky, login):
    client = login(risky.nora)
    csv = client.get(f"/monitoring/networks-at-risk.csv?scope=region:7&year={YEAR}")
    assert csv.status_code == 200
    assert csv["Content-Disposition"] == (
        f'attachment; filename="redes-en-riesgo_region-7_{YEAR}.csv"'
    )
    lines = csv.content.decode().splitlines()
    assert lines[0].startswith("Código,Red,Departamento provincial,Región,Año")
    assert len(lines) == 2 and risky.network_a.code in lines[1] and REASON_A in lines[1]
    xlsx = client.get(f"/monitoring/networks-at-risk.xlsx?scope=region:7&year={YEAR}")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "Código"
    assert rows[2][0] == risky.network_a.code and rows[2][6] == 20.0
    assert rows[2][-1] == REASON_A


def test_the_api_gives_indicators_flags_and_reasons(risky, login):
    response = _get(login, risky.nora, f"{API}?scope=region:7&year={YEAR}")
    assert response.status_code == 200
    data = response.json()
    assert (data["scope"], data["year"], data["networks_total"]) == ("region:7", YEAR, 1)
    (row,) = data["networks"]
    assert row["network"] == risky.network_a.code
    assert row["attendance"] == {"director": 20.0, "utp": None, "sostenedor_rep": None}
    assert row["flagged"] is True
    assert row["reasons"] == [{"code": "attendance_director", "text": REASON_A}]
    assert data["thresholds"]["attendance_director"] == 80.0


def test_the_api_is_in_the_schema(risky, login):
    schema = _get(login, risky.ada, "/api/v1/schema/").content.decode()
    assert "/api/v1/monitoring/networks-at-risk/" in schema


def test_survey_signals_follow_who_reads_the_results(risky, login):
    a = risky.network_a
    add_responses(_wave(YEAR - 1, status="published"), a, [_answers(5, 5)] * 6)
    current = _wave(YEAR)  # closed, not published
    add_responses(current, a, [_answers(1, 5)] * 6)
    reason = "El interés en las reuniones bajó 100 puntos respecto de la encuesta anterior."
    url = f"{PAGE}?scope=deprov:72&year={YEAR}"
    assert reason in _get(login, risky.nora, url).content.decode()  # analysts: once closed
    assert reason not in _get(login, risky.sofia, url).content.decode()  # not yet published
    current.status = "published"
    current.save()
    assert reason in _get(login, risky.sofia, url).content.decode()  # she supervises A
    assert reason not in _get(login, risky.tomas, url).content.decode()  # only of his DEPROV


def test_the_supervisors_home_panel(risky, login):
    # The home page loads the panel by htmx after it shows.
    assert 'data-home-panel="risk"' in _get(login, risky.sofia, "/").content.decode()
    text = _get(login, risky.sofia, "/home/panels/risk/").content.decode()
    assert "Redes en riesgo · 2025" in text
    assert "1 de 1 red con señales de riesgo." in text
    assert REASON_A in text
    for other in (risky.alice, risky.nora):
        assert 'data-home-panel="risk"' not in _get(login, other, "/").content.decode()
        assert "Redes en riesgo ·" not in _get(login, other, "/home/panels/risk/").content.decode()


def _page_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"{PAGE}?scope=national&year={YEAR}").status_code == 200
    return len(ctx.captured_queries)


def test_the_page_runs_a_fixed_number_of_queries(risky, login):
    client = login(risky.nora)
    few = _page_queries(client)
    for i in range(4):
        network = NetworkFactory(code=f"RME-07-96{i}", deprov_id=TALCA, year=YEAR)
        held_meeting(network, 3, attendance={"director": (1, 10)})
    assert _page_queries(client) == few


def test_the_page_is_paginated_keeping_the_sort_and_the_downloads_keep_every_row(
    risky, login, monkeypatch
):
    monkeypatch.setattr("monitoring.risk.views.PAGE_SIZE", 2)
    for i, attended in enumerate((1, 3, 5)):
        network = NetworkFactory(code=f"RME-07-97{i}", deprov_id=TALCA, year=YEAR)
        held_meeting(network, 3, attendance={"director": (attended, 10)})
    client = login(risky.nora)
    query = f"scope=national&year={YEAR}&sort=attendance_director"
    first = client.get(f"{PAGE}?{query}", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    second = client.get(f"{PAGE}?{query}&page=2", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    third = client.get(f"{PAGE}?{query}&page=3", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    # Sorted by directors' attendance (10 %, 20 % | 30 %, 40 % | 50 %) across the pages.
    assert "RME-07-970" in first and risky.network_a.code in first
    assert "RME-07-971" in second and risky.network_b.code in second
    assert "RME-07-972" in third and "RME-07-970" not in third
    assert "5 de 5 redes con señales de riesgo." in second
    assert "Página 2 de 3" in second
    assert "sort=attendance_director&amp;page=3" in second  # the page links keep the sort
    assert "page=2&amp;sort" not in second  # the sort links start again at page 1
    csv = client.get(f"/monitoring/networks-at-risk.csv?{query}&page=2")
    assert len(csv.content.decode().splitlines()) == 6  # header and every network
