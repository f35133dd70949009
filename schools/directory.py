"""Reading MINEDUC's "Directorio Oficial de Establecimientos" CSV.

The file as published: ';' separator, UTF-8 with BOM (older years Latin-1),
CRLF (or LF), decimal commas, blank fields written as one space, no quoting.
This module only reads and validates; schools.services.import_directory
writes. Every problem names its data row (1 = the first row after the header)
and column."""

import io
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from rme_platform.spreadsheets import UTF16_BOMS, decode_upload, read_csv_rows

from .models import (
    Comuna,
    Dependency,
    Deprov,
    Region,
    SchoolStatus,
    SostenedorKind,
    SostenedorPersonType,
)
from .validators import modulo11_check_digit

MAX_ERRORS = 50

# The columns the import reads; nothing else is read. In particular MRUN (a
# natural person's masked RUN: personal data) is never read nor stored.
YEAR_COLUMN = "AGNO"  # required unless the year is given
REQUIRED_COLUMNS = (
    "RBD",
    "DGV_RBD",
    "NOM_RBD",
    "RUT_SOSTENEDOR",
    "P_JURIDICA",
    "COD_COM_RBD",
    "COD_DEPE",
    "ESTADO_ESTAB",
    "RURAL_RBD",
    "LATITUD",
    "LONGITUD",
    "MAT_TOTAL",
)
LEVEL_COLUMNS = tuple(f"ENS_{n:02d}" for n in range(1, 12))
# Older layouts may lack these. Without them: the region and province are
# read from the comuna's CUT code, the comuna's name and DEPROV are those
# stored by an earlier import, PIE and PACE are off, and no levels are known.
TERRITORY_COLUMNS = (
    "COD_REG_RBD",
    "COD_PRO_RBD",
    "NOM_COM_RBD",
    "COD_DEPROV_RBD",
    "NOM_DEPROV_RBD",
)
OPTIONAL_COLUMNS = (*TERRITORY_COLUMNS, "CONVENIO_PIE", "PACE", *LEVEL_COLUMNS)

# What real files contain and the import tolerates, by kind.
WARNING_KINDS = {
    "check_digit": gettext_lazy("dígito verificador del RBD distinto del módulo 11 (se conserva)"),
    "name_missing": gettext_lazy("nombre «NULL» o vacío (se muestra «RBD N»)"),
    "coordinates_malformed": gettext_lazy("coordenadas ilegibles (se dejan en blanco)"),
    "coordinates_swapped": gettext_lazy("latitud y longitud intercambiadas (se corrigen)"),
    "coordinates_out_of_territory": gettext_lazy(
        "coordenadas fuera del territorio (se dejan en blanco)"
    ),
    "rut_inconsistent": gettext_lazy("RUT del sostenedor que no cuadra con P_JURIDICA"),
}

# Generous boxes around Chilean territory: the mainland with Rapa Nui and Juan
# Fernández, and the Antarctic territory (which reaches 53° W).
TERRITORY_BOXES = (
    ((-57.0, -17.0), (-110.0, -65.5)),
    ((-90.0, -60.0), (-90.0, -53.0)),
)

# The order of the values read for each school (School field names).
SCHOOL_FIELDS = (
    "check_digit",
    "name",
    "sostenedor_id",
    "sostenedor_person_type",
    "comuna_id",
    "deprov_id",
    "dependency",
    "status",
    "rural",
    "latitude",
    "longitude",
    "enrollment",
    "levels",
    "pie",
    "pace",
)

KIND_BY_DEPENDENCY = {
    Dependency.MUNICIPAL_CORPORATION: SostenedorKind.MUNICIPAL_CORPORATION,
    Dependency.MUNICIPAL_DAEM: SostenedorKind.MUNICIPALITY,
    Dependency.PRIVATE_SUBSIDIZED: SostenedorKind.PRIVATE_SUBSIDIZED,
    Dependency.PRIVATE_PAID: SostenedorKind.PRIVATE_PAID,
    Dependency.DELEGATED_ADMINISTRATION: SostenedorKind.DELEGATED_ADMINISTRATION,
    Dependency.SLEP: SostenedorKind.SLEP,
}
# A sostenedor takes the kind of most of its schools; ties go to public first.
DEPENDENCY_PRECEDENCE = (6, 1, 2, 5, 3, 4)
# The directory gives no sostenedor names; a municipality (or its corporation)
# is named after the one comuna its schools are in. Stored data, not UI text.
DERIVED_NAMES = {
    SostenedorKind.MUNICIPALITY: "Municipalidad de {comuna}",
    SostenedorKind.MUNICIPAL_CORPORATION: "Corporación municipal de {comuna}",
}

