"""A real Celery worker killed (SIGKILL) in the middle of a report: the
sweeper queues the report again and the next worker finishes it."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from monitoring.models import Report, ReportStatus
from monitoring.reports.building import DELAY_ENV
from monitoring.reports.services import request_reports
from monitoring.tasks import sweep_stale_reports
from tests.factories import CampaignFactory
from tests.platform.test_worker import database_url

from .conftest import add_responses

ROOT = Path(__file__).resolve().parents[2]


class Worker:
    """`celery worker --pool=solo` on a private queue, as in tests/platform/test_worker.py."""

    def __init__(self, queue, log_path, **env):
        celery = str(Path(sys.executable).with_name("celery"))
        environment = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "DEBUG": "1",
            "MEDIA_ROOT": str(django_settings.MEDIA_ROOT),
            "MONITORING_REPORTS_QUEUE": queue,
            **env,
        }
        self.log_path = log_path
        self.log = open(log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                celery,
                "-A",
                "rme_platform",
                "worker",
                "--pool=solo",
                "-Q",
                queue,
                "-n",
                f"{queue}-{uuid.uuid4().hex[:4]}@%h",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
            ],
            cwd=ROOT,
            env=environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def kill(self):
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=20)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()
        print(self.log_path.read_text()[-3000:])  # shown by pytest when the test fails


def wait_for(report, statuses, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.status in statuses:
            return report
        time.sleep(0.2)
    raise AssertionError(f"report still {report.status} after {seconds} s")


@pytest.mark.worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_report_left_running_by_a_killed_worker_is_finished_by_the_next(
    monitoring_world, settings, tmp_path
):
    campaign = CampaignFactory(slug="rme-2025", year=2025, status="published")
    add_responses(campaign, monitoring_world.network_b, [4, 5, 3, 4, 2, 5, 4, 4])
    queue = f"rme-test-{uuid.uuid4().hex[:10]}"
    settings.MONITORING_REPORTS_QUEUE = queue
    workers = []
    try:
        # The first worker sleeps 60 s before rendering: time to kill it mid-build.
        first = Worker(queue, tmp_path / "worker1.log", **{DELAY_ENV: "60"})
        workers.append(first)
        request_reports(by=None, campaign=campaign, scope="network:RME-13-901")
        report = Report.objects.get(campaign=campaign)
        wait_for(report, {ReportStatus.RUNNING}, 60)
        first.kill()
        report.refresh_from_db()
        assert report.status == ReportStatus.RUNNING and report.attempts == 1

        second = Worker(queue, tmp_path / "worker2.log")
        workers.append(second)
        # The periodic sweeper (here without waiting for the time limit) finds
        # it already queued again: the second worker recovered the lost claim
        # as it started (tests/platform/test_worker_recovery.py).
        swept = sweep_stale_reports.apply_async(kwargs={"stale_after_seconds": 0}, queue=queue)
        assert swept.get(timeout=60) in (0, 1)
        wait_for(report, {ReportStatus.DONE, ReportStatus.FAILED}, 90)
        assert report.status == ReportStatus.DONE, report.error
        assert report.attempts == 2
        path = Path(settings.MEDIA_ROOT) / report.file.name
        assert path.read_bytes().startswith(b"%PDF")
    finally:
        for worker in workers:
            worker.stop()
