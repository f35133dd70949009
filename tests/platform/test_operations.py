import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_healthz_reports_database_and_eager_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body.pop("cache") in ("local", "ok")  # "ok" with CACHE_REDIS_URL
    assert body == {"database": "ok", "broker": "eager", "outbox_waiting": 0}


@pytest.mark.django_db
@pytest.mark.redis
def test_healthz_reports_the_real_broker(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = os.environ["REDIS_URL"]
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["broker"] == "ok"


@pytest.mark.django_db
def test_healthz_names_what_is_down(client, settings):
    """The site serves without a broker (work waits in the outbox), so a
    broker that is down is named but does not fail the health check."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok" and body["broker"].startswith("down")


def test_every_response_carries_a_request_id(client, db):
    first = client.get("/healthz")
    second = client.get("/healthz", HTTP_X_REQUEST_ID="abcdef123456")
    assert len(first["X-Request-ID"]) == 32
    assert second["X-Request-ID"] == "abcdef123456"


def test_log_lines_are_json_with_the_request_id(client, db, caplog):
    client.get("/no-such-page/", HTTP_X_REQUEST_ID="req-4242-test")
    record = next(r for r in caplog.records if r.name == "django.request")
    handler = next(h for h in logging.getLogger().handlers if getattr(h, "filters", None))
    for log_filter in handler.filters:
        log_filter.filter(record)
    line = json.loads(handler.format(record))
    assert line["level"] == "WARNING" and line["logger"] == "django.request"
    assert line["request_id"] == "req-4242-test"
    assert "Not Found" in line["message"]


def run_manage(*args, env):
    private = {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base = {k: v for k, v in os.environ.items() if k not in private}
    base.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=base, capture_output=True, text=True
    )


def test_check_deploy_passes_with_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DEBUG": "0",
            "SECRET_KEY": "x" * 20 + "a-long-production-secret-key-with-entropy-0123456789",
            "ALLOWED_HOSTS": "rme.mineduc.cl",
            "CSRF_TRUSTED_ORIGINS": "https://rme.mineduc.cl",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_start_fails_without_secret_key_when_debug_is_off():
    result = run_manage("check", env={"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_compose_file_wires_the_services_to_real_commands():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    assert "gunicorn rme_platform.wsgi" in " ".join(services["web"]["command"])
    assert "worker" in services["worker"]["command"] and "beat" in services["beat"]["command"]
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["REDIS_URL"].startswith("redis://")
    assert (ROOT / "Dockerfile").exists()
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install" in dockerfile and "collectstatic" in dockerfile
    # The commands name modules that exist in the project.
    import rme_platform.celery  # noqa: F401
    import rme_platform.wsgi  # noqa: F401

    for name in ("worker", "beat"):
        assert "-A rme_platform" in " ".join(services[name]["command"])


def test_makefile_offers_the_documented_targets():
    makefile = (ROOT / "Makefile").read_text()
    for target in ("run:", "test:", "worker:", "bench:"):
        assert f"\n{target}" in makefile
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme


def test_collectstatic_with_the_production_storage(tmp_path):
    """With DEBUG off, static files are served by whitenoise from a manifest:
    every vendored file must be collectable (no dangling source maps)."""
    result = run_manage(
        "collectstatic",
        "--noinput",
        env={"DEBUG": "0", "SECRET_KEY": "s" * 60, "STATIC_ROOT": str(tmp_path / "static")},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = (tmp_path / "static" / "staticfiles.json").read_text()
    assert "vendor/bootstrap/bootstrap.min.css" in manifest
    assert "vendor/htmx/htmx.min.js" in manifest


@pytest.mark.django_db
def test_a_malformed_session_cookie_is_ignored(client):
    client.cookies["sessionid"] = "0\x00\x80bad"
    assert client.get("/api/v1/me/").status_code in {401, 403}
    assert client.get("/").status_code == 302
