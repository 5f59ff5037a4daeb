"""Settings for the clinic's appointment-request backend.

One module, every knob from the environment (see `.env.example`).

`DJANGO_ENV=development` (the default) gives defaults that just work on a
fresh machine: SQLite under `var/`, the embedded Redis that `make run`
starts, and emails written as files under `var/mail/`.

`DJANGO_ENV=production` has no default for anything secret or
site-specific; a missing variable stops start-up with a message naming it.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"DJANGO_ENV must be 'development' or 'production', not {DJANGO_ENV!r}.")
PRODUCTION = DJANGO_ENV == "production"
if not PRODUCTION:
    (VAR_DIR / "static").mkdir(parents=True, exist_ok=True)

_missing: list[str] = []


def _required(name: str, dev_default: str) -> str:
    """The variable's value; in production a missing one is collected and reported together."""
    if not PRODUCTION:
        return env.str(name, default=dev_default)
    value = env.str(name, default="")
    if not value:
        _missing.append(name)
    return value


SECRET_KEY = _required("SECRET_KEY", "django-insecure-development-only-key-never-use-in-production")
DEBUG = env.bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = [h.strip() for h in _required("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
DATABASE_URL = _required("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
REDIS_URL = _required("REDIS_URL", "redis://127.0.0.1:6390/0")
EMAIL_HOST = _required("EMAIL_HOST", "localhost")
DEFAULT_FROM_EMAIL = _required("DEFAULT_FROM_EMAIL", "Harbourview Spine & Sports Clinic <appointments@localhost>")
SITE_URL = _required("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

if _missing:
    raise ImproperlyConfigured(
        "DJANGO_ENV=production needs these environment variables, which are not set: "
        + ", ".join(_missing)
        + ". See .env.example for what each one means."
    )

# --- Applications -----------------------------------------------------------

INSTALLED_APPS = [
    "clinic.apps.ClinicAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "phonenumber_field",
    "simple_history",
    "axes",
    "csp",
    "articles",
    "requests_app",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "clinic.middleware.drop_malformed_session_cookie",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # A view that cannot reach the database answers 503 with Retry-After (process_exception only).
    "requests_app.database_down.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its own response.
    "axes.middleware.AxesMiddleware",
]
if not PRODUCTION:
    # Outside WhiteNoise, which serves static files plain from their folders here; in production it
    # serves the copies gzipped at collectstatic (and Caddy compresses the rest).
    MIDDLEWARE.insert(
        MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware"), "clinic.middleware.StaticGZipMiddleware"
    )

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "requests_app.context_processors.clinic",
            ],
        },
    },
]

# --- Data -------------------------------------------------------------------

DATABASES = {"default": env.db_url_config(DATABASE_URL)}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60 if PRODUCTION else 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so a real Celery worker process in the tests sees the test data.
    DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME", default=str(VAR_DIR / "test-db.sqlite3"))}
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            # WAL lets the web process read while the worker writes.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.str("TEST_DATABASE_NAME", default=""):
    # Two test runs at once on one server each need a test database of their own.
    DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that does not answer fails a connection in seconds, not at the TCP timeout (minutes),
    # and the request answers 503 (requests_app/database_down.py). Another value: DATABASE_URL's
    # `?connect_timeout=3` (psycopg waits at least 2 s).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def cache_config(url: str) -> dict:
    """The cache at `url`; on Redis, with timeouts, so a Redis that hangs costs a request a quarter second.

    Without them redis-py waits for an answer forever. Every use of the cache
    carries on without it (the rate limits let the request through, pages are
    rendered), so one that fails quickly is only slower. A Redis that answers
    does so in a millisecond; a quarter second leaves room for a slow moment.
    """
    config = env.cache_url_config(url)
    if config["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        config.setdefault("OPTIONS", {}).update(socket_connect_timeout=0.25, socket_timeout=0.25)
    return config


CACHE_URL = env.str("CACHE_URL", default="")
if CACHE_URL:
    CACHES = {"default": cache_config(CACHE_URL)}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "clinic"}}

# --- Internationalisation and time -----------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("CLINIC_TIME_ZONE", default="America/New_York")
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Auth, sessions and security -------------------------------------------

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
# Where a login lands when its `next=` is refused (another site, say): the admin, not a 404.
LOGIN_REDIRECT_URL = "admin:index"

