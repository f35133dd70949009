from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PmeConfig(AppConfig):
    name = "pme"
    verbose_name = _("Planes de mejoramiento (PME)")

    def ready(self):
        from . import cache  # noqa: F401  (connects the version bumps)
