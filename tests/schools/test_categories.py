import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from schools.demo import CATEGORIES_HEADER
from schools.models import PerformanceCategory
from schools.services import import_categories
from tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


def workbook(tmp_path, rows, header=CATEGORIES_HEADER):
    """An .xlsx shaped like the Agencia's file (sheet Hoja1)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Hoja1"
    sheet.append(header)
    for rbd, label in rows:
        sheet.append((rbd, 250, "ARICA", "Público", "de Arica y Parinacota", "ESCUELA", label))
    path = tmp_path / "categorias.xlsx"
    book.save(path)
    return path


@pytest.fixture
def schools():
    return [SchoolFactory() for _ in range(7)]


LABELS = [
    "ALTO",
    "MEDIO",
    "MEDIO-BAJO",
    "MEDIO-BAJO (NUEVO)",
    "INSUFICIENTE",
    "SIN CATEGORIA: BAJA MATRICULA",
    "SIN CATEGORIA: FALTA DE INFORMACIÓN",
]


def test_every_label_of_the_agencia_is_imported(tmp_path, schools):
    path = workbook(tmp_path, [(s.rbd, label) for s, label in zip(schools, LABELS, strict=True)])
    result = import_categories(path_or_file=path, year=2019)
    assert (result.rows, result.created, result.updated) == (7, 7, 0)
    assert [
        PerformanceCategory.objects.get(school=s, year=2019, level="basica").category
        for s in schools
    ] == [
        "alto",
        "medio",
        "medio_bajo",
        "medio_bajo_nuevo",
        "insuficiente",
        "sin_categoria_baja_matricula",
        "sin_categoria_falta_informacion",
    ]


def test_reimport_is_idempotent_and_updates_changes(tmp_path, schools):
    rows = [(s.rbd, "MEDIO") for s in schools[:3]]
    import_categories(path_or_file=workbook(tmp_path, rows), year=2019)
    again = import_categories(path_or_file=workbook(tmp_path, rows), year=2019)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)

    rows[0] = (schools[0].rbd, "ALTO")
    changed = import_categories(path_or_file=workbook(tmp_path, rows), year=2019)
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 2)
    assert PerformanceCategory.objects.get(school=schools[0]).category == "alto"

    # Another year (or level) is a separate category.
    import_categories(path_or_file=workbook(tmp_path, rows), year=2022, level="media")
    assert PerformanceCategory.objects.filter(school=schools[0]).count() == 2


def test_unknown_rbd_and_label_are_errors_and_nothing_is_written(tmp_path, schools):
    rows = [(schools[0].rbd, "ALTO"), (123, "MEDIO"), (schools[1].rbd, "EXCELENTE"), ("x", "ALTO")]
    with pytest.raises(ValidationError) as excinfo:
        import_categories(path_or_file=workbook(tmp_path, rows), year=2019)
    assert excinfo.value.messages == [
        "fila 2, columna RBD: el RBD 123 no está en el directorio.",
        "fila 3, columna Categoría Desempeño 2019: «EXCELENTE» no es una categoría de desempeño "
        "conocida.",
        "fila 4, columna RBD: «x» no es un número entero positivo.",
    ]
    assert not PerformanceCategory.objects.exists()


def test_a_repeated_rbd_is_an_error(tmp_path, schools):
    rows = [(schools[0].rbd, "ALTO"), (schools[0].rbd, "MEDIO")]
    with pytest.raises(ValidationError) as excinfo:
        import_categories(path_or_file=workbook(tmp_path, rows), year=2019)
    assert excinfo.value.messages == [
        f"fila 2, columna RBD: el RBD {schools[0].rbd} ya aparece en la fila 1."
    ]


def test_a_workbook_without_the_columns_is_refused(tmp_path, schools):
    path = workbook(tmp_path, [(schools[0].rbd, "ALTO")], header=("Código", "Otra"))
    with pytest.raises(ValidationError):
        import_categories(path_or_file=path, year=2019)


def test_command(tmp_path, schools):
    path = workbook(tmp_path, [(schools[0].rbd, "INSUFICIENTE")])
    out = io.StringIO()
    call_command("import_categories", str(path), "--year", "2019", stdout=out)
    assert "Filas: 1; creadas: 1;" in out.getvalue()
    assert "Insuficiente: 1" in out.getvalue()

    bad = workbook(tmp_path, [(99, "ALTO")])
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_categories", str(bad), "--year", "2019", stderr=err)
    assert "fila 1, columna RBD: el RBD 99 no está en el directorio." in err.getvalue()
