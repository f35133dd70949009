"""The bar and stacked charts are written in Python (no template render per
chart): the SVG is the same, byte for byte, as the chart templates give."""

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from rme_platform import charts

BAR_CASES = [
    {
        "title": 'Avance promedio por dimensión <y "otras"> & más, con un título largo'
        " que se parte en dos",
        "items": [
            ("Gestión pedagógica", 47.5),
            ("Liderazgo & <gestión>", 100),
            ("Sin datos", None),
        ],
        "unit": " %",
        "max_value": 100,
        "decimals": 1,
    },
    {"title": "Financiamiento", "items": [("SEP", 1_500_000), ("PIE", 0)]},
    {"title": "Vacío", "items": []},
]

STACKED_CASES = [
    {
        "title": "Acciones por dimensión y estado",
        "rows": [("Gestión pedagógica", [3, 0, 12, 1]), ("Convivencia 'escolar'", [0, 0, 0, 0])],
        "series": [
            ("Planificada", "#6c757d"),
            ("En curso", "#0d6efd"),
            ("Completa", "#198754"),
            ("Atrasada <x>", "#dc3545"),
        ],
    },
    {
        "title": "Porcentajes",
        "rows": [("Uno", [1, 2]), ("Dos", [5, 0])],
        "series": [("Sí", "#000"), ("No", "#fff")],
        "percent": True,
    },
]


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("case", BAR_CASES + STACKED_CASES)
def test_written_charts_equal_their_templates(monkeypatch, case, language):
    captured = {}
    real = charts._render

    def spy(template, context):
        out = real(template, context)
        captured["template"], captured["context"] = template, dict(context)
        return out

    monkeypatch.setattr(charts, "_render", spy)
    draw = charts.stacked_bar_chart if "rows" in case else charts.bar_chart
    with translation.override(language):
        svg = draw(**case)
        expected = render_to_string(f"charts/{captured['template']}", captured["context"])
    assert captured["template"] in charts._WRITERS
    assert str(svg) == expected
    assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg
