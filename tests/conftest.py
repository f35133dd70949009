"""Shared fixtures: named users per role, service markers, isolation.

Markers postgres, redis, worker and e2e need a real service. Under plain
`make test` a missing service skips the test with the reason; with CI=true
it fails the test, so CI can never pass by skipping.
"""

import os
import shutil
import socket
import sys
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from rme_platform.celery import app as celery_app

from .factories import UserFactory
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
