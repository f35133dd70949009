"""Benchmark: ¿Quién puede ayudarnos? (networks.practices.help) at national scale.

    .venv/bin/python bench/bench_help.py [--requests 200] [--no-record]

Uses its own PostgreSQL database (HELP_BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/rme_bench_help): creates and migrates
it, seeds the national shape (`seed_demo --scale national`, which reads the
official directory from RME_DATA_DIR) if it has no national networks, a
plan of about fifteen actions for every national school
(pme.demo.seed_national_pme) if plans are missing, and 20,000 practices
with adoptions and comments (networks.practices.demo.seed_national_practices)
if practices are missing. Then, in process with DEBUG=0, it times the selector
`help_suggestions` for the subdimension of a delayed action as a directivo
and as the school's network supervisor, `--requests` times each, plus the
action page's htmx panel, the API and the network page's needs panel, and
reports p50/p95/p99 and the queries. Appends a dated section to
bench/RESULTS.md. Target: the selector p95 <= 150 ms.
"""

import argparse
import datetime
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench_meetings import percentiles, time_requests
from benchlib import ensure_national_networks, machine, record, setup_django, signed_in_client

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/rme_bench_help"
TARGET_P95_MS = 150.0
PRACTICES = 20_000


def seed():
    from networks.practices.demo import seed_national_practices
    from networks.practices.models import Practice
    from pme.demo import seed_national_pme
    from pme.models import AnnualPlan

    seconds = {}
    if AnnualPlan.objects.count() < 10_000:
        print("Seeding a PME for every national school...", flush=True)
        start = time.perf_counter()
        seed_national_pme(seed=2025)
        seconds["plans"] = time.perf_counter() - start
    if Practice.objects.count() < PRACTICES:
        print(f"Seeding {PRACTICES:,} practices...", flush=True)
        start = time.perf_counter()
        seed_national_practices(n=PRACTICES, stdout=sys.stdout)
        seconds["practices"] = time.perf_counter() - start
    return seconds


def figures():
    from django.db import connection

    from networks.practices.models import Practice, PracticeAdoption, PracticeComment
    from pme.models import Action, AnnualPlan

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE practices_practice")
        cursor.execute("ANALYZE")
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    return {
        "postgres": version.split()[0],
        "practices": Practice.objects.count(),
        "adoptions": PracticeAdoption.objects.count(),
        "comments": PracticeComment.objects.count(),
        "plans": AnnualPlan.objects.count(),
        "actions": Action.objects.count(),
    }


