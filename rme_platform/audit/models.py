from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    """What happened. Changes of role, position, membership and scope are kept
    by django-auditlog (see registry.py); these are the other events."""

    LOGIN = "auth.login", _("Inicio de sesión")
    LOGIN_FAILED = "auth.login_failed", _("Inicio de sesión fallido")
    LOGOUT = "auth.logout", _("Cierre de sesión")
    PASSWORD_CHANGED = "auth.password_changed", _("Contraseña cambiada")
    PASSWORD_RESET = "auth.password_reset", _("Contraseña restablecida")
    MFA_ADDED = "mfa.added", _("Segundo factor activado")
    MFA_REMOVED = "mfa.removed", _("Segundo factor desactivado")
    MFA_RESET = "mfa.reset", _("Códigos de recuperación regenerados")
    MFA_FAILED = "mfa.failed", _("Código de segundo factor rechazado")
    TOKEN_CREATED = "token.created", _("Token de API creado")
    TOKEN_REVOKED = "token.revoked", _("Token de API revocado")
    INVITATION_SENT = "invitation.sent", _("Invitación creada")
    INVITATION_ACCEPTED = "invitation.accepted", _("Invitación aceptada")
    INVITATION_REVOKED = "invitation.revoked", _("Invitación revocada")
    MEMBERSHIP_REMOVED = "membership.removed", _("Integrante retirado de una red")
    PLAN_APPROVED = "pme.plan_approved", _("Plan anual PME aprobado")
    CAMPAIGN_OPENED = "campaign.opened", _("Campaña abierta")
    CAMPAIGN_CLOSED = "campaign.closed", _("Campaña cerrada")
    CAMPAIGN_PUBLISHED = "campaign.published", _("Campaña publicada")
    RAW_DOWNLOADED = "campaign.raw_downloaded", _("Descarga de respuestas anónimas")


class AuditEvent(models.Model):
    """One accountable action. Never holds a survey answer, a password, a
    token or a personal link."""

    created_at = models.DateTimeField(_("fecha"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("persona"),
    )
    # Kept as written at the time, so the trail survives a deleted account.
    actor_email = models.CharField(_("correo de la persona"), max_length=254, blank=True)
    action = models.CharField(_("acción"), max_length=40, choices=Action.choices)
    object_type = models.CharField(_("tipo de objeto"), max_length=100, blank=True)
    object_id = models.CharField(_("id del objeto"), max_length=64, blank=True)
    summary = models.CharField(_("resumen"), max_length=255, blank=True)
    ip = models.GenericIPAddressField(_("dirección IP"), null=True, blank=True)
    details = models.JSONField(_("detalles"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("evento de auditoría")
        verbose_name_plural = _("eventos de auditoría")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["action", "created_at"]),
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["actor", "created_at"]),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} · {self.get_action_display()} · {self.summary}"
