"""Files of results: CSV and XLSX of the aggregated (suppressed) figures,
and the raw anonymous responses for national analysts (shuffled, their
quasi-identifiers generalised to groups of MIN_CELL_SIZE, free text in a
file of its own). Nothing here can reach a user, an invitation or a
school: the rows come from the results dicts and from Response, which holds
none of them."""

import csv
import io
import random
from collections import defaultdict

from django.conf import settings
from openpyxl import Workbook
from openpyxl.styles import Font

from rme_platform.spreadsheets import append_row, csv_dict_row, csv_row

from .models import Answer, Question, QuestionKind, Response

RESULT_FIELDS = [
    "code",
    "n",
    "count_1",
    "count_2",
    "count_3",
    "count_4",
    "count_5",
    "pct_agree",
    "pct_neutral",
    "pct_disagree",
    "mean",
    "suppressed",
]


def result_rows(data, *, with_scope=False):
    """Flat rows (dicts) of a results dict: one per question (and role),
    counts as count_1..count_5; empty cells where suppressed."""
    rows = []
    for item in data["questions"]:
        row = {}
        if with_scope:
            row["campaign"] = data["campaign"]
            row["scope"] = data["scope"]
        if "role" in item:
            row["role"] = item["role"]
        row["code"] = item["code"]
        row["n"] = item["n"]
        counts = item["counts"] or {}
        for value in ("1", "2", "3", "4", "5"):
            row[f"count_{value}"] = counts.get(value)
        for key in ("pct_agree", "pct_neutral", "pct_disagree", "mean"):
            row[key] = item[key]
        row["suppressed"] = item["suppressed"]
        rows.append(row)
    return rows


def result_fields(rows, *, with_scope=False):
    fields = list(RESULT_FIELDS)
    if rows and "role" in rows[0]:
        fields.insert(1, "role")
    if with_scope:
        fields = ["campaign", "scope", *fields]
    return fields


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def write_results_csv(stream, datas):
    """Write one or several results dicts as CSV (a scope column is added
    when there are several)."""
    with_scope = len(datas) > 1
    rows = [row for data in datas for row in result_rows(data, with_scope=with_scope)]
    writer = csv.DictWriter(stream, fieldnames=result_fields(rows, with_scope=with_scope))
    writer.writeheader()
    for row in rows:
        values = {k: _csv_value(v) for k, v in row.items()}
        if row.get("mean") is not None:
            values["mean"] = f"{row['mean']:.2f}"  # two decimals, as everywhere a mean is shown
        writer.writerow(csv_dict_row(values))


def results_csv(datas):
    stream = io.StringIO()
    write_results_csv(stream, datas)
    return stream.getvalue()


