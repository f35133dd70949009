"""Spreadsheet files the platform writes and reads, in one place.

Writing: text typed by users (an answer, a PME action, an option of a
question) can start with a character that Excel, LibreOffice or Google
Sheets read as the start of a formula (= + - @, or a tab or carriage
return before one). Every CSV and XLSX export goes through this module so
such text stays text (OWASP "CSV injection"):

- in CSV, a text cell that starts with one of them is prefixed with a
  single quote (`csv_row`);
- in XLSX, every text cell is written with the string data type, never as a
  formula (`append_row`), so the text reads exactly as typed.

Numbers, dates and booleans are left alone: a negative amount stays a
number. Only `str` values are touched.

Reading: `open_xlsx` and `xlsx_rows` read an uploaded workbook within
limits (expanded size of each part, rows, columns) checked before openpyxl
expands anything; `decode_upload` turns an uploaded CSV into text (UTF-8 with or
without BOM, UTF-16 with BOM, else Latin-1) and `read_csv_rows` reads it
with errors that name the row instead of an unhandled `_csv.Error`.
"""

import csv
import io
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value):
    """`value` made safe for a CSV cell: text that a spreadsheet would read
    as a formula gets a leading single quote; anything else is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def csv_row(values):
    """A row for csv.writer with every text cell made safe."""
    return [safe_text(value) for value in values]


def csv_dict_row(row):
    """A row for csv.DictWriter with every text cell made safe."""
    return {key: safe_text(value) for key, value in row.items()}


def _illegal_characters():
    return ILLEGAL_CHARACTERS_RE


def append_row(sheet, values):
    """Append `values` to an openpyxl worksheet as data: text is written as
    a string cell even when it starts with "=", and control characters that
    XLSX cannot hold are dropped (openpyxl would refuse the whole file)."""
    illegal = _illegal_characters()
    cleaned = [illegal.sub("", value) if isinstance(value, str) else value for value in values]
    sheet.append(cleaned)
    for cell in sheet[sheet.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"


# --- Reading uploaded CSV files ------------------------------------------------

UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def decode_upload(path_or_file):
    """The file's text and encoding name: UTF-8 (with or without BOM),
    UTF-16 with its BOM (what Excel's "Unicode text" writes), else Latin-1."""
    data = path_or_file.read() if hasattr(path_or_file, "read") else Path(path_or_file).read_bytes()
    if isinstance(data, str):
        return data.lstrip("\ufeff"), "UTF-8"
    if data.startswith(UTF16_BOMS):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError as error:
            raise ValidationError(
                _(
                    "fila 0, columna -: el archivo parece UTF-16 pero no se puede leer; "
                    "guárdelo como CSV UTF-8."
                )
            ) from error
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "Latin-1"


def sniff_delimiter(text, candidates=(",", ";", "\t")):
    """The separator of a CSV text: the candidate found most often in its
    first line (comma on a tie). Excel's "Unicode text" is UTF-16 separated
    by tabs; Spanish-locale Excel writes semicolons."""
    first_line = text.split("\n", 1)[0]
    return max(candidates, key=lambda candidate: (first_line.count(candidate), candidate == ","))


def read_csv_rows(text, *, delimiter=","):
    """Every row of a CSV text as lists of strings, read before anything is
    checked. A field longer than csv's limit (128 KB) or another malformed
    line raises ValidationError naming the row (the header is row 0) and
    the column, in the format of the imports' other errors."""
    lines = io.StringIO(text).readlines()
    consumed = 0

    def source():
        nonlocal consumed
        for line in lines:
            consumed += 1
            yield line

    reader = csv.reader(source(), delimiter=delimiter)
    rows = []
    while True:
        first_line = consumed
        try:
            row = next(reader)
        except StopIteration:
            return rows
        except csv.Error as error:
            limit = csv.field_size_limit()
            index = _overlong_field("".join(lines[first_line:]), limit, delimiter)
            if index is None:
                column = "-"
                problem = _("la línea no es CSV válido (%(error)s)") % {"error": error}
            else:
                header = rows[0] if rows else []
                column = header[index].strip() if index < len(header) else str(index + 1)
                problem = _("el campo supera el máximo de %(kb)s KB (¿comillas sin cerrar?)") % {
                    "kb": limit // 1024
                }
            raise ValidationError(
                _("fila %(row)s, columna %(col)s: %(problem)s")
                % {"row": len(rows), "col": column, "problem": problem}
            ) from error
        rows.append(row)


def _overlong_field(record, limit, delimiter, quotechar='"'):
    """The 0-based index of the first field of `record` (the text from the
    start of a CSV record on) longer than `limit` characters, or None."""
    index = length = 0
    quoted = False
    position, size = 0, len(record)
    while position < size:
        char = record[position]
        if quoted:
            if char == quotechar and record[position + 1 : position + 2] == quotechar:
                length += 1
                position += 1
            elif char == quotechar:
                quoted = False
            else:
                length += 1
        elif char == quotechar:
            quoted = True
        elif char == delimiter:
            index, length = index + 1, 0
        elif char in "\r\n":
            return None
        else:
            length += 1
        if length > limit:
            return index
        position += 1
    return None


# --- Reading uploaded XLSX files -----------------------------------------------

# An XLSX is a zip of XML parts; openpyxl expands the shared strings into
# memory whole, so a small file of repeated text can need gigabytes. These
# limits are checked on the zip's directory before openpyxl opens it (the
# zip module never inflates a part past the size its directory declares).
XLSX_MAX_PART_BYTES = 50 * 1024 * 1024
XLSX_MAX_ROWS = 100_000
XLSX_MAX_COLUMNS = 200


def _xlsx_limits():
    return (
        getattr(settings, "IMPORT_XLSX_MAX_PART_BYTES", XLSX_MAX_PART_BYTES),
        getattr(settings, "IMPORT_XLSX_MAX_ROWS", XLSX_MAX_ROWS),
        getattr(settings, "IMPORT_XLSX_MAX_COLUMNS", XLSX_MAX_COLUMNS),
    )


def open_xlsx(path_or_file):
    """A read-only openpyxl workbook (values, not formulas) of an uploaded
    file, after checking from the zip's directory that no part expands past
    IMPORT_XLSX_MAX_PART_BYTES and all of them past twice that. Raises
    ValidationError for a file that is too large once expanded or that is
    not a workbook."""
    max_part, _rows, _columns = _xlsx_limits()
    start = path_or_file.tell() if hasattr(path_or_file, "tell") else None
    try:
        with zipfile.ZipFile(path_or_file) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError) as error:
        if isinstance(error, FileNotFoundError):
            raise
        raise ValidationError(_("El archivo no es una planilla XLSX.")) from error
    finally:
        if start is not None:
            path_or_file.seek(start)
    largest = max(parts, key=lambda part: part.file_size, default=None)
    total = sum(part.file_size for part in parts)
    if largest is not None and (largest.file_size > max_part or total > 2 * max_part):
        raise ValidationError(
            _(
                "La planilla ocupa %(size)s al descomprimirla (la parte %(part)s, "
                "%(part_size)s); el máximo es %(max)s por parte. Guarde solo los datos "
                "necesarios o divida el archivo."
            )
            % {
                "size": filesizeformat(total),
                "part": largest.filename,
                "part_size": filesizeformat(largest.file_size),
                "max": filesizeformat(max_part),
            }
        )
    try:
        return load_workbook(path_or_file, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise ValidationError(
            _("No se pudo leer la planilla: %(error)s") % {"error": type(error).__name__}
        ) from error


def xlsx_rows(sheet):
    """The rows of a read-only worksheet as tuples of values, header first,
    at most IMPORT_XLSX_MAX_ROWS data rows and IMPORT_XLSX_MAX_COLUMNS
    columns: a sheet that declares more is refused before reading, and one
    that has more than it declares is refused on reaching the limit."""
    _part, max_rows, max_columns = _xlsx_limits()
    declared_rows, declared_columns = sheet.max_row, sheet.max_column
    if declared_rows is not None and declared_rows - 1 > max_rows:
        raise _too_many_rows(max_rows)
    if declared_columns is not None and declared_columns > max_columns:
        raise ValidationError(
            _("La planilla tiene %(n)s columnas; el máximo es %(max)s.")
            % {"n": declared_columns, "max": max_columns}
        )
    width = min(declared_columns or max_columns, max_columns)
    for number, row in enumerate(sheet.iter_rows(max_col=width, values_only=True)):
        if number > max_rows:
            raise _too_many_rows(max_rows)
        yield row


def _too_many_rows(max_rows):
    return ValidationError(
        _("La planilla tiene más de %(max)s filas de datos; divida el archivo.") % {"max": max_rows}
    )