# The codes each column may hold, computed once: an enum's `.values` builds
# a new list on every call (16,768 rows × 3 columns was half a second).
DEPENDENCY_CODES = frozenset(Dependency.values)
STATUS_CODES = frozenset(SchoolStatus.values)
PERSON_TYPE_CODES = frozenset(SostenedorPersonType.values)

# Whole sentences for each kind of bad value, translated only when used.
BAD_VALUE = {
    YEAR_COLUMN: gettext_lazy("«%(value)s» no es un año."),
    "COD_REG_RBD": gettext_lazy("no hay ninguna región con el código «%(value)s»."),
    "COD_PRO_RBD": gettext_lazy("«%(value)s» no es un código de provincia."),
    "COD_COM_RBD": gettext_lazy("«%(value)s» no es un código de comuna (CUT)."),
    "COD_DEPROV_RBD": gettext_lazy("«%(value)s» no es un código de DEPROV."),
    "COD_DEPE": gettext_lazy("«%(value)s» no es un código de dependencia (1 a 6)."),
    "ESTADO_ESTAB": gettext_lazy("«%(value)s» no es un código de estado (1 a 4)."),
    "P_JURIDICA": gettext_lazy("«%(value)s» no es un tipo de persona (0, 1 o 9)."),
    "MAT_TOTAL": gettext_lazy("«%(value)s» no es una cantidad (un entero desde 0)."),
    "flag": gettext_lazy("«%(value)s» no es 0 ni 1."),
    "level": gettext_lazy("«%(value)s» no es un código de enseñanza."),
}

COORDINATE_WARNINGS = {
    "coordinates_malformed": gettext_lazy(
        "coordenadas ilegibles («%(lat)s», «%(lon)s»); se dejan en blanco."
    ),
    "coordinates_swapped": gettext_lazy(
        "latitud y longitud intercambiadas («%(lat)s», «%(lon)s»); se guardan corregidas."
    ),
    "coordinates_out_of_territory": gettext_lazy(
        "coordenadas fuera del territorio («%(lat)s», «%(lon)s»); se dejan en blanco."
    ),
}


@dataclass
class ImportIssue:
    row: int
    column: str
    kind: str
    message: str

    def __str__(self):
        return _("fila %(row)s, columna %(col)s: %(problem)s") % {
            "row": self.row,
            "col": self.column,
            "problem": self.message,
        }


class DirectoryImportError(ValidationError):
    """The file cannot be imported; its messages name the row and column of
    each problem (the first MAX_ERRORS of them)."""


class RowProblems:
    """Errors (which stop an import; the first MAX_ERRORS are kept) and
    warnings found while reading rows."""

    def __init__(self):
        self.errors, self.error_count, self.warnings = [], 0, []
        self.error_issues = []  # the same errors, unformatted, for a form to place

    def error(self, row, column, problem):
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(str(ImportIssue(row, column, "error", problem)))
            self.error_issues.append(ImportIssue(row, column, "error", problem))

    def warn(self, row, column, kind, problem):
        self.warnings.append(ImportIssue(row, column, kind, problem))

    def raise_if_any(self, exception_class=ValidationError):
        if self.error_count:
            messages = list(self.errors)
            if self.error_count > len(messages):
                more = self.error_count - len(messages)
                messages.append(
                    ngettext("… y %(n)s error más.", "… y %(n)s errores más.", more) % {"n": more}
                )
            raise exception_class(messages)


@dataclass
class ParsedDirectory:
    """A valid directory file, read: each school's values in SCHOOL_FIELDS
    order by RBD, each sostenedor's (check digit, name, kind) by RUT."""

    year: int
    encoding: str
    schools: dict
    sostenedores: dict
    comunas: dict  # cut -> (name, province code, region, deprov)
    deprovs: dict  # code -> (name, region)
    warnings: list
    defaulted_columns: list
    without_sostenedor: Counter = field(default_factory=Counter)
    without_coordinates: int = 0
    by_dependency: Counter = field(default_factory=Counter)
    by_status: Counter = field(default_factory=Counter)


