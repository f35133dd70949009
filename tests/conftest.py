"""Shared fixtures: the named people of `world`, service markers, isolation.

Markers postgres, redis, worker and e2e need a real service. Under plain
`make test` a missing service skips the test with the reason; with CI=true
it fails the test, so CI can never pass by skipping. So does the fixture
`object_storage` (moto's S3 server, from the dev dependencies).
"""

import logging
import os
import runpy
import shutil
import socket
import sys
import uuid
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from rme_platform.celery import app as celery_app

from .factories import (
    AnalystScopeFactory,
    MembershipFactory,
    NetworkFactory,
    NetworkSchoolFactory,
    PositionFactory,
    SchoolFactory,
    SostenedorRepresentativeFactory,
    SupervisorProfileFactory,
    UserFactory,
)
from .helpers import record_full_sign_in
from .territory import load_test_territory

CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def service_missing(reason):
    if CI:
        pytest.fail(f"CI=true and a required service is missing: {reason}", pytrace=False)
    pytest.skip(reason)


def redis_reachable():
    url = os.environ.get("REDIS_URL")
    if not url:
        return False, "REDIS_URL is not set"
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), 2) as s:
            s.sendall(b"PING\r\n")
            if not s.recv(16).startswith(b"+PONG"):
                return False, f"Redis at {url} did not answer PING"
    except OSError as exc:
        return False, f"Redis at {url} is unreachable ({exc})"
    return True, ""


def pytest_runtest_setup(item):
    markers = {mark.name for mark in item.iter_markers()}
    if "postgres" in markers and settings.DATABASES["default"]["ENGINE"] != (
        "django.db.backends.postgresql"
    ):
        service_missing("needs PostgreSQL: set DATABASE_URL=postgres://…")
    if markers & {"redis", "worker"}:
        ok, reason = redis_reachable()
        if not ok:
            service_missing(f"needs Redis: {reason}")
    if "worker" in markers and shutil.which("celery", path=os.path.dirname(sys.executable)) is None:
        service_missing("needs the celery command in the virtualenv")
    if "e2e" in markers and not os.path.exists(CHROMIUM):
        service_missing(f"needs Chromium at {CHROMIUM} (apt-get install chromium)")


