"""The forms a Chilean supervisor fills to build a network: RBDs written as
the directory writes them ("16748-7"), the creator offered as the network's
supervisor, a school's directivos offered as members, and the way to invite
someone who has no account yet."""

import pytest
from django.core.exceptions import ValidationError

from networks.models import Membership
from rme_platform.accounts.models import Invitation
from schools.forms import RBDField
from schools.validators import modulo11_check_digit, parse_rbd
from tests.factories import (
    NetworkFactory,
    NetworkSchoolFactory,
    PositionFactory,
    SchoolFactory,
    SupervisorProfileFactory,
    UserFactory,
    territory_comuna,
)

pytestmark = pytest.mark.django_db


def rbd_with_digit(school):
    return f"{school.rbd}-{modulo11_check_digit(school.rbd)}"


def wrong_digit(rbd):
    right = modulo11_check_digit(rbd)
    return "1" if right != "1" else "2"


# --- the RBD as it is written ------------------------------------------------------------


@pytest.mark.parametrize("written", ["16748-7", "16.748-7", "16748 - 7", "16748 7", "16748"])
def test_an_rbd_is_read_with_or_without_its_check_digit(written):
    assert modulo11_check_digit(16748) == "7"
    assert parse_rbd(written) == 16748


def test_a_wrong_check_digit_is_named_in_spanish():
    with pytest.raises(ValidationError) as caught:
        parse_rbd("16748-3")
    assert caught.value.messages == [
        "El dígito verificador 3 no corresponde al RBD 16748; revíselo o escriba solo el número."
    ]


@pytest.mark.parametrize("written", ["RBD", "16748-", "16748-77", "-7", "0"])
def test_what_is_not_an_rbd_says_how_to_write_one(written):
    with pytest.raises(ValidationError) as caught:
        parse_rbd(written)
    assert caught.value.messages[0].startswith("E")


def test_the_directory_check_digit_is_accepted_where_it_is_not_the_modulo_11_one():
    # Real directory files publish ~50 schools with another check digit.
    school = SchoolFactory(check_digit=wrong_digit(9_100_001), rbd=9_100_001)
    field = RBDField()
    assert field.clean(f"{school.rbd}-{school.check_digit}") == school.rbd
    assert field.clean(rbd_with_digit(school)) == school.rbd


def test_the_rbd_input_is_a_text_input_so_the_hyphen_can_be_typed():
    html = str(RBDField().widget.render("rbd", ""))
    assert 'type="text"' in html


# --- a supervisor builds a network -------------------------------------------------------


@pytest.fixture
def supervisor(db):
    return SupervisorProfileFactory(deprov=territory_comuna().deprov).user


@pytest.fixture
def network(supervisor):
    return NetworkFactory(deprov=territory_comuna().deprov)


def test_a_school_is_added_by_its_rbd_with_check_digit(login, supervisor, network):
    school = SchoolFactory()
    client = login(supervisor)
    response = client.post(
        f"/networks/{network.code}/schools/add/", {"rbd": rbd_with_digit(school)}
    )
    assert response.status_code == 302
    assert network.network_schools.filter(school=school, left_on__isnull=True).exists()


def test_a_wrong_check_digit_is_shown_on_the_rbd_field(login, supervisor, network):
    school = SchoolFactory()
    client = login(supervisor)
    response = client.post(
        f"/networks/{network.code}/schools/add/",
        {"rbd": f"{school.rbd}-{wrong_digit(school.rbd)}"},
    )
    assert response.status_code == 400
    assert "no corresponde al RBD" in response.context["school_form"].errors["rbd"][0]
    assert not network.network_schools.exists()


def test_the_add_school_form_renders_a_text_rbd_input(login, supervisor, network):
    response = login(supervisor).get(f"/networks/{network.code}/")
    html = response.content.decode()
    assert 'name="rbd"' in html
    assert 'type="number" name="rbd"' not in html


def test_adding_a_school_offers_to_add_its_directivos(login, supervisor, network):
    school = SchoolFactory()
    director = PositionFactory(school=school, user=UserFactory(role="director")).user
    utp = PositionFactory(school=school, user=UserFactory(role="utp")).user
    client = login(supervisor)
    page = client.get(f"/networks/{network.code}/").content.decode()
    assert 'name="add_directivos"' in page and "checked" in page

    response = client.post(
        f"/networks/{network.code}/schools/add/",
        {"rbd": str(school.rbd), "add_directivos": "on"},
        follow=True,
    )
    members = Membership.objects.filter(network=network, active=True, role="directivo")
    assert set(members.values_list("user", flat=True)) == {director.pk, utp.pk}
    assert set(members.values_list("school", flat=True)) == {school.rbd}
    assert "con 2 directivos" in response.content.decode()


