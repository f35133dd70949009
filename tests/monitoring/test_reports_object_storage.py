"""On several hosts a worker builds a PDF report and any web host serves it:
with STORAGES["default"] on an S3-compatible server (tests/conftest.py,
`object_storage`), the build task stores the report in the bucket, the
command names it by its stored name (no path on a host), and the
access-checked download streams it back from there."""

import io
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from monitoring.models import Report, ReportStatus
from monitoring.reports.data import ReportInputs, campaign_scopes, report_checksum
from monitoring.reports.services import request_reports
from monitoring.tasks import build_report

pytestmark = pytest.mark.django_db

A = "network:RME-07-901"


def test_a_report_built_by_the_task_is_stored_in_the_bucket_and_downloaded(
    object_storage, published, monitoring_world, login, settings
):
    request_reports(by=None, campaign=published, scope=A, enqueue_builds=False)
    report = Report.objects.get(scope_id="RME-07-901", language="es")
    assert build_report.delay(report.pk).get() == "done"
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE, report.error
    stored = object_storage.Object(report.file.name).get()["Body"].read()
    assert stored.startswith(b"%PDF")
    assert not settings.MEDIA_ROOT.exists() or not any(settings.MEDIA_ROOT.rglob("*.pdf"))

    url = f"/monitoring/campaigns/{published.slug}/reports/{report.pk}/download/"
    for person in (monitoring_world.director_a, monitoring_world.analyst):
        download = login(person).get(url)
        assert download.status_code == 200
        assert "Location" not in download
        assert download["Content-Type"] == "application/pdf"
        assert b"".join(download.streaming_content) == stored
        api = login(person).get(f"/api/v1/monitoring/reports/{report.pk}/download/")
        assert api.status_code == 200
        assert b"".join(api.streaming_content) == stored
    # Another network's director: not found, on the page and in the API.
    other = login(monitoring_world.director_b)
    assert other.get(url).status_code == 404
    assert other.get(f"/api/v1/monitoring/reports/{report.pk}/download/").status_code == 404

    # Built again by the command: the same stored name, no path on a host,
    # and the bucket holds that one object.
    out = io.StringIO()
    call_command(
        "build_reports", "--campaign", published.slug, "--scope", A, "--sync", "--force", stdout=out
    )
    assert out.getvalue().split() == [A, "done", report.file.name]
    assert [o.key for o in object_storage.objects.all()] == [report.file.name]
    out = io.StringIO()
    call_command("build_reports", "--campaign", published.slug, "--scope", A, "--sync", stdout=out)
    assert out.getvalue().split() == [A, "unchanged", report.file.name]


def test_asking_again_for_unchanged_reports_lists_their_folder_once(object_storage, published):
    """Whether each report's file is still there is one listing of the
    campaign's folder, not a request per report (hundreds nationally)."""
    request_reports(by=None, campaign=published, scope="all", enqueue_builds=False)
    inputs = ReportInputs(published)
    reports = list(Report.objects.filter(campaign=published))
    assert len(reports) >= 5
    for report in reports:
        scope = campaign_scopes(published, report.scope_text)[0]
        report.file.save(report.file_name(), ContentFile(b"%PDF-1.7 prueba"), save=False)
        report.status = ReportStatus.DONE
        report.checksum = report_checksum(inputs, scope, "es")
        report.save()
    # A report whose file is gone is built again.
    object_storage.Object(reports[0].file.name).delete()

    client = default_storage.connection.meta.client
    calls = []

    def count(model, **kwargs):
        calls.append(model.name)

    client.meta.events.register("before-call.s3", count)
    try:
        outcomes = request_reports(by=None, campaign=published, scope="all", enqueue_builds=False)
    finally:
        client.meta.events.unregister("before-call.s3", count)
    assert {r.pk: outcome for r, outcome in outcomes} == {
        r.pk: "queued" if r.pk == reports[0].pk else "unchanged" for r in reports
    }
    assert len(calls) == 1 and calls[0].startswith("ListObjects"), calls


def test_nothing_asks_a_stored_file_for_a_path_on_this_host():
    """Storage.path() exists only for files on a local disk (S3Storage raises
    NotImplementedError): the code reads and writes stored files through the
    storage, and names them by their stored name."""
    root = Path(__file__).resolve().parents[2]
    offenders = []
    for package in ("rme_platform", "schools", "networks", "pme", "monitoring"):
        for source in (root / package).rglob("*.py"):
            text = source.read_text(encoding="utf-8")
            for number, line in enumerate(text.splitlines(), 1):
                if ".file.path" in line or "storage.path(" in line or ".path(name" in line:
                    offenders.append(f"{source.relative_to(root)}:{number}: {line.strip()}")
    assert offenders == []
