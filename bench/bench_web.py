"""Benchmark: the main pages and the schools API under load, at national scale.

    .venv/bin/python bench/bench_web.py [--duration 15] [--connections 20]

Uses the PostgreSQL database of DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/rme_bench; created and migrated if
missing, seeded with `seed_demo --scale national` if it has no national
networks), serves the project with gunicorn (2 sync workers, DEBUG=0,
collected static files) on 127.0.0.1:8765, signs in through the allauth
login form as a national supervisor of the DEPROV with the most networks,
and runs wrk (2 threads, 20 connections) on the network list, that DEPROV's
largest network, the school search and the schools API. Each URL is first
checked to answer 200 (not a redirect) with the session. Prints the table
and appends a dated section to bench/RESULTS.md. Target: p95 <= 100 ms.
"""

import argparse
import datetime
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import benchlib
from benchlib import ensure_database, machine, manage

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/rme_bench"
RESULTS = ROOT / "bench" / "RESULTS.md"
HOST, PORT = "127.0.0.1", 8765
BASE = f"http://{HOST}:{PORT}"
TARGET_P95_MS = 100.0
PASSWORD = "demo-rme-2025"  # the documented demo password (rme_platform.management.demo)

# wrk calls done() once with the merged figures; latencies are in microseconds.
# Each thread counts the answers that are not 200 (a lost session would
# answer 302 and look fast).
WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) not_ok = 0 end
function response(status, headers, body)
  if status ~= 200 then not_ok = not_ok + 1 end
end
function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do bad = bad + thread:get("not_ok") end
  io.write(string.format("RESULT %.3f %.3f %.3f %.3f %d %d\\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.requests / (summary.duration / 1e6),
    summary.requests, bad + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout))
end
"""


def pick_targets():
    """A national supervisor of the DEPROV with the most networks, and that
    DEPROV's largest network: the heaviest realistic supervisor pages."""
    return benchlib.heaviest_supervisor_targets()


def data_figures():
    from django.db import connection

    from networks.models import Membership, Network
    from rme_platform.accounts.models import User
    from schools.models import School

    with connection.cursor() as cursor:
        # Measure with planner statistics, as autovacuum keeps them in
        # production (this server may run without it).
        cursor.execute("ANALYZE")
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute("SHOW autovacuum")
        autovacuum = cursor.fetchone()[0]
    return {
        "postgres": version.split()[0],
        "autovacuum": autovacuum,
        "schools": School.objects.count(),
        "networks": Network.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
    }


def sign_in(email):
    """Sign in through the allauth form, as a browser would; return the
    session cookie."""
    import requests

    browser = requests.Session()
    page = browser.get(f"{BASE}/accounts/login/", timeout=10)
    page.raise_for_status()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = browser.post(
        f"{BASE}/accounts/login/",
        data={"csrfmiddlewaretoken": token, "login": email, "password": PASSWORD},
        headers={"Referer": f"{BASE}/accounts/login/"},
        allow_redirects=False,
        timeout=10,
    )
    session = browser.cookies.get("sessionid")
    if answer.status_code != 302 or not session:
        raise RuntimeError(f"sign-in as {email} failed: HTTP {answer.status_code}")
    return session


def check_ok(path, cookie, expected):
    import requests

    answer = requests.get(
        BASE + path, headers={"Cookie": cookie}, allow_redirects=False, timeout=30
    )
    if answer.status_code != 200:
        raise RuntimeError(f"{path} answered {answer.status_code}, not 200")
    if expected not in answer.text:
        raise RuntimeError(f"{path} does not show {expected!r}")
    return len(answer.content)


