from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlatformConfig(AppConfig):
    name = "rme_platform"
    verbose_name = _("Plataforma RME")

    def ready(self):
        # Lazy: models can be imported only once the app registry is ready; this
        # connects the signals that invalidate cached pages on every write.
        from . import pagecache  # noqa: F401
