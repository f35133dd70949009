"""The default set-up (`make run`) keeps its data in SQLite, and the survey
autosaves while people answer: overlapping saves must all succeed, not
answer 500 "database is locked" (WAL, a busy timeout and immediate
transactions: rme_platform/settings.py)."""

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).with_name("sqlite_autosaves.py")


def test_twenty_overlapping_autosaves_on_sqlite_all_succeed(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DEBUG": "1",
        "REDIS_URL": "",
        "CACHE_REDIS_URL": "",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    done = subprocess.run(
        [sys.executable, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["journal"] == "wal"
    assert summary["statuses"] == [200] * 20, summary["statuses"]
    assert summary["drafts"] == 20
