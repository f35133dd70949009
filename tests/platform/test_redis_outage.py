"""Redis goes down under a running site (a private redis-server, stopped and
started again): signed-in pages, autosave and submit keep working, /healthz
names what is down, and work asked for during the outage waits in the
outbox and is sent once, exactly once, when Redis is back."""

import time
from datetime import timedelta

import pytest
import redis
from django.urls import reverse
from django.utils import timezone

from monitoring import services as survey
from monitoring.models import Invitation
from rme_platform import outbox
from rme_platform.models import Outbox
from rme_platform.settings import redis_cache
from tests.factories import CampaignFactory
from tests.monitoring.conftest import _default_instrument, likert_questions  # noqa: F401

from .private_redis import forget_celery_connections, private_redis  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_private_redis(settings, private_redis):  # noqa: F811
    """The site as production runs it, on the private Redis: cache in
    database 1, Celery broker in database 0 (no eager tasks)."""
    settings.CACHES = {"default": redis_cache(private_redis.url(1))}
    settings.CELERY_BROKER_URL = private_redis.url(0)
    settings.CELERY_RESULT_BACKEND = private_redis.url(0)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    outbox._broker_down_until = 0.0
    forget_celery_connections()
    yield private_redis
    outbox._broker_down_until = 0.0
    forget_celery_connections()


def full_answers(value="4"):
    data = {q.code: value for q in likert_questions()}
    data.update(RME_FRECUENCIA_REUNIONES="2", RME_FRECUENCIA_ADECUADA="2")
    return data


@pytest.fixture
def campaign(world):
    campaign = CampaignFactory(slug="rme-2025", closes_on=timezone.localdate() + timedelta(days=20))
    survey.open_campaign(by=world.admin, campaign=campaign, send=False)
    return campaign


def test_signed_in_pages_autosave_and_submit_work_while_redis_is_down(
    client,
    login,
    world,
    campaign,
    settings,
    private_redis,  # noqa: F811
):
    invitation = Invitation.objects.get(campaign=campaign, user=world.director_a)
    settings.CACHES = {"default": redis_cache(private_redis.url(1))}
    login(world.director_a)
    assert client.get("/").status_code == 200
    assert client.get("/networks/").status_code == 200

    private_redis.stop()
    started = time.monotonic()
    assert client.get("/").status_code == 200
    page = client.get("/networks/")
    assert page.status_code == 200 and world.network_a.name in page.content.decode()
    saved = client.post(
        reverse("monitoring:autosave", args=[invitation.token]),
        {"RME_META_COMUN": "5"},
        HTTP_HX_REQUEST="true",
    )
    assert saved.status_code == 200
    sent = client.post(reverse("monitoring:respond", args=[invitation.token]), full_answers())
    assert sent.status_code == 302 and sent["Location"].endswith("?sent=1")
    assert time.monotonic() - started < 20  # no hanging on each cache call

    # Still signed in once Redis is back (sessions never lived there).
    private_redis.start()
    assert client.get("/").status_code == 200
    assert client.get("/networks/").status_code == 200


def test_healthz_names_the_cache_and_the_broker_when_redis_is_down(client, on_private_redis):
    body = client.get("/healthz").json()
    assert (body["database"], body["broker"], body["cache"]) == ("ok", "ok", "ok")

    on_private_redis.stop()
    response = client.get("/healthz")
    assert response.status_code == 200  # the site serves: only the database is vital
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"].startswith("down") and body["cache"].startswith("down")

    on_private_redis.start()
    body = client.get("/healthz").json()
    assert (body["broker"], body["cache"]) == ("ok", "ok")


def queued_tasks(server):
    """The task names waiting on the default Celery queue of `server`."""
    import json

    messages = redis.Redis.from_url(server.url(0)).lrange("celery", 0, -1)
    return sorted(json.loads(m)["headers"]["task"] for m in messages)