def test_the_directivos_are_not_added_when_the_box_is_unticked(login, supervisor, network):
    school = SchoolFactory()
    PositionFactory(school=school)
    login(supervisor).post(f"/networks/{network.code}/schools/add/", {"rbd": str(school.rbd)})
    assert network.network_schools.filter(school=school).exists()
    assert not Membership.objects.filter(network=network).exists()


def test_the_creator_is_offered_as_the_network_supervisor(login, supervisor):
    client = login(supervisor)
    page = client.get("/networks/new/").content.decode()
    assert 'name="supervise"' in page
    deprov = territory_comuna().deprov
    response = client.post(
        "/networks/new/",
        {
            "code": "RME-T-900",
            "name": "Red Nueva",
            "deprov": deprov.pk,
            "year": 2025,
            "supervise": "on",
        },
    )
    assert response.status_code == 302
    assert Membership.objects.filter(
        network__code="RME-T-900", user=supervisor, role="supervisor", active=True
    ).exists()


def test_the_creator_may_decline_to_supervise(login, supervisor):
    deprov = territory_comuna().deprov
    login(supervisor).post(
        "/networks/new/", {"code": "RME-T-901", "name": "Red", "deprov": deprov.pk, "year": 2025}
    )
    assert not Membership.objects.filter(network__code="RME-T-901").exists()


def test_an_admin_creating_a_network_is_not_offered_to_supervise(login, admin_user):
    page = login(admin_user).get("/networks/new/").content.decode()
    assert 'name="supervise"' not in page


def test_someone_without_an_account_is_invited_from_the_network_page(login, supervisor, network):
    client = login(supervisor)
    response = client.post(
        f"/networks/{network.code}/members/add/",
        {"email": "nueva@escuela.cl", "role": "directivo"},
    )
    html = response.content.decode()
    assert "Invítela primero" in html
    assert f'href="/people/invite/?networks={network.code}&amp;email=nueva%40escuela.cl"' in html

    page = client.get(f"/people/invite/?networks={network.code}&email=nueva@escuela.cl")
    form = page.context["form"]
    assert form["email"].value() == "nueva@escuela.cl"
    assert form["networks"].value() == network.code


def test_the_invitation_page_takes_an_rbd_with_check_digit(login, supervisor, network):
    school = NetworkSchoolFactory(network=network).school
    response = login(supervisor).post(
        "/people/invite/",
        {
            "email": "directora@escuela.cl",
            "role": "director",
            "rbd": rbd_with_digit(school),
            "networks": network.code,
            "language": "es",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    invitation = Invitation.objects.get(user__email="directora@escuela.cl")
    assert invitation.user.positions.get().school == school


def test_the_invitation_page_names_a_wrong_check_digit(login, supervisor):
    school = SchoolFactory()
    response = login(supervisor).post(
        "/people/invite/",
        {
            "email": "directora@escuela.cl",
            "role": "director",
            "rbd": f"{school.rbd}-{wrong_digit(school.rbd)}",
            "language": "es",
        },
    )
    assert "no corresponde al RBD" in response.context["form"].errors["rbd"][0]


def test_the_people_csv_takes_an_rbd_with_check_digit(tmp_path):
    from networks.people import import_users

    school = SchoolFactory()
    path = tmp_path / "personas.csv"
    path.write_text(
        "email,first_name,last_name,role,rbd,deprov,sostenedor_rut,networks\n"
        f"directora@escuela.cl,Ana,Rojas,director,{rbd_with_digit(school)},,,\n",
        encoding="utf-8",
    )
    import_users(path_or_file=str(path))
    assert Invitation.objects.get(user__email="directora@escuela.cl").user.positions.get().school


def test_the_people_csv_names_a_wrong_check_digit_in_its_row(tmp_path):
    from networks.people import import_users

    school = SchoolFactory()
    path = tmp_path / "personas.csv"
    path.write_text(
        "email,first_name,last_name,role,rbd,deprov,sostenedor_rut,networks\n"
        f"directora@escuela.cl,Ana,Rojas,director,{school.rbd}-{wrong_digit(school.rbd)},,,\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as caught:
        import_users(path_or_file=str(path))
    assert caught.value.messages == [
        f"fila 1, columna rbd: el dígito verificador no corresponde al RBD {school.rbd} "
        f"(es {school.check_digit})"
    ]
