"""The network list, the API list and a network page run a fixed number of
queries, however many networks, schools and members there are: each is
measured at a small and a larger size, and the counts must be equal."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from schools.models import Comuna
from tests.factories import (
    ExternalPartnerFactory,
    MembershipFactory,
    NetworkFactory,
    NetworkSchoolFactory,
    PerformanceCategoryFactory,
    PositionFactory,
    SchoolFactory,
    SupervisorProfileFactory,
)

pytestmark = pytest.mark.django_db

TALCA = 72


@pytest.fixture
def comunas(db):
    return list(Comuna.objects.filter(deprov_id=TALCA).order_by("cut")[:3])


def add_schools(network, count, comunas):
    """Schools with a performance category and a directivo member each."""
    for n in range(count):
        school = SchoolFactory(comuna=comunas[n % len(comunas)])
        PerformanceCategoryFactory(school=school)
        NetworkSchoolFactory(network=network, school=school)
        director = PositionFactory(school=school).user
        MembershipFactory(network=network, user=director, role="directivo", school=school)


def build_networks(first, count, schools, comunas):
    """Talca networks with `schools` schools, a supervisor and a partner each."""
    networks = []
    for i in range(first, first + count):
        network = NetworkFactory(code=f"RME-07-{i:03d}", deprov_id=TALCA)
        add_schools(network, schools, comunas)
        MembershipFactory(
            network=network,
            user=SupervisorProfileFactory(deprov_id=TALCA).user,
            role="supervisor",
        )
        ExternalPartnerFactory().networks.add(network)
        networks.append(network)
    return networks


@pytest.fixture
def viewer(client, db):
    """A Talca supervisor (sees and manages every network of DEPROV 72), signed in."""
    client.force_login(SupervisorProfileFactory(deprov_id=TALCA).user)
    return client


def queries_of(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(captured)


def test_network_list_page_runs_constant_queries(viewer, comunas):
    networks = build_networks(0, 3, 2, comunas)
    # Counted on a warm cache (the registry's options and version are read
    # once and kept): whether an earlier test left them there must not count.
    viewer.get("/networks/")
    small, small_count = queries_of(viewer, "/networks/")
    for network in networks:
        add_schools(network, 2, comunas)
    build_networks(3, 12, 4, comunas)
    large, large_count = queries_of(viewer, "/networks/")

    assert small.context["page"].paginator.count == 3
    assert large.context["page"].paginator.count == 15
    assert [n.n_schools for n in large.context["page"].object_list][:3] == [4, 4, 4]
    assert [n.n_members for n in large.context["page"].object_list][:3] == [5, 5, 5]
    assert small_count == large_count
    # (The session comes from the cache.) 1 user, 2 count of visible networks,
    # 3 the page of networks with DEPROV, region and school/member counts,
    # 4 "may create?" (the supervisor's DEPROV); the filter form's region and
    # DEPROV choices come from the cache (the registry's version).
    assert large_count == 4


def test_network_api_list_runs_constant_queries(viewer, comunas):
    networks = build_networks(0, 3, 2, comunas)
    small, small_count = queries_of(viewer, "/api/v1/networks/")
    for network in networks:
        add_schools(network, 2, comunas)
    build_networks(3, 12, 4, comunas)
    large, large_count = queries_of(viewer, "/api/v1/networks/")

    assert small.json()["count"] == 3
    body = large.json()
    assert body["count"] == 15
    assert sum(len(n["schools"]) for n in body["results"]) == 3 * 4 + 12 * 4
    assert sum(len(n["members"]) for n in body["results"]) == 3 * 5 + 12 * 5
    assert small_count == large_count
    # (The session comes from the cache.) 1 user, 2 the page of networks with
    # DEPROV (fewer than a page: their count is known from it, no COUNT), then
    # as plain values for the page's networks: 3 active school links with
    # school and comuna, 4 active memberships with user, 5 partners (no
    # performance categories: the API does not write them).
    assert large_count == 5


@pytest.mark.parametrize("role", ["supervisor", "directivo"])
def test_network_page_runs_constant_queries(client, comunas, role):
    (network,) = build_networks(0, 1, 5, comunas)
    if role == "supervisor":  # the manager's page, with forms and buttons
        user = SupervisorProfileFactory(deprov_id=TALCA).user
    else:
        user = network.memberships.filter(role="directivo").first().user
    client.force_login(user)
    url = f"/networks/{network.code}/"
    small, small_count = queries_of(client, url)
    add_schools(network, 20, comunas)
    large, large_count = queries_of(client, url)

    assert len(small.context["network"].active_schools) == 5
    assert len(large.context["network"].active_schools) == 25
    assert len(large.context["network"].active_members) == 26
    assert small_count == large_count
    # (The session comes from the cache.) 1 user, 2 the network with DEPROV
    # and region, 3 active school links with school, comuna and latest
    # performance category, 4 active memberships with user and school,
    # 5 partners; for a supervisor, 6 "may manage?".
    assert large_count == (6 if role == "supervisor" else 5)


def test_manager_removes_rows_through_one_form_per_table(client, comunas):
    """Each school and member row has its own labelled remove button, posting
    to the row's own address through one form (and CSRF token) per table;
    a school's latest performance category is the one shown."""
    (network,) = build_networks(0, 1, 2, comunas)
    link = network.network_schools.select_related("school").first()
    PerformanceCategoryFactory(school=link.school, year=2024, category="alto")
    member = network.memberships.filter(role="directivo").select_related("user").first()
    client.force_login(SupervisorProfileFactory(deprov_id=TALCA).user)
    url = f"/networks/{network.code}/"

    page = client.get(url).content.decode()

    school = link.school
    assert page.count('<form id="remove-school" method="post">') == 1
    assert page.count('<form id="remove-member" method="post">') == 1
    assert f' action="{url}schools/{school.rbd}/remove/"' not in page  # no form per row
    assert (
        f'form="remove-school" formaction="{url}schools/{school.rbd}/remove/" '
        f'aria-label="Quitar {school.name} de la red"'
    ) in page
    assert (
        f'form="remove-member" formaction="{url}members/{member.user_id}/remove/" '
        f'aria-label="Quitar a {member.user.get_full_name()}"'
    ) in page
    assert '>Alto</span> <span class="small text-body-secondary">2024</span>' in page

    response = client.post(f"{url}schools/{school.rbd}/remove/")
    assert response.status_code == 302
    assert (
        school.name
        not in client.get(url).content.decode().split('id="h-schools"')[1].split("</section>")[0]
    )