def test_work_asked_while_the_broker_is_down_is_sent_once_it_is_back(
    client,
    login,
    world,
    campaign,
    on_private_redis,
    django_capture_on_commit_callbacks,
):
    Invitation.objects.filter(campaign=campaign).update(sent_at=timezone.now())
    login(world.admin)
    on_private_redis.stop()

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):  # as each request commits
        invited = client.post(
            "/people/invite/",
            {"email": "nueva.analista@mineduc.cl", "role": "analyst", "language": "es"},
        )
        reminded = client.post(reverse("monitoring:campaign_remind", args=[campaign.slug]))
        closed = client.post(reverse("monitoring:campaign_close", args=[campaign.slug]))
        requested = client.post(
            reverse("monitoring:reports", args=[campaign.slug]), {"scope": "network:RME-07-901"}
        )
    elapsed = time.monotonic() - started
    assert [r.status_code for r in (invited, reminded, closed, requested)] == [302] * 4
    assert elapsed < 5, f"four requests took {elapsed:.1f} s with the broker down"

    # Each change committed with its work recorded beside it.
    campaign.refresh_from_db()
    assert campaign.status == "closed"
    assert campaign.reports.get().status == "pending"
    expected = [
        "monitoring.tasks.build_report",
        "monitoring.tasks.queue_campaign_reports",
        "monitoring.tasks.send_invitation_batch",
        "rme_platform.accounts.tasks.send_invitation_email",
    ]
    waiting = Outbox.objects.filter(dispatched_at__isnull=True)
    assert sorted(waiting.values_list("task", flat=True)) == expected
    # The first publish failed fast and said why; the others did not try again.
    assert waiting.filter(attempts=1).exclude(last_error="").count() == 1

    # While it is down the relay sends nothing and loses nothing.
    assert outbox.relay() == 0
    assert waiting.count() == 4

    on_private_redis.start()
    assert outbox.relay() == 4
    assert not waiting.exists()
    assert queued_tasks(on_private_redis) == expected
    # Exactly once: a second relay (beat, another worker starting) sends nothing.
    assert outbox.relay() == 0
    assert len(queued_tasks(on_private_redis)) == 4


def test_with_the_broker_up_work_is_sent_at_commit(
    client,
    login,
    world,
    on_private_redis,
    django_capture_on_commit_callbacks,
):
    login(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/people/invite/",
            {"email": "otra.analista@mineduc.cl", "role": "analyst", "language": "es"},
        )
    row = Outbox.objects.get()
    assert row.dispatched_at is not None and row.attempts == 1
    assert queued_tasks(on_private_redis) == ["rme_platform.accounts.tasks.send_invitation_email"]


def test_sessions_are_kept_in_the_database_whatever_the_cache_does(
    settings,
    private_redis,  # noqa: F811
):
    """Even on Django's plain Redis cache (no fallback of its own), a session
    is saved, read, found and deleted with Redis down."""
    from rme_platform.sessions import SessionStore

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": private_redis.url(1),
        }
    }
    private_redis.stop()
    store = SessionStore()
    store["_auth_user_id"] = "7"
    store.save()
    again = SessionStore(store.session_key)
    assert again["_auth_user_id"] == "7"
    assert again.exists(store.session_key)
    again.delete()
    assert not SessionStore(store.session_key).exists(store.session_key)


def test_invitation_batches_fanned_out_while_the_broker_is_down_wait_in_the_outbox(
    world,
    campaign,
    on_private_redis,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    """The worker task that splits a campaign's invitations into batches
    records each batch in the outbox: a broker lost in the middle of the
    fan-out loses no batch, the relay sends them once it is back."""
    from monitoring import tasks

    monkeypatch.setattr(tasks, "BATCH_SIZE", 2)
    unsent = Invitation.objects.filter(campaign=campaign, sent_at__isnull=True).count()
    on_private_redis.stop()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_campaign_invitations(campaign.pk) == unsent
    waiting = Outbox.objects.filter(dispatched_at__isnull=True)
    batches = (unsent + 1) // 2
    name = tasks.send_invitation_batch.name
    assert list(waiting.values_list("task", flat=True)) == [name] * batches
    assert sum(len(args[0]) for args in waiting.values_list("args", flat=True)) == unsent

    on_private_redis.start()
    assert outbox.relay() == batches
    assert queued_tasks(on_private_redis) == [name] * batches
