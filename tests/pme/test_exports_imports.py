"""Exports (PDF checked with pdftotext, XLSX with openpyxl; the export_pme
command) and the all-or-nothing CSV imports (import_pme_actions, the ATE
registry)."""

import io
import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from pme import services
from pme.models import Action, ATEProvider
from tests.factories import ATEProviderFactory, FundingLineFactory

pytestmark = pytest.mark.django_db


def pdf_text(content, tmp_path):
    if shutil.which("pdftotext") is None:
        pytest.skip("needs pdftotext (poppler-utils)")
    path = tmp_path / "plan.pdf"
    path.write_bytes(content)
    done = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return " ".join(done.stdout.split())


def test_pdf_of_the_annual_plan(pme_world, client, tmp_path):
    FundingLineFactory(action=pme_world.action_a1, source="pie", amount=250_000)
    services.approve_plan(by=pme_world.rep_a, plan=pme_world.plan_a1)
    client.force_login(pme_world.supervisor_a)
    response = client.get(f"/pme/plans/{pme_world.plan_a1.pk}/export.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"pme_{pme_world.a1.rbd}_2025.pdf" in response["Content-Disposition"]
    text = pdf_text(response.content, tmp_path)
    assert "Plan anual 2025" in text
    assert "Escuela Talca Uno" in text and pme_world.a1.rbd_with_digit in text
    assert "Acompañamiento al aula" in text and "Gestión pedagógica" in text
    assert "$1.750.000" in text  # 1.500.000 SEP + 250.000 PIE
    assert "$250.000" in text
    assert "Aprobado por" in text and pme_world.rep_a.get_full_name() in text
    assert "Página 1 / 1" in text


def test_xlsx_of_the_annual_plan(pme_world, client):
    services.record_progress(
        by=pme_world.utp_a1, action=pme_world.action_a1, progress=30, note="Primeras visitas"
    )
    client.force_login(pme_world.director_a)
    response = client.get(f"/pme/plans/{pme_world.plan_a1.pk}/export.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Plan", "Acciones", "Avances"]
    plan_rows = {row[0]: row[1] for row in book["Plan"].iter_rows(values_only=True) if row}
    assert plan_rows["Establecimiento"] == "Escuela Talca Uno" and plan_rows["Año"] == 2025
    header, *rows = list(book["Acciones"].iter_rows(values_only=True))
    assert header[2] == "Acción" and header[-1] == "Avance (%)"
    (row,) = rows
    values = dict(zip(header, row, strict=True))
    assert values["Acción"] == "Acompañamiento al aula"
    assert values["SEP (CLP)"] == 1_500_000 and values["Total (CLP)"] == 1_500_000
    assert values["Avance (%)"] == 30
    updates = list(book["Avances"].iter_rows(values_only=True))
    assert updates[1][0] == "Acompañamiento al aula" and updates[1][3] == "Primeras visitas"


def test_export_command(pme_world, tmp_path):
    pdf, xlsx = tmp_path / "plan.pdf", tmp_path / "plan.xlsx"
    out = io.StringIO()
    call_command(
        "export_pme",
        rbd=pme_world.a1.rbd,
        year=2025,
        format="pdf",
        output=str(pdf),
        stdout=out,
    )
    assert "Acompañamiento al aula" in pdf_text(pdf.read_bytes(), tmp_path)
    call_command(
        "export_pme",
        "--rbd",
        str(pme_world.a1.rbd),
        "--year",
        "2025",
        "--format",
        "xlsx",
        "--output",
        str(xlsx),
        stdout=out,
    )
    assert load_workbook(xlsx)["Acciones"]["C2"].value == "Acompañamiento al aula"
    with pytest.raises(CommandError, match="no tiene un plan anual 2031"):
        call_command("export_pme", rbd=pme_world.a1.rbd, year=2031, format="pdf", output=str(pdf))


# --- import of actions -------------------------------------------------------------

HEADER = (
    "name,dimension,subdimension,start_date,end_date,responsible,funding_sep,funding_pie,"
    "ate_provider_rut,status,progress\n"
)


def write_csv(tmp_path, body, header=HEADER, name="acciones.csv"):
    path = tmp_path / name
    path.write_text(header + body, encoding="utf-8")
    return path


def test_import_command_creates_then_updates(pme_world, tmp_path):
    provider = ATEProviderFactory()
    path = write_csv(
        tmp_path,
        "Plan lector,Gestión Pedagógica,Enseñanza y aprendizaje en el aula,2025-03-01,"
        f"2025-11-30,Jefa de UTP,1.500.000,200000,{provider.formatted_rut},in_progress,40\n"
        "Convivencia escolar,formacion_convivencia,convivencia,01-04-2025,30/06/2025,"
        'Encargada,"$ 300.000",,,planned,\n',
    )
    out = io.StringIO()
    call_command("import_pme_actions", str(path), rbd=pme_world.a1.rbd, year=2025, stdout=out)
    assert "Nuevas: 2; actualizadas: 0." in out.getvalue()
    lector = Action.objects.get(plan=pme_world.plan_a1, name="Plan lector")
    assert lector.subdimension_id == "ensenanza_aprendizaje" and lector.progress == 40
    assert lector.ate_provider == provider
    assert dict(lector.funding.values_list("source", "amount")) == {
        "sep": 1_500_000,
        "pie": 200_000,
    }
    convivencia = Action.objects.get(plan=pme_world.plan_a1, name="Convivencia escolar")
    assert convivencia.end_date.isoformat() == "2025-06-30"
    # The same file again changes nothing.
    out = io.StringIO()
    call_command("import_pme_actions", str(path), rbd=pme_world.a1.rbd, year=2025, stdout=out)
    assert "Nuevas: 0; actualizadas: 2." in out.getvalue()
    assert Action.objects.filter(plan=pme_world.plan_a1).count() == 3


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            "Mala,gestion_pedagogica,,2025-05-01,2025-04-01,,,,,,\n",
            "fila 1, columna end_date: la fecha de término es anterior a la de inicio",
        ),
        (
            "Fuera,liderazgo,,2024-05-01,2025-04-01,,,,,,\n",
            "fila 1, columna start_date: la fecha 2024-05-01 está fuera del año del plan (2025)",
        ),
        ("Cara,liderazgo,,2025-05-01,2025-06-01,,-5,,,,\n", "fila 1, columna funding_sep"),
        ("Cara,liderazgo,,2025-05-01,2025-06-01,,1500.5,,,,\n", "fila 1, columna funding_sep"),
        ("Lejos,liderazgo,,2025-05-01,2025-06-01,,,,,,150\n", "fila 1, columna progress"),
        ("X,astronomía,,2025-05-01,2025-06-01,,,,,,\n", "fila 1, columna dimension"),
        ("X,liderazgo,convivencia,2025-05-01,2025-06-01,,,,,,\n", "fila 1, columna subdimension"),
        (
            "X,liderazgo,,2025-05-01,2025-06-01,,,,76.000.000-0,,\n",
            "fila 1, columna ate_provider_rut",
        ),
        ("X,liderazgo,,2025-05-01,2025-06-01,,,,,delayed,\n", "fila 1, columna status"),
    ],
)
def test_import_is_all_or_nothing(pme_world, tmp_path, row, expected):
    good = "Buena,liderazgo,,2025-03-01,2025-04-01,,,,,,\n"
    path = write_csv(tmp_path, good + row.replace("fila 1", "fila 2"))
    err = io.StringIO()
    with pytest.raises(CommandError, match="No se importó nada"):
        call_command("import_pme_actions", str(path), rbd=pme_world.a1.rbd, year=2025, stderr=err)
    assert expected.replace("fila 1", "fila 2") in err.getvalue()
    assert not Action.objects.filter(plan=pme_world.plan_a1, name="Buena").exists()


