"""Every list and rollup runs a fixed number of queries, whatever the
number of plans, actions and funding lines: measured at two sizes."""

import datetime

import pytest
from django.utils import timezone

from pme.models import AnnualPlan, StrategicGoal, StrategicObjective, Strategy
from schools.models import Comuna
from tests.factories import (
    ActionFactory,
    AnnualPlanFactory,
    FundingLineFactory,
    MembershipFactory,
    NetworkFactory,
    NetworkSchoolFactory,
    PMECycleFactory,
    SupervisorProfileFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def network():
    return NetworkFactory(code="RME-07-960", name="Red Medida", deprov_id=72)


def grow(network, schools, actions_per_plan=3):
    """Add schools to the network, each with a shared plan, actions and funding."""
    for number in range(schools):
        link = NetworkSchoolFactory(network=network, school__comuna=Comuna.objects.get(cut=7101))
        cycle = PMECycleFactory(school=link.school)
        plan = AnnualPlanFactory(cycle=cycle, school=link.school, shared_with_network=True)
        if number == 0:  # one stale plan: the stale list is then queried
            AnnualPlan.objects.filter(pk=plan.pk).update(
                last_activity_at=timezone.now() - datetime.timedelta(days=90)
            )
        objective = StrategicObjective.objects.create(
            cycle=cycle, dimension_id="liderazgo", text="Objetivo"
        )
        StrategicGoal.objects.create(objective=objective, indicator="Indicador", target=10)
        Strategy.objects.create(objective=objective, text="Estrategia")
        for index in range(actions_per_plan):
            action = ActionFactory(
                plan=plan,
                dimension_id=["liderazgo", "gestion_recursos", "formacion_convivencia"][index % 3],
                end_date=datetime.date(2025, 5, 1),
                progress=30 * index,
            )
            FundingLineFactory(action=action, source="sep", amount=100_000)
            FundingLineFactory(action=action, source="pie", amount=50_000)


@pytest.fixture
def supervisor(network):
    user = SupervisorProfileFactory(deprov_id=72).user
    MembershipFactory(network=network, user=user, role="supervisor")
    return user


# url, queries for a supervisor assigned to the network, and what they are.
PAGES = [
    # user; count; page of plans with their figures; networks of the filter
    # form; the dashboards check. (A supervisor has no own schools: only a
    # directivo's are looked up.)
    ("/pme/", 5),
    # user; count; actions with their plan; their funding lines.
    ("/api/v1/pme/actions/", 4),
    # user; count; plans with their figures.
    ("/api/v1/pme/plans/", 3),
    # user; count; cycles; objectives with goals and strategies (3); assessments.
    ("/api/v1/pme/cycles/", 7),
    # user; network; plan counts; dimensions; actions by dimension and state;
    # funding by source; stale plans; plans the user may read; rows per
    # school; schools of the network; the dashboard check.
    ("/pme/networks/RME-07-960/", 11),
    # user; DEPROV; years; plan counts; dimensions; actions by dimension and
    # state; funding; stale plans; schools by network; networks; rows per
    # network; the region check.
    ("/pme/dashboard/deprov/72/?year=2025", 12),
    # user; region; years; plan counts by DEPROV; actions by DEPROV,
    # dimension and state; dimensions; funding; stale plans; DEPROV the user
    # may open; schools by DEPROV; the region's DEPROV.
    ("/pme/dashboard/region/7/?year=2025", 11),
]


@pytest.mark.parametrize(("url", "queries"), PAGES, ids=[u for u, _q in PAGES])
def test_lists_run_a_fixed_number_of_queries(
    network, supervisor, client, django_assert_num_queries, url, queries
):
    grow(network, 2)
    client.force_login(supervisor)
    client.get("/pme/")  # the session is created
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200
    grow(network, 5, actions_per_plan=4)
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


def test_plan_page_runs_a_fixed_number_of_queries(network, client, django_assert_num_queries):
    grow(network, 1, actions_per_plan=2)
    admin = UserFactory(role="admin", is_staff=True, with_totp=True)
    client.force_login(admin)
    plan = AnnualPlan.objects.get()
    client.get("/pme/")
    # user; plan with school, cycle and approver; actions with their catalog,
    # strategy, provider and comment counts; funding lines; comments; next
    # year's plan. (The own-school check of the edit links and the comment
    # form asks the database only for a directivo: an admin has no school;
    # whoever reads the plan may comment: no reader check.)
    with django_assert_num_queries(6):
        client.get(f"/pme/plans/{plan.pk}/")
    # Read again: the summary, chart and actions come from the cache
    # (pme.cache): user; plan; comments; next year's plan.
    with django_assert_num_queries(4):
        client.get(f"/pme/plans/{plan.pk}/")
    for index in range(6):
        action = ActionFactory(plan=plan, name=f"Otra {index}")
        FundingLineFactory(action=action)
    with django_assert_num_queries(6):
        page = client.get(f"/pme/plans/{plan.pk}/")
    assert "Otra 5" in page.content.decode()
    with django_assert_num_queries(4):
        client.get(f"/pme/plans/{plan.pk}/")