def decode(path_or_file):
    """The file's text and encoding, read as every CSV import reads it
    (rme_platform.spreadsheets.decode_upload: UTF-8 with or without BOM,
    UTF-16 with its BOM, else Latin-1). A file with NUL bytes and no UTF-16
    BOM is not text: an error says so instead of columns going missing."""
    data = path_or_file.read() if hasattr(path_or_file, "read") else Path(path_or_file).read_bytes()
    if isinstance(data, bytes) and not data.startswith(UTF16_BOMS) and b"\x00" in data[:65536]:
        raise DirectoryImportError(
            [
                _(
                    "El archivo tiene bytes nulos: no es un CSV de texto. Guárdelo como CSV "
                    "(UTF-8 o Latin-1) separado por «;»."
                )
            ]
        )
    try:
        return decode_upload(io.BytesIO(data) if isinstance(data, bytes) else io.StringIO(data))
    except ValidationError as exc:
        raise DirectoryImportError(exc.messages) from exc


def split_rows(text):
    """The file's rows as lists of fields, through the imports' one CSV
    reader: a field longer than csv's limit (128 KB) is an error naming its
    row and column."""
    try:
        return read_csv_rows(text, delimiter=";")
    except ValidationError as exc:
        raise DirectoryImportError(exc.messages) from exc


def in_territory(lat, lon):
    return any(
        lat_min <= lat <= lat_max and lon_min <= lon <= lon_max
        for (lat_min, lat_max), (lon_min, lon_max) in TERRITORY_BOXES
    )


def coordinates(lat_text, lon_text):
    """(latitude, longitude, warning kind, column) from the directory's text;
    the kind and column are None when the coordinates are fine or blank."""
    lat_text, lon_text = lat_text.strip(), lon_text.strip()
    if not lat_text and not lon_text:
        return None, None, None, None
    values = []
    for column, text in (("LATITUD", lat_text), ("LONGITUD", lon_text)):
        try:
            value = float(text.replace(",", "."))
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            return None, None, "coordinates_malformed", column
        values.append(value)
    lat, lon = values
    if in_territory(lat, lon):
        return lat, lon, None, None
    if in_territory(lon, lat):
        return lon, lat, "coordinates_swapped", "LATITUD, LONGITUD"
    return None, None, "coordinates_out_of_territory", "LATITUD, LONGITUD"


# Words written in lower case inside a place name ("San José de Maipo").
LOWER_WORDS = {"de", "del", "y", "la", "las", "los", "el"}


def place_name(text):
    """A comuna's name as people write it, from the directory's upper case:
    "SAN JOSÉ DE MAIPO" -> "San José de Maipo", "LA FLORIDA" -> "La Florida"."""
    words = text.strip().lower().split()
    result = []
    for i, word in enumerate(words):
        after_de = i > 0 and words[i - 1] in {"de", "del"}
        if i and (word in {"de", "del", "y"} or (after_de and word in LOWER_WORDS)):
            result.append(word)
        else:
            result.append("'".join(part.capitalize() for part in word.split("'")))
    return " ".join(result)


def _is_digits(text):
    return text.isascii() and text.isdigit()


def read_header(header, *, year_given):
    """Map column name -> position; raise on missing or repeated columns."""
    names = [name.strip().lstrip("\ufeff").removeprefix("ï»¿").upper() for name in header]
    positions, problems = {}, []
    for position, name in enumerate(names):
        if name and name in positions:
            problems.append(
                _("cabecera, columna %(col)s: la columna está repetida.") % {"col": name}
            )
        positions.setdefault(name, position)
    required = REQUIRED_COLUMNS if year_given else (YEAR_COLUMN, *REQUIRED_COLUMNS)
    problems.extend(
        _("cabecera, columna %(col)s: falta esta columna obligatoria.") % {"col": name}
        for name in required
        if name not in positions
    )
    if YEAR_COLUMN in required and YEAR_COLUMN not in positions:
        problems.append(_("Sin la columna AGNO, indique el año del directorio."))
    if problems:
        raise DirectoryImportError(problems)
    return positions


