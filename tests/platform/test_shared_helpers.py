import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from rme_platform import charts
from rme_platform.files import validate_upload
from rme_platform.text import render_markdown
from tests.helpers import pdf_bytes


def test_markdown_is_rendered_and_scripts_removed():
    html = render_markdown(
        "**Hola** <script>alert(1)</script> [x](javascript:alert(1)) <a onclick='x'>y</a>"
    )
    assert "<strong>Hola</strong>" in html
    assert "<script" not in html and "javascript:" not in html and "onclick" not in html


def test_upload_checks_size_type_and_content():
    pdf = SimpleUploadedFile("acta.pdf", pdf_bytes(), content_type="application/pdf")
    assert validate_upload(pdf) is pdf
    with pytest.raises(ValidationError, match="el máximo es"):
        validate_upload(SimpleUploadedFile("grande.pdf", b"%PDF" + b"x" * 2000), max_bytes=1000)
    with pytest.raises(ValidationError, match="no es de un tipo permitido"):
        validate_upload(SimpleUploadedFile("virus.exe", b"MZ\x90\x00"))
    with pytest.raises(ValidationError, match="no corresponde a un archivo PDF"):
        validate_upload(SimpleUploadedFile("falso.pdf", b"<html>no soy un pdf</html>"))
    with pytest.raises(ValidationError, match="no parece un archivo de texto"):
        validate_upload(SimpleUploadedFile("datos.csv", b"a,b\x00\x01"))


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.4 contenido",
        b"%PDF-1.7\n<html><script>alert(1)</script></html>\n%%EOF\n",
        b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\nstartxref\n999\n%%EOF\n",
        "half",
    ],
)
def test_a_file_named_pdf_must_parse_as_one(content):
    """Starting with %PDF is not enough: header, cross-reference table,
    trailer and a page must be there (pypdf reads them)."""
    if content == "half":
        content = pdf_bytes()[:200]
    upload = SimpleUploadedFile("acta.pdf", content, content_type="application/pdf")
    with pytest.raises(ValidationError, match="no corresponde a un archivo PDF"):
        validate_upload(upload)
    good = SimpleUploadedFile("acta.pdf", pdf_bytes(50_000), content_type="application/pdf")
    good.seek(10)
    assert validate_upload(good) is good and good.tell() == 10


def test_charts_are_accessible_svg_with_localized_numbers():
    with translation.override("es"):
        svg = charts.bar_chart(
            title="Asistencia", items=[("Directores", 82.5)], unit=" %", decimals=1
        )
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert "<title" in svg and "Asistencia" in svg
    assert "82,5 %" in svg  # Spanish decimal comma in the text...
    assert '82,5"' not in svg  # ...never inside SVG coordinates
    with translation.override("en"):
        svg = charts.bar_chart(
            title="Attendance", items=[("Principals", 82.5)], unit=" %", decimals=1
        )
    assert "82.5 %" in svg


def test_diverging_chart_marks_suppressed_rows_without_numbers():
    svg = charts.diverging_bar_chart(
        title="Resultados",
        rows=[("RME_META_COMUN", {"1": 1, "2": 1, "3": 2, "4": 4, "5": 2}), ("RME_X", None)],
        suppressed_label="menos de 5 respuestas",
    )
    assert "menos de 5 respuestas" in svg
    assert svg.count("<rect") >= 5 + 5  # five legend keys and five segments
    assert io.StringIO(svg).read().count("RME_X") >= 1


def test_line_and_stacked_charts_render():
    line = charts.line_chart(
        title="Tendencia", x_labels=["2023", "2024"], series=[("Red", [50, None])]
    )
    assert "<polyline" in line
    stacked = charts.stacked_bar_chart(
        title="Estado",
        rows=[("Liderazgo", [1, 3])],
        series=[("Hecha", "#000"), ("En curso", "#111")],
        percent=True,
    )
    assert "75 %" in stacked and "25 %" in stacked


@pytest.mark.parametrize("value", [None, "", "evaluación", "\"<b>\" & 'x'", 42])
def test_fast_text_input_writes_what_django_text_input_writes(value):
    from django import forms

    from rme_platform.widgets import FastTextInput

    attrs = {"class": "form-control is-invalid", "maxlength": "30", "id": "id_q"}
    extra = {"required": True, "disabled": False, "aria-describedby": "a <b>"}
    for widget_attrs in ({}, extra):
        fast = FastTextInput(attrs=widget_attrs).render("q", value, attrs=attrs)
        django = forms.TextInput(attrs=widget_attrs).render("q", value, attrs=attrs)
        assert fast == django