def results_xlsx(datas, *, title, texts):
    """An XLSX workbook: a sheet of results per scope with the question text."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for data in datas:
        sheet = workbook.create_sheet(_sheet_name(data["scope"]))
        append_row(sheet, [title])
        sheet["A1"].font = Font(bold=True)
        append_row(
            sheet, [f"{data['campaign']} · {data['scope']}", "n_responses", data["n_responses"]]
        )
        sheet.append([])
        rows = result_rows(data)
        fields = result_fields(rows)
        append_row(sheet, [*fields, "text"])
        for cell in sheet[4]:
            cell.font = Font(bold=True)
        mean_column = fields.index("mean") + 1
        for row in rows:
            append_row(sheet, [row.get(f) for f in fields] + [texts.get(row["code"], "")])
            # Means are shown with two decimals everywhere (3.50, not 3.5).
            sheet.cell(row=sheet.max_row, column=mean_column).number_format = "0.00"
        sheet.column_dimensions["A"].width = 30
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def _sheet_name(scope):
    return scope.replace(":", " ")[:31]


# The quasi-identifiers of a raw row, from finest to coarsest: which of
# (region, network, role, dependency) each level still shows.
GENERALISATION = [
    ("region", "network", "role", "dependency"),
    ("region", "role", "dependency"),  # network → its region
    ("region", "role"),  # then without dependency
    ("region",),  # then without role
    (),  # then nothing: the national pool
]
QUASI_IDENTIFIERS = GENERALISATION[0]

_shuffle_random = random.SystemRandom()


def _key(row, level):
    return tuple(row[field] for field in GENERALISATION[level])


def generalise(rows, minimum, rng=None):
    """k-anonymity for the raw rows (dicts with the QUASI_IDENTIFIERS): give
    each row the finest level of GENERALISATION at which the combination it
    shows is shared by at least `minimum` rows, and blank what that level
    drops. Rows of a combination too small at one level are pooled at the
    next; where a pool falls short, combinations already placed that share
    its key give it rows they can spare (chosen at random, never going under
    the minimum), so a small network is not left alone at any level. Rows
    still short at the national level take whole combinations with them
    (smallest first) into that pool, where nothing is shown; only when the
    whole campaign has fewer than `minimum` responses are rows left out.
    Returns the rows, generalised, in random order."""
    rng = rng or _shuffle_random
    placed = []  # [(level, rows)], every list at least `minimum` long
    pending = list(rows)
    for level in range(len(GENERALISATION)):
        groups = defaultdict(list)
        for row in pending:
            groups[_key(row, level)].append(row)
        residual = []
        for group in groups.values():
            if len(group) >= minimum:
                placed.append((level, group))
            else:
                residual += group
        if level + 1 < len(GENERALISATION):
            pools = defaultdict(int)
            for row in residual:
                pools[_key(row, level + 1)] += 1
            for parent, size in pools.items():
                need = minimum - size
                donors = sorted(
                    (g for _l, g in placed if _key(g[0], level + 1) == parent),
                    key=len,
                    reverse=True,
                )
                if need <= 0 or sum(len(g) - minimum for g in donors) < need:
                    continue
                for group in donors:
                    for _i in range(min(need, len(group) - minimum)):
                        residual.append(group.pop(rng.randrange(len(group))))
                        need -= 1
        pending = residual
    # The national pool (nothing shown) still short: dissolve whole
    # combinations into it, smallest first, as long as there are some.
    while pending and len(pending) < minimum and placed:
        smallest = min(range(len(placed)), key=lambda i: len(placed[i][1]))
        pending += placed.pop(smallest)[1]
    if len(pending) >= minimum:
        placed.append((len(GENERALISATION) - 1, pending))
    out = []
    for level, group in placed:
        shown = GENERALISATION[level]
        for row in group:
            out.append(
                {
                    f: ("" if f in QUASI_IDENTIFIERS and f not in shown else v)
                    for f, v in row.items()
                }
            )
    rng.shuffle(out)
    return out


def _raw_questions(campaign):
    return list(
        Question.objects.filter(instrument_id=campaign.instrument_id).order_by(
            "section__order", "order", "pk"
        )
    )


def raw_responses_csv(campaign, *, rng=None):
    """The campaign's responses in the import format (region, network, role,
    dependency and one column per question code but the free-text ones),
    in random order, with the quasi-identifiers generalised until every
    combination shown holds at least MIN_CELL_SIZE rows (`generalise`:
    network → region, then without dependency, then without role). Free
    text goes to its own file (`raw_texts_csv`). No response id, date or
    anything else that could single someone out."""
    questions = [q for q in _raw_questions(campaign) if q.kind != QuestionKind.TEXT]
    responses = Response.objects.filter(campaign=campaign).values_list(
        "pk", "region_id", "network__code", "role", "dependency"
    )
    answers = {}
    for response_id, question_id, value, text in (
        Answer.objects.filter(response__campaign=campaign)
        .exclude(question__kind=QuestionKind.TEXT)
        .order_by("response_id", "question_id", "value")
        .values_list("response_id", "question_id", "value", "text")
        .iterator(chunk_size=5000)
    ):
        answers.setdefault(response_id, {}).setdefault(question_id, []).append((value, text))
    rows = [
        {
            "region": region,
            "network": network_code or "",
            "role": role,
            "dependency": dependency,
            "_answers": answers.get(pk, {}),
        }
        for pk, region, network_code, role, dependency in responses
    ]
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow(csv_row([*QUASI_IDENTIFIERS, *[q.code for q in questions]]))
    for row in generalise(rows, settings.MIN_CELL_SIZE, rng):
        given = row["_answers"]
        cells = [_raw_cell(question, given.get(question.pk, [])) for question in questions]
        writer.writerow(csv_row([*(row[f] for f in QUASI_IDENTIFIERS), *cells]))
    return stream.getvalue()


def raw_texts_csv(campaign, *, rng=None):
    """The free-text answers of the campaign, apart from everything else:
    one row per answer (question code, text), in random order, with no
    region, network, role, dependency or other answer beside it, so a text
    cannot be joined to the rows of `raw_responses_csv`.

    The minimum applies per question: the texts of a question are released
    only when at least MIN_CELL_SIZE responses of the campaign answered it
    (a text of its own); a question fewer answered gives no row at all, as
    a text among two or three could be told apart by whoever knows who
    answered. Per question rather than per campaign, because the campaign
    may have hundreds of responses while an optional question was answered
    by one person."""
    rng = rng or _shuffle_random
    texts = list(
        Answer.objects.filter(response__campaign=campaign, question__kind=QuestionKind.TEXT)
        .exclude(text="")
        .values_list("question__code", "response_id", "text")
    )
    answered = defaultdict(set)
    for code, response_id, _text in texts:
        answered[code].add(response_id)
    released = [
        (code, text)
        for code, _response_id, text in texts
        if len(answered[code]) >= settings.MIN_CELL_SIZE
    ]
    rng.shuffle(released)
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow(["question", "text"])
    for code, text in released:
        writer.writerow(csv_row([code, text]))
    return stream.getvalue()


def _raw_cell(question, values):
    if not values:
        return ""
    if question.kind == QuestionKind.TEXT:
        return values[0][1]
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        options = question.options
        return ";".join(
            options[v - 1]["value"] if 0 < v <= len(options) else str(v) for v, _t in values
        )
    return str(values[0][0])
