"""Benchmark: a network page with its meeting measures, at national scale.

    .venv/bin/python bench/bench_meetings.py [--requests 300] [--reseed] [--no-record]

Uses its own PostgreSQL database (MEETINGS_BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/rme_bench_meetings): creates and migrates
it, seeds the national shape (`seed_demo --scale national`) if it has no
national networks, and a year of monthly meetings for every national network
(networks.meetings.demo.seed_national_meetings) if they have none or with
--reseed. Then, in process with DEBUG=0 and the Django test client, signed in
as a supervisor of the national network with the most members, it requests
the network page with its meetings panel (measures table, attendance chart,
next and last meetings) `--requests` times and reports p50/p95/p99; the
same for a meeting page, the meeting list and the home panel, and times the
measures selectors for every national network and every region (what the
monitoring reports will call). Prints a table and appends a dated section to
bench/RESULTS.md. Target: network page with measures p95 <= 200 ms.
"""

import argparse
import datetime
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from benchlib import ensure_national_networks, machine, record, setup_django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/rme_bench_meetings"
TARGET_P95_MS = 200.0


def percentiles(samples):
    ordered = sorted(samples)

    def at(q):
        return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]

    return {"p50": statistics.median(ordered), "p95": at(0.95), "p99": at(0.99)}


def time_requests(client, paths, expected, n):
    """Request `paths` in turn (one "page" is all of them) n times after a
    warm-up; return latencies in ms, the page size and queries per page."""
    from django.db import connection, reset_queries

    for _ in range(5):
        for path in paths:
            client.get(path)
    samples = []
    size = 0
    for _ in range(n):
        start = time.perf_counter()
        size = 0
        for path in paths:
            response = client.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
            size += len(response.content)
        samples.append((time.perf_counter() - start) * 1000)
    body = b"".join(client.get(path).content for path in paths).decode()
    if expected not in body:
        raise RuntimeError(f"{paths} does not show {expected!r}")
    connection.force_debug_cursor = True
    reset_queries()
    for path in paths:
        client.get(path)
    queries = len(connection.queries)
    connection.force_debug_cursor = False
    return samples, size, queries


def pick_targets():
    from django.db.models import Count, Q

    from networks.meetings.models import Meeting, MeetingStatus
    from networks.models import Network

    network = (
        Network.objects.filter(code__startswith="RME-N")
        .annotate(n=Count("memberships", filter=Q(memberships__active=True)))
        .order_by("-n", "code")
        .first()
    )
    supervisor = (
        network.memberships.filter(role="supervisor", active=True)
        .select_related("user")
        .order_by("user__email")
        .first()
        .user
    )
    directivo = (
        network.memberships.filter(role="directivo", active=True)
        .select_related("user")
        .order_by("user__email")
        .first()
        .user
    )
    meeting = (
        Meeting.objects.filter(network=network, status=MeetingStatus.HELD)
        .order_by("-starts_at")
        .first()
    )
    return network, supervisor, directivo, meeting


def figures():
    from django.db import connection

    from networks.meetings.models import AgendaProposal, Agreement, Attendance, Meeting
    from networks.models import Network

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    national = Meeting.objects.filter(network__code__startswith="RME-N")
    return {
        "postgres": version.split()[0],
        "networks": Network.objects.filter(code__startswith="RME-N").count(),
        "meetings": national.count(),
        "attendance": Attendance.objects.filter(meeting__in=national).count(),
        "proposals": AgendaProposal.objects.filter(meeting__in=national).count(),
        "agreements": Agreement.objects.filter(meeting__in=national).count(),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="requests per page (300)")
    parser.add_argument("--reseed", action="store_true", help="rebuild the national meetings")
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rme-bench-meetings-") as tmp:
        return run(args, Path(tmp))


