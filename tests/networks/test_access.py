"""The access matrix of networks: for each named user, each page and API
endpoint answers what their role allows (DESIGN.md section 2). A network the
user may not see answers 404, like a missing one; one they may see but not
manage answers 403. A denied write changes nothing."""

import pytest

from networks.models import ExternalPartner, Membership, Network, NetworkSchool
from tests.factories import ExternalPartnerFactory

from .conftest import ROLES

pytestmark = pytest.mark.django_db

A, B = "RME-07-901", "RME-13-901"
NEW_CODE = "RME-07-950"
SIGNED_IN = [role for role in ROLES if role != "anonymous"]

# Which networks each role sees: A (Talca, DEPROV 72) and B (Santiago Centro,
# DEPROV 131).
VISIBLE = {
    "director_a": {A},  # active position at a school of A
    "director_b": {B},  # active position at a school of B
    "supervisor_a": {A},  # DEPROV 72 (and member of A)
    "supervisor_b": {B},  # DEPROV 131
    "rep_a": {A},  # their sostenedor runs a school of A (and member of A)
    "analyst": {A, B},
    "analyst_rm": {B},  # scope: region 13 only
    "admin": {A, B},
}
MANAGERS_OF_A = {"supervisor_a", "admin"}


def outcome_for_a(role):
    """200 for who may manage A, 403 for who only sees it, 404 for the rest."""
    if role in MANAGERS_OF_A:
        return 200
    return 403 if A in VISIBLE[role] else 404


def by_role(expected):
    return [pytest.param(role, expected(role), id=role) for role in SIGNED_IN]


def assert_sent_to_sign_in(response):
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def network_state(w):
    """What a write to network A could change, to compare before and after."""
    network = Network.objects.get(code=A)
    return {
        "network": (network.name, network.year, network.status),
        "networks": Network.objects.count(),
        "schools": set(
            NetworkSchool.objects.filter(network=network, left_on__isnull=True).values_list(
                "school_id", flat=True
            )
        ),
        "links": NetworkSchool.objects.count(),
        "members": set(
            Membership.objects.filter(network=network, active=True).values_list("user_id", "role")
        ),
        "partners": set(network.partners.values_list("pk", flat=True)),
        "partner_rows": ExternalPartner.objects.count(),
    }


# --- pages ----------------------------------------------------------------------


@pytest.mark.parametrize(("role", "codes"), by_role(lambda role: VISIBLE[role]))
def test_network_list_shows_the_networks_of_the_role(world, login, role, codes):
    response = login(getattr(world, role)).get("/networks/")
    assert response.status_code == 200
    shown = {network.code for network in response.context["page"].object_list}
    assert shown == codes
    page = response.content.decode()
    for code in {A, B} - codes:
        assert code not in page


@pytest.mark.parametrize(
    ("role", "status"), by_role(lambda role: 200 if A in VISIBLE[role] else 404)
)
def test_network_detail_page(world, login, role, status):
    response = login(getattr(world, role)).get(f"/networks/{A}/")
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert "Red Talca A" in page and "Escuela Talca Uno" in page
        # Management forms only for who may manage.
        assert ("Sumar un establecimiento" in page) == (role in MANAGERS_OF_A)
    else:
        assert "Red Talca A" not in response.content.decode()


