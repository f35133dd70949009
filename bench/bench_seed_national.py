"""Benchmark: build the national shape with `manage.py seed_demo --scale national`.

    .venv/bin/python bench/bench_seed_national.py

Drops and creates the database of DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/rme_bench_seed; its name must contain
"bench"), migrates it, then times the command as a subprocess (Django
start-up and the import of the shipped 2025 directory included) twice on the
same database. Checks the figures of DESIGN.md section 7: the 10,777
subsidized schools in operation all in networks of 10-25 schools of one
DEPROV, all 42 DEPROV, about 600 networks, a dupla of supervisors of the
network's DEPROV in each, 21,554 directivos with an active position and a
membership; and that the second run leaves exactly the same data (same
seed, same data). Prints the figures and appends a dated section to
bench/RESULTS.md. Target: <= 300 s per run.
"""

import datetime
import hashlib
import os
import platform
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import benchlib
from benchlib import machine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/rme_bench_seed"
RESULTS = ROOT / "bench" / "RESULTS.md"
TARGET = 300.0
SCHOOLS, DEPROVS, DIRECTIVOS = 10_777, 42, 21_554
NETWORKS = range(550, 651)  # "about 600"


def recreate_database(url):
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"Refusing to drop database {name!r}: its name must contain 'bench'.")
    server = urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, ""))
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # noqa: S608
        conn.execute(f'CREATE DATABASE "{name}"')  # noqa: S608 - our own setting


def manage(*args, env):
    """Run a management command in a fresh process; return (seconds, stdout)."""
    started = time.perf_counter()
    stdout = benchlib.manage(*args, env=env)
    return time.perf_counter() - started, stdout


def figures():
    """What the national shape promises, measured in the database, and a
    fingerprint of the data that a repeat run must reproduce."""
    from django.db.models import Count, F, Q

    from networks.demo import operating_subsidized
    from networks.models import Membership, MembershipRole, Network, NetworkSchool
    from rme_platform.accounts.models import User
    from schools.models import Position, PositionRole

    links = NetworkSchool.objects.filter(left_on__isnull=True)
    networks = Network.objects.annotate(
        schools=Count("network_schools", filter=Q(network_schools__left_on__isnull=True)),
        foreign=Count(
            "network_schools",
            filter=Q(network_schools__left_on__isnull=True)
            & ~Q(network_schools__school__deprov=F("deprov")),
        ),
    )
    supervisors = Network.objects.annotate(
        dupla=Count(
            "memberships",
            filter=Q(
                memberships__role=MembershipRole.SUPERVISOR,
                memberships__active=True,
                memberships__user__supervisor_profile__deprov=F("deprov"),
            ),
        ),
        all_supervisors=Count(
            "memberships",
            filter=Q(memberships__role=MembershipRole.SUPERVISOR, memberships__active=True),
        ),
    )
    directivo_roles = [PositionRole.DIRECTOR, PositionRole.UTP]

    def digest(rows):
        h = hashlib.sha256()
        for row in rows:
            h.update(repr(row).encode())
        return h.hexdigest()[:16]

    return {
        "schools_eligible": operating_subsidized().count(),
        "schools_in_networks": links.values("school").distinct().count(),
        "schools_in_two_networks": links.values("school")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count(),
        "networks": Network.objects.count(),
        "national_networks": Network.objects.filter(code__startswith="RME-N").count(),
        "networks_outside_10_25": networks.filter(Q(schools__lt=10) | Q(schools__gt=25)).count(),
        "networks_mixing_deprov": networks.filter(foreign__gt=0).count(),
        "smallest": min(networks.values_list("schools", flat=True)),
        "largest": max(networks.values_list("schools", flat=True)),
        "deprovs": Network.objects.values("deprov").distinct().count(),
        "networks_without_dupla": supervisors.exclude(dupla=2, all_supervisors=2).count(),
        "directivos_with_position": Position.objects.active()
        .filter(role__in=directivo_roles)
        .values("user")
        .distinct()
        .count(),
        "directivo_memberships": Membership.objects.filter(
            role=MembershipRole.DIRECTIVO, active=True
        ).count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "fingerprint": digest(
            [
                *links.order_by("network__code", "school_id").values_list(
                    "network__code", "school_id"
                ),
                *User.objects.order_by("email").values_list(
                    "email", "first_name", "last_name", "role"
                ),
                *Membership.objects.order_by("network__code", "user__email").values_list(
                    "network__code", "user__email", "role", "school_id"
                ),
            ]
        ),
    }


