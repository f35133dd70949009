"""Staff upload a directory file; a Celery task imports it and the page polls
the job with htmx."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from schools.demo import QUIRK_ROWS, encode_directory
from schools.models import ImportJob, School
from schools.services import run_import_job

from .conftest import HEADER, ROWS, N, set_value

pytestmark = pytest.mark.django_db


def upload(name="directorio.csv", content=None):
    return SimpleUploadedFile(
        name, content or encode_directory(HEADER, ROWS), content_type="text/csv"
    )


@pytest.mark.parametrize("user", ["director", "supervisor", "analyst"])
def test_only_staff_may_import(client, request, user):
    client.force_login(request.getfixturevalue(user))
    assert client.get("/schools/import/").status_code == 403
    assert client.post("/schools/import/", {"file": upload()}).status_code == 403
    assert client.get("/schools/import/1/status/").status_code == 403
    assert not ImportJob.objects.exists()


def test_staff_see_the_upload_form(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/schools/import/")
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.content.decode()


def test_upload_saves_the_file_and_imports_it(
    client, admin_user, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post("/schools/import/", {"file": upload(), "year": ""})
    # The import task is queued through the outbox, run on commit (and bumps
    # the registry cache once it ran).
    assert callbacks[0].__module__ == "rme_platform.outbox"
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/schools/import/{job.pk}/"

    assert job.status == ImportJob.Status.DONE
    assert job.file.name.startswith("imports/")
    assert job.file.storage.exists(job.file.name)
    assert job.created_by == admin_user
    assert (job.rows_done, job.rows_total) == (N, N)
    assert job.counts["created"] == N
    assert job.counts["warnings"]["check_digit"] == 1
    assert School.objects.count() == N

    page = client.get(response["Location"]).content.decode()
    assert "Importación terminada." in page
    assert f"Establecimientos creados: {N};" in page
    odd_row = N + QUIRK_ROWS["check_digit"] + 1
    assert f"fila {odd_row}, columna DGV_RBD" in page  # warnings listed with row and column
    assert 'hx-trigger="every 2s"' not in page  # finished: no more polling


def test_a_pending_job_is_polled_every_two_seconds(client, admin_user):
    job = ImportJob.objects.create(
        file=upload(), original_name="directorio.csv", created_by=admin_user
    )
    client.force_login(admin_user)
    page = client.get(f"/schools/import/{job.pk}/").content.decode()
    assert f'hx-get="/schools/import/{job.pk}/status/"' in page
    assert 'hx-trigger="every 2s"' in page
    partial = client.get(f"/schools/import/{job.pk}/status/").content.decode()
    assert 'hx-trigger="every 2s"' in partial
    assert "<html" not in partial


def test_errors_are_shown_with_row_and_column(
    client, admin_user, sample_rows, directory_file, django_capture_on_commit_callbacks
):
    header, rows = sample_rows
    path = directory_file(header, [rows[0], set_value(header, rows[1], "COD_COM_RBD", "99999")])
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/schools/import/", {"file": upload(content=path.read_bytes())})
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert job.errors == (
        "fila 2, columna COD_COM_RBD: la comuna 99999 no pertenece a la provincia 71 de la "
        "región 7 (código CUT = provincia × 100 + n)."
    )
    page = client.get(response["Location"]).content.decode()
    assert "No se importó nada" in page
    assert (
        "fila 2, columna COD_COM_RBD: la comuna 99999 no pertenece a la provincia 71 de la "
        "región 7 (código CUT = provincia × 100 + n)."
    ) in page
    assert not School.objects.exists()


def test_dry_run_upload_writes_nothing(client, admin_user, django_capture_on_commit_callbacks):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/schools/import/", {"file": upload(), "dry_run": "on"})
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE and job.dry_run
    assert not School.objects.exists()


def test_the_task_runs_a_job_once(admin_user):
    job = ImportJob.objects.create(
        file=upload(), original_name="directorio.csv", created_by=admin_user
    )
    assert run_import_job(job_id=job.pk) == ImportJob.Status.DONE
    assert run_import_job(job_id=job.pk) is None  # no longer pending
    assert School.objects.count() == N


def test_an_uploaded_file_with_a_huge_field_fails_with_row_and_column(admin_user, client):
    rows = [ROWS[0], set_value(HEADER, ROWS[1], "NOM_RBD", "B" * 150_000)]
    job = ImportJob.objects.create(
        file=upload(content=encode_directory(HEADER, rows)),
        original_name="directorio.csv",
        created_by=admin_user,
    )
    assert run_import_job(job_id=job.pk) == ImportJob.Status.FAILED
    job.refresh_from_db()
    assert job.errors.startswith("fila 2, columna NOM_RBD: el campo supera el máximo de 128 KB")
    client.force_login(admin_user)
    page = client.get(f"/schools/import/{job.pk}/")
    assert page.status_code == 200 and "fila 2, columna NOM_RBD" in page.content.decode()
    assert not School.objects.exists()
