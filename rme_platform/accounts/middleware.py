from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .permissions import has_second_factor


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
    platform. Until they enrol, they reach only the pages that set it up
    (with allauth's re-authentication), sign-out, email confirmation and the
    language switch: every other page sends them to the set-up, and the API
    answers 403. (Personal API tokens of such users are refused by
    ApiTokenAuthentication, which runs after this middleware.)"""

    allowed_prefixes = ("/static/",)
    # URL names an authenticated user without a second factor may open.
    allowed_url_names = frozenset(
        {
            "mfa_activate_totp",
            "mfa_index",
            "mfa_reauthenticate",
            "mfa_view_recovery_codes",
            "mfa_generate_recovery_codes",
            "mfa_download_recovery_codes",
            "account_reauthenticate",
            "account_login",
            "account_logout",
            "account_confirm_email",
            "account_email_verification_sent",
            "account_inactive",
            "set_language",
            "healthz",
        }
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def is_allowed(self, request):
        if request.path.startswith(self.allowed_prefixes):
            return True
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return match.url_name in self.allowed_url_names

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.requires_mfa
            and not request.session.get("mfa_enrolled")
            and not self.is_allowed(request)
        ):
            if has_second_factor(user):
                request.session["mfa_enrolled"] = True
            else:
                message = _(
                    "Su rol exige verificación en dos pasos. Configure su aplicación "
                    "autenticadora para continuar."
                )
                if request.path_info.startswith("/api/"):
                    return JsonResponse({"detail": message}, status=403)
                messages.warning(request, message)
                return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
