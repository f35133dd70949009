"""Django's Redis cache, degraded to no cache while Redis is unreachable.

Nothing the platform keeps in the cache is the only copy of anything (pages,
result tables, rate-limit counters, content versions), so a Redis outage must
not turn into errors: each operation that cannot reach Redis answers as
Django's DummyCache would (a miss, a write that keeps nothing) and logs one
warning. A call that fails is tried once more at once: one slow answer under
load is not an outage. After a second failure Redis is not asked again for
RETRY_SECONDS, so a server that hangs instead of refusing costs a couple of
short timeouts, not one per call.

Writes made while Redis could not be reached could not invalidate what it
kept (their version bumps were lost), so once it answers again the cached
content is invalidated: not by emptying Redis, which would also reset the
sign-in rate-limit counters kept there (an attacker who can slow the server
down must not reset brute-force limits), but by bumping the version counters
that cached content is stored under (`invalidate_on_recovery`: the
registry's). Many processes see the same outage; the bump
happens once per outage: a Redis key records when content was last
invalidated, and a process that comes back only bumps when it missed calls
after that moment (one atomic script). Errors that are not about reaching
Redis (a wrong type, a bad command) still raise.
"""

import logging
import threading
import time

from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
RETRY_SECONDS = 5.0
# The Redis key (under the cache's prefix) holding the wall time at which
# cached content was last invalidated after an outage.
INVALIDATED_AT_KEY = "cache:invalidated-at"
# Keys of the version counters cached content is stored under.
VERSION_KEYS = set()

# LOCATION -> monotonic time until which Redis is not asked (shared by threads).
_down_until = {}
# LOCATION -> wall time of the last call Redis did not answer.
_missed_at = {}
_lock = threading.Lock()

# KEYS[1]: INVALIDATED_AT_KEY, KEYS[2..]: version counters; ARGV[1]: the
# last call this process missed, ARGV[2]: now. Bumps only if no process did
# after that call. Django stores integers as plain Redis integers: INCR works.
_INVALIDATE = """
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
if last >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
for i = 2, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('INCR', KEYS[i]) end
end
return 1
"""


def counters(keys):
    """The version counters at `keys` ({key: number}) from one read of the
    cache (two when some do not exist yet: those start at 1, kept with no
    expiry, and are read again in case another process started them first)."""
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        for key in missing:
            cache.add(key, 1, None)
        found.update(cache.get_many(missing))
        for key in missing:
            found.setdefault(key, 1)
    return found


def bump_counter(key):
    """Move a version counter on (to 2 if it is gone: a fresh counter reads 1)."""
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 2, None)


def invalidate_on_recovery(key):
    """Register `key`, the version counter some cached content is stored
    under, to be bumped once Redis answers again after an outage."""
    VERSION_KEYS.add(key)


class ResilientRedisCache(RedisCache):
    retry_seconds = RETRY_SECONDS

    def __init__(self, server, params):
        super().__init__(server, params)
        self._location = ",".join(self._servers)

    # --- the circuit ------------------------------------------------------------

    def is_down(self):
        return _down_until.get(self._location, 0) > time.monotonic()

    def _missed(self):
        with _lock:
            _missed_at[self._location] = time.time()

    def _failed(self, exc):
        with _lock:
            first = not self.is_down()
            _down_until[self._location] = time.monotonic() + self.retry_seconds
            _missed_at[self._location] = time.time()
        if first:
            logger.warning("cache unreachable, serving without it: %s", exc.__class__.__name__)

    def _recover(self):
        """Back after an outage: invalidate the cached content, unless
        another process did after the last call this one missed."""
        missed = _missed_at.get(self._location, 0)
        keys = [self.make_key(INVALIDATED_AT_KEY)] + [
            self.make_key(key) for key in sorted(VERSION_KEYS)
        ]
        client = self._cache.get_client(write=True)
        bumped = client.eval(_INVALIDATE, len(keys), *keys, repr(missed), repr(time.time()))
        with _lock:
            _down_until.pop(self._location, None)
            if _missed_at.get(self._location) == missed:
                _missed_at.pop(self._location, None)
        if bumped:
            logger.warning("cache reachable again, cached content invalidated")

    def _attempt(self, method, *args, **kwargs):
        if self._location in _down_until:
            self._recover()
        return method(*args, **kwargs)

    def _call(self, method, fallback, *args, **kwargs):
        if self.is_down():
            self._missed()
            return fallback()
        try:
            return self._attempt(method, *args, **kwargs)
        except UNREACHABLE:
            pass
        try:  # once more: a single slow or dropped call is not an outage
            return self._attempt(method, *args, **kwargs)
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
