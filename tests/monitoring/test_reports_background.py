"""Without a broker (`make run`), asking for reports answers at once: the
builds run in a background thread of the process (rme_platform/outbox.py,
settings.EAGER_BACKGROUND_TASKS) and the page follows their progress, as it
does with a worker. "Preparar" used to hold the request 12-15 s and then say
the reports were queued when all were already built."""

import threading

import pytest

from monitoring.models import Report, ReportStatus
from monitoring.reports import rendering
from rme_platform import outbox
from tests.factories import AnalystScopeFactory, CampaignFactory, NetworkFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def closed_campaign():
    NetworkFactory(code="RME-07-901", name="Red Talca A", deprov_id=72)
    return CampaignFactory(slug="rme-fondo", year=2025, status="closed")


def test_asking_for_reports_answers_before_they_are_built(
    client, closed_campaign, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.EAGER_BACKGROUND_TASKS = {"monitoring.tasks.build_report"}
    release = threading.Event()
    real_render = rendering.render_pdf

    def slow_render(*args, **kwargs):
        assert release.wait(30), "the test never let the build go on"
        return real_render(*args, **kwargs)

    monkeypatch.setattr(rendering, "render_pdf", slow_render)
    analyst = AnalystScopeFactory().user
    client.force_login(analyst)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/monitoring/campaigns/rme-fondo/reports/", {"scope": "network:RME-07-901"}
        )
    # The request is answered while the build waits in the background...
    assert response.status_code == 302
    report = Report.objects.get(campaign=closed_campaign)
    assert report.status in (ReportStatus.PENDING, ReportStatus.RUNNING)
    page = client.get(response["Location"]).content.decode()
    assert "Informes en cola: 1;" in page
    # ...and ends built, as the page's polling then shows.
    release.set()
    assert outbox.wait_for_background(timeout=60)
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.file
