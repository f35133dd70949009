"""Sign-ins, their failures and second-factor changes, from the signals of
Django's auth and allauth."""

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from auditlog.models import LogEntry
from django.contrib.auth import signals as auth_signals
from django.db.models.signals import pre_save
from django.dispatch import receiver

from .models import Action
from .services import current_request, record

# The only part of a failed sign-in kept: the address typed (Django has
# already masked the password in `credentials`; it is never read here).
_IDENTIFIERS = ("email", "username", "login")


@receiver(auth_signals.user_logged_in, dispatch_uid="audit_login")
def on_login(sender, request, user, **kwargs):
    record(user, Action.LOGIN, user, request=request)


@receiver(auth_signals.user_login_failed, dispatch_uid="audit_login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    typed = next((credentials.get(k) for k in _IDENTIFIERS if credentials.get(k)), "")
    record(None, Action.LOGIN_FAILED, request=request, email=str(typed)[:254])


@receiver(auth_signals.user_logged_out, dispatch_uid="audit_logout")
def on_logout(sender, request, user, **kwargs):
    if user is not None and user.is_authenticated:
        record(user, Action.LOGOUT, user, request=request)


@receiver(account_signals.password_changed, dispatch_uid="audit_password_changed")
@receiver(account_signals.password_set, dispatch_uid="audit_password_set")
def on_password_changed(sender, request, user, **kwargs):
    record(user, Action.PASSWORD_CHANGED, user, request=request)


@receiver(account_signals.password_reset, dispatch_uid="audit_password_reset")
def on_password_reset(sender, request, user, **kwargs):
    record(user, Action.PASSWORD_RESET, user, request=request)


def _mfa(action):
    def handler(sender, request, user, authenticator, **kwargs):
        record(user, action, user, request=request, kind=authenticator.type)

    return handler


_MFA_HANDLERS = {
    mfa_signals.authenticator_added: _mfa(Action.MFA_ADDED),
    mfa_signals.authenticator_removed: _mfa(Action.MFA_REMOVED),
    mfa_signals.authenticator_reset: _mfa(Action.MFA_RESET),
    mfa_signals.authentication_failed: _mfa(Action.MFA_FAILED),
}
for _signal, _handler in _MFA_HANDLERS.items():
    _signal.connect(_handler, dispatch_uid=f"audit_{id(_signal)}")


@receiver(pre_save, sender=LogEntry, dispatch_uid="audit_logentry_actor")
def on_history_entry(sender, instance, **kwargs):
    """A model change made through the API with a personal token: the token
    authenticates inside the view, after auditlog's middleware looked for a
    signed-in person, so take the actor from the request here."""
    if instance.actor_id is not None:
        return
    request = current_request.get()
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        instance.actor = user
        instance.actor_email = getattr(user, "email", None)
