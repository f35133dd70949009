"""A generated school directory for the demo and the tests.

The platform reads MINEDUC's "Directorio Oficial de Establecimientos" and the
Agencia de Calidad's "Categoría de Desempeño" workbook where the user keeps
them (settings.RME_DATA_DIR); it ships no copy of either. Without them, the
demo imports a directory written here in the official 58-column layout, with
the quirks of the real file (UTF-8 with BOM, ';', CRLF, decimal commas, a
blank written as one space, a school named "NULL", rows without coordinates,
a check digit that is not the modulo-11 one), so that it goes through
`import_directory` as a real file would.

Schools and sostenedores are invented; they sit in the real comunas of the
Maule region (public geography: comuna CUT codes, provinces and the four
DEPROV of the region). The same seed gives the same file.
"""

import io
import random
from pathlib import Path

from django.conf import settings
from openpyxl import Workbook

from .validators import modulo11_check_digit

REGION = 7
REGION_ABBREVIATION = "MAULE"
# DEPROV of the Maule region: code -> name, as the directory writes them.
DEPROVS = {71: "CURICÓ", 72: "TALCA", 73: "LINARES", 74: "CAUQUENES"}
# Comunas of the Maule region: CUT code, name as the directory writes it,
# DEPROV code, and whether it is a large comuna (more schools). The province
# is CUT // 100 (71 Talca, 72 Cauquenes, 73 Curicó, 74 Linares).
COMUNAS = [
    (7101, "TALCA", 72, True),
    (7102, "CONSTITUCIÓN", 72, True),
    (7103, "CUREPTO", 72, False),
    (7104, "EMPEDRADO", 72, False),
    (7105, "MAULE", 72, False),
    (7106, "PELARCO", 72, False),
    (7107, "PENCAHUE", 72, False),
    (7108, "RÍO CLARO", 72, False),
    (7109, "SAN CLEMENTE", 72, False),
    (7110, "SAN RAFAEL", 72, False),
    (7201, "CAUQUENES", 74, True),
    (7202, "CHANCO", 74, False),
    (7203, "PELLUHUE", 74, False),
    (7301, "CURICÓ", 71, True),
    (7302, "HUALAÑÉ", 71, False),
    (7303, "LICANTÉN", 71, False),
    (7304, "MOLINA", 71, True),
    (7305, "RAUCO", 71, False),
    (7306, "ROMERAL", 71, False),
    (7307, "SAGRADA FAMILIA", 71, False),
    (7308, "TENO", 71, False),
    (7309, "VICHUQUÉN", 71, False),
    (7401, "LINARES", 73, True),
    (7402, "COLBÚN", 73, False),
    (7403, "LONGAVÍ", 73, False),
    (7404, "PARRAL", 73, True),
    (7405, "RETIRO", 73, False),
    (7406, "SAN JAVIER", 73, True),
    (7407, "VILLA ALEGRE", 73, False),
    (7408, "YERBAS BUENAS", 73, False),
]

# The 58 columns of the 2025 directory, in order.
COLUMNS = [
    "AGNO",
    "RBD",
    "DGV_RBD",
    "NOM_RBD",
    "MRUN",
    "RUT_SOSTENEDOR",
    "P_JURIDICA",
    "COD_REG_RBD",
    "NOM_REG_RBD_A",
    "COD_PRO_RBD",
    "COD_COM_RBD",
    "NOM_COM_RBD",
    "COD_DEPROV_RBD",
    "NOM_DEPROV_RBD",
    "COD_DEPE",
    "COD_DEPE2",
    "RURAL_RBD",
    "LATITUD",
    "LONGITUD",
    "CONVENIO_PIE",
    "PACE",
    *(f"ENS_{n:02d}" for n in range(1, 12)),
    *(f"MAT_ENS_{n}" for n in range(1, 9)),
    "MAT_TOTAL",
    "MATRICULA",
    "ESTADO_ESTAB",
    "ORI_RELIGIOSA",
    "ORI_OTRO_GLOSA",
    "PAGO_MATRICULA",
    "PAGO_MENSUAL",
    *(f"ESPE_{n:02d}" for n in range(1, 12)),
]
BLANK = " "  # how the directory writes an empty field