def run(args, tmp):
    url = os.environ.get("MEETINGS_BENCH_DATABASE_URL") or DEFAULT_URL
    env = setup_django(url, tmp, "bench_meetings_settings")
    from django.test import Client

    from networks.meetings import selectors as selectors
    from networks.meetings.demo import seed_national_meetings
    from networks.meetings.models import Meeting
    from networks.models import Network

    ensure_national_networks(env)
    seed_seconds = None
    if args.reseed or not Meeting.objects.filter(network__code__startswith="RME-N").exists():
        print("Seeding a year of monthly meetings for every national network...", flush=True)
        start = time.perf_counter()
        seed_national_meetings(stdout=sys.stdout)
        seed_seconds = time.perf_counter() - start
        print(f"  done in {seed_seconds:.1f} s", flush=True)
    data = figures()
    network, supervisor, directivo, meeting = pick_targets()
    year = selectors.measures_year(network)

    supervisor_client, directivo_client = Client(), Client()
    supervisor_client.force_login(supervisor)
    directivo_client.force_login(directivo)
    page = f"/networks/{network.code}/"
    integrated = 'id="network-meetings"' in supervisor_client.get(page).content.decode()
    panel = f"/meetings/panel/network/{network.code}/"
    network_page = [page] if integrated else [page, panel]
    cases = [
        (
            "network page with meeting measures (supervisor)",
            supervisor_client,
            network_page,
            "Indicadores de reuniones",
            True,
        ),
        (
            "network page with meeting measures (directivo)",
            directivo_client,
            network_page,
            "Indicadores de reuniones",
            True,
        ),
        (
            "meeting page (held, minutes, agreements)",
            directivo_client,
            [f"/meetings/{meeting.pk}/"],
            "Acuerdos de esta reunión",
            False,
        ),
        ("meeting list", supervisor_client, ["/meetings/"], "Reuniones de red", False),
        ("home panel", directivo_client, ["/meetings/panel/home/"], "Próximas reuniones", False),
    ]
    rows = []
    for name, client, paths, expected, targeted in cases:
        samples, size, queries = time_requests(client, paths, expected, args.requests)
        stats = percentiles(samples)
        rows.append((name, paths, size, queries, stats, targeted))
        print(
            f"{name}: p50 {stats['p50']:.1f} ms, p95 {stats['p95']:.1f} ms, "
            f"p99 {stats['p99']:.1f} ms, {queries} queries",
            flush=True,
        )

    national_ids = list(
        Network.objects.filter(code__startswith="RME-N").values_list("pk", flat=True)
    )
    timings = {}
    for label, call in (
        (
            "measures of every national network",
            lambda: selectors.network_meeting_measures(national_ids, year),
        ),
        (
            "measures of every DEPROV",
            lambda: selectors.area_meeting_measures(level="deprov", year=year),
        ),
        (
            "measures of every region",
            lambda: selectors.area_meeting_measures(level="region", year=year),
        ),
    ):
        call()
        runs = []
        for _ in range(5):
            start = time.perf_counter()
            result = call()
            runs.append((time.perf_counter() - start) * 1000)
        timings[label] = (statistics.median(runs), len(result))
        print(f"{label}: median {timings[label][0]:.0f} ms ({len(result)} groups)", flush=True)

    arch, cpus, cpu = machine()
    passed = all(r[4]["p95"] <= TARGET_P95_MS for r in rows if r[5])
    parts = urlsplit(url)
    report = [
        f"## Network meetings, national scale — {datetime.date.today().isoformat()}",
        "",
        f"- machine: `{arch}`, {cpus} CPUs, {cpu}; Python {platform.python_version()}",
        f"- database: PostgreSQL {data['postgres']} at {parts.hostname}:{parts.port or 5432}, "
        f"database `{parts.path.lstrip('/')}`; {data['networks']:,} national networks with "
        f"{data['meetings']:,} meetings (a year of monthly meetings each), "
        f"{data['attendance']:,} attendance rows, {data['proposals']:,} proposals, "
        f"{data['agreements']:,} agreements; ANALYZE run before measuring"
        + (f"; meetings seeded in {seed_seconds:.1f} s" if seed_seconds else ""),
        f"- method: Django test client in process, DEBUG=0, one request at a time, "
        f"{args.requests} timed requests after 5 warm-up ones; network {network.code} "
        f"(the national network with the most members), measures of {year}"
        + (
            ""
            if integrated
            else "; the meetings panel is not yet included in the network page, so a "
            "'page' is the network page plus the panel fragment (two requests)"
        ),
        "",
        "| page | bytes | queries | p50 (ms) | p95 (ms) | p99 (ms) | target p95 (ms) | result |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, _paths, size, queries, stats, targeted in rows:
        ok = stats["p95"] <= TARGET_P95_MS
        report.append(
            f"| {name} | {size:,} | {queries} | {stats['p50']:.1f} | {stats['p95']:.1f} "
            f"| {stats['p99']:.1f} | {f'{TARGET_P95_MS:.0f}' if targeted else '—'} "
            f"| {('pass' if ok else 'FAIL') if targeted else '—'} |"
        )
    report += [
        "",
        "| selector (for the monitoring reports) | groups | median (ms) |",
        "|---|---|---|",
    ]
    for label, (ms, groups) in timings.items():
        report.append(f"| {label} | {groups:,} | {ms:.0f} |")
    report += ["", f"Result: {'within target' if passed else 'OVER TARGET'}.", ""]
    record(report, no_record=args.no_record)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