@pytest.fixture(scope="session")
def s3_server():
    """The URL of an S3-compatible server speaking HTTP on 127.0.0.1 (moto's
    standalone server, in a thread of the test process), for the session."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as exc:
        service_missing(
            f"needs moto's S3 server ({exc}): pip install -c constraints.txt -e '.[dev]'"
        )
    # Its request log would fill a failing test's report.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def object_storage(s3_server, settings, monkeypatch):
    """Files stored in a new, empty bucket of the S3 server, configured as
    production configures it: STORAGES["default"] is what
    rme_platform/settings.py makes of the environment a deployment sets
    (AWS_STORAGE_BUCKET_NAME, AWS_S3_ENDPOINT_URL, keys). Yields the bucket
    (a boto3 Bucket) to look into."""
    import boto3

    bucket_name = f"rme-test-{uuid.uuid4().hex[:12]}"
    environ = {
        "AWS_STORAGE_BUCKET_NAME": bucket_name,
        "AWS_S3_ENDPOINT_URL": s3_server,
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_ACCESS_KEY_ID": "rme-test",
        "AWS_SECRET_ACCESS_KEY": "rme-test-secret",
    }
    for name in ("STORAGE_BACKEND", "AWS_LOCATION", "AWS_DEFAULT_ACL", "AWS_S3_ADDRESSING_STYLE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    produced = runpy.run_path(str(settings.BASE_DIR / "rme_platform" / "settings.py"))
    assert produced["STORAGES"]["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    bucket = boto3.resource(
        "s3",
        endpoint_url=s3_server,
        region_name="us-east-1",
        aws_access_key_id="rme-test",
        aws_secret_access_key="rme-test-secret",
    ).Bucket(bucket_name)
    bucket.create()
    # Resets the storages (django.test.signals): FileFields use the bucket.
    settings.STORAGES = {**settings.STORAGES, "default": produced["STORAGES"]["default"]}
    return bucket


@pytest.fixture(autouse=True)
def _isolation(request, settings, tmp_path):
    """Each test starts with an empty cache (rate limits!), media in a
    temporary folder, and Celery tasks run eagerly unless the test drives a
    real worker."""
    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    # Celery reads its CELERY_* settings live from django.conf.settings.
    settings.CELERY_TASK_ALWAYS_EAGER = request.node.get_closest_marker("worker") is None
    assert celery_app.conf.task_always_eager == settings.CELERY_TASK_ALWAYS_EAGER


@pytest.fixture(autouse=True)
def _territory(request):
    """Regions, DEPROV and comunas (tests/territory.py); again after a
    transactional test (browser, worker) has flushed the tables."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if marker is None and not names & {"db", "transactional_db", "live_server"}:
        return
    transactional = (marker is not None and marker.kwargs.get("transaction")) or (
        names & {"transactional_db", "live_server"}
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    from schools.models import Comuna

    if not Comuna.objects.exists():
        load_test_territory()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, with the territory loaded once for all tests."""
    with django_db_blocker.unblock():
        load_test_territory()


# --- the world: two networks and a named person per role -------------------------

TALCA, CURICO, SANTIAGO_CENTRO = 72, 71, 131
A, B = "RME-07-901", "RME-13-901"


class World(SimpleNamespace):
    """Networks A (Talca, DEPROV 72: schools a1, a2) and B (Santiago Centro,
    DEPROV 131: school b1), a Talca school in no network (talca_free), and
    one person per role, each known by a name
    and by the role they play:

    =========  ==================  ============================================
    name       role accessor       who
    =========  ==================  ============================================
    alice      director_a          director of a1, directivo member of A
    uma        utp_a2              head of UTP of a2, directivo member of A
    paula      utp_a1              head of UTP of a1, no membership (she sees
                                   A through her position only)
    sofia      supervisor_a        supervisor of Talca, member of A (its dupla)
    tomas      supervisor_deprov   supervisor of Talca, not a member of A
    rita       rep_a               representative of a1's sostenedor, member
                                   of A
    bob        director_b          director of b1, directivo member of B
    oscar      supervisor_b        supervisor of Santiago Centro, member of B
    rafa       rep_b               representative of b1's sostenedor, no
                                   membership
    nora       analyst             analyst with a national scope (TOTP)
    regina     analyst_rm          analyst of the Metropolitana region (TOTP)
    ada        admin               ministry admin, staff and superuser (TOTP)
    charlie    outsider            director of talca_free, a Talca school in
                                   no network; no membership or scope
    =========  ==================  ============================================

    `anonymous` is None (signed out). Role parametrizations look people up
    with getattr(world, role). An app's conftest adds its own objects
    (meetings, plans, campaigns) as fixtures built on this world.
    """

    director_a = property(lambda w: w.alice)
    utp_a2 = property(lambda w: w.uma)
    utp_a1 = property(lambda w: w.paula)
    supervisor_a = property(lambda w: w.sofia)
    supervisor_deprov = property(lambda w: w.tomas)
    rep_a = property(lambda w: w.rita)
    director_b = property(lambda w: w.bob)
    supervisor_b = property(lambda w: w.oscar)
    rep_b = property(lambda w: w.rafa)
    analyst = property(lambda w: w.nora)
    analyst_rm = property(lambda w: w.regina)
    admin = property(lambda w: w.ada)
    outsider = property(lambda w: w.charlie)
    anonymous = None

    @property
    def members_a(self):
        """Network A's members, in the order they were appointed."""
        return [self.sofia, self.alice, self.uma, self.rita]


def school_in(cut, **kwargs):
    """A school of comuna `cut` of the tests' territory (tests/territory.py)."""
    from schools.models import Comuna

    return SchoolFactory(comuna=Comuna.objects.get(cut=cut), **kwargs)


def person(email, first_name, last_name, **kwargs):
    return UserFactory(email=email, first_name=first_name, last_name=last_name, **kwargs)


@pytest.fixture
def world(db):
    w = World()
    w.a1 = school_in(7101, name="Escuela Talca Uno", dependency=2, rural=True, enrollment=120)
    w.a2 = school_in(7101, name="Liceo Talca Dos", dependency=6)
    w.b1 = school_in(13101, name="Escuela Santiago Centro")
    w.talca_free = school_in(7102, name="Escuela Constitución Libre")
    w.network_a = NetworkFactory(code=A, name="Red Talca A", deprov_id=TALCA)
    w.network_b = NetworkFactory(code=B, name="Red Santiago B", deprov_id=SANTIAGO_CENTRO)
    for network, school in [(w.network_a, w.a1), (w.network_a, w.a2), (w.network_b, w.b1)]:
        NetworkSchoolFactory(network=network, school=school)

    def directivo(school, email, first_name, last_name, role="director", network=None):
        user = person(email, first_name, last_name, role=role)
        PositionFactory(school=school, user=user)
        if network is not None:
            MembershipFactory(network=network, user=user, role="directivo", school=school)
        return user

    def supervisor(deprov, email, first_name, last_name, network=None):
        user = person(email, first_name, last_name, role="supervisor")
        SupervisorProfileFactory(user=user, deprov_id=deprov)
        if network is not None:
            MembershipFactory(network=network, user=user, role="supervisor")
        return user

    def representative(school, email, first_name, last_name, network=None):
        user = person(email, first_name, last_name, role="sostenedor_rep")
        SostenedorRepresentativeFactory(user=user, sostenedor=school.sostenedor)
        if network is not None:
            MembershipFactory(network=network, user=user, role="sostenedor_rep")
        return user

    # Network A's members first, in the order of World.members_a.
    w.sofia = supervisor(TALCA, "sofia@mineduc.cl", "Sofía", "Supervisora", w.network_a)
    w.alice = directivo(w.a1, "alice@escuela.cl", "Alicia", "Directora", network=w.network_a)
    w.uma = directivo(w.a2, "uma@escuela.cl", "Uma", "Jefa UTP", role="utp", network=w.network_a)
    w.rita = representative(w.a1, "rita@sostenedor.cl", "Rita", "Representante", w.network_a)
    w.paula = directivo(w.a1, "paula@escuela.cl", "Paula", "Jefa UTP", role="utp")
    w.tomas = supervisor(TALCA, "tomas@mineduc.cl", "Tomás", "Supervisor")
    w.bob = directivo(w.b1, "bob@escuela.cl", "Roberto", "Director", network=w.network_b)
    w.oscar = supervisor(SANTIAGO_CENTRO, "oscar@mineduc.cl", "Óscar", "Supervisor", w.network_b)
    w.rafa = representative(w.b1, "rafa@sostenedor.cl", "Rafael", "Representante")
    w.nora = AnalystScopeFactory(
        user=person("nora@mineduc.cl", "Nora", "Analista", role="analyst", with_totp=True)
    ).user
    w.regina = AnalystScopeFactory(
        user=person("regina@mineduc.cl", "Regina", "Analista", role="analyst", with_totp=True),
        national=False,
        regions=[13],
    ).user
    w.ada = person(
        "ada@mineduc.cl",
        "Ada",
        "Administradora",
        role="admin",
        is_staff=True,
        is_superuser=True,
        with_totp=True,
    )
    w.charlie = directivo(w.talca_free, "charlie@escuela.cl", "Carlos", "Externo")
    return w


# --- accounts with a role and nothing else (no school, network or scope) --------


@pytest.fixture
def admin_user(db):
    return UserFactory(role="admin", is_staff=True, is_superuser=True, with_totp=True)


@pytest.fixture
def analyst(db):
    return UserFactory(role="analyst", with_totp=True)


@pytest.fixture
def supervisor(db):
    return UserFactory(role="supervisor")


@pytest.fixture
def director(db):
    return UserFactory(role="director")


@pytest.fixture
def utp(db):
    return UserFactory(role="utp")


@pytest.fixture
def sostenedor_rep(db):
    return UserFactory(role="sostenedor_rep")


@pytest.fixture(autouse=True)
def _force_login_is_a_full_sign_in(monkeypatch):
    """`client.force_login(user)` stands for a complete sign-in through
    allauth, second factor included when the user has one. A password-only
    session (Django's login form, `client.login`) carries no such record and
    is signed out by RequireMFAMiddleware (tests/accounts/test_second_factor.py)."""
    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        record_full_sign_in(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def login(client):
    """Sign the client in as a user (None: anonymous) and return it, as after
    allauth's sign-in with the second factor if the user has one."""

    def sign_in(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def official_file():
    """official_file(name): the path of an official reference file in
    RME_DATA_DIR (MINEDUC's directory, the Agencia's categories). Skips
    without it under plain `make test`; fails in CI, which has them."""
    from schools.demo import official_file as find

    def get(name):
        path = find(name)
        if path is None:
            service_missing(
                f"needs the official file {name} in RME_DATA_DIR "
                f"(now {settings.RME_DATA_DIR or 'unset'}); see README, «Official data»"
            )
        return path

    return get
