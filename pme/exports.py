"""An annual plan as a printable PDF (weasyprint, from a template) and as a
workbook (openpyxl). The page, the API-less download view and the
`export_pme` command all call these; callers check access first."""

import io

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from rme_platform.pdf import html_to_pdf
from rme_platform.spreadsheets import append_row

from . import selectors
from .models import ActionUpdate, FundingSource

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CLP_FORMAT = '"$"#,##0'


def filename(plan, fmt):
    return f"pme_{plan.school_id}_{plan.year}.{fmt}"


def _context(plan):
    actions = selectors.plan_actions(plan)
    groups = selectors.group_by_dimension(actions)
    summary = selectors.plan_summary(actions)
    chart = selectors.plan_status_chart(groups)
    cycle = plan.cycle
    objectives = list(
        cycle.objectives.select_related("dimension").prefetch_related("goals", "strategies")
    )
    objectives.sort(key=lambda o: (o.dimension.order, o.pk))
    return {
        "plan": plan,
        "school": plan.school,
        "cycle": cycle,
        "objectives": objectives,
        "groups": groups,
        "summary": summary,
        "chart": chart,
        "generated_at": timezone.now(),
    }


def plan_pdf(plan):
    """The plan as PDF bytes: cover data, summary, chart, objectives and the
    actions of each dimension."""
    pdf, _pages = html_to_pdf(render_to_string("pme/plan_pdf.html", _context(plan)))
    return pdf


def plan_xlsx(plan):
    """The plan as XLSX bytes: a summary sheet, the actions (one a row, with
    funding by source in CLP) and the progress updates."""
    context = _context(plan)
    school = plan.school
    workbook = Workbook()
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="0F4C81")
    header_font = Font(bold=True, color="FFFFFF")

    sheet = workbook.active
    sheet.title = _("Plan")
    rows = [
        (_("Establecimiento"), school.display_name),
        (_("RBD"), school.rbd_with_digit),
        (_("Comuna"), school.comuna.name),
        (_("Sostenedor"), str(school.sostenedor) if school.sostenedor else ""),
        (_("Año"), plan.year),
        (_("Ciclo"), f"{plan.cycle.first_year}–{plan.cycle.last_year}"),
        (_("Fase"), plan.get_phase_display()),
        (_("Compartido con la red"), _("Sí") if plan.shared_with_network else _("No")),
        (
            _("Aprobado por el sostenedor"),
            timezone.localtime(plan.approved_at).strftime("%d-%m-%Y")
            if plan.approved_at
            else _("No"),
        ),
        (_("Acciones"), context["summary"]["total"]),
        (_("Acciones atrasadas"), context["summary"]["delayed"]),
        (_("Avance promedio (%)"), context["summary"]["avg_progress"]),
    ]
    for label, value in rows:
        append_row(sheet, [label, value])
    sheet.append([])
    append_row(sheet, [_("Financiamiento por fuente"), _("Monto (CLP)")])
    for label, _source, amount in context["summary"]["funding"]:
        append_row(sheet, [str(label), amount])
        sheet.cell(row=sheet.max_row, column=2).number_format = CLP_FORMAT
    append_row(sheet, [_("Total"), context["summary"]["funding_total"]])
    sheet.cell(row=sheet.max_row, column=2).number_format = CLP_FORMAT
    for row in sheet.iter_rows(min_col=1, max_col=1):
        row[0].font = bold
    sheet.column_dimensions["A"].width = 32
    sheet.column_dimensions["B"].width = 48

    actions_sheet = workbook.create_sheet(_("Acciones"))
    sources = list(FundingSource)
    header = [
        _("Dimensión"),
        _("Subdimensión"),
        _("Acción"),
        _("Descripción"),
        _("Estrategia"),
        _("Inicio"),
        _("Término"),
        _("Responsable"),
        _("Recursos"),
        _("Proveedor ATE"),
        _("Medios de verificación"),
        *[_("%(source)s (CLP)") % {"source": s.label} for s in sources],
        _("Total (CLP)"),
        _("Estado"),
        _("Avance (%)"),
    ]
    append_row(actions_sheet, [str(h) for h in header])
    for _dimension, items in context["groups"]:
        for action in items:
            amounts = {line.source: line.amount for line in action.funding.all()}
            append_row(
                actions_sheet,
                [
                    str(action.dimension),
                    str(action.subdimension) if action.subdimension else "",
                    action.name,
                    action.description,
                    action.strategy.text if action.strategy else "",
                    action.start_date,
                    action.end_date,
                    action.responsible,
                    action.resources,
                    action.ate_provider.name if action.ate_provider else "",
                    action.verification_means,
                    *[amounts.get(s.value, 0) for s in sources],
                    sum(amounts.values()),
                    str(action.effective_status_label),
                    action.progress,
                ],
            )
    first_money = 12
    for row in actions_sheet.iter_rows(min_row=2):
        row[5].number_format = row[6].number_format = "DD-MM-YYYY"
        for cell in row[first_money - 1 : first_money - 1 + len(sources) + 1]:
            cell.number_format = CLP_FORMAT
        for cell in row:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    widths = [22, 26, 40, 50, 36, 12, 12, 22, 30, 28, 36] + [14] * (len(sources) + 1) + [14, 10]
    for index, width in enumerate(widths, start=1):
        actions_sheet.column_dimensions[get_column_letter(index)].width = width
    for cell in actions_sheet[1]:
        cell.font, cell.fill = header_font, header_fill
    actions_sheet.freeze_panes = "D2"
    actions_sheet.auto_filter.ref = actions_sheet.dimensions

    updates_sheet = workbook.create_sheet(_("Avances"))
    append_row(
        updates_sheet,
        [str(h) for h in (_("Acción"), _("Fecha"), _("Avance (%)"), _("Nota"), _("Evidencias"))],
    )
    updates = (
        ActionUpdate.objects.filter(action__plan=plan)
        .select_related("action")
        .prefetch_related("evidence")
        .order_by("action__start_date", "action_id", "date", "pk")
    )
    for update in updates:
        append_row(
            updates_sheet,
            [
                update.action.name,
                update.date,
                update.progress,
                update.note,
                ", ".join(e.original_name for e in update.evidence.all()),
            ],
        )
        updates_sheet.cell(row=updates_sheet.max_row, column=2).number_format = "DD-MM-YYYY"
    for cell in updates_sheet[1]:
        cell.font, cell.fill = header_font, header_fill
    for letter, width in zip("ABCDE", (40, 12, 10, 60, 40), strict=True):
        updates_sheet.column_dimensions[letter].width = width

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
