"""Celery tasks of network meetings: thin wrappers that load ids and call
meeting_services, which makes them idempotent (each email is recorded
before it is sent, under a unique constraint)."""

from celery import shared_task

from . import services as meeting_services


@shared_task
def send_meeting_notice(meeting_id, kind, sequence):
    """Email the members about a meeting being convened, rescheduled,
    cancelled or its minutes published. Run twice, sent once."""
    return meeting_services.send_meeting_notice(meeting_id=meeting_id, kind=kind, sequence=sequence)


@shared_task
def send_meeting_reminders():
    """Send the reminders due now (7 days and 1 day before each meeting) to
    members who have not answered or said yes. Run twice, sent once."""
    return meeting_services.send_due_reminders()