FIRST_RBD = 80_001  # invented RBDs, far from the real ones of the region
DEPE2 = {1: 1, 2: 1, 3: 2, 4: 3, 5: 4, 6: 5}
KINDS = ["ESCUELA", "ESCUELA BÁSICA", "LICEO", "COLEGIO", "ESCUELA RURAL", "COMPLEJO EDUCACIONAL"]
NAMES = [
    "LOS AROMOS",
    "LAS ARAUCARIAS",
    "VILLA LOS CASTAÑOS",
    "EL BOLDO",
    "LOS QUILLAYES",
    "SANTA TERESITA",
    "LAS CAMELIAS",
    "EL MIRADOR",
    "LOS ALERCES",
    "PUENTE ALTO DEL RÍO",
    "LOS COPIHUES",
    "VALLE HERMOSO",
    "LAS ACACIAS",
    "EL SAUCE",
    "LOS ÁLAMOS",
    "SAN SEBASTIÁN",
    "LA ARBOLEDA",
    "LOS CANELOS",
    "EL PEUMO",
    "LOS MAITENES",
    "CERRO LA VIRGEN",
    "ESTERO LAS GARZAS",
    "LOS NARANJOS",
    "VILLA EL ESFUERZO",
    "PAULA JARAQUEMADA",
    "MANUEL LARRAÍN",
    "LOS PRESIDENTES",
    "NUEVO AMANECER",
    "LAS VIOLETAS",
    "PADRE ALBERTO",
]
FOUNDATION_WORDS = ["Educacional", "Educacional Particular", "Sociedad Educacional"]
# Paying labels of the directory (text, not codes).
FREE = "GRATUITO"
FEES = ["$1.000 A $10.000", "$10.001 A $25.000", "$25.001 A $50.000", "MAS DE $100.000"]
# Maule's bounding box, to place schools (latitude, longitude).
LATITUDES, LONGITUDES = (-34.75, -36.45), (-71.05, -72.55)
BASIC, PRESCHOOL, HIGH_SCHOOL, TECHNICAL = 110, 10, 310, 410


def _coordinate(value):
    return f"{value:.6f}".replace(".", ",")


def _school_name(rng, kind):
    return f"{kind} {rng.choice(NAMES)}"


