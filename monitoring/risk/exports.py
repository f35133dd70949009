"""CSV and XLSX of the networks at risk of a scope: one row per network
with its indicators and its reasons, headers in the reader's language.
Written through rme_platform.spreadsheets (text stays text)."""

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from networks.meetings.models import AttendeeRole
from rme_platform.spreadsheets import append_row, csv_row


def _columns():
    return [
        (_("Código"), lambda r: r.network.code),
        (_("Red"), lambda r: r.network.name),
        (_("Departamento provincial"), lambda r: r.network.deprov.name),
        (_("Región"), lambda r: r.network.deprov.region.name),
        (_("Año"), lambda r: r.year),
        (_("Reuniones realizadas"), lambda r: r.meetings_held),
        (_("Asistencia de directores (%)"), lambda r: r.attendance.get(AttendeeRole.DIRECTOR)),
        (_("Asistencia de jefes de UTP (%)"), lambda r: r.attendance.get(AttendeeRole.UTP)),
        (
            _("Asistencia de representantes del sostenedor (%)"),
            lambda r: r.attendance.get(AttendeeRole.SOSTENEDOR_REP),
        ),
        (
            _("Cambio de la asistencia de directores (puntos)"),
            lambda r: r.attendance_change(AttendeeRole.DIRECTOR),
        ),
        (_("Temas propuestos por los integrantes (%)"), lambda r: r.agenda_from_members),
        (_("Acuerdos cumplidos a tiempo (%)"), lambda r: r.agreements_on_time),
        (_("Reuniones con socios externos"), lambda r: r.meetings_with_partners),
        (_("Acciones PME"), lambda r: r.pme_actions),
        (_("Acciones PME atrasadas (%)"), lambda r: r.pme_delayed_rate),
        (
            _("Interés en las reuniones (porcentaje de acuerdo)"),
            lambda r: r.survey.get("interest", {}).get("current"),
        ),
        (
            _("Interés en las reuniones, cambio (puntos)"),
            lambda r: r.survey.get("interest", {}).get("change"),
        ),
        (
            _("Vínculo con la comunidad (porcentaje de acuerdo)"),
            lambda r: r.survey.get("community", {}).get("current"),
        ),
        (
            _("Vínculo con la comunidad, cambio (puntos)"),
            lambda r: r.survey.get("community", {}).get("change"),
        ),
        (_("Señales"), lambda r: " ".join(r.reason_texts)),
    ]


def risk_csv(risks):
    columns = _columns()
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow(csv_row([title for title, _get in columns]))
    for risk in risks:
        writer.writerow(csv_row(["" if (v := get(risk)) is None else v for _t, get in columns]))
    return stream.getvalue()


def risk_xlsx(risks, *, title):
    columns = _columns()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Redes en riesgo")[:31]
    append_row(sheet, [title])
    sheet["A1"].font = Font(bold=True)
    append_row(sheet, [t for t, _get in columns])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for risk in risks:
        append_row(sheet, [get(risk) for _t, get in columns])
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()
