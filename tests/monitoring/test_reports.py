"""PDF monitoring reports: what they say (read back with pdftotext), the
command, the checksum that skips unchanged reports, retries, the sweeper,
the reports page and its htmx status, the API and who may download what."""

import io
import shutil
import subprocess
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from monitoring import services
from monitoring.models import Report, ReportStatus
from monitoring.reports import building, rendering
from monitoring.reports.data import ReportInputs, campaign_scopes, report_checksum
from monitoring.reports.services import request_reports
from monitoring.selectors import network_panel
from monitoring.tasks import build_report, sweep_stale_reports
from networks.permissions import visible_networks
from tests.factories import CampaignFactory, MembershipFactory, NetworkFactory

from .conftest import TALCA, add_responses, likert_questions

pytestmark = pytest.mark.django_db

A, B, C, D = "network:RME-07-901", "network:RME-13-901", "network:RME-07-902", "network:RME-07-903"
ALL_SCOPES = {"national", "region:7", "region:13", A, B, C, D}


def pdf_text(name):
    """The text of the stored report `name` (a name in the storage, as the
    command prints it: no path on this host)."""
    if shutil.which("pdftotext") is None:
        pytest.skip("needs pdftotext (poppler-utils)")
    with default_storage.open(name, "rb") as stored:
        pdf = stored.read()
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return done.stdout.decode()


@pytest.fixture
def campaign(monitoring_world):
    """A published 2025 campaign. Network A: 85 responses, 53 agree with the
    first question (62.4 %), the rest neutral; C: 8; D (Talca): 3, all
    "Muy de acuerdo", so suppressed; B (Santiago): 8 heads of UTP."""
    campaign = CampaignFactory(slug="rme-2025", year=2025, status="published")
    codes = [q.code for q in likert_questions()]
    first = codes[0]
    values = []
    for i in range(85):
        answers = dict.fromkeys(codes, 3)
        answers[first] = 4 if i < 53 else 2
        values.append(answers)
    add_responses(campaign, monitoring_world.network_a, values)
    add_responses(campaign, monitoring_world.network_c, [4] * 8)
    monitoring_world.network_d = NetworkFactory(
        code="RME-07-903", name="Red Talca D", deprov_id=TALCA
    )
    add_responses(campaign, monitoring_world.network_d, [5, 5, 5])
    add_responses(campaign, monitoring_world.network_b, [2] * 8, role="utp")
    return campaign


def build(*args):
    out = io.StringIO()
    call_command("build_reports", "--campaign", "rme-2025", *args, stdout=out)
    lines = [line.split(" ", 2) for line in out.getvalue().splitlines()]
    return {scope: (status, rest[0] if rest else "") for scope, status, *rest in lines}


# --- content -------------------------------------------------------------------------------------


def test_a_network_report_prints_its_figures_in_spanish(campaign, monitoring_world):
    lines = build("--scope", A, "--sync")
    status, name = lines[A]
    assert status == "done"
    text = pdf_text(name)
    assert "Red Talca A" in text
    assert "62,4\xa0%" in text or "62,4 %" in text
    assert "Resultados por dimensión" in text
    assert "Maule" in text  # compared with its region
    # Cover, table of contents with page numbers, running header and footer.
    assert "Contenido" in text and "Página 2 de" in text
    report = Report.objects.get(scope="network", scope_id="RME-07-901", language="es")
    assert report.status == ReportStatus.DONE and report.pages >= 5
    assert len(report.checksum) == 64


def test_the_english_report_writes_numbers_the_english_way(campaign):
    status, name = build("--scope", A, "--language", "en", "--sync")[A]
    assert status == "done"
    text = pdf_text(name)
    assert "62.4%" in text
    # Headings and the default instrument's constructs in English too.
    assert "Results by dimension" in text and "Common goals" in text
    assert "Metas comunes" not in text
    assert Report.objects.filter(scope_id="RME-07-901").count() == 1  # only en so far


