from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from rme_platform.accounts.permissions import can_invite
from rme_platform.celery import app


@login_required
def home(request):
    """Each role's starting page."""
    from .home import home_context

    context = home_context(request.user)
    context["can_invite"] = can_invite(request.user)
    return render(request, "home.html", context)


@never_cache
def healthz(request):
    """Liveness for load balancers: database and broker reachability."""
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
    healthy = status["database"] == "ok" and status["broker"] in {"ok", "eager"}
    return JsonResponse(status, status=200 if healthy else 503)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(
        request, "500.html", {"request_id": getattr(request, "request_id", "")}, status=500
    )
