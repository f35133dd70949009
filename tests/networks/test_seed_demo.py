"""`seed_demo` builds the Maule demo on the real 2025 directory where
RME_DATA_DIR holds it, else on a generated one, and running it again leaves
the database as after the first run."""

import datetime
import io

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F

from networks.models import ExternalPartner, Membership, Network, NetworkSchool
from rme_platform.accounts.models import User
from rme_platform.management.demo import school_year
from schools.demo import DIRECTORY_FILE, FIRST_RBD, directory_bytes
from schools.models import (
    AnalystScope,
    Comuna,
    PerformanceCategory,
    Position,
    School,
    Sostenedor,
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


@pytest.fixture(params=["generated", "official"])
def registry(request, settings):
    """Which directory the demo stands on: the generated one (no RME_DATA_DIR)
    or the official files."""
    if request.param == "generated":
        settings.RME_DATA_DIR = ""
    else:
        request.getfixturevalue("official_file")(DIRECTORY_FILE)
    return request.param


def test_seed_demo_builds_the_maule_networks_and_is_repeatable(client, registry):
    out = io.StringIO()
    call_command("seed_demo", "--quiet-logins", stdout=out)
    assert "Demo: 6 networks" in out.getvalue()
    assert "password for all" not in out.getvalue()  # --quiet-logins

    networks = Network.objects.order_by("code")
    assert list(networks.values_list("code", flat=True)) == [f"RME-07-{n:03d}" for n in range(1, 7)]
    assert set(networks.values_list("deprov__region", flat=True)) == {7}
    assert set(networks.values_list("year", flat=True)) == {school_year()}
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

    if registry == "generated":
        # Invented schools and sostenedores in the real comunas of Maule,
        # imported through import_directory and import_categories.
        assert "generated directory" in out.getvalue()
        assert School.objects.filter(rbd__gte=FIRST_RBD).count() == School.objects.count()
        assert set(School.objects.values_list("comuna__region", flat=True)) == {7}
        assert Comuna.objects.get(cut=7102).name == "Constitución"
        assert PerformanceCategory.objects.filter(year=2019).exists()
        assert Sostenedor.objects.filter(kind="private_subsidized").exclude(name="").exists()
    else:
        assert not School.objects.filter(rbd__gte=FIRST_RBD).exists()
        assert School.objects.count() == 16_768

    first = counts()
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    assert counts() == first


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (datetime.date(2031, 3, 1), 2031),
        (datetime.date(2031, 12, 31), 2031),
        (datetime.date(2032, 2, 29), 2031),  # summer holidays: still last year's
        (datetime.date(2032, 1, 1), 2031),
    ],
)
def test_the_school_year_runs_from_march_to_february(day, year):
    assert school_year(day) == year


def test_the_generated_directory_is_the_same_for_the_same_seed():
    assert directory_bytes(seed=2025) == directory_bytes(seed=2025)
    assert directory_bytes(seed=2025) != directory_bytes(seed=2026)
    data = directory_bytes()
    assert data.startswith(b"\xef\xbb\xbfAGNO;RBD;DGV_RBD;NOM_RBD;MRUN;")  # BOM, ';'
    assert data.count(b"\r\n") == data.count(b"\n")  # CRLF
    header = data.decode("utf-8-sig").split("\r\n")[0].split(";")
    assert len(header) == 58
    rows = [line.split(";") for line in data.decode("utf-8-sig").split("\r\n")[1:-1]]
    for row in rows:
        rut = row[header.index("RUT_SOSTENEDOR")]
        assert rut == " " or (len(rut) == 8 and rut.isdigit())
    assert any(row[header.index("NOM_RBD")] == "NULL" for row in rows)
    assert any(row[header.index("LATITUD")] == " " for row in rows)
    assert any("," in row[header.index("LATITUD")] for row in rows)  # decimal commas


def test_national_scale_needs_the_official_directory(settings):
    settings.RME_DATA_DIR = ""
    with pytest.raises(CommandError) as excinfo:
        call_command("seed_demo", "--scale", "national", "--quiet-logins")
    message = str(excinfo.value)
    assert "directorio_oficial_ee_2025.csv" in message and "RME_DATA_DIR" in message
    assert not User.objects.exists()
