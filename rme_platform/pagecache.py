"""A short-lived cache of rendered pages, per session, invalidated by writes.

Pages such as the network list and a network page are read far more often
than anything changes. A rendered page is kept for its session (and CSRF
token, and language) under a content version that every write bumps: any
unsafe request through the site or the API, any save or delete of a model
of the platform's apps, any Celery task. A page is never served from the
cache when the session has messages waiting to be shown.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.http import HttpResponse
from django.utils.translation import get_language

from .cache import invalidate_on_recovery

VERSION_KEY = "content:version"
# Writes missed while Redis was unreachable: bumped once it is back.
invalidate_on_recovery(VERSION_KEY)
APPS = {"accounts", "schools", "networks", "pme", "monitoring", "account", "mfa"}


def content_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, None)
        version = cache.get(VERSION_KEY, 1)
    return version


def bump_content_version():
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, None)


def cache_page_per_session(timeout=None):
    """Serve a GET from the session's cached copy while nothing was written."""
    timeout = settings.PAGE_CACHE_SECONDS if timeout is None else timeout

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            session_key = getattr(request.session, "session_key", None)
            if (
                not timeout
                or request.method != "GET"
                or not request.user.is_authenticated
                or not session_key
                or "messages" in request.COOKIES
                or request.session.get("_messages")
            ):
                return view(request, *args, **kwargs)
            raw = "|".join(
                [
                    session_key,
                    request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""),
                    get_language() or "",
                    request.get_full_path(),
                ]
            )
            digest = hashlib.sha256(raw.encode()).hexdigest()
            key = f"page:{view.__module__}.{view.__name__}:{content_version()}:{digest}"
            hit = cache.get(key)
            if hit is not None:
                content_type, content = hit
                return HttpResponse(content, content_type=content_type)
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming:
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()
                cache.set(key, (response["Content-Type"], response.content), timeout)
            return response

        return wrapped

    return decorator


class WriteInvalidatesPagesMiddleware:
    """Any unsafe request (a form post, an API write) invalidates the cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE"):
            bump_content_version()
        return response


@receiver(post_save)
@receiver(post_delete)
@receiver(m2m_changed)
def _model_changed(sender, **kwargs):
    if getattr(sender, "_meta", None) is not None and sender._meta.app_label in APPS:
        bump_content_version()


def _task_finished(sender=None, **kwargs):
    # A task that changes no content says so (writes_content=False), e.g. the
    # outbox relay every 30 s, whose tasks bump the version themselves.
    if getattr(sender, "writes_content", True):
        bump_content_version()


try:  # every Celery task may have written something
    from celery.signals import task_postrun

    task_postrun.connect(_task_finished, weak=False)
except ImportError:  # pragma: no cover - celery is a dependency
    pass
