"""Benchmark: survey results at national scale, and 200 concurrent submits.

    .venv/bin/python bench/bench_monitoring.py [--no-record] [--skip-submits | --submits-only]

Uses the PostgreSQL database of DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/rme_bench_monitoring; created and
migrated if missing, seeded with `seed_demo --scale national` when it has no
national networks, then with one survey campaign of ~15,000 responses × 40
questions by monitoring.demo.seed_national_monitoring, written with COPY).

1. Results, measured in the same run (median of 5 after a warm-up):
   - a hand-written SQL GROUP BY over the same answers table (network,
     question, value: the counts national and network figures come from);
   - `manage.py survey_results --scope national --scope network:*` in
     process (all ~600 networks in one run, JSON written to /dev/null);
   - every scope (national, 16 regions, every network) through
     CampaignResults in process.
   Targets: survey_results ≤ 2 s and ≤ 2 × the hand-written GROUP BY;
   every scope ≤ 0.5 s.
2. Submits under gunicorn (4 sync workers, DEBUG=0, 127.0.0.1): 200
   invitations of an open campaign submit their complete questionnaire at
   the same moment (one client thread opens the 200 connections at once); then 20 pairs of
   simultaneous double submits. Targets: exactly 200 (then 20) responses
   stored; p95 ≤ 300 ms paced, ≤ 500 ms for the 200 at the same instant.
3. In process, before the submits (`measure_in_process`): the CPU and wall
   time of one answering page, autosave and submit through Django's whole
   handler. Target ≤ 10 ms each.

--submits-only skips 1.

The targets were set on a machine where a bare view with one query took
~0.8 ms of server CPU (benchlib.REFERENCE_MS). The run measures that floor
on its own gunicorn and also reads the submits' targets scaled by it, as
bench_pages.py does for the pages.

Prints the figures and appends a dated section to bench/RESULTS.md.
"""

import argparse
import datetime
import http.client
import io
import os
import platform
import random
import resource
import secrets
import selectors
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import benchlib
from benchlib import ensure_database, machine, manage

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/rme_bench_monitoring"
RESULTS = ROOT / "bench" / "RESULTS.md"
HOST, PORT = "127.0.0.1", 8766
CAMPAIGN = "rme-nacional"
SUBMITS, DOUBLES, SEQUENTIAL, WARMUP, IN_PROCESS = 200, 20, 20, 8, 60
# The burst is repeated (other invitations each time): one burst's p95 on a
# shared virtual machine varies by ±100 ms from run to run; the target is
# read on the median burst and every burst is reported.
BURSTS = 3
PACED_FROM = BURSTS * SUBMITS  # the tokens' layout: bursts, paced, sequential, doubles
SEQUENTIAL_FROM = PACED_FROM + SUBMITS
DOUBLES_FROM = SEQUENTIAL_FROM + SEQUENTIAL
IN_PROCESS_FROM = DOUBLES_FROM + 2 * DOUBLES
SPREAD_SECONDS = 5.0
WORKERS = 4
TARGET_RESULTS_S, TARGET_RATIO, TARGET_ALL_SCOPES_S, TARGET_P95_MS = 2.0, 2.0, 0.5, 300.0
TARGET_BURST_P95_MS, TARGET_ONE_REQUEST_MS = 500.0, 10.0


