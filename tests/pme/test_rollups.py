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
    rows = {row.name: row for row in panel["pme_school_rows"]}
    assert set(rows) == {"Escuela X", "Escuela Y"}
    assert (rows["Escuela X"].n_actions, rows["Escuela X"].avg_progress) == (5, 47.5)
    assert rows["Escuela X"].n_delayed == 1
    assert (rows["Escuela Y"].n_actions, rows["Escuela Y"].avg_progress) == (2, 85.0)
    assert panel["pme_readable"] == {rows["Escuela X"].pk, rows["Escuela Y"].pk}
    assert panel["pme_school_count"] == 3
    assert panel["pme_can_dashboard"] is True
    # A peer directivo of the network sees the rollup but reads no plan.
    peer = PositionFactory(school=network_world["z"].school).user
    panel = selectors.network_panel(peer, network_world["network"], today=TODAY)
    assert panel["pme_readable"] == set()
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
    # The writes invalidated the cached rollup: built again, then read from
    # the cache with as many queries as before.
    built = count()
    assert count() == small < built


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


# --- the cached part of the network panel ---------------------------------------------


def _panel(user, network_world):
    return selectors.network_panel(user, network_world["network"], today=TODAY)


def _shown(user, network_world):
    """What the panel shows: shared plans, schools, the rows and the rollup."""
    panel = _panel(user, network_world)
    rows = {
        row.name: (row.n_actions, row.avg_progress, row.tail) for row in panel["pme_school_rows"]
    }
    return panel["pme_shared"], panel["pme_school_count"], rows, panel["pme_rollup_html"]


def test_each_write_to_what_the_network_panel_reads_shows_at_once(network_world):
    from networks import services as network_services
    from pme import services
    from pme.models import Action, FundingLine

    admin = UserFactory(role="admin", is_staff=True)
    x, y, z = network_world["x"], network_world["y"], network_world["z"]
    network = network_world["network"]
    before = _shown(admin, network_world)

    def changed():
        nonlocal before
        now = _shown(admin, network_world)
        assert now != before
        assert now == _shown(admin, network_world)  # and cached again
        before = now
        return now

    # An action's progress (services, post_save), its funding (post_save).
    first = Action.objects.filter(plan=x, status="in_progress").order_by("pk").first()
    services.record_progress(by=admin, action=first, progress=90)
    assert changed()[2]["Escuela X"][1] == 60.0  # (100 + 90 + 0 + 50) / 4
    line = FundingLine.objects.filter(action__plan=x, source="sep").order_by("pk").first()
    line.amount += 1
    line.save()
    assert "$2.350.001" in changed()[3]
    # A new action, its deletion.
    created = action(x, "liderazgo", d(9, 30), 0, "planned")
    assert changed()[2]["Escuela X"][0] == 6
    services.delete_action(by=admin, action=created)
    assert changed()[2]["Escuela X"][0] == 5
    # A plan's phase (save) and its sharing (update()).
    services.update_plan(by=admin, plan=x, phase="evaluacion")
    assert "Evaluación" in changed()[2]["Escuela X"][2]
    services.set_plan_sharing(by=admin, plan=z, shared=True)
    assert changed()[0] == 3
    # A school leaving the network (update before) and one joining.
    network_services.remove_school(by=admin, network=network, school=z.school)
    assert changed()[:2] == (2, 2)
    school_plan(network, "Escuela V")
    assert changed()[:2] == (3, 3)
    # The network's year.
    network.year = 2026
    network.save()
    assert changed()[0] == 0
    # A plan deleted with its cycle.
    network.year = 2025
    network.save()
    assert changed()[0] == 3
    y.cycle.delete()
    assert "Escuela Y" not in changed()[2]


def test_a_write_in_another_network_leaves_the_panel_cached(
    network_world, django_assert_num_queries
):
    from pme.cache import pme_version

    admin = UserFactory(role="admin", is_staff=True)
    network, other = network_world["network"], network_world["other"]
    _panel(admin, network_world)
    mine, theirs = pme_version(network.pk), pme_version(other.pk)
    action(network_world["w"], "liderazgo", d(9, 30), 0, "planned", [("sep", 5)])
    assert pme_version(network.pk) == mine and pme_version(other.pk) != theirs
    # Read from the cache: only the reader's plans and the dashboard check.
    with django_assert_num_queries(2):
        _panel(admin, network_world)


def test_what_differs_by_reader_is_not_shared_through_the_cache(network_world, rf):
    from django.template.loader import render_to_string

    supervisor = SupervisorProfileFactory(deprov_id=72).user
    from tests.factories import MembershipFactory

    MembershipFactory(network=network_world["network"], user=supervisor, role="supervisor")
    peer = PositionFactory(school=network_world["z"].school).user
    x = network_world["x"]
    link = f'href="/pme/plans/{x.pk}/"'
    dashboard = "/pme/dashboard/deprov/72/"
    for reader, sees in ((supervisor, True), (peer, False), (supervisor, True)):
        html = render_to_string("pme/_network_panel.html", _panel(reader, network_world))
        assert (link in html) is sees
        assert (dashboard in html) is sees
        assert "Escuela X" in html


def test_the_panel_follows_the_language(network_world):
    from django.utils import translation

    admin = UserFactory(role="admin", is_staff=True)
    spanish = _panel(admin, network_world)["pme_rollup_html"]
    with translation.override("en"):
        english = _panel(admin, network_world)["pme_rollup_html"]
    assert spanish != english


# --- the cached part of the plan page --------------------------------------------------


def test_each_write_to_what_the_plan_page_caches_shows_at_once(network_world, client):
    from pme import services
    from pme.models import Action, ATEProvider, Comment, FundingLine

    admin = UserFactory(role="admin", is_staff=True, with_totp=True)
    client.force_login(admin)
    x, y = network_world["x"], network_world["y"]
    url = f"/pme/plans/{x.pk}/"

    def page(plan=x):
        return client.get(f"/pme/plans/{plan.pk}/").content.decode()

    from pme.cache import plan_version

    first = page()
    page(y)
    other = plan_version(y.pk)
    target = Action.objects.filter(plan=x, status="in_progress").order_by("pk").first()
    services.update_action(by=admin, action=target, name="Renombrada")
    assert "Renombrada" in page()
    assert plan_version(y.pk) == other  # another plan's page is left cached
    line = FundingLine.objects.filter(action=target).order_by("pk").first()
    line.amount = 123_456_789
    line.save()
    assert "$123.656.789" in page()  # the action: SEP and PIE
    Comment.objects.create(plan=x, action=target, author=admin, body="Hola")
    assert '<td class="text-end">1</td>' in page()
    provider = ATEProvider.objects.create(rut=76543210, name="ATE Nueva", active=True)
    target.ate_provider = provider
    target.save()
    assert "ATE: ATE Nueva" in page()
    provider.name = "ATE Renombrada"
    provider.save()
    assert "ATE: ATE Renombrada" in page()
    services.delete_action(by=admin, action=target)
    assert "Renombrada" not in page() and first != page()
    assert client.get(url).status_code == 200


def test_bulk_writes_skip_the_per_row_signals_and_invalidate_everything(
    network_world, django_assert_num_queries
):
    from pme.cache import bulk_writes

    admin = UserFactory(role="admin", is_staff=True)
    assert _panel(admin, network_world)["pme_shared"] == 2
    cycle = network_world["x"].cycle
    with bulk_writes():
        cycle.delete()
    assert _panel(admin, network_world)["pme_shared"] == 1
