"""Sessions stored in the database and read through the cache, refusing
malformed keys (e.g. a cookie with NUL bytes) before they reach either.

The database is the truth; the cache only spares a query. So a cache that
cannot be reached (Redis down) is skipped: every read falls back to the
database and every cache write or delete that fails is ignored, and nobody
is signed out or shown an error. A copy is cached for CACHE_SECONDS at
most, so one that missed a change during an outage (a sign-out whose cache
delete failed) cannot outlive it for long; the platform's cache also
clears itself when Redis answers again (rme_platform/cache.py)."""

import logging
import re

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBSessionStore

logger = logging.getLogger(__name__)

# Django generates keys of 32 characters from [a-z0-9].
VALID_KEY = re.compile(r"[a-z0-9]{8,40}")
CACHE_SECONDS = 300


class SessionStore(CachedDBSessionStore):
    def _validate_session_key(self, key):
        return bool(key) and VALID_KEY.fullmatch(key) is not None

    def _cache_seconds(self, expiry=None):
        return min(self.get_expiry_age(expiry=expiry), CACHE_SECONDS)

    def _cache_call(self, operation, *args):
        try:
            return getattr(self._cache, operation)(*args)
        except Exception as exc:  # noqa: BLE001 - the database holds the session
            logger.warning("session cache %s failed: %s", operation, exc.__class__.__name__)
            return None

    def load(self):
        data = self._cache_call("get", self.cache_key)
        if data is None:
            s = self._get_session_from_db()
            if s:
                data = self.decode(s.session_data)
                self._cache_call(
                    "set", self.cache_key, data, self._cache_seconds(expiry=s.expire_date)
                )
            else:
                data = {}
        return data

    def exists(self, session_key):
        if session_key and self._cache_call("has_key", self.cache_key_prefix + session_key):
            return True
        return super(CachedDBSessionStore, self).exists(session_key)

    def save(self, must_create=False):
        super(CachedDBSessionStore, self).save(must_create)
        self._cache_call("set", self.cache_key, self._session, self._cache_seconds())

    def delete(self, session_key=None):
        super(CachedDBSessionStore, self).delete(session_key)
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        self._cache_call("delete", self.cache_key_prefix + session_key)
