"""Benchmark: PDF monitoring reports at national scale.

    .venv/bin/python bench/bench_reports.py [--no-record] [--rounds 10] [--skip-all]

Uses the PostgreSQL database of DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/rme_bench_reports; created and migrated
if missing, seeded with `seed_demo --scale national` and the national survey
campaign of monitoring.demo.seed_national_monitoring, as bench_monitoring.py
does) and Redis at REDIS_URL (default redis://127.0.0.1:6379/2).

1. One network report: `monitoring.reports.building.build_report` forced, in process,
   median of `--rounds` builds after a warm-up (the campaign's inputs are
   shared, as in a worker that already built one). Target ≤ 1.5 s.
2. Every report of the campaign (national, 16 regions, every network) by a
   real `celery worker --concurrency=2` (prefork) on a private queue: queued
   with `request_reports(force=True)`, timed until none is pending or
   running. Target ≤ 7 minutes.
3. The same request again, unchanged: the checksums match, nothing is
   rebuilt. Target ≥ 20 × faster than 2.

Prints the figures and appends a dated section to bench/RESULTS.md.
"""

import argparse
import datetime
import os
import platform
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

from benchlib import analyze, ensure_database, ensure_national_networks, machine, start_django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/rme_bench_reports"
DEFAULT_REDIS = "redis://127.0.0.1:6379/2"
RESULTS = ROOT / "bench" / "RESULTS.md"
CAMPAIGN = "rme-nacional"
TARGET_ONE_S, TARGET_ALL_S, TARGET_RATIO = 1.5, 7 * 60, 20.0


