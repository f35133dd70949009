"""The MINEDUC directory import: the 400-row sample as published, and small
files crafted for each quirk, warning and error."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from schools.directory import DirectoryImportError
from schools.models import School, Sostenedor
from schools.services import import_directory

from .conftest import SAMPLE, set_value

pytestmark = pytest.mark.django_db


def rows_with_rbd(header, rows, *rbds):
    wanted = {str(rbd) for rbd in rbds}
    return [row for row in rows if row[header.index("RBD")] in wanted]


def error_messages(excinfo):
    return excinfo.value.messages


# --- The sample, as published -------------------------------------------------


def test_sample_imports_whole_with_its_figures():
    result = import_directory(path_or_file=SAMPLE)

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


def test_sample_values_are_stored_as_a_reader_expects():
    import_directory(path_or_file=SAMPLE)
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


def test_sample_coordinates_quirks():
    import_directory(path_or_file=SAMPLE)
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


def test_municipal_sostenedores_are_named_after_their_comuna():
    import_directory(path_or_file=SAMPLE)
    municipality = School.objects.get(rbd=715).sostenedor  # a DAEM school of Ovalle
    assert municipality.kind == "municipality"
    assert municipality.name == "Municipalidad de Ovalle"
    assert not School.objects.get(rbd=58).sostenedor.name  # private: no name in the file


def test_warnings_name_row_and_column():
    result = import_directory(path_or_file=SAMPLE)
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


def test_reimport_changes_nothing(django_assert_num_queries):
    import_directory(path_or_file=SAMPLE)
    before = list(School.objects.order_by("rbd").values())

    # Comunas, regions, DEPROV; then in a savepoint (2 queries): the latest
    # year, sostenedores, schools. Nothing is written.
    with django_assert_num_queries(8):
        result = import_directory(path_or_file=SAMPLE)

    assert (result.created, result.updated, result.unchanged, result.marked_absent) == (
        0,
        0,
        400,
        0,
    )
    assert (result.sostenedores_created, result.sostenedores_updated) == (0, 0)
    assert list(School.objects.order_by("rbd").values()) == before


def test_a_name_set_by_hand_survives_reimport():
    import_directory(path_or_file=SAMPLE)
    Sostenedor.objects.filter(rut=76207192).update(name="Sociedad Educacional Petete")
    result = import_directory(path_or_file=SAMPLE)
    assert result.sostenedores_updated == 0
    assert Sostenedor.objects.get(rut=76207192).name == "Sociedad Educacional Petete"


def test_dry_run_writes_nothing():
    result = import_directory(path_or_file=SAMPLE, dry_run=True)
    assert (result.created, result.rows, result.dry_run) == (400, 400, True)
    assert School.objects.count() == 0
    assert Sostenedor.objects.count() == 0
    assert "Simulación: no se escribió nada." in result.summary_lines()


# --- Years: updates and absences --------------------------------------------------


def test_newer_year_updates_changes_and_marks_absent_schools(sample_rows, directory_file):
    header, rows = sample_rows
    import_directory(path_or_file=SAMPLE)

    newer = [set_value(header, row, "AGNO", "2026") for row in rows[10:]]  # first 10 gone
    newer[0] = set_value(header, newer[0], "MAT_TOTAL", "999")
    gone = [int(row[header.index("RBD")]) for row in rows[:10]]
    changed = int(newer[0][header.index("RBD")])

    result = import_directory(path_or_file=directory_file(header, newer))
    assert result.year == 2026
    assert (result.created, result.updated, result.unchanged, result.marked_absent) == (
        0,
        1,
        389,
        10,
    )
    assert School.objects.get(rbd=changed).enrollment == 999
    assert set(School.objects.filter(absent=True).values_list("rbd", flat=True)) == set(gone)
    assert set(School.objects.filter(absent=True).values_list("last_seen_year", flat=True)) == {
        2025
    }
    assert School.objects.filter(last_seen_year=2026, absent=False).count() == 390

    again = import_directory(path_or_file=directory_file(header, newer))
    assert (again.updated, again.unchanged, again.marked_absent) == (0, 390, 0)

    # A school that comes back is no longer absent.
    back = [set_value(header, row, "AGNO", "2026") for row in rows]
    back[0] = set_value(header, back[0], "MAT_TOTAL", rows[0][header.index("MAT_TOTAL")])
    result = import_directory(path_or_file=directory_file(header, back))
    assert result.marked_absent == 0
    assert not School.objects.filter(absent=True).exists()


def test_an_older_year_than_the_last_import_is_refused(sample_rows, directory_file):
    header, rows = sample_rows
    import_directory(path_or_file=SAMPLE)
    with pytest.raises(DirectoryImportError) as excinfo:
        import_directory(path_or_file=SAMPLE, year=2024)
    assert error_messages(excinfo) == ["El directorio 2024 es anterior al último importado (2025)."]
    assert School.objects.filter(last_seen_year=2025).count() == 400


def test_year_option_overrides_agno(sample_rows, directory_file):
    result = import_directory(path_or_file=SAMPLE, year=2026)
    assert result.year == 2026
    assert School.objects.filter(last_seen_year=2026).count() == 400


# --- Other encodings and layouts --------------------------------------------------


def test_latin1_file_with_lf_endings(sample_rows, directory_file):
    header, rows = sample_rows
    path = directory_file(header, rows, encoding="latin-1", newline="\n")
    assert b"\r\n" not in path.read_bytes()

    result = import_directory(path_or_file=path)

    assert (result.encoding, result.rows, result.created) == ("Latin-1", 400, 400)
    assert School.objects.get(rbd=58).name == "JARDIN INFANTIL PETETE J.M. BORGOÐO"
    assert School.objects.get(rbd=26175).name == "ESCUELA ESPECIAL NUESTRA SE¥ORA DE MONSERRAT"
    # Same content as the UTF-8 original: a re-import of it changes nothing.
    assert import_directory(path_or_file=SAMPLE).unchanged == 400


def test_older_37_column_layout(sample_rows, directory_file):
    header, rows = sample_rows
    dropped = {
        "MRUN",
        "NOM_REG_RBD_A",
        "COD_DEPE2",
        "COD_DEPROV_RBD",
        "CONVENIO_PIE",
        "PACE",
        *(f"ENS_{n:02d}" for n in range(1, 12)),
        *(f"ESPE_{n:02d}" for n in range(1, 5)),
    }
    keep = [i for i, name in enumerate(header) if name not in dropped]
    assert len(keep) == 37
    path = directory_file([header[i] for i in keep], [[row[i] for i in keep] for row in rows])

    result = import_directory(path_or_file=path)

    assert (result.rows, result.created) == (400, 400)
    assert result.defaulted_columns == [
        "COD_DEPROV_RBD",
        "CONVENIO_PIE",
        "PACE",
        *(f"ENS_{n:02d}" for n in range(1, 12)),
    ]
    school = School.objects.get(rbd=116)
    assert (school.pie, school.pace, school.levels) == (False, False, [])
    assert school.deprov_id == 11  # the comuna's DEPROV
    assert any("Columnas opcionales ausentes" in line for line in result.summary_lines())


def test_a_file_object_is_accepted():
    result = import_directory(path_or_file=io.BytesIO(SAMPLE.read_bytes()))
    assert result.created == 400


# --- Warnings on crafted rows -------------------------------------------------------


@pytest.mark.parametrize(
    ("lat", "lon", "kind", "stored"),
    [
        ("40,4168", "-3,7038", "coordinates_out_of_territory", (None, None)),  # Madrid
        ("-33,45", "-50,0", "coordinates_out_of_territory", (None, None)),  # Atlantic, both ways
        ("-70,302956", "-18,486109", "coordinates_swapped", (-18.486109, -70.302956)),
        ("-18,48", "abc", "coordinates_malformed", (None, None)),
        ("-18,48", " ", "coordinates_malformed", (None, None)),  # half missing
        ("nan", "-70,3", "coordinates_malformed", (None, None)),
        ("-62,2", "-58,96", None, (-62.2, -58.96)),  # Antarctic base
    ],
)
def test_coordinate_warnings(sample_rows, directory_file, lat, lon, kind, stored):
    header, rows = sample_rows
    row = set_value(header, set_value(header, rows[0], "LATITUD", lat), "LONGITUD", lon)
    result = import_directory(path_or_file=directory_file(header, [row]))
    kinds = [w.kind for w in result.warnings]
    assert kinds == ([kind] if kind else [])
    school = School.objects.get()
    assert (school.latitude, school.longitude) == stored


def test_rut_warnings(sample_rows, directory_file):
    header, rows = sample_rows
    no_rut = set_value(header, rows[0], "RUT_SOSTENEDOR", " ")
    natural_with_rut = set_value(header, rows[1], "P_JURIDICA", "0")
    result = import_directory(path_or_file=directory_file(header, [no_rut, natural_with_rut]))
    assert result.warning_counts == {"rut_inconsistent": 2}
    assert not School.objects.exclude(sostenedor=None).exists()
    assert result.without_sostenedor == {0: 1, 1: 1}
    assert School.objects.get(rbd=91).sostenedor_person_type == 0


# --- Errors: all or nothing -----------------------------------------------------------


def import_errors(path, **kwargs):
    with pytest.raises(DirectoryImportError) as excinfo:
        import_directory(path_or_file=path, **kwargs)
    assert School.objects.count() == 0
    assert Sostenedor.objects.count() == 0
    return error_messages(excinfo)


def test_missing_required_column(sample_rows, directory_file):
    header, rows = sample_rows
    i = header.index("COD_COM_RBD")
    path = directory_file(header[:i] + header[i + 1 :], [row[:i] + row[i + 1 :] for row in rows])
    assert import_errors(path) == ["cabecera, columna COD_COM_RBD: falta esta columna obligatoria."]


def test_missing_agno_needs_the_year(sample_rows, directory_file):
    header, rows = sample_rows
    path = directory_file(header[1:], [row[1:] for row in rows])
    assert import_errors(path) == [
        "cabecera, columna AGNO: falta esta columna obligatoria.",
        "Sin la columna AGNO, indique el año del directorio.",
    ]
    assert import_directory(path_or_file=path, year=2025).created == 400


def test_wrong_number_of_fields(sample_rows, directory_file):
    header, rows = sample_rows
    bad = [rows[0], rows[1][:-1], rows[2] + ["0"]]
    assert import_errors(directory_file(header, bad)) == [
        "fila 2, columna ESPE_11: la fila tiene 57 campos y la cabecera 58.",
        "fila 3, columna 59: la fila tiene 59 campos y la cabecera 58.",
    ]


@pytest.mark.parametrize("value", ["abc", "0", "-5", "12.5", " "])
def test_rbd_must_be_a_positive_integer(sample_rows, directory_file, value):
    header, rows = sample_rows
    bad = [rows[0], set_value(header, rows[1], "RBD", value)]
    assert import_errors(directory_file(header, bad)) == [
        f"fila 2, columna RBD: «{value.strip()}» no es un número entero positivo."
    ]


def test_rbd_must_not_repeat(sample_rows, directory_file):
    header, rows = sample_rows
    bad = [rows[0], rows[1], set_value(header, rows[2], "RBD", rows[0][header.index("RBD")])]
    assert import_errors(directory_file(header, bad)) == [
        "fila 3, columna RBD: el RBD 58 ya aparece en la fila 1."
    ]


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("COD_REG_RBD", "17", "no hay ninguna región con el código «17»."),
        ("COD_COM_RBD", "99999", "no hay ninguna comuna con el código «99999»."),
        ("COD_DEPROV_RBD", "999", "no hay ningún DEPROV con el código «999»."),
        ("MAT_TOTAL", "12a", "«12a» no es una cantidad (un entero desde 0)."),
        ("MAT_TOTAL", " ", "«» no es una cantidad (un entero desde 0)."),
        ("COD_DEPE", "7", "«7» no es un código de dependencia (1 a 6)."),
        ("ESTADO_ESTAB", "5", "«5» no es un código de estado (1 a 4)."),
        ("P_JURIDICA", "2", "«2» no es un tipo de persona (0, 1 o 9)."),
        ("RURAL_RBD", "2", "«2» no es 0 ni 1."),
        ("PACE", "si", "«si» no es 0 ni 1."),
        ("ENS_01", "x10", "«x10» no es un código de enseñanza."),
        ("DGV_RBD", "12", "«12» no es un dígito verificador (0 a 9 o K)."),
        ("AGNO", "2024", "el año 2024 no es el de la primera fila (2025)."),
        (
            "RUT_SOSTENEDOR",
            "76207192-4",
            "«76207192-4» no es un RUT (hasta 8 dígitos, sin dígito verificador).",
        ),
    ],
)
def test_bad_values_stop_the_import(sample_rows, directory_file, column, value, message):
    header, rows = sample_rows
    bad = [rows[0], rows[1], set_value(header, rows[2], column, value)]
    assert import_errors(directory_file(header, bad)) == [f"fila 3, columna {column}: {message}"]


def test_errors_stop_an_import_over_existing_data(sample_rows, directory_file):
    header, rows = sample_rows
    import_directory(path_or_file=SAMPLE)
    before = list(School.objects.order_by("rbd").values())
    bad = [set_value(header, row, "MAT_TOTAL", "0") for row in rows]
    bad[-1] = set_value(header, bad[-1], "COD_COM_RBD", "1")
    with pytest.raises(DirectoryImportError):
        import_directory(path_or_file=directory_file(header, bad))
    assert list(School.objects.order_by("rbd").values()) == before


def test_at_most_fifty_errors_are_listed(sample_rows, directory_file):
    header, rows = sample_rows
    bad = [set_value(header, row, "COD_DEPE", "0") for row in rows[:60]]
    messages = import_errors(directory_file(header, bad))
    assert len(messages) == 51
    assert messages[0] == "fila 1, columna COD_DEPE: «0» no es un código de dependencia (1 a 6)."
    assert messages[-1] == "… y 10 errores más."


def test_an_empty_file_is_an_error(sample_rows, directory_file, tmp_path):
    header, _rows = sample_rows
    assert import_errors(directory_file(header, [])) == ["El archivo no tiene filas de datos."]
    empty = tmp_path / "vacio.csv"
    empty.write_bytes(b"")
    assert import_errors(empty) == ["El archivo está vacío."]


# --- The command ------------------------------------------------------------------------


def test_command_prints_the_summary():
    out, err = io.StringIO(), io.StringIO()
    call_command("import_directory", str(SAMPLE), stdout=out, stderr=err)
    text = out.getvalue()
    assert "Establecimientos: 400 creados, 0 actualizados, 0 sin cambios" in text
    assert "3 Particular subvencionado: 171" in text
    assert "dígito verificador del RBD distinto del módulo 11 (se conserva): 3" in text
    assert School.objects.count() == 400


def test_command_dry_run():
    out = io.StringIO()
    call_command("import_directory", str(SAMPLE), "--dry-run", stdout=out)
    assert "400 creados" in out.getvalue()
    assert School.objects.count() == 0


def test_command_fails_with_row_and_column(sample_rows, directory_file):
    header, rows = sample_rows
    path = directory_file(header, [rows[0], set_value(header, rows[1], "RBD", "x")])
    err = io.StringIO()
    with pytest.raises(CommandError, match="No se importó nada"):
        call_command("import_directory", str(path), stderr=err)
    assert "fila 2, columna RBD: «x» no es un número entero positivo." in err.getvalue()
    assert School.objects.count() == 0


def test_command_reports_a_missing_file(tmp_path):
    with pytest.raises(CommandError):
        call_command("import_directory", str(tmp_path / "no-existe.csv"))
