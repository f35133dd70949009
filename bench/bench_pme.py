"""Benchmark: PME rollups at national scale.

    .venv/bin/python bench/bench_pme.py [--requests 60] [--reseed]

Uses its own PostgreSQL database (PME_BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/rme_bench_pme): created and migrated if
missing, then seeded once with the national networks (networks.demo) and a
2025 plan of about fifteen actions for each of their 10,777 schools
(pme.demo.seed_national_pme, bulk-created). Measured in process with
Django's test client (DEBUG off, one request at a time, after a warm-up):

- the region dashboard of the region with the most shared plans (target
  p95 <= 300 ms), as a national analyst;
- the network rollup (the panel of the network page, on its own page) of
  the largest national network (target p95 <= 150 ms), as that network's
  supervisor, and the `network_panel` selector alone;
- the DEPROV dashboard and the PME lists (plans page, actions API), whose
  query counts must not grow with the data.

Prints the table and appends a dated section to bench/RESULTS.md.
"""

import argparse
import datetime
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from benchlib import ensure_database, machine, signed_in_client

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "RESULTS.md"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/rme_bench_pme"


def setup_django(url):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DEBUG", "1")
    os.environ["DJANGO_SETTINGS_MODULE"] = "rme_platform.settings"
    import django

    django.setup()
    from django.conf import settings

    # Measure as production runs: no query log, real host check.
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]


def seed(reseed):
    from django.core.management import call_command

    from pme.models import AnnualPlan

    call_command("migrate", verbosity=0)
    if not reseed and AnnualPlan.objects.count() >= 10_000:
        return None
    from networks.demo import seed_national, seed_small
    from pme.demo import seed_demo_pme, seed_national_pme

    started = time.monotonic()
    seed_small()
    seed_national(seed=2025)
    seed_demo_pme()
    figures = seed_national_pme(seed=2025)
    figures["seconds"] = round(time.monotonic() - started, 1)
    return figures


def data_figures():
    from django.db import connection

    from pme.models import Action, AnnualPlan, FundingLine

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    return {
        "postgres": version.split()[0],
        "plans": AnnualPlan.objects.count(),
        "shared": AnnualPlan.objects.filter(shared_with_network=True).count(),
        "actions": Action.objects.count(),
        "funding": FundingLine.objects.count(),
    }


