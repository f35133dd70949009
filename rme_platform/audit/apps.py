from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "rme_platform.audit"
    label = "audit"
    verbose_name = _("Auditoría")

    def ready(self):
        # Lazy: models can be imported only once the app registry is ready.
        from . import registry, signals  # noqa: F401

        registry.register_models()
