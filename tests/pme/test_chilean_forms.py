"""PME forms as a Chilean school fills them: pesos with thousands dots, a
confirmation before approving or copying a plan, and a sostenedor
representative's home that lists every school and the plans awaiting
approval."""

import pytest
from django.core.exceptions import ValidationError

from pme.models import Action, AnnualPlan, FundingLine
from rme_platform.forms import CLPField
from rme_platform.money import parse_clp
from tests.factories import (
    ActionFactory,
    AnnualPlanFactory,
    FundingLineFactory,
    PMECycleFactory,
    PositionFactory,
    SchoolFactory,
    SostenedorFactory,
    SostenedorRepresentativeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


# --- money ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "1.500.000",
        "$1.500.000",
        "$ 1.500.000",
        " 1 500 000 ",
        "1500000",
        "1,500,000",
        "CLP 1.500.000",
    ],
)
def test_pesos_are_read_as_people_write_them(written):
    assert parse_clp(written) == 1_500_000


@pytest.mark.parametrize("written", ["1.500000", "1,5", "1.500,50", "mil", "1..500"])
def test_what_is_not_an_amount_of_pesos_says_how_to_write_one(written):
    with pytest.raises(ValidationError) as caught:
        parse_clp(written)
    assert caught.value.messages == [
        "Escriba el monto en pesos, sin decimales, por ejemplo 1.500.000."
    ]


def test_a_negative_amount_is_refused():
    with pytest.raises(ValidationError) as caught:
        parse_clp("-1.000")
    assert caught.value.messages == ["El monto no puede ser negativo."]


def test_the_amount_is_shown_back_with_thousands_dots():
    field = CLPField(required=False)
    assert 'value="1.500.000"' in field.widget.render("amount", field.prepare_value(1_500_000))
    assert 'value="1.500.000"' in field.widget.render("amount", field.prepare_value("1500000"))
    # What cannot be read is shown as typed, to be corrected.
    assert 'value="1.5000"' in field.widget.render("amount", field.prepare_value("1.5000"))
    assert 'type="text"' in field.widget.render("amount", None)


@pytest.fixture
def school():
    return SchoolFactory()


@pytest.fixture
def plan(school):
    return AnnualPlanFactory(cycle=PMECycleFactory(school=school))


@pytest.fixture
def director(school):
    return PositionFactory(school=school, user=UserFactory(role="director")).user


def action_data(**extra):
    return {
        "name": "Salidas pedagógicas",
        "dimension": "gestion_pedagogica",
        "start_date": "2025-09-01",
        "end_date": "2025-10-01",
        "status": "planned",
        "progress": 0,
        **extra,
    }


def test_an_action_takes_funding_written_with_dots_and_sign(login, director, plan):
    client = login(director)
    response = client.post(
        f"/pme/plans/{plan.pk}/actions/new/",
        action_data(funding_sep="$ 1.500.000", funding_pie="250.000"),
    )
    assert response.status_code == 302
    action = Action.objects.get(name="Salidas pedagógicas")
    assert dict(action.funding.values_list("source", "amount")) == {
        "sep": 1_500_000,
        "pie": 250_000,
    }
    page = client.get(f"/pme/actions/{action.pk}/edit/").content.decode()
    assert 'name="funding_sep" value="1.500.000"' in page


