from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _


class UserLanguageMiddleware:
    """Use the signed-in user's preferred language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


class RequireMFAMiddleware:
    """Staff and analysts must have a TOTP authenticator before using the
    platform; until then every page sends them to set one up."""

    allowed_prefixes = ("/accounts/", "/static/", "/i18n/", "/healthz", "/media/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.requires_mfa
            and not request.path.startswith(self.allowed_prefixes)
            and not request.session.get("mfa_enrolled")
        ):
            if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
                request.session["mfa_enrolled"] = True
            else:
                messages.warning(
                    request,
                    _(
                        "Su rol exige verificación en dos pasos. Configure su aplicación "
                        "autenticadora para continuar."
                    ),
                )
                return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
