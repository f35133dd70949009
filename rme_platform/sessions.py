"""Sessions read through the cache and stored in the database, refusing
malformed keys (e.g. a cookie with NUL bytes) before they reach either."""

import re

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBSessionStore

# Django generates keys of 32 characters from [a-z0-9].
VALID_KEY = re.compile(r"[a-z0-9]{8,40}")


class SessionStore(CachedDBSessionStore):
    def _validate_session_key(self, key):
        return bool(key) and VALID_KEY.fullmatch(key) is not None
