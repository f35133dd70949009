"""The claim of a report being built is a lease its builder's database
session holds (PostgreSQL): neither the sweeper nor a starting worker
queues again a report whose builder is alive, however slow; once that
session is gone (the worker was killed) both do."""

from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from monitoring.models import Report, ReportStatus
from monitoring.reports import building
from monitoring.reports import services as report_services
from tests.factories import CampaignFactory
from tests.monitoring.conftest import _default_instrument, add_responses  # noqa: F401

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def running(world):
    """A report claimed an hour ago, past the sweeper's time limit."""
    campaign = CampaignFactory(slug="rme-2025", year=2025, status="published")
    add_responses(campaign, world.network_b, [4, 5, 3, 4, 2, 5, 4, 4])
    report_services.request_reports(
        by=None, campaign=campaign, scope="network:RME-13-901", enqueue_builds=False
    )
    report = Report.objects.get(campaign=campaign)
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.RUNNING, started_at=timezone.now() - timedelta(hours=1), attempts=1
    )
    return report


def builder_session(report):
    """Another database session holding the report's claim, as a worker
    building it does."""
    session = connections.create_connection("default")
    with session.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_lock(%s, %s)", [building.CLAIM_LOCK_NAMESPACE, report.pk]
        )
    return session


def test_a_report_whose_builder_is_alive_is_not_queued_again(running):
    session = builder_session(running)
    try:
        assert building.sweep_stale_reports() == 0
        assert building.recover_orphaned_reports(building=set(), started_before=timezone.now()) == 0
        running.refresh_from_db()
        assert running.status == ReportStatus.RUNNING and running.attempts == 1
    finally:
        session.close()  # the worker dies: PostgreSQL releases its claim

    assert building.recover_orphaned_reports(building=set(), started_before=timezone.now()) == 1
    running.refresh_from_db()  # queued again and (tasks run eagerly here) built
    assert running.status == ReportStatus.DONE and running.attempts == 2


def test_a_build_releases_its_claim(running):
    Report.objects.filter(pk=running.pk).update(status=ReportStatus.PENDING, started_at=None)
    assert building.build_report(running.pk) == "done"
    session = connections.create_connection("default")
    try:
        with session.cursor() as cursor:
            cursor.execute(
                "SELECT pg_try_advisory_lock(%s, %s)", [building.CLAIM_LOCK_NAMESPACE, running.pk]
            )
            assert cursor.fetchone()[0]  # nobody holds it any more
    finally:
        session.close()