def test_suppressed_cells_say_so_and_show_no_number(campaign):
    status, name = build("--scope", D, "--sync")[D]
    assert status == "done"
    text = pdf_text(name)
    assert "Red Talca D" in text
    assert "menos de 5 respuestas" in text
    # All three answered "Muy de acuerdo" (100 %): that figure appears nowhere.
    assert "100,0" not in text
    # The row of the first question says so instead of its figures.
    row = next(line for line in text.splitlines() if line.strip().startswith("P1 "))
    assert "menos de 5 respuestas" in row


# --- the command and the checksum ----------------------------------------------------------------


def test_command_builds_every_scope_then_skips_the_unchanged_ones(campaign, monitoring_world):
    first = build("--sync")
    assert set(first) == ALL_SCOPES
    assert {status for status, _name in first.values()} == {"done"}
    for _status, name in first.values():
        assert name.endswith(".pdf") and name.startswith("reports/rme-2025/es/")
    again = build("--sync")
    assert {status for status, _name in again.values()} == {"unchanged"}
    assert again[A][1] == first[A][1]
    forced = build("--scope", "national", "--sync", "--force")
    assert forced == {"national": ("done", first["national"][1])}
    # New answers change the figures: those reports are built again.
    add_responses(campaign, monitoring_world.network_b, [5] * 5, role="director")
    after = build("--scope", B, "--sync")
    assert after[B][0] == "done"


