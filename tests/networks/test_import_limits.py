"""The people CSV at its limits: a field over csv's 128 KB limit, names
longer than the account holds and a UTF-16 file (Excel's "Unicode text")
each give a row/column message or are read, on the page and by the
command; nothing is written when refused."""

import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from rme_platform.accounts.models import User

from .test_import_users import NEW_EMAILS, csv_text, snapshot, valid_rows

pytestmark = pytest.mark.django_db


def post_file(client, content):
    upload = SimpleUploadedFile("personas.csv", content, content_type="text/csv")
    return client.post("/people/import/", {"file": upload})


def run_command(tmp_path, content):
    path = tmp_path / "personas.csv"
    path.write_bytes(content)
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_users", str(path), stderr=err, stdout=io.StringIO())
    return err.getvalue()


def huge_field_file(world):
    first, second, *rest = valid_rows(world)
    second = second.replace("Luis", '"' + "L" * 200_000 + '"', 1)
    return csv_text(first, second, *rest).encode()


def long_name_file(world):
    first, *rest = valid_rows(world)
    return csv_text(first.replace("Rosa,Paz", "R" * 151 + ",Paz"), *rest).encode()


def test_a_field_over_128_kb_is_a_row_and_column_error_on_the_page(world, login):
    client = login(world.admin)
    before = snapshot()
    response = post_file(client, huge_field_file(world))
    assert response.status_code == 200
    (error,) = response.context["errors"]
    assert error.startswith("fila 2, columna first_name:")
    assert snapshot() == before and mail.outbox == []


def test_a_field_over_128_kb_is_a_row_and_column_error_by_command(world, tmp_path):
    before = snapshot()
    assert "fila 2, columna first_name:" in run_command(tmp_path, huge_field_file(world))
    assert snapshot() == before


def test_a_first_name_longer_than_the_account_holds_is_refused_on_the_page(world, login):
    client = login(world.admin)
    before = snapshot()
    response = post_file(client, long_name_file(world))
    assert response.status_code == 200
    (error,) = response.context["errors"]
    assert error.startswith("fila 1, columna first_name:") and "151" in error and "150" in error
    assert snapshot() == before and mail.outbox == []


def test_a_first_name_longer_than_the_account_holds_is_refused_by_command(world, tmp_path):
    before = snapshot()
    assert "fila 1, columna first_name:" in run_command(tmp_path, long_name_file(world))
    assert snapshot() == before


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_a_utf16_file_is_read_on_the_page(
    world, login, encoding, django_capture_on_commit_callbacks
):
    client = login(world.admin)
    content = csv_text(*valid_rows(world)).encode(encoding)
    if encoding == "utf-16-be":
        content = b"\xfe\xff" + content
    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(client, content)
    assert response.status_code == 302, response.context and response.context.get("errors")
    assert User.objects.filter(email__in=NEW_EMAILS).count() == 5
    assert User.objects.get(email="marta.diaz@mineduc.cl").last_name == "Díaz"


def test_a_utf16_file_is_read_by_command(world, tmp_path, django_capture_on_commit_callbacks):
    path = tmp_path / "personas.csv"
    path.write_bytes(csv_text(*valid_rows(world)).encode("utf-16"))
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_users", str(path), stdout=out)
    assert out.getvalue().startswith("created 5,")
    assert User.objects.get(email="marta.diaz@mineduc.cl").last_name == "Díaz"


def test_excel_unicode_text_utf16_with_tabs_is_read(
    world, login, tmp_path, django_capture_on_commit_callbacks
):
    """What Excel's "Unicode text" writes: UTF-16 with BOM, separated by tabs."""
    text = csv_text(*valid_rows(world)).replace(",", "\t")
    client = login(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(client, text.encode("utf-16"))
    assert response.status_code == 302
    assert User.objects.filter(email__in=NEW_EMAILS).count() == 5
