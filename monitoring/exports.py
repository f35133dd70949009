"""Files of results: CSV and XLSX of the aggregated (suppressed) figures,
and the raw anonymous responses for national analysts. Nothing here can
reach a user, an invitation or a school: the rows come from the results
dicts and from Response, which holds none of them."""

import csv
import io

from django.conf import settings
from django.db.models import Count

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
        writer.writerow(csv_dict_row({k: _csv_value(v) for k, v in row.items()}))


def results_csv(datas):
    stream = io.StringIO()
    write_results_csv(stream, datas)
    return stream.getvalue()


def results_xlsx(datas, *, title, texts):
    """An XLSX workbook: a sheet of results per scope with the question text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

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
        for row in rows:
            append_row(sheet, [row.get(f) for f in fields] + [texts.get(row["code"], "")])
        sheet.column_dimensions["A"].width = 30
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def _sheet_name(scope):
    return scope.replace(":", " ")[:31]


def raw_responses_csv(campaign):
    """The campaign's responses in the import format (region, network, role,
    dependency and one column per question code), sorted by scope. The
    network is left blank where it has fewer than MIN_CELL_SIZE responses.
    No response id, date or anything else that could single someone out."""
    questions = list(
        Question.objects.filter(instrument_id=campaign.instrument_id).order_by(
            "section__order", "order", "pk"
        )
    )
    small = {
        row["network_id"]
        for row in Response.objects.filter(campaign=campaign)
        .values("network_id")
        .annotate(n=Count("pk"))
        if row["n"] < settings.MIN_CELL_SIZE
    }
    responses = list(
        Response.objects.filter(campaign=campaign)
        .select_related("network")
        .order_by("region_id", "network__code", "role", "dependency", "pk")
        .values_list("pk", "region_id", "network_id", "network__code", "role", "dependency")
    )
    answers = {}
    for response_id, question_id, value, text in (
        Answer.objects.filter(response__campaign=campaign)
        .order_by("response_id", "question_id", "value")
        .values_list("response_id", "question_id", "value", "text")
        .iterator(chunk_size=5000)
    ):
        answers.setdefault(response_id, {}).setdefault(question_id, []).append((value, text))
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow(
        csv_row(["region", "network", "role", "dependency", *[q.code for q in questions]])
    )
    for pk, region, network_id, network_code, role, dependency in responses:
        given = answers.get(pk, {})
        cells = []
        for question in questions:
            values = given.get(question.pk, [])
            cells.append(_raw_cell(question, values))
        network = "" if network_id is None or network_id in small else network_code
        writer.writerow(csv_row([region, network, role, dependency, *cells]))
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
