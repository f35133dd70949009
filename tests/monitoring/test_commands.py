"""The two commands: `survey_results` (exact JSON and CSV) and
`import_responses` (all-or-nothing, errors by row and column)."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from monitoring.models import Answer, Campaign, Response
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


# --- survey_results ------------------------------------------------------------------


def test_survey_results_json_has_the_contract_shape(published):
    data = json.loads(
        run("survey_results", "--campaign", "rme-2024", "--scope", "national", "--format", "json")
    )
    assert list(data) == ["campaign", "scope", "n_responses", "questions"]
    assert (data["campaign"], data["scope"], data["n_responses"]) == ("rme-2024", "national", 26)
    first = data["questions"][0]
    assert list(first) == [
        "code",
        "n",
        "counts",
        "pct_agree",
        "pct_neutral",
        "pct_disagree",
        "mean",
        "suppressed",
    ]
    assert first["code"] == "RME_META_COMUN"
    assert list(first["counts"]) == ["1", "2", "3", "4", "5"]
    assert first["counts"] == {"1": 2, "2": 4, "3": 4, "4": 9, "5": 7}
    assert (first["pct_agree"], first["pct_neutral"], first["pct_disagree"]) == (61.5, 15.4, 23.1)
    assert first["mean"] == 3.58  # 93 / 26 = 3.5769…
    codes = {q["code"] for q in data["questions"]}
    assert {
        "RME_META_COMUN",
        "RME_AGENDA_PRIORIDADES",
        "RME_MEJORA_GESTION",
        "RME_VINCULO_COMUNIDAD",
        "RME_INTERES_REUNIONES",
    } <= codes


def test_survey_results_for_a_small_network_prints_nulls(monitoring_world):
    campaign = CampaignFactory(slug="rme-chica", status="closed")
    from .conftest import add_responses

    add_responses(campaign, monitoring_world.network_b, [5, 4, 4])
    data = json.loads(
        run(
            "survey_results",
            "--campaign",
            "rme-chica",
            "--scope",
            "network:RME-13-901",
            "--format",
            "json",
        )
    )
    assert data["n_responses"] == 3
    assert data["questions"][0] == {
        "code": "RME_META_COMUN",
        "n": 3,
        "counts": None,
        "pct_agree": None,
        "pct_neutral": None,
        "pct_disagree": None,
        "mean": None,
        "suppressed": True,
    }


def test_survey_results_csv_has_one_row_per_question(published):
    text = run(
        "survey_results", "--campaign", "rme-2024", "--scope", "region:13", "--format", "csv"
    )
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == [
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
    assert rows[0]["code"] == "RME_META_COMUN"
    assert rows[0]["n"] == "8" and rows[0]["count_1"] == "1" and rows[0]["pct_agree"] == "37.5"
    assert rows[0]["suppressed"] == "false"
    assert len(rows) == 34


def test_survey_results_by_role_and_every_network(published):
    data = json.loads(
        run(
            "survey_results",
            "--campaign",
            "rme-2024",
            "--scope",
            "network:*",
            "--by-role",
            "--format",
            "json",
        )
    )
    assert [d["scope"] for d in data] == [
        "network:RME-07-901",
        "network:RME-07-902",
        "network:RME-13-901",
    ]
    b = data[2]
    assert b["n_responses_by_role"] == {"director": 0, "utp": 8}
    assert [(q["role"], q["suppressed"]) for q in b["questions"][:2]] == [
        ("director", True),
        ("utp", False),
    ]


def test_survey_results_rejects_an_unknown_scope_or_campaign(published):
    with pytest.raises(CommandError, match="Unknown scope"):
        run("survey_results", "--campaign", "rme-2024", "--scope", "network:NOPE")
    with pytest.raises(CommandError, match="No campaign"):
        run("survey_results", "--campaign", "nope", "--scope", "national")


# --- import_responses ----------------------------------------------------------------


def write(tmp_path, text, *, bom=False):
    path = tmp_path / "ola.csv"
    path.write_bytes((("\ufeff" if bom else "") + text).encode("utf-8"))
    return str(path)


def test_import_creates_a_closed_campaign_and_stores_every_row(monitoring_world, tmp_path):
    path = write(
        tmp_path,
        "region,network,role,dependency,RME_META_COMUN,RME_COMENTARIOS,RME_MODALIDAD_REUNIONES\n"
        "7,RME-07-901,director,municipal,4,Muy buena red,presencial;visitas\n"
        "7,,utp,,5,,\n"
        '13,RME-13-901,utp,subvencionado,,"Con coma, y comillas",en_linea\n',
        bom=True,
    )
    out = run("import_responses", "--campaign", "rme-2019", "--year", "2019", path)
    assert out.strip() == "3 responses stored in campaign rme-2019 (campaign created, closed)."
    campaign = Campaign.objects.get(slug="rme-2019")
    assert (campaign.status, campaign.year, campaign.imported) == ("closed", 2019, True)
    assert campaign.instrument.slug == "rme-monitoreo" and campaign.instrument.frozen
    rows = list(
        Response.objects.filter(campaign=campaign)
        .order_by("pk")
        .values_list("region_id", "network__code", "role", "dependency", "submitted_on")
    )
    assert rows == [
        (7, "RME-07-901", "director", "municipal", None),
        (7, None, "utp", "", None),
        (13, "RME-13-901", "utp", "subvencionado", None),
    ]
    assert Answer.objects.filter(response__campaign=campaign).count() == 7
    assert Answer.objects.filter(text="Con coma, y comillas").exists()


def test_an_imported_campaign_lists_its_responses_not_zero_answered(
    monitoring_world, tmp_path, login
):
    """An imported wave has responses but no invitations: the survey list
    shows how many were stored, not "0 invitations, 0 answered"."""
    path = write(
        tmp_path,
        "region,network,role,dependency,RME_META_COMUN\n"
        "7,RME-07-901,director,municipal,4\n"
        "7,RME-07-901,utp,municipal,5\n",
    )
    run("import_responses", "--campaign", "rme-2019", "--year", "2019", path)
    page = login(monitoring_world.analyst).get("/monitoring/").content.decode()
    row = page[page.index("rme-2019") :]
    row = row[: row.index("</tr>")]
    assert "importada" in row and '<td class="text-end">2</td>' in row
    assert row.count("<td") == 5 and ">—</td>" in row  # year, status, —, 2, links


def test_import_into_an_existing_campaign(monitoring_world, tmp_path, published):
    closed = CampaignFactory(slug="rme-2023", year=2023, status="closed")
    path = write(tmp_path, "region,network,role,dependency,RME_META_COMUN\n7,,director,,3\n")
    assert run("import_responses", "--campaign", "rme-2023", path).startswith("1 responses")
    assert closed.responses.count() == 1
    with pytest.raises(CommandError):
        run("import_responses", "--campaign", "rme-2024", path)  # published


def test_import_without_year_for_a_new_campaign_fails(monitoring_world, tmp_path, capsys):
    path = write(tmp_path, "region,network,role,dependency,RME_META_COMUN\n7,,director,,3\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_responses", "--campaign", "rme-2018", path, stderr=err)
    assert "indique el año (--year)" in err.getvalue()
    assert not Campaign.objects.filter(slug="rme-2018").exists()


def import_errors(tmp_path, text):
    err = io.StringIO()
    path = write(tmp_path, text)
    with pytest.raises(CommandError):
        call_command("import_responses", "--campaign", "rme-x", "--year", "2020", path, stderr=err)
    assert not Campaign.objects.filter(slug="rme-x").exists()
    assert Response.objects.count() == 0
    return err.getvalue().splitlines()


def test_import_errors_name_row_and_column_and_store_nothing(monitoring_world, tmp_path):
    lines = import_errors(
        tmp_path,
        "region,network,role,dependency,RME_META_COMUN,RME_FRECUENCIA_REUNIONES,RME_REUNIONES_ASISTIDAS\n"
        "7,RME-07-901,director,municipal,4,mensual,3\n"
        "17,,director,,4,,\n"
        "7,RME-99-999,rector,particular,6,a veces,muchas\n"
        "13,RME-07-901,utp,,1,,\n",
    )
    assert lines == [
        "fila 2, columna region: «17» no es una región (1 a 16)",
        "fila 3, columna network: no existe la red «RME-99-999»",
        "fila 3, columna role: «rector» no es un cargo; use director o utp",
        "fila 3, columna dependency: «particular» no es una dependencia; use municipal, slep, "
        "subvencionado o deje en blanco",
        "fila 3, columna RME_META_COMUN: «6» no es una respuesta de 1 a 5",
        "fila 3, columna RME_FRECUENCIA_REUNIONES: «a veces» no es una opción; use quincenal, "
        "mensual, bimestral, semestral, nunca",
        "fila 3, columna RME_REUNIONES_ASISTIDAS: «muchas» no es un número entero entre 0 y 10000",
        "fila 4, columna network: la red RME-07-901 no es de la región 13",
    ]


def test_an_unknown_column_is_an_error_of_the_header(monitoring_world, tmp_path):
    lines = import_errors(
        tmp_path, "region,network,role,dependency,RME_META_COMUN,RME_NO_EXISTE\n7,,utp,,4,1\n"
    )
    assert lines == [
        "fila 0, columna RME_NO_EXISTE: columna desconocida: no es un código de pregunta del "
        "instrumento rme-monitoreo"
    ]
    lines = import_errors(tmp_path, "network,region,role,dependency\n")
    assert lines == [
        "fila 0, columna region: el encabezado debe empezar con region,network,role,dependency"
    ]


def test_import_reports_at_most_50_errors(monitoring_world, tmp_path):
    rows = "".join("7,,director,,9\n" for _ in range(60))
    lines = import_errors(tmp_path, "region,network,role,dependency,RME_META_COMUN\n" + rows)
    assert len(lines) == 51
    assert lines[0] == "fila 1, columna RME_META_COMUN: «9» no es una respuesta de 1 a 5"
    assert lines[-1] == "… y 10 errores más."
