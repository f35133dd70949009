"""Model pieces shared by the apps."""

from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Attachment(models.Model):
    """A file a user uploaded, served only through a view that checks access
    (rme_platform.files.protected_download). Subclasses add the object it
    belongs to and declare `file` with their own upload path."""

    original_name = models.CharField(_("nombre"), max_length=255)
    size = models.PositiveIntegerField(_("tamaño"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("subido por"),
    )
    uploaded_at = models.DateTimeField(_("subido"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name

    @classmethod
    def create_from_upload(cls, upload, *, by, **fields):
        """Store an uploaded (already validated) file with its name and size."""
        return cls.objects.create(
            file=upload,
            original_name=Path(upload.name).name[:255],
            size=upload.size,
            uploaded_by=by,
            **fields,
        )


class Outbox(models.Model):
    """Work a change asked for (a Celery task with its arguments), written in
    the same transaction as the change, so it is neither lost when the broker
    is unreachable nor sent for a change that rolled back. Sent after commit
    by rme_platform.outbox (and again by its relay until it goes through),
    then marked dispatched; see that module."""

    task = models.CharField(_("tarea"), max_length=200)
    args = models.JSONField(_("argumentos"), default=list, blank=True)
    kwargs = models.JSONField(_("argumentos con nombre"), default=dict, blank=True)
    queue = models.CharField(_("cola"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("creada"), auto_now_add=True)
    dispatched_at = models.DateTimeField(_("enviada"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("intentos"), default=0)
    last_error = models.CharField(_("último error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("tarea pendiente")
        verbose_name_plural = _("tareas pendientes")
        ordering = ["pk"]
        indexes = [
            models.Index(
                fields=["id"],
                name="outbox_waiting",
                condition=models.Q(dispatched_at__isnull=True),
            )
        ]

    def __str__(self):
        return f"{self.task}{tuple(self.args)}"
