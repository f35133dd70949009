"""No two labels of a chart overlap, whatever the data: the text boxes of
the rendered SVG (estimated from the font size and the DejaVu Sans widths of
their characters, the font the charts use) never intersect, stay inside the
chart and the dashed centre line of a Likert chart never crosses a label.
tests/e2e/test_pages.py measures the same in Chromium with getBBox()."""

import itertools
from xml.etree import ElementTree as ET  # noqa: S405 - our own SVG

import pytest
from django.utils import translation

from rme_platform import charts

NS = "{http://www.w3.org/2000/svg}"
ROLES = ["Director/a", "Jefe/a de UTP", "Representante del sostenedor"]
MONTHS = ["Mar", "Abr", "May", "Jun", "Jul", "Ago", "Sep", "Oct", "Nov", "Dic"]


def text_boxes(svg):
    """[(text, (left, top, right, bottom))] of every visible <text>."""
    root = ET.fromstring(str(svg))  # noqa: S314 - our own SVG
    base_size = float(root.get("font-size", 12))
    boxes = []
    for element in root.iter(f"{NS}text"):
        text = "".join(element.itertext())
        if not text.strip():
            continue
        size = float(element.get("font-size", base_size))
        x = float(element.get("x", 0)) + float(element.get("dx", 0))
        y = float(element.get("y", 0)) + float(element.get("dy", 0))
        box = charts.text_box(
            text,
            x=x,
            y=y,
            size=size,
            anchor=element.get("text-anchor", "start"),
            bold=element.get("font-weight") == "bold",
        )
        boxes.append((text, box))
    return root, boxes


def overlaps(a, b, slack=0.5):
    return (
        a[0] < b[2] - slack and b[0] < a[2] - slack and a[1] < b[3] - slack and b[1] < a[3] - slack
    )


def assert_laid_out(svg):
    root, boxes = text_boxes(svg)
    width, height = (float(v) for v in root.get("viewBox").split()[2:])
    for text, box in boxes:
        assert box[0] >= -0.5 and box[2] <= width + 0.5, f"{text!r} leaves the chart: {box}"
        assert box[1] >= -0.5 and box[3] <= height + 0.5, f"{text!r} leaves the chart: {box}"
    for (text_a, a), (text_b, b) in itertools.combinations(boxes, 2):
        assert not overlaps(a, b), f"{text_a!r} {a} overlaps {text_b!r} {b}"
    bars = [
        tuple(float(rect.get(k)) for k in ("x", "y", "width", "height"))
        for rect in root.iter(f"{NS}rect")
    ]
    for line in root.iter(f"{NS}line"):
        if line.get("stroke-dasharray") is None:
            continue  # grid lines run under the plot only
        x = float(line.get("x1"))
        y1, y2 = sorted((float(line.get("y1")), float(line.get("y2"))))
        for text, box in boxes:
            middle = (box[1] + box[3]) / 2
            # A value written on a bar is fine: the bar hides the line under it.
            on_bar = any(bx <= x <= bx + bw and by <= middle <= by + bh for bx, by, bw, bh in bars)
            assert on_bar or not (box[0] < x < box[2] and y1 < box[3] and box[1] < y2), (
                f"the dashed line crosses {text!r}"
            )
    return boxes


@pytest.mark.parametrize("language", ["es", "en"])
def test_attendance_chart_values_and_legend_never_collide(language):
    """Three roles whose rates meet (equal values, 100 %, 0 %) on ten months:
    the values are spread apart, the legend names are whole."""
    series = [
        (ROLES[0], [90, 90, 80, 90, 70, 80, 100, 100, 90, 100]),
        (ROLES[1], [50, 80, 90, 90, 90, 70, 60, 80, 70, 100]),
        (ROLES[2], [100, 100, 0, 0, 100, 0, 100, 100, 0, 100]),
    ]
    with translation.override(language):
        svg = charts.line_chart(
            title="Asistencia por rol en 2025", x_labels=MONTHS, series=series, y_max=100, unit=" %"
        )
    texts = [text for text, _box in assert_laid_out(svg)]
    assert "Representante del sostenedor" in texts  # not cut to "Representante del sos…"
    assert texts.count("100,0 %" if language == "es" else "100.0 %") == 10


