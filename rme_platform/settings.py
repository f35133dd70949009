"""Settings for the RME Platform, configured by environment variables only.

The defaults are the embedded set-up a newcomer gets from `make run`: SQLite
under var/, Celery tasks run eagerly in process, email printed to the console,
media under var/media. Production sets DATABASE_URL, REDIS_URL, SECRET_KEY,
ALLOWED_HOSTS (and DEBUG=0, the default); on several hosts also object
storage (AWS_STORAGE_BUCKET_NAME and AWS_S3_ENDPOINT_URL, see "Static and
media files" below, and README, "Several hosts").
"""

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
# Where the official reference files are kept (MINEDUC's school directory,
# the Agencia de Calidad's performance categories): read by seed_demo, the
# real-file tests and the benchmarks; the project ships no copy of them.
# Default: ../shared/data beside the checkout when it exists, else unset
# (then the demo runs on a directory it generates).
_SHARED_DATA = BASE_DIR.parent / "shared" / "data"
RME_DATA_DIR = os.environ.get("RME_DATA_DIR") or (
    str(_SHARED_DATA) if _SHARED_DATA.is_dir() else ""
)


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
TESTING = "pytest" in sys.modules or (len(sys.argv) > 1 and sys.argv[1] == "test")
# HTTPS only (redirect, secure cookies, HSTS, https links in emails) unless
# DEBUG is on or LOCAL_HTTP=1 says this instance is tried over plain HTTP on
# one machine (docker compose on localhost); each security setting can still
# be set on its own.
HTTPS_ONLY = not (DEBUG or TESTING or env_bool("LOCAL_HTTP", False))

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-development-key-only-for-debug-and-tests"  # noqa: S105
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. Set DEBUG=1 for local development "
            "or export a long random SECRET_KEY."
        )
# The placeholder an old docker-compose.yml shipped as a fallback: long
# enough for `check --deploy`, and public.
if not (DEBUG or TESTING) and SECRET_KEY.startswith("change-me"):
    raise ImproperlyConfigured(
        "SECRET_KEY is the public placeholder from docker-compose.yml; export a long random "
        "SECRET_KEY of your own."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG or TESTING else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rme_platform.accounts",
    "rme_platform",
    "schools",
    "networks",
    "networks.meetings",
    "pme",
    "networks.practices",
    "monitoring",
    "auditlog",
    "rme_platform.audit",
]

MIDDLEWARE = [
    "rme_platform.middleware.RequestIdMiddleware",
    # A body over MAX_REQUEST_BYTES is refused (413) before it is read.
    "rme_platform.request_limits.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Who changed what, from where (django-auditlog, for rme_platform.audit).
    "rme_platform.audit.middleware.AuditMiddleware",
    "rme_platform.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "rme_platform.accounts.middleware.RequireMFAMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "rme_platform.urls"
WSGI_APPLICATION = "rme_platform.wsgi.application"
ASGI_APPLICATION = "rme_platform.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "rme_platform.context_processors.platform",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 60))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Overlapping writes (survey autosaves while people answer) wait their
    # turn instead of failing with "database is locked": WAL lets readers go
    # on while one writes, a writing transaction takes the write lock when it
    # begins (a deferred one that reads first cannot wait for it), and a
    # writer waits up to 20 s for the lock.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=20,
        transaction_mode="IMMEDIATE",
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    )
    VAR_DIR.mkdir(parents=True, exist_ok=True)
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Short result sets (form choices, iterator()) are cheaper fetched at once
    # than through a server-side cursor's extra round trips.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker, result backend and cache ------------------------
REDIS_URL = env("REDIS_URL", "")


