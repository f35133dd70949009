from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PracticesConfig(AppConfig):
    name = "networks.practices"
    label = "practices"
    verbose_name = _("Prácticas")

    def ready(self):
        from . import cache  # noqa: F401  (connects the version bumps)
