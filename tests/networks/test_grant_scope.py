"""Nobody grants more than they hold (issue 14): every path that gives a
role, a position, a link to a sostenedor, a membership or a survey scope
checks the granter's own scope. The matrix: granter (admin, national
analyst, regional analyst, supervisor) x granted role x inside/outside the
granter's scope, through the invitation pages; then the people import."""

import io

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils.html import escape

from networks.models import Membership
from networks.people import import_users
from rme_platform.accounts.models import User
from schools.models import AnalystScope, Position, SostenedorRepresentative, SupervisorProfile
from tests.factories import SchoolFactory, SostenedorRepresentativeFactory

from .conftest import SANTIAGO_CENTRO, TALCA
from .test_import_users import HEADER, csv_text, dotted_rut, snapshot

pytestmark = pytest.mark.django_db

EMAIL = "persona.nueva@escuela.cl"
GRANTERS = {
    "admin": "admin",
    "analyst": "analyst",
    # Scope: region 13 (Santiago): inside is Santiago, outside is Talca.
    "analyst_regional": "analyst_rm",
    # DEPROV Talca: inside is Talca, outside is Santiago.
    "supervisor": "supervisor_a",
}
GRANTED = ["director", "utp", "supervisor", "sostenedor_rep", "analyst", "admin"]


def place(world, granter, inside):
    """The school, DEPROV, sostenedor and network inside or outside the
    granter's scope (admin and national analyst: everything is inside; the
    two places are then both tried)."""
    santiago_first = granter == "analyst_regional"
    talca = inside != santiago_first
    if talca:
        return world.a2, TALCA, world.a2.sostenedor, world.network_a
    return world.b1, SANTIAGO_CENTRO, world.b1.sostenedor, world.network_b


def request_for(world, granter, role, inside):
    """(url, form data) giving `role` at the place."""
    school, deprov, sostenedor, network = place(world, granter, inside)
    data = {"email": EMAIL, "first_name": "Nora", "last_name": "Nueva", "role": role}
    if role == "admin":  # a ministry admin holds no place
        return "/people/invite/", {**data, "language": "es"}
    if role in ("director", "utp"):
        data["rbd"] = school.rbd
    elif role == "supervisor":
        data["deprov"] = deprov
    elif role == "sostenedor_rep":
        data["sostenedor_rut"] = dotted_rut(sostenedor.rut)
    else:  # analyst: a guest membership of the network
        data["networks"] = network.code
    return "/people/invite/", data


def expected(granter, role, inside):
    if granter == "admin":
        return True
    if granter == "analyst":
        return role == "analyst"
    if granter == "analyst_regional":
        return role == "analyst" and inside
    return role in ("director", "utp", "sostenedor_rep") and inside


def granted(user, role, world, granter, inside):
    """Whether the account holds what was asked for."""
    school, deprov, sostenedor, network = place(world, granter, inside)
    if role in ("director", "utp"):
        return Position.objects.active().filter(user=user, school=school, role=role).exists()
    if role == "supervisor":
        return SupervisorProfile.objects.filter(user=user, deprov_id=deprov).exists()
    if role == "sostenedor_rep":
        return SostenedorRepresentative.objects.filter(user=user, sostenedor=sostenedor).exists()
    if role == "analyst":
        return Membership.objects.filter(user=user, network=network, active=True).exists()
    return user.is_staff


@pytest.mark.parametrize("inside", [True, False], ids=["inside", "outside"])
@pytest.mark.parametrize("role", GRANTED)
@pytest.mark.parametrize("granter", list(GRANTERS))
def test_grant_matrix(world, login, django_capture_on_commit_callbacks, granter, role, inside):
    client = login(getattr(world, GRANTERS[granter]))
    url, data = request_for(world, granter, role, inside)
    before = snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    if expected(granter, role, inside):
        assert response.status_code == 302, response.context["form"].errors
        user = User.objects.get(email=EMAIL)
        assert user.role == role
        assert granted(user, role, world, granter, inside)
        assert [m.to for m in mail.outbox] == [[EMAIL]]
    else:
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert errors
        # Each refusal is said on the page, next to what caused it.
        page = response.content.decode()
        for messages in errors.values():
            for message in messages:
                assert escape(message) in page
        assert snapshot() == before
        assert not User.objects.filter(email=EMAIL).exists()
        assert mail.outbox == []


def test_supervisor_may_not_link_a_representative_of_a_sostenedor_of_another_deprov(world, login):
    """The case of the review: a Talca supervisor made someone the
    representative of a Santiago sostenedor, who could then read its plans."""
    client = login(world.supervisor_a)
    before = snapshot()
    response = client.post(
        "/people/invite/",
        {
            "email": EMAIL,
            "first_name": "Nora",
            "last_name": "Nueva",
            "role": "sostenedor_rep",
            "sostenedor_rut": dotted_rut(world.b1.sostenedor.rut),
            "networks": world.network_a.code,
        },
    )
    assert response.status_code == 200
    assert "sostenedor_rut" in response.context["form"].errors
    assert snapshot() == before


def test_a_sostenedor_with_schools_in_two_deprov_is_outside_a_supervisors_scope(world, login):
    # The sostenedor of a Talca school has another one in Santiago.
    SchoolFactory(sostenedor=world.a2.sostenedor)  # Santiago Centro by default
    client = login(world.supervisor_a)
    before = snapshot()
    response = client.post(
        "/people/invite/",
        {
            "email": EMAIL,
            "first_name": "Nora",
            "last_name": "Nueva",
            "role": "sostenedor_rep",
            "sostenedor_rut": dotted_rut(world.a2.sostenedor.rut),
        },
    )
    assert response.status_code == 200
    assert "sostenedor_rut" in response.context["form"].errors
    assert snapshot() == before


def test_an_analyst_invited_by_a_regional_analyst_gets_no_wider_scope(
    world, login, django_capture_on_commit_callbacks
):
    client = login(world.analyst_rm)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/people/invite/",
            {"email": EMAIL, "first_name": "Nora", "last_name": "Nueva", "role": "analyst"},
        )
    assert response.status_code == 302
    scope = AnalystScope.objects.get(user__email=EMAIL)
    assert not scope.national
    assert list(scope.regions.values_list("code", flat=True)) == [13]


def test_a_supervisor_may_not_take_over_someone_elses_pending_invitation(world, login):
    """An account invited (by the ministry) as analyst and not yet accepted
    keeps its role: a supervisor cannot re-invite it as a directivo."""
    from rme_platform.accounts.services import invite_user

    invite_user(email=EMAIL, role="analyst", invited_by=world.admin, send=False)
    client = login(world.supervisor_a)
    before = snapshot()
    response = client.post(
        "/people/invite/",
        {
            "email": EMAIL,
            "first_name": "Nora",
            "last_name": "Nueva",
            "role": "director",
            "rbd": world.a2.rbd,
        },
    )
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert snapshot() == before
    assert User.objects.get(email=EMAIL).role == "analyst"


def test_people_import_checks_the_importers_scope(world):
    """import_users with a non-admin importer refuses rows outside their
    scope, naming the row and column, and writes nothing."""
    rows = [
        f"dentro@escuela.cl,Ana,Dentro,director,{world.a2.rbd},,,",
        f"fuera@sostenedor.cl,Beto,Fuera,sostenedor_rep,,,{dotted_rut(world.b1.sostenedor.rut)},",
        f"lejos@escuela.cl,Carla,Lejos,utp,{world.b1.rbd},,,",
    ]
    before = snapshot()
    with pytest.raises(ValidationError) as raised:
        import_users(
            path_or_file=io.BytesIO(csv_text(*rows, header=HEADER).encode()),
            invited_by=world.supervisor_a,
        )
    messages = raised.value.messages
    assert any(m.startswith("fila 2, columna sostenedor_rut") for m in messages)
    assert any(m.startswith("fila 3, columna rbd") for m in messages)
    assert not any(m.startswith("fila 1,") for m in messages)
    assert snapshot() == before
    # The same file by an admin is written.
    result = import_users(
        path_or_file=io.BytesIO(csv_text(*rows, header=HEADER).encode()),
        invited_by=world.admin,
    )
    assert result.created == 3


