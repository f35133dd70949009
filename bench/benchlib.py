"""What the benchmarks share: the machine they ran on, their database and
management commands run in a fresh process."""

import contextlib
import os
import platform
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


def machine():
    """(architecture, usable CPUs, CPU model) of this machine."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return platform.machine(), cpus, cpu


ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"


def ensure_database(url):
    """Create the benchmark's PostgreSQL database if it does not exist."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    server = urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, ""))
    with psycopg.connect(server, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')  # noqa: S608 - our own setting


def manage(*args, env):
    """Run a management command in a fresh process; exit with its output if
    it fails, else return its stdout."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


# DEBUG=0 serves static files through the manifest storage, which needs
# collectstatic; a page's work is the same with the plain storage.
BENCH_SETTINGS = """
from rme_platform.settings import *  # noqa: F403

STORAGES = {  # noqa: F405
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
"""


# The vendored Bootstrap files name source maps that are not shipped, so the
# production static storage fails in collectstatic; the benchmarks that serve
# through gunicorn use a copy of it that leaves sourceMappingURL comments alone.
MANIFEST_SETTINGS = """
from rme_platform.settings import *  # noqa: F403

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "bench_storage.StaticStorage"}}  # noqa: F405
"""
MANIFEST_STORAGE = """
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    patterns = tuple(
        (files, tuple(p for p in found if "sourceMappingURL" not in str(p)))
        for files, found in CompressedManifestStaticFilesStorage.patterns
    )
"""


def production_env(url, **extra_env):
    """This process's environment with production's settings (DEBUG=0, a
    fresh SECRET_KEY, plain HTTP) on the database at `url`, plus `extra_env`."""
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "testserver,127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "LOG_LEVEL": "WARNING",
        **extra_env,
    }


def start_django(env):
    """Migrate the database of `env`, then set Django up in this process with it."""
    manage("migrate", "--verbosity", "0", env=env)
    os.environ.update(env)
    import django

    django.setup()


def ensure_national_networks(env):
    """Seed the national scale (seed_demo --scale national) unless it is there."""
    from networks.models import Network

    if not Network.objects.filter(code__startswith="RME-N").exists():
        print("No national networks: seeding them (seed_demo --scale national)...", flush=True)
        print(manage("seed_demo", "--scale", "national", "--quiet-logins", env=env).strip())


def analyze():
    """VACUUM ANALYZE the database: fresh planner statistics, and the
    visibility map that lets PostgreSQL answer from an index alone, as
    autovacuum keeps them in production (it may be off on a bench server, and
    a freshly seeded table has never been vacuumed). Returns PostgreSQL's
    version."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0].split()[0]


def record(report, *, no_record):
    """Print the report's lines and, unless `no_record`, append them to RESULTS."""
    print("\n".join(report))
    if not no_record:
        header = "\n" if RESULTS.exists() else "# Benchmark results\n\n"
        with RESULTS.open("a", encoding="utf-8") as out:
            out.write(header + "\n".join(report))


def setup_django(url, tmp, name, **extra_env):
    """Create and migrate the database at `url`, then set Django up in this
    process as production would run it (DEBUG=0, plain static storage, the
    settings module `name` written under `tmp`). Returns the environment,
    for management commands run beside it."""
    ensure_database(url)
    (tmp / f"{name}.py").write_text(BENCH_SETTINGS)
    env = production_env(
        url,
        DJANGO_SETTINGS_MODULE=name,
        PYTHONPATH=os.pathsep.join(filter(None, [str(tmp), os.environ.get("PYTHONPATH")])),
        **extra_env,
    )
    sys.path.insert(0, str(tmp))
    start_django(env)
    return env


