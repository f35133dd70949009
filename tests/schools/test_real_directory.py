"""The 400-row sample of the real 2025 directory, as published (MINEDUC's
file, kept where RME_DATA_DIR says): every figure and quirk of it the import
must reproduce. Skipped without the file under plain `make test`; CI has it."""

import pytest

from schools.demo import SAMPLE_FILE
from schools.directory import place_name
from schools.models import School, Sostenedor
from schools.services import import_directory
from schools.validators import format_rut, modulo11_check_digit

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


def sample_row(path, rbd):
    """The sample's row of `rbd` as {column: text}, and its data row number."""
    header, rows = sample_rows(path)
    for number, row in enumerate(rows, start=1):
        if row[header.index("RBD")] == str(rbd):
            return dict(zip(header, row, strict=True)), number
    raise AssertionError(f"RBD {rbd} is not in the sample")


def number(text):
    return float(text.strip().replace(",", "."))


# Edge cases of the sample named in shared/data/README.md; every expected
# value is read from the file itself (the project holds no copy of its rows).


def test_sample_values_are_stored_as_a_reader_expects(sample):
    import_directory(path_or_file=sample)
    row, _n = sample_row(sample, 116)
    school = School.objects.select_related("sostenedor", "comuna").get(rbd=116)
    assert school.name == row["NOM_RBD"]
    assert school.check_digit == row["DGV_RBD"]
    assert school.comuna.name == place_name(row["NOM_COM_RBD"])
    assert school.deprov_id == int(row["COD_DEPROV_RBD"])
    assert (school.latitude, school.longitude) == (
        number(row["LATITUD"]),
        number(row["LONGITUD"]),
    )  # decimal commas
    levels = sorted(int(row[f"ENS_{n:02d}"]) for n in range(1, 12) if row[f"ENS_{n:02d}"] != "0")
    assert school.levels == levels
    assert (school.dependency, school.status, school.rural, school.pie, school.pace) == (
        int(row["COD_DEPE"]),
        int(row["ESTADO_ESTAB"]),
        row["RURAL_RBD"] == "1",
        row["CONVENIO_PIE"] == "1",
        row["PACE"] == "1",
    )
    assert school.enrollment == int(row["MAT_TOTAL"])
    # The RUT plus its computed check digit; a SLEP.
    rut = int(row["RUT_SOSTENEDOR"])
    assert school.sostenedor.formatted_rut == format_rut(rut)
    assert school.sostenedor.kind == "slep"

    # Names: mis-encoded legacy characters kept, leading space stripped, NULL blank.
    legacy, _n = sample_row(sample, 58)
    assert "Ð" in legacy["NOM_RBD"] and School.objects.get(rbd=58).name == legacy["NOM_RBD"]
    spaced, _n = sample_row(sample, 16825)
    assert spaced["NOM_RBD"].startswith(" ")
    assert School.objects.get(rbd=16825).name == spaced["NOM_RBD"].strip()
    assert sample_row(sample, 4020)[0]["NOM_RBD"] == "NULL"
    nameless = School.objects.get(rbd=4020)
    assert nameless.name == "" and nameless.display_name == "RBD 4020"

    # Check digits are stored as given even where modulo 11 says K.
    odd, _n = sample_row(sample, 13208)
    assert modulo11_check_digit(13208) == "K" != odd["DGV_RBD"]
    assert School.objects.get(rbd=13208).check_digit == odd["DGV_RBD"]


def test_sample_coordinates_quirks(sample):
    import_directory(path_or_file=sample)
    coords = {
        rbd: (lat, lon)
        for rbd, lat, lon in School.objects.values_list("rbd", "latitude", "longitude")
    }

    def given(rbd):
        row, _n = sample_row(sample, rbd)
        return row["LATITUD"], row["LONGITUD"]

    lat, lon = given(42304)
    assert lat.startswith(" ") or lon.startswith(" ")  # a leading space
    assert coords[42304] == (number(lat), number(lon))
    lat, lon = given(42337)
    assert coords[42337] == (number(lon), number(lat))  # swapped in the file
    assert coords[42334] == (None, None)  # malformed longitude
    assert coords[42354] == (None, None)  # malformed pair
    for rbd in (8486, 2009, 2101):  # Antártica, Juan Fernández, Rapa Nui
        lat, lon = given(rbd)
        assert coords[rbd] == (number(lat), number(lon))
    assert coords[8486][0] < -60 and coords[2101][1] < -100


def test_municipal_sostenedores_are_named_after_their_comuna(sample):
    import_directory(path_or_file=sample)
    row, _n = sample_row(sample, 715)  # a DAEM school
    municipality = School.objects.get(rbd=715).sostenedor
    assert municipality.kind == "municipality"
    assert municipality.name == f"Municipalidad de {place_name(row['NOM_COM_RBD'])}"
    assert not School.objects.get(rbd=58).sostenedor.name  # private: no name in the file


def test_warnings_name_row_and_column(sample):
    result = import_directory(path_or_file=sample)
    lines = [str(warning) for warning in result.warnings]
    _row, n = sample_row(sample, 4020)
    assert f"fila {n}, columna NOM_RBD: el nombre es «NULL»; se guarda vacío." in lines
    odd, n = sample_row(sample, 13208)
    assert (
        f"fila {n}, columna DGV_RBD: el dígito {odd['DGV_RBD']} del RBD 13208 no es el del "
        "módulo 11 (K)." in lines
    )
    bad, n = sample_row(sample, 42334)
    assert (
        f"fila {n}, columna LONGITUD: coordenadas ilegibles («{bad['LATITUD'].strip()}», "
        f"«{bad['LONGITUD'].strip()}»); se dejan en blanco." in lines
    )
    swapped, n = sample_row(sample, 42337)
    assert (
        f"fila {n}, columna LATITUD, LONGITUD: latitud y longitud intercambiadas "
        f"(«{swapped['LATITUD']}», «{swapped['LONGITUD']}»); se guardan corregidas." in lines
    )


def test_latin1_copy_of_the_sample_keeps_its_legacy_characters(sample, tmp_path):
    header, rows = sample_rows(sample)
    path = write_directory(tmp_path / "latin1.csv", header, rows, encoding="latin-1", newline="\n")

    result = import_directory(path_or_file=path)

    assert (result.encoding, result.rows, result.created) == ("Latin-1", 400, 400)
    for rbd in (58, 26175):  # legacy characters (Ð, ¥) that Latin-1 can hold
        assert School.objects.get(rbd=rbd).name == sample_row(sample, rbd)[0]["NOM_RBD"]
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
