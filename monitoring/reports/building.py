"""The bookkeeping of the builds: a `Report` row per (campaign, scope,
language) goes pending → running → done | failed. A build claims its row
(`_claim`: skipped when another worker holds it or the inputs did not
change), renders and stores the PDF and marks the row done, or records the
error; the sweeper and a starting worker queue again the rows a killed
worker left running. The Celery tasks (monitoring.tasks) are thin wrappers
around these."""

import logging
import os
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone, translation

from rme_platform import outbox

from ..models import Report, ReportScope, ReportStatus
from . import rendering
from .data import checksum, inputs_for, scope_data, scope_of

logger = logging.getLogger(__name__)

# Hard and soft time limits of one build (seconds); a report left "running"
# longer than STALE_AFTER (a killed worker) is queued again by the sweeper.
TIME_LIMIT = 180
SOFT_TIME_LIMIT = 150
STALE_AFTER = timedelta(seconds=TIME_LIMIT + 60)
# A queued report still pending after this long lost its message: queue it again.
LOST_AFTER = timedelta(hours=1)
MAX_RETRIES = 3

# Only for tests that kill a worker in the middle of a build: seconds to
# sleep before rendering, read from the environment of the worker.
DELAY_ENV = "MONITORING_REPORT_BUILD_DELAY"


class ReportBuildError(Exception):
    """A build failed; the report row already records the error."""


def report_row(campaign, scope, language):
    """A new (unsaved) Report row of `scope` (a results Scope) in `language`."""
    values = {"campaign": campaign, "language": language}
    if scope.kind == "network":
        values.update(scope=ReportScope.NETWORK, scope_id=scope.network.code)
        values["network"] = scope.network
    elif scope.kind == "region":
        values.update(scope=ReportScope.REGION, scope_id=str(scope.region.code))
        values["region"] = scope.region
    else:
        values.update(scope=ReportScope.NATIONAL, scope_id="")
    return Report(**values)


def _queue_name():
    """The Celery queue of the builds: the default one unless the setting
    MONITORING_REPORTS_QUEUE names another (a worker dedicated to reports,
    or a test's private queue)."""
    return settings.MONITORING_REPORTS_QUEUE or None


def enqueue(report_ids, *, force=False, token=None):
    """Queue the builds through the outbox: recorded in this transaction,
    sent on commit or, while the broker is down, by its relay."""
    # Lazy: monitoring.tasks imports this module (Celery task cycle).
    from ..tasks import build_report

    token = token or uuid.uuid4().hex
    for report_id in report_ids:
        outbox.send(
            build_report, [report_id], {"force": force, "token": token}, queue=_queue_name()
        )


# The claim of a report being built is also a lease held by the builder's
# database session: a PostgreSQL advisory lock (this namespace, the report
# id), taken in the transaction that marks the report running and released
# when the build ends, or by PostgreSQL when the worker's connection dies.
# A report "running" whose lease nobody holds was left by a lost worker.
CLAIM_LOCK_NAMESPACE = 0x52455054  # "REPT"


def _hold_claim(report_id):
    """Take the report's lease; False when a live session already holds it."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [CLAIM_LOCK_NAMESPACE, report_id])
        return cursor.fetchone()[0]


def _release_claim(report_id):
    if connection.vendor != "postgresql":
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [CLAIM_LOCK_NAMESPACE, report_id])
    except DatabaseError:  # the connection is gone, and its lock with it
        logger.warning("report %s: could not release its claim", report_id, exc_info=True)


def _claim_is_held(report_id):
    """Whether a live session holds the report's lease (PostgreSQL; False
    elsewhere). Call inside a transaction: the probe's lock ends with it."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_try_advisory_xact_lock(%s, %s)", [CLAIM_LOCK_NAMESPACE, report_id]
        )
        return not cursor.fetchone()[0]


def _claim(report_id, *, force, sum_of):
    """Mark the report running unless there is nothing to do. Returns
    (report, outcome) with outcome None when the caller must build."""
    now = timezone.now()
    with transaction.atomic():
        report = (
            Report.objects.select_for_update(of=("self",))
            .select_related("campaign__instrument", "region", "network__deprov__region")
            .get(pk=report_id)
        )
        if (
            report.status == ReportStatus.RUNNING
            and report.started_at
            and (report.started_at > now - STALE_AFTER)
        ):
            return report, "busy"
        digest = sum_of(report)
        if (
            not force
            and report.status == ReportStatus.DONE
            and report.checksum == digest
            and report.file
            and report.file.storage.exists(report.file.name)
        ):
            return report, "unchanged"
        report.status = ReportStatus.RUNNING
        report.started_at = now
        report.finished_at = None
        report.attempts += 1
        report.error = ""
        report.save(update_fields=["status", "started_at", "finished_at", "attempts", "error"])
        report._digest = digest
        # Held before the claim commits: no one sees it running unheld.
        if not _hold_claim(report_id):
            # A live worker still builds it (for longer than STALE_AFTER).
            transaction.set_rollback(True)
            return report, "busy"
        return report, None


