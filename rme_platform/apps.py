from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlatformConfig(AppConfig):
    name = "rme_platform"
    verbose_name = _("Plataforma RME")