def test_without_sync_the_command_queues_the_builds(campaign, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        lines = build("--scope", "region:13")
    assert lines == {"region:13": ("queued", "")}
    assert len(callbacks) == 1  # the builds are sent on commit
    assert Report.objects.get(scope="region").status == ReportStatus.DONE  # eager here


def test_the_checksum_is_cheap_and_changes_with_the_language(campaign):
    inputs = ReportInputs(campaign)
    scope = campaign_scopes(campaign, A)[0]
    es = report_checksum(inputs, scope, "es")
    assert es == report_checksum(inputs, scope, "es")
    assert es != report_checksum(inputs, scope, "en")


def test_a_draft_or_open_campaign_has_no_reports(monitoring_world):
    CampaignFactory(slug="rme-2025", status="open")
    with pytest.raises(Exception, match="cerrada"):
        build("--sync")


# --- failures, retries and the sweeper -----------------------------------------------------------


def test_a_failing_build_is_retried_then_shows_its_error_and_can_be_retried(
    campaign, monitoring_world, login, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(data, **kwargs):
        raise RuntimeError("sin tinta")

    monkeypatch.setattr(rendering, "render_pdf", broken)
    with django_capture_on_commit_callbacks(execute=True):
        request_reports(by=monitoring_world.analyst, campaign=campaign, scope=A)
    report = Report.objects.get(scope_id="RME-07-901")
    assert report.status == ReportStatus.FAILED
    assert report.attempts == building.MAX_RETRIES + 1
    assert "sin tinta" in report.error and not report.file

    client = login(monitoring_world.analyst)
    page = client.get("/monitoring/campaigns/rme-2025/reports/").content.decode()
    assert "sin tinta" in page and f"/reports/{report.pk}/retry/" in page

    monkeypatch.undo()
    retry = f"/monitoring/campaigns/rme-2025/reports/{report.pk}/retry/"
    assert client.get(retry).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.error == ""
    download = client.get(f"/monitoring/campaigns/rme-2025/reports/{report.pk}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_members_may_not_retry(campaign, monitoring_world, login):
    report = fake_report(campaign, A, status=ReportStatus.FAILED)
    client = login(monitoring_world.director_a)
    response = client.post(f"/monitoring/campaigns/rme-2025/reports/{report.pk}/retry/")
    assert response.status_code == 404  # a failed report is not theirs to see
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED


def test_the_sweeper_requeues_reports_a_killed_worker_left_running(
    campaign, django_capture_on_commit_callbacks
):
    request_reports(by=None, campaign=campaign, scope=B, enqueue_builds=False)
    stale = Report.objects.get(scope_id="RME-13-901")
    Report.objects.filter(pk=stale.pk).update(
        status=ReportStatus.RUNNING, started_at=timezone.now() - timedelta(hours=1), attempts=1
    )
    fresh = fake_report(campaign, "region:13", status=ReportStatus.RUNNING)
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_stale_reports.delay().get() == 1
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == ReportStatus.DONE and stale.attempts == 2
    assert fresh.status == ReportStatus.RUNNING  # still within its time limit


def test_a_task_run_twice_builds_once(campaign):
    request_reports(by=None, campaign=campaign, scope=B, enqueue_builds=False)
    report = Report.objects.get(scope_id="RME-13-901")
    assert build_report.delay(report.pk).get() == "done"
    assert build_report.delay(report.pk).get() == "unchanged"
    report.refresh_from_db()
    assert report.attempts == 1


def test_closing_a_campaign_queues_its_reports(
    monitoring_world, monkeypatch, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory(slug="rme-2025")
    services.open_campaign(by=monitoring_world.admin, campaign=campaign, send=False)
    add_responses(campaign, monitoring_world.network_b, [4] * 6)
    monkeypatch.setattr(services, "reports_on_close", lambda: True)
    with django_capture_on_commit_callbacks(execute=True):
        services.close_campaign(by=monitoring_world.admin, campaign=campaign)
    built = dict(Report.objects.filter(campaign=campaign).values_list("scope", "status"))
    assert built.get("national") == ReportStatus.DONE
    assert Report.objects.filter(campaign=campaign, status=ReportStatus.DONE).count() >= 3


def test_closing_does_not_build_in_process_without_a_broker(
    monitoring_world, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory(slug="rme-2025")
    services.open_campaign(by=monitoring_world.admin, campaign=campaign, send=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.close_campaign(by=monitoring_world.admin, campaign=campaign)
    assert not Report.objects.exists()


# --- access --------------------------------------------------------------------------------------


def fake_report(campaign, scope_text, *, language="es", status=ReportStatus.DONE):
    """A report row with a small stored file (no rendering)."""
    scope = campaign_scopes(campaign, scope_text)[0]
    report = building.report_row(campaign, scope, language)
    report.status = status
    report.save()
    if status == ReportStatus.DONE:
        report.file.save(report.file_name(), ContentFile(b"%PDF-1.7 prueba"), save=True)
    return report


ROLES = [
    "director_a",
    "utp_a1",
    "director_b",
    "supervisor_a",
    "supervisor_b",
    "rep_a",
    "analyst",
    "analyst_rm",
    "supervisor_deprov",
    "admin",
]
DOWNLOADS = {
    "director_a": {A},
    "utp_a1": {A},
    "director_b": {B},
    "supervisor_a": {A},
    "supervisor_b": {B},
    "rep_a": {A},
    "analyst": {"national", "region:7", "region:13", A, B},
    "analyst_rm": {"national", "region:13", B},
    "supervisor_deprov": set(),  # of A's DEPROV, not assigned to A
    "admin": {"national", "region:7", "region:13", A, B},
}
REPORTS = ["national", "region:7", "region:13", A, B]


@pytest.fixture
def built(monitoring_world):
    campaign = CampaignFactory(slug="rme-2025", year=2025, status="published")
    return {scope: fake_report(campaign, scope) for scope in REPORTS}


@pytest.mark.parametrize(
    ("role", "scope"), [pytest.param(r, s, id=f"{r}-{s}") for r in ROLES for s in REPORTS]
)
def test_downloads_by_role(monitoring_world, login, built, role, scope):
    report = built[scope]
    client = login(getattr(monitoring_world, role))
    allowed = scope in DOWNLOADS[role]
    page = client.get(f"/monitoring/campaigns/rme-2025/reports/{report.pk}/download/")
    assert page.status_code == (200 if allowed else 404)
    if allowed:
        assert page["Content-Type"] == "application/pdf"
        assert page["Cache-Control"] == "private, no-store"
        assert b"".join(page.streaming_content) == b"%PDF-1.7 prueba"
    api = client.get(f"/api/v1/monitoring/reports/{report.pk}/download/")
    assert api.status_code == (200 if allowed else 404)
    listed = {r["scope"] for r in client.get("/api/v1/monitoring/reports/").json()["results"]}
    assert listed == DOWNLOADS[role]


def test_a_supervisor_of_the_deprov_downloads_a_networks_report_once_assigned(world, login, built):
    """Supervising a network is being assigned to it: the report of a
    network of one's DEPROV is private until then."""
    report = built[A]
    pages = (
        f"/monitoring/campaigns/rme-2025/reports/{report.pk}/download/",
        f"/api/v1/monitoring/reports/{report.pk}/download/",
    )
    client = login(world.supervisor_deprov)
    assert [client.get(url).status_code for url in pages] == [404, 404]
    MembershipFactory(network=world.network_a, user=world.supervisor_deprov, role="supervisor")
    client = login(world.supervisor_deprov)
    assert [client.get(url).status_code for url in pages] == [200, 200]
    listed = {r["scope"] for r in client.get("/api/v1/monitoring/reports/").json()["results"]}
    assert listed == {A}


def test_anonymous_visitors_are_sent_to_sign_in(client, built):
    report = built[A]
    for url in (
        "/monitoring/campaigns/rme-2025/reports/",
        f"/monitoring/campaigns/rme-2025/reports/{report.pk}/download/",
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get(f"/api/v1/monitoring/reports/{report.pk}/download/").status_code in {401, 403}
    assert client.get("/api/v1/monitoring/reports/").status_code in {401, 403}


def test_members_read_only_published_and_built_reports(monitoring_world, login):
    campaign = CampaignFactory(slug="rme-2025", year=2025, status="closed")
    report = fake_report(campaign, A)
    pending = fake_report(campaign, A, language="en", status=ReportStatus.PENDING)
    member = login(monitoring_world.director_a)
    url = f"/monitoring/campaigns/rme-2025/reports/{report.pk}/download/"
    assert member.get(url).status_code == 404  # closed, not published
    assert member.get("/monitoring/campaigns/rme-2025/reports/").status_code == 404
    campaign.status = "published"
    campaign.save()
    assert member.get(url).status_code == 200
    pending_url = f"/monitoring/campaigns/rme-2025/reports/{pending.pk}/download/"
    assert member.get(pending_url).status_code == 404
    analyst = login(monitoring_world.analyst)
    assert analyst.get(pending_url).status_code == 404  # not built yet


def test_members_find_their_network_report_on_the_network_page(monitoring_world, login, built):
    member = login(monitoring_world.director_a)
    panel = member.get("/networks/RME-07-901/survey-panel/").content.decode()
    assert f"/monitoring/campaigns/rme-2025/reports/{built[A].pk}/download/" in panel
    outsider = login(monitoring_world.director_b)
    assert outsider.get("/networks/RME-13-901/survey-panel/").status_code == 200
    assert (
        f"/reports/{built[A].pk}/"
        not in outsider.get("/networks/RME-13-901/survey-panel/").content.decode()
    )


@pytest.mark.parametrize("role", ROLES)
def test_the_network_panel_reads_a_visible_network_as_a_second_check_would(
    monitoring_world, built, role
):
    """The panel's view passes visible=True (the network came from
    visible_networks): the panel and its report link are those the full
    checks give, for every role and network it sees (a DEPROV's supervisor
    sees networks whose results and reports they do not follow)."""
    user = getattr(monitoring_world, role)
    add_responses(built[A].campaign, monitoring_world.network_a, [4] * 12)
    for network in visible_networks(user).select_related("deprov__region"):
        assert network_panel(user, network, visible=True) == network_panel(user, network)


# --- the page and the API ------------------------------------------------------------------------


def test_the_reports_page_shows_status_live_and_runs_a_fixed_number_of_queries(
    monitoring_world, login, built, django_assert_num_queries
):
    campaign = built["national"].campaign
    client = login(monitoring_world.analyst)
    url = "/monitoring/campaigns/rme-2025/reports/"
    client.get(url)  # the first request after signing in also saves the session
    # The user, their analyst scope, the campaign, the number of rows
    # (paginator), the counts by status and the rows (with region and
    # network): 6 whatever the number of reports.
    with django_assert_num_queries(6) as captured:
        page = client.get(url)
    assert page.status_code == 200
    for n in range(5):
        network = NetworkFactory(code=f"RME-07-95{n}", name=f"Red extra {n}", deprov_id=TALCA)
        add_responses(campaign, network, [4] * 5)
        fake_report(campaign, f"network:{network.code}", status=ReportStatus.RUNNING)
    with django_assert_num_queries(len(captured)):
        page = client.get(url)
    html = page.content.decode()
    assert 'hx-trigger="every 3s"' in html  # reports are running: the table polls
    assert "Descargar PDF" in html and "Red extra 4" in html
    partial = client.get(url, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert "<html" not in partial.content.decode()
    assert 'id="reports-table"' in partial.content.decode()


def test_an_analyst_requests_the_reports_on_the_page(
    campaign, monitoring_world, login, django_capture_on_commit_callbacks
):
    client = login(monitoring_world.analyst_rm)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/monitoring/campaigns/rme-2025/reports/", {"scope": "all", "language": "es"}
        )
    assert response.status_code == 302
    built = set(Report.objects.values_list("scope", "scope_id"))
    # Only what the regional analyst may read: the country, region 13, network B.
    assert built == {("national", ""), ("region", "13"), ("network", "RME-13-901")}
    assert set(Report.objects.values_list("status", flat=True)) == {ReportStatus.DONE}
    page = client.get("/monitoring/campaigns/rme-2025/reports/").content.decode()
    assert "Descargar PDF" in page and 'hx-trigger="every 3s"' not in page


def test_members_may_not_request_reports(campaign, monitoring_world, login):
    client = login(monitoring_world.supervisor_a)
    response = client.post("/monitoring/campaigns/rme-2025/reports/", {"scope": "all"})
    assert response.status_code == 403
    api = client.post("/api/v1/monitoring/campaigns/rme-2025/reports/", {"scope": "all"})
    assert api.status_code == 403
    assert not Report.objects.exists()


def test_the_api_requests_builds_and_gives_download_links(
    campaign, monitoring_world, login, django_capture_on_commit_callbacks
):
    client = login(monitoring_world.analyst)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/monitoring/campaigns/rme-2025/reports/",
            {"scope": B, "language": "es"},
            content_type="application/json",
        )
    assert response.status_code == 202
    assert [(r["scope"], r["outcome"]) for r in response.json()] == [(B, "queued")]
    again = client.post(
        "/api/v1/monitoring/campaigns/rme-2025/reports/",
        {"scope": B},
        content_type="application/json",
    )
    assert [r["outcome"] for r in again.json()] == ["unchanged"]
    listed = client.get("/api/v1/monitoring/reports/?campaign=rme-2025&status=done").json()
    (item,) = listed["results"]
    assert item["scope"] == B and item["status"] == "done" and item["pages"] >= 5
    download = client.get(item["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    outside = login(monitoring_world.analyst_rm)
    response = outside.post(
        "/api/v1/monitoring/campaigns/rme-2025/reports/",
        {"scope": A},
        content_type="application/json",
    )
    assert response.status_code == 404
