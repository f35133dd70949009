from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from .models import ApiToken, hash_secret
from .permissions import lacks_required_second_factor


class ApiTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>` with personal, revocable, hashed tokens."""

    model = ApiToken

    def authenticate_credentials(self, key):
        token = (
            ApiToken.objects.active()
            .select_related("user")
            .filter(key_hash=hash_secret(key))
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("Token inválido o revocado."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Usuario inactivo."))
        if lacks_required_second_factor(token.user):
            # A token must not stand in for the second factor the role demands.
            raise exceptions.AuthenticationFailed(
                _(
                    "Su rol exige verificación en dos pasos: configúrela en la plataforma "
                    "antes de usar la API."
                )
            )
        now = timezone.now()
        # Record use at most once a minute, to keep requests write-free.
        if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token