def test_a_misread_amount_is_refused_with_its_field(login, director, plan):
    response = login(director).post(
        f"/pme/plans/{plan.pk}/actions/new/", action_data(funding_sep="1.500000")
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["funding_sep"] == [
        "Escriba el monto en pesos, sin decimales, por ejemplo 1.500.000."
    ]
    assert 'value="1.500000"' in response.content.decode()
    assert not FundingLine.objects.exists()


# --- confirmations ----------------------------------------------------------------------


@pytest.fixture
def rep(school):
    return SostenedorRepresentativeFactory(sostenedor=school.sostenedor).user


def test_approving_a_plan_asks_first(login, rep, plan):
    plan.shared_with_network = True
    plan.save()
    client = login(rep)
    detail = client.get(f"/pme/plans/{plan.pk}/").content.decode()
    assert f'href="/pme/plans/{plan.pk}/approve/"' in detail

    page = client.get(f"/pme/plans/{plan.pk}/approve/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "¿Aprueba, en nombre del sostenedor, el plan anual 2025" in html
    assert f'action="/pme/plans/{plan.pk}/approve/"' in html
    plan.refresh_from_db()
    assert plan.approved_at is None

    client.post(f"/pme/plans/{plan.pk}/approve/")
    plan.refresh_from_db()
    assert plan.approved_by == rep


def test_the_approval_page_is_only_for_who_may_approve(login, director, plan):
    assert login(director).get(f"/pme/plans/{plan.pk}/approve/").status_code == 403


def test_copying_a_plan_asks_first_and_says_what_is_copied(login, director, plan):
    ActionFactory(plan=plan)
    client = login(director)
    detail = client.get(f"/pme/plans/{plan.pk}/").content.decode()
    assert f'href="/pme/plans/{plan.pk}/copy/"' in detail

    html = client.get(f"/pme/plans/{plan.pk}/copy/").content.decode()
    assert "Se copiará 1 acción" in html
    assert not AnnualPlan.objects.filter(year=2026).exists()

    response = client.post(f"/pme/plans/{plan.pk}/copy/")
    new = AnnualPlan.objects.get(school=plan.school, year=2026)
    assert response["Location"] == f"/pme/plans/{new.pk}/"


# --- the sostenedor representative's home -----------------------------------------------


def test_the_representative_home_lists_all_schools_a_page_at_a_time(login):
    sostenedor = SostenedorFactory()
    schools = [SchoolFactory(sostenedor=sostenedor, name=f"Escuela {i:02d}") for i in range(45)]
    rep = SostenedorRepresentativeFactory(sostenedor=sostenedor).user
    client = login(rep)
    first = client.get("/").content.decode()
    assert "45 establecimientos" in first
    assert "Escuela 00" in first and "Escuela 19" in first and "Escuela 20" not in first
    assert "Página 1 de 3" in first
    last = client.get("/?page=3").content.decode()
    assert "Escuela 44" in last and "Escuela 39" not in last
    assert len(schools) == 45


def test_the_representative_home_lists_the_plans_awaiting_approval(login, rep, school):
    waiting = AnnualPlanFactory(
        cycle=PMECycleFactory(school=school), year=2025, shared_with_network=True
    )
    approved = AnnualPlanFactory(
        cycle=waiting.cycle, year=2024, shared_with_network=True, approved_by=rep
    )
    AnnualPlan.objects.filter(pk=approved.pk).update(approved_at="2025-01-10T12:00:00Z")
    other_school = SchoolFactory()  # another sostenedor's plan
    AnnualPlanFactory(cycle=PMECycleFactory(school=other_school), shared_with_network=True)

    html = login(rep).get("/home/panels/pme/").content.decode()
    panel = html.split('data-testid="pme-awaiting-approval"')[1].split("</ul>")[0]
    assert f"/pme/plans/{waiting.pk}/approve/" in panel
    assert f"/pme/plans/{approved.pk}/" not in panel
    assert other_school.display_name not in panel


def test_the_awaiting_list_says_when_nothing_waits(login, rep):
    html = login(rep).get("/home/panels/pme/").content.decode()
    assert "Ningún plan espera su aprobación." in html


def test_funding_line_factory_amounts_show_with_dots(login, director, plan):
    line = FundingLineFactory(action=ActionFactory(plan=plan), amount=2_345_678)
    html = login(director).get(f"/pme/actions/{line.action.pk}/").content.decode()
    assert "$2.345.678" in html


def test_the_export_command_takes_an_rbd_with_check_digit(plan, tmp_path):
    from django.core.management import call_command

    from schools.validators import modulo11_check_digit

    output = tmp_path / "plan.xlsx"
    rbd = f"{plan.school.rbd}-{modulo11_check_digit(plan.school.rbd)}"
    call_command("export_pme", f"--rbd={rbd}", "--year=2025", "--format=xlsx", f"--output={output}")
    assert output.exists()
