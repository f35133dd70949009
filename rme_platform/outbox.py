"""A transactional outbox for Celery tasks.

`send(task, args, kwargs)` is how a request (or a service) asks for work: it
writes an Outbox row in the current transaction, so the work is recorded
exactly when the change that needs it commits, and on commit it tries to
publish the task at once. A broker that cannot be reached costs the request
at most a couple of seconds (settings: CELERY_BROKER_CONNECTION_TIMEOUT,
CELERY_BROKER_TRANSPORT_OPTIONS), never an error: the row waits and `relay()`
publishes it once the broker is back — a Celery beat task every 30 seconds
(rme_platform.tasks.relay_outbox), each worker at start-up, and the command
`manage.py relay_outbox`.

A row is published by whoever holds its lock (SELECT … FOR UPDATE SKIP
LOCKED) and marked dispatched in the same transaction, so two relays never
send it twice. A process killed between the publish and the commit leaves
it to be sent again, and a broker may deliver a message twice: every task
sent this way must do its work once however often, and however
concurrently, it is delivered. Each claims its work in the database before
the side effect (a row lock held until it is marked done, a conditional
UPDATE … WHERE sent_at IS NULL, or a unique row inserted in the same
transaction as the email), so two deliveries running at once send one
email (tests/platform/test_double_delivery.py).

Without a broker (no REDIS_URL: `make run`, the tests) tasks run eagerly, in
process, when the transaction commits, as before; no row is written. The
slow ones named in settings.EAGER_BACKGROUND_TASKS (PDF report builds, in
`make run`) run instead one after another in a background thread of the
process, so that the request that asked for them answers at once and the
page shows their progress as a worker's would.
"""

import logging
import queue
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connections, transaction
from django.utils import timezone

from .celery import app
from .models import Outbox

logger = logging.getLogger(__name__)

# After a failed publish from a request, later requests of this process leave
# their rows to the relay for this long instead of trying the broker again.
BACKOFF_SECONDS = 30.0
# Dispatched rows are kept this long (for inspection), then deleted by the relay.
KEEP_DISPATCHED = timedelta(days=7)
BATCH = 500

_broker_down_until = 0.0


def send(task, args=(), kwargs=None, *, queue=None):
    """Run `task(*args, **kwargs)` in a worker once the current transaction
    commits (at once without one). Arguments must be JSON values."""
    args, kwargs = list(args), dict(kwargs or {})
    options = {"queue": queue} if queue else {}
    if app.conf.task_always_eager:
        if task.name in settings.EAGER_BACKGROUND_TASKS:
            transaction.on_commit(lambda: _background.put((task, args, kwargs)))
            _start_background_thread()
        else:
            transaction.on_commit(lambda: task.apply_async(args=args, kwargs=kwargs, **options))
        return None
    row = Outbox.objects.create(task=task.name, args=args, kwargs=kwargs, queue=queue or "")
    transaction.on_commit(lambda: _dispatch_now(row.pk))
    return row


# --- without a broker: slow tasks in a background thread ----------------------------------

_background = queue.Queue()
_background_lock = threading.Lock()
_background_thread = None


def _start_background_thread():
    global _background_thread
    with _background_lock:
        if _background_thread is None or not _background_thread.is_alive():
            _background_thread = threading.Thread(
                target=_run_background, name="rme-eager-background", daemon=True
            )
            _background_thread.start()


def _run_background():
    while True:
        task, args, kwargs = _background.get()
        try:
            close_old_connections()
            task.apply(args=args, kwargs=kwargs)
        except Exception:
            logger.exception("background task %s failed", task.name)
        finally:
            connections.close_all()
            _background.task_done()


def wait_for_background(timeout=60):
    """Block until the background tasks queued so far have run (tests, the
    demo command). Returns False when `timeout` seconds passed first."""
    deadline = time.monotonic() + timeout
    while _background.unfinished_tasks:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _dispatch_now(pk):
    global _broker_down_until
    if time.monotonic() < _broker_down_until:
        return
    try:
        if not dispatch(ids=[pk]):
            _broker_down_until = time.monotonic() + BACKOFF_SECONDS
    except Exception:  # the request's change is committed: never fail it here
        logger.exception("outbox: could not dispatch %s now; the relay will", pk)


def dispatch(ids=None, *, limit=BATCH):
    """Publish waiting rows (those of `ids`, or the oldest `limit`), marking
    each dispatched. Stops at the first failed publish (the broker is down)
    and records it on the row. Returns the number published, or None when
    there was something to send and none of it could be."""
    waiting = Outbox.objects.filter(dispatched_at__isnull=True)
    if ids is not None:
        waiting = waiting.filter(pk__in=ids)
    sent = 0
    with transaction.atomic():
        rows = list(waiting.select_for_update(skip_locked=True).order_by("pk")[:limit])
        if not rows:
            return 0
        try:
            with app.connection_for_write() as connection:
                for row in rows:
                    app.send_task(
                        row.task,
                        args=row.args,
                        kwargs=row.kwargs,
                        connection=connection,
                        # Nobody waits for the result: no result subscription.
                        ignore_result=True,
                        **({"queue": row.queue} if row.queue else {}),
                    )
                    row.dispatched_at = timezone.now()
                    row.attempts += 1
                    row.last_error = ""
                    row.save(update_fields=["dispatched_at", "attempts", "last_error"])
                    sent += 1
        except Exception as exc:  # noqa: BLE001 - the broker refused or is unreachable
            if sent < len(rows):
                failed = rows[sent]
                failed.attempts += 1
                failed.last_error = f"{type(exc).__name__}: {exc}"[:500]
                failed.save(update_fields=["attempts", "last_error"])
            logger.warning(
                "outbox: broker unreachable (%s), %s task(s) wait",
                type(exc).__name__,
                len(rows) - sent,
            )
    return sent or None


def relay():
    """Publish everything waiting, batch after batch, and forget rows
    dispatched more than KEEP_DISPATCHED ago. Returns the number published."""
    global _broker_down_until
    total = 0
    while True:
        sent = dispatch()
        if not sent:
            break
        total += sent
    if total or sent == 0:
        _broker_down_until = 0.0
    Outbox.objects.filter(dispatched_at__lt=timezone.now() - KEEP_DISPATCHED).delete()
    return total
