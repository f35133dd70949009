"""Benchmark: the library of shared practices at national scale.

    .venv/bin/python bench/bench_practices.py [--requests 200] [--reseed] [--no-record]

Uses its own PostgreSQL database (PRACTICES_BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/rme_bench_practices): creates and
migrates it, seeds the national shape (`seed_demo --scale national`) if it
has no national networks, and 20,000 practices across the national schools
(networks.practices.demo.seed_national_practices: tags, authors, ~5,000
adoptions, 10,000 comments, search vectors) if they are missing or with
--reseed. Then, in process with DEBUG=0 and the Django test client, it
requests the library with realistic searches and filters (full text with
and without accents, filters by dimension, region, level, rural and tag,
relevance and recency) as a directivo, a supervisor and a national analyst,
`--requests` times each, and the API list, and reports p50/p95/p99 and the
queries per page. Appends a dated section to bench/RESULTS.md.
Target: every library search p95 <= 200 ms.
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
from benchlib import (
    ensure_national_networks,
    machine,
    record,
    setup_django,
    signed_in_client,
)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/rme_bench_practices"
TARGET_P95_MS = 200.0
PRACTICES = 20_000


def pick_users():
    from django.db.models import Count, Q

    from networks.models import Network
    from rme_platform.accounts.models import User

    network = (
        Network.objects.filter(code__startswith="RME-N")
        .annotate(n=Count("memberships", filter=Q(memberships__active=True)))
        .order_by("-n", "code")
        .first()
    )

    def member(role):
        return (
            network.memberships.filter(role=role, active=True)
            .select_related("user")
            .order_by("user__email")
            .first()
            .user
        )

    analyst = User.objects.filter(role="analyst", analyst_scope__national=True).first()
    return network, member("directivo"), member("supervisor"), analyst


def figures():
    from django.db import connection

    from networks.practices.models import Practice, PracticeAdoption, PracticeComment

    with connection.cursor() as cursor:
        # As autovacuum would after a bulk load: statistics, and the
        # visibility map that lets the library's index answer alone.
        cursor.execute("VACUUM ANALYZE practices_practice")
        cursor.execute("ANALYZE")
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    national = Practice.objects.filter(school__network_links__network__code__startswith="RME-N")
    return {
        "postgres": version.split()[0],
        "practices": Practice.objects.count(),
        "published": Practice.objects.filter(status="published").count(),
        "adoptions": PracticeAdoption.objects.count(),
        "comments": PracticeComment.objects.count(),
        "national": national.distinct().count(),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per case (200)")
    parser.add_argument("--reseed", action="store_true", help="rebuild the national practices")
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rme-bench-practices-") as tmp:
        return run(args, Path(tmp))


def run(args, tmp):
    url = os.environ.get("PRACTICES_BENCH_DATABASE_URL") or DEFAULT_URL
    env = setup_django(url, tmp, "bench_practices_settings")
    from networks.practices.demo import seed_national_practices
    from networks.practices.models import Practice

    ensure_national_networks(env)
    seed_seconds = None
    if args.reseed or Practice.objects.count() < PRACTICES:
        print(f"Seeding {PRACTICES:,} practices across the national schools...", flush=True)
        start = time.perf_counter()
        seed_national_practices(n=PRACTICES, stdout=sys.stdout)
        seed_seconds = time.perf_counter() - start
        print(f"  done in {seed_seconds:.1f} s", flush=True)
    data = figures()
    network, directivo, supervisor, analyst = pick_users()
    clients = {}
    for name, user in (("directivo", directivo), ("supervisor", supervisor), ("analyst", analyst)):
        clients[name] = signed_in_client(user)
    region = network.deprov.region_id
    cases = [
        ("search, accented word", "directivo", "/practices/?q=evaluación"),
        ("search, unaccented word", "directivo", "/practices/?q=evaluacion"),
        (
            "search two words + dimension",
            "directivo",
            "/practices/?q=lectura+compartida&dimension=gestion_pedagogica",
        ),
        (
            "search + region + urban",
            "directivo",
            f"/practices/?q=convivencia&region={region}&rural=false",
        ),
        (
            "search + tag, by recency",
            "directivo",
            "/practices/?q=matematica&tag=pie&ordering=recent",
        ),
        ("filters only: level, recency", "directivo", "/practices/?level=110&ordering=recent"),
        ("no search: newest first", "directivo", "/practices/"),
        ("search, page 3", "directivo", "/practices/?q=familias&page=3"),
        ("search (supervisor)", "supervisor", "/practices/?q=acompanamiento+aula"),
        ("search (national analyst)", "analyst", "/practices/?q=tutorias"),
        ("API search", "directivo", "/api/v1/practices/?q=evaluacion&dimension=gestion_pedagogica"),
    ]
    rows = []
    for name, who, path in cases:
        expected = "results" if path.startswith("/api/") else "Biblioteca de prácticas"
        samples, size, queries = time_requests(clients[who], [path], expected, args.requests)
        stats = percentiles(samples)
        rows.append((name, who, path, size, queries, stats))
        print(
            f"{name}: p50 {stats['p50']:.1f} ms, p95 {stats['p95']:.1f} ms, "
            f"p99 {stats['p99']:.1f} ms, {queries} queries",
            flush=True,
        )
    arch, cpus, cpu = machine()
    passed = all(r[5]["p95"] <= TARGET_P95_MS for r in rows)
    parts = urlsplit(url)
    report = [
        f"## Practice library, national scale — {datetime.date.today().isoformat()}",
        "",
        f"- machine: `{arch}`, {cpus} CPUs, {cpu}; Python {platform.python_version()}",
        f"- database: PostgreSQL {data['postgres']} at {parts.hostname}:{parts.port or 5432}, "
        f"database `{parts.path.lstrip('/')}`; {data['practices']:,} practices "
        f"({data['published']:,} published) across the schools of the national networks, "
        f"{data['adoptions']:,} adoptions, {data['comments']:,} comments; stored tsvector with "
        "GIN index (`rme_spanish`: unaccent + Spanish stems, plus `spanish`); VACUUM ANALYZE "
        "run before measuring"
        + (f"; practices seeded in {seed_seconds:.1f} s" if seed_seconds else ""),
        f"- method: Django test client in process, DEBUG=0, no page cache, one request "
        f"at a time, {args.requests} timed requests per case after 5 warm-up ones; the "
        f"directivo and supervisor are members of {network.code} (the national network with "
        "the most members), the analyst has a national scope",
        "",
        "| case | user | URL | bytes | queries | p50 (ms) | p95 (ms) | p99 (ms) | target p95 (ms) "
        "| result |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, who, path, size, queries, stats in rows:
        ok = stats["p95"] <= TARGET_P95_MS
        report.append(
            f"| {name} | {who} | `{path}` | {size:,} | {queries} | {stats['p50']:.1f} "
            f"| {stats['p95']:.1f} | {stats['p99']:.1f} | {TARGET_P95_MS:.0f} "
            f"| {'pass' if ok else 'FAIL'} |"
        )
    report += ["", f"Result: {'within target' if passed else 'OVER TARGET'}.", ""]
    record(report, no_record=args.no_record)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