def test_import_checks_the_header_and_the_plan(pme_world, tmp_path):
    path = write_csv(tmp_path, "x\n", header="nombre,dimension\n")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_pme_actions", str(path), rbd=pme_world.a1.rbd, year=2025, stderr=err)
    assert "fila 0, columna name: falta la columna" in err.getvalue()
    assert "fila 0, columna nombre: columna desconocida" in err.getvalue()
    with pytest.raises(CommandError):
        call_command("import_pme_actions", str(path), rbd=pme_world.a1.rbd, year=2019, stderr=err)
    assert "no tiene un plan anual 2019" in err.getvalue()


def test_import_into_a_closed_plan_is_refused(pme_world, tmp_path):
    from pme.models import Phase

    services.update_plan(by=pme_world.director_a, plan=pme_world.plan_a1, phase=Phase.CLOSED)
    path = write_csv(tmp_path, "Buena,liderazgo,,2025-03-01,2025-04-01,,,,,,\n")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_pme_actions", str(path), rbd=pme_world.a1.rbd, year=2025, stderr=err)
    assert "está cerrado" in err.getvalue()
    assert Action.objects.filter(plan=pme_world.plan_a1).count() == 1


def test_import_page_for_the_school(pme_world, client):
    client.force_login(pme_world.utp_a1)
    body = (HEADER + "Desde la página,liderazgo,,2025-03-01,2025-04-01,,,,,,\n").encode()
    response = client.post(
        f"/pme/plans/{pme_world.plan_a1.pk}/import/",
        {"file": SimpleUploadedFile("plan.csv", body, content_type="text/csv")},
    )
    assert response.status_code == 302
    assert Action.objects.filter(plan=pme_world.plan_a1, name="Desde la página").exists()
    bad = (HEADER + "Mala,liderazgo,,2025-03-01,2024-04-01,,,,,,\n").encode()
    response = client.post(
        f"/pme/plans/{pme_world.plan_a1.pk}/import/",
        {"file": SimpleUploadedFile("plan.csv", bad, content_type="text/csv")},
    )
    assert response.status_code == 400
    assert "fila 1, columna end_date" in response.content.decode()
    client.force_login(pme_world.supervisor_a)
    assert client.get(f"/pme/plans/{pme_world.plan_a1.pk}/import/").status_code == 403


