"""Authentication backends: Django's and allauth's, loading the signed-in
user together with whether they hold a TOTP authenticator.

RequireMFAMiddleware asks that on every request of a staff member or
analyst (so an authenticator removed by an admin takes effect at once);
answering it in the query that loads the user costs no extra query."""

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from allauth.mfa.models import Authenticator
from django.contrib.auth import backends, get_user_model
from django.db.models import Exists, OuterRef


class UserWithSecondFactorMixin:
    def get_user(self, user_id):
        User = get_user_model()
        totp = Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)
        user = User._default_manager.annotate(has_totp_authenticator=Exists(totp)).filter(
            pk=user_id
        )
        user = user.first()
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(UserWithSecondFactorMixin, backends.ModelBackend):
    pass


class AuthenticationBackend(UserWithSecondFactorMixin, AllauthBackend):
    pass