class _Reader:
    """Reads data rows one by one, collecting values, errors and warnings."""

    def __init__(self, positions, width, *, year):
        self.positions, self.width = positions, width
        self.year = year
        self.year_from_rows = year is None
        # What earlier imports stored, for layouts without the territory
        # columns; the file's own comunas and DEPROV, as read.
        self.stored_comunas = {
            cut: (name, deprov)
            for cut, name, deprov in Comuna.objects.values_list("cut", "name", "deprov_id")
        }
        self.stored_deprovs = dict(Deprov.objects.values_list("code", "name"))
        self.regions = set(Region.objects.values_list("code", flat=True))
        self.comunas = {}  # cut -> [name, deprov, first row]
        self.deprovs = {}  # code -> [name, region, first row]
        self.problems = RowProblems()
        self.error, self.warn = self.problems.error, self.problems.warn
        self.first_row = {}  # rbd -> row number
        self.schools = {}
        self.rut_dependencies = defaultdict(Counter)
        self.rut_comunas = defaultdict(set)
        self.without_sostenedor = Counter()
        self.without_coordinates = 0
        self.by_dependency = Counter()
        self.by_status = Counter()

    def code(self, row_number, row, column, allowed=None, message_key=None):
        """The integer in `column` (one of `allowed`, if given), or None after
        recording an error."""
        text = row[self.positions[column]].strip()
        value = int(text) if _is_digits(text) else None
        if value is None or (allowed is not None and value not in allowed):
            message = BAD_VALUE[message_key or column]
            self.error(row_number, column, message % {"value": text})
            return None
        return value

    def flag(self, row_number, row, column):
        if column not in self.positions or not row[self.positions[column]].strip():
            return False
        return self.code(row_number, row, column, {0, 1}, "flag") == 1

    def read(self, n, row):
        """Read data row number `n`."""
        width = self.width
        if len(row) != width:
            column = (
                next(name for name, pos in self.positions.items() if pos == len(row))
                if len(row) < width
                else str(width + 1)
            )
            self.error(
                n,
                column,
                ngettext(
                    "la fila tiene %(found)s campo y la cabecera %(expected)s.",
                    "la fila tiene %(found)s campos y la cabecera %(expected)s.",
                    len(row),
                )
                % {"found": len(row), "expected": width},
            )
            return
        p = self.positions
        if self.year_from_rows:
            row_year = self.code(n, row, YEAR_COLUMN)
            if self.year is None:
                self.year = row_year
            elif row_year is not None and row_year != self.year:
                self.error(
                    n,
                    YEAR_COLUMN,
                    _("el año %(value)s no es el de la primera fila (%(year)s).")
                    % {"value": row_year, "year": self.year},
                )

        rbd = self.rbd(n, row[p["RBD"]].strip())
        check_digit = self.check_digit(n, rbd, row[p["DGV_RBD"]].strip().upper())
        name = row[p["NOM_RBD"]].strip()
        if name.upper() in {"NULL", ""}:
            self.warn(
                n,
                "NOM_RBD",
                "name_missing",
                _("el nombre es «%(value)s»; se guarda vacío.") % {"value": name},
            )
            name = ""
        elif len(name) > 200:
            self.error(n, "NOM_RBD", _("el nombre tiene más de 200 caracteres."))

        comuna, deprov = self.territory(n, row)
        dependency = self.code(n, row, "COD_DEPE", DEPENDENCY_CODES)
        status = self.code(n, row, "ESTADO_ESTAB", STATUS_CODES)
        rural = self.code(n, row, "RURAL_RBD", {0, 1}, "flag") == 1
        enrollment = self.code(n, row, "MAT_TOTAL")
        person_type = self.code(n, row, "P_JURIDICA", PERSON_TYPE_CODES)
        rut = self.rut(n, row[p["RUT_SOSTENEDOR"]].strip(), person_type)
        pie = self.flag(n, row, "CONVENIO_PIE")
        pace = self.flag(n, row, "PACE")
        levels = set()
        for column in LEVEL_COLUMNS:
            if column in p and row[p[column]].strip() not in {"", "0"}:
                levels.add(self.code(n, row, column, None, "level"))
        latitude, longitude, problem, column = coordinates(row[p["LATITUD"]], row[p["LONGITUD"]])
        if problem:
            self.warn(
                n,
                column,
                problem,
                COORDINATE_WARNINGS[problem]
                % {"lat": row[p["LATITUD"]].strip(), "lon": row[p["LONGITUD"]].strip()},
            )
        elif latitude is None:
            self.without_coordinates += 1

        if self.problems.error_count:
            return  # nothing will be written: only look for more problems
        if rut is None:
            self.without_sostenedor[person_type] += 1
        else:
            self.rut_dependencies[rut][dependency] += 1
            self.rut_comunas[rut].add(comuna)
        self.by_dependency[dependency] += 1
        self.by_status[status] += 1
        self.schools[rbd] = (
            check_digit,
            name,
            rut,
            person_type,
            comuna,
            deprov,
            dependency,
            status,
            rural,
            latitude,
            longitude,
            enrollment,
            sorted(levels),
            pie,
            pace,
        )

    def given(self, row, column):
        """The stripped text of an optional column, or "" when the layout lacks it."""
        return row[self.positions[column]].strip() if column in self.positions else ""

    def territory(self, n, row):
        """The row's comuna and DEPROV codes, checked against the structure of
        CUT codes (comuna = province × 100 + n, province = region × 10 + n)
        and against what the file says of them elsewhere; None after an error."""
        cut = self.code(n, row, "COD_COM_RBD")
        if cut is None:
            return None, None
        province, region = cut // 100, cut // 1000
        if self.given(row, "COD_REG_RBD"):
            region = self.code(n, row, "COD_REG_RBD", self.regions)
            if region is None:
                return None, None
        elif region not in self.regions:
            self.error(n, "COD_COM_RBD", BAD_VALUE["COD_COM_RBD"] % {"value": cut})
            return None, None
        if self.given(row, "COD_PRO_RBD"):
            province = self.code(n, row, "COD_PRO_RBD")
            if province is None:
                return None, None
            if province // 10 != region or province % 10 == 0:
                self.error(
                    n,
                    "COD_PRO_RBD",
                    _(
                        "la provincia %(province)s no pertenece a la región %(region)s "
                        "(código de provincia = región × 10 + n)."
                    )
                    % {"province": province, "region": region},
                )
                return None, None
        if (
            cut // 100 != province
            or cut % 100 == 0
            or province % 10 == 0
            or province // 10 != region
        ):
            self.error(
                n,
                "COD_COM_RBD",
                _(
                    "la comuna %(cut)s no pertenece a la provincia %(province)s de la región "
                    "%(region)s (código CUT = provincia × 100 + n)."
                )
                % {"cut": cut, "province": province, "region": region},
            )
            return None, None

        stored = self.stored_comunas.get(cut)
        name = place_name(self.given(row, "NOM_COM_RBD")) or (stored[0] if stored else "")
        if self.given(row, "COD_DEPROV_RBD"):
            deprov = self.code(n, row, "COD_DEPROV_RBD")
            if deprov is None or deprov == 0:
                if deprov == 0:
                    self.error(n, "COD_DEPROV_RBD", BAD_VALUE["COD_DEPROV_RBD"] % {"value": 0})
                return None, None
        else:
            deprov = stored[1] if stored else None
        if not name or deprov is None:
            self.error(
                n,
                "COD_COM_RBD",
                _(
                    "la comuna %(cut)s no está en el registro y el archivo no trae su nombre "
                    "(NOM_COM_RBD) y su DEPROV (COD_DEPROV_RBD): importe primero un directorio "
                    "con esas columnas."
                )
                % {"cut": cut},
            )
            return None, None

        seen = self.comunas.get(cut)
        if seen is None:
            self.comunas[cut] = [name, deprov, n]
        elif seen[0] != name:
            self.error(
                n,
                "NOM_COM_RBD",
                _("la comuna %(cut)s se llama «%(first)s» en la fila %(row)s y aquí «%(name)s».")
                % {"cut": cut, "first": seen[0], "row": seen[2], "name": name},
            )
        elif seen[1] != deprov:
            self.error(
                n,
                "COD_DEPROV_RBD",
                _(
                    "la comuna %(cut)s pertenece al DEPROV %(first)s en la fila %(row)s "
                    "y aquí al %(deprov)s."
                )
                % {"cut": cut, "first": seen[1], "row": seen[2], "deprov": deprov},
            )

        deprov_name = self.given(row, "NOM_DEPROV_RBD") or self.stored_deprovs.get(deprov, "")
        if not deprov_name:
            self.error(
                n,
                "NOM_DEPROV_RBD",
                _("el DEPROV %(code)s no está en el registro y el archivo no trae su nombre.")
                % {"code": deprov},
            )
            return None, None
        seen = self.deprovs.get(deprov)
        if seen is None:
            self.deprovs[deprov] = [deprov_name, region, n]
        elif seen[0] != deprov_name:
            self.error(
                n,
                "NOM_DEPROV_RBD",
                _("el DEPROV %(code)s se llama «%(first)s» en la fila %(row)s y aquí «%(name)s».")
                % {"code": deprov, "first": seen[0], "row": seen[2], "name": deprov_name},
            )
        elif seen[1] != region:
            self.error(
                n,
                "COD_DEPROV_RBD",
                _(
                    "el DEPROV %(code)s está en la región %(first)s en la fila %(row)s "
                    "y aquí en la %(region)s."
                )
                % {"code": deprov, "first": seen[1], "row": seen[2], "region": region},
            )
        return cut, deprov

    def rbd(self, n, text):
        rbd = int(text) if _is_digits(text) and len(text) < 10 else 0
        if rbd <= 0:
            self.error(
                n, "RBD", _("«%(value)s» no es un número entero positivo.") % {"value": text}
            )
        elif rbd in self.first_row:
            self.error(
                n,
                "RBD",
                _("el RBD %(rbd)s ya aparece en la fila %(first)s.")
                % {"rbd": rbd, "first": self.first_row[rbd]},
            )
        else:
            self.first_row[rbd] = n
        return rbd

    def check_digit(self, n, rbd, text):
        """The RBD's check digit as given; one that modulo 11 does not give is
        kept with a warning (real files have them)."""
        if len(text) != 1 or text not in "0123456789K":
            self.error(
                n,
                "DGV_RBD",
                _("«%(value)s» no es un dígito verificador (0 a 9 o K).") % {"value": text},
            )
        elif rbd > 0 and text != (computed := modulo11_check_digit(rbd)):
            self.warn(
                n,
                "DGV_RBD",
                "check_digit",
                _("el dígito %(given)s del RBD %(rbd)s no es el del módulo 11 (%(computed)s).")
                % {"given": text, "rbd": rbd, "computed": computed},
            )
        return text

    def rut(self, n, text, person_type):
        """The sostenedor's RUT (without check digit) for legal persons only;
        any other person's identity is not kept."""
        if text and not (_is_digits(text) and len(text) <= 8 and int(text) > 0):
            self.error(
                n,
                "RUT_SOSTENEDOR",
                _("«%(value)s» no es un RUT (hasta 8 dígitos, sin dígito verificador).")
                % {"value": text},
            )
        elif person_type == SostenedorPersonType.LEGAL_PERSON:
            if text:
                return int(text)
            self.warn(
                n,
                "RUT_SOSTENEDOR",
                "rut_inconsistent",
                _("persona jurídica sin RUT; el establecimiento queda sin sostenedor."),
            )
        elif text and person_type is not None:
            self.warn(
                n,
                "RUT_SOSTENEDOR",
                "rut_inconsistent",
                _("hay RUT pero P_JURIDICA es %(value)s; no se guarda.") % {"value": person_type},
            )
        return None

    def sostenedores(self):
        """(check digit, derived name, kind) by RUT, from the schools read."""
        result = {}
        for rut, counts in self.rut_dependencies.items():
            dependency = max(counts, key=lambda d: (counts[d], -DEPENDENCY_PRECEDENCE.index(d)))
            kind = KIND_BY_DEPENDENCY[dependency]
            name = ""
            if kind in DERIVED_NAMES and len(self.rut_comunas[rut]) == 1:
                (comuna,) = self.rut_comunas[rut]
                name = DERIVED_NAMES[kind].format(comuna=self.comunas[comuna][0])
            result[rut] = (modulo11_check_digit(rut), name, kind)
        return result


