"""¿Quién puede ayudarnos? in the browser: a directivo with a delayed action
sees who may help; the network's supervisor puts the need on the agenda."""

import datetime

import pytest
from playwright.sync_api import expect

from networks.models import Membership
from schools.models import Deprov, Position
from tests.factories import (
    ActionFactory,
    AnnualPlanFactory,
    MeetingFactory,
    NetworkFactory,
    NetworkSchoolFactory,
    PMECycleFactory,
    PracticeFactory,
    SchoolFactory,
    SupervisorProfileFactory,
    UserFactory,
    pme_catalog,
    territory_comuna,
)

from .test_pme import sign_in, sign_out

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_directivo_sees_help_and_the_supervisor_proposes_it(page):
    pme_catalog()
    year = datetime.date.today().year
    school = SchoolFactory(comuna=territory_comuna(7101), name="Escuela Las Araucarias")
    peer = SchoolFactory(comuna=territory_comuna(7101), name="Escuela El Boldo")
    network = NetworkFactory(code="RME-07-078", name="Red Talca Poniente", deprov_id=72)
    for s in (school, peer):
        NetworkSchoolFactory(network=network, school=s)
    utp = UserFactory(role="utp", first_name="Ulises", last_name="Jefe Técnico")
    Position.objects.create(user=utp, school=school, role="utp")
    supervisor = UserFactory(role="supervisor", first_name="Sofía", last_name="Supervisora")
    SupervisorProfileFactory(user=supervisor, deprov=Deprov.objects.get(code=72))
    Membership.objects.create(network=network, user=supervisor, role="supervisor")
    cycle = PMECycleFactory(school=school, first_year=year - 1, last_year=year + 1)
    plan = AnnualPlanFactory(cycle=cycle, school=school, year=year, shared_with_network=True)
    ActionFactory(
        plan=plan,
        name="Plan lector",
        subdimension_id="gestion_curricular",
        start_date=datetime.date(year, 1, 2),
        end_date=datetime.date(year, 1, 3),
    )
    PracticeFactory(
        school=peer, subdimension_id="gestion_curricular", title="Lectura compartida diaria"
    )
    meeting = MeetingFactory(network=network, title="Reunión de planificación")

    sign_in(page, utp.email)
    page.goto(f"/pme/plans/{plan.pk}/")
    page.get_by_role("link", name="Plan lector").click()
    panel = page.get_by_test_id("help-panel")
    expect(panel).to_contain_text("Esta acción está atrasada")
    expect(panel.get_by_role("link", name="Lectura compartida diaria")).to_be_visible()
    expect(panel).to_contain_text("Práctica de un establecimiento de su red.")
    sign_out(page)

    sign_in(page, supervisor.email)
    page.goto(f"/networks/{network.code}/")
    needs = page.get_by_test_id("network-help")
    expect(needs).to_contain_text("Gestión curricular")
    needs.get_by_role("button", name="Proponer para la tabla").click()
    done = "El tema quedó en la tabla de «Reunión de planificación»."
    expect(page.get_by_text(done)).to_be_visible()
    assert meeting.agenda_items.filter(title__startswith="¿Quién puede ayudarnos?").exists()