# Staff sessions end after 15 idle minutes: every request pushes the expiry on.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=15 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "clinic.lockout.lockout_response"
# The same client address as the throttle and the IP hash.
AXES_CLIENT_IP_CALLABLE = "clinic.client_address.client_address"

# A claim on a callback with no activity by its holder for this long lapses back to the queue.
CALLBACK_CLAIM_LAPSE_MINUTES = env.int("CALLBACK_CLAIM_LAPSE_MINUTES", default=30)

# Who may tell the app the client's address (X-Forwarded-For): nobody by
# default, so the socket's address counts. Behind proxies, set one of these.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
TRUSTED_PROXY_NETWORKS = env.list("TRUSTED_PROXY_NETWORKS", default=[])

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # Behind a TLS-terminating proxy (the compose file's, or a load balancer).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Email ------------------------------------------------------------------

SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
if PRODUCTION or env.bool("EMAIL_USE_SMTP", default=False):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env.int("EMAIL_PORT", default=587)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
    EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
else:
    # One readable .eml file per message under var/mail/.
    EMAIL_BACKEND = "clinic.mail.EmlFileBackend"

# --- Celery -----------------------------------------------------------------

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
# Every task is idempotent, so a message is acknowledged only once its work is
# done, and a worker killed mid-task hands the message back to the queue.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=90)
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# Celery's own connections (the worker's, beat's) give up on a Redis that is
# down quickly; this app's publishes are bounded on their own (BROKER_PUBLISH_*).
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=0.5)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# The worker and beat look for a lost Redis every 1-3 s, not every 30 s (requests_app/worker.py, requests_app/beat.py).
CELERY_WORKER_CONSUMER = "requests_app.worker:PromptReconnectConsumer"
CELERY_BEAT_SCHEDULER = "requests_app.beat:PromptReconnectScheduler"
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Longer than any task can run (time limit above), so a slow task is
    # never handed to a second worker while the first still holds it.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    # How beat's producer retries a broker that does not answer: once, at
    # once, then it gives up until the entry's next tick.
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
    "socket_connect_timeout": 1,
    # Not shorter: a worker whose connection times out drops it and cancels
    # the tasks it is running, so a slow moment of Redis must not look like
    # a lost one. (Its BRPOP waits in a poll, not on this timeout.)
    "socket_timeout": 3,
    "retry_on_timeout": False,
    "max_connections": 20,
    "health_check_interval": 25,
}
# This app's own publishes (requests_app/services/broker.py: from the web after
# a commit, and from tasks) go through a pool of their own, where each step
# (taking a pooled producer, connecting, each answer from Redis) gives up after
# BROKER_PUBLISH_TIMEOUT, with no retry: a Redis that hangs costs a patient at
# most about twice that, and the outbox sends the request later. A Redis that
# answers does so in a millisecond. After a publish fails, the publishes of
# the next BROKER_CIRCUIT_OPEN_SECONDS in that process are left to the outbox
# without trying (a circuit breaker). The worker's and beat's own connections
# keep the options above.
BROKER_PUBLISH_TIMEOUT = env.float("BROKER_PUBLISH_TIMEOUT", default=0.5)
BROKER_CIRCUIT_OPEN_SECONDS = env.float("BROKER_CIRCUIT_OPEN_SECONDS", default=5.0)
CELERY_BEAT_SCHEDULE_FILENAME = env.str("CELERY_BEAT_SCHEDULE_FILENAME", default=str(VAR_DIR / "celerybeat-schedule"))
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "heartbeat": {"task": "requests_app.tasks.heartbeat", "schedule": 60.0},
    "republish-pipeline": {"task": "requests_app.tasks.republish_pipeline", "schedule": 10.0},
    "sweep-notifications": {"task": "requests_app.tasks.sweep_notifications", "schedule": 10.0},
    "escalate-overdue": {"task": "requests_app.tasks.escalate_overdue_callbacks", "schedule": 60.0},
    "release-lapsed-claims": {"task": "requests_app.tasks.release_lapsed_claims", "schedule": 60.0},
    "appointment-reminders": {"task": "requests_app.tasks.send_appointment_reminders", "schedule": 3600.0},
    "daily-digest": {"task": "requests_app.tasks.send_daily_digest", "schedule": crontab(hour=7, minute=0)},
    "retention": {"task": "requests_app.tasks.apply_retention", "schedule": crontab(hour=2, minute=30)},
}

# --- REST framework and API docs -------------------------------------------

