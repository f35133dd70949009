"""The cache on a private Redis that stops answering and answers again:
once it is back the cached registry reads are invalidated once per outage (not once
per process), without emptying Redis, so the sign-in rate limits kept there
survive; and one slow answer under load is not an outage."""

import time

import pytest
import redis
from django.core.cache import cache, caches

from rme_platform import cache as resilient
from rme_platform.cache import ResilientRedisCache
from rme_platform.settings import redis_cache
from schools.cache import registry_version as content_version
from tests.factories import PASSWORD

from .private_redis import private_redis  # noqa: F401

pytestmark = pytest.mark.django_db

TIMEOUT = 0.3  # the socket timeout of these tests' cache (production: 2 s)


@pytest.fixture
def redis_cache_on(settings, private_redis, monkeypatch):  # noqa: F811
    """The site's Redis cache on the private server, with short timeouts."""
    config = redis_cache(private_redis.url(1))
    config["OPTIONS"] = {"socket_connect_timeout": TIMEOUT, "socket_timeout": TIMEOUT}
    settings.CACHES = {"default": config}
    monkeypatch.setattr(ResilientRedisCache, "retry_seconds", 0.5)
    location = caches["default"]._location
    yield private_redis
    resilient._down_until.pop(location, None)
    resilient._missed_at.pop(location, None)


def pause(server, seconds):
    """Redis stops answering for `seconds` without losing its data (every
    client is paused), as a server overloaded or behind a broken network."""
    redis.Redis.from_url(server.url(1)).execute_command(
        "CLIENT", "PAUSE", int(seconds * 1000), "ALL"
    )


def outage(server, seconds=1.0):
    """An outage this process sees (a call that fails twice), then Redis back."""
    pause(server, seconds)
    assert cache.get("anything") is None
    assert caches["default"].is_down()
    time.sleep(seconds + 0.6)  # the pause and the retry window are over


def test_the_failed_sign_in_limit_survives_a_cache_outage(client, director, redis_cache_on):
    for _ in range(5):
        client.post("/accounts/login/", {"login": director.email, "password": "mala"})
    before = content_version()

    outage(redis_cache_on)
    after = content_version()  # the first call once Redis is back
    # The brute-force limit still holds: even the right password is refused...
    response = client.post("/accounts/login/", {"login": director.email, "password": PASSWORD})
    assert "Demasiados intentos fallidos" in response.content.decode()
    assert client.get("/").status_code == 302
    # ...while the pages cached before the outage were invalidated.
    assert after == before + 1


def test_pages_are_invalidated_once_per_outage_whatever_the_processes(redis_cache_on):
    backend = caches["default"]
    before = content_version()
    cache.set("page", "kept")
    missed_before = time.time()

    outage(redis_cache_on)
    assert content_version() == before + 1  # the first process back invalidates
    assert cache.get("page") == "kept"  # and Redis keeps what it had

    # Another process that missed calls during the same outage comes back:
    # the content was invalidated after its last missed call, no second bump.
    resilient._down_until[backend._location] = time.monotonic() - 1
    resilient._missed_at[backend._location] = missed_before + 0.5
    assert content_version() == before + 1
    assert not backend.is_down()

    # A later outage invalidates again.
    outage(redis_cache_on)
    assert content_version() == before + 2


def test_one_slow_answer_under_load_is_not_an_outage(redis_cache_on):
    backend = caches["default"]
    cache.set("page", "kept")
    before = content_version()

    pause(redis_cache_on, TIMEOUT * 1.5)  # longer than one timeout, shorter than two
    assert cache.get("page") == "kept"  # the call is tried again, not served as a miss
    assert not backend.is_down()
    assert content_version() == before
