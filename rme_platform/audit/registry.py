"""The models whose history django-auditlog keeps: whatever grants a person a
role or widens what they may see. Only the listed fields are tracked (never a
password). No monitoring model is registered: survey answers, responses,
drafts and invitations stay out of the audit trail."""

from auditlog.registry import auditlog
from django.apps import apps

TRACKED = {
    "accounts.User": {
        "include_fields": ["email", "role", "is_active", "is_staff", "is_superuser"],
    },
    "schools.Position": {"include_fields": ["user", "school", "role", "start_date", "end_date"]},
    "schools.SupervisorProfile": {"include_fields": ["user", "deprov"]},
    "schools.SostenedorRepresentative": {"include_fields": ["user", "sostenedor"]},
    "schools.AnalystScope": {"include_fields": ["user", "national"], "m2m_fields": {"regions"}},
    "networks.Membership": {"include_fields": ["network", "user", "role", "school", "active"]},
}


def register_models():
    for label, options in TRACKED.items():
        model = apps.get_model(label)
        if not auditlog.contains(model):
            auditlog.register(model, **options)
