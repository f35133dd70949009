"""Cached reads of the registry. The registry changes only through the
directory and category imports and the admin, so its cached pages and API
answers carry a version number that every such change bumps."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import translation

from rme_platform.cache import bump_counter, counters, invalidate_on_recovery

VERSION_KEY = "registry:version"
# Changes missed while Redis was unreachable: bumped once it is back.
invalidate_on_recovery(VERSION_KEY)
TIMEOUT = 15 * 60


def registry_version():
    return counters([VERSION_KEY])[VERSION_KEY]


def bump_registry_version():
    """Invalidate every cached registry read (after the transaction commits)."""

    transaction.on_commit(lambda: bump_counter(VERSION_KEY))


def registry_options_key(name):
    """The cache key of a filter's options read from the registry (a
    FastSelect's `cache_key`): follows the registry's version."""
    return f"registry:options:{name}:v{registry_version()}"


def registry_key(prefix, request):
    """A cache key for a registry read: version, language and the query."""
    query = "&".join(
        f"{key}={value}" for key, values in sorted(request.GET.lists()) for value in values
    )
    return f"registry:{prefix}:v{registry_version()}:{translation.get_language()}:{query}"


@receiver(post_save)
@receiver(post_delete)
def _registry_changed(sender, **kwargs):
    if sender._meta.app_label == "schools" and sender.__name__ in {
        "School",
        "Sostenedor",
        "PerformanceCategory",
        "Comuna",
        "Region",
        "Deprov",
    }:
        bump_registry_version()
