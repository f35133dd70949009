"""Benchmark: server time of one request to the practices, PME and survey
pages and their API lists, at national scale (issue 17).

    .venv/bin/python bench/bench_app_pages.py [--requests 30] [--only WORD] [--profile WORD]

Uses DATABASE_URL (default postgres://postgres@127.0.0.1:5432/rme_bench_pages_apps):
created and migrated if missing, seeded with `seed_demo --scale national`,
20,000 practices (networks.practices.demo), a plan with ~15 actions for every
national school (pme.demo.seed_national_pme) and the national survey campaign
`rme-nacional` (monitoring.demo, 14,466 responses; published here so that
supervisors read it too). Then, in process with DEBUG=0 and
no page cache, the Django test client requests every page `--requests`
times after a warm-up and prints the median CPU time (time.process_time) and
wall time of one request, and its queries and their time. No target is
checked here: the figures are copied into bench/RESULTS.md by hand.
`--profile WORD` prints a cProfile of the cases whose name contains WORD.
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchlib import ensure_national_networks, machine, setup_django, signed_in_client

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/rme_bench_pages_apps"
CAMPAIGN = "rme-nacional"


def seed(env):
    from django.db import connection
    from django.utils import timezone

    from monitoring.demo import seed_national_monitoring
    from monitoring.models import Campaign, CampaignStatus
    from networks.practices.demo import seed_national_practices
    from networks.practices.models import Practice
    from pme.demo import seed_national_pme
    from pme.models import AnnualPlan

    ensure_national_networks(env)
    seeded = False
    if Practice.objects.count() < 20_000:
        seed_national_practices(n=20_000, stdout=sys.stdout)
        seeded = True
    if AnnualPlan.objects.count() < 5_000:
        seed_national_pme(seed=2025)
        seeded = True
    if not Campaign.objects.filter(slug=CAMPAIGN).exists():
        seed_national_monitoring(slug=CAMPAIGN)
        seeded = True
    Campaign.objects.filter(slug=CAMPAIGN).exclude(status=CampaignStatus.PUBLISHED).update(
        status=CampaignStatus.PUBLISHED, published_at=timezone.now()
    )
    if seeded:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def targets():
    """The users and objects of the cases: the national network with the most
    schools, a directivo of its school with the most PME actions, its
    supervisor, a national analyst, the most commented practice."""
    from django.db.models import Count, Q

    from monitoring.models import Campaign
    from networks.models import Membership, Network
    from networks.practices.models import Practice
    from pme.models import Action, AnnualPlan
    from rme_platform.accounts.models import User

    network = (
        Network.objects.filter(code__startswith="RME-N")
        .annotate(n=Count("network_schools", filter=Q(network_schools__left_on__isnull=True)))
        .order_by("-n", "code")
        .first()
    )
    plan = (
        AnnualPlan.objects.filter(
            shared_with_network=True,
            school__network_links__network=network,
            school__network_links__left_on__isnull=True,
        )
        .annotate(n=Count("actions"))
        .order_by("-year", "-n", "pk")
        .first()
    )
    from schools.models import Position

    directivo = User.objects.get(
        pk=Position.objects.active()
        .filter(school=plan.school, user__role__in=["director", "utp"])
        .order_by("user__email")
        .values("user_id")[:1]
    )
    supervisor = (
        Membership.objects.filter(network=network, role="supervisor", active=True)
        .select_related("user")
        .order_by("user__email")
        .first()
        .user
    )
    analyst = User.objects.filter(role="analyst", analyst_scope__national=True).first()
    practice = (
        Practice.objects.filter(status="published", visibility="all")
        .annotate(n=Count("comments"))
        .order_by("-n", "pk")
        .first()
    )
    action = Action.objects.filter(plan=plan).order_by("pk").first()
    campaign = Campaign.objects.get(slug=CAMPAIGN)
    return {
        "network": network,
        "plan": plan,
        "action": action,
        "directivo": directivo,
        "supervisor": supervisor,
        "analyst": analyst,
        "practice": practice,
        "campaign": campaign,
    }


def cases(t):
    network, plan, action, campaign = t["network"], t["plan"], t["action"], t["campaign"]
    region = network.deprov.region_id
    slug = campaign.slug
    results = f"/monitoring/campaigns/{slug}/results/"
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    progress = {"progress": "40", "date": today, "note": "Avance de prueba."}
    return [
        ("practices list", "directivo", "get", "/practices/"),
        ("practices list", "analyst", "get", "/practices/"),
        ("practices search", "directivo", "get", "/practices/?q=evaluación"),
        ("practices search", "supervisor", "get", "/practices/?q=lectura+compartida"),
        ("practice page", "directivo", "get", f"/practices/{t['practice'].pk}/"),
        ("practice page", "supervisor", "get", f"/practices/{t['practice'].pk}/"),
        ("pme plan", "directivo", "get", f"/pme/plans/{plan.pk}/"),
        ("pme plan", "supervisor", "get", f"/pme/plans/{plan.pk}/"),
        ("pme action", "directivo", "get", f"/pme/actions/{action.pk}/"),
        (
            "pme action progress POST",
            "directivo",
            "post",
            (f"/pme/actions/{action.pk}/progress/", progress),
        ),
        ("monitoring campaigns", "analyst", "get", "/monitoring/"),
        ("monitoring campaigns", "supervisor", "get", "/monitoring/"),
        ("results national", "analyst", "get", f"{results}?scope=national"),
        ("results region", "analyst", "get", f"{results}?scope=region:{region}"),
        ("results network", "analyst", "get", f"{results}?scope=network:{network.code}"),
        ("results national", "supervisor", "get", f"{results}?scope=national"),
        ("results region", "supervisor", "get", f"{results}?scope=region:{region}"),
        ("results network", "supervisor", "get", f"{results}?scope=network:{network.code}"),
        ("rates", "analyst", "get", f"/monitoring/campaigns/{slug}/rates/"),
        ("rates", "supervisor", "get", f"/monitoring/campaigns/{slug}/rates/"),
        ("api practices", "directivo", "get", "/api/v1/practices/"),
        ("api practices search", "analyst", "get", "/api/v1/practices/?q=evaluacion"),
        ("api practice-adoptions", "directivo", "get", "/api/v1/practice-adoptions/"),
        ("api pme cycles", "directivo", "get", "/api/v1/pme/cycles/"),
        ("api pme plans", "directivo", "get", "/api/v1/pme/plans/"),
        ("api pme plans", "supervisor", "get", "/api/v1/pme/plans/"),
        ("api pme actions", "directivo", "get", "/api/v1/pme/actions/"),
        ("api pme actions", "supervisor", "get", "/api/v1/pme/actions/"),
        ("api monitoring campaigns", "analyst", "get", "/api/v1/monitoring/campaigns/"),
        ("api monitoring instruments", "analyst", "get", "/api/v1/monitoring/instruments/"),
        ("api monitoring reports", "supervisor", "get", "/api/v1/monitoring/reports/"),
    ]


def one(client, method, target):
    if method == "post":
        url, data = target
        return client.post(url, data)
    return client.get(target)


def measure(client, method, target, requests):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        response = one(client, method, target)
    expected = 302 if method == "post" else 200
    if response.status_code != expected:
        return {"status": response.status_code}
    with CaptureQueriesContext(connection) as queries:
        one(client, method, target)
    # Read them now: every request empties the connection's query log.
    captured = queries.captured_queries
    sql_ms = sum(float(q["time"]) for q in captured) * 1000
    cpu, wall = [], []
    for _ in range(requests):
        c0, w0 = time.process_time(), time.perf_counter()
        one(client, method, target)
        cpu.append((time.process_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
    return {
        "status": response.status_code,
        "cpu": statistics.median(cpu),
        "wall": statistics.median(wall),
        "queries": len(captured),
        "sql": sql_ms,
        "bytes": len(response.content),
    }


def profile(client, method, target, requests):
    for _ in range(3):
        one(client, method, target)
    profiler = cProfile.Profile(time.process_time)  # CPU of this process only
    profiler.enable()
    for _ in range(requests):
        one(client, method, target)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(45)
    print(out.getvalue())
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
    print(out.getvalue())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--only", default="", help="cases whose name and role contain this")
    parser.add_argument("--profile", default="", help="cProfile the cases matching this")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    with tempfile.TemporaryDirectory(prefix="rme-bench-app-pages-") as tmp:
        env = setup_django(url, Path(tmp), "bench_app_pages_settings")
        seed(env)
        t = targets()
        clients = {}
        arch, cpus, cpu = machine()
        print(f"machine: {arch}, {cpus} CPUs, {cpu}; {args.requests} requests per case")
        print(f"{'case':<30} {'as':<11} {'cpu ms':>7} {'wall ms':>8} {'queries':>7} {'sql ms':>7}")
        for name, role, method, target in cases(t):
            label = f"{name} {role}"
            wanted = args.profile or args.only
            if wanted and wanted not in label:
                continue
            client = clients.get(role) or clients.setdefault(role, signed_in_client(t[role]))
            if args.profile:
                profile(client, method, target, args.requests)
                continue
            r = measure(client, method, target, args.requests)
            if "cpu" not in r:
                print(f"{name:<30} {role:<11} status {r['status']}")
                continue
            print(
                f"{name:<30} {role:<11} {r['cpu']:7.1f} {r['wall']:8.1f} "
                f"{r['queries']:7d} {r['sql']:7.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
