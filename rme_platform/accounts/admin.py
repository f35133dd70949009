from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from .models import ApiToken, Invitation, User
from .views import admin_login

# No password-only way in: /admin/login/ sends to allauth's sign-in, which
# asks for the second factor (issue 14).
admin.site.login = admin_login


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "role", "is_active", "is_staff"]
    list_filter = ["role", "is_active", "is_staff", "language"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Datos personales"), {"fields": ("first_name", "last_name", "language", "role")}),
        (
            _("Permisos"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Fechas"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "role", "usable_password", "password1", "password2"),
            },
        ),
    )


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    list_filter = ["role"]
    search_fields = ["email"]
    # Revoking goes through the action (it also deactivates the account).
    readonly_fields = [
        "user",
        "token_hash",
        "created_at",
        "accepted_at",
        "revoked_at",
        "sent_at",
        "invited_by",
    ]
    actions = ["resend", "revoke"]

    @admin.action(description=_("Reenviar invitación (nuevo enlace, 7 días)"))
    def resend(self, request, queryset):  # re-invites: a new link, valid 7 days
        for invitation in queryset.select_related("user"):
            try:
                services.invite_user(
                    email=invitation.email, role=invitation.role, invited_by=request.user
                )
            except ValidationError as exc:
                self.message_user(request, "; ".join(exc.messages), messages.ERROR)

    @admin.action(description=_("Revocar invitación (desactiva la cuenta si nunca aceptó)"))
    def revoke(self, request, queryset):
        revoked = sum(
            services.revoke_invitation(invitation=invitation, by=request.user)
            for invitation in queryset
        )
        self.message_user(
            request, _("%(count)s invitaciones revocadas.") % {"count": revoked}, messages.SUCCESS
        )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    search_fields = ["user__email", "name"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]