def build_report(report_id, *, force=False, token=None, inputs=None, final=True):
    """Build one report's PDF and store it. Idempotent: a report already
    built from the same inputs is not rebuilt ("unchanged", unless `force`)
    and a report another worker is building is left to it ("busy").
    Returns "done", "unchanged" or "busy". On error the report records it
    (failed when `final`, pending while retries remain) and
    ReportBuildError is raised."""
    report = Report.objects.select_related("campaign").get(pk=report_id)
    language = report.language
    if inputs is None:
        inputs = inputs_for(report.campaign, token)
    state = {}

    def sum_of(locked):
        scope = scope_of(locked)
        with translation.override(language):
            data = scope_data(inputs, scope, language)
        state["data"] = data
        return checksum(data)

    try:
        report, outcome = _claim(report_id, force=force, sum_of=sum_of)
    except BaseException:
        _release_claim(report_id)  # taken, but the claim did not commit
        raise
    if outcome is not None:
        return outcome
    try:
        return _build_claimed(report, report_id, state, final=final)
    finally:
        _release_claim(report_id)


def _build_claimed(report, report_id, state, *, final):
    language = report.language
    try:
        delay = float(os.environ.get(DELAY_ENV) or 0)
        if delay:
            time.sleep(delay)
        with translation.override(language):
            pdf, pages = rendering.render_pdf(state["data"])
        name = report.file_name()
        storage = report.file.storage
        if storage.exists(name):
            storage.delete(name)
        stored = storage.save(name, ContentFile(pdf))
    except Exception as exc:
        logger.exception("report %s failed", report_id)
        message = f"{type(exc).__name__}: {exc}"[:2000]
        Report.objects.filter(pk=report_id).update(
            status=ReportStatus.FAILED if final else ReportStatus.PENDING,
            error=message,
            finished_at=timezone.now() if final else None,
        )
        raise ReportBuildError(message) from exc
    Report.objects.filter(pk=report_id).update(
        status=ReportStatus.DONE,
        file=stored,
        checksum=report._digest,
        finished_at=timezone.now(),
        pages=pages,
        error="",
    )
    return "done"


def sweep_stale_reports(*, stale_after=None, lost_after=None):
    """Queue again the reports a killed worker left "running" (started more
    than `stale_after` ago, default the time limit plus a minute) and those
    still pending long after they were requested (their message was lost).
    Returns the number queued."""
    now = timezone.now()
    stale_after = STALE_AFTER if stale_after is None else stale_after
    lost_after = LOST_AFTER if lost_after is None else lost_after
    with transaction.atomic():
        stale = [
            pk
            for pk, status in Report.objects.select_for_update(skip_locked=True)
            .filter(
                Q(status=ReportStatus.RUNNING, started_at__lte=now - stale_after)
                | Q(status=ReportStatus.PENDING, requested_at__lte=now - lost_after)
            )
            .values_list("pk", "status")
            # A live worker still holds the claim: it is building, leave it.
            if status != ReportStatus.RUNNING or not _claim_is_held(pk)
        ]
        if stale:
            Report.objects.filter(pk__in=stale).update(
                status=ReportStatus.PENDING, requested_at=now, started_at=None
            )
            enqueue(stale)
    return len(stale)


def recover_orphaned_reports(*, building, started_before):
    """Queue again the reports left "running" by a worker that is gone:
    those claimed before `started_before` that no live worker is building
    (`building`: the report ids live workers said they are building) and
    whose claim no live database session holds (on PostgreSQL: a worker too
    busy or slow to answer the broadcast in time still holds its claim). A
    worker calls this at start-up, so the claims of one that was killed do
    not wait for beat's sweeper, nor for the broker to redeliver its message
    after the visibility timeout (then an "unchanged" no-op). Returns the
    number queued."""
    now = timezone.now()
    with transaction.atomic():
        orphaned = [
            pk
            for pk in Report.objects.select_for_update(skip_locked=True)
            .filter(status=ReportStatus.RUNNING, started_at__lt=started_before)
            .exclude(pk__in=list(building))
            .values_list("pk", flat=True)
            if not _claim_is_held(pk)
        ]
        if orphaned:
            Report.objects.filter(pk__in=orphaned).update(
                status=ReportStatus.PENDING, requested_at=now, started_at=None
            )
            enqueue(orphaned)
    return len(orphaned)
