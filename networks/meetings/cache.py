"""Cached reads of meeting measures. The network page's meetings panel shows
the year's measures and attendance chart of a network, the same for every
user who sees it and the costliest part of the panel (six aggregate queries
and an SVG chart). They are cached under a version number that every write
to the tables they are read from bumps (signals for single rows, explicit
bumps after the services' and the demo's bulk writes), so a change shows at
once."""

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from rme_platform.cache import invalidate_on_recovery

VERSION_KEY = "meetings:version"
# Changes missed while Redis was unreachable: bumped once it is back.
invalidate_on_recovery(VERSION_KEY)
TIMEOUT = 15 * 60
# The tables the measures are read from.
MEASURED_MODELS = {"Meeting", "Attendance", "AgendaItem", "Agreement"}


def meetings_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, None)
        version = cache.get(VERSION_KEY, 1)
    return version


def _bump():
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, None)


def bump_meetings_version():
    """Invalidate every cached meetings read: now (this request's own next
    reads) and again once the transaction commits (a read by another request
    in between may have cached what the transaction had not yet written)."""
    _bump()
    transaction.on_commit(_bump)


@receiver(post_save)
@receiver(post_delete)
def _meetings_changed(sender, **kwargs):
    if sender._meta.app_label == "meetings" and sender.__name__ in MEASURED_MODELS:
        bump_meetings_version()