def pick_targets():
    from django.db.models import Count, Q

    from networks.models import Membership, Network
    from pme.models import AnnualPlan
    from rme_platform.accounts.models import User
    from schools.models import AnalystScope

    region = (
        AnnualPlan.objects.filter(shared_with_network=True, year=2025)
        .values("school__deprov__region_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    network = (
        Network.objects.filter(code__startswith="RME-N")
        .annotate(n=Count("network_schools", filter=Q(network_schools__left_on__isnull=True)))
        .order_by("-n", "code")
        .first()
    )
    supervisor = (
        Membership.objects.filter(network=network, role="supervisor", active=True)
        .select_related("user")
        .order_by("user__email")
        .first()
        .user
    )
    analyst = User.objects.filter(
        pk__in=AnalystScope.objects.filter(national=True).values("user_id"),
        email__endswith="@nacional.demo.rme.cl",
    ).first()
    return region["school__deprov__region_id"], region["n"], network, supervisor, analyst


def client_for(user):
    return signed_in_client(user)


def measure(call, requests):
    from django.db import connection

    for _ in range(5):
        call()
    # Counted with a wrapper: the test client resets connection.queries at
    # the start of each request.
    queries = []
    with connection.execute_wrapper(
        lambda execute, sql, params, many, context: queries.append(sql)
        or execute(sql, params, many, context)
    ):
        call()
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[max(0, int(round(0.95 * len(times))) - 1)]
    return {
        "p50": statistics.median(times),
        "p95": p95,
        "max": times[-1],
        "queries": len(queries),
    }


def get(client, url, expected):
    def call():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        if expected and expected not in response.content.decode():
            raise RuntimeError(f"{url} does not show {expected!r}")
        return response

    return call


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument(
        "--no-record", action="store_true", help="print only; do not append to RESULTS.md"
    )
    args = parser.parse_args()
    url = os.environ.get("PME_BENCH_DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    setup_django(url)
    seeded = seed(args.reseed)
    data = data_figures()
    region, region_plans, network, supervisor, analyst = pick_targets()

    from django.template.loader import render_to_string

    from pme import selectors

    analyst_client, supervisor_client = client_for(analyst), client_for(supervisor)
    deprov = network.deprov_id
    cases = [
        (
            f"`/pme/dashboard/region/{region}/` (analyst, {region_plans:,} shared plans)",
            get(analyst_client, f"/pme/dashboard/region/{region}/?year=2025", "Por departamento"),
            300,
        ),
        (
            f"`/pme/networks/{network.code}/` ({network.n} schools, its supervisor)",
            get(supervisor_client, f"/pme/networks/{network.code}/", "comparten su plan"),
            150,
        ),
        (
            f"`network_panel()` of {network.code} (selector and partial)",
            lambda: render_to_string(
                "pme/_network_panel.html", selectors.network_panel(supervisor, network)
            ),
            150,
        ),
        (
            f"`/pme/dashboard/deprov/{deprov}/` (its supervisor)",
            get(supervisor_client, f"/pme/dashboard/deprov/{deprov}/?year=2025", "Por red"),
            300,
        ),
        ("`/pme/` plan list (supervisor)", get(supervisor_client, "/pme/", None), None),
        (
            "`/api/v1/pme/actions/?status=delayed` (supervisor)",
            get(supervisor_client, "/api/v1/pme/actions/?status=delayed", None),
            None,
        ),
    ]
    rows = []
    load_before = os.getloadavg()[0]
    for label, call, target in cases:
        figures = measure(call, args.requests)
        passed = target is None or figures["p95"] <= target
        rows.append((label, figures, target, passed))
        print(
            f"{label}: p50 {figures['p50']:.1f} ms, p95 {figures['p95']:.1f} ms, "
            f"max {figures['max']:.1f} ms, {figures['queries']} queries"
            + (f" (target {target} ms: {'ok' if passed else 'OVER'})" if target else ""),
            flush=True,
        )

    arch, cpus, cpu = machine()
    lines = [
        "",
        f"## PME rollups, national scale — {datetime.date.today().isoformat()}",
        "",
        f"- machine: `{arch}`, {cpus} CPUs, {cpu}; Python {platform.python_version()}; "
        f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after (other work "
        "shares the machine)",
        f"- database: PostgreSQL {data['postgres']} at {urlsplit(url).hostname}:"
        f"{urlsplit(url).port}, own database `{urlsplit(url).path.lstrip('/')}`; "
        f"{data['plans']:,} annual plans ({data['shared']:,} shared), {data['actions']:,} "
        f"actions, {data['funding']:,} funding lines; ANALYZE run before measuring",
        f"- method: Django test client in process, DEBUG off, one request at a time, 5 warm-up "
        f"requests then {args.requests} measured per URL",
    ]
    if seeded:
        lines.append(
            f"- seeding (networks + PME, bulk_create): {seeded['seconds']} s for "
            f"{seeded['plans']:,} plans and {seeded['actions']:,} actions"
        )
    lines += [
        "",
        "| case | p50 (ms) | p95 (ms) | max (ms) | queries | target p95 (ms) | result |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, figures, target, passed in rows:
        lines.append(
            f"| {label} | {figures['p50']:.1f} | {figures['p95']:.1f} | {figures['max']:.1f} | "
            f"{figures['queries']} | {target or '—'} | {'ok' if passed else 'OVER'} |"
        )
    overall = all(passed for _label, _figures, _target, passed in rows)
    lines += ["", f"Result: {'within target' if overall else 'OVER TARGET'}.", ""]
    if not args.no_record:
        with RESULTS.open("a", encoding="utf-8") as results:
            results.write("\n".join(lines))
    print("\n".join(lines))
    return 0 if overall else 1


if __name__ == "__main__":
    sys.exit(main())
