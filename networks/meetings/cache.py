"""Cached reads of meeting measures. The network page's meetings panel shows
the year's measures and attendance chart of a network, the same for every
user who sees it and the costliest part of the panel (six aggregate queries
and an SVG chart). They are cached under the network's version number,
which every write to the tables they are read from bumps (signals for
single rows, explicit bumps after the services' bulk writes), so a change
shows at once; a write in one network (an RSVP, an attendance) leaves the
other networks' cached reads alone. A global number, bumped by the demo's
bulk writes and when Redis comes back after an outage, invalidates all."""

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from rme_platform.cache import bump_counter, counters, invalidate_on_recovery

from .models import Meeting

VERSION_KEY = "meetings:version"
# Changes missed while Redis was unreachable: bumped once it is back.
invalidate_on_recovery(VERSION_KEY)
TIMEOUT = 15 * 60
# The tables the measures are read from.
MEASURED_MODELS = {"Meeting", "Attendance", "AgendaItem", "Agreement"}


def _network_key(network_id):
    return f"{VERSION_KEY}:{network_id}"


def meetings_version(network_id):
    """The version a network's cached meetings reads are stored under: the
    network's own counter (an RSVP or attendance in one network leaves the
    others' cached reads alone) after the global one (bulk writes of the
    demo, and Redis coming back after an outage, invalidate every network)."""
    return meetings_versions([network_id])[network_id]


def meetings_versions(network_ids):
    """{network id: meetings_version(network id)} of many networks, from one
    read of the cache (two when some counter does not exist yet)."""
    found = counters([VERSION_KEY, *(_network_key(pk) for pk in network_ids)])
    first = found[VERSION_KEY]
    return {pk: f"{first}.{found[_network_key(pk)]}" for pk in network_ids}


def bump_meetings_version(network_id=None):
    """Invalidate the cached meetings reads of one network (of every network
    without `network_id`): now (this request's own next reads) and again once
    the transaction commits (a read by another request in between may have
    cached what the transaction had not yet written)."""
    key = VERSION_KEY if network_id is None else _network_key(network_id)
    bump_counter(key)
    transaction.on_commit(lambda: bump_counter(key))


def _network_of(instance):
    """The network of a changed meetings row, or None when it cannot be
    told (then every network is invalidated)."""
    if isinstance(instance, Meeting):
        return instance.network_id
    try:
        return instance.meeting.network_id
    except ObjectDoesNotExist:  # deleted together with its meeting
        return None


@receiver(post_save)
@receiver(post_delete)
def _meetings_changed(sender, instance, **kwargs):
    if sender._meta.app_label == "meetings" and sender.__name__ in MEASURED_MODELS:
        bump_meetings_version(_network_of(instance))
