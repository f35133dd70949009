"""Small SVG charts built server-side from templates: one shared helper for
pages and PDF reports. (Measured: matplotlib costs about 1 s per 40 charts;
these cost well under 1 ms each.)

Every function returns safe SVG markup with a <title> and <desc>, role="img",
numbers formatted for the active language, and colours that are never the
only signal (values are written next to bars, legends name each series).

Labels are laid out from the width of their text in DejaVu Sans (the font the
charts ask for first, and the one WeasyPrint uses): legends wrap onto more
rows instead of cutting names, the values on a line chart are moved apart
where lines meet, long row labels are shortened to their column with "…"
(the full label stays in the chart's description). `text_box` gives the box
of each text so tests check that no two overlap.
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
TITLE_SIZE = 13
LEGEND_ROW = 16
_ids = itertools.count(1)

# Advance widths of DejaVu Sans (Book) in thousandths of the font size, from
# the font's hmtx table; other characters count as 0.65 em. Bold is ~12 % wider.
_ADVANCES = {
    275: "'",
    278: "ijlí",
    295: "IJÍ",
    318: " ,.·",
    337: "/:;\\|",
    352: "f",
    361: "-",
    390: "()[]",
    392: "t",
    401: "!¡",
    411: "r",
    460: '"',
    471: "ºª",
    500: "*_`–°",
    521: "s",
    525: "z",
    531: "?¿",
    550: "c",
    557: "L",
    575: "F",
    579: "k",
    592: "vxy",
    603: "P",
    611: "TY",
    612: "oó",
    613: "aá",
    615: "eé",
    632: "EÉ",
    634: "hnuúñü",
    635: "Sbdgpq",
    636: "$0123456789{}",
    656: "K",
    684: "AVÁ",
    685: "XZ",
    686: "B",
    695: "R",
    698: "C",
    732: "UÚÜ",
    748: "NÑ",
    752: "H",
    770: "D",
    775: "G",
    780: "&",
    787: "OQÓ",
    818: "w",
    838: "#+<=>^~",
    863: "M",
    950: "%",
    974: "m",
    989: "W",
    1000: "@…—",
}
_ADVANCE = {char: width / 1000 for width, chars in _ADVANCES.items() for char in chars}


def text_width(text, size, *, bold=False):
    """Width in px of `text` set in DejaVu Sans at `size` px."""
    em = sum(_ADVANCE.get(char, 0.65) for char in str(text))
    return em * size * (1.12 if bold else 1.0)


def text_box(text, *, x, y, size, anchor="start", bold=False):
    """(left, top, right, bottom) of a text drawn with its baseline at y."""
    width = text_width(text, size, bold=bold)
    left = x - {"start": 0, "middle": width / 2, "end": width}[anchor]
    return (left, y - 0.76 * size, left + width, y + 0.24 * size)


def fit_text(text, size, max_width):
    """`text`, shortened with "…" until it fits in max_width px."""
    text = str(text)
    if text_width(text, size) <= max_width:
        return text
    while text and text_width(text + "…", size) > max_width:
        text = text[:-1]
    return text.rstrip() + "…"


def _wrap(text, size, max_width, *, bold=False):
    """Lines of `text` broken between words to fit max_width px."""
    lines, line = [], ""
    for word in str(text).split():
        candidate = f"{line} {word}" if line else word
        if line and text_width(candidate, size, bold=bold) > max_width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return [*lines, line] if line else lines


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


def _title(title):
    """The visible title, wrapped: (lines with their baseline, bottom edge)."""
    lines = _wrap(title, TITLE_SIZE, WIDTH - 4, bold=True) or [""]
    return [{"text": line, "y": 16 + i * 17} for i, line in enumerate(lines)], 16 + (
        len(lines) - 1
    ) * 17 + 4


def _legend(series, *, top, size, start=2):
    """Legend keys (a 10 px square, then the name) in rows from `top`: each
    key follows the previous one and a key that would cross the right edge
    starts a new row, so no name is cut. Returns (keys, bottom edge)."""
    keys, x, row = [], start, 0
    for name, color in series:
        width = 14 + text_width(name, size)
        if x > start and x + width > WIDTH:
            x, row = start, row + 1
        baseline = top + 9 + row * LEGEND_ROW
        keys.append(
            {
                "name": name,
                "color": color,
                "x": round(x, 1),
                "text_x": round(x + 14, 1),
                "y": baseline,
                "key_y": baseline - 9,
            }
        )
        x += width + 14
    bottom = top + 12 + row * LEGEND_ROW if keys else top
    return keys, bottom


def _render(template, context):
    context["uid"] = f"chart{next(_ids)}"
    context["width"] = WIDTH
    return mark_safe(render_to_string(f"charts/{template}", context))  # noqa: S308 - autoescaped


def bar_chart(*, title, items, unit="", max_value=None, number_format=None, decimals=0):
    """Horizontal bars, one per (label, value); None values are shown as "—"."""
    values = [v for _label, v in items if v is not None]
    top = max_value or (max(values) if values else 0) or 1
    plot = WIDTH - LABEL_WIDTH - 70
    title_lines, title_bottom = _title(title)
    first = title_bottom + 10
    rows = []
    for index, (label, value) in enumerate(items):
        length = 0 if value is None else max(0.0, min(1.0, value / top)) * plot
        text = number_format(value) if number_format else _fmt(value, decimals)
        text = f"{text}{unit}" if value is not None else text
        # The value goes after the bar, or inside its end when it would cross the edge.
        text_x = LABEL_WIDTH + length + 6
        inside = text_x + text_width(text, 12) > WIDTH
        rows.append(
            {
                "label": label,
                "short_label": fit_text(label, 12, LABEL_WIDTH - 12),
                "y": first + index * ROW_HEIGHT,
                "length": round(length, 1),
                "text_x": round(LABEL_WIDTH + length - 6 if inside else text_x, 1),
                "text_anchor": "end" if inside else "start",
                "text_fill": "#ffffff" if inside else "#1f2937",
                "text": text,
                "color": PALETTE[0],
            }
        )
    height = first + len(items) * ROW_HEIGHT + 10
    desc = "; ".join(f"{r['label']}: {r['text']}" for r in rows)
    return _render(
        "bar.svg",
        {
            "title": title,
            "title_lines": title_lines,
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
    title_lines, title_bottom = _title(title)
    legend, legend_bottom = _legend(series, top=title_bottom + 6, size=11)
    first = legend_bottom + 12
    out = []
    for index, (label, values) in enumerate(rows):
        total = sum(v or 0 for v in values)
        scale = plot / (total or 1) if percent else plot / grand
        x, segments = LABEL_WIDTH, []
        for (name, color), value in zip(series, values, strict=True):
            width = (value or 0) * scale
            share = (value or 0) * 100 / total if total else 0
            text = _fmt(share, 0) + " %" if percent else _fmt(value)
            segments.append(
                {
                    "x": round(x, 1),
                    "width": round(width, 1),
                    "color": color,
                    "name": name,
                    "text": text,
                    # Written on the segment only when it fits inside it.
                    "show_text": width >= text_width(text, 10) + 8,
                }
            )
            x += width
        out.append(
            {
                "label": label,
                "short_label": fit_text(label, 12, LABEL_WIDTH - 12),
                "y": first + index * ROW_HEIGHT,
                "segments": segments,
                "total": _fmt(total),
            }
        )
    height = first + len(rows) * ROW_HEIGHT + 10
    desc = "; ".join(
        f"{r['label']}: " + ", ".join(f"{s['name']} {s['text']}" for s in r["segments"])
        for r in out
    )
    return _render(
        "stacked.svg",
        {
            "title": title,
            "title_lines": title_lines,
            "desc": desc,
            "rows": out,
            "legend": legend,
            "height": height,
            "bar_height": BAR_HEIGHT,
            "label_x": LABEL_WIDTH - 8,
        },
    )


def diverging_bar_chart(*, title, rows, suppressed_label, compact=False):
    """Likert 1–5 diverging stacked bars: disagreement left of the centre
    line, agreement right, neutral split across it. rows=[(label, counts)]
    with counts a {"1".."5": n} dict, or None when the cell is suppressed.
    `compact` (PDF reports, where a table beside the chart gives the figures
    and the page shows the legend once) leaves out the visible title, the
    legend and the values on the bars: SVG text is what costs in WeasyPrint.
    The dashed centre line stops at suppressed rows, whose label sits there."""
    label_width = 60 if compact else LABEL_WIDTH
    plot = WIDTH - label_width - 20
    centre = label_width + plot / 2
    half = plot / 2
    labels = _likert_labels()
    legend_series = [(labels[k], LIKERT_COLORS[k]) for k in ("1", "2", "3", "4", "5")]
    if compact:
        title_lines, legend, first_row = [], [], 6
    else:
        title_lines, title_bottom = _title(title)
        legend, legend_bottom = _legend(legend_series, top=title_bottom + 6, size=9.5)
        first_row = legend_bottom + 14
    out = []
    for index, (label, counts) in enumerate(rows):
        y = first_row + index * ROW_HEIGHT
        short = fit_text(label, 12, label_width - 12)
        if counts is None:
            out.append(
                {"label": label, "short_label": short, "y": y, "suppressed": True, "segments": []}
            )
            continue
        total = sum(counts.get(k, 0) or 0 for k in LIKERT_COLORS) or 1
        share = {k: (counts.get(k, 0) or 0) / total for k in LIKERT_COLORS}
        left = share["1"] + share["2"] + share["3"] / 2
        x = centre - left * half
        segments = []
        for key in ("1", "2", "3", "4", "5"):
            width = share[key] * half
            text = _fmt(share[key] * 100, 0) + " %"
            segments.append(
                {
                    "x": round(x, 1),
                    "width": round(width, 1),
                    "color": LIKERT_COLORS[key],
                    "name": labels[key],
                    "text": text,
                    "show_text": width >= text_width(text, 10) + 6 and not compact,
                    "dark": key in ("1", "5"),
                }
            )
            x += width
        out.append(
            {
                "label": label,
                "short_label": short,
                "y": y,
                "suppressed": False,
                "segments": segments,
            }
        )
    height = first_row + len(rows) * ROW_HEIGHT + (0 if compact else 10)
    # The centre line, in pieces that leave out the suppressed rows.
    midline, start = [], first_row - 6
    for row in out:
        if row["suppressed"]:
            if row["y"] - 3 > start:
                midline.append({"y1": start, "y2": row["y"] - 3})
            start = row["y"] + ROW_HEIGHT - 7
    if height > start:
        midline.append({"y1": start, "y2": height})
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
            "title_lines": title_lines,
            "desc": desc,
            "rows": out,
            "legend": legend,
            "centre": round(centre, 1),
            "midline": midline,
            "height": height,
            "bar_height": BAR_HEIGHT,
            "suppressed_label": suppressed_label,
            "compact": compact,
            "label_x": label_width - 8,
        },
    )


def _spread(wanted, low, high, gap):
    """Baselines as close as possible to `wanted` (sorted) with at least
    `gap` between neighbours, kept within [low, high] when they fit."""
    placed = []
    for y in wanted:
        placed.append(max(y, low, placed[-1] + gap) if placed else max(y, low))
    if placed and placed[-1] > high:
        placed[-1] = high
        for i in range(len(placed) - 2, -1, -1):
            placed[i] = min(placed[i], placed[i + 1] - gap)
    return placed


def _label_baselines(ys, gap):
    """Wanted baselines of the values of points at heights `ys` (sorted):
    points closer than two labels form a cluster, whose upper half of values
    goes above it and the lower half below it, so no value sits on another."""
    clusters = []
    for y in ys:
        if clusters and y - clusters[-1][-1] < 2 * gap:
            clusters[-1].append(y)
        else:
            clusters.append([y])
    wanted = []
    for cluster in clusters:
        above = (len(cluster) + 1) // 2
        wanted += [cluster[0] - 7 - (above - 1 - j) * gap for j in range(above)]
        wanted += [cluster[-1] + 14 + j * gap for j in range(len(cluster) - above)]
    return wanted


def line_chart(*, title, x_labels, series, y_max=None, unit="", point_labels=True):
    """Lines over categories (e.g. survey waves): series=[(name, [values or None])].
    `point_labels=False` leaves the values off the points (a table gives them).
    The values of one category are stacked apart where lines meet, the first
    and last points stand clear of the axis labels, and the legend takes as
    many rows as its names need."""
    size, label_size = 11, 10
    title_lines, title_bottom = _title(title)
    colors = [PALETTE[i % len(PALETTE)] for i in range(len(series))]
    legend, legend_bottom = _legend(
        [(name, color) for (name, _v), color in zip(series, colors, strict=True)],
        top=title_bottom + 6,
        size=size,
    )
    values = [v for _n, vs in series for v in vs if v is not None]
    y_top = y_max or (max(values) if values else 1) or 1
    grid_values = [y_top * f for f in (0, 0.25, 0.5, 0.75, 1)]
    grid_texts = [_fmt(v, 0) + unit for v in grid_values]
    left = 8 + max(text_width(t, size) for t in grid_texts)
    right = WIDTH - 4
    # Room above the top line for a value written over a point at the top.
    top = legend_bottom + (22 if point_labels else 10)
    height = top + 160 + 30
    baseline = top + 160
    texts = [_fmt(v, 1) + unit for _n, vs in series for v in vs if v is not None]
    widest = max(
        [text_width(t, label_size) for t in texts if point_labels]
        + [text_width(t, size) for t in x_labels]
        + [0]
    )
    inset = widest / 2 + 6
    plot_left, plot_right = left + 6 + inset, right - inset
    step = (plot_right - plot_left) / max(1, len(x_labels) - 1)

    def x_of(i):
        return plot_left + i * step if len(x_labels) > 1 else (plot_left + plot_right) / 2

    def y_of(v):
        return top + (baseline - top) * (1 - v / y_top)

    lines = []
    for (name, vs), color in zip(series, colors, strict=True):
        points = [
            {"i": i, "x": round(x_of(i), 1), "y": round(y_of(v), 1), "text": _fmt(v, 1) + unit}
            for i, v in enumerate(vs)
            if v is not None
        ]
        lines.append(
            {
                "name": name,
                "color": color,
                "path": " ".join(f"{p['x']},{p['y']}" for p in points),
                "points": points,
            }
        )
    if point_labels:
        # Per category, each value goes just above its point; where points
        # are close the values are spread apart in the same order.
        gap = label_size * 1.1
        for i in range(len(x_labels)):
            column = sorted(
                (p for line in lines for p in line["points"] if p["i"] == i),
                key=lambda p: p["y"],
            )
            placed = _spread(
                _label_baselines([p["y"] for p in column], gap), top - 8, baseline + 3, gap
            )
            for point, label_y in zip(column, placed, strict=True):
                point["label_y"] = round(label_y, 1)
    grid = [
        {"y": round(y_of(v), 1), "text_y": round(y_of(v) + 4, 1), "text": text}
        for v, text in zip(grid_values, grid_texts, strict=True)
    ]
    ticks = [{"x": round(x_of(i), 1), "text": label} for i, label in enumerate(x_labels)]
    desc = "; ".join(
        f"{line['name']}: "
        + ", ".join(f"{x_labels[i]} {_fmt(v, 1)}{unit}" for i, v in enumerate(vs) if v is not None)
        for line, (_n, vs) in zip(lines, series, strict=True)
    )
    return _render(
        "line.svg",
        {
            "title": title,
            "title_lines": title_lines,
            "desc": desc,
            "lines": lines,
            "legend": legend,
            "grid": grid,
            "ticks": ticks,
            "height": height,
            "left": round(left, 1),
            "axis_left": round(left + 6, 1),
            "right": right,
            "baseline": baseline,
            "point_labels": point_labels,
        },
    )