def _redis_db(url, db):
    """The same Redis server as `url`, database number `db`."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, parts.fragment))


# The cache lives in its own Redis database, so clearing it never touches
# queued Celery messages.
CACHE_REDIS_URL = env("CACHE_REDIS_URL") or (_redis_db(REDIS_URL, 1) if REDIS_URL else "")


def redis_cache(url):
    """The cache on Redis at `url`. While Redis is unreachable it answers as
    no cache (rme_platform/cache.py): pages render uncached, rate limits are
    not counted; short socket timeouts keep that quick."""
    return {
        "BACKEND": "rme_platform.cache.ResilientRedisCache",
        "LOCATION": url,
        "KEY_PREFIX": "rme",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
    }


if CACHE_REDIS_URL:
    CACHES = {"default": redis_cache(CACHE_REDIS_URL)}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
# Without a broker, these slow tasks run in a background thread of the web
# process (rme_platform/outbox.py) instead of inside the request that asked
# for them: building 8 PDF reports held "Preparar" 12-15 s. The tests run them
# inline unless a test says otherwise.
EAGER_BACKGROUND_TASKS = set(
    env_list("EAGER_BACKGROUND_TASKS", "" if TESTING else "monitoring.tasks.build_report")
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "America/Santiago"
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 600)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 540)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_EXPIRES = 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Work is published from the outbox (rme_platform/outbox.py): a publish that
# cannot reach the broker fails within seconds and is retried by the relay,
# instead of holding a request for Kombu's default retries (~19 s).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_TASK_PUBLISH_RETRY = False
# Every periodic task, here and nowhere else (a test checks each names a
# registered task). Times are America/Santiago (CELERY_TIMEZONE).
CELERY_BEAT_SCHEDULE = {
    # Every 30 s: work recorded in the outbox while the broker was down is sent.
    "platform-relay-outbox": {
        "task": "rme_platform.tasks.relay_outbox",
        "schedule": 30.0,
    },
    # Hourly at :15: meeting reminders 7 days and 1 day ahead go out within the hour due.
    "meetings-send-reminders": {
        "task": "networks.meetings.tasks.send_meeting_reminders",
        "schedule": crontab(minute=15),
    },
    # Daily 07:30: yesterday's comments on their practices, to authors who chose a digest.
    "practices-send-digests": {
        "task": "networks.practices.tasks.send_practice_digests",
        "schedule": crontab(hour=7, minute=30),
    },
    # Daily 00:15: survey campaigns past their closing date are closed.
    "monitoring-close-due-campaigns": {
        "task": "monitoring.tasks.close_due_campaigns",
        "schedule": crontab(hour=0, minute=15),
    },
    # Daily 09:00: survey reminders, so nobody gets more than one a day.
    "monitoring-scheduled-reminders": {
        "task": "monitoring.tasks.send_scheduled_reminders",
        "schedule": crontab(hour=9, minute=0),
    },
    # Every 10 min: submitted survey answers that a submit could not move are moved.
    "monitoring-move-submitted-responses": {
        "task": "monitoring.tasks.move_submitted_responses",
        "schedule": crontab(minute="*/10"),
    },
    # Every 5 min: PDF reports a killed worker left "running" are queued again.
    "monitoring-sweep-stale-reports": {
        "task": "monitoring.tasks.sweep_stale_reports",
        "schedule": crontab(minute="*/5"),
    },
    # Daily 03:30: the audit trail older than AUDIT_RETENTION_DAYS is deleted.
    "audit-purge-old-entries": {
        "task": "rme_platform.audit.tasks.purge_audit_trail",
        "schedule": crontab(hour=3, minute=30),
    },
}

# The practice library's covering index (INCLUDE columns) is a PostgreSQL
# feature; SQLite builds a plain index instead, which is all it needs.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# --- Authentication ---------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# Django's and allauth's, loading the user with whether they have a TOTP
# authenticator (the second-factor check on every request, no extra query).
AUTHENTICATION_BACKENDS = [
    "rme_platform.accounts.backends.ModelBackend",
    "rme_platform.accounts.backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Sessions are stored in the database and read through the cache; a cache
# that cannot be reached is skipped (rme_platform/sessions.py).
SESSION_ENGINE = "rme_platform.sessions"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_ADAPTER = "rme_platform.accounts.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[RME] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if HTTPS_ONLY else "http"
# Rate limits are allauth's own, kept in the cache (Redis in production; not
# counted while the cache is unreachable).
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "confirm_email": "1/3m/key",
}
MFA_ADAPTER = "rme_platform.accounts.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Plataforma RME"
INVITATION_VALID_DAYS = 7

# --- Internationalisation ---------------------------------------------------
LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Español")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# English times on the 24-hour clock, as everywhere else (rme_platform/formats).
FORMAT_MODULE_PATH = ["rme_platform.formats"]
TIME_ZONE = "America/Santiago"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "rme_language"

# --- Static and media files -------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", VAR_DIR / "media"))
# Uploaded files (attachments, PME evidence, directory imports) and built PDF
# reports go through Django's storage API only, never a path on one host. On
# one host they may live under MEDIA_ROOT ("filesystem", the default); web and
# workers on several hosts share S3-compatible object storage ("s3", the
# default once AWS_STORAGE_BUCKET_NAME is set): MinIO, AWS S3 or another.
# The bucket stays private: files are served only by views that check access
# first and stream them from the storage (rme_platform/files.py), never by a
# redirect to a public or signed URL, so no URL of a file is ever handed out.
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", "")
STORAGE_BACKEND = env("STORAGE_BACKEND", "") or ("s3" if AWS_STORAGE_BUCKET_NAME else "filesystem")
if STORAGE_BACKEND == "filesystem":
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif STORAGE_BACKEND == "s3":
    if not AWS_STORAGE_BUCKET_NAME:
        raise ImproperlyConfigured("STORAGE_BACKEND=s3 needs AWS_STORAGE_BUCKET_NAME.")
    AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", "") or None
    AWS_DEFAULT_ACL = env("AWS_DEFAULT_ACL") or "private"
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            # Empty: AWS itself; MinIO or another service: its URL.
            "endpoint_url": AWS_S3_ENDPOINT_URL,
            "region_name": env("AWS_S3_REGION_NAME", "") or None,
            # Unset: boto3's own chain (instance role, ~/.aws, AWS_* variables).
            "access_key": env("AWS_ACCESS_KEY_ID", "") or None,
            "secret_key": env("AWS_SECRET_ACCESS_KEY", "") or None,
            # Keys under this prefix of the bucket ("" for its root).
            "location": env("AWS_LOCATION") or "",
            # Objects are private; AWS_DEFAULT_ACL=none sends no ACL at all
            # (a bucket whose ACLs are disabled refuses one).
            "default_acl": None if AWS_DEFAULT_ACL == "none" else AWS_DEFAULT_ACL,
            "querystring_auth": False,
            "file_overwrite": False,
            # Bucket in the path (http://minio:9000/bucket/key): what MinIO
            # and most S3-compatible services expect; AWS takes either.
            "addressing_style": env("AWS_S3_ADDRESSING_STYLE")
            or ("path" if AWS_S3_ENDPOINT_URL else None),
            "signature_version": "s3v4",
            # A file read for a download is kept in memory up to this size,
            # then in a temporary file of the web process.
            "max_memory_size": env_int("AWS_S3_MAX_MEMORY_SIZE", 2 * 1024 * 1024),
        },
    }
else:
    raise ImproperlyConfigured(
        f"STORAGE_BACKEND must be filesystem or s3, not {STORAGE_BACKEND!r}."
    )
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Request size: a body whose Content-Length is over MAX_REQUEST_BYTES gets a
# 413 before anything reads it (the proxy in front should refuse it first:
# nginx `client_max_body_size 30m`). Uploaded files over
# FILE_UPLOAD_MAX_MEMORY_SIZE go to a temporary file, not memory; the other
# fields of a request may hold DATA_UPLOAD_MAX_MEMORY_SIZE in all.
MAX_REQUEST_BYTES = env_int("MAX_REQUEST_BYTES", 30 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FILES = 20

# --- Email ------------------------------------------------------------------
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if env("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Plataforma RME <no-responder@rme.mineduc.cl>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security (on by default whenever DEBUG is off, see HTTPS_ONLY) ----------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS_ONLY)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", HTTPS_ONLY)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", HTTPS_ONLY)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS_ONLY else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Behind N reverse proxies that each append to X-Forwarded-For, allauth takes
# the client's address from it for its rate limits (0: REMOTE_ADDR, which
# behind a proxy is the proxy's own and would limit everyone together).
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("ALLAUTH_TRUSTED_PROXY_COUNT", 0)

# --- Platform rules ---------------------------------------------------------
# No aggregate built on fewer answers than this is shown or exported.
MIN_CELL_SIZE = env_int("MIN_CELL_SIZE", 5)
# Audit trail (rme_platform.audit: sign-ins, second factor, tokens, invitations,
# role/position/membership/scope history, approvals, campaigns, raw downloads)
# is kept this many days, then purged by a daily task; 0 keeps it forever.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 730)
# Closing a campaign queues its PDF reports (when a broker is configured), on
# the Celery queue MONITORING_REPORTS_QUEUE if set (a worker for reports).
MONITORING_REPORTS_ON_CLOSE = env_bool("MONITORING_REPORTS_ON_CLOSE", True)
MONITORING_REPORTS_QUEUE = os.environ.get("MONITORING_REPORTS_QUEUE", "")

# --- API ----------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rme_platform.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rme_platform.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "EXCEPTION_HANDLER": "rme_platform.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "RME Platform API",
    "DESCRIPTION": "API v1 de la Plataforma de Redes de Mejoramiento Escolar.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Request bodies are documented as JSON only (the parsers still accept
    # forms): one content type per body is what generated clients can use.
    # The uploads that need multipart declare it on their view.
    "PARSER_WHITELIST": ["rest_framework.parsers.JSONParser"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "UserRoleEnum": "rme_platform.accounts.models.Role",
        "MembershipRoleEnum": "networks.models.MembershipRole",
        "NetworkStatusEnum": "networks.models.NetworkStatus",
        "PartnerKindEnum": "networks.models.PartnerKind",
        "SostenedorKindEnum": "schools.models.SostenedorKind",
        "SchoolStatusEnum": "schools.models.SchoolStatus",
        "ActionStatusEnum": "pme.models.ActionStatus",
    },
}

# --- Logging: JSON lines on stdout, each with the request id ---------------
LOG_LEVEL = env("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "rme_platform.middleware.RequestIdFilter"},
        # Paths become route names: a personal survey link is never logged.
        "route_only": {"()": "rme_platform.log_redaction.RouteOnlyFilter"},
    },
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
            "filters": ["route_only", "request_id"],
        },
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django.server": {"level": "INFO", "filters": ["route_only"]},
        "django.request": {"filters": ["route_only"]},
        "django.security.csrf": {"filters": ["route_only"]},
    },
}