def read_directory(path_or_file, *, year=None, progress=None):
    """Read and validate a whole directory file. Raises DirectoryImportError
    listing up to MAX_ERRORS problems as "fila N, columna COL: ..."."""
    text, encoding = decode(path_or_file)
    rows = split_rows(text)
    if not rows:
        raise DirectoryImportError([_("El archivo está vacío.")])
    positions = read_header(rows[0], year_given=year is not None)
    reader = _Reader(positions, len(rows[0]), year=year)
    total = len(rows) - 1
    for n, row in enumerate(rows[1:], start=1):
        if row:  # skip blank lines
            reader.read(n, row)
        if progress and n % 1000 == 0:
            progress(n, total)
    reader.problems.raise_if_any(DirectoryImportError)
    if not reader.schools:
        raise DirectoryImportError([_("El archivo no tiene filas de datos.")])
    return ParsedDirectory(
        year=reader.year,
        encoding=encoding,
        schools=reader.schools,
        sostenedores=reader.sostenedores(),
        comunas={
            cut: (name, cut // 100, cut // 1000, deprov)
            for cut, (name, deprov, _row) in reader.comunas.items()
        },
        deprovs={code: (name, region) for code, (name, region, _row) in reader.deprovs.items()},
        warnings=reader.problems.warnings,
        defaulted_columns=[name for name in OPTIONAL_COLUMNS if name not in positions],
        without_sostenedor=reader.without_sostenedor,
        without_coordinates=reader.without_coordinates,
        by_dependency=reader.by_dependency,
        by_status=reader.by_status,
    )
