"""The PME action import at its limits: a field over csv's 128 KB limit is
a row/column error (it was an unhandled _csv.Error), a UTF-16 file is read."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from pme.models import Action

pytestmark = pytest.mark.django_db

HEADER = "name,dimension,start_date,end_date,responsible\n"


def test_a_field_over_128_kb_names_its_row_and_column(pme_world, tmp_path):
    path = tmp_path / "acciones.csv"
    huge = '"' + "x" * 200_000 + '"'
    path.write_text(
        HEADER + "Buena,liderazgo,2025-03-01,2025-04-01,\n" + f"Otra,liderazgo,,,{huge}\n",
        encoding="utf-8",
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="No se importó nada"):
        call_command("import_pme_actions", str(path), rbd=pme_world.a1.rbd, year=2025, stderr=err)
    assert "fila 2, columna responsible:" in err.getvalue()
    assert not Action.objects.filter(plan=pme_world.plan_a1, name="Buena").exists()


def test_a_utf16_file_is_read(pme_world, tmp_path):
    path = tmp_path / "acciones.csv"
    path.write_bytes(
        (HEADER + "Lectura diaria,liderazgo,2025-03-01,2025-04-01,Jefa\n").encode("utf-16")
    )
    out = io.StringIO()
    call_command("import_pme_actions", str(path), rbd=pme_world.a1.rbd, year=2025, stdout=out)
    assert "Nuevas: 1;" in out.getvalue()
    assert Action.objects.filter(plan=pme_world.plan_a1, name="Lectura diaria").exists()
