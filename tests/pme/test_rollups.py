"""Rollups of shared plans (network panel, DEPROV and region dashboards),
checked against figures computed by hand, and the constant number of
queries of every list."""

import datetime

import pytest
from django.utils import timezone

from pme import selectors
from pme.models import AnnualPlan
from schools.models import Comuna
from tests.factories import (
    ActionFactory,
    AnnualPlanFactory,
    FundingLineFactory,
    NetworkFactory,
    NetworkSchoolFactory,
    PMECycleFactory,
    PositionFactory,
    SchoolFactory,
    SupervisorProfileFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 1)


def d(month, day):
    return datetime.date(2025, month, day)


def school_plan(network, name, *, shared=True):
    school = SchoolFactory(comuna=Comuna.objects.get(cut=7101), name=name)
    NetworkSchoolFactory(network=network, school=school)
    cycle = PMECycleFactory(school=school)
    return AnnualPlanFactory(cycle=cycle, school=school, shared_with_network=shared)


def action(plan, dimension, end, progress, status, funding=()):
    created = ActionFactory(
        plan=plan,
        dimension_id=dimension,
        start_date=d(3, 1),
        end_date=end,
        progress=progress,
        status=status,
    )
    for source, amount in funding:
        FundingLineFactory(action=created, source=source, amount=amount)
    return created


@pytest.fixture
def network_world(db):
    """Network N (Talca, 2025): X and Y share their plans, Z does not; W
    shares in another network of the same DEPROV. See the module docstring
    of the expected figures in each test."""
    n = NetworkFactory(code="RME-07-950", name="Red Rollup", deprov_id=72)
    other = NetworkFactory(code="RME-07-951", name="Red Vecina", deprov_id=72)
    x = school_plan(n, "Escuela X")
    y = school_plan(n, "Escuela Y")
    z = school_plan(n, "Escuela Z", shared=False)
    w = school_plan(other, "Escuela W")
    action(x, "gestion_pedagogica", d(5, 31), 100, "done", [("sep", 1_000_000)])
    action(
        x, "gestion_pedagogica", d(4, 30), 40, "in_progress", [("sep", 500_000), ("pie", 200_000)]
    )
    action(x, "liderazgo", d(9, 30), 0, "planned", [("faep", 300_000)])
    action(x, "formacion_convivencia", d(9, 30), 50, "in_progress", [("sostenedor", 100_000)])
    action(x, "gestion_recursos", d(4, 30), 20, "cancelled", [("other", 999_999)])
    action(y, "gestion_pedagogica", d(5, 15), 70, "in_progress", [("sep", 250_000)])
    action(y, "liderazgo", d(8, 31), 100, "done")
    action(z, "gestion_pedagogica", d(5, 15), 10, "in_progress", [("sep", 9_000_000)])
    action(w, "liderazgo", d(4, 1), 30, "in_progress", [("sep", 400_000)])
    AnnualPlan.objects.filter(pk=y.pk).update(
        last_activity_at=timezone.now() - datetime.timedelta(days=61)
    )
    return {"network": n, "other": other, "x": x, "y": y, "z": z, "w": w}


def test_network_rollup_matches_hand_computed_figures(network_world, django_assert_num_queries):
    plans = selectors.network_plans(network_world["network"])
    # 1 plan counts, 2 actions by dimension and state, 3 dimensions,
    # 4 funding by source, 5 the stale plans.
    with django_assert_num_queries(5):
        figures = selectors.rollup(plans, today=TODAY)
    assert (figures.plans, figures.actions, figures.delayed, figures.stale) == (2, 7, 2, 1)
    # Cancelled actions are left out of the average: (100+40+0+50+70+100) / 6.
    assert figures.avg_progress == 60.0
    rows = {row["dimension"].code: row for row in figures.by_dimension}
    assert rows["gestion_pedagogica"]["states"] == {
        "planned": 0,
        "in_progress": 0,
        "done": 1,
        "delayed": 2,
        "cancelled": 0,
    }
    assert rows["gestion_pedagogica"]["avg_progress"] == 70.0
    assert rows["liderazgo"]["states"]["planned"] == rows["liderazgo"]["states"]["done"] == 1
    assert rows["liderazgo"]["avg_progress"] == 50.0
    assert rows["formacion_convivencia"]["states"]["in_progress"] == 1
    assert rows["gestion_recursos"]["states"]["cancelled"] == 1
    assert rows["gestion_recursos"]["avg_progress"] is None
    funding = {source: total for _label, source, total in figures.funding}
    assert funding == {
        "sep": 1_750_000,
        "pie": 200_000,
        "faep": 300_000,
        "sostenedor": 100_000,
        "other": 0,
    }
    assert figures.funding_total == 2_350_000
    assert [plan.school.name for plan in figures.stale_plans] == ["Escuela Y"]
    assert "<svg" in figures.charts["status"] and "Gestión pedagógica" in figures.charts["status"]


