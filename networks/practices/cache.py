"""Cached reads for the practices' pages. The help panels
(`views._help_render`) offer every PME subdimension with its dimension; the
catalogue changes only through the admin and the catalogue's loading
(`pme.catalog.load_catalog`, run by a migration), so its rows are kept in
the cache under a version number that every such write bumps: the saves
and deletes of a dimension or subdimension (from the real models or a
migration's historical ones, matched by name) and the end of each
`migrate` (whatever a migration wrote in bulk)."""

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver

from pme.models import Subdimension
from rme_platform.cache import bump_counter, counters, invalidate_on_recovery

VERSION_KEY = "pme:catalogue:version"
# Changes missed while Redis was unreachable: bumped once it is back.
invalidate_on_recovery(VERSION_KEY)
TIMEOUT = 24 * 60 * 60
CATALOGUE_MODELS = {"Dimension", "Subdimension"}


def catalogue_version():
    return counters([VERSION_KEY])[VERSION_KEY]


def bump_catalogue_version():
    """Invalidate the cached catalogue (after the transaction commits)."""

    transaction.on_commit(lambda: bump_counter(VERSION_KEY))


def subdimensions():
    """Every subdimension in the catalogue's order, as (code, dimension's
    name, name) untranslated (the reader's language is applied when shown)."""
    key = f"pme:catalogue:subdimensions:v{catalogue_version()}"
    rows = cache.get(key)
    if rows is None:
        rows = [
            (s.code, s.dimension.name, s.name)
            for s in Subdimension.objects.select_related("dimension")
        ]
        cache.set(key, rows, TIMEOUT)
    return rows


@receiver(post_save)
@receiver(post_delete)
def _catalogue_changed(sender, **kwargs):
    if sender._meta.app_label == "pme" and sender.__name__ in CATALOGUE_MODELS:
        bump_catalogue_version()


@receiver(post_migrate)
def _migrated(sender, **kwargs):
    if sender.label == "pme":
        bump_catalogue_version()
