"""Real Celery workers on a private Redis: work asked for while the broker
was down is sent by the next worker that starts, exactly once; a worker that
starts finishes the reports a killed worker left running, without beat's
sweeper."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from monitoring import services as survey
from monitoring.models import Invitation, Report, ReportStatus
from monitoring.reports.building import DELAY_ENV
from monitoring.reports.services import request_reports
from rme_platform import outbox
from rme_platform.models import Outbox
from tests.factories import CampaignFactory
from tests.monitoring.conftest import _default_instrument, add_responses  # noqa: F401
from tests.monitoring.test_reports_worker import Worker, wait_for

from .private_redis import forget_celery_connections, private_redis  # noqa: F401

pytestmark = [
    pytest.mark.worker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def broker(settings, private_redis):  # noqa: F811
    settings.CELERY_BROKER_URL = private_redis.url(0)
    settings.CELERY_RESULT_BACKEND = private_redis.url(0)
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    outbox._broker_down_until = 0.0
    forget_celery_connections()
    yield private_redis
    outbox._broker_down_until = 0.0
    forget_celery_connections()


def start_worker(broker, queue, log_path, **env):
    return Worker(queue, log_path, REDIS_URL=broker.url(0), **env)


def wait_until(check, seconds):
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"not done after {seconds} s")


def test_reminders_asked_while_the_broker_was_down_go_out_once_a_worker_starts(
    client,
    login,
    world,
    broker,
    tmp_path,
):
    campaign = CampaignFactory(slug="rme-2025", closes_on=timezone.localdate() + timedelta(days=9))
    survey.open_campaign(by=world.admin, campaign=campaign, send=False)
    invitations = Invitation.objects.filter(campaign=campaign)
    invitations.update(sent_at=timezone.now() - timedelta(days=3))
    login(world.admin)

    broker.stop()
    response = client.post(reverse("monitoring:campaign_remind", args=[campaign.slug]))
    assert response.status_code == 302
    row = Outbox.objects.get()
    assert row.task == "monitoring.tasks.send_invitation_batch" and row.dispatched_at is None
    assert not invitations.filter(reminder_count__gt=0).exists()

    broker.start()
    queue = f"rme-test-{uuid.uuid4().hex[:10]}"
    worker = start_worker(broker, "celery", tmp_path / "worker.log", MONITORING_REPORTS_QUEUE=queue)
    try:
        expected = invitations.count()
        wait_until(lambda: invitations.filter(reminder_count=1).count() == expected, 90)
        row.refresh_from_db()
        assert row.dispatched_at is not None
        # Nothing is sent a second time: not by another relay, not later.
        assert outbox.relay() == 0
        worker.stop()
        worker = start_worker(broker, "celery", tmp_path / "worker2.log")
        wait_until(lambda: "ready" in (tmp_path / "worker2.log").read_text(), 60)
        assert invitations.filter(reminder_count=1).count() == expected
        assert not invitations.filter(reminder_count__gt=1).exists()
    finally:
        worker.stop()


def test_a_starting_worker_finishes_the_report_a_killed_worker_left_running(
    world,
    settings,
    broker,
    tmp_path,
):
    campaign = CampaignFactory(slug="rme-2025", year=2025, status="published")
    add_responses(campaign, world.network_b, [4, 5, 3, 4, 2, 5, 4, 4])
    queue = f"rme-test-{uuid.uuid4().hex[:10]}"
    settings.MONITORING_REPORTS_QUEUE = queue
    workers = []
    try:
        first = start_worker(broker, queue, tmp_path / "worker1.log", **{DELAY_ENV: "60"})
        workers.append(first)
        request_reports(by=None, campaign=campaign, scope="network:RME-13-901")
        report = Report.objects.get(campaign=campaign)
        wait_for(report, {ReportStatus.RUNNING}, 60)
        first.kill()

        # No beat, no sweeper: the next worker recovers the claim as it starts.
        workers.append(start_worker(broker, queue, tmp_path / "worker2.log"))
        wait_for(report, {ReportStatus.DONE, ReportStatus.FAILED}, 90)
        assert report.status == ReportStatus.DONE, report.error
        assert report.attempts == 2
    finally:
        for worker in workers:
            worker.stop()


def test_a_starting_worker_leaves_alone_the_report_a_busy_worker_is_building(
    world,
    settings,
    broker,
    tmp_path,
):
    """A worker alive but too busy to answer the start-up broadcast (here a
    solo worker in the middle of the build) still holds its claim: the
    starting worker does not queue the report again, it is built once."""
    campaign = CampaignFactory(slug="rme-2025", year=2025, status="published")
    add_responses(campaign, world.network_b, [4, 5, 3, 4, 2, 5, 4, 4])
    queue = f"rme-test-{uuid.uuid4().hex[:10]}"
    settings.MONITORING_REPORTS_QUEUE = queue
    workers = []
    try:
        busy = start_worker(broker, queue, tmp_path / "worker1.log", **{DELAY_ENV: "30"})
        workers.append(busy)
        request_reports(by=None, campaign=campaign, scope="network:RME-13-901")
        report = Report.objects.get(campaign=campaign)
        wait_for(report, {ReportStatus.RUNNING}, 60)

        log = tmp_path / "worker2.log"
        workers.append(start_worker(broker, queue, log))
        wait_until(lambda: "queued again" in log.read_text(), 60)
        assert "reports: 0 left running" in log.read_text()
        report.refresh_from_db()
        assert report.status == ReportStatus.RUNNING and report.attempts == 1

        wait_for(report, {ReportStatus.DONE, ReportStatus.FAILED}, 90)
        assert report.status == ReportStatus.DONE, report.error
        assert report.attempts == 1  # built once, by the worker that claimed it
    finally:
        for worker in workers:
            worker.stop()