def signed_in_client(user):
    """A test client signed in as `user` as after allauth's sign-in: with the
    second factor for roles that must use one (an authenticator is given to
    a benchmark account that has none), so RequireMFAMiddleware lets it in."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP
    from django.test import Client

    from rme_platform.management.demo import DEMO_TOTP_SECRET
    from tests.helpers import record_full_sign_in

    if (
        user.requires_mfa
        and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    ):
        TOTP.activate(user, DEMO_TOTP_SECRET)
    client = Client()
    client.force_login(user)
    record_full_sign_in(client, user)
    return client


def wait_until_up(process, host, port, seconds=60):
    """Wait until the gunicorn `process` answers /healthz on host:port;
    raise if it exits first or does not answer within `seconds`."""
    import contextlib
    import http.client
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {process.returncode}")
        with contextlib.suppress(OSError):
            conn = http.client.HTTPConnection(host, port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer /healthz in {seconds} s")


def stop(process, timeout=30):
    """Stop gunicorn by its PID (its workers follow the master), killing it
    if it has not stopped after `timeout` seconds."""
    import signal

    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def heaviest_supervisor_targets():
    """A national supervisor of the DEPROV with the most networks, and that
    DEPROV's largest network: the heaviest realistic supervisor pages."""
    from django.db.models import Count, Q

    from networks.models import Network
    from schools.models import Deprov, SupervisorProfile

    deprov = (
        Deprov.objects.annotate(n=Count("networks", filter=Q(networks__code__startswith="RME-N")))
        .order_by("-n", "code")
        .first()
    )
    supervisor = (
        SupervisorProfile.objects.filter(
            deprov=deprov, user__email__endswith="@nacional.demo.rme.cl"
        )
        .select_related("user")
        .order_by("user__email")
        .first()
        .user
    )
    network = (
        Network.objects.filter(deprov=deprov, code__startswith="RME-N")
        .annotate(n=Count("network_schools", filter=Q(network_schools__left_on__isnull=True)))
        .order_by("-n", "code")
        .first()
    )
    return deprov, supervisor, network


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def proc_cpu(pid):
    """utime + stime of a process in seconds (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def children(pid):
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(stat[1]) == pid:
                    found.append(int(entry.name))
    return found


def cpu_snapshot(server, database):
    """{('gunicorn'|'postgres', pid): CPU seconds} of the gunicorn master and
    workers and of the client backends connected to `database`."""
    import psycopg

    snapshot = {("gunicorn", pid): proc_cpu(pid) for pid in [server.pid, *children(server.pid)]}
    with psycopg.connect(database, autocommit=True) as conn:
        pids = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        ).fetchall()
    snapshot.update({("postgres", pid): proc_cpu(pid) for (pid,) in pids})
    return snapshot


def cpu_used(before, after):
    used = {"gunicorn": 0.0, "postgres": 0.0}
    for key, seconds in after.items():
        used[key[0]] += max(0.0, seconds - before.get(key, 0.0))
    return used


# The physical reference the targets of issue 17 were set against: a bare
# view with one query served ~2,400 requests/s on that machine, ~0.8 ms of
# server CPU each. Each benchmark that serves through gunicorn measures the
# same bare view on its own machine (`floor_server_cpu`), so that figures
# taken on machines of other speeds can be read against the targets.
REFERENCE_MS = 0.8
FLOOR_PATH = "/bench-floor/"
FLOOR_REQUESTS = 1000
# A bare view with one query beside the site's URLs (same middleware).
FLOOR_URLS = """
from django.db import connection
from django.http import HttpResponse
from django.urls import path

from rme_platform.urls import urlpatterns as site


def floor(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse("ok")


urlpatterns = [path("bench-floor/", floor), *site]
"""


def write_served_settings(tmp, *, manifest=True):
    """Write, under `tmp`, the settings module `bench_settings` for a
    project served through gunicorn: the site's URLs plus FLOOR_PATH, and
    production's static storage (MANIFEST_SETTINGS, which needs
    collectstatic) or, with `manifest=False`, the plain one (BENCH_SETTINGS)."""
    settings = MANIFEST_SETTINGS if manifest else BENCH_SETTINGS
    (tmp / "bench_settings.py").write_text(settings + '\nROOT_URLCONF = "bench_urls"\n')
    (tmp / "bench_urls.py").write_text(FLOOR_URLS)
    if manifest:
        (tmp / "bench_storage.py").write_text(MANIFEST_STORAGE)


def floor_server_cpu(server, database, host, port, requests=FLOOR_REQUESTS):
    """Milliseconds of server CPU (the gunicorn `server`'s processes and
    their PostgreSQL backends, from /proc) per GET of FLOOR_PATH, over
    `requests` sequential requests (5 more warm up). The server's URLs must
    be FLOOR_URLS (see `write_served_settings`)."""
    get, close = http_getter(host, port, FLOOR_PATH)
    for _ in range(5):
        get()
    before = cpu_snapshot(server, database)
    for _ in range(requests):
        get()
    used = cpu_used(before, cpu_snapshot(server, database))
    close()
    return sum(used.values()) * 1000 / requests


def http_getter(host, port, path, headers=None):
    """(get, close): `get()` GETs `path` on host:port over one keep-alive
    connection (opened again when the server closes it, as a sync gunicorn
    worker does after each answer), reads the whole answer and raises
    unless it is 200; `close()` closes the connection."""
    import http.client

    headers = {"Connection": "keep-alive", **(headers or {})}
    conn = http.client.HTTPConnection(host, port, timeout=30)

    def get():
        nonlocal conn
        try:
            conn.request("GET", path, headers=headers)
            answer = conn.getresponse()
        except (http.client.RemoteDisconnected, ConnectionError, http.client.CannotSendRequest):
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=30)
            conn.request("GET", path, headers=headers)
            answer = conn.getresponse()
        answer.read()
        if answer.status != 200:
            raise RuntimeError(f"{path} answered {answer.status} through gunicorn")
        if answer.getheader("Connection", "").lower() == "close":
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=30)

    return get, lambda: conn.close()
