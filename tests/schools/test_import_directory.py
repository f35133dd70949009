"""The MINEDUC directory import: the generated directory in the official
layout (schools.demo; the real files are in test_real_directory.py), and small
files crafted for each quirk, warning and error."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from schools.demo import QUIRK_ROWS
from schools.directory import DirectoryImportError
from schools.models import Comuna, Deprov, School, Sostenedor
from schools.services import import_directory

from .conftest import HEADER, ROWS, N, set_value, value

pytestmark = pytest.mark.django_db


def rows_with_rbd(header, rows, *rbds):
    wanted = {str(rbd) for rbd in rbds}
    return [row for row in rows if row[header.index("RBD")] in wanted]


def error_messages(excinfo):
    return excinfo.value.messages


# --- The generated directory, in the official layout ---------------------------------


def test_generated_directory_imports_whole_with_its_figures(generated):
    result = import_directory(path_or_file=generated)

    assert (result.year, result.encoding, result.rows) == (2025, "UTF-8", N)
    assert (result.created, result.updated, result.unchanged) == (N, 0, 0)
    assert School.objects.count() == N
    assert result.sostenedores == Sostenedor.objects.count()
    assert result.without_sostenedor == {9: 1}
    assert result.without_coordinates == 3
    assert result.warning_counts == {"check_digit": 1, "name_missing": 1}
    # The territory comes from the file: 30 comunas of Maule and its 4 DEPROV.
    assert (result.comunas, result.comunas_created, result.deprovs) == (30, 0, 4)
    assert School.objects.values("comuna").distinct().count() == 30
    assert School.objects.filter(latitude=None).count() == 3


def test_generated_values_are_stored_as_a_reader_expects(generated):
    import_directory(path_or_file=generated)
    row = ROWS[0]
    school = School.objects.select_related("sostenedor", "comuna", "deprov").get(
        rbd=int(value(HEADER, row, "RBD"))
    )
    assert school.name == value(HEADER, row, "NOM_RBD")
    assert school.comuna.name == "Talca" and school.deprov.name == "TALCA"
    assert school.latitude == float(value(HEADER, row, "LATITUD").replace(",", "."))
    assert school.enrollment == int(value(HEADER, row, "MAT_TOTAL"))
    nameless = School.objects.get(rbd=int(value(HEADER, ROWS[QUIRK_ROWS["null_name"]], "RBD")))
    assert nameless.name == "" and nameless.display_name == f"RBD {nameless.rbd}"
    spaced_row = ROWS[QUIRK_ROWS["leading_space"]]
    spaced = School.objects.get(rbd=int(value(HEADER, spaced_row, "RBD")))
    assert spaced.name == value(HEADER, spaced_row, "NOM_RBD").strip()
    # Stored as given even where modulo 11 says otherwise.
    odd_row = ROWS[QUIRK_ROWS["check_digit"]]
    odd = School.objects.get(rbd=int(value(HEADER, odd_row, "RBD")))
    assert odd.check_digit == value(HEADER, odd_row, "DGV_RBD")


def test_generated_municipal_sostenedores_are_named_after_their_comuna(generated):
    import_directory(path_or_file=generated)
    daem = next(row for row in ROWS if value(HEADER, row, "COD_DEPE") == "2")
    school = School.objects.get(rbd=int(value(HEADER, daem, "RBD")))
    assert school.sostenedor.kind == "municipality"
    assert school.sostenedor.name == f"Municipalidad de {school.comuna.name}"


def test_generated_warnings_name_row_and_column(generated):
    result = import_directory(path_or_file=generated)
    lines = [str(warning) for warning in result.warnings]
    null_row, odd_row = N + QUIRK_ROWS["null_name"] + 1, N + QUIRK_ROWS["check_digit"] + 1
    assert f"fila {null_row}, columna NOM_RBD: el nombre es «NULL»; se guarda vacío." in lines
    assert any(line.startswith(f"fila {odd_row}, columna DGV_RBD: el dígito") for line in lines)


def test_reimport_changes_nothing(django_assert_num_queries, generated):
    import_directory(path_or_file=generated)
    before = list(School.objects.order_by("rbd").values())

    # Comunas, DEPROV, regions; then in a savepoint (2 queries): the latest
    # year, DEPROV, comunas, sostenedores, schools. Nothing is written.
    with django_assert_num_queries(10):
        result = import_directory(path_or_file=generated)

    assert (result.created, result.updated, result.unchanged, result.marked_absent) == (
        0,
        0,
        N,
        0,
    )
    assert (result.sostenedores_created, result.sostenedores_updated) == (0, 0)
    assert (result.comunas_created, result.comunas_updated, result.deprovs_created) == (0, 0, 0)
    assert list(School.objects.order_by("rbd").values()) == before


def test_a_name_set_by_hand_survives_reimport(generated):
    import_directory(path_or_file=generated)
    private = next(row for row in ROWS if value(HEADER, row, "COD_DEPE") == "3")
    rut = int(value(HEADER, private, "RUT_SOSTENEDOR"))
    Sostenedor.objects.filter(rut=rut).update(name="Sociedad Educacional Petete")
    result = import_directory(path_or_file=generated)
    assert result.sostenedores_updated == 0
    assert Sostenedor.objects.get(rut=rut).name == "Sociedad Educacional Petete"


def test_dry_run_writes_nothing(generated):
    result = import_directory(path_or_file=generated, dry_run=True)
    assert (result.created, result.rows, result.dry_run) == (N, N, True)
    assert School.objects.count() == 0
    assert Sostenedor.objects.count() == 0
    assert "Simulación: no se escribió nada." in result.summary_lines()


# --- Years: updates and absences --------------------------------------------------


def test_newer_year_updates_changes_and_marks_absent_schools(
    sample_rows, directory_file, generated
):
    header, rows = sample_rows
    import_directory(path_or_file=generated)

    newer = [set_value(header, row, "AGNO", "2026") for row in rows[10:]]  # first 10 gone
    newer[0] = set_value(header, newer[0], "MAT_TOTAL", "999")
    gone = [int(row[header.index("RBD")]) for row in rows[:10]]
    changed = int(newer[0][header.index("RBD")])

    result = import_directory(path_or_file=directory_file(header, newer))
    assert result.year == 2026
    assert (result.created, result.updated, result.unchanged, result.marked_absent) == (
        0,
        1,
        N - 11,
        10,
    )
    assert School.objects.get(rbd=changed).enrollment == 999
    assert set(School.objects.filter(absent=True).values_list("rbd", flat=True)) == set(gone)
    assert set(School.objects.filter(absent=True).values_list("last_seen_year", flat=True)) == {
        2025
    }
    assert School.objects.filter(last_seen_year=2026, absent=False).count() == N - 10

    again = import_directory(path_or_file=directory_file(header, newer))
    assert (again.updated, again.unchanged, again.marked_absent) == (0, N - 10, 0)

    # A school that comes back is no longer absent.
    back = [set_value(header, row, "AGNO", "2026") for row in rows]
    back[0] = set_value(header, back[0], "MAT_TOTAL", rows[0][header.index("MAT_TOTAL")])
    result = import_directory(path_or_file=directory_file(header, back))
    assert result.marked_absent == 0
    assert not School.objects.filter(absent=True).exists()


def test_an_older_year_than_the_last_import_is_refused(sample_rows, directory_file, generated):
    header, rows = sample_rows
    import_directory(path_or_file=generated)
    with pytest.raises(DirectoryImportError) as excinfo:
        import_directory(path_or_file=generated, year=2024)
    assert error_messages(excinfo) == ["El directorio 2024 es anterior al último importado (2025)."]
    assert School.objects.filter(last_seen_year=2025).count() == N


def test_year_option_overrides_agno(sample_rows, directory_file, generated):
    result = import_directory(path_or_file=generated, year=2026)
    assert result.year == 2026
    assert School.objects.filter(last_seen_year=2026).count() == N


# --- Other encodings and layouts --------------------------------------------------


def test_latin1_file_with_lf_endings(sample_rows, directory_file, generated):
    header, rows = sample_rows
    path = directory_file(header, rows, encoding="latin-1", newline="\n")
    assert b"\r\n" not in path.read_bytes()

    result = import_directory(path_or_file=path)

    assert (result.encoding, result.rows, result.created) == ("Latin-1", N, N)
    accented = [row for row in ROWS if not value(HEADER, row, "NOM_RBD").isascii()]
    assert accented
    for row in accented:
        school = School.objects.get(rbd=int(value(HEADER, row, "RBD")))
        assert school.name == value(HEADER, row, "NOM_RBD").strip()
    assert School.objects.filter(comuna__name="Constitución").exists()
    # Same content as the UTF-8 original: a re-import of it changes nothing.
    assert import_directory(path_or_file=generated).unchanged == N


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

    assert (result.rows, result.created) == (N, N)
    assert result.defaulted_columns == [
        "COD_DEPROV_RBD",
        "CONVENIO_PIE",
        "PACE",
        *(f"ENS_{n:02d}" for n in range(1, 12)),
    ]
    school = School.objects.get(rbd=int(value(HEADER, rows[0], "RBD")))
    assert (school.pie, school.pace, school.levels) == (False, False, [])
    assert school.deprov_id == 72  # the stored comuna's DEPROV
    assert any("Columnas opcionales ausentes" in line for line in result.summary_lines())


def test_a_file_object_is_accepted(generated):
    result = import_directory(path_or_file=io.BytesIO(generated.read_bytes()))
    assert result.created == N


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
    assert School.objects.get(rbd=int(value(header, rows[1], "RBD"))).sostenedor_person_type == 0


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
    assert import_directory(path_or_file=path, year=2025).created == N


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
        f"fila 3, columna RBD: el RBD {rows[0][1]} ya aparece en la fila 1."
    ]


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("COD_REG_RBD", "17", "no hay ninguna región con el código «17»."),
        (
            "COD_COM_RBD",
            "99999",
            "la comuna 99999 no pertenece a la provincia 71 de la región 7 "
            "(código CUT = provincia × 100 + n).",
        ),
        ("COD_COM_RBD", "x", "«x» no es un código de comuna (CUT)."),
        ("COD_PRO_RBD", "x", "«x» no es un código de provincia."),
        ("COD_DEPROV_RBD", "9x9", "«9x9» no es un código de DEPROV."),
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
            "76543215-4",
            "«76543215-4» no es un RUT (hasta 8 dígitos, sin dígito verificador).",
        ),
    ],
)
def test_bad_values_stop_the_import(sample_rows, directory_file, column, value, message):
    header, rows = sample_rows
    bad = [rows[0], rows[1], set_value(header, rows[2], column, value)]
    assert import_errors(directory_file(header, bad)) == [f"fila 3, columna {column}: {message}"]


# --- The territory comes from the file ---------------------------------------------------


def test_an_empty_registry_gets_its_comunas_and_deprov_from_the_file(generated):
    School.objects.all().delete()
    Comuna.objects.all().delete()
    Deprov.objects.all().delete()

    result = import_directory(path_or_file=generated)

    assert (result.comunas_created, result.deprovs_created) == (30, 4)
    assert Comuna.objects.count() == 30 and Deprov.objects.count() == 4
    rio_claro = Comuna.objects.get(cut=7108)
    assert (rio_claro.name, rio_claro.province_code, rio_claro.region_id) == ("Río Claro", 71, 7)
    assert rio_claro.deprov.name == "TALCA" and rio_claro.deprov.region_id == 7
    assert Comuna.objects.get(cut=7309).name == "Vichuquén"
    assert Comuna.objects.get(cut=7301).deprov_id == 71


def test_a_renamed_comuna_is_updated_by_the_next_import(sample_rows, directory_file):
    header, rows = sample_rows
    renamed = [
        set_value(header, row, "NOM_COM_RBD", "TALCA CENTRO")
        if value(header, row, "COD_COM_RBD") == "7101"
        else row
        for row in rows
    ]
    result = import_directory(path_or_file=directory_file(header, renamed))
    assert (result.comunas_created, result.comunas_updated) == (0, 1)
    assert Comuna.objects.get(cut=7101).name == "Talca Centro"


def territory_errors(header, rows, directory_file, changes):
    """Import the first rows with `changes` ({column: value}) on the third."""
    bad = list(rows[:2]) + [rows[2]]
    for column, new in changes.items():
        bad[2] = set_value(header, bad[2], column, new)
    return import_errors(directory_file(header, bad))


def test_a_comuna_outside_its_province_is_an_error(sample_rows, directory_file):
    header, rows = sample_rows
    assert territory_errors(header, rows, directory_file, {"COD_COM_RBD": "7301"}) == [
        "fila 3, columna COD_COM_RBD: la comuna 7301 no pertenece a la provincia 71 de la "
        "región 7 (código CUT = provincia × 100 + n)."
    ]


def test_a_province_outside_its_region_is_an_error(sample_rows, directory_file):
    header, rows = sample_rows
    assert territory_errors(header, rows, directory_file, {"COD_PRO_RBD": "81"}) == [
        "fila 3, columna COD_PRO_RBD: la provincia 81 no pertenece a la región 7 "
        "(código de provincia = región × 10 + n)."
    ]


def test_a_comuna_named_two_ways_is_an_error(sample_rows, directory_file):
    header, rows = sample_rows
    assert territory_errors(header, rows, directory_file, {"NOM_COM_RBD": "TALCAHUANO"}) == [
        "fila 3, columna NOM_COM_RBD: la comuna 7101 se llama «Talca» en la fila 1 y aquí "
        "«Talcahuano»."
    ]


def test_a_comuna_in_two_deprov_is_an_error(sample_rows, directory_file):
    header, rows = sample_rows
    changes = {"COD_DEPROV_RBD": "71", "NOM_DEPROV_RBD": "CURICÓ"}
    assert territory_errors(header, rows, directory_file, changes) == [
        "fila 3, columna COD_DEPROV_RBD: la comuna 7101 pertenece al DEPROV 72 en la fila 1 y "
        "aquí al 71."
    ]


def test_a_deprov_named_two_ways_is_an_error(sample_rows, directory_file):
    header, rows = sample_rows
    assert territory_errors(header, rows, directory_file, {"NOM_DEPROV_RBD": "TALKA"}) == [
        "fila 3, columna NOM_DEPROV_RBD: el DEPROV 72 se llama «TALCA» en la fila 1 y aquí «TALKA»."
    ]


def test_a_deprov_in_two_regions_is_an_error(sample_rows, directory_file):
    header, rows = sample_rows
    changes = {"COD_REG_RBD": "8", "COD_PRO_RBD": "81", "COD_COM_RBD": "8101"}
    changes["NOM_COM_RBD"] = "CONCEPCIÓN"
    assert territory_errors(header, rows, directory_file, changes) == [
        "fila 3, columna COD_DEPROV_RBD: el DEPROV 72 está en la región 7 en la fila 1 y aquí "
        "en la 8."
    ]


def test_an_unknown_comuna_needs_its_name_and_deprov(sample_rows, directory_file):
    header, rows = sample_rows
    keep = [i for i, name in enumerate(header) if name not in {"NOM_COM_RBD", "COD_DEPROV_RBD"}]
    row = set_value(header, rows[0], "COD_COM_RBD", "7199")
    path = directory_file([header[i] for i in keep], [[row[i] for i in keep]])
    assert import_errors(path) == [
        "fila 1, columna COD_COM_RBD: la comuna 7199 no está en el registro y el archivo no trae "
        "su nombre (NOM_COM_RBD) y su DEPROV (COD_DEPROV_RBD): importe primero un directorio "
        "con esas columnas."
    ]
    assert not Comuna.objects.filter(cut=7199).exists()


def test_errors_stop_an_import_over_existing_data(sample_rows, directory_file, generated):
    header, rows = sample_rows
    import_directory(path_or_file=generated)
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


def test_command_prints_the_summary(generated):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_directory", str(generated), stdout=out, stderr=err)
    text = out.getvalue()
    assert f"Establecimientos creados: {N}; actualizados: 0; sin cambios: 0" in text
    private = sum(1 for row in ROWS if value(HEADER, row, "COD_DEPE") == "3")
    assert f"3 Particular subvencionado: {private}" in text
    assert "dígito verificador del RBD distinto del módulo 11 (se conserva): 1" in text
    assert "Territorio. Comunas: 30" in text
    assert School.objects.count() == N


def test_command_dry_run(generated):
    out = io.StringIO()
    call_command("import_directory", str(generated), "--dry-run", stdout=out)
    assert f"Establecimientos creados: {N};" in out.getvalue()
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


# --- Hostile or odd files: clear errors, nothing written ------------------------------------


def test_a_field_over_128_kb_is_an_error_with_row_and_column(sample_rows, directory_file):
    header, rows = sample_rows
    bad = [rows[0], set_value(header, rows[1], "NOM_RBD", "A" * 140_000), rows[2]]
    assert import_errors(directory_file(header, bad)) == [
        "fila 2, columna NOM_RBD: el campo supera el máximo de 128 KB (¿comillas sin cerrar?)"
    ]


def test_a_field_over_128_kb_fails_the_command_cleanly(sample_rows, directory_file):
    header, rows = sample_rows
    path = directory_file(header, [rows[0], set_value(header, rows[1], "MRUN", "9" * 200_000)])
    err = io.StringIO()
    with pytest.raises(CommandError, match="No se importó nada"):
        call_command("import_directory", str(path), stderr=err)
    assert "fila 2, columna MRUN: el campo supera el máximo de 128 KB" in err.getvalue()
    assert not School.objects.exists()


def test_a_utf16_file_is_read(sample_rows, directory_file):
    header, rows = sample_rows
    path = directory_file(header, rows, encoding="utf-16")
    assert path.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")

    result = import_directory(path_or_file=path)

    assert (result.encoding, result.created) == ("UTF-16", N)
    assert School.objects.filter(comuna__name="Constitución").exists()


def test_a_file_with_nul_bytes_is_not_text(sample_rows, directory_file):
    header, rows = sample_rows
    path = directory_file(header, rows[:3], encoding="utf-16-le")  # no BOM
    assert import_errors(path) == [
        "El archivo tiene bytes nulos: no es un CSV de texto. Guárdelo como CSV (UTF-8 o "
        "Latin-1) separado por «;»."
    ]