def wrk(path, cookie, script, *, connections, duration, threads=2):
    headers = ["-H", f"Cookie: {cookie}"]
    if path.startswith("/api/"):
        headers += ["-H", "Accept: application/json"]
    done = subprocess.run(
        [
            "wrk",
            f"-t{min(threads, connections)}",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            *headers,
            BASE + path,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    p50, p95, p99, rate, total, bad = line.split()[1:]
    return {
        "p50": float(p50),
        "p95": float(p95),
        "p99": float(p99),
        "rate": float(rate),
        "requests": int(total),
        "bad": int(bad),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds per URL (default 15)")
    parser.add_argument("--connections", type=int, default=20, help="wrk connections (20)")
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("This benchmark needs wrk (apt-get install wrk).")
    with tempfile.TemporaryDirectory(prefix="rme-bench-web-") as tmp:
        return run(args, Path(tmp))


def run(args, tmp):
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    ensure_database(url)
    env = benchlib.production_env(
        url,
        ALLOWED_HOSTS=HOST,
        STATIC_ROOT=str(tmp / "static"),
        DJANGO_SETTINGS_MODULE="bench_settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(tmp), os.environ.get("PYTHONPATH")])),
    )
    (tmp / "bench_settings.py").write_text(benchlib.MANIFEST_SETTINGS)
    (tmp / "bench_storage.py").write_text(benchlib.MANIFEST_STORAGE)
    sys.path.insert(0, str(tmp))
    benchlib.start_django(env)

    benchlib.ensure_national_networks(env)
    manage("collectstatic", "--noinput", "--verbosity", "0", env=env)
    deprov, supervisor, network = pick_targets()
    data = data_figures()
    from django.db import connection

    connection.close()
    script = tmp / "report.lua"
    script.write_text(WRK_SCRIPT)
    cases = [
        ("network list", "/networks/", network.code),
        ("network page", f"/networks/{network.code}/", network.code),
        ("school search", "/schools/?q=escuela&region=13", "RBD"),
        ("schools API", "/api/v1/schools/?region=13", '"results"'),
    ]

    log = (tmp / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "rme_platform.wsgi:application",
            "-w",
            "2",
            "-b",
            f"{HOST}:{PORT}",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    rows = []
    try:
        benchlib.wait_until_up(server, HOST, PORT, 30)
        cookie = f"sessionid={sign_in(supervisor.email)}"
        for name, path, expected in cases:
            size = check_ok(path, cookie, expected)
            # Warm up (connections, caches), then measure.
            wrk(path, cookie, script, connections=args.connections, duration=3)
            single = wrk(path, cookie, script, connections=1, duration=5, threads=1)
            loaded = wrk(path, cookie, script, connections=args.connections, duration=args.duration)
            rows.append((name, path, size, single, loaded))
            print(
                f"{name}: p50 {loaded['p50']:.1f} ms, p95 {loaded['p95']:.1f} ms, "
                f"{loaded['rate']:.0f} req/s (1 connection: p50 {single['p50']:.1f} ms)",
                flush=True,
            )
    except Exception:
        log.flush()
        print((tmp / "gunicorn.log").read_text()[-3000:], file=sys.stderr)
        raise
    finally:
        benchlib.stop(server, timeout=20)
        log.close()

    arch, cpus, cpu = machine()
    passed = all(r[4]["p95"] <= TARGET_P95_MS and r[4]["bad"] == 0 for r in rows)
    report = [
        f"## Web pages and API under load, national scale — {datetime.date.today().isoformat()}",
        "",
        f"- machine: `{arch}`, {cpus} CPUs, {cpu}; Python {platform.python_version()}; "
        "wrk, gunicorn and PostgreSQL on the same machine",
        f"- database: PostgreSQL {data['postgres']} at {urlsplit(url).hostname}:"
        f"{urlsplit(url).port or 5432}; {data['schools']:,} schools, {data['networks']:,} "
        f"networks, {data['users']:,} accounts, {data['memberships']:,} memberships; "
        f"ANALYZE run before measuring (autovacuum {data['autovacuum']})",
        f"- server: gunicorn, 2 sync workers, DEBUG=0; signed in as a national supervisor of "
        f"DEPROV {deprov.code} ({deprov.name}), the one with the most networks",
        "- every page rendered for every request (no page cache); the registry search "
        "results and schools API are cached until the registry changes",
        f"- load: wrk -t2 -c{args.connections} -d{args.duration}s per URL after a 3 s warm-up; "
        "'1 conn.' is the median with a single connection (the time one request takes)",
        "",
        "| URL | bytes | 1 conn. p50 (ms) | p50 (ms) | p95 (ms) | p99 (ms) | req/s "
        "| not 200 | target p95 (ms) | result |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for _name, path, size, single, loaded in rows:
        ok = loaded["p95"] <= TARGET_P95_MS and loaded["bad"] == 0
        report.append(
            f"| `{path}` | {size:,} | {single['p50']:.1f} | {loaded['p50']:.1f} "
            f"| {loaded['p95']:.1f} | {loaded['p99']:.1f} | {loaded['rate']:.0f} "
            f"| {loaded['bad']} | {TARGET_P95_MS:.0f} | {'pass' if ok else 'FAIL'} |"
        )
    report += ["", f"Result: {'within target' if passed else 'OVER TARGET'}.", ""]
    print("\n".join(report))
    if args.no_record:
        return 0 if passed else 1
    header = "\n" if RESULTS.exists() else "# Benchmark results\n\n"
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write(header + "\n".join(report))
    print(f"Appended to {RESULTS.relative_to(ROOT)}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
