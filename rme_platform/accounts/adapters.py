from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    """No open sign-up: accounts exist by invitation only."""

    def is_open_for_signup(self, request):
        return False

    def login(self, request, user):
        """Speak the user's own language from the moment they are signed in:
        the sign-in request was answered in the browser's language (the user
        was not known yet), and allauth writes its "signed in as" message
        right after this, in the language active then."""
        super().login(request, user)
        if user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language


class MFAAdapter(DefaultMFAAdapter):
    """A user whose role demands a second factor (analysts, ministry staff)
    cannot switch their authenticator app off; it can only be replaced by
    an admin (Django admin) if lost."""

    def can_delete_authenticator(self, authenticator):
        if authenticator.type == Authenticator.Type.TOTP and authenticator.user.requires_mfa:
            return False
        return super().can_delete_authenticator(authenticator)
