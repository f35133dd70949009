"""The 400-row sample of the real 2025 directory, as published (MINEDUC's
file, kept where RME_DATA_DIR says): every figure and quirk of it the import
must reproduce. Skipped without the file under plain `make test`; CI has it."""

import pytest

from schools.demo import SAMPLE_FILE
from schools.models import School, Sostenedor
from schools.services import import_directory

from .conftest import write_directory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample(official_file):
    return official_file(SAMPLE_FILE)


def sample_rows(path):
    import csv

    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    return rows[0], rows[1:]


def test_sample_imports_whole_with_its_figures(sample):
    result = import_directory(path_or_file=sample)

    assert (result.year, result.encoding, result.rows) == (2025, "UTF-8", 400)
    assert (result.created, result.updated, result.unchanged) == (400, 0, 0)
    assert School.objects.count() == 400
    assert result.sostenedores == Sostenedor.objects.count() == 313
    assert result.by_dependency == {1: 16, 2: 97, 3: 171, 4: 49, 5: 11, 6: 56}
    assert result.by_status == {1: 303, 2: 24, 3: 63, 4: 10}
    assert result.without_sostenedor == {9: 19}
    assert School.objects.filter(sostenedor=None, sostenedor_person_type=9).count() == 19
    assert result.without_coordinates == 56
    assert result.warning_counts == {
        "check_digit": 3,
        "name_missing": 2,
        "coordinates_malformed": 2,
        "coordinates_swapped": 1,
    }
    # Blank in the file (56) plus the two malformed pairs are stored blank.
    assert School.objects.filter(latitude=None).count() == 58
    assert School.objects.filter(last_seen_year=2025, absent=False).count() == 400


def test_sample_values_are_stored_as_a_reader_expects(sample):
    import_directory(path_or_file=sample)
    school = School.objects.select_related("sostenedor", "comuna").get(rbd=116)
    assert school.name == "COLEGIO REPUBLICA DE CROACIA"
    assert school.check_digit == "3"
    assert school.comuna.name == "Iquique" and school.deprov_id == 11
    assert (school.latitude, school.longitude) == (-20.22728, -70.13485)  # decimal commas
    assert school.levels == [10, 110]
    assert (school.dependency, school.status, school.rural, school.pie, school.pace) == (
        6,
        1,
        False,
        True,
        False,
    )
    assert school.enrollment == 708
    # RUT 61980910 plus its computed check digit; a SLEP.
    assert school.sostenedor.formatted_rut == "61.980.910-6"
    assert school.sostenedor.kind == "slep"

    # Names: mis-encoded legacy characters kept, leading space stripped, NULL blank.
    assert School.objects.get(rbd=58).name == "JARDIN INFANTIL PETETE J.M. BORGOÐO"
    assert School.objects.get(rbd=16825).name == "COLEGIO  TRABUNCO"
    nameless = School.objects.get(rbd=4020)
    assert nameless.name == "" and nameless.display_name == "RBD 4020"

    # Check digits are stored as given even where modulo 11 says K.
    assert School.objects.get(rbd=13208).check_digit == "8"


def test_sample_coordinates_quirks(sample):
    import_directory(path_or_file=sample)
    coords = {
        rbd: (lat, lon)
        for rbd, lat, lon in School.objects.values_list("rbd", "latitude", "longitude")
    }
    assert coords[42304] == (-33.56479, -70.79695)  # leading space
    assert coords[42337] == (-51.728334, -72.4800746)  # swapped in the file
    assert coords[42334] == (None, None)  # malformed longitude
    assert coords[42354] == (None, None)  # malformed pair
    assert coords[8486] == (-62.200997, -58.964631)  # Antártica
    assert coords[2009] == (-33.641842, -78.828644)  # Juan Fernández
    assert coords[2101] == (-27.147522, -109.426625)  # Rapa Nui


def test_municipal_sostenedores_are_named_after_their_comuna(sample):
    import_directory(path_or_file=sample)
    municipality = School.objects.get(rbd=715).sostenedor  # a DAEM school of Ovalle
    assert municipality.kind == "municipality"
    assert municipality.name == "Municipalidad de Ovalle"
    assert not School.objects.get(rbd=58).sostenedor.name  # private: no name in the file


def test_warnings_name_row_and_column(sample):
    result = import_directory(path_or_file=sample)
    lines = [str(warning) for warning in result.warnings]
    assert "fila 94, columna NOM_RBD: el nombre es «NULL»; se guarda vacío." in lines
    assert (
        "fila 249, columna DGV_RBD: el dígito 8 del RBD 13208 no es el del módulo 11 (K)." in lines
    )
    assert (
        "fila 396, columna LONGITUD: coordenadas ilegibles («-33,2863756», «-70,8711003,17»); "
        "se dejan en blanco." in lines
    )
    assert (
        "fila 397, columna LATITUD, LONGITUD: latitud y longitud intercambiadas "
        "(«-72,4800746», «-51,728334»); se guardan corregidas." in lines
    )


def test_latin1_copy_of_the_sample_keeps_its_legacy_characters(sample, tmp_path):
    header, rows = sample_rows(sample)
    path = write_directory(tmp_path / "latin1.csv", header, rows, encoding="latin-1", newline="\n")

    result = import_directory(path_or_file=path)

    assert (result.encoding, result.rows, result.created) == ("Latin-1", 400, 400)
    assert School.objects.get(rbd=58).name == "JARDIN INFANTIL PETETE J.M. BORGOÐO"
    assert School.objects.get(rbd=26175).name == "ESCUELA ESPECIAL NUESTRA SE¥ORA DE MONSERRAT"
    # Same content as the UTF-8 original: a re-import of it changes nothing.
    assert import_directory(path_or_file=sample).unchanged == 400


def test_a_corrupted_comuna_code_in_the_sample_writes_nothing(sample, tmp_path):
    header, rows = sample_rows(sample)
    rows[1][header.index("COD_COM_RBD")] = "99999"
    path = write_directory(tmp_path / "corrupto.csv", header, rows)
    from schools.directory import DirectoryImportError

    with pytest.raises(DirectoryImportError) as excinfo:
        import_directory(path_or_file=path)
    assert excinfo.value.messages == [
        "fila 2, columna COD_COM_RBD: la comuna 99999 no pertenece a la provincia 152 de la "
        "región 15 (código CUT = provincia × 100 + n)."
    ]
    assert not School.objects.exists() and not Sostenedor.objects.exists()
