"""Small SVG charts built server-side from templates: one shared helper for
pages and PDF reports. (Measured: matplotlib costs about 1 s per 40 charts;
these cost well under 1 ms each.)

Every function returns safe SVG markup with a <title> and <desc>, role="img",
numbers formatted for the active language, and colours that are never the
only signal (values are written next to bars, legends name each series).
"""

import itertools

from django.template.loader import render_to_string
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

WIDTH = 640
LABEL_WIDTH = 220
ROW_HEIGHT = 26
BAR_HEIGHT = 16
PALETTE = ["#0f4c81", "#d52b1e", "#2a9d8f", "#e9c46a", "#6c757d", "#8e6bbf", "#f4a261"]
LIKERT_COLORS = {"1": "#b2182b", "2": "#ef8a62", "3": "#bdbdbd", "4": "#67a9cf", "5": "#2166ac"}
_ids = itertools.count(1)


def _fmt(value, decimals=0):
    if value is None:
        return "—"
    return number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def _likert_labels():
    return {
        "1": _("Muy en desacuerdo"),
        "2": _("En desacuerdo"),
        "3": _("Ni de acuerdo ni en desacuerdo"),
        "4": _("De acuerdo"),
        "5": _("Muy de acuerdo"),
    }


def _legend(series, *, start, char_width=5.6):
    """Legend keys laid out one after the other from `start`, moved left as
    far as needed so the last label stays inside the chart."""
    widths = [22 + int(len(str(name)) * char_width) for name, _color in series]
    x = max(0, min(start, WIDTH - sum(widths)))
    legend = []
    for (name, color), width in zip(series, widths, strict=True):
        legend.append({"name": name, "color": color, "x": x})
        x += width
    return legend


def _render(template, context):
    context["uid"] = f"chart{next(_ids)}"
    context["width"] = WIDTH
    return mark_safe(render_to_string(f"charts/{template}", context))  # noqa: S308 - autoescaped


def bar_chart(*, title, items, unit="", max_value=None, number_format=None, decimals=0):
    """Horizontal bars, one per (label, value); None values are shown as "—"."""
    values = [v for _label, v in items if v is not None]
    top = max_value or (max(values) if values else 0) or 1
    plot = WIDTH - LABEL_WIDTH - 70
    rows = []
    for index, (label, value) in enumerate(items):
        length = 0 if value is None else max(0.0, min(1.0, value / top)) * plot
        text = number_format(value) if number_format else _fmt(value, decimals)
        rows.append(
            {
                "label": label,
                "y": 30 + index * ROW_HEIGHT,
                "length": round(length, 1),
                "text_x": round(LABEL_WIDTH + length + 6, 1),
                "text": f"{text}{unit}" if value is not None else text,
                "color": PALETTE[0],
            }
        )
    height = 30 + len(items) * ROW_HEIGHT + 10
    desc = "; ".join(f"{r['label']}: {r['text']}" for r in rows)
    return _render(
        "bar.svg",
        {
            "title": title,
            "desc": desc,
            "rows": rows,
            "height": height,
            "x0": LABEL_WIDTH,
            "bar_height": BAR_HEIGHT,
        },
    )


def stacked_bar_chart(*, title, rows, series, percent=False):
    """Horizontal stacked bars: rows=[(label, [v1, v2, ...])], series=[(name, colour)].
    With percent=True each row is scaled to its own total (100 %)."""
    plot = WIDTH - LABEL_WIDTH - 20
    grand = max((sum(v or 0 for v in values) for _l, values in rows), default=0) or 1
    out = []
    for index, (label, values) in enumerate(rows):
        total = sum(v or 0 for v in values)
        scale = plot / (total or 1) if percent else plot / grand
        x, segments = LABEL_WIDTH, []
        for (name, color), value in zip(series, values, strict=True):
            width = (value or 0) * scale
            share = (value or 0) * 100 / total if total else 0
            segments.append(
                {
                    "x": round(x, 1),
                    "width": round(width, 1),
                    "color": color,
                    "name": name,
                    "text": _fmt(share, 0) + " %" if percent else _fmt(value),
                    "show_text": width >= 28,
                }
            )
            x += width
        out.append(
            {
                "label": label,
                "y": 50 + index * ROW_HEIGHT,
                "segments": segments,
                "total": _fmt(total),
            }
        )
    height = 50 + len(rows) * ROW_HEIGHT + 10
    legend = _legend(series, start=LABEL_WIDTH, char_width=6.3)
    desc = "; ".join(
        f"{r['label']}: " + ", ".join(f"{s['name']} {s['text']}" for s in r["segments"])
        for r in out
    )
    return _render(
        "stacked.svg",
        {
            "title": title,
            "desc": desc,
            "rows": out,
            "legend": legend,
            "height": height,
            "bar_height": BAR_HEIGHT,
        },
    )


