"""Uploaded files: checked on the way in, served only through views that
check access first (never straight from MEDIA_URL)."""

import mimetypes
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from pypdf import PdfReader

# Extension -> the file's first bytes ("magic"), or None when text-like.
DOCUMENT_TYPES = {
    ".pdf": [b"%PDF"],
    ".png": [b"\x89PNG"],
    ".jpg": [b"\xff\xd8\xff"],
    ".jpeg": [b"\xff\xd8\xff"],
    ".docx": [b"PK\x03\x04"],
    ".xlsx": [b"PK\x03\x04"],
    ".pptx": [b"PK\x03\x04"],
    ".odt": [b"PK\x03\x04"],
    ".ods": [b"PK\x03\x04"],
    ".csv": None,
    ".txt": None,
}
DEFAULT_MAX_BYTES = 10 * 1024 * 1024


def validate_upload(uploaded_file, *, max_bytes=DEFAULT_MAX_BYTES, allowed=None):
    """Refuse a file that is too large, of a type not allowed, or whose
    content does not match its extension. Raises ValidationError."""
    allowed = DOCUMENT_TYPES if allowed is None else allowed
    name = Path(uploaded_file.name or "").name
    extension = Path(name).suffix.lower()
    if uploaded_file.size is not None and uploaded_file.size > max_bytes:
        raise ValidationError(
            _("«%(name)s» pesa %(size)s; el máximo es %(max)s.")
            % {
                "name": name,
                "size": filesizeformat(uploaded_file.size),
                "max": filesizeformat(max_bytes),
            },
            code="too_large",
        )
    if extension not in allowed:
        raise ValidationError(
            _("«%(name)s» no es de un tipo permitido. Tipos permitidos: %(types)s.")
            % {"name": name, "types": ", ".join(sorted(t.lstrip(".") for t in allowed))},
            code="type",
        )
    signatures = allowed[extension]
    if signatures:
        position = uploaded_file.tell() if hasattr(uploaded_file, "tell") else 0
        uploaded_file.seek(0)
        head = uploaded_file.read(8)
        uploaded_file.seek(position)
        if not any(head.startswith(signature) for signature in signatures) or (
            extension == ".pdf" and not _parses_as_pdf(uploaded_file)
        ):
            raise ValidationError(
                _("El contenido de «%(name)s» no corresponde a un archivo %(type)s.")
                % {"name": name, "type": extension.lstrip(".").upper()},
                code="content",
            )
    elif extension in {".csv", ".txt"}:
        uploaded_file.seek(0)
        if b"\x00" in uploaded_file.read(4096):
            raise ValidationError(
                _("«%(name)s» no parece un archivo de texto.") % {"name": name}, code="content"
            )
        uploaded_file.seek(0)
    return uploaded_file


def validate_attachment(uploaded_file, *, max_bytes):
    """validate_upload for a form's "file" field: a missing or refused file
    raises ValidationError on that field."""
    if uploaded_file is None:
        raise ValidationError({"file": _("Elija un archivo.")})
    try:
        validate_upload(uploaded_file, max_bytes=max_bytes)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None


def _parses_as_pdf(uploaded_file):
    """Whether the file reads as a PDF (pypdf finds its cross-reference
    table, trailer and at least one page, or it is encrypted), not merely
    starts with %PDF. The file is left at the position it had."""
    position = uploaded_file.tell() if hasattr(uploaded_file, "tell") else 0
    uploaded_file.seek(0)
    try:
        reader = PdfReader(uploaded_file, strict=False)
        return reader.is_encrypted or len(reader.pages) > 0
    except Exception:  # pypdf raises many kinds (and RecursionError) for a broken file
        return False
    finally:
        uploaded_file.seek(position)


def protected_download(request, field_file, *, filename=None):
    """Stream a stored file as an attachment. Call it only after checking
    that request.user may see the object the file belongs to. The file is
    read through its storage (a folder under MEDIA_ROOT, or a private bucket
    on several hosts) and sent by this response: never a redirect to the
    storage's own URL, which would skip the check."""
    filename = filename or Path(field_file.name).name
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    response = FileResponse(
        field_file.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def attachment_download_view(find):
    """A view serving, to a signed-in user, the Attachment `find(user, pk)`
    returns; `find` raises Http404 for one the user may not read."""

    @login_required
    @require_GET
    def attachment_download(request, pk):
        attachment = find(request.user, pk)
        return protected_download(request, attachment.file, filename=attachment.original_name)

    return attachment_download
