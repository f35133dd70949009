"""Writing and purging the audit trail."""

from contextvars import ContextVar
from datetime import timedelta

from allauth.account.adapter import get_adapter
from auditlog.models import LogEntry
from django.conf import settings
from django.utils import timezone

from .models import Action, AuditEvent

# The request being served (set by AuditMiddleware), for the IP address and,
# when a service passes no actor, the signed-in person.
current_request = ContextVar("audit_current_request", default=None)

# Never kept in `details`: a key naming any of these is dropped.
_SECRET_WORDS = ("password", "answer", "secret", "token", "key")


def client_ip(request):
    """The client's address as allauth sees it (ALLAUTH_TRUSTED_PROXY_COUNT
    decides which X-Forwarded-For entry to trust), or None."""
    if request is None:
        return None
    try:
        return get_adapter(request).get_client_ip(request)
    except Exception:  # no address, or a proxy set-up that does not match
        return request.META.get("REMOTE_ADDR") or None


def _clean_details(details):
    return {
        key: value
        for key, value in details.items()
        if not any(word in key.lower() for word in _SECRET_WORDS)
    }


def record(actor, action, obj=None, *, request=None, **details):
    if action not in Action.values:
        raise ValueError(f"Unknown audit action: {action!r}")
    request = request or current_request.get()
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
    event = AuditEvent(
        actor=actor,
        actor_email=getattr(actor, "email", "") or "",
        action=action,
        ip=client_ip(request),
        details=_clean_details(details),
    )
    if obj is not None:
        event.object_type = obj._meta.label_lower
        event.object_id = str(obj.pk)
        event.summary = str(obj)[:255]
    event.save()
    return event


def retention_cutoff(now=None):
    """Rows older than this are purged; None keeps everything
    (AUDIT_RETENTION_DAYS = 0)."""
    days = settings.AUDIT_RETENTION_DAYS
    if not days or days <= 0:
        return None
    return (now or timezone.now()) - timedelta(days=days)


def purge_old_entries(now=None):
    """Delete audit events and model-history entries older than
    AUDIT_RETENTION_DAYS. Returns (events, history entries) deleted."""
    cutoff = retention_cutoff(now)
    if cutoff is None:
        return 0, 0
    events, _by_model = AuditEvent.objects.filter(created_at__lt=cutoff).delete()
    entries, _by_model = LogEntry.objects.filter(timestamp__lt=cutoff).delete()
    return events, entries
