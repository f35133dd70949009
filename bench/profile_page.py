"""Profile one page as bench_pages.py measures it: in process, signed in as
one of its realistic users, on its national-scale database.

    .venv/bin/python bench/profile_page.py --as directivo '/networks/{network}/pme-panel/'
    .venv/bin/python bench/profile_page.py --as supervisor /pme/ --time-only --n 40

Prints the queries of one request (with their time), the median CPU of
`--n` requests (time.process_time, after 5 warm-up ones) and, unless
`--time-only`, a cProfile of those requests (`--sort`, `--top`). Use
`--time-only` alternately on the code before and after a change to compare
them on a shared machine.

Users (bench_pages.pick_targets): supervisor, directivo, 'sostenedor rep',
analyst, admin, respondent. The path may name bench_pages' objects:
{network} {school} {meeting} {plan} {action} {practice} {campaign}
{invitation}. The database is PAGES_BENCH_DATABASE_URL's (default
rme_bench_pages, which bench_pages.py creates and seeds) or `--db NAME`.
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

import benchlib

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/rme_bench_pages"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--as", dest="who", default="directivo", help="whose page (directivo)")
    parser.add_argument("--db", help="database name on the same server (default rme_bench_pages)")
    parser.add_argument("--n", type=int, default=30, help="requests measured (30)")
    parser.add_argument("--sort", default="cumulative", help="cProfile order (cumulative)")
    parser.add_argument("--top", type=int, default=45, help="cProfile lines (45)")
    parser.add_argument("--time-only", action="store_true", help="no queries and no profile")
    args = parser.parse_args()
    url = os.environ.get("PAGES_BENCH_DATABASE_URL", DEFAULT_URL)
    if args.db:
        url = url.rsplit("/", 1)[0] + "/" + args.db
    benchlib.setup_django(url, Path(tempfile.mkdtemp()), "profile_page_settings")

    import bench_pages

    t = bench_pages.pick_targets()

    def pk(name):
        return t[name].pk if t.get(name) else 0

    path = args.path.format(
        network=t["network"].code,
        school=t["school"].rbd,
        meeting=pk("meeting"),
        plan=pk("plan"),
        action=pk("action"),
        practice=pk("practice"),
        campaign=t["results_campaign"].slug if t["results_campaign"] else "",
        invitation=t["invitation"].token if t["invitation"] else "",
    )
    client = benchlib.signed_in_client(t["users"][args.who])
    queries, size, cpu = bench_pages.measure_in_process(client, path, args.n)
    print(
        f"{path} as {args.who}: {len(queries)} queries, {size:,} bytes, "
        f"CPU p50 {statistics.median(cpu):.1f} ms, min {min(cpu):.1f} ms"
    )
    if args.time_only:
        return
    for query in queries:
        print(f"  [{query['time']} s] {query['sql'][:300]}")
    profiler = cProfile.Profile(time.process_time)  # CPU of this process only
    profiler.enable()
    for _ in range(args.n):
        client.get(path, **bench_pages.client_headers(path))
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats(args.sort)
    stats.print_stats(args.top)
    if os.environ.get("CALLEES"):
        stats.print_callees(os.environ["CALLEES"])
    print(out.getvalue())


if __name__ == "__main__":
    main()
