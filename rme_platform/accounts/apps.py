from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "rme_platform.accounts"
    label = "accounts"
    verbose_name = _("Cuentas")
