"""Cached reads of a network's PME rollup. The network page's PME panel
shows the same figures, charts and rows to every reader of the network
(five aggregates, the rows per school and three SVG charts: most of its
time); only the links to the plans a reader may open and the link to the
DEPROV dashboard differ, and those are asked per request. The shared part
is cached under the network's PME version, which every write to what it is
read from bumps: plans, actions and funding lines (signals), cycles (their
plans go with them), a school joining or leaving the network and the
network itself (signals; `networks.services.remove_school` saves the link
so that its post_save is sent), the services' writes through `update()`
and `bulk_create()` (explicit bumps), the dimensions catalog (every
network). A write in one network leaves the others' cached reads alone.
A global number, bumped by the demo's bulk writes and when Redis comes back
after an outage, invalidates all; the registry's version (school and
comuna names) is part of the key too.

A plan page's summary, chart and table of actions are cached the same way
under the plan's version, bumped by writes to its actions, their funding
and the comments (counted per action); the catalog (dimensions,
subdimensions, strategies, ATE providers: names shown on the rows) bumps the
global number."""

import contextvars
from contextlib import contextmanager

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from networks.models import NetworkSchool
from rme_platform.cache import bump_counter, counters, invalidate_on_recovery
from schools.cache import VERSION_KEY as REGISTRY_VERSION_KEY

VERSION_KEY = "pme:version"
# Changes missed while Redis was unreachable: bumped once it is back.
invalidate_on_recovery(VERSION_KEY)
TIMEOUT = 15 * 60
# pme models whose rows the rollup reads, by how a row leads to its school.
PLAN_MODELS = {"AnnualPlan", "PMECycle"}  # have school_id
ACTION_MODELS = {"Action"}  # have plan_id
FUNDING_MODELS = {"FundingLine"}  # have action_id
COMMENT_MODELS = {"Comment"}  # have plan_id; the plan page only
CATALOG_MODELS = {"Dimension", "Subdimension", "Strategy", "ATEProvider"}  # every network


# Set while a bulk write runs (`bulk_writes`): the signals ask nothing.
_suspended = contextvars.ContextVar("pme_cache_suspended", default=False)


@contextmanager
def bulk_writes():
    """Writes of many rows at once (the demo's deletion of its cycles and
    everything under them): the per-row signals, each asking for the row's
    school and networks, are skipped, and every network and plan is
    invalidated at the end."""
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)
        bump_pme_version()


def _network_key(network_id):
    return f"{VERSION_KEY}:{network_id}"


def _plan_key(plan_id):
    return f"{VERSION_KEY}:plan:{plan_id}"


def plan_version(plan_id):
    """The version a plan page's cached reads are stored under: the global
    counter and the plan's own."""
    found = counters([VERSION_KEY, _plan_key(plan_id)])
    return f"{found[VERSION_KEY]}.{found[_plan_key(plan_id)]}"


def pme_version(network_id):
    """The version a network's cached PME reads are stored under: the global
    counter, the network's own and the registry's (names of schools and
    comunas)."""
    return pme_versions([network_id])[network_id]


def pme_versions(network_ids):
    """{network id: pme_version(network id)} of many networks, from one read
    of the cache (two when some counter does not exist yet)."""
    found = counters([VERSION_KEY, REGISTRY_VERSION_KEY, *(_network_key(pk) for pk in network_ids)])
    first, registry = found[VERSION_KEY], found[REGISTRY_VERSION_KEY]
    return {pk: f"{first}.{found[_network_key(pk)]}.{registry}" for pk in network_ids}


def bump_pme_version(network_ids=None, plan_ids=()):
    """Invalidate the cached PME reads of some networks and plans (of every
    network and plan with no network given): now (this request's own next
    reads) and again once the transaction commits (a read by another
    request in between may have cached what the transaction had not yet
    written)."""
    if network_ids is None:
        keys = [VERSION_KEY]
    else:
        keys = [_network_key(n) for n in set(network_ids)]
        keys += [_plan_key(p) for p in set(plan_ids) if p is not None]

    def bump_all():
        for key in keys:
            bump_counter(key)

    bump_all()
    transaction.on_commit(bump_all)


def bump_pme_for_schools(school_ids, plan_ids=()):
    """Invalidate the networks the schools take or took part in (a school's
    plans count in its networks of the plan's year), and the plans. One
    query."""
    networks = (
        NetworkSchool.objects.filter(school_id__in=list(school_ids))
        .values_list("network_id", flat=True)
        .distinct()
    )
    bump_pme_version(list(networks), plan_ids)


def bump_pme_for_plan(plan):
    bump_pme_for_schools([plan.school_id], [plan.pk])


def _school_and_plan_of(sender, instance):
    """The school and plan of a changed PME row (a cycle: no plan), or None
    when they cannot be told (then everything is invalidated)."""
    name = sender.__name__
    try:
        if name == "PMECycle":
            return instance.school_id, None
        if name == "AnnualPlan":
            return instance.school_id, instance.pk
        if name in ACTION_MODELS:
            return instance.plan.school_id, instance.plan_id
        action = instance.action
        return action.plan.school_id, action.plan_id
    except ObjectDoesNotExist:  # deleted together with its parent
        return None


@receiver(post_save)
@receiver(post_delete)
def _pme_changed(sender, instance, **kwargs):
    if _suspended.get():
        return
    label, name = sender._meta.app_label, sender.__name__
    if label == "pme":
        if name in CATALOG_MODELS:
            bump_pme_version()
        elif name in COMMENT_MODELS:
            bump_pme_version([], [instance.plan_id])
        elif name in PLAN_MODELS | ACTION_MODELS | FUNDING_MODELS:
            found = _school_and_plan_of(sender, instance)
            if found is None:
                bump_pme_version()
            else:
                bump_pme_for_schools([found[0]], [found[1]])
    elif label == "networks":
        if name == "NetworkSchool":
            bump_pme_version([instance.network_id])
        elif name == "Network":
            bump_pme_version([instance.pk])
