# allauth's record of how this session was authenticated (the one its own
# second-factor step writes); allauth is pinned to 65.x.
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .permissions import has_second_factor, session_used_second_factor


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


def enrolled_totp(user):
    """The user's TOTP authenticator, read now (not as loaded with the user)."""
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()


class RequireMFAMiddleware:
    """Staff and analysts must pass a TOTP second factor before using the
    platform.

    Without an authenticator they reach only the pages that set it up (with
    allauth's re-authentication), sign-out, email confirmation and the
    language switch: every other page sends them to the set-up, and the API
    answers 403. With one, THIS session must have been authenticated with it
    (allauth records the methods a session used; see
    permissions.session_used_second_factor): a session signed in by password
    alone, by any path other than allauth's sign-in, is signed out and the
    request goes on as anonymous (pages ask for a full sign-in, the API
    answers 401/403). Both are checked on every request, so an authenticator
    an admin removes takes effect at once. (Personal API tokens of users
    without a second factor are refused by ApiTokenAuthentication.)"""

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
        if user is None or not user.is_authenticated or not user.requires_mfa:
            return self.get_response(request)
        if has_second_factor(user):
            if not session_used_second_factor(request, user):
                logout(request)
                messages.warning(
                    request,
                    _(
                        "Su cuenta usa verificación en dos pasos: inicie sesión de nuevo "
                        "con su contraseña y su aplicación autenticadora."
                    ),
                )
        elif self.is_allowed(request):
            response = self.get_response(request)
            totp = request.method == "POST" and enrolled_totp(user)
            if totp:
                # Just enrolled: allauth asked for a code from the new app
                # before activating it, so this session has passed it.
                record_authentication(request, user, "mfa", id=totp.pk, type=totp.type)
            return response
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