# --- the ATE registry ----------------------------------------------------------------

ATE_HEADER = "rut,name,registry_number,service_areas,regions\n"


def test_ate_registry_import(pme_world, tmp_path):
    old = ATEProviderFactory(name="Proveedor que ya no figura")
    path = tmp_path / "ate.csv"
    path.write_text(
        ATE_HEADER
        + "76.543.215-4,Fundación Aprender,ATE-0001,Gestión pedagógica;liderazgo,7 13\n"
        + "65.100.001-7,Consultora Sur,ATE-0002,gestion_recursos,todas\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("import_ate", str(path), stdout=out)
    assert "Proveedores nuevos: 2; actualizados: 0; ya no figuran: 1" in out.getvalue()
    provider = ATEProvider.objects.get(rut=76543215)
    assert provider.check_digit == "4" and provider.registry_number == "ATE-0001"
    assert set(provider.service_areas.values_list("code", flat=True)) == {
        "gestion_pedagogica",
        "liderazgo",
    }
    assert set(provider.regions.values_list("code", flat=True)) == {7, 13}
    assert ATEProvider.objects.get(rut=65100001).regions.count() == 16
    old.refresh_from_db()
    assert old.active is False


def test_ate_registry_import_is_all_or_nothing(pme_world, tmp_path):
    path = tmp_path / "ate.csv"
    path.write_text(
        ATE_HEADER
        + "76.543.215-4,Fundación Aprender,ATE-0001,liderazgo,7\n"
        + "76.543.215-9,Mal dígito,ATE-0002,liderazgo,7\n"
        + "65.100.001-7,Sin región,ATE-0003,astronomía,99\n",
        encoding="utf-8",
    )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_ate", str(path), stderr=err)
    messages = err.getvalue()
    assert "fila 2, columna rut: el dígito verificador no corresponde" in messages
    assert "fila 3, columna service_areas" in messages and "fila 3, columna regions" in messages
    assert not ATEProvider.objects.exists()


def test_ate_import_page_is_for_staff(pme_world, client):
    client.force_login(pme_world.director_a)
    assert client.get("/pme/ate/import/").status_code == 403
    assert client.get("/pme/ate/").status_code == 200
    client.force_login(pme_world.admin)
    body = (ATE_HEADER + "76.543.215-4,Fundación Aprender,ATE-0001,liderazgo,7\n").encode()
    response = client.post(
        "/pme/ate/import/", {"file": SimpleUploadedFile("ate.csv", body, content_type="text/csv")}
    )
    assert response.status_code == 302
    listing = client.get("/pme/ate/?q=aprender").content.decode()
    assert "Fundación Aprender" in listing and "76.543.215-4" in listing
