"""On several hosts a file uploaded to one web host is served by another:
with STORAGES["default"] on an S3-compatible server (tests/conftest.py,
`object_storage`), a practice's attachment goes into the bucket through the
upload page, comes back through the access-checked download (streamed by
the platform, never a redirect to the bucket) and leaves it when removed."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from networks.practices.models import PracticeAttachment
from tests.helpers import pdf_bytes

pytestmark = pytest.mark.django_db


def test_an_attachment_is_kept_in_the_bucket_and_served_only_to_who_may_see_it(
    object_storage, practice_world, practice_of, login, settings, django_capture_on_commit_callbacks
):
    practice = practice_of("draft")  # seen by its school's directivos and admins only
    content = pdf_bytes(4000)
    client = login(practice_world.director_a)
    response = client.post(
        f"/practices/{practice.pk}/files/",
        {"file": SimpleUploadedFile("pauta.pdf", content, content_type="application/pdf")},
        follow=True,
    )
    assert "pauta.pdf" in response.content.decode()
    attachment = PracticeAttachment.objects.get()

    # In the bucket, under the stored name; nothing on this host's disk.
    stored = object_storage.Object(attachment.file.name).get()["Body"].read()
    assert stored == content
    assert not settings.MEDIA_ROOT.exists() or not any(settings.MEDIA_ROOT.rglob("*.pdf"))

    download = client.get(f"/practices/files/{attachment.pk}/")
    assert download.status_code == 200
    assert "Location" not in download
    assert b"".join(download.streaming_content) == content
    assert download["Content-Length"] == str(len(content))
    assert 'attachment; filename="pauta.pdf"' in download["Content-Disposition"]
    assert download["Cache-Control"] == "private, no-store"

    # Another network's directivo may not see the draft: not found.
    assert (
        login(practice_world.director_c).get(f"/practices/files/{attachment.pk}/").status_code
        == 404
    )
    assert login(None).get(f"/practices/files/{attachment.pk}/").status_code == 302

    client = login(practice_world.director_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/practices/files/{attachment.pk}/remove/")
    assert not PracticeAttachment.objects.exists()
    assert [o.key for o in object_storage.objects.all()] == []