def problems(f):
    checks = [
        (f["schools_eligible"] == SCHOOLS, f"{SCHOOLS:,} subsidized schools in operation"),
        (f["schools_in_networks"] == SCHOOLS, "every one of them in a network"),
        (f["schools_in_two_networks"] == 0, "no school in two networks"),
        (f["networks"] in NETWORKS, "about 600 networks"),
        (f["networks_outside_10_25"] == 0, "every network has 10-25 schools"),
        (f["networks_mixing_deprov"] == 0, "every network's schools are of its DEPROV"),
        (f["deprovs"] == DEPROVS, f"all {DEPROVS} DEPROV covered"),
        (f["networks_without_dupla"] == 0, "each network: 2 supervisors of its DEPROV"),
        (f["directivos_with_position"] == DIRECTIVOS, f"{DIRECTIVOS:,} directivos with positions"),
        (f["directivo_memberships"] == DIRECTIVOS, f"{DIRECTIVOS:,} directivo memberships"),
    ]
    return [label for ok, label in checks if not ok]


def main():
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    recreate_database(url)
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0", "LOG_LEVEL": "WARNING"}
    env.setdefault("SECRET_KEY", "benchmark-only-not-secret")
    manage("migrate", "--verbosity", "0", env=env)

    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rme_platform.settings")
    import django

    django.setup()
    from django.db import connection

    command = ("seed_demo", "--scale", "national", "--quiet-logins")
    first_seconds, output = manage(*command, env=env)
    print(output.strip())
    first = figures()
    connection.close()
    second_seconds, _output = manage(*command, env=env)
    second = figures()

    failed = problems(first)
    if second != first:
        failed.append("a second run leaves the same data")
    over = [s for s in (first_seconds, second_seconds) if s > TARGET]
    verdict = "within target" if not failed and not over else "FAILED"

    arch, cpus, cpu = machine()
    f = first
    report = [
        f"## seed_demo --scale national — {datetime.date.today().isoformat()}",
        "",
        f"- machine: `{arch}`, {cpus} CPUs, {cpu}; Python {platform.python_version()}",
        f"- database: PostgreSQL at {urlsplit(url).hostname}:{urlsplit(url).port or 5432}, "
        "created empty and migrated; command run as a subprocess, start-up included",
        "",
        "| case | time (s) | target (s) |",
        "|---|---|---|",
        f"| empty database (imports the 2025 directory first) | {first_seconds:.1f} "
        f"| {TARGET:.0f} |",
        f"| second run, same seed | {second_seconds:.1f} | {TARGET:.0f} |",
        "",
        f"- schools in networks: {f['schools_in_networks']:,} of {f['schools_eligible']:,} "
        "subsidized in operation, none in two networks",
        f"- networks: {f['networks']} ({f['national_networks']} national + "
        f"{f['networks'] - f['national_networks']} of the Maule demo), "
        f"{f['smallest']}–{f['largest']} schools each, each within one DEPROV; "
        f"{f['deprovs']} DEPROV covered",
        f"- supervisors: networks without a dupla of their DEPROV: {f['networks_without_dupla']}",
        f"- directivos with an active position: {f['directivos_with_position']:,}; "
        f"directivo memberships: {f['directivo_memberships']:,}",
        f"- accounts: {f['users']:,}; memberships: {f['memberships']:,}",
        f"- repeatable: second run {'identical' if second == first else 'DIFFERENT'} "
        f"(fingerprint {f['fingerprint']})",
        "",
        f"Result: {verdict}." + (f" Failed: {'; '.join(failed)}." if failed else ""),
        "",
    ]
    print("\n".join(report))
    header = "\n" if RESULTS.exists() else "# Benchmark results\n\n"
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write(header + "\n".join(report))
    print(f"Appended to {RESULTS.relative_to(ROOT)}")
    return 0 if verdict == "within target" else 1


if __name__ == "__main__":
    sys.exit(main())
