"""A cap on the size of a request body, checked on its Content-Length
before anything reads it.

Django streams multipart uploads to temporary files and only then do the
forms refuse a file that is too large, so without this a 100 MB upload is
received and written whole first. The reverse proxy should refuse it even
earlier (nginx `client_max_body_size`, see the README); this is the same
limit inside the application, for a deployment without that proxy setting.
"""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.MAX_REQUEST_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads no body then either
        if limit and length > limit:
            return too_large(request, length, limit)
        return self.get_response(request)


def too_large(request, length, limit):
    """413 in the language of the request, without reading its body."""
    language = translation.get_language_from_request(request)
    with translation.override(language):
        message = _(
            "La solicitud pesa %(size)s; el máximo es %(max)s. Suba archivos más livianos "
            "o de a uno."
        ) % {"size": filesizeformat(length), "max": filesizeformat(limit)}
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": message}, status=413)
        else:
            html = render_to_string(
                "413.html",
                {"message": message, "request_id": getattr(request, "request_id", "")},
            )
            response = HttpResponse(html, status=413)
    response["Content-Language"] = language
    return response
