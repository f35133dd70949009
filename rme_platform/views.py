from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache

from rme_platform.celery import app

from .home import home_context
from .home import home_panel as home_panel_context
from .models import Outbox


@login_required
def home(request):
    """Each role's starting page."""
    context = home_context(request.user, request.GET)
    return render(request, "home.html", context)


@login_required
def home_panel(request, name):
    """One app's panel of the home page, loaded by htmx (empty if it has
    nothing for the user)."""
    try:
        template, context = home_panel_context(request.user, name)
    except KeyError:
        raise Http404 from None
    return render(request, template, context)


def _cache_status():
    backend = caches["default"]
    if not hasattr(backend, "ping"):
        return "local"
    try:
        backend.ping()
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        return f"down: {exc.__class__.__name__}"
    return "ok"


def favicon(request):
    """Browsers, feed readers and bots ask for /favicon.ico whatever the page
    links: send them to the static file instead of a 404 per visit."""
    response = redirect(static("favicon.ico"))
    response["Cache-Control"] = "public, max-age=86400"
    return response


@never_cache
def healthz(request):
    """Database, broker and cache, each reported on its own. The site serves
    while the broker (work waits in the outbox) or the cache (pages render
    uncached) is down, so only a database failure answers 503."""
    status = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        status["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        status["database"] = f"down: {exc.__class__.__name__}"
    if app.conf.task_always_eager:
        status["broker"] = "eager"
    else:
        try:
            with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
            status["broker"] = "ok"
        except Exception as exc:  # noqa: BLE001
            status["broker"] = f"down: {exc.__class__.__name__}"
    status["cache"] = _cache_status()
    if status["database"] == "ok":
        status["outbox_waiting"] = Outbox.objects.filter(dispatched_at__isnull=True).count()
    return JsonResponse(status, status=200 if status["database"] == "ok" else 503)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(
        request, "500.html", {"request_id": getattr(request, "request_id", "")}, status=500
    )
