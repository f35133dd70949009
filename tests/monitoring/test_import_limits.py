"""import_responses at its limits: a field over csv's 128 KB limit is a
row/column error (it was an unhandled _csv.Error) and a UTF-16 file is read
(it got "missing column" errors). Nothing is stored when refused."""

import io

import pytest
from django.core.management import CommandError, call_command

from monitoring.models import Answer, Campaign, Response

pytestmark = pytest.mark.django_db

HEADER = "region,network,role,dependency,RME_META_COMUN,RME_COMENTARIOS\n"


def test_a_field_over_128_kb_names_its_row_and_column(monitoring_world, tmp_path):
    path = tmp_path / "ola.csv"
    huge = '"' + "x" * 200_000 + '"'
    path.write_text(HEADER + "7,,director,,4,ok\n" + f"7,,utp,,5,{huge}\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command(
            "import_responses", "--campaign", "rme-x", "--year", "2020", str(path), stderr=err
        )
    (line,) = err.getvalue().splitlines()
    assert line.startswith("fila 2, columna RME_COMENTARIOS:") and "128" in line
    assert not Campaign.objects.filter(slug="rme-x").exists()
    assert Response.objects.count() == 0


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_a_utf16_file_is_read(monitoring_world, tmp_path, encoding):
    path = tmp_path / "ola.csv"
    text = HEADER + "7,RME-07-901,director,municipal,4,Más reuniones\n7,,utp,,5,\n"
    content = text.encode(encoding)
    if encoding == "utf-16-le":
        content = b"\xff\xfe" + content
    path.write_bytes(content)
    out = io.StringIO()
    call_command("import_responses", "--campaign", "rme-x", "--year", "2020", str(path), stdout=out)
    assert out.getvalue().startswith("2 responses stored")
    assert Answer.objects.filter(text="Más reuniones").exists()


@pytest.mark.parametrize("separator", [";", "\t"])
def test_semicolon_and_tab_separated_files_are_read(monitoring_world, tmp_path, separator):
    path = tmp_path / "ola.csv"
    text = HEADER + "7,RME-07-901,director,municipal,4,Más reuniones\n"
    path.write_text(text.replace(",", separator), encoding="utf-8")
    out = io.StringIO()
    call_command("import_responses", "--campaign", "rme-x", "--year", "2020", str(path), stdout=out)
    assert out.getvalue().startswith("1 responses stored")
    assert Answer.objects.filter(text="Más reuniones").exists()
