from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from . import services
from .forms import AcceptInvitationForm, ApiTokenForm, ProfileForm
from .models import ApiToken, Invitation
from .permissions import can_invite, is_admin


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.update_profile(user=request.user, **form.cleaned_data)
        messages.success(request, _("Sus datos se guardaron."))
        response = redirect("accounts:profile")
        response.set_cookie("rme_language", request.user.language, samesite="Lax")
        return response
    tokens = request.user.api_tokens.active()
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "token_form": ApiTokenForm(),
            "tokens": tokens,
            "new_token_key": request.session.pop("new_token_key", None),
        },
    )


@login_required
@require_POST
def create_token(request):
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            token, key = services.create_api_token(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(sum(exc.message_dict.values(), [])))
        else:
            request.session["new_token_key"] = key
            messages.success(
                request,
                _("Token «%(name)s» creado. Cópielo ahora: no se volverá a mostrar.")
                % {"name": token.name},
            )
    else:
        messages.error(request, _("Indique un nombre para el token."))
    return redirect("accounts:profile")


@login_required
@require_POST
def revoke_token(request, token_id):
    try:
        services.revoke_api_token(user=request.user, token_id=token_id)
    except ApiToken.DoesNotExist as exc:
        raise Http404 from exc
    messages.success(request, _("El token fue revocado."))
    return redirect("accounts:profile")


@login_required
def invite(request):
    """The old address of the invitation page: there is one page, the
    people's (/people/invite/), with the person's school, DEPROV, sostenedor
    and networks."""
    return redirect("people:invite", permanent=True)


@login_required
@require_POST
def revoke_invitation(request, invitation_id):
    """Withdraw an invitation one sent (an admin: any). The account of
    someone who never accepted is deactivated."""
    invitations = Invitation.objects.all()
    if not is_admin(request.user):
        invitations = invitations.filter(invited_by=request.user)
    invitation = invitations.filter(pk=invitation_id).first()
    if invitation is None or not can_invite(request.user):
        raise Http404
    if services.revoke_invitation(invitation=invitation, by=request.user):
        messages.success(
            request,
            _("Se revocó la invitación a %(email)s; el enlace ya no sirve.")
            % {"email": invitation.email},
        )
    else:
        messages.error(request, _("Esa invitación ya fue aceptada."))
    return redirect("people:invite")


def accept_invitation(request, token):
    try:
        invitation = services.get_invitation(token)
    except services.InvitationError as exc:
        status = 404 if exc.reason == "invalid" else 410
        return render(
            request, "accounts/invitation_unusable.html", {"reason": exc.reason}, status=status
        )
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(token=token, password=form.cleaned_data["password1"])
        except ValidationError as exc:
            form.add_error("password1", exc.messages)
        except services.InvitationError as exc:
            return render(
                request, "accounts/invitation_unusable.html", {"reason": exc.reason}, status=410
            )
        else:
            login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
            messages.success(request, _("¡Bienvenido/a a la Plataforma RME!"))
            return redirect("home")
    return render(
        request, "accounts/accept_invitation.html", {"form": form, "invitation": invitation}
    )


@require_POST
def set_language(request):
    """Switch language: stored on the user when signed in, and in a cookie."""
    response = django_set_language(request)
    language = request.POST.get("language")
    user = request.user
    if user.is_authenticated and language in dict(settings.LANGUAGES):
        user.language = language
        user.save(update_fields=["language"])
    return response


def admin_login(request, extra_context=None):
    """Stands in for the Django admin's own sign-in form, which asks only for
    the password: the admin signs in through allauth's form (password, then
    the second factor) and comes back. Installed in accounts/admin.py."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("admin:index")
    if request.user.is_authenticated:
        if admin.site.has_permission(request):
            return redirect(next_url)
        raise PermissionDenied
    return redirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")