def test_hidden_network_answers_like_a_missing_one(world, login):
    client = login(world.director_b)
    hidden, missing = client.get(f"/networks/{A}/"), client.get("/networks/RME-99-999/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.templates[0].name == missing.templates[0].name


@pytest.mark.parametrize(("role", "status"), by_role(outcome_for_a))
def test_network_edit_page(world, login, role, status):
    response = login(getattr(world, role)).get(f"/networks/{A}/edit/")
    assert response.status_code == status


def edit_a(client, w):
    return client.post(
        f"/networks/{A}/edit/",
        {"name": "Red Talca Renombrada", "year": 2025, "status": "active"},
    )


def add_school(client, w):
    return client.post(f"/networks/{A}/schools/add/", {"rbd": w.talca_free.rbd})


def remove_school(client, w):
    return client.post(f"/networks/{A}/schools/{w.a2.rbd}/remove/")


def add_member(client, w):
    return client.post(
        f"/networks/{A}/members/add/", {"email": w.utp_a1.email, "role": "directivo"}
    )


def remove_member(client, w):
    return client.post(f"/networks/{A}/members/{w.director_a.pk}/remove/")


def add_partner(client, w):
    return client.post(
        f"/networks/{A}/partners/add/", {"name": "Universidad de Talca", "kind": "university"}
    )


def remove_partner(client, w):
    return client.post(f"/networks/{A}/partners/{w.partner.pk}/remove/")


# What a manager's write visibly changes.
PAGE_WRITES = {
    "edit": (edit_a, lambda w: Network.objects.get(code=A).name == "Red Talca Renombrada"),
    "add_school": (
        add_school,
        lambda w: NetworkSchool.objects.filter(
            network__code=A, school=w.talca_free, left_on__isnull=True
        ).exists(),
    ),
    "remove_school": (
        remove_school,
        lambda w: NetworkSchool.objects.filter(
            network__code=A, school=w.a2, left_on__isnull=False
        ).exists(),
    ),
    "add_member": (
        add_member,
        lambda w: Membership.objects.filter(
            network__code=A, user=w.utp_a1, role="directivo", school=w.a1, active=True
        ).exists(),
    ),
    "remove_member": (
        remove_member,
        lambda w: Membership.objects.filter(
            network__code=A, user=w.director_a, active=False
        ).exists(),
    ),
    "add_partner": (
        add_partner,
        lambda w: Network.objects.get(code=A)
        .partners.filter(name="Universidad de Talca", kind="university")
        .exists(),
    ),
    "remove_partner": (
        remove_partner,
        lambda w: not Network.objects.get(code=A).partners.filter(pk=w.partner.pk).exists(),
    ),
}


@pytest.fixture
def world_with_partner(world):
    world.partner = ExternalPartnerFactory(name="CESFAM Talca", kind="health")
    world.partner.networks.add(world.network_a)
    return world


@pytest.mark.parametrize("action", PAGE_WRITES)
@pytest.mark.parametrize(("role", "status"), by_role(outcome_for_a))
def test_page_writes_to_network_a(world_with_partner, login, role, status, action):
    w = world_with_partner
    post, changed = PAGE_WRITES[action]
    before = network_state(w)
    response = post(login(getattr(w, role)), w)
    if status == 200:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert response["Location"] == f"/networks/{A}/"
        assert changed(w)
    else:
        assert response.status_code == status
        assert not changed(w)
        assert network_state(w) == before


@pytest.mark.parametrize("action", PAGE_WRITES)
def test_anonymous_writes_are_sent_to_sign_in(world_with_partner, client, action):
    w = world_with_partner
    post, changed = PAGE_WRITES[action]
    before = network_state(w)
    assert_sent_to_sign_in(post(client, w))
    assert network_state(w) == before


@pytest.mark.parametrize("url", ["/", "/networks/", f"/networks/{A}/", f"/networks/{A}/edit/"])
def test_anonymous_pages_are_sent_to_sign_in(world, client, url):
    assert_sent_to_sign_in(client.get(url))


def test_network_create_page_sends_anonymous_to_sign_in(world, client):
    assert_sent_to_sign_in(client.get("/networks/new/"))
    assert_sent_to_sign_in(client.post("/networks/new/", {"code": NEW_CODE}))
    assert not Network.objects.filter(code=NEW_CODE).exists()


# --- creating networks ----------------------------------------------------------

CREATORS = {"supervisor_a": 200, "supervisor_b": 200, "admin": 200}


@pytest.mark.parametrize(("role", "status"), by_role(lambda role: CREATORS.get(role, 403)))
def test_network_create_page(world, login, role, status):
    response = login(getattr(world, role)).get("/networks/new/")
    assert response.status_code == status


def new_network_data(deprov):
    return {"code": NEW_CODE, "name": "Red Nueva", "deprov": deprov, "year": 2025}


# supervisor_a and admin create in DEPROV 72; supervisor_other (DEPROV 131)
# gets a form error; the other roles may not create at all.
CREATE_IN_72 = {"supervisor_a": "created", "admin": "created", "supervisor_b": "form error"}


@pytest.mark.parametrize(
    ("role", "outcome"), by_role(lambda role: CREATE_IN_72.get(role, "forbidden"))
)
def test_create_network_in_deprov_72(world, login, role, outcome):
    response = login(getattr(world, role)).post("/networks/new/", new_network_data(72))
    if outcome == "created":
        assert response.status_code == 302
        assert response["Location"] == f"/networks/{NEW_CODE}/"
        network = Network.objects.get(code=NEW_CODE)
        assert (network.deprov_id, network.year, network.name) == (72, 2025, "Red Nueva")
    elif outcome == "form error":
        assert response.status_code == 200
        assert "deprov" in response.context["form"].errors
        assert not Network.objects.filter(code=NEW_CODE).exists()
    else:
        assert response.status_code == 403
        assert not Network.objects.filter(code=NEW_CODE).exists()


def test_supervisor_may_not_create_in_a_neighbour_deprov(world, login):
    response = login(world.supervisor_a).post("/networks/new/", new_network_data(71))
    assert response.status_code == 200
    assert "deprov" in response.context["form"].errors
    assert not Network.objects.filter(code=NEW_CODE).exists()


def test_create_page_offers_only_the_supervisors_deprov(world, login):
    response = login(world.supervisor_a).get("/networks/new/")
    choices = list(response.context["form"].fields["deprov"].queryset.values_list("pk", flat=True))
    assert choices == [72]


# --- home page ------------------------------------------------------------------


@pytest.mark.parametrize(("role", "codes"), by_role(lambda role: VISIBLE[role]))
def test_home_page_lists_the_networks_of_the_role(world, login, role, codes):
    response = login(getattr(world, role)).get("/")
    assert response.status_code == 200
    assert {network.code for network in response.context["networks"]} == codes
    page = response.content.decode()
    for code in {A, B} - codes:
        assert code not in page


def test_directivo_home_shows_their_network_and_not_others(world, login):
    member_page = login(world.director_a).get("/").content.decode()
    assert A in member_page and "Escuela Talca Uno" in member_page
    other_page = login(world.director_b).get("/").content.decode()
    assert A not in other_page and B in other_page


# --- API ------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "codes"), by_role(lambda role: VISIBLE[role]))
def test_api_list_shows_the_networks_of_the_role(world, login, role, codes):
    response = login(getattr(world, role)).get("/api/v1/networks/")
    assert response.status_code == 200
    body = response.json()
    assert {network["code"] for network in body["results"]} == codes
    assert body["count"] == len(codes)


@pytest.mark.parametrize(
    ("role", "status"), by_role(lambda role: 200 if A in VISIBLE[role] else 404)
)
def test_api_retrieve_network_a(world, login, role, status):
    response = login(getattr(world, role)).get(f"/api/v1/networks/{A}/")
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body["code"] == A and body["deprov"] == 72 and body["region"] == 7
        assert {s["rbd"] for s in body["schools"]} == {world.a1.rbd, world.a2.rbd}


@pytest.mark.parametrize(("role", "status"), by_role(outcome_for_a))
def test_api_patch_network_a(world, login, role, status):
    before = network_state(world)
    response = login(getattr(world, role)).patch(
        f"/api/v1/networks/{A}/", {"name": "Red Talca API"}, content_type="application/json"
    )
    assert response.status_code == status
    if status == 200:
        assert response.json()["name"] == "Red Talca API"
        assert Network.objects.get(code=A).name == "Red Talca API"
    else:
        assert network_state(world) == before


def api_post(path, data):
    return lambda client, w: client.post(
        f"/api/v1/networks/{A}/{path}", data(w), content_type="application/json"
    )


def api_delete(path):
    return lambda client, w: client.delete(f"/api/v1/networks/{A}/{path(w)}")


API_WRITES = {
    "add_school": (
        api_post("schools/", lambda w: {"rbd": w.talca_free.rbd}),
        201,
        PAGE_WRITES["add_school"][1],
    ),
    "remove_school": (
        api_delete(lambda w: f"schools/{w.a2.rbd}/"),
        204,
        PAGE_WRITES["remove_school"][1],
    ),
    "add_member": (
        api_post("members/", lambda w: {"user_id": w.utp_a1.pk, "role": "directivo"}),
        201,
        PAGE_WRITES["add_member"][1],
    ),
    "remove_member": (
        api_delete(lambda w: f"members/{w.director_a.pk}/"),
        204,
        PAGE_WRITES["remove_member"][1],
    ),
    "add_partner": (
        api_post("partners/", lambda w: {"name": "Universidad de Talca", "kind": "university"}),
        201,
        PAGE_WRITES["add_partner"][1],
    ),
    "remove_partner": (
        api_delete(lambda w: f"partners/{w.partner.pk}/"),
        204,
        PAGE_WRITES["remove_partner"][1],
    ),
}


@pytest.mark.parametrize("action", API_WRITES)
@pytest.mark.parametrize(("role", "status"), by_role(outcome_for_a))
def test_api_writes_to_network_a(world_with_partner, login, role, status, action):
    w = world_with_partner
    send, success, changed = API_WRITES[action]
    before = network_state(w)
    response = send(login(getattr(w, role)), w)
    if status == 200:
        assert response.status_code == success, response.content
        assert changed(w)
    else:
        assert response.status_code == status
        assert not changed(w)
        assert network_state(w) == before


API_CREATE = {"supervisor_a": 201, "admin": 201}


@pytest.mark.parametrize(("role", "status"), by_role(lambda role: API_CREATE.get(role, 403)))
def test_api_create_network_in_deprov_72(world, login, role, status):
    response = login(getattr(world, role)).post(
        "/api/v1/networks/", new_network_data(72), content_type="application/json"
    )
    assert response.status_code == status
    assert Network.objects.filter(code=NEW_CODE).exists() == (status == 201)
    if status == 201:
        assert response.json()["code"] == NEW_CODE


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/networks/"),
        ("get", f"/api/v1/networks/{A}/"),
        ("patch", f"/api/v1/networks/{A}/"),
        ("post", "/api/v1/networks/"),
        ("post", f"/api/v1/networks/{A}/schools/"),
        ("post", f"/api/v1/networks/{A}/members/"),
        ("post", f"/api/v1/networks/{A}/partners/"),
        ("delete", f"/api/v1/networks/{A}/schools/1/"),
    ],
)
def test_api_refuses_anonymous(world, client, method, path):
    before = network_state(world)
    response = getattr(client, method)(path, {}, content_type="application/json")
    assert response.status_code in {401, 403}
    assert network_state(world) == before
