"""Deployment defaults: docker-compose.yml ships no secret and is
HTTPS-only unless told LOCAL_HTTP=1; the settings are secure whenever
DEBUG is off; the placeholder secret of old compose files is refused."""

import json
import re
from pathlib import Path

import pytest
import yaml

from .test_operations import run_manage

ROOT = Path(__file__).resolve().parents[2]
SECURE = {
    "SECURE_SSL_REDIRECT": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "SECURE_HSTS_SECONDS": 31536000,
    "ACCOUNT_DEFAULT_HTTP_PROTOCOL": "https",
}
SECRET = "a-long-production-secret-key-with-entropy-0123456789-abcdefghijklmnop"


def interpolate(value, environ):
    """docker compose's ${VAR}, ${VAR:-default} and ${VAR:?message}."""

    def one(match):
        name, op, arg = match.group(1), match.group(2), match.group(3)
        given = environ.get(name, "")
        if op == ":?" and not given:
            raise LookupError(arg)
        return given or (arg if op == ":-" else "")

    return re.sub(r"\$\{(\w+)(?:(:-|:\?)([^}]*))?\}", one, str(value))


def compose_environment(environ):
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    raw = compose["services"]["web"]["environment"]
    return {k: interpolate(v, environ) for k, v in raw.items()}


def settings_under(env):
    names = [*SECURE, "ALLAUTH_TRUSTED_PROXY_COUNT", "MAX_REQUEST_BYTES"]
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))"
    )
    # Whatever the shell running the tests has set must not leak in.
    cleared = dict.fromkeys(("LOCAL_HTTP", *SECURE, "ALLAUTH_TRUSTED_PROXY_COUNT"), "")
    result = run_manage("shell", "-c", code, env={**cleared, **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_compose_refuses_to_start_without_a_secret_key():
    with pytest.raises(LookupError, match="set SECRET_KEY"):
        compose_environment({})
    assert "change-me" not in (ROOT / "docker-compose.yml").read_text()


def test_compose_defaults_are_https_only():
    env = compose_environment({"SECRET_KEY": SECRET})
    env = {k: v for k, v in env.items() if k not in {"DATABASE_URL", "REDIS_URL", "MEDIA_ROOT"}}
    assert settings_under(env) == {
        **SECURE,
        "ALLAUTH_TRUSTED_PROXY_COUNT": 0,
        "MAX_REQUEST_BYTES": 30 * 1024 * 1024,
    }


def test_local_http_turns_the_https_settings_off_and_proxy_count_is_read():
    env = compose_environment(
        {"SECRET_KEY": SECRET, "LOCAL_HTTP": "1", "ALLAUTH_TRUSTED_PROXY_COUNT": "1"}
    )
    env = {k: v for k, v in env.items() if k not in {"DATABASE_URL", "REDIS_URL", "MEDIA_ROOT"}}
    values = settings_under(env)
    assert values["SECURE_SSL_REDIRECT"] is False and values["SESSION_COOKIE_SECURE"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0
    assert values["ACCOUNT_DEFAULT_HTTP_PROTOCOL"] == "http"
    assert values["ALLAUTH_TRUSTED_PROXY_COUNT"] == 1


def test_settings_with_debug_off_and_no_opt_out_are_secure():
    values = settings_under({"DEBUG": "0", "SECRET_KEY": SECRET})
    assert {k: values[k] for k in SECURE} == SECURE


def test_the_old_compose_placeholder_secret_is_refused():
    placeholder = "change-me-to-a-long-random-string-before-any-real-use-0123456789"
    result = run_manage("check", "--deploy", env={"DEBUG": "0", "SECRET_KEY": placeholder})
    assert result.returncode != 0
    assert "placeholder" in result.stderr


def default_storage_under(env):
    code = (
        "import json; from django.conf import settings; "
        "print(json.dumps(settings.STORAGES['default']))"
    )
    storage_env = (
        "STORAGE_BACKEND",
        "AWS_STORAGE_BUCKET_NAME",
        "AWS_S3_ENDPOINT_URL",
        "AWS_S3_REGION_NAME",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_LOCATION",
        "AWS_DEFAULT_ACL",
        "AWS_S3_ADDRESSING_STYLE",
    )
    base = {"DEBUG": "0", "SECRET_KEY": SECRET, **dict.fromkeys(storage_env, "")}
    result = run_manage("shell", "-c", code, env={**base, **env})
    return result, (result.returncode == 0 and json.loads(result.stdout.splitlines()[-1]))


def test_compose_keeps_files_in_minios_private_bucket():
    env = compose_environment({"SECRET_KEY": SECRET})
    env = {k: v for k, v in env.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    result, storage = default_storage_under(env)
    assert result.returncode == 0, result.stderr
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert options["bucket_name"] == "rme"
    assert options["endpoint_url"] == "http://minio:9000"
    assert options["addressing_style"] == "path"
    # Private objects, no URL handed out (signed or not), nothing overwritten.
    assert options["default_acl"] == "private"
    assert options["querystring_auth"] is False
    assert options["file_overwrite"] is False
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert "minio" in compose["services"] and "minio-bucket" in compose["services"]
    for service in ("web", "worker", "beat"):
        assert "volumes" not in compose["services"][service]


def test_without_a_bucket_files_stay_on_the_filesystem_and_a_wrong_backend_is_refused():
    result, storage = default_storage_under({})
    assert storage == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    result, _storage = default_storage_under({"STORAGE_BACKEND": "s3"})
    assert result.returncode != 0 and "AWS_STORAGE_BUCKET_NAME" in result.stderr
    result, _storage = default_storage_under({"STORAGE_BACKEND": "ftp"})
    assert result.returncode != 0 and "STORAGE_BACKEND" in result.stderr
