"""The network services refuse bad input with a translated message naming
the field, and then leave the database as it was."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from networks import services
from networks.models import ExternalPartner, Membership, Network, NetworkSchool
from tests.factories import (
    NetworkFactory,
    NetworkSchoolFactory,
    PositionFactory,
    SupervisorProfileFactory,
)

from .conftest import TALCA, school_in

OTHER_DEPROV = "Escuela Santiago Centro pertenece a otro departamento provincial (SANTIAGO CENTRO)."

pytestmark = pytest.mark.django_db

A = "RME-07-901"


def counts():
    return (
        Network.objects.count(),
        NetworkSchool.objects.count(),
        NetworkSchool.objects.filter(left_on__isnull=True).count(),
        Membership.objects.filter(active=True).count(),
        Membership.objects.count(),
        ExternalPartner.objects.count(),
        ExternalPartner.networks.through.objects.count(),
    )


def refused(call, **kwargs):
    """Run a service that must refuse; return its message_dict and check
    that nothing changed."""
    before = counts()
    with pytest.raises(ValidationError) as excinfo:
        call(**kwargs)
    assert counts() == before
    return excinfo.value.message_dict


# --- create_network -------------------------------------------------------------


def create_in_talca(world, **overrides):
    data = {
        "by": world.supervisor_a,
        "code": "RME-07-950",
        "name": "Red Nueva",
        "deprov": world.network_a.deprov,
        "year": 2025,
    }
    return services.create_network(**{**data, **overrides})


def test_create_network_normalises_the_code(world):
    network = create_in_talca(world, code="  rme-07-950 ", name="  Red Nueva  ")
    assert (network.code, network.name, network.deprov_id) == ("RME-07-950", "Red Nueva", TALCA)


@pytest.mark.parametrize("code", [A, A.lower(), f" {A} "])
def test_duplicate_network_code_is_refused(world, code):
    errors = refused(create_in_talca, world=world, code=code)
    assert errors == {"code": [f"Ya existe una red con el código {A}."]}


@pytest.mark.parametrize(
    "code", ["", "R", "RME 07 001", "RME_07_001", "-RME-07", "Ñ-07-001", "X" * 31]
)
def test_malformed_network_code_is_refused(world, code):
    errors = refused(create_in_talca, world=world, code=code)
    assert errors == {
        "code": ["El código debe tener de 3 a 30 letras, números o guiones, p. ej. RME-13-042."]
    }


def test_network_needs_a_name_and_a_plausible_year(world):
    assert refused(create_in_talca, world=world, name="  ") == {
        "name": ["Indique el nombre de la red."]
    }
    assert refused(create_in_talca, world=world, year=1999) == {
        "year": ["El año debe estar entre 2015 y 2100."]
    }


def test_only_the_deprovs_supervisors_and_admins_create_networks(world):
    before = counts()
    for user in (world.supervisor_b, world.director_a, world.analyst):
        with pytest.raises(PermissionDenied):
            create_in_talca(world, by=user)
    assert counts() == before
    assert create_in_talca(world, by=world.admin).code == "RME-07-950"


# --- update_network -------------------------------------------------------------


def test_update_network_changes_only_the_editable_fields(world):
    services.update_network(
        by=world.supervisor_a, network=world.network_a, name="Red Talca", work_plan="## Foco"
    )
    world.network_a.refresh_from_db()
    assert (world.network_a.name, world.network_a.work_plan) == ("Red Talca", "## Foco")
    with pytest.raises(ValidationError) as excinfo:
        services.update_network(by=world.supervisor_a, network=world.network_a, code="OTRA-1")
    assert excinfo.value.messages == ["Campos no modificables: code"]
    assert refused(
        services.update_network, by=world.supervisor_a, network=world.network_a, name=" "
    ) == {"name": ["Indique el nombre de la red."]}
    with pytest.raises(PermissionDenied):
        services.update_network(by=world.supervisor_b, network=world.network_a, name="X")
    assert Network.objects.get(code=A).name == "Red Talca"


def test_update_network_refuses_an_implausible_year(world):
    errors = refused(
        services.update_network, by=world.supervisor_a, network=world.network_a, year=1900
    )
    assert errors == {"year": ["El año debe estar entre 2015 y 2100."]}


@pytest.mark.parametrize("change", ["year", "status"])
def test_update_network_keeps_one_active_network_per_school_and_year(world, change):
    # Escuela Talca Uno is in A (2025). Another Talca network that also has it
    # is either of 2026 or closed, so far without conflict.
    other = NetworkFactory(
        code="RME-07-960",
        deprov_id=TALCA,
        year=2026 if change == "year" else 2025,
        status="active" if change == "year" else "closed",
    )
    NetworkSchoolFactory(network=other, school=world.a1)
    fields = {"year": 2025} if change == "year" else {"status": "active"}
    with pytest.raises(ValidationError):
        services.update_network(by=world.supervisor_a, network=other, **fields)
    other.refresh_from_db()
    assert (other.year, other.status) == (
        (2026, "active") if change == "year" else (2025, "closed")
    )


# --- add_school / remove_school -------------------------------------------------


def test_add_school_of_the_deprov_is_idempotent(world):
    link = services.add_school(
        by=world.supervisor_a, network=world.network_a, school=world.talca_free
    )
    again = services.add_school(
        by=world.supervisor_a, network=world.network_a, school=str(world.talca_free.rbd)
    )
    assert link.pk == again.pk and link.left_on is None
    assert world.network_a.network_schools.filter(left_on__isnull=True).count() == 3


def test_school_of_another_deprov_is_refused(world):
    errors = refused(
        services.add_school, by=world.supervisor_a, network=world.network_a, school=world.b1
    )
    assert errors == {"school": [OTHER_DEPROV]}


def test_unknown_rbd_is_refused(world):
    errors = refused(
        services.add_school, by=world.supervisor_a, network=world.network_a, school=99999999
    )
    assert errors == {"school": ["No existe un establecimiento con ese RBD."]}


def test_school_in_another_active_network_of_the_same_year_is_refused(world):
    second = NetworkFactory(code="RME-07-960", deprov_id=TALCA, year=2025)
    errors = refused(services.add_school, by=world.supervisor_a, network=second, school=world.a1)
    assert errors == {
        "school": [
            "Escuela Talca Uno ya participa en la red RME-07-901 en 2025; un establecimiento "
            "participa en una sola red activa por año."
        ]
    }


def test_school_may_join_a_network_of_another_year_or_when_the_first_is_closed(world):
    next_year = NetworkFactory(code="RME-07-2026", deprov_id=TALCA, year=2026)
    services.add_school(by=world.supervisor_a, network=next_year, school=world.a1)
    assert next_year.network_schools.filter(school=world.a1, left_on__isnull=True).exists()

    world.network_a.status = "closed"
    world.network_a.save()
    same_year = NetworkFactory(code="RME-07-960", deprov_id=TALCA, year=2025)
    services.add_school(by=world.supervisor_a, network=same_year, school=world.a1)
    assert same_year.network_schools.filter(school=world.a1, left_on__isnull=True).exists()


def test_school_absent_from_the_directory_is_refused(world):
    closed = school_in(7101, name="Escuela Cerrada", absent=True, status=3)
    errors = refused(
        services.add_school, by=world.supervisor_a, network=world.network_a, school=closed
    )
    assert "school" in errors


def test_remove_school_keeps_history_and_frees_the_school(world):
    services.remove_school(by=world.supervisor_a, network=world.network_a, school=world.a2)
    link = NetworkSchool.objects.get(network=world.network_a, school=world.a2)
    assert link.left_on == timezone.localdate() and not link.is_active
    # Removing again is harmless.
    services.remove_school(by=world.supervisor_a, network=world.network_a, school=world.a2)
    assert NetworkSchool.objects.filter(network=world.network_a, school=world.a2).count() == 1

    # The school may now join another network of the same year...
    second = NetworkFactory(code="RME-07-960", deprov_id=TALCA, year=2025)
    services.add_school(by=world.supervisor_a, network=second, school=world.a2)
    assert second.network_schools.filter(school=world.a2, left_on__isnull=True).exists()
    # ...and network A's history still shows it took part.
    assert NetworkSchool.objects.filter(
        network=world.network_a, school=world.a2, left_on__isnull=False
    ).exists()


def test_school_rejoining_gets_a_new_link_and_keeps_the_old_one(world):
    services.remove_school(by=world.supervisor_a, network=world.network_a, school=world.a2)
    services.add_school(by=world.supervisor_a, network=world.network_a, school=world.a2)
    links = NetworkSchool.objects.filter(network=world.network_a, school=world.a2)
    assert sorted(link.left_on is None for link in links) == [False, True]


def test_outsiders_may_not_change_schools(world):
    before = counts()
    for user in (world.supervisor_b, world.rep_a, world.analyst):
        with pytest.raises(PermissionDenied):
            services.add_school(by=user, network=world.network_a, school=world.talca_free)
        with pytest.raises(PermissionDenied):
            services.remove_school(by=user, network=world.network_a, school=world.a1)
    assert counts() == before


# --- add_member / remove_member -------------------------------------------------


def supervisor_of(deprov, email):
    return SupervisorProfileFactory(deprov_id=deprov, user__email=email).user


def test_dupla_has_at_most_two_supervisors(world):
    second = supervisor_of(TALCA, "segundo@mineduc.cl")
    services.add_member(
        by=world.supervisor_a, network=world.network_a, user=second, role="supervisor"
    )
    third = supervisor_of(TALCA, "tercero@mineduc.cl")
    errors = refused(
        services.add_member,
        by=world.supervisor_a,
        network=world.network_a,
        user=third,
        role="supervisor",
    )
    assert errors == {"role": ["La red ya tiene su dupla de supervisores (máximo dos)."]}
    # A member of the dupla may be added again, and a removed one frees a place.
    services.add_member(
        by=world.supervisor_a, network=world.network_a, user=second, role="supervisor"
    )
    services.remove_member(by=world.supervisor_a, network=world.network_a, user=second)
    services.add_member(
        by=world.supervisor_a, network=world.network_a, user=third, role="supervisor"
    )
    dupla = Membership.objects.filter(network=world.network_a, role="supervisor", active=True)
    assert set(dupla.values_list("user__email", flat=True)) == {
        world.supervisor_a.email,
        "tercero@mineduc.cl",
    }


def test_supervisor_of_another_deprov_is_refused(world):
    person = world.supervisor_b
    person.first_name, person.last_name = "Rosa", "Paz"
    person.save()
    errors = refused(
        services.add_member,
        by=world.admin,  # reaches anyone: the network's own rule answers
        network=world.network_a,
        user=person,
        role="supervisor",
    )
    # The message names no one (through the API the id may be of anyone).
    assert errors == {
        "user": ["Esa persona no es supervisor/a del departamento provincial de la red."]
    }


def test_directivo_without_an_active_position_at_a_school_of_the_network_is_refused(world):
    elsewhere = world.director_b  # position at a Santiago school
    elsewhere.first_name, elsewhere.last_name = "Luis", "Soto"
    elsewhere.save()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    former = PositionFactory(
        school=world.a2,
        user__first_name="Ex",
        user__last_name="Director",
        start_date=datetime.date(2020, 3, 1),
        end_date=yesterday,
    ).user
    future = PositionFactory(
        school=world.a2,
        user__first_name="Futura",
        user__last_name="Directora",
        start_date=timezone.localdate() + datetime.timedelta(days=30),
    ).user
    free_school = PositionFactory(
        school=world.talca_free, user__first_name="Sin", user__last_name="Red"
    ).user
    for person, name in [
        (elsewhere, "Luis Soto"),
        (former, "Ex Director"),
        (future, "Futura Directora"),
        (free_school, "Sin Red"),
    ]:
        errors = refused(
            services.add_member,
            by=world.admin,  # reaches anyone: the network's own rule answers
            network=world.network_a,
            user=person,
            role="directivo",
        )
        assert errors == {
            "user": [
                "Esa persona no tiene un cargo directivo vigente en un establecimiento de la red."
            ]
        }
        assert name not in str(errors)


def test_directivo_of_a_school_that_left_the_network_is_refused(world):
    services.remove_school(by=world.supervisor_a, network=world.network_a, school=world.a1)
    errors = refused(
        services.add_member,
        by=world.supervisor_a,
        network=world.network_a,
        user=world.utp_a1,
        role="directivo",
    )
    assert list(errors) == ["user"]


def test_directivo_joins_with_their_school(world):
    membership = services.add_member(
        by=world.supervisor_a, network=world.network_a, user=world.utp_a1, role="directivo"
    )
    assert (membership.role, membership.school, membership.active) == ("directivo", world.a1, True)


def test_unknown_member_role_is_refused(world):
    errors = refused(
        services.add_member,
        by=world.supervisor_a,
        network=world.network_a,
        user=world.utp_a1,
        role="jefe",
    )
    assert errors == {"role": ["Rol no válido."]}


def test_remove_member_deactivates_and_re_adding_reactivates(world):
    services.remove_member(by=world.supervisor_a, network=world.network_a, user=world.director_a)
    membership = Membership.objects.get(network=world.network_a, user=world.director_a)
    assert not membership.active
    services.add_member(
        by=world.supervisor_a,
        network=world.network_a,
        user=world.director_a,
        role="directivo",
    )
    membership.refresh_from_db()
    assert membership.active and membership.school == world.a1
    assert Membership.objects.filter(network=world.network_a, user=world.director_a).count() == 1


def test_find_member_candidate_needs_a_known_active_email(world):
    by = world.supervisor_a
    assert services.find_member_candidate(by=by, email=" PAULA@Escuela.cl ") == world.utp_a1
    world.utp_a1.is_active = False
    world.utp_a1.save()
    with pytest.raises(ValidationError) as excinfo:
        services.find_member_candidate(by=by, email="paula@escuela.cl")
    with pytest.raises(ValidationError) as unknown:
        services.find_member_candidate(by=by, email="nadie@escuela.cl")
    assert list(excinfo.value.message_dict) == ["email"]
    assert excinfo.value.message_dict == unknown.value.message_dict


# --- partners -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("", "ngo", {"name": ["Indique el nombre del socio."]}),
        ("   ", "ngo", {"name": ["Indique el nombre del socio."]}),
        (None, "ngo", {"name": ["Indique el nombre del socio."]}),
        ("CESFAM Talca", "hospital", {"kind": ["Tipo de socio no válido."]}),
        ("CESFAM Talca", "", {"kind": ["Tipo de socio no válido."]}),
    ],
)
def test_partner_needs_a_name_and_a_known_kind(world, name, kind, expected):
    errors = refused(
        services.add_partner, by=world.supervisor_a, network=world.network_a, name=name, kind=kind
    )
    assert errors == expected


def test_partner_is_reused_by_name_and_kind_and_unlinked_without_deleting(world):
    first = services.add_partner(
        by=world.supervisor_a, network=world.network_a, name="CESFAM Talca", kind="health"
    )
    second_network = NetworkFactory(code="RME-07-960", deprov_id=TALCA)
    again = services.add_partner(
        by=world.supervisor_a, network=second_network, name=" cesfam talca ", kind="health"
    )
    assert again.pk == first.pk and ExternalPartner.objects.count() == 1
    services.remove_partner(by=world.supervisor_a, network=world.network_a, partner=first)
    assert list(first.networks.all()) == [second_network]


# --- the same messages through the page and the API -----------------------------


def test_page_shows_the_service_message_and_changes_nothing(world, client):
    client.force_login(world.supervisor_a)
    before = counts()
    response = client.post(f"/networks/{A}/schools/add/", {"rbd": world.b1.rbd})
    assert response.status_code == 400
    assert OTHER_DEPROV in (response.content.decode())
    # A head of UTP of the DEPROV (within reach) offered as a supervisor.
    response = client.post(
        f"/networks/{A}/members/add/", {"email": world.utp_a1.email, "role": "supervisor"}
    )
    assert response.status_code == 400
    assert "no es supervisor/a del departamento provincial de la red." in response.content.decode()
    assert counts() == before


def test_api_answers_the_service_message_as_400(world, client):
    client.force_login(world.supervisor_a)
    before = counts()
    response = client.post(
        f"/api/v1/networks/{A}/schools/", {"rbd": world.b1.rbd}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {"school": [OTHER_DEPROV]}
    response = client.post(
        "/api/v1/networks/",
        {"code": A, "name": "Otra", "deprov": TALCA, "year": 2025},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {"code": [f"Ya existe una red con el código {A}."]}
    assert counts() == before


def test_api_member_errors_name_no_one_outside_the_managers_scope(world, client):
    """A manager trying ids through the API learns nobody's name or email
    (issue 14): a Santiago directivo offered to a Talca network."""
    stranger = world.director_b
    stranger.first_name, stranger.last_name = "Ernestina", "Forastera"
    stranger.save()
    client.force_login(world.supervisor_a)
    before = counts()
    for role in ("directivo", "supervisor"):
        response = client.post(
            f"/api/v1/networks/{A}/members/",
            {"user_id": stranger.pk, "role": role},
            content_type="application/json",
        )
        assert response.status_code == 400
        text = response.content.decode()
        assert "Ernestina" not in text and "Forastera" not in text
        assert stranger.email not in text
    assert counts() == before