REST_FRAMEWORK: dict[str, Any] = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["requests_app.api.parsers.StrictJSONParser"],
    "DEFAULT_THROTTLE_RATES": {
        "appointment_request": env.str("APPOINTMENT_REQUEST_RATE", default="20/hour"),
        "staff": env.str("STAFF_API_RATE", default="600/minute"),
    },
    "UNAUTHENTICATED_USER": None,
    # JSON only: `?format=` is not a switch (the queue refuses unknown parameters, the rest ignore them).
    "URL_FORMAT_OVERRIDE": None,
    # A database that cannot be reached is a 503 with Retry-After, as on every other page
    # (requests_app/database_down.py).
    "EXCEPTION_HANDLER": "requests_app.api.errors.exception_handler",
    # DRF's own get_ident believes any X-Forwarded-For when this is None; 0 means the socket
    # address. The throttles here use clinic.client_address, which honours TRUSTED_PROXY_*.
    "NUM_PROXIES": 0,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Harbourview Spine & Sports Clinic: appointment requests API",
    "DESCRIPTION": "Patients request an appointment; the front desk calls them back to schedule it.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # Served from this site, not a CDN: the pages work offline and under the CSP.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # One name for each choice set used by several fields (resolved lazily, by path).
    "ENUM_NAME_OVERRIDES": {
        "PriorityEnum": "requests_app.models.intake.Priority.choices",
        "ScreeningAnswerEnum": "requests_app.triage.screening.ANSWER_CHOICES",
        "AppointmentStatusEnum": "requests_app.models.appointments.AppointmentStatus.choices",
        "CallbackStatusEnum": "requests_app.models.callbacks.CallbackStatus.choices",
    },
}

# --- The clinic -------------------------------------------------------------

PHONENUMBER_DEFAULT_REGION = env.str("PHONE_DEFAULT_REGION", default="US")
PHONENUMBER_DB_FORMAT = "E164"
CLINIC = {
    "NAME": env.str("CLINIC_NAME", default="Harbourview Spine & Sports Clinic"),
    "PHONE": env.str("CLINIC_PHONE", default="(603) 555-0142"),
    "ADDRESS": env.str("CLINIC_ADDRESS", default="200 Harbour Street, Suite 4, Portsmouth, NH 03801"),
    "EMERGENCY_NUMBER": env.str("CLINIC_EMERGENCY_NUMBER", default="911"),
    # Weekday ranges in the clinic's time zone; days not listed are closed.
    "OPENING_HOURS": env.str("CLINIC_OPENING_HOURS", default="mon-fri 08:00-18:00; sat 09:00-13:00"),
    "HOLIDAYS_COUNTRY": env.str("CLINIC_HOLIDAYS_COUNTRY", default="US"),
    "HOLIDAYS_SUBDIVISION": env.str("CLINIC_HOLIDAYS_SUBDIVISION", default="NH"),
    "FRONT_DESK_EMAIL": env.str("CLINIC_FRONT_DESK_EMAIL", default="frontdesk@localhost"),
    "PRIVACY_NOTICE_VERSION": env.str("PRIVACY_NOTICE_VERSION", default="2026-11"),
}
# How long an appointment lasts: it must start and end inside the opening hours.
APPOINTMENT_MINUTES = env.int("APPOINTMENT_MINUTES", default=45)
if not 5 <= APPOINTMENT_MINUTES <= 8 * 60:
    raise ImproperlyConfigured(f"APPOINTMENT_MINUTES must be from 5 to 480, not {APPOINTMENT_MINUTES}.")
# Where an appointment can be: one place or several separated by ";" (the desk chooses one).
CLINIC_LOCATIONS = [
    place.strip() for place in env.str("CLINIC_LOCATIONS", default=CLINIC["ADDRESS"]).split(";") if place.strip()
]
if not CLINIC_LOCATIONS or any(len(place) > 200 for place in CLINIC_LOCATIONS):
    raise ImproperlyConfigured("CLINIC_LOCATIONS must name at least one place, each at most 200 characters.")
# Past versions are for reading: a revert would bypass the services and their checks.
SIMPLE_HISTORY_REVERT_DISABLED = True
RETENTION_MONTHS = env.int("RETENTION_MONTHS", default=24)
IP_HASH_SALT = env.str("IP_HASH_SALT", default="") or SECRET_KEY

# --- Logging: no personal data, ever ---------------------------------------

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django logs the request (with its POST body in some cases) on 4xx/5xx;
        # keep only warnings about the server itself.
        "django.request": {"level": "ERROR"},
        "django.security": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
