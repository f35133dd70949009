"""Run every benchmark in bench/ (files named bench_*.py), one after the other.

Each benchmark prints its figures and appends them, dated, to bench/RESULTS.md.
Usage: `make bench`, or `.venv/bin/python bench/run.py [name ...]` to pick some.
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(names):
    scripts = sorted(HERE.glob("bench_*.py"))
    if names:
        scripts = [s for s in scripts if any(n in s.stem for n in names)]
    if not scripts:
        print("No benchmark matched.")
        return 1
    failed = 0
    for script in scripts:
        print(f"==> {script.name}", flush=True)
        failed += subprocess.call([sys.executable, str(script)], cwd=HERE.parent) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
