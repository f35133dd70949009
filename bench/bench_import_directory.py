"""Benchmark: import the whole 2025 directory with `manage.py import_directory`.

    .venv/bin/python bench/bench_import_directory.py [--runs N]

The file is MINEDUC's "Directorio Oficial de Establecimientos 2025" (open
data), read from RME_DATA_DIR (default ../shared/data); the project ships no
copy. Times the command as a subprocess (Django start-up included) on PostgreSQL
(DATABASE_URL, default postgres://postgres@127.0.0.1:5432/rme_bench, created
and migrated if missing): first on empty school tables, then again with
nothing to change (the first import also creates the 346 comunas and 42
DEPROV from the file), then with a next-year file in which every school
changed (informative). Prints the figures and appends a dated section to
bench/RESULTS.md. Targets: first import <= 5 s, unchanged re-import <= 3 s.
"""

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from benchlib import ensure_database, machine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/rme_bench"
DATASET = "Directorio Oficial de Establecimientos 2025 (MINEDUC, datos abiertos)"
RESULTS = ROOT / "bench" / "RESULTS.md"
TARGET_FIRST, TARGET_UNCHANGED = 5.0, 3.0


def setup_django(url):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rme_platform.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-secret")
    import django

    django.setup()
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        sys.exit("This benchmark needs PostgreSQL: set DATABASE_URL=postgres://...")
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def empty_school_tables():
    from django.db import connection

    from schools.models import Comuna, Deprov, PerformanceCategory, School, Sostenedor

    models = (PerformanceCategory, School, Sostenedor, Comuna, Deprov)
    tables = [m._meta.db_table for m in models]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")  # noqa: S608 - model tables


def write_next_year(path):
    """The 2025 file as a 2026 one in which every school's enrollment changed:
    the usual shape of a yearly update."""
    lines = directory_path().read_bytes().decode("utf-8-sig").split("\r\n")
    header = lines[0].split(";")
    year, enrollment = header.index("AGNO"), header.index("MAT_TOTAL")
    out = [lines[0]]
    for line in filter(None, lines[1:]):
        fields = line.split(";")
        fields[year] = "2026"
        fields[enrollment] = str(int(fields[enrollment]) + 1)
        out.append(";".join(fields))
    path.write_bytes(("\r\n".join(out) + "\r\n").encode("utf-8-sig"))
    return path


def directory_path():
    from schools.demo import DIRECTORY_FILE, official_file

    path = official_file(DIRECTORY_FILE)
    if path is None:
        sys.exit(f"Put {DIRECTORY_FILE} ({DATASET}) in RME_DATA_DIR and run again.")
    return path


def timed_import(path=None):
    """Run the command in a fresh process; return (seconds, stdout)."""
    path = path or directory_path()
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "manage.py", "import_directory", str(path)],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "0"},
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode:
        sys.exit(f"import_directory failed:\n{done.stdout}\n{done.stderr}")
    return elapsed, done.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each case (default 3)")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    ensure_database(url)
    setup_django(url)

    first, unchanged, next_year = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        newer = write_next_year(Path(tmp) / "directorio_2026.csv")
        for _ in range(args.runs):
            empty_school_tables()
            seconds, output = timed_import()
            assert "16768 creados" in output, output
            first.append(seconds)
            seconds, output = timed_import()
            assert "0 creados, 0 actualizados, 16768 sin cambios" in output, output
            unchanged.append(seconds)
            seconds, output = timed_import(newer)
            assert "0 creados, 16768 actualizados" in output, output
            next_year.append(seconds)

    arch, cpus, cpu = machine()
    median_first, median_unchanged = statistics.median(first), statistics.median(unchanged)
    verdict = (
        "within target"
        if median_first <= TARGET_FIRST and median_unchanged <= TARGET_UNCHANGED
        else "OVER TARGET"
    )

    def runs(values):
        return ", ".join(f"{v:.2f}" for v in values)

    report = [
        f"## import_directory, full 2025 directory — {datetime.date.today().isoformat()}",
        "",
        f"- machine: `{arch}`, {cpus} CPUs, {cpu}; Python {platform.python_version()}",
        f"- database: PostgreSQL at {urlsplit(url).hostname}:{urlsplit(url).port or 5432}",
        f"- file: {DATASET} (16,768 rows, from RME_DATA_DIR); command run as a subprocess, "
        "start-up included; the first import also creates the 346 comunas and 42 DEPROV",
        "",
        "| case | median (s) | runs (s) | target (s) |",
        "|---|---|---|---|",
        f"| first import, empty tables | {median_first:.2f} | {runs(first)} | {TARGET_FIRST:.0f} |",
        f"| re-import, nothing changes | {median_unchanged:.2f} | {runs(unchanged)} "
        f"| {TARGET_UNCHANGED:.0f} |",
        f"| next year, every enrollment changed | {statistics.median(next_year):.2f} "
        f"| {runs(next_year)} | — |",
        "",
        f"Result: {verdict}.",
        "",
    ]
    print("\n".join(report))
    header = "\n" if RESULTS.exists() else "# Benchmark results\n\n"
    with RESULTS.open("a", encoding="utf-8") as f:
        f.write(header + "\n".join(report))
    print(f"Appended to {RESULTS.relative_to(ROOT)}")
    return 0 if verdict == "within target" else 1


if __name__ == "__main__":
    sys.exit(main())
