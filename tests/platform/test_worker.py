"""A real Celery worker process against Redis (and the test database)."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from rme_platform.tasks import count_users, ping
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]


def database_url():
    s = connection.settings_dict
    if s["ENGINE"] != "django.db.backends.postgresql":
        return os.environ.get("DATABASE_URL", "")
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def worker_queue(db, tmp_path):
    """Start `celery worker` on a private queue; stop it afterwards."""
    queue = f"rme-test-{uuid.uuid4().hex[:10]}"
    env = {**os.environ, "DATABASE_URL": database_url(), "DEBUG": "1"}
    celery = str(Path(sys.executable).with_name("celery"))
    log_path = tmp_path / "worker.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [
            celery,
            "-A",
            "rme_platform",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "-n",
            f"{queue}@%h",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield queue
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        print(log_path.read_text()[-3000:])  # shown by pytest when the test fails


@pytest.mark.worker
def test_a_task_round_trips_through_a_real_worker(worker_queue):
    start = time.monotonic()
    result = ping.apply_async(args=["hola"], queue=worker_queue)
    assert result.get(timeout=60) == "hola"
    assert time.monotonic() - start < 60


@pytest.mark.worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_worker_reads_the_same_database(worker_queue):
    UserFactory.create_batch(3)
    assert count_users.apply_async(queue=worker_queue).get(timeout=60) == 3
