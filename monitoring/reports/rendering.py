"""The rendering of a report: its numbers written the language's way, the
SVG charts (rme_platform.charts), the HTML of
templates/monitoring/reports/report_pdf.html and the PDF WeasyPrint makes of
it. Everything here reads the data of `data.scope_data`, never the database."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rme_platform.charts import LIKERT_COLORS, bar_chart, diverging_bar_chart, line_chart
from rme_platform.pdf import html_to_pdf

from ..models import likert_labels

# --- formatting -----------------------------------------------------------------------


def pct(value):
    """A percentage as the language writes it: "62,4 %" in Spanish, "62.4%" in English."""
    if value is None:
        return "—"
    text = number_format(value, decimal_pos=1, use_l10n=True)
    if (translation.get_language() or "es").startswith("en"):
        return f"{text}%"
    return f"{text}\N{NO-BREAK SPACE}%"


def points(value):
    """A difference in percentage points, signed: "+3,2" / "−1,5"."""
    if value is None:
        return "—"
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return sign + number_format(abs(value), decimal_pos=1, use_l10n=True)


def suppressed_label():
    return ngettext(
        "menos de %(n)s respuesta", "menos de %(n)s respuestas", settings.MIN_CELL_SIZE
    ) % {"n": settings.MIN_CELL_SIZE}


def not_asked_label():
    return _("no incluida en esta encuesta")


# --- rendering ------------------------------------------------------------------------------


def _charts(data):
    """The SVG charts of a report, from its data."""
    label = suppressed_label()
    years = [str(w["year"]) for w in data["waves"]]
    for construct in data["constructs"]:
        rows = [
            (f"P{q['number']}", None if q["cells"][0]["suppressed"] else q["cells"][0]["counts"])
            for q in construct["questions"]
            if not q["cells"][0].get("not_asked")
        ]
        construct["chart"] = None
        if rows:
            construct["chart"] = diverging_bar_chart(
                title=_("%(construct)s: distribución de respuestas en %(scope)s")
                % {"construct": construct["name"], "scope": data["short_labels"][0].lower()},
                rows=rows,
                suppressed_label=label,
                compact=True,
            )
        construct["trend_chart"] = None
        if data["has_trend"] and any(
            v is not None for q in construct["questions"] for v in q["trend"][:-1]
        ):
            construct["trend_chart"] = line_chart(
                title=_("%(construct)s: porcentaje de acuerdo por año")
                % {"construct": construct["name"]},
                x_labels=years,
                series=[(f"P{q['number']}", q["trend"]) for q in construct["questions"]],
                y_max=100,
                unit=" %",
                point_labels=False,
            )
    charts = {}
    meetings = data["meetings"]
    if meetings:
        charts["attendance"] = bar_chart(
            title=_("Asistencia a las reuniones realizadas, por cargo"),
            items=[(row["label"], row["rate"]) for row in meetings["attendance"]],
            unit=" %",
            max_value=100,
            decimals=1,
        )
    if data["pme"]:
        charts["pme"] = bar_chart(
            title=_("Avance promedio de las acciones por dimensión"),
            items=[(row["name"], row["progress"]) for row in data["pme"]["rows"]],
            unit=" %",
            max_value=100,
            decimals=1,
        )
    return charts


def _questions_by_number(data):
    return {q["number"]: q for c in data["constructs"] for q in c["questions"]}


def render_html(data, *, generated_at=None):
    """The report's HTML in the active language (call inside translation.override)."""
    charts = _charts(data)
    by_number = _questions_by_number(data)
    findings = data["findings"]
    context = {
        "data": data,
        "charts": charts,
        "generated_at": timezone.localtime(generated_at or timezone.now()),
        "highest": [by_number[n] for n in findings["highest"]],
        "lowest": [by_number[n] for n in findings["lowest"]],
        "changes": [(by_number[n], delta) for delta, n in findings["changes"]],
        "suppressed_label": suppressed_label(),
        "not_asked_label": not_asked_label(),
        "has_trend": data["has_trend"],
        "previous_year": data["waves"][-2]["year"] if len(data["waves"]) > 1 else None,
        "national": data["scope_kind"] == "national",
        "legend": [(likert_labels()[v], LIKERT_COLORS[str(v)]) for v in range(1, 6)],
    }
    return render_to_string("monitoring/reports/report_pdf.html", context)


def render_pdf(data, *, generated_at=None):
    """PDF bytes of a report and its page count (rme_platform.pdf: tagged,
    fonts embedded, metadata from the template's head)."""
    return html_to_pdf(render_html(data, generated_at=generated_at))


def download_filename(report):
    scope = report.scope_text.replace(":", "-")
    return f"informe_{report.campaign.slug}_{scope}_{report.language}.pdf"