def diverging_bar_chart(*, title, rows, suppressed_label, compact=False):
    """Likert 1–5 diverging stacked bars: disagreement left of the centre
    line, agreement right, neutral split across it. rows=[(label, counts)]
    with counts a {"1".."5": n} dict, or None when the cell is suppressed.
    `compact` (PDF reports, where a table beside the chart gives the figures
    and the page shows the legend once) leaves out the visible title, the
    legend and the values on the bars: SVG text is what costs in WeasyPrint."""
    label_width = 60 if compact else LABEL_WIDTH
    plot = WIDTH - label_width - 20
    centre = label_width + plot / 2
    half = plot / 2
    labels = _likert_labels()
    first_row = 6 if compact else 50
    out = []
    for index, (label, counts) in enumerate(rows):
        y = first_row + index * ROW_HEIGHT
        if counts is None:
            out.append({"label": label, "y": y, "suppressed": True, "segments": []})
            continue
        total = sum(counts.get(k, 0) or 0 for k in LIKERT_COLORS) or 1
        share = {k: (counts.get(k, 0) or 0) / total for k in LIKERT_COLORS}
        left = share["1"] + share["2"] + share["3"] / 2
        x = centre - left * half
        segments = []
        for key in ("1", "2", "3", "4", "5"):
            width = share[key] * half
            segments.append(
                {
                    "x": round(x, 1),
                    "width": round(width, 1),
                    "color": LIKERT_COLORS[key],
                    "name": labels[key],
                    "text": _fmt(share[key] * 100, 0) + " %",
                    "show_text": width >= 26 and not compact,
                    "dark": key in ("1", "5"),
                }
            )
            x += width
        out.append({"label": label, "y": y, "suppressed": False, "segments": segments})
    legend = _legend([(labels[k], LIKERT_COLORS[k]) for k in ("1", "2", "3", "4", "5")], start=0)
    desc = "; ".join(
        f"{r['label']}: "
        + (
            suppressed_label
            if r["suppressed"]
            else ", ".join(f"{s['name']} {s['text']}" for s in r["segments"])
        )
        for r in out
    )
    return _render(
        "diverging.svg",
        {
            "title": title,
            "desc": desc,
            "rows": out,
            "legend": legend,
            "centre": round(centre, 1),
            "height": first_row + len(rows) * ROW_HEIGHT + (0 if compact else 10),
            "bar_height": BAR_HEIGHT,
            "suppressed_label": suppressed_label,
            "top": first_row - 10,
            "compact": compact,
            "label_x": label_width - 8,
        },
    )


def line_chart(*, title, x_labels, series, y_max=None, unit="", legend_step=160, point_labels=True):
    """Lines over categories (e.g. survey waves): series=[(name, [values or None])].
    `legend_step` is the room of each legend key (smaller for short names);
    `point_labels=False` leaves the values off the points (a table gives them)."""
    left, right, top, bottom = 50, 20, 40, 40
    height = 240
    plot_w = WIDTH - left - right
    plot_h = height - top - bottom
    values = [v for _n, vs in series for v in vs if v is not None]
    y_top = y_max or (max(values) if values else 1) or 1
    step = plot_w / max(1, len(x_labels) - 1)

    def point(i, v):
        return round(left + i * step if len(x_labels) > 1 else left + plot_w / 2, 1), round(
            top + plot_h - (v / y_top) * plot_h, 1
        )

    lines = []
    for index, (name, vs) in enumerate(series):
        color = PALETTE[index % len(PALETTE)]
        pts = [(i, v, *point(i, v)) for i, v in enumerate(vs) if v is not None]
        lines.append(
            {
                "name": name,
                "color": color,
                "path": " ".join(f"{x},{y}" for _i, _v, x, y in pts),
                "points": [
                    {"x": x, "y": y, "text": _fmt(v, 1) + unit, "dy": -8 if index % 2 == 0 else 16}
                    for _i, v, x, y in pts
                ],
                "legend_x": left + index * legend_step,
            }
        )
    grid = [
        {"y": round(top + plot_h - f * plot_h, 1), "text": _fmt(y_top * f, 0) + unit}
        for f in (0, 0.25, 0.5, 0.75, 1)
    ]
    ticks = [{"x": point(i, 0)[0], "text": label} for i, label in enumerate(x_labels)]
    desc = "; ".join(
        f"{line['name']}: "
        + ", ".join(f"{x_labels[i]} {_fmt(v, 1)}{unit}" for i, v in enumerate(vs) if v is not None)
        for line, (_n, vs) in zip(lines, series, strict=True)
    )
    return _render(
        "line.svg",
        {
            "title": title,
            "desc": desc,
            "lines": lines,
            "grid": grid,
            "ticks": ticks,
            "height": height,
            "left": left,
            "right": WIDTH - right,
            "baseline": top + plot_h,
            "point_labels": point_labels,
        },
    )
