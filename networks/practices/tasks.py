"""Celery tasks of shared practices: thin wrappers that load ids and call
practice_services, which makes them idempotent (each email is recorded
before it is sent, under a unique constraint)."""

from celery import shared_task

from . import services as practice_services


@shared_task
def send_comment_notice(comment_id):
    """Email a comment to the practice's authors who want one email per
    comment. Run twice, sent once."""
    return practice_services.send_comment_notice(comment_id=comment_id)


@shared_task
def send_practice_digests():
    """Send yesterday's digest of comments to the authors who chose it.
    Run twice, sent once."""
    return practice_services.send_daily_digests()
