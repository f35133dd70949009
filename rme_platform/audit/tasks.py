from celery import shared_task

from .services import purge_old_entries


@shared_task
def purge_audit_trail():
    """Daily (beat): drop audit events and model history older than
    AUDIT_RETENTION_DAYS. Idempotent."""
    events, entries = purge_old_entries()
    return {"events": events, "history": entries}
