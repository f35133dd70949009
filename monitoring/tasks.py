"""Celery tasks of the survey: thin and idempotent; they load ids and call
services or send the emails of invitations and reminders."""

import ast
import logging
from datetime import timedelta

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connections, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from rme_platform import outbox

from . import services
from .models import Invitation
from .reports import building as report_building
from .reports import services as report_services

BATCH_SIZE = 200
logger = logging.getLogger(__name__)


@shared_task
def send_campaign_invitations(campaign_id):
    """Queue the invitations of a campaign not yet emailed, in batches,
    through the outbox: a broker that fails here loses no batch (the relay
    sends it later). Running it again queues only those still unsent, and a
    batch queued twice is emailed once."""
    ids = list(
        Invitation.objects.filter(campaign_id=campaign_id, sent_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    with transaction.atomic():
        for start in range(0, len(ids), BATCH_SIZE):
            outbox.send(send_invitation_batch, [ids[start : start + BATCH_SIZE]])
    return len(ids)


def _message(invitation, *, reminder):
    user = invitation.user
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {
            "user": user,
            "invitation": invitation,
            "campaign": invitation.campaign,
            "network": invitation.network,
            "url": settings.SITE_URL + reverse("monitoring:respond", args=[invitation.token]),
            "reminder": reminder,
        }
        subject = render_to_string("monitoring/email/invitation_subject.txt", context).strip()
        body = render_to_string("monitoring/email/invitation_body.txt", context)
        html = render_to_string("monitoring/email/invitation_body.html", context)
    message = EmailMultiAlternatives(subject, body, to=[user.email])
    message.attach_alternative(html, "text/html")
    return message


@shared_task
def send_invitation_batch(invitation_ids, reminder=False):
    """Email a batch of invitations (or reminders) over one connection.
    Idempotent, also when the outbox delivers the batch twice at once: the
    invitations are locked (SELECT … FOR UPDATE SKIP LOCKED) from the check
    until they are marked, so a second run skips those the first one holds
    and finds the rest already sent. An invitation is emailed once, a
    reminder at most once a day, and nothing goes to those who have
    answered."""
    today = timezone.localdate()
    with transaction.atomic():
        invitations = (
            Invitation.objects.pending()
            .select_related("user", "campaign", "network")
            .filter(pk__in=invitation_ids, campaign__status="open")
        )
        if reminder:
            invitations = invitations.exclude(reminded_on=today)
        else:
            invitations = invitations.filter(sent_at__isnull=True)
        invitations = list(
            invitations.select_for_update(skip_locked=True, of=("self",)).order_by("pk")
        )
        if not invitations:
            return 0
        messages = [_message(invitation, reminder=reminder) for invitation in invitations]
        with get_connection() as connection:
            connection.send_messages(messages)
        sent = Invitation.objects.filter(pk__in=[i.pk for i in invitations])
        if reminder:
            sent.update(reminded_on=today, reminder_count=F("reminder_count") + 1)
        else:
            sent.update(sent_at=timezone.now())
    return len(messages)


@shared_task
def close_due_campaigns():
    return services.close_due_campaigns()


@shared_task
def send_scheduled_reminders():
    return services.send_scheduled_reminders()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def move_submitted_responses():
    """Move the due batches of submitted answers of every open campaign
    (beat, every 10 minutes): those a submit could not move. Each batch is
    one transaction, so a worker killed mid-move loses nothing and the
    redelivered task simply moves it again."""
    return services.move_submitted_everywhere()


# --- PDF reports ---------------------------------------------------------------


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=report_building.MAX_RETRIES,
    time_limit=report_building.TIME_LIMIT,
    soft_time_limit=report_building.SOFT_TIME_LIMIT,
)
def build_report(self, report_id, force=False, token=None):
    """Build one report's PDF (monitoring.reports.building.build_report):
    idempotent, acknowledged only once done, retried with exponential
    backoff (10 s, 20 s, 40 s) and left "failed" with the error after the
    last attempt."""
    if self.request.is_eager:
        # No broker (the embedded set-up, tests): the retries run here, at once.
        for attempt in range(self.max_retries + 1):
            final = attempt == self.max_retries
            try:
                return report_building.build_report(
                    report_id, force=force, token=token, final=final
                )
            except report_building.ReportBuildError:
                if final:
                    return "failed"
    final = self.request.retries >= self.max_retries
    try:
        return report_building.build_report(report_id, force=force, token=token, final=final)
    except report_building.ReportBuildError as exc:
        if final:
            return "failed"
        raise self.retry(exc=exc, countdown=10 * 2**self.request.retries) from exc


@shared_task
def queue_campaign_reports(campaign_id):
    """Request every report of a campaign (when it closes)."""
    return report_services.queue_campaign_reports(campaign_id)


@shared_task
def sweep_stale_reports(stale_after_seconds=None):
    """Queue again reports a killed worker left running (Celery beat, every 5 minutes)."""
    stale_after = None if stale_after_seconds is None else timedelta(seconds=stale_after_seconds)
    return report_building.sweep_stale_reports(stale_after=stale_after)


def _reports_being_built(app, *, timeout=5.0):
    """Report ids that live workers say they are building (control broadcast)."""
    building = set()
    for tasks in (app.control.inspect(timeout=timeout).active() or {}).values():
        for task in tasks:
            if task.get("name") != build_report.name:
                continue
            args = task.get("args") or []
            if isinstance(args, str):
                args = ast.literal_eval(args)
            if args:
                building.add(int(args[0]))
    return building


@worker_ready.connect
def recover_reports_at_start(sender=None, **kwargs):
    """A starting worker queues again the reports a killed worker left
    "running" (see reports.building.recover_orphaned_reports): those no live
    worker names within 5 s and, on PostgreSQL, whose claim no live database
    session holds, so a worker too busy to answer keeps its report."""
    try:
        started_before = timezone.now()
        building = _reports_being_built(sender.app)
        recovered = report_building.recover_orphaned_reports(
            building=building, started_before=started_before
        )
        logger.info("reports: %s left running by a lost worker queued again", recovered)
    except Exception:  # a worker must start even if this cannot run
        logger.exception("reports: recovery at start-up failed")
    finally:
        connections.close_all()
