"""`seed_demo` builds the Maule demo on the real 2025 directory, and running
it again leaves the database as after the first run."""

import io

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.db.models import F

from networks.models import ExternalPartner, Membership, Network, NetworkSchool
from rme_platform.accounts.models import User
from schools.models import (
    AnalystScope,
    Position,
    School,
    SostenedorRepresentative,
    SupervisorProfile,
)

pytestmark = pytest.mark.django_db

MODELS = [
    User,
    EmailAddress,
    School,
    Network,
    NetworkSchool,
    Membership,
    ExternalPartner,
    ExternalPartner.networks.through,
    Position,
    SupervisorProfile,
    SostenedorRepresentative,
    AnalystScope,
]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_seed_demo_builds_the_maule_networks_and_is_repeatable(client):
    out = io.StringIO()
    call_command("seed_demo", "--quiet-logins", stdout=out)
    assert "Demo: 6 networks" in out.getvalue()
    assert "password for all" not in out.getvalue()  # --quiet-logins

    networks = Network.objects.order_by("code")
    assert list(networks.values_list("code", flat=True)) == [f"RME-07-{n:03d}" for n in range(1, 7)]
    assert set(networks.values_list("deprov__region", flat=True)) == {7}
    assert set(networks.values_list("year", flat=True)) == {2025}
    # Real schools of each network's DEPROV, each in one network only.
    links = NetworkSchool.objects.filter(left_on__isnull=True)
    assert not links.exclude(school__deprov=F("network__deprov")).exists()
    assert links.count() == len(set(links.values_list("school", flat=True)))
    assert all(network.network_schools.count() >= 8 for network in networks)
    # Each network has a dupla of at most two supervisors of its DEPROV.
    for network in networks:
        supervisors = network.memberships.filter(role="supervisor", active=True)
        assert 1 <= supervisors.count() <= 2
        assert not supervisors.exclude(user__supervisor_profile__deprov=network.deprov).exists()

    directora = User.objects.get(email="directora@demo.rme.cl")
    client.force_login(directora)
    page = client.get("/").content.decode()
    assert "RME-07-001" in page and "Red Talca Centro" in page
    assert "RME-07-003" not in page  # a Curicó network

    first = counts()
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    assert counts() == first