def start_worker(env, queue, log_path):
    celery = str(Path(sys.executable).with_name("celery"))
    log = open(log_path, "w")  # noqa: SIM115 - closed by stop_worker
    process = subprocess.Popen(
        [
            celery,
            "-A",
            "rme_platform",
            "worker",
            "--concurrency=2",
            "--pool=prefork",
            "-Q",
            queue,
            "-n",
            f"{queue}@%h",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return process, log


def stop_worker(process, log):
    process.terminate()
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


def wait_until_idle(campaign, seconds):
    from monitoring.models import Report, ReportStatus

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        active = Report.objects.filter(
            campaign=campaign, status__in=[ReportStatus.PENDING, ReportStatus.RUNNING]
        ).count()
        if not active:
            return True
        time.sleep(0.5)
    return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--skip-all", action="store_true", help="only the one-network measure")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rme-bench-reports-") as tmp:
        return run(args, Path(tmp))


def run(args, tmp):
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    redis = os.environ.get("REDIS_URL") or DEFAULT_REDIS
    ensure_database(url)
    queue = f"rme-bench-reports-{uuid.uuid4().hex[:6]}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": redis,
        # As in production: DEBUG off (no query log, no template debug data).
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
        "MEDIA_ROOT": str(tmp / "media"),
        "MONITORING_REPORTS_QUEUE": queue,
        "DJANGO_SETTINGS_MODULE": "rme_platform.settings",
    }
    start_django(env)
    from django.db.models import Count

    from monitoring.demo import seed_national_monitoring
    from monitoring.models import Campaign, Report, ReportStatus, Response
    from monitoring.reports.building import build_report
    from monitoring.reports.services import request_reports
    from networks.models import Network

    ensure_national_networks(env)
    if not Campaign.objects.filter(slug=CAMPAIGN).exists():
        print("Seeding the national survey campaign...", flush=True)
        print(seed_national_monitoring(slug=CAMPAIGN), flush=True)
    version = analyze()
    campaign = Campaign.objects.select_related("instrument").get(slug=CAMPAIGN)
    responses = Response.objects.filter(campaign=campaign).count()
    Report.objects.filter(campaign=campaign).delete()

    # 1. One network report, in process.
    network = (
        Network.objects.filter(code__startswith="RME-N")
        .filter(pk__in=Response.objects.filter(campaign=campaign).values("network_id"))
        .order_by("code")
        .first()
    )
    scope = f"network:{network.code}"
    request_reports(by=None, campaign=campaign, scope=scope, enqueue_builds=False)
    report = Report.objects.get(campaign=campaign, scope_id=network.code, language="es")
    token = uuid.uuid4().hex
    started = time.perf_counter()
    build_report(report.pk, force=True, token=token)  # computes the inputs
    cold = time.perf_counter() - started
    times = []
    for _round in range(args.rounds):
        started = time.perf_counter()
        assert build_report(report.pk, force=True, token=token) == "done"
        times.append(time.perf_counter() - started)
    report.refresh_from_db()
    one = statistics.median(times)
    print(
        f"one network report ({scope}, {report.pages} pages): median {one * 1000:.0f} ms "
        f"of {args.rounds} (first, with the campaign's inputs: {cold * 1000:.0f} ms)",
        flush=True,
    )

    figures = None
    if not args.skip_all:
        # 2. Every report, by a real worker with 2 processes.
        Report.objects.filter(campaign=campaign).delete()
        process, log = start_worker(env, queue, tmp / "worker.log")
        try:
            time.sleep(8)  # the worker and its two processes start
            load_before = os.getloadavg()[0]
            started = time.perf_counter()
            outcomes = request_reports(by=None, campaign=campaign, force=True)
            queued_in = time.perf_counter() - started
            finished = wait_until_idle(campaign, 30 * 60)
            every = time.perf_counter() - started
            load_after = os.getloadavg()[0]
            counts = dict(
                Report.objects.filter(campaign=campaign)
                .values_list("status")
                .annotate(n=Count("pk"))
                .order_by()
            )
            print(
                f"all {len(outcomes)} reports with 2 worker processes: {every:.1f} s "
                f"(queued in {queued_in:.1f} s; {counts}; finished={finished})",
                flush=True,
            )
            # 3. Unchanged: the same request again.
            started = time.perf_counter()
            again = request_reports(by=None, campaign=campaign)
            wait_until_idle(campaign, 30 * 60)
            unchanged = time.perf_counter() - started
            n_unchanged = sum(1 for _r, outcome in again if outcome == "unchanged")
            print(
                f"unchanged re-run: {unchanged:.2f} s ({n_unchanged} of {len(again)} unchanged; "
                f"{every / unchanged:.0f}× faster)",
                flush=True,
            )
        finally:
            stop_worker(process, log)
        pages = list(
            Report.objects.filter(campaign=campaign, status=ReportStatus.DONE).values_list(
                "pages", flat=True
            )
        )
        figures = {
            "n": len(outcomes),
            "every": every,
            "queued_in": queued_in,
            "counts": counts,
            "unchanged": unchanged,
            "n_unchanged": n_unchanged,
            "ratio": every / unchanged,
            "pages": (min(pages), statistics.median(pages), max(pages)) if pages else None,
            "load": (load_before, load_after),
        }

    arch, cpus, cpu = machine()
    ok = one <= TARGET_ONE_S and (
        figures is None
        or (
            figures["every"] <= TARGET_ALL_S
            and figures["ratio"] >= TARGET_RATIO
            and figures["counts"].get("done", 0) == figures["n"]
        )
    )
    runs = ", ".join(f"{t * 1000:.0f}" for t in times)
    lines = [
        f"## PDF monitoring reports, national scale — {datetime.date.today().isoformat()}",
        "",
        f"- machine: `{arch}`, {cpus} CPUs, {cpu}; Python {platform.python_version()}; "
        "WeasyPrint, the worker, PostgreSQL and Redis on the same machine",
        f"- database: PostgreSQL {version} at {urlsplit(url).hostname}:"
        f"{urlsplit(url).port or 5432} (`{urlsplit(url).path.lstrip('/')}`); campaign "
        f"`{CAMPAIGN}`: {responses:,} responses; the demo's 2023 and 2024 waves give the "
        "Maule regions and networks a trend",
        "",
        "| measure | result | target |",
        "|---|---|---|",
        f"| one network report (`{scope}`, {report.pages} pages), build forced, in process, "
        f"median of {args.rounds} (runs {runs} ms; first with the campaign's inputs "
        f"{cold * 1000:.0f} ms) | {one * 1000:.0f} ms | ≤ 1500 ms |",
    ]
    if figures:
        pages = figures["pages"]
        lines += [
            f"| every report of the campaign ({figures['n']}: national, regions, networks; "
            f"{pages[0]}–{pages[2]} pages, median {pages[1]:.0f}) by `celery worker "
            f"--concurrency=2`, from the request until none is pending or running "
            f"(statuses {figures['counts']}; 1-minute load average "
            f"{figures['load'][0]:.1f} before, {figures['load'][1]:.1f} at the end) | "
            f"{figures['every']:.1f} s "
            f"({figures['n'] / figures['every'] * 60:.0f} reports/min) | ≤ 420 s |",
            f"| the same request again, inputs unchanged ({figures['n_unchanged']} of "
            f"{figures['n']} unchanged: checksums computed, nothing rebuilt) | "
            f"{figures['unchanged']:.2f} s ({figures['ratio']:.0f}× faster) | ≥ 20× faster |",
        ]
    verdict = "within target" if ok else "OVER TARGET"
    lines += ["", f"Result: {verdict}.", ""]
    text = "\n".join(lines)
    print(text)
    if not args.no_record:
        with RESULTS.open("a") as handle:
            handle.write("\n" + text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
