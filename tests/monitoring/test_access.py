"""Who reads what: results pages, downloads, response rates and the API,
for each named user (DESIGN.md section 2). A scope the user may not read
answers 404 like a missing one; a campaign they see but whose results (or
rates) they may not read answers 403."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from monitoring import services
from tests.factories import CampaignFactory, MembershipFactory

from .conftest import ROLES, add_responses

pytestmark = pytest.mark.django_db

A, B, C = "network:RME-07-901", "network:RME-13-901", "network:RME-07-902"
# Published results each role may read, beyond the national figure.
READS = {
    "director_a": {A, "region:7"},
    "director_b": {B, "region:13"},
    "supervisor_a": {A, "region:7"},
    "supervisor_b": {B, "region:13"},
    "rep_a": {A, "region:7"},
    "analyst": {A, B, C, "region:7", "region:13"},
    "analyst_rm": {B, "region:13"},
    # Of network A's DEPROV but not assigned to A: not A's supervisor.
    "supervisor_deprov": set(),
    "admin": {A, B, C, "region:7", "region:13"},
}
SCOPES = [A, B, C, "region:7", "region:13"]


def cases(expected):
    return [
        pytest.param(role, scope, expected(role, scope), id=f"{role}-{scope}")
        for role in ROLES
        for scope in SCOPES
    ]


@pytest.mark.parametrize(
    ("role", "scope", "status"), cases(lambda r, s: 200 if s in READS[r] else 404)
)
def test_published_results_pages_by_role_and_scope(
    monitoring_world, login, published, role, scope, status
):
    client = login(getattr(monitoring_world, role))
    response = client.get(f"/monitoring/campaigns/rme-2024/results/?scope={scope}")
    assert response.status_code == status
    api = client.get(f"/api/v1/monitoring/campaigns/rme-2024/results/?scope={scope}")
    assert api.status_code == status
    csv_download = client.get(f"/monitoring/campaigns/rme-2024/results.csv?scope={scope}")
    assert csv_download.status_code == status


@pytest.mark.parametrize("role", ROLES)
def test_everyone_signed_in_reads_the_published_national_figure(
    monitoring_world, login, published, role
):
    client = login(getattr(monitoring_world, role))
    response = client.get("/monitoring/campaigns/rme-2024/results/?scope=national")
    assert response.status_code == 200
    assert "En la red trabajamos colectivamente hacia metas comunes." in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client, published):
    for url in (
        "/monitoring/",
        "/monitoring/campaigns/rme-2024/results/",
        "/monitoring/campaigns/rme-2024/results.csv",
        "/monitoring/campaigns/rme-2024/rates/",
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/api/v1/monitoring/campaigns/").status_code in {401, 403}


@pytest.fixture
def open_campaign(monitoring_world):
    campaign = CampaignFactory(slug="rme-2025")
    services.open_campaign(by=monitoring_world.admin, campaign=campaign, send=False)
    return campaign


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("director_a", 403),  # invited: sees the campaign, not its results yet
        ("supervisor_a", 403),
        ("rep_a", 404),  # not invited: the open campaign does not exist for them
        ("analyst", 200),
        ("analyst_rm", 200),
        ("admin", 200),
    ],
)
def test_results_of_an_open_campaign_are_for_analysts(
    monitoring_world, login, open_campaign, role, status
):
    client = login(getattr(monitoring_world, role))
    assert client.get("/monitoring/campaigns/rme-2025/results/").status_code == status


@pytest.mark.parametrize(
    ("role", "status", "networks"),
    [
        ("director_a", 403, None),
        ("rep_a", 404, None),
        ("supervisor_a", 200, ["RME-07-901"]),
        ("supervisor_b", 200, ["RME-13-901"]),
        ("analyst_rm", 200, ["RME-13-901"]),
        ("supervisor_deprov", 200, []),  # of A's DEPROV, not assigned to A
        # Regions north to south: Metropolitana (13) before Maule (7).
        ("analyst", 200, ["RME-13-901", "RME-07-901", "RME-07-902"]),
        ("admin", 200, ["RME-13-901", "RME-07-901", "RME-07-902"]),
    ],
)
def test_response_rates_are_counts_within_scope(
    monitoring_world, login, open_campaign, role, status, networks
):
    open_campaign.invitations.filter(user=monitoring_world.director_a).update(answered=True)
    # A surname no one else in the page can have (factories draw common ones).
    monitoring_world.director_a.last_name = "Respondiente-Único"
    monitoring_world.director_a.save(update_fields=["last_name"])
    client = login(getattr(monitoring_world, role))
    response = client.get("/monitoring/campaigns/rme-2025/rates/")
    assert response.status_code == status
    api = client.get("/api/v1/monitoring/campaigns/rme-2025/rates/")
    assert api.status_code == status
    if status == 200:
        data = api.json()
        shown = [n["code"] for region in data["regions"] for n in region["networks"]]
        assert shown == networks
        content = response.content.decode()
        # Counts only: never who answered.
        assert monitoring_world.director_a.email not in content
        assert monitoring_world.director_a.last_name not in content
        if "RME-07-901" in networks:
            a = next(n for r in data["regions"] for n in r["networks"] if n["code"] == "RME-07-901")
            assert (a["invited"], a["answered"], a["rate"]) == (3, 1, 33.3)


def test_rates_list_runs_a_fixed_number_of_queries(
    monitoring_world, login, django_assert_num_queries
):
    from tests.factories import NetworkFactory, NetworkSchoolFactory, PositionFactory

    client = login(monitoring_world.analyst)
    client.get("/monitoring/")

    def count():
        campaign = CampaignFactory()
        services.open_campaign(by=monitoring_world.admin, campaign=campaign, send=False)
        # The user, the analyst's scope (kept for the request), the
        # campaign, the counts grouped per network.
        with django_assert_num_queries(4):
            assert client.get(f"/monitoring/campaigns/{campaign.slug}/rates/").status_code == 200

    count()
    for i in range(3):
        network = NetworkFactory(code=f"RME-07-95{i}", deprov_id=72)
        link = NetworkSchoolFactory(network=network)
        PositionFactory(school=link.school)
    count()


def test_csv_and_xlsx_downloads_hold_the_same_suppressed_aggregates(monitoring_world, login):
    campaign = CampaignFactory(slug="rme-2023", year=2023, status="published")
    add_responses(campaign, monitoring_world.network_a, [4] * 7)
    add_responses(campaign, monitoring_world.network_c, [2] * 3)  # suppressed
    add_responses(campaign, monitoring_world.network_b, [5] * 6)
    client = login(monitoring_world.analyst)
    response = client.get("/monitoring/campaigns/rme-2023/results.csv?scope=network:RME-07-902")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["n"] == "3" and rows[0]["suppressed"] == "true"
    assert rows[0]["count_1"] == rows[0]["pct_agree"] == rows[0]["mean"] == ""
    # Network A is the complement of C within region 7.
    response = client.get("/monitoring/campaigns/rme-2023/results.xlsx?scope=network:RME-07-901")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["network RME-07-901", "region 7", "national"]
    sheet = workbook["network RME-07-901"]
    header = [c.value for c in sheet[4]]
    first = dict(zip(header, [c.value for c in sheet[5]], strict=True))
    assert first["code"] == "RME_META_COMUN" and first["suppressed"] is True
    assert first["count_4"] is None and first["pct_agree"] is None
    national = dict(zip(header, [c.value for c in workbook["national"][5]], strict=True))
    assert national["n"] == 16 and national["suppressed"] is False


@pytest.mark.parametrize("role", ROLES)
def test_raw_responses_only_for_national_analysts(monitoring_world, login, published, role):
    client = login(getattr(monitoring_world, role))
    response = client.get("/monitoring/campaigns/rme-2024/responses.csv")
    assert response.status_code == (200 if role in {"analyst", "admin"} else 403)


def test_raw_responses_blank_the_network_under_the_minimum(monitoring_world, login):
    campaign = CampaignFactory(slug="rme-2022", year=2022, status="closed")
    add_responses(campaign, monitoring_world.network_a, [4] * 6)
    add_responses(campaign, monitoring_world.network_c, [2] * 4)
    client = login(monitoring_world.analyst)
    text = client.get("/monitoring/campaigns/rme-2022/responses.csv").content.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    # Network C's 4 are pooled at the region with one of A's 6 (at random),
    # so that no combination shown holds fewer than 5 rows.
    assert sorted(r["network"] for r in rows) == [""] * 5 + ["RME-07-901"] * 5
    assert {r["region"] for r in rows} == {"7"}
    assert sorted(r["RME_META_COMUN"] for r in rows) == ["2"] * 4 + ["4"] * 6
    assert {r["RME_META_COMUN"] for r in rows if r["network"]} == {"4"}
    assert list(rows[0])[:4] == ["region", "network", "role", "dependency"]


def test_api_results_equal_the_command_output(monitoring_world, login, published):
    client = login(monitoring_world.analyst)
    for scope in ("national", "region:7", A):
        out = io.StringIO()
        call_command(
            "survey_results", "--campaign", "rme-2024", "--scope", scope, "--by-role", stdout=out
        )
        api = client.get(
            f"/api/v1/monitoring/campaigns/rme-2024/results/?scope={scope}&by_role=true"
        )
        assert api.json() == json.loads(out.getvalue())


def test_api_scope_errors(monitoring_world, login, published):
    client = login(monitoring_world.analyst)
    base = "/api/v1/monitoring/campaigns/rme-2024/results/"
    assert client.get(base + "?scope=planeta").status_code == 400
    assert client.get(base + "?scope=region:99").status_code == 404
    assert client.get(base + "?scope=network:RME-00-000").status_code == 404
    assert client.get("/api/v1/monitoring/campaigns/nope/results/").status_code == 404
    assert client.get(base).json()["scope"] == "national"


@pytest.mark.parametrize(
    ("role", "slugs"),
    [
        ("director_a", ["rme-2025", "rme-2024"]),  # invited to the open one
        ("director_b", ["rme-2025", "rme-2024"]),
        ("rep_a", ["rme-2024"]),
        ("supervisor_a", ["rme-2025", "rme-2024"]),
        ("analyst_rm", ["rme-2026", "rme-2025", "rme-2024"]),
        ("admin", ["rme-2026", "rme-2025", "rme-2024"]),
    ],
)
def test_api_lists_the_campaigns_each_role_sees(
    monitoring_world, login, published, open_campaign, role, slugs
):
    CampaignFactory(slug="rme-2026", year=2026)  # a draft
    client = login(getattr(monitoring_world, role))
    data = client.get("/api/v1/monitoring/campaigns/").json()
    assert [c["slug"] for c in data["results"]] == slugs
    instruments = client.get("/api/v1/monitoring/instruments/").json()["results"]
    assert [i["slug"] for i in instruments] == ["rme-monitoreo"]
    assert instruments[0]["sections"][0]["questions"][0]["code"] == "RME_META_COMUN"


def test_a_supervisor_of_the_deprov_reads_a_networks_results_and_rates_once_assigned(
    world, login, published, open_campaign
):
    """Supervising a network is being assigned to it: a supervisor of the
    network's DEPROV reads its counts and published results only then."""
    client = login(world.supervisor_deprov)
    for url in (
        f"/monitoring/campaigns/rme-2024/results/?scope={A}",
        f"/api/v1/monitoring/campaigns/rme-2024/results/?scope={A}",
    ):
        assert client.get(url).status_code == 404
    rates = client.get("/api/v1/monitoring/campaigns/rme-2025/rates/").json()
    assert rates["regions"] == []

    MembershipFactory(network=world.network_a, user=world.supervisor_deprov, role="supervisor")
    client = login(world.supervisor_deprov)
    for url in (
        f"/monitoring/campaigns/rme-2024/results/?scope={A}",
        f"/api/v1/monitoring/campaigns/rme-2024/results/?scope={A}",
        "/monitoring/campaigns/rme-2024/results/?scope=region:7",
    ):
        assert client.get(url).status_code == 200
    rates = client.get("/api/v1/monitoring/campaigns/rme-2025/rates/").json()
    assert [n["code"] for r in rates["regions"] for n in r["networks"]] == ["RME-07-901"]