def measure_results(campaign):
    from django.core.management import call_command
    from django.db import connection

    from monitoring.models import Answer, Response
    from monitoring.results import campaign_results
    from schools.models import Region

    answer, response = Answer._meta.db_table, Response._meta.db_table
    likert = list(campaign.instrument.questions.filter(kind="likert5").values_list("pk", flat=True))
    where = (
        f"FROM {answer} a JOIN {response} r ON r.id = a.response_id "
        f"WHERE r.campaign_id = {int(campaign.pk)} "
        f"AND a.question_id IN ({', '.join(str(int(pk)) for pk in likert)})"
    )
    # The plainest hand-written query: the counts per network, question and
    # value (national figures are their sums) ...
    plain_sql = (
        f"SELECT r.network_id, a.question_id, a.value, COUNT(*) {where} "  # noqa: S608
        "GROUP BY r.network_id, a.question_id, a.value"
    )
    # ... and the same counts for the national and network levels at once.
    sets_sql = (
        f"SELECT r.network_id, a.question_id, a.value, COUNT(*) {where} "  # noqa: S608
        "GROUP BY GROUPING SETS ((a.question_id, a.value), "
        "(r.network_id, a.question_id, a.value))"
    )

    def run_sql(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()

    def command():
        out = io.StringIO()
        call_command(
            "survey_results",
            "--campaign",
            campaign.slug,
            "--scope",
            "national",
            "--scope",
            "network:*",
            "--format",
            "json",
            stdout=out,
        )
        return out.getvalue()

    regions = list(Region.objects.all())
    network_ids = list(
        Response.objects.filter(campaign=campaign, network__isnull=False)
        .values_list("network_id", flat=True)
        .distinct()
    )
    from monitoring.permissions import Scope
    from networks.models import Network

    networks = list(Network.objects.filter(pk__in=network_ids).select_related("deprov__region"))
    scopes = [Scope("national")] + [Scope("region", region=r) for r in regions]
    scopes += [Scope("network", region=n.deprov.region, network=n) for n in networks]

    def every_scope():
        results = campaign_results(campaign, use_cache=False)
        return [results.for_scope(scope) for scope in scopes]

    import json

    payload = json.loads(command())
    suppressed = sum(q["suppressed"] for d in payload for q in d["questions"])
    cells = sum(len(d["questions"]) for d in payload)
    # Interleaved rounds, so that every measure sees the same machine load.
    measures = {
        "plain": lambda: run_sql(plain_sql),
        "sets": lambda: run_sql(sets_sql),
        "command": command,
        "every_scope": every_scope,
    }
    times = {name: [] for name in measures}
    for round_number in range(6):
        for name, function in measures.items():
            started = time.perf_counter()
            function()
            if round_number:  # the first round warms up
                times[name].append(time.perf_counter() - started)
    figures = {name: (statistics.median(ts), ts) for name, ts in times.items()}
    figures["baseline"] = min(figures["plain"], figures["sets"], key=lambda f: f[0])
    figures.update(
        scopes=len(scopes),
        networks_in_output=len(payload) - 1,
        cells=cells,
        suppressed=suppressed,
        baseline_rows=len(run_sql(plain_sql)),
    )
    return figures


# --- submits under gunicorn ---------------------------------------------------------


def complete_answers(questions):
    answers = []
    for i, question in enumerate(questions):
        if question.kind == "likert5":
            answers.append((question.code, str(i % 5 + 1)))
        elif question.kind == "single":
            answers.append((question.code, "1"))
        elif question.kind == "multiple":
            answers += [(question.code, "1"), (question.code, "2")]
        elif question.kind == "number":
            answers.append((question.code, "6"))
        else:
            answers.append((question.code, "Comentario de prueba de carga."))
    return answers


def submit_all(tokens, answers, *, spread=0.0):
    """POST every token's questionnaire on its own connection: all at the
    same moment, or (with `spread` seconds) at evenly spaced moments in that
    window, in random order. Return [(status, milliseconds)], the time from
    opening the connection to the whole answer.

    The 200 respondents of a real burst are 200 other machines; here they
    share the server's 2 cores, so the client does as little as it can: each
    request is written out in full beforehand, and one thread opens the
    connections (non-blocking sockets and a selector), sends the bytes and
    reads each answer until the server closes the connection. Threads, one
    per respondent, cost the server's cores about twice as much."""
    csrf = secrets.token_hex(16)  # a 32-character CSRF secret, cookie and field alike
    body = urlencode([("csrfmiddlewaretoken", csrf), *answers]).encode()
    head = (
        "POST /monitoring/respond/{token}/ HTTP/1.1\r\n"
        f"Host: {HOST}:{PORT}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Cookie: csrftoken={csrf}\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    )
    requests = [head.format(token=token).encode() + body for token in tokens]
    offsets = [spread * i / len(tokens) for i in range(len(tokens))]
    random.Random(len(tokens)).shuffle(offsets)
    order = sorted(range(len(tokens)), key=offsets.__getitem__)
    results = [None] * len(tokens)
    selector = selectors.DefaultSelector()
    pending = {}  # socket -> [index, bytes left to send, answer so far, start]
    begun = time.perf_counter()
    done = 0
    while done < len(tokens):
        # Open the connections whose moment has come (all at once for a burst).
        now = time.perf_counter() - begun
        while order and offsets[order[0]] <= now:
            index = order.pop(0)
            conn = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            conn.setblocking(False)
            started = time.perf_counter()
            conn.connect_ex((HOST, PORT))
            pending[conn] = [index, memoryview(requests[index]), bytearray(), started]
            selector.register(conn, selectors.EVENT_WRITE)
        wait = offsets[order[0]] - now if order else 60
        for key, _events in selector.select(timeout=max(0.0, min(wait, 60))):
            conn = key.fileobj
            state = pending[conn]
            if state[1]:
                state[1] = state[1][conn.send(state[1]) :]
                if not state[1]:
                    selector.modify(conn, selectors.EVENT_READ)
                continue
            chunk = conn.recv(65536)
            if chunk:
                state[2] += chunk
                continue
            # The server closed the connection: the whole answer is in.
            selector.unregister(conn)
            conn.close()
            del pending[conn]
            index, _left, answer, started = state
            results[index] = (
                int(answer.split(b" ", 2)[1]),
                (time.perf_counter() - started) * 1000,
            )
            done += 1
    selector.close()
    return results


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def prepare_submit_campaign():
    """An open campaign over enough national networks for SUBMITS + 2 ×
    DOUBLES invitations; returns (campaign, tokens)."""
    from django.db.models import Count, Q

    from monitoring import services
    from monitoring.demo import _delete_campaign
    from monitoring.models import Campaign, Invitation
    from monitoring.services import instrument_questions
    from networks.models import Network
    from rme_platform.accounts.models import User

    for old in Campaign.objects.filter(slug__startswith="bench-submits"):
        Invitation.objects.filter(campaign=old).delete()
        _delete_campaign(old.slug)
    needed = IN_PROCESS_FROM + IN_PROCESS + WARMUP + 1
    networks, total = [], 0
    for network in (
        Network.objects.filter(code__startswith="RME-N")
        .annotate(n=Count("memberships", filter=Q(memberships__role="directivo")))
        .order_by("code")
    ):
        networks.append(network)
        total += network.n
        if total >= needed + 20:
            break
    admin = (
        User.objects.filter(is_superuser=True).first() or User.objects.filter(role="admin").first()
    )
    campaign = services.create_campaign(
        by=admin,
        slug=f"bench-submits-{int(time.time())}",
        name="Carga de envíos simultáneos",
        instrument=Campaign.objects.get(slug=CAMPAIGN).instrument,
        year=2025,
        target="networks",
        target_networks=networks,
    )
    services.open_campaign(by=admin, campaign=campaign, send=False)
    tokens = [i.token for i in Invitation.objects.filter(campaign=campaign).order_by("pk")]
    questions = instrument_questions(campaign.instrument)
    return campaign, tokens[:needed], complete_answers(questions)


def measure_in_process(tokens, answers):
    """The server's own time for one request, in this process through
    Django's whole handler (middleware included) with a test client: the
    answering page (GET), an autosave of half the answers and the submit of
    every answer, for each of `tokens` in turn (the first 5 warm up). CPU
    (time.process_time) is the robust figure on a shared machine; wall time
    includes waiting for PostgreSQL and for the CPU. Returns {name: (CPU
    median, wall median)} in milliseconds."""
    from django.test import Client, override_settings

    csrf = secrets.token_hex(16)
    full = urlencode([("csrfmiddlewaretoken", csrf), *answers])
    half = urlencode([("csrfmiddlewaretoken", csrf), *answers[: len(answers) // 2]])
    form = "application/x-www-form-urlencoded"
    client = Client(enforce_csrf_checks=True, HTTP_HOST=HOST)
    client.cookies["csrftoken"] = csrf
    times = {"page": [], "autosave": [], "submit": []}

    def timed(name, request, status, index):
        cpu, wall = time.process_time(), time.perf_counter()
        response = request()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        if response.status_code != status:
            raise RuntimeError(f"{name}: HTTP {response.status_code}, expected {status}")
        if index >= 5:
            times[name].append((cpu * 1000, wall * 1000))

    # Plain static storage: this process has not collected the static files.
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    from django.conf import settings

    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}):
        for index, token in enumerate(tokens):
            path = f"/monitoring/respond/{token}/"
            timed("page", lambda path=path: client.get(path), 200, index)
            timed(
                "autosave",
                lambda path=path: client.post(f"{path}save/", half, content_type=form),
                200,
                index,
            )
            timed(
                "submit",
                lambda path=path: client.post(path, full, content_type=form),
                302,
                index,
            )
    return {
        name: (statistics.median(c for c, _w in values), statistics.median(w for _c, w in values))
        for name, values in times.items()
    }


def machine_busy():
    """CPU seconds the whole machine has spent busy (every core, /proc/stat)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields[:8]) - idle) / benchlib.CLOCK_TICKS


def burst_cpu(server, database):
    """Where the machine's CPU goes: gunicorn, its PostgreSQL backends, this
    client (it sends the requests) and the whole machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "procs": benchlib.cpu_snapshot(server, database),
        "client": usage.ru_utime + usage.ru_stime,
        "machine": machine_busy(),
        "wall": time.perf_counter(),
    }


def cpu_delta(before, after, submits):
    """Milliseconds of CPU per submit, by process, and the wall time in ms."""
    used = benchlib.cpu_used(before["procs"], after["procs"])
    per = {name: seconds * 1000 / submits for name, seconds in used.items()}
    per["client"] = (after["client"] - before["client"]) * 1000 / submits
    per["machine"] = (after["machine"] - before["machine"]) * 1000 / submits
    per["wall"] = (after["wall"] - before["wall"]) * 1000
    return per


def run_submits(env, tmp):
    from django.db import connection

    from monitoring import services
    from monitoring.models import Answer, Draft, Response

    campaign, tokens, answers = prepare_submit_campaign()
    in_process = measure_in_process(tokens[IN_PROCESS_FROM : IN_PROCESS_FROM + IN_PROCESS], answers)
    print(f"in process (CPU, wall ms): {in_process}", flush=True)

    def stored():
        """Submits kept: written as responses, or submitted and held in their
        drafts until their batch (services.move_submitted)."""
        held = Draft.objects.filter(invitation__campaign=campaign, submitted=True).count()
        return Response.objects.filter(campaign=campaign).count() + held

    connection.close()
    benchlib.write_served_settings(tmp)
    env = {
        **env,
        "STATIC_ROOT": str(tmp / "static"),
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(tmp), os.environ.get("PYTHONPATH")])),
    }
    manage("collectstatic", "--noinput", "--verbosity", "0", env=env)
    log = (tmp / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "rme_platform.wsgi:application",
            "-w",
            str(WORKERS),
            "-b",
            f"{HOST}:{PORT}",
            "--backlog",
            "512",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        benchlib.wait_until_up(server, HOST, PORT, 120)
        # Warm every worker (imports, database connections) on other requests.
        for _ in range(WORKERS * 4):
            conn = http.client.HTTPConnection(HOST, PORT, timeout=10)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
        # Warm every worker's submit path (templates, the instrument's questions).
        warmup = tokens[-WARMUP:]
        submit_all(warmup, answers)
        # This machine's speed: the server CPU of a bare view with one query.
        floor = benchlib.floor_server_cpu(server, env["DATABASE_URL"], HOST, PORT)
        print(f"floor (bare view, one query): {floor:.2f} ms of server CPU", flush=True)
        # One at a time: what a submit costs without contention.
        before = burst_cpu(server, env["DATABASE_URL"])
        sequential = [
            submit_all([token], answers)[0]
            for token in tokens[SEQUENTIAL_FROM : SEQUENTIAL_FROM + SEQUENTIAL]
        ]
        sequential_used = cpu_delta(before, burst_cpu(server, env["DATABASE_URL"]), SEQUENTIAL)
        bursts = []
        for index in range(BURSTS):
            time.sleep(2)  # the previous burst's last moves and commits settle
            before, stored_before = burst_cpu(server, env["DATABASE_URL"]), stored()
            results = submit_all(tokens[index * SUBMITS : (index + 1) * SUBMITS], answers)
            used = cpu_delta(before, burst_cpu(server, env["DATABASE_URL"]), SUBMITS)
            bursts.append((results, stored() - stored_before, used))
        counts = [stored()]
        paced = submit_all(tokens[PACED_FROM:SEQUENTIAL_FROM], answers, spread=SPREAD_SECONDS)
        counts.append(stored())
        doubles = tokens[DOUBLES_FROM : DOUBLES_FROM + DOUBLES]
        pairs = submit_all([t for t in doubles for _ in range(2)], answers)
        counts.append(stored())
        services.move_submitted(campaign, final=True)  # the held rest, as a close does
        answers_stored = Answer.objects.filter(response__campaign=campaign).count()
        responses_stored = Response.objects.filter(campaign=campaign).count()
    except Exception:
        log.flush()
        print((tmp / "gunicorn.log").read_text()[-3000:], file=sys.stderr)
        raise
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        log.close()

    def summary(results):
        times = [ms for _status, ms in results]
        statuses = {}
        for status, _ms in results:
            statuses[status] = statuses.get(status, 0) + 1
        return {
            "statuses": statuses,
            "p50": percentile(times, 0.5),
            "p95": percentile(times, 0.95),
            "max": max(times),
        }

    return {
        "sequential": {**summary(sequential), "cpu": sequential_used},
        "bursts": [
            {**summary(results), "stored": kept, "cpu": used} for results, kept, used in bursts
        ],
        "paced": {**summary(paced), "stored": counts[1] - counts[0]},
        "doubles": {**summary(pairs), "stored": counts[2] - counts[1]},
        "answers_per_response": answers_stored / max(1, responses_stored),
        "in_process": in_process,
        "floor": floor,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    parser.add_argument("--skip-submits", action="store_true", help="results only")
    parser.add_argument(
        "--submits-only", action="store_true", help="submits only (no results measures)"
    )
    parser.add_argument("--reseed", action="store_true", help="seed the survey campaign again")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rme-bench-monitoring-") as tmp:
        return run(args, Path(tmp))


def run(args, tmp):
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    ensure_database(url)
    env = benchlib.production_env(
        url, ALLOWED_HOSTS=HOST, DJANGO_SETTINGS_MODULE="rme_platform.settings"
    )
    benchlib.start_django(env)

    from monitoring.demo import seed_national_monitoring
    from monitoring.models import Answer, Campaign, Response

    benchlib.ensure_national_networks(env)
    seeded = None
    if args.reseed or not Campaign.objects.filter(slug=CAMPAIGN).exists():
        print("Seeding the national survey campaign...", flush=True)
        started = time.perf_counter()
        seeded = seed_national_monitoring(slug=CAMPAIGN)
        seeded["seconds"] = time.perf_counter() - started
        print(seeded, flush=True)
    version = benchlib.analyze()
    campaign = Campaign.objects.select_related("instrument").get(slug=CAMPAIGN)
    responses = Response.objects.filter(campaign=campaign).count()
    answers = Answer.objects.filter(response__campaign=campaign).count()

    figures = None
    if not args.submits_only:
        figures = measure_results(campaign)
        base, command = figures["baseline"][0], figures["command"][0]
        every = figures["every_scope"][0]
        ratio = command / base
        print(
            f"hand-written SQL {figures['plain'][0] * 1000:.0f} ms (GROUPING SETS "
            f"{figures['sets'][0] * 1000:.0f} ms); survey_results national + "
            f"{figures['networks_in_output']} networks {command * 1000:.0f} ms ({ratio:.2f}×); "
            f"every scope ({figures['scopes']}) {every * 1000:.0f} ms",
            flush=True,
        )
    submits = None
    if not args.skip_submits:
        submits = run_submits(env, tmp)
        print(submits, flush=True)

    arch, cpus, cpu = machine()
    ok_results = figures is None or (command <= TARGET_RESULTS_S and ratio <= TARGET_RATIO)
    ok_every = figures is None or every <= TARGET_ALL_SCOPES_S
    ok_submits = submits is None or submits_within(submits, 1.0)
    title = "Survey submits" if figures is None else "Survey results and submits"
    report = [
        f"## {title}, national scale — {datetime.date.today().isoformat()}",
        "",
        f"- machine: `{arch}`, {cpus} CPUs, {cpu}; Python {platform.python_version()}",
        f"- database: PostgreSQL {version} at {urlsplit(url).hostname}:"
        f"{urlsplit(url).port or 5432} (`{urlsplit(url).path.lstrip('/')}`); campaign "
        f"`{CAMPAIGN}`: {responses:,} responses, {answers:,} answers, "
        f"{campaign.instrument.questions.count()} questions; ANALYZE before measuring",
    ]
    if seeded:
        report.append(
            f"- seeded in this run: {seeded['responses']:,} responses and {seeded['answers']:,} "
            f"answers in {seeded['seconds']:.1f} s (COPY)"
        )
    if figures is not None:
        report += results_rows(figures)
    if submits:
        report += submit_rows(submits)
    verdict = "within target" if ok_results and ok_every and ok_submits else "OVER TARGET"
    report += ["", f"Result: {verdict}."]
    if submits:
        factor = submits["floor"] / benchlib.REFERENCE_MS
        scaled = "within target" if submits_within(submits, factor) else "OVER TARGET"
        report.append(
            f"Submits scaled to this machine (its floor is {factor:.1f}× the reference; "
            f"targets × {factor:.1f}: median burst p95 ≤ {TARGET_BURST_P95_MS * factor:.0f} "
            f"ms, paced p95 ≤ {TARGET_P95_MS * factor:.0f} ms, one request ≤ "
            f"{TARGET_ONE_REQUEST_MS * factor:.0f} ms): {scaled}."
        )
    report.append("")
    text = "\n".join(report)
    print(text)
    if not args.no_record:
        with RESULTS.open("a") as handle:
            handle.write("\n" + text)
    return 0 if verdict == "within target" else 1


def results_rows(figures):
    command, every = figures["command"][0], figures["every_scope"][0]
    ratio = command / figures["baseline"][0]
    runs = ", ".join(f"{t * 1000:.0f}" for t in figures["command"][1])
    return [
        "",
        "| measure (median of 5 interleaved rounds after a warm-up, in process) | ms | target |",
        "|---|---|---|",
        f"| hand-written SQL: GROUP BY network, question, value ({figures['baseline_rows']:,} "
        f"rows) | {figures['plain'][0] * 1000:.0f} | — |",
        "| hand-written SQL: the same counts with GROUPING SETS (national and network) "
        f"| {figures['sets'][0] * 1000:.0f} | — |",
        f"| `survey_results --scope national --scope network:*` (national + "
        f"{figures['networks_in_output']} networks, {figures['cells']:,} cells, "
        f"{figures['suppressed']:,} suppressed; runs {runs}) | {command * 1000:.0f} "
        f"({ratio:.2f}× the faster hand-written query) | ≤ 2000 and ≤ 2× |",
        f"| every scope through CampaignResults ({figures['scopes']} scopes) | "
        f"{every * 1000:.0f} | ≤ 500 |",
    ]


def submits_within(submits, factor):
    """Whether the submits met their targets, the times multiplied by
    `factor` (1: as set; a machine's floor over the reference: scaled)."""
    return (
        all(burst["stored"] == SUBMITS for burst in submits["bursts"])
        and median_burst(submits["bursts"])["p95"] <= TARGET_BURST_P95_MS * factor
        and submits["paced"]["stored"] == SUBMITS
        and submits["paced"]["p95"] <= TARGET_P95_MS * factor
        and submits["doubles"]["stored"] == DOUBLES
        and submits["doubles"]["statuses"] == {302: DOUBLES, 409: DOUBLES}
        and all(
            cpu <= TARGET_ONE_REQUEST_MS * factor for cpu, _wall in submits["in_process"].values()
        )
    )


def median_burst(bursts):
    """The burst whose p95 is the median of the bursts'."""
    return sorted(bursts, key=lambda burst: burst["p95"])[len(bursts) // 2]


def submit_rows(submits):
    seq, bursts, paced, doubles = (submits[k] for k in ("sequential", "bursts", "paced", "doubles"))

    def row(case, figures, target):
        return (
            f"| {case} | {figures.get('stored', '—')} | {figures['statuses']} "
            f"| {figures['p50']:.0f} | {figures['p95']:.0f} | {figures['max']:.0f} | {target} |"
        )

    labels = {
        "page": "the answering page (GET, 40 questions)",
        "autosave": "an autosave (POST of 20 answers)",
        "submit": "a submit (POST of every answer)",
    }
    in_process = [
        f"| {labels[name]} | {cpu:.1f} | {wall:.1f} | ≤ {TARGET_ONE_REQUEST_MS:.0f} |"
        for name, (cpu, wall) in submits["in_process"].items()
    ]
    return [
        "",
        f"- one request, in process: Django's whole handler (middleware included) through a "
        f"test client, one invitation after another ({IN_PROCESS - 5} after 5 of warm-up); CPU "
        "(time.process_time) is the robust figure on a shared machine, wall includes waiting "
        "for PostgreSQL and for the CPU",
        "",
        "| request | CPU median (ms) | wall median (ms) | target (ms) |",
        "|---|---|---|---|",
        *in_process,
        "",
        f"- submits: gunicorn {WORKERS} sync workers, DEBUG=0, on the same 2 CPUs as "
        "PostgreSQL and the client; each respondent has its own invitation and connection "
        "(one client thread opens them all, each when it sends; time includes the "
        "connection), POSTing the complete "
        "questionnaire (40 questions, as the form sends it); 'paced' = 200 respondents who "
        "submit at evenly spaced "
        f"moments over {SPREAD_SECONDS:.0f} s (in random order); 'burst' = all 200 sent "
        f"at the same instant, {BURSTS} times (other invitations each time; "
        "the target is read on the median burst)",
        "",
        "| case | stored | HTTP statuses | p50 (ms) | p95 (ms) | max (ms) | target |",
        "|---|---|---|---|---|---|---|",
        row(f"{SEQUENTIAL} submits one after another", seq, "(cost of one submit)"),
        row(f"{SUBMITS} concurrent respondents, paced", paced, f"exactly {SUBMITS}, p95 ≤ 300"),
        *(
            row(
                f"{SUBMITS} submits at the same instant ({index} of {BURSTS})",
                burst,
                f"exactly {SUBMITS}, median p95 ≤ {TARGET_BURST_P95_MS:.0f}",
            )
            for index, burst in enumerate(bursts, start=1)
        ),
        row(
            f"{DOUBLES} invitations submitted twice at the same instant",
            doubles,
            f"exactly {DOUBLES}; the second answer 409",
        ),
        "",
        f"Median burst: p95 {median_burst(bursts)['p95']:.0f} ms.",
        "",
        f"- floor of this machine: a bare Django view with one query through gunicorn, "
        f"{submits['floor']:.2f} ms of server CPU per request (gunicorn and its PostgreSQL "
        f"backend, from /proc, over {benchlib.FLOOR_REQUESTS} requests); the targets were set "
        f"where it took ~{benchlib.REFERENCE_MS} ms: this machine is "
        f"{submits['floor'] / benchlib.REFERENCE_MS:.1f}× that",
        "",
        *cpu_rows(seq["cpu"], bursts),
    ]


def cpu_rows(sequential, bursts):
    """Where the CPU of a submit went (/proc), one at a time and in the bursts."""

    def row(case, cpu):
        other = cpu["machine"] - cpu["gunicorn"] - cpu["postgres"] - cpu["client"]
        return (
            f"| {case} | {cpu['gunicorn']:.2f} | {cpu['postgres']:.2f} | {cpu['client']:.2f} "
            f"| {other:.2f} | {cpu['machine']:.2f} |"
        )

    return [
        "CPU per submit (/proc: gunicorn's processes, their PostgreSQL backends, this "
        "client, and the whole machine's busy time; 'rest' is the kernel, "
        "PostgreSQL's WAL writer and anything else):",
        "",
        "| case | gunicorn (ms) | PostgreSQL (ms) | client (ms) | rest (ms) | machine (ms) |",
        "|---|---|---|---|---|---|",
        row(f"{SEQUENTIAL} one after another", sequential),
        *(
            row(f"{SUBMITS} at the same instant ({index} of {BURSTS})", burst["cpu"])
            for index, burst in enumerate(bursts, start=1)
        ),
        "",
        "A burst is bound by CPU: "
        + "; ".join(
            f"{SUBMITS} × {b['cpu']['machine']:.1f} ms on 2 cores is "
            f"{b['cpu']['machine'] * SUBMITS / 2:.0f} ms and the burst took {b['cpu']['wall']:.0f} "
            "ms from its first connection to its last answer"
            for b in bursts
        )
        + ".",
    ]


if __name__ == "__main__":
    sys.exit(main())
