"""Audit trail: who did what, for the ministry's accountability.

Two sources, both kept in the database for AUDIT_RETENTION_DAYS:

- django-auditlog keeps the history of the models that grant access (the
  user's role, positions, memberships, supervisor, sostenedor and analyst
  scopes); see `registry.py`.
- `AuditEvent` rows record the rest: sign-ins and their failures, second
  factor changes, API tokens, invitations, PME approvals, campaign
  open/close/publish and raw-response downloads. Services call
  `audit.record(actor, action, obj, **details)`; sign-ins come from signals.

Never record a survey answer, a password, a token or a link: the monitoring
Answer, Response and Draft models are not tracked, and `record` drops such
keys from `details`.
"""


def record(actor, action, obj=None, **details):
    """Record one event (see `rme_platform.audit.models.Action` for the codes)
    and return it. Written in the caller's transaction: an action rolled back
    leaves no event."""
    # Lazy: this package loads with the app registry, before its models can be imported.
    from .services import record as _record

    return _record(actor, action, obj, **details)
