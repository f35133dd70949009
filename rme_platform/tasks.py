import logging

from celery import shared_task
from celery.signals import worker_ready
from django.contrib.auth import get_user_model
from django.db import connections

from . import outbox

logger = logging.getLogger(__name__)


@shared_task
def ping(value="pong"):
    """Echo a value: proves a worker receives and answers tasks."""
    return value


@shared_task
def count_users():
    """Read the database from the worker: proves it shares the web's database."""
    return get_user_model().objects.count()


@shared_task(ignore_result=True)
def relay_outbox():
    """Publish the work waiting in the outbox (Celery beat, every 30 seconds)."""
    return outbox.relay()


@worker_ready.connect
def relay_outbox_at_start(sender=None, **kwargs):
    """A worker that starts (the broker is reachable: it just connected)
    publishes what waited while it, or the broker, was down."""
    try:
        sent = outbox.relay()
        if sent:
            logger.info("outbox: %s task(s) sent at start-up", sent)
    except Exception:  # a worker must start even if the relay cannot run
        logger.exception("outbox: relay at start-up failed")
    finally:
        connections.close_all()
