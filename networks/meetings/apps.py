from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "networks.meetings"
    label = "meetings"
    verbose_name = _("Reuniones")

    def ready(self):
        from . import cache  # noqa: F401  (connects the version bumps)
