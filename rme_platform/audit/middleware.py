from auditlog.middleware import AuditlogMiddleware

from .services import client_ip, current_request


class AuditMiddleware(AuditlogMiddleware):
    """django-auditlog's middleware (actor and address of each model change),
    with the client address read the way allauth reads it (a spoofed
    X-Forwarded-For is not trusted beyond ALLAUTH_TRUSTED_PROXY_COUNT), and
    the request kept for `audit.record`."""

    @staticmethod
    def _get_remote_addr(request):
        return client_ip(request)

    def __call__(self, request):
        token = current_request.set(request)
        try:
            return super().__call__(request)
        finally:
            current_request.reset(token)
