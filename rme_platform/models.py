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
