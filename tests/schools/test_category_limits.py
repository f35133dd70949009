"""import_categories refuses, before reading, a workbook that would expand
past the limits: shared strings of hundreds of MB packed into a small file
(it reached 7 GB of memory), a sheet declaring millions of rows (140 s),
and one holding more rows than it declares."""

import io
import re
import time
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from schools.models import PerformanceCategory
from schools.services import import_categories

from .test_categories import workbook

pytestmark = pytest.mark.django_db


def rewrite(path, **replace):
    """The workbook at `path` with some parts replaced: name -> function of
    the old bytes returning the new ones (written compressed)."""
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    for name, change in replace.items():
        name = name.replace("__", "/").replace("_xml", ".xml")
        parts[name] = change(parts.get(name, b""))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def bomb(_old):
    """60 MB of shared strings that compress to well under 1 MB."""
    item = b"<si><t>" + b"A" * 1000 + b"</t></si>"
    count = 60 * 1024
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        + f'count="{count}" uniqueCount="{count}">'.encode()
        + item * count
        + b"</sst>"
    )


def with_shared_strings(content_types):
    """The manifest naming xl/sharedStrings.xml, so openpyxl reads it."""
    override = (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    )
    return content_types.replace(b"</Types>", override + b"</Types>")


@pytest.fixture
def school_rows():
    from tests.factories import SchoolFactory

    return [(SchoolFactory().rbd, "ALTO")]


def test_shared_strings_that_expand_past_the_limit_are_refused_before_reading(
    tmp_path, school_rows
):
    path = rewrite(
        workbook(tmp_path, school_rows),
        xl__sharedStrings_xml=bomb,
        **{"[Content_Types]_xml": with_shared_strings},
    )
    assert path.stat().st_size < 2 * 1024 * 1024
    started = time.monotonic()
    with pytest.raises(ValidationError) as excinfo:
        import_categories(path_or_file=path, year=2019)
    assert time.monotonic() - started < 2
    (message,) = excinfo.value.messages
    assert "xl/sharedStrings.xml" in message
    assert not PerformanceCategory.objects.exists()

    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_categories", str(path), "--year", "2019", stderr=err)
    assert "xl/sharedStrings.xml" in err.getvalue()


def test_a_sheet_declaring_millions_of_rows_is_refused_before_reading(tmp_path, school_rows):
    path = rewrite(
        workbook(tmp_path, school_rows),
        xl__worksheets__sheet1_xml=lambda old: re.sub(
            rb'<dimension ref="[^"]*"', b'<dimension ref="A1:G3000000"', old
        ),
    )
    started = time.monotonic()
    with pytest.raises(ValidationError, match="100000"):
        import_categories(path_or_file=path, year=2019)
    assert time.monotonic() - started < 2
    assert not PerformanceCategory.objects.exists()


def test_a_sheet_with_more_rows_than_it_declares_stops_at_the_limit(
    tmp_path, settings, school_rows
):
    settings.IMPORT_XLSX_MAX_ROWS = 10
    rbd, label = school_rows[0]
    path = rewrite(
        workbook(tmp_path, school_rows * 1 + [(rbd + 10_000 + i, label) for i in range(15)]),
        xl__worksheets__sheet1_xml=lambda old: re.sub(rb"<dimension [^>]*/>", b"", old),
    )
    with pytest.raises(ValidationError, match="10 filas"):
        import_categories(path_or_file=path, year=2019)
    assert not PerformanceCategory.objects.exists()


def test_a_file_that_is_not_a_workbook_is_a_clear_error(tmp_path, school_rows):
    path = tmp_path / "categorias.xlsx"
    path.write_bytes(b"RBD,Categoria\n1,ALTO\n")
    with pytest.raises(ValidationError):
        import_categories(path_or_file=path, year=2019)
