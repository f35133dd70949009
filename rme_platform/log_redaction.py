"""Personal links never reach a log.

A survey link carries its secret in the path (/monitoring/respond/<token>/),
and so does the Referer of every request made from that page. Django logs
the path of each 4xx and 5xx response (django.request, and
django.security.csrf for a refused form; runserver's django.server logs
every request line), and gunicorn's access log writes the request line and
the referer. Here the path is replaced by the name of its route
(`monitoring:respond`), which says what was asked for without the secret:
`RouteOnlyFilter` for Django's loggers (settings.LOGGING) and
`rme_platform.gunicorn_logging.RouteAccessLogger` for gunicorn.
"""

import logging

from django.http import HttpRequest
from django.urls import Resolver404, resolve

from .middleware import current_request_id

UNRESOLVED = "unresolved:/{}/"


def route_name(path):
    """The route name of a path ("monitoring:respond"); for a path no route
    matches, only its first segment ("unresolved:/monitoring/"), which never
    holds a token."""
    path = (path or "/").split("?", 1)[0]
    try:
        match = resolve(path)
    except Resolver404:
        first = next((part for part in path.split("/") if part), "")
        return UNRESOLVED.format(first[:40]) if first else "unresolved:/"
    except Exception:  # a log line must never fail the request
        return "unresolved:/"
    return match.view_name or match.route or "unresolved:/"


def request_route(request):
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name:
        return match.view_name
    return route_name(request.path_info)


class RouteOnlyFilter(logging.Filter):
    """Replace the request path in a log record by its route name: in the
    message arguments (Django writes "Not Found: /path") and in the
    `request` attribute formatters print. Keeps the request id."""

    def filter(self, record):
        request = getattr(record, "request", None)
        if isinstance(request, HttpRequest):
            route = request_route(request)
            paths = {request.path, request.path_info, request.get_full_path()}
            if isinstance(record.args, tuple):
                record.args = tuple(
                    route if isinstance(arg, str) and arg in paths else arg for arg in record.args
                )
            if not getattr(record, "request_id", None):
                record.request_id = getattr(request, "request_id", None) or current_request_id()
            record.request = f"<{request.method} {route}>"
        elif record.name == "django.server" and isinstance(record.args, tuple) and record.args:
            # runserver: '"GET /path?query HTTP/1.1" 404 123'
            parts = str(record.args[0]).split(" ")
            if len(parts) == 3:
                parts[1] = route_name(parts[1])
                record.args = (" ".join(parts), *record.args[1:])
        return True
