"""The one helper every CSV/XLSX export and CSV import goes through."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook, load_workbook

from rme_platform.spreadsheets import append_row, csv_row, decode_upload, read_csv_rows


@pytest.mark.parametrize("text", ["=1+1", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_text_that_a_spreadsheet_would_run_gets_a_leading_quote(text):
    assert csv_row([text]) == ["'" + text]


def test_other_text_and_numbers_are_left_alone():
    values = ["Plan lector", "", "a=b", -5, -2.5, Decimal("-3"), 0, None, True]
    assert csv_row(values) == values


def test_xlsx_text_is_a_string_cell_and_numbers_stay_numbers():
    workbook = Workbook()
    sheet = workbook.active
    append_row(sheet, ['=HYPERLINK("http://x","y")', -7, datetime.date(2025, 3, 1), "bell\x07"])
    stream = io.BytesIO()
    workbook.save(stream)
    a, b, c, d = load_workbook(stream).active[1]
    assert (a.value, a.data_type) == ('=HYPERLINK("http://x","y")', "s")
    assert (b.value, b.data_type) == (-7, "n")
    assert c.value.date() == datetime.date(2025, 3, 1)
    assert d.value == "bell"


def test_utf16_files_are_decoded_by_their_bom():
    text = "name,última\nÁ,b\n"
    for content in (text.encode("utf-16"), b"\xfe\xff" + text.encode("utf-16-be")):
        assert decode_upload(io.BytesIO(content)) == (text, "UTF-16")
    assert decode_upload(io.BytesIO(text.encode("utf-8-sig"))) == (text, "UTF-8")
    assert decode_upload(io.BytesIO(text.encode("latin-1"))) == (text, "Latin-1")


def test_an_overlong_field_is_named_by_row_and_column():
    text = "a,b,c\n1,2,3\n\n4,5," + "z" * 140_000 + "\n"
    with pytest.raises(ValidationError) as excinfo:
        read_csv_rows(text)
    (message,) = excinfo.value.messages
    assert message.startswith("fila 3, columna c:")
    assert read_csv_rows('a;b\n1;"x\ny"\n', delimiter=";") == [["a", "b"], ["1", "x\ny"]]


def test_the_separator_is_read_from_the_first_line():
    from rme_platform.spreadsheets import sniff_delimiter

    assert sniff_delimiter("a,b,c\n1;2\n") == ","
    assert sniff_delimiter("a;b;c\n") == ";"
    assert sniff_delimiter("a\tb\tc\n") == "\t"
    assert sniff_delimiter("solo\n") == ","
