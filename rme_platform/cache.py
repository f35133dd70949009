"""Django's Redis cache, degraded to no cache while Redis is unreachable.

Nothing the platform keeps in the cache is the only copy of anything (pages,
result tables, rate-limit counters, content versions), so a Redis outage must
not turn into errors: each operation that cannot reach Redis answers as
Django's DummyCache would (a miss, a write that keeps nothing) and logs one
warning. After a failure Redis is not asked again for RETRY_SECONDS, so a
server that hangs instead of refusing costs one short timeout, not one per
call. Once it answers again the cache is cleared first: writes made during
the outage could not invalidate the pages kept before it. Errors that are
not about reaching Redis (a wrong type, a bad command) still raise.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
RETRY_SECONDS = 5.0

# LOCATION -> monotonic time until which Redis is not asked (shared by threads).
_down_until = {}
_lock = threading.Lock()


class ResilientRedisCache(RedisCache):
    retry_seconds = RETRY_SECONDS

    def __init__(self, server, params):
        super().__init__(server, params)
        self._location = ",".join(self._servers)

    # --- the circuit ------------------------------------------------------------

    def is_down(self):
        return _down_until.get(self._location, 0) > time.monotonic()

    def _failed(self, exc):
        with _lock:
            first = not self.is_down()
            _down_until[self._location] = time.monotonic() + self.retry_seconds
        if first:
            logger.warning("cache unreachable, serving without it: %s", exc.__class__.__name__)

    def _call(self, method, fallback, *args, **kwargs):
        if self.is_down():
            return fallback()
        try:
            if self._location in _down_until:
                # Back after an outage: start from an empty cache.
                super().clear()
                _down_until.pop(self._location, None)
                logger.warning("cache reachable again, cleared")
            return method(*args, **kwargs)
        except UNREACHABLE as exc:
            self._failed(exc)
            return fallback()

    def ping(self):
        """Ask Redis itself (for /healthz), ignoring the circuit. Raises when down."""
        self._cache.get_client(write=True).ping()

    # --- each operation falls back to what DummyCache answers ------------------

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().add, lambda: True, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call(super().get, lambda: default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().set, lambda: None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().touch, lambda: False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call(super().delete, lambda: False, key, version)

    def get_many(self, keys, version=None):
        return self._call(super().get_many, dict, keys, version)

    def has_key(self, key, version=None):
        return self._call(super().has_key, lambda: False, key, version)

    def incr(self, key, delta=1, version=None):
        def missing():
            raise ValueError(f"Key '{key}' not found.")

        return self._call(super().incr, missing, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().set_many, list, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call(super().delete_many, lambda: None, keys, version)

    def clear(self):
        return self._call(super().clear, lambda: False)