def directory_rows(*, seed=2025, year=2025):
    """The header and the rows (lists of strings) of the generated directory,
    and the invented names of its private sostenedores ({rut: name})."""
    rng = random.Random(f"rme-demo-directory:{seed}")
    rows, sostenedor_names = [], {}
    rbd = FIRST_RBD
    next_rut = 65_100_000
    private = []  # (rut, person type) of the foundations, shared between comunas
    for n, (cut, comuna_name, deprov, large) in enumerate(COMUNAS):
        municipal_rut = 69_300_000 + n * 10
        count = rng.randint(24, 30) if large else rng.randint(6, 9)
        for _ in range(count):
            roll = rng.random()
            if roll < 0.50:
                dependency, rut, person = 2, municipal_rut, 1  # DAEM
            elif roll < 0.85:
                dependency = 3  # private subsidized
                if private and rng.random() < 0.35:
                    rut, person = rng.choice(private)
                else:
                    rut, person = next_rut, 1
                    next_rut += rng.randint(3, 40)
                    private.append((rut, person))
                    sostenedor_names[rut] = (
                        f"Fundación {rng.choice(FOUNDATION_WORDS)} "
                        f"{rng.choice(NAMES).title().replace(' De ', ' de ')}"
                    )
            elif roll < 0.93:
                dependency, rut, person = 4, next_rut, 1  # private paid
                sostenedor_names[rut] = f"Colegio Particular {rng.choice(NAMES).title()} SpA"
                next_rut += rng.randint(3, 40)
            else:
                dependency, rut, person = 6, 62_000_700 + n // 10, 1  # a SLEP
            rural = rng.random() < (0.15 if large else 0.55)
            status = 1 if rng.random() < 0.92 else rng.choice([2, 3, 4])
            kind = "ESCUELA RURAL" if rural else rng.choice(KINDS[:4] + KINDS[5:])
            name = _school_name(rng, kind)
            levels = [PRESCHOOL, BASIC] if kind.startswith("ESCUELA") else [BASIC, HIGH_SCHOOL]
            if kind == "COMPLEJO EDUCACIONAL":
                levels = [BASIC, HIGH_SCHOOL, TECHNICAL]
            enrollment = 0 if status in (3, 4) else rng.randint(18 if rural else 120, 1200)
            latitude = _coordinate(rng.uniform(*sorted(LATITUDES)))
            longitude = _coordinate(rng.uniform(*sorted(LONGITUDES)))
            check_digit = modulo11_check_digit(rbd)
            fee = FREE if dependency in (1, 2, 5, 6) else rng.choice([FREE, *FEES])
            row = {
                "AGNO": str(year),
                "RBD": str(rbd),
                "DGV_RBD": check_digit,
                "NOM_RBD": name,
                "MRUN": BLANK,
                "RUT_SOSTENEDOR": str(rut),
                "P_JURIDICA": str(person),
                "COD_REG_RBD": str(REGION),
                "NOM_REG_RBD_A": REGION_ABBREVIATION,
                "COD_PRO_RBD": str(cut // 100),
                "COD_COM_RBD": str(cut),
                "NOM_COM_RBD": comuna_name,
                "COD_DEPROV_RBD": str(deprov),
                "NOM_DEPROV_RBD": DEPROVS[deprov],
                "COD_DEPE": str(dependency),
                "COD_DEPE2": str(DEPE2[dependency]),
                "RURAL_RBD": "1" if rural else "0",
                "LATITUD": latitude,
                "LONGITUD": longitude,
                "CONVENIO_PIE": "1" if dependency != 4 and rng.random() < 0.7 else "0",
                "PACE": "1" if HIGH_SCHOOL in levels and rng.random() < 0.3 else "0",
                "MAT_TOTAL": str(enrollment),
                "MATRICULA": "1" if enrollment else "0",
                "ESTADO_ESTAB": str(status),
                "ORI_RELIGIOSA": str(rng.choice([1, 1, 2, 3, 9])),
                "ORI_OTRO_GLOSA": BLANK,
                "PAGO_MATRICULA": FREE,
                "PAGO_MENSUAL": fee,
            }
            for k, level in enumerate(levels, start=1):
                row[f"ENS_{k:02d}"] = str(level)
            rows.append([row.get(column, "0") for column in COLUMNS])
            rbd += rng.randint(1, 3)
    _add_quirks(rows)
    return list(COLUMNS), rows, sostenedor_names


# The rows (counted from the end of the file) that carry the real file's
# quirks: schools of Yerbas Buenas and Villa Alegre, which no demo network
# takes, so that the demo's networks show named, located schools.
QUIRK_ROWS = {
    "null_name": -2,
    "leading_space": -3,
    "check_digit": -4,
    "no_information": -5,
    "no_coordinates": (-6, -7, -8),
}


def _add_quirks(rows):
    """The oddities of the real file, on a few fixed rows."""
    col = COLUMNS.index
    rows[QUIRK_ROWS["null_name"]][col("NOM_RBD")] = "NULL"  # a school without a name
    for i in QUIRK_ROWS["no_coordinates"]:
        rows[i][col("LATITUD")] = rows[i][col("LONGITUD")] = BLANK
    # A check digit that is not the modulo-11 one (real files have 50).
    row = rows[QUIRK_ROWS["check_digit"]]
    row[col("DGV_RBD")] = "0" if row[col("DGV_RBD")] != "0" else "1"
    # A sostenedor without information: no RUT, P_JURIDICA 9.
    row = rows[QUIRK_ROWS["no_information"]]
    row[col("RUT_SOSTENEDOR")], row[col("P_JURIDICA")] = BLANK, "9"
    row[col("COD_DEPE")], row[col("COD_DEPE2")] = "3", "2"
    row = rows[QUIRK_ROWS["leading_space"]]
    row[col("NOM_RBD")] = " " + row[col("NOM_RBD")]


def directory_bytes(*, seed=2025, year=2025):
    """The generated directory as MINEDUC publishes it: UTF-8 with BOM, ';',
    CRLF, no quoting."""
    header, rows, _names = directory_rows(seed=seed, year=year)
    return encode_directory(header, rows)


def encode_directory(header, rows, *, encoding="utf-8-sig", newline="\r\n"):
    text = newline.join(";".join(row) for row in [header, *rows]) + newline
    return text.encode(encoding)


def write_directory(path, *, seed=2025, year=2025):
    path = Path(path)
    path.write_bytes(directory_bytes(seed=seed, year=year))
    return path


# The columns of the Agencia's 2019 workbook.
CATEGORIES_HEADER = (
    "RBD",
    "Matrícula Básica 2018",
    "Comuna",
    "Dependencia",
    "Región",
    "Nombre Establecimiento",
    "Categoría Desempeño 2019",
)


def categories_workbook(header, rows, *, seed=2025):
    """The Agencia de Calidad's "Categoría de Desempeño" workbook for the
    generated schools that teach básica (sheet Hoja1, its seven columns)."""
    rng = random.Random(f"rme-demo-categories:{seed}")
    col = header.index
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Hoja1"
    sheet.append(CATEGORIES_HEADER)
    labels = ["ALTO", "MEDIO", "MEDIO", "MEDIO", "MEDIO-BAJO", "MEDIO-BAJO", "INSUFICIENTE"]
    for row in rows:
        levels = {row[col(f"ENS_{n:02d}")] for n in range(1, 12)}
        if str(BASIC) not in levels or row[col("ESTADO_ESTAB")] != "1":
            continue
        enrollment = int(row[col("MAT_TOTAL")])
        label = (
            "SIN CATEGORIA: BAJA MATRICULA" if enrollment < 60 else rng.choice(labels)
        )  # the Agencia does not rank very small schools
        sheet.append(
            [
                int(row[col("RBD")]),
                enrollment,
                row[col("NOM_COM_RBD")],
                row[col("COD_DEPE")],
                REGION_ABBREVIATION,
                row[col("NOM_RBD")],
                label,
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


# --- The official files, where the user keeps them ------------------------------

DIRECTORY_FILE = "directorio_oficial_ee_2025.csv"
SAMPLE_FILE = "directorio_muestra_2025.csv"
CATEGORIES_FILE = "categoria_desempeno_basica_2019.xlsx"


def official_file(name):
    """The path of an official file in settings.RME_DATA_DIR, or None when
    RME_DATA_DIR is unset or does not hold it."""
    if not settings.RME_DATA_DIR:
        return None
    path = Path(settings.RME_DATA_DIR) / name
    return path if path.is_file() else None