def test_network_panel_rows_per_school(network_world):
    supervisor = SupervisorProfileFactory(deprov_id=72).user
    from tests.factories import MembershipFactory

    MembershipFactory(network=network_world["network"], user=supervisor, role="supervisor")
    panel = selectors.network_panel(supervisor, network_world["network"], today=TODAY)
    rows = {plan.school.name: plan for plan in panel["pme_school_rows"]}
    assert set(rows) == {"Escuela X", "Escuela Y"}
    assert (rows["Escuela X"].n_actions, rows["Escuela X"].avg_progress) == (5, 47.5)
    assert rows["Escuela X"].n_delayed == 1
    assert (rows["Escuela Y"].n_actions, rows["Escuela Y"].avg_progress) == (2, 85.0)
    assert rows["Escuela X"].readable and rows["Escuela Y"].readable
    assert panel["pme_school_count"] == 3
    assert panel["pme_can_dashboard"] is True
    # A peer directivo of the network sees the rollup but reads no plan.
    peer = PositionFactory(school=network_world["z"].school).user
    panel = selectors.network_panel(peer, network_world["network"], today=TODAY)
    assert not any(plan.readable for plan in panel["pme_school_rows"])
    assert panel["pme_can_dashboard"] is False


def test_network_panel_partial_renders(network_world, rf):
    from django.template.loader import render_to_string

    admin = UserFactory(role="admin", is_staff=True)
    context = selectors.network_panel(admin, network_world["network"], today=TODAY)
    html = render_to_string("pme/_network_panel.html", context)
    assert "2 de 3 establecimientos comparten su plan anual." in html
    assert "$2.350.000" in html
    assert "Escuela X" in html and "Escuela Z" not in html
    assert f'href="/pme/plans/{network_world["x"].pk}/"' in html


def test_network_rollup_page_counts_queries_constantly(
    network_world, client, django_assert_num_queries
):
    admin = UserFactory(role="admin", is_staff=True, with_totp=True)
    client.force_login(admin)
    url = "/pme/networks/RME-07-950/"
    client.get(url)

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    small = count()
    for name in ("Escuela P", "Escuela Q", "Escuela R"):
        plan = school_plan(network_world["network"], name)
        action(plan, "liderazgo", d(6, 1), 50, "in_progress", [("sep", 10)])
    assert count() == small


def test_deprov_and_region_dashboards(network_world, client):
    admin = UserFactory(role="admin", is_staff=True, with_totp=True)
    client.force_login(admin)
    response = client.get("/pme/dashboard/deprov/72/?year=2025")
    assert response.status_code == 200
    figures = response.context["figures"]
    # X, Y and W share (Z does not): all actions but Z's.
    assert (figures.plans, figures.actions, figures.stale) == (3, 8, 1)
    funding = {source: total for _label, source, total in figures.funding}
    assert funding["sep"] == 2_150_000
    # (100+40+0+50+70+100+30) / 7
    assert figures.avg_progress == round(390 / 7, 1)
    rows = {row["network"].code: row for row in response.context["breakdown"]}
    assert rows["RME-07-950"]["n_plans"] == 2 and rows["RME-07-950"]["schools"] == 3
    assert rows["RME-07-951"]["n_plans"] == 1 and rows["RME-07-951"]["n_actions"] == 1
    page = response.content.decode()
    assert "$2.150.000" in page and "Red Rollup" in page

    region = client.get("/pme/dashboard/region/7/?year=2025")
    assert region.status_code == 200
    assert region.context["figures"].plans == 3
    talca = next(row for row in region.context["breakdown"] if row["deprov"].code == 72)
    assert talca["n_plans"] == 3 and talca["schools"] == 4 and talca["link"]
    assert region.context["coverage"] == 4


def test_region_dashboard_names_schools_only_in_the_supervisors_own_deprov(client):
    """A Talca supervisor opening the Maule region dashboard sees the stale
    plans of Talca by school name, and the other DEPROV's only as counts."""
    from tests.factories import SupervisorProfileFactory

    talca = NetworkFactory(code="RME-07-960", name="Red Talca", deprov_id=72)
    elsewhere_comuna = Comuna.objects.filter(region_id=7).exclude(deprov_id=72).first()
    elsewhere = NetworkFactory(
        code="RME-07-961", name="Red Vecina", deprov_id=elsewhere_comuna.deprov_id
    )
    own = school_plan(talca, "Escuela Propia Olvidada")
    school = SchoolFactory(comuna=elsewhere_comuna, name="Escuela Ajena Olvidada")
    NetworkSchoolFactory(network=elsewhere, school=school)
    other = AnnualPlanFactory(
        cycle=PMECycleFactory(school=school), school=school, shared_with_network=True
    )
    for plan in (own, other):
        action(plan, "liderazgo", d(9, 30), 10, "in_progress")
    AnnualPlan.objects.filter(pk__in=[own.pk, other.pk]).update(
        last_activity_at=timezone.now() - datetime.timedelta(days=90)
    )
    supervisor = SupervisorProfileFactory(deprov_id=72).user
    client.force_login(supervisor)
    response = client.get("/pme/dashboard/region/7/?year=2025")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Escuela Propia Olvidada" in page
    assert "Escuela Ajena Olvidada" not in page
    figures = response.context["figures"]
    assert figures.plans == 2 and figures.stale == 2  # both still count
    rows = {row["deprov"].code: row for row in response.context["breakdown"]}
    assert rows[elsewhere_comuna.deprov_id]["n_stale"] == 1
    assert not rows[elsewhere_comuna.deprov_id]["link"]

    admin = UserFactory(role="admin", is_staff=True, with_totp=True)
    client.force_login(admin)
    page = client.get("/pme/dashboard/region/7/?year=2025").content.decode()
    assert "Escuela Propia Olvidada" in page and "Escuela Ajena Olvidada" in page