def test_trend_chart_with_many_long_series_wraps_its_legend():
    codes = [
        "RME_META_COMUN",
        "RME_OBJETIVOS_CLAROS",
        "RME_PLAN_TRABAJO",
        "RME_TRANSFERENCIA_EQUIPO",
        "RME_ASISTENCIA_VALORADA",
        "RME_CONFIANZA_PARES",
        "RME_REDES_APRENDIZAJE",
    ]
    series = [(code, [57.1, 50.0 + i, 37.5 + i * 5]) for i, code in enumerate(codes)]
    svg = charts.line_chart(
        title="Porcentaje de acuerdo por año: Metas comunes y planificación conjunta de la red",
        x_labels=["2023", "2024", "2025"],
        series=series,
        y_max=100,
        unit=" %",
    )
    boxes = assert_laid_out(svg)
    assert set(codes) <= {text for text, _box in boxes}
    # The first values stand clear of the axis labels on their left.
    axis = max(box[2] for text, box in boxes if text.endswith("%") and text in {"0 %", "100 %"})
    first_values = [box for text, box in boxes if text == "57,1 %"]
    assert first_values and min(box[0] for box in first_values) > axis


def test_trend_chart_without_point_labels_and_a_single_wave():
    svg = charts.line_chart(
        title="P1–P7: porcentaje de acuerdo por año",
        x_labels=["2025"],
        series=[(f"P{i}", [i * 10.0]) for i in range(1, 15)],
        y_max=100,
        unit=" %",
        point_labels=False,
    )
    assert_laid_out(svg)


@pytest.mark.parametrize("compact", [False, True])
def test_likert_chart_keeps_its_centre_line_off_the_suppressed_label(compact):
    rows = [
        (
            "RME-07-001 · Red Talca Centro con un nombre muy largo",
            {"1": 1, "2": 1, "3": 3, "4": 5, "5": 9},
        ),
        ("Región del Libertador General Bernardo O'Higgins", None),
        ("Nacional", {"1": 0, "2": 1, "3": 1, "4": 50, "5": 2}),
        ("Otra red", None),
    ]
    svg = charts.diverging_bar_chart(
        title="Distribución de respuestas: RME_TRANSFERENCIA_EQUIPO",
        rows=rows,
        suppressed_label="menos de 5 respuestas",
        compact=compact,
    )
    boxes = assert_laid_out(svg)
    assert sum(text == "menos de 5 respuestas" for text, _box in boxes) == 2
    assert any(text.endswith("…") for text, _box in boxes)  # the long label is shortened
    assert "Red Talca Centro con un nombre muy largo" in str(svg)  # ...but whole in the description


def test_stacked_and_bar_charts_with_small_segments_and_full_bars():
    states = ["Planificada", "En curso", "Completada", "Atrasada", "Cancelada", "Sin reporte"]
    palette = charts.PALETTE[: len(states)]
    svg = charts.stacked_bar_chart(
        title="Acciones por dimensión y estado",
        rows=[
            ("Gestión pedagógica", [1, 2, 40, 3, 1, 1]),
            ("Liderazgo", [10, 10, 10, 10, 10, 10]),
            ("Formación y convivencia", [0, 0, 1, 0, 0, 0]),
        ],
        series=list(zip(states, palette, strict=True)),
        percent=True,
    )
    assert_laid_out(svg)
    svg = charts.bar_chart(
        title="Avance promedio por dimensión",
        items=[
            ("Gestión de recursos humanos, financieros y educativos", 100.0),
            ("Liderazgo", None),
        ],
        unit=" %",
        max_value=100,
        decimals=1,
    )
    assert_laid_out(svg)


def test_text_width_matches_dejavu_sans():
    # Advance widths of DejaVu Sans at 10 px, as Chromium lays them out.
    assert charts.text_width("100,0 %", 10) == pytest.approx(41.3, abs=0.2)
    assert charts.text_width("Mar", 11) == pytest.approx(20.8, abs=0.2)
    assert charts.fit_text("Representante del sostenedor", 12, 100).endswith("…")
    assert charts.text_width(charts.fit_text("Representante del sostenedor", 12, 100), 12) <= 100