# --- network membership: only people within the manager's reach ------------------

A = "RME-07-901"  # network A, DEPROV Talca (supervisor_a manages it)


def stranger(world):
    """A Santiago directivo, outside a Talca supervisor's reach, with a name
    that must never show."""
    person = world.director_b
    person.first_name, person.last_name = "Ernestina", "Forastera"
    person.save()
    return person


def add_by_api(client, **data):
    return client.post(f"/api/v1/networks/{A}/members/", data, content_type="application/json")


@pytest.mark.parametrize("role", ["guest", "sostenedor_rep", "directivo", "supervisor"])
def test_api_adds_no_one_outside_the_supervisors_reach(world, login, role):
    person = stranger(world)
    client = login(world.supervisor_a)
    unknown_id = User.objects.order_by("-pk").first().pk + 1000
    by_id = add_by_api(client, user_id=person.pk, role=role)
    by_unknown_id = add_by_api(client, user_id=unknown_id, role=role)
    by_email = add_by_api(client, email=person.email, role=role)
    by_unknown_email = add_by_api(client, email="nadie@escuela.cl", role=role)
    # Unknown and out of reach answer alike: ids and emails reveal no account.
    assert by_id.status_code == by_unknown_id.status_code == 400
    assert by_id.json() == by_unknown_id.json()
    assert by_email.status_code == by_unknown_email.status_code == 400
    assert by_email.json() == by_unknown_email.json()
    for response in (by_id, by_email):
        text = response.content.decode()
        assert "Ernestina" not in text and "Forastera" not in text
    assert not Membership.objects.filter(user=person, network__code=A).exists()
    # ... and the person does not see the network.
    assert login(person).get(f"/api/v1/networks/{A}/").status_code == 404


def test_api_adds_people_within_reach_and_an_admin_anyone(world, login):
    client = login(world.supervisor_a)
    rep = SostenedorRepresentativeFactory(sostenedor=world.a2.sostenedor).user
    for person in (world.utp_a1, rep):  # a Talca UTP head, a rep
        response = add_by_api(client, user_id=person.pk, role="guest")
        assert response.status_code == 201
        assert person.get_full_name() in response.content.decode()
    person = stranger(world)
    response = add_by_api(login(world.admin), user_id=person.pk, role="guest")
    assert response.status_code == 201
    assert Membership.objects.filter(user=person, network__code=A, active=True).exists()


def test_members_page_adds_no_one_outside_the_supervisors_reach(world, login):
    person = stranger(world)
    client = login(world.supervisor_a)
    url = f"/networks/{A}/members/add/"
    outside = client.post(url, {"email": person.email, "role": "guest"})
    unknown = client.post(url, {"email": "nadie@escuela.cl", "role": "guest"})
    assert outside.status_code == unknown.status_code == 400
    assert outside.context["member_form"].errors == unknown.context["member_form"].errors
    text = outside.content.decode()
    assert "Ernestina" not in text and "Forastera" not in text
    assert not Membership.objects.filter(user=person, network__code=A).exists()
    inside = client.post(url, {"email": world.utp_a1.email, "role": "guest"})
    assert inside.status_code == 302
    assert Membership.objects.filter(user=world.utp_a1, network__code=A, active=True).exists()


def test_removing_a_member_names_no_one_outside_the_network(world, login):
    person = stranger(world)
    client = login(world.supervisor_a)
    unknown_id = User.objects.order_by("-pk").first().pk + 1000
    page = client.post(f"/networks/{A}/members/{person.pk}/remove/", follow=True)
    assert page.status_code == 404
    assert "Ernestina" not in page.content.decode()
    api = client.delete(f"/api/v1/networks/{A}/members/{person.pk}/")
    unknown = client.delete(f"/api/v1/networks/{A}/members/{unknown_id}/")
    assert api.status_code == unknown.status_code == 404
    assert api.content == unknown.content
    # A member of the network is still removed.
    member = world.director_a
    assert client.delete(f"/api/v1/networks/{A}/members/{member.pk}/").status_code == 204
    assert not Membership.objects.filter(user=member, network__code=A, active=True).exists()
