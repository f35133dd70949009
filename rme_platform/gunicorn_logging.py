"""gunicorn's access log without personal links (see log_redaction): the
request line shows the route name instead of the path and query, and the
referer, cookies and raw URI are never written, whatever access log format
is configured. Used by the Dockerfile and docker-compose.yml:

    gunicorn --logger-class rme_platform.gunicorn_logging.RouteAccessLogger …
"""

from gunicorn.glogging import Logger

from .log_redaction import route_name

# Request headers and environ values that can hold a path, a query or a
# credential: blanked in every access log line.
HIDDEN = {
    "referer",
    "cookie",
    "authorization",
    "http_referer",
    "http_cookie",
    "http_authorization",
    "raw_uri",
    "path_info",
    "query_string",
    "request_uri",
}


class RouteAccessLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        route = route_name(environ.get("PATH_INFO", ""))
        method, protocol = environ.get("REQUEST_METHOD", "-"), environ.get("SERVER_PROTOCOL", "-")
        atoms["r"] = f"{method} {route} {protocol}"
        atoms["U"] = route
        atoms["q"] = "-"
        atoms["f"] = "-"
        for key in list(atoms):
            if key.startswith("{") and key[1:-2] in HIDDEN:
                atoms[key] = "-"
        return atoms