def pick():
    """A delayed action with a subdimension in a shared plan of a national
    network's school whose subdimension has the most practices; a directivo
    of that school, and a supervisor of its network."""
    from django.db.models import Count

    from networks.models import Membership
    from networks.practices.models import Practice
    from pme.models import Action, ActionStatus
    from schools.models import Position

    busiest = (
        Practice.objects.filter(subdimension__isnull=False)
        .values("subdimension_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()["subdimension_id"]
    )
    for action in (
        Action.objects.in_state(ActionStatus.DELAYED)
        .filter(
            subdimension_id=busiest,
            plan__shared_with_network=True,
            plan__school__network_links__network__code__startswith="RME-N",
        )
        .select_related("plan__school", "subdimension")
        .order_by("pk")[:200]
    ):
        school = action.plan.school
        position = Position.objects.active().filter(school=school).select_related("user").first()
        supervisor = (
            Membership.objects.filter(
                role="supervisor", active=True, network__network_schools__school=school
            )
            .select_related("user", "network")
            .first()
        )
        if position and supervisor:
            return action, position.user, supervisor.user, supervisor.network
    raise SystemExit("No delayed action with a directivo and a supervisor found.")


def measure(call, n):
    from django.db import connection, reset_queries

    for _ in range(5):
        call()
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        result = call()
        samples.append((time.perf_counter() - start) * 1000)
    connection.force_debug_cursor = True
    reset_queries()
    call()
    queries = len(connection.queries)
    connection.force_debug_cursor = False
    return samples, len(result), queries


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per case (200)")
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rme-bench-help-") as tmp:
        return run(args, Path(tmp))


def run(args, tmp):
    url = os.environ.get("HELP_BENCH_DATABASE_URL") or DEFAULT_URL
    env = setup_django(url, tmp, "bench_help_settings")
    from networks.practices.help import help_suggestions, network_needs

    ensure_national_networks(env)
    seeded = seed()
    data = figures()
    action, directivo, supervisor, network = pick()
    school, sub = action.plan.school, action.subdimension_id
    rows = []

    def case(name, who, call):
        samples, size, queries = measure(call, args.requests)
        stats = percentiles(samples)
        rows.append((name, who, size, queries, stats, True))
        print(
            f"{name} ({who}): p50 {stats['p50']:.1f} ms, p95 {stats['p95']:.1f} ms, "
            f"p99 {stats['p99']:.1f} ms, {size} rows, {queries} queries",
            flush=True,
        )

    case(
        "selector help_suggestions",
        "directivo",
        lambda: help_suggestions(directivo, school=school, subdimension=sub, action=action),
    )
    case(
        "selector help_suggestions",
        "supervisor",
        lambda: help_suggestions(supervisor, school=school, subdimension=sub, action=action),
    )
    case("selector network_needs", "supervisor", lambda: network_needs(supervisor, network))
    pages = [
        ("action page panel (htmx)", "directivo", f"/pme/actions/{action.pk}/help/", "ayudarnos"),
        ("API", "directivo", f"/api/v1/practices/help/?action={action.pk}", "reason"),
        ("network needs panel (htmx)", "supervisor", f"/networks/{network.code}/help-panel/", "h5"),
    ]
    clients = {"directivo": signed_in_client(directivo), "supervisor": signed_in_client(supervisor)}
    for name, who, path, expected in pages:
        samples, size, queries = time_requests(clients[who], [path], expected, args.requests)
        stats = percentiles(samples)
        rows.append((name, who, size, queries, stats, False))
        print(f"{name}: p50 {stats['p50']:.1f} ms, p95 {stats['p95']:.1f} ms, {queries} queries")
    arch, cpus, cpu = machine()
    passed = all(r[4]["p95"] <= TARGET_P95_MS for r in rows if r[5])
    parts = urlsplit(url)
    seeded_text = "".join(f"; {what} seeded in {s:.1f} s" for what, s in seeded.items())
    report = [
        f"## ¿Quién puede ayudarnos?, national scale — {datetime.date.today().isoformat()}",
        "",
        f"- machine: `{arch}`, {cpus} CPUs, {cpu}; Python {platform.python_version()}",
        f"- database: PostgreSQL {data['postgres']} at {parts.hostname}:{parts.port or 5432}, "
        f"database `{parts.path.lstrip('/')}`; {data['practices']:,} practices, "
        f"{data['adoptions']:,} adoptions, {data['comments']:,} comments, {data['plans']:,} "
        f"plans with {data['actions']:,} actions; VACUUM ANALYZE run before measuring"
        + seeded_text,
        f"- method: in process, DEBUG=0, {args.requests} timed calls per case after 5 warm-up "
        f"ones; the delayed action {action.pk} of RBD {school.pk} in `{sub}` (the subdimension "
        f"with the most practices); the supervisor runs {network.code}",
        "",
        "| case | user | rows / bytes | queries | p50 (ms) | p95 (ms) | p99 (ms) | target |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, who, size, queries, stats, targeted in rows:
        target = f"{TARGET_P95_MS:.0f}" if targeted else "—"
        report.append(
            f"| {name} | {who} | {size:,} | {queries} | {stats['p50']:.1f} | {stats['p95']:.1f} "
            f"| {stats['p99']:.1f} | {target} |"
        )
    report += ["", f"Result: {'within target' if passed else 'OVER TARGET'}.", ""]
    record(report, no_record=args.no_record)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
