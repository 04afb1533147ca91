"""Settings shared by every profile.

A profile module (``monolith``, ``catalog``, ...) starts with ``from .base import *`` and
says which project apps run in its process (``config.environment.installs``); what each
app brings (periodic tasks, outbox routes, rate limits) comes from its
``apps/<app>/wiring.py``. Everything that says *where* things are
(databases, broker, other services, secrets) comes from the environment, read here
through one ``env`` object. See docs/configuration.md for the whole contract.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from config import environment, logs

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

# --- Core -------------------------------------------------------------------------------

DEBUG = env.bool("DJANGO_DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="django-insecure-local-development-only")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off "
            "(set DJANGO_DEBUG=1 for local development)."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "DJANGO_ALLOWED_HOSTS is required when DJANGO_DEBUG is off "
            "(a comma-separated list of host names this site answers to)."
        )

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Applications -----------------------------------------------------------------------

DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]
THIRD_PARTY_APPS = [
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
]
PROJECT_APPS: list[str] = []  # each profile says which of apps.* run in this process


def project_apps(profile: str, remote: tuple[str, ...] = ()) -> list[str]:
    return [f"apps.{app}" for app in environment.installs(profile, remote)]


def platform_apps(project_apps: list[str]) -> list[str]:
    """INSTALLED_APPS for a profile: Django, the platform kernel, then its project apps."""
    return [*DJANGO_APPS, *THIRD_PARTY_APPS, "kernel", "kernel.outbox", *project_apps]


INSTALLED_APPS = platform_apps(PROJECT_APPS)

MIDDLEWARE = [
    "kernel.metrics.RequestMetricsMiddleware",  # outermost: times every answer
    "kernel.request_id.RequestIdMiddleware",
    "kernel.problems.DatabaseUnavailableMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # An ETag on every GET answer that has none, and 304 when the client already has it.
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "kernel.api_errors.ApiProblemMiddleware",  # innermost: the others see its problems
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kernel.context_processors.remote_admin_sections",
            ],
        },
    },
]

# --- Databases --------------------------------------------------------------------------
# PostgreSQL connections use psycopg 3's connection pool (Django's "pool" option):
# https://docs.djangoproject.com/en/5.2/ref/databases/#connection-pool
# CONN_HEALTH_CHECKS makes the pool check a connection before handing it out (one round
# trip, psycopg_pool's check_connection), so connections that died while the database
# restarted or while idle are replaced, not used:
# https://www.psycopg.org/psycopg3/docs/advanced/pool.html#connection-quality
# While the database is down, the pool retries a connection after 1, 2, 4, ... s: given up
# after RECONNECT_SECONDS, the next request that waits tries again at once, so the first
# request after an outage is not refused while the retry it would wait for is far off.
RECONNECT_SECONDS = 2.0


def database(url: str) -> dict:
    config = env.db_url_config(url)
    if config["ENGINE"] == "django.db.backends.postgresql":
        config["CONN_HEALTH_CHECKS"] = True
        config["OPTIONS"] = {
            "pool": {
                "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=1),
                "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=8),
                "timeout": env.float("DATABASE_POOL_TIMEOUT", default=5.0),
                "reconnect_timeout": RECONNECT_SECONDS,
            },
            "connect_timeout": env.int("DATABASE_CONNECT_TIMEOUT", default=3),
        }
    return config


DATABASE_URL = env.str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
IDENTITY_DATABASE_URL = env.str("IDENTITY_DATABASE_URL", default="") or DATABASE_URL

DATABASES = {"default": database(DATABASE_URL)}
if IDENTITY_DATABASE_URL != DATABASE_URL:
    # Services mode: users, groups, sessions, admin log and API tokens live in one shared
    # database so that one staff login works on every service's admin.
    DATABASES["identity"] = database(IDENTITY_DATABASE_URL)
    DATABASE_ROUTERS = ["kernel.routers.IdentityRouter"]

# --- Static files -----------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# The storefront's build, served by Django only under `make run` (kernel/storefront.py);
# empty everywhere else, where a web server serves it.
STOREFRONT_ROOT = env.str("DJANGO_STOREFRONT_ROOT", default="")

# --- Security ---------------------------------------------------------------------------
# TLS ends at the gateway (nginx or the Ingress), which sets X-Forwarded-Proto.

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
# Probes and service-to-service calls stay inside the cluster on plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^internal/"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
# Cookies are HTTPS-only where the site is: a deployment that serves plain HTTP (compose on
# a laptop) turns the redirect off, and logins must still work there.
SESSION_COOKIE_SECURE = SECURE_SSL_REDIRECT
CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
X_FRAME_OPTIONS = "DENY"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Services ---------------------------------------------------------------------------

# Shared secret that /internal/ endpoints require (header X-Service-Token).
SERVICE_TOKEN = env.str("SERVICE_TOKEN", default="")
# Where each app is served when it is not installed in this process.
SERVICE_URLS = {app: env.str(environment.service_url(app), default="") for app in environment.APPS}
SERVICE_TIMEOUT_SECONDS = env.float("SERVICE_TIMEOUT_SECONDS", default=3.0)
# Where customers reach the site (links in emails).
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
# How long seats stay held for an unpaid booking.
BOOKING_HOLD_MINUTES = env.int("BOOKING_HOLD_MINUTES", default=15)
# How long an unfinished request keeps its claim: a booking request its Idempotency-Key; a
# payment, cancellation or expiry its booking. A retry after that (its process died) takes
# over. Keep it above the longest request: 3 x SERVICE_TIMEOUT_SECONDS plus backoff.
REQUEST_LEASE_SECONDS = env.float("REQUEST_LEASE_SECONDS", default=30.0)
# How long the answers kept for Idempotency-Key replays are kept (then pruned hourly).
IDEMPOTENCY_KEY_RETENTION_HOURS = env.int("IDEMPOTENCY_KEY_RETENTION_HOURS", default=24)
# The catalog releases a hold nobody confirmed or released after this long (a safety net
# for holds whose booking was never recorded); keep it above BOOKING_HOLD_MINUTES.
SEAT_HOLD_MAX_MINUTES = env.int("SEAT_HOLD_MAX_MINUTES", default=30)

# --- Payment gateway --------------------------------------------------------------------
# "sandbox" (test tokens, no money moves) or the HTTP provider's base URL; the provider's
# API is in docs/payment-provider.md. Keep connect + read below SERVICE_TIMEOUT_SECONDS.

PAYMENT_GATEWAY = env.str("PAYMENT_GATEWAY", default="sandbox")
PAYMENT_GATEWAY_API_KEY = env.str("PAYMENT_GATEWAY_API_KEY", default="")
PAYMENT_GATEWAY_CONNECT_TIMEOUT_SECONDS = env.float(
    "PAYMENT_GATEWAY_CONNECT_TIMEOUT_SECONDS", default=1.0
)
PAYMENT_GATEWAY_READ_TIMEOUT_SECONDS = env.float(
    "PAYMENT_GATEWAY_READ_TIMEOUT_SECONDS", default=1.5
)

# --- Email ------------------------------------------------------------------------------

globals().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str(
    "DJANGO_DEFAULT_FROM_EMAIL", default="Tourism Booking <bookings@localhost>"
)
EMAIL_TIMEOUT = 10  # seconds; a stuck mail server fails the task, which then retries

# --- Celery -----------------------------------------------------------------------------
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
# No broker configured is the embedded default: tasks run in-process. The queues, routes,
# acknowledgement and dead-lettering are one story, told and built in
# kernel/outbox/queues.py.

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # the worker logs through LOGGING below, as JSON
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery logs through LOGGING below (the request id of each line) instead of its own setup.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Worker processes of a Celery worker: config/environment.py's table, or this deployment's.
CELERY_WORKER_CONCURRENCY = env.int(
    "CELERY_WORKER_CONCURRENCY", default=environment.WORKER_CONCURRENCY
)
CELERY_TASK_TIME_LIMIT = 60
CELERY_TASK_SOFT_TIME_LIMIT = 45
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publisher confirms: a publish returns only once RabbitMQ has taken the message.
CELERY_BROKER_TRANSPORT_OPTIONS = {"confirm_publish": True}
# Prepended to every queue and exchange name, so several deployments (or test runs) can
# share one RabbitMQ virtual host.
CELERY_QUEUE_PREFIX = env.str("CELERY_QUEUE_PREFIX", default="")
# Retries of a failing task: after 1, 2, 4, ... times this many seconds (at most 10 min),
# then its message is dead-lettered (kernel/outbox/queues.py).
TASK_MAX_RETRIES = env.int("TASK_MAX_RETRIES", default=5)
TASK_RETRY_BACKOFF_SECONDS = env.int("TASK_RETRY_BACKOFF_SECONDS", default=10)
# The platform's periodic tasks; an app adds its own in its wiring (beat_schedule), run by
# the beat of every profile that installs it.
CELERY_BEAT_SCHEDULE: dict = {
    "outbox-sweep": {"task": "outbox.sweep", "schedule": 30.0},
    "outbox-prune": {"task": "outbox.prune", "schedule": 3600.0},
}


def beat_schedule(profile: str, remote: tuple[str, ...] = ()) -> dict:
    schedule = dict(CELERY_BEAT_SCHEDULE)
    for app in environment.installs(profile, remote):
        schedule.update(environment.wiring(app).beat_schedule)
    return schedule


# --- Outbox -----------------------------------------------------------------------------
# Which consumers get which event: event type -> [(Celery task name, queue)], from what
# every app consumes (its wiring), installed here or not. A process publishes by name, so it
# never imports the consuming app. An event type with no route is marked published with
# nothing sent.


def outbox_routes() -> dict[str, list[tuple[str, str]]]:
    routes: dict[str, list[tuple[str, str]]] = {}
    for app in environment.APPS:
        for event_type, task in environment.wiring(app).consumes.items():
            routes.setdefault(event_type, []).append((task, app))  # on the app's own queue
    return routes


OUTBOX_ROUTES = outbox_routes()
# The relay wakes on PostgreSQL NOTIFY; it also sweeps for anything left this often (and
# polls this often on databases without NOTIFY).
OUTBOX_SWEEP_SECONDS = env.float("OUTBOX_SWEEP_SECONDS", default=2.0)
# Published events are kept this long (for inspection), then pruned hourly.
OUTBOX_RETENTION_DAYS = env.int("OUTBOX_RETENTION_DAYS", default=7)

# --- Abuse protection: rate limits and login lockout -------------------------------------
# Throttles count in the shared cache (CACHE_URL: Redis in every real deployment, so that
# every process counts together; the embedded default is this process's memory). Their
# rates are "<requests>/<second|minute|hour|day>" or "off"; THROTTLE_RATES overrides any
# of them, e.g. THROTTLE_RATES=holds=100/hour,anon=off, or turns all off with "off".
# docs/configuration.md explains them.
# https://www.django-rest-framework.org/api-guide/throttling/


def cache(url: str) -> dict:
    config = env.cache_url_config(url)
    # ?key_prefix= keeps deployments that share one Redis apart; django-environ 0.14 hands
    # it to Django's Redis backend in lower case, where Django reads KEY_PREFIX.
    if "key_prefix" in config:
        config["KEY_PREFIX"] = config.pop("key_prefix")
    return config


CACHES = {"default": cache(env.str("CACHE_URL", default="locmemcache://"))}
THROTTLE_CLASSES = ["kernel.throttling.AnonRateThrottle", "kernel.throttling.UserRateThrottle"]
THROTTLE_RATES: dict[str, str | None] = {
    "anon": "300/minute",  # every anonymous API request, per client address
    "user": "1200/minute",  # every signed-in (staff) API request, per user
    # the scopes of each app's views, from its wiring
    **{
        scope: rate
        for app in environment.APPS
        for scope, rate in environment.wiring(app).throttle_rates.items()
    },
}
if env.str("THROTTLE_RATES", default="") == "off":  # load tests and benchmarks
    THROTTLE_RATES = dict.fromkeys(THROTTLE_RATES)
else:
    THROTTLE_RATES |= {
        scope: None if rate == "off" else rate
        for scope, rate in env.dict("THROTTLE_RATES", default={}).items()
    }

# django-axes locks the admin login after LOGIN_FAILURE_LIMIT wrong passwords for one user
# name from one address, for LOGIN_LOCKOUT_MINUTES. It records attempts with identity (in
# the identity database), so every service's login counts together.
# https://django-axes.readthedocs.io/en/latest/4_configuration.html
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "kernel.throttling.client_address"
AXES_LOCKOUT_CALLABLE = "kernel.login_lockout.login_locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no banner in the output of every process and command

# --- Content-Security-Policy ------------------------------------------------------------
# Every page (the admin, the API docs) loads scripts, styles and images from this site
# only: no inline script anywhere (the docs page loads its setup script from a URL).
# Inline styles stay allowed: the admin and Swagger UI set style attributes.
# https://django-csp.readthedocs.io/en/latest/configuration.html

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- REST framework and OpenAPI ---------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["kernel.permissions.IsStaffOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "kernel.pagination.PageNumberPagination",
    "DEFAULT_FILTER_BACKENDS": ["kernel.filters.FilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "kernel.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "kernel.problems.exception_handler",
    "DEFAULT_PARSER_CLASSES": ["kernel.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": THROTTLE_CLASSES,
    "DEFAULT_THROTTLE_RATES": THROTTLE_RATES,
    # Every deployment puts one proxy in front of the web processes (the gateway or the
    # Ingress controller): the client is the address it appended to X-Forwarded-For.
    "NUM_PROXIES": 1,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tourism Booking API",
    "DESCRIPTION": "Browse tours, hold seats, pay and manage bookings.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/",
    # Each app's, from its wiring: choice values, so that every profile names them alike.
    "ENUM_NAME_OVERRIDES": {
        name: choices
        for app in environment.APPS
        for name, choices in environment.wiring(app).openapi_enums.items()
    },
}

# --- Metrics ----------------------------------------------------------------------------
# Web processes answer GET /metrics; a Celery worker, beat or outbox relay serves its metrics
# on this port when it is set (docs/observability.md).

METRICS_PORT = env.int("METRICS_PORT", default=0)

# --- Traces -----------------------------------------------------------------------------
# Spans go over OTLP/HTTP to this collector (http://collector:4318); empty: no tracing
# (kernel/tracing.py, docs/observability.md). The SDK reads OTEL_TRACES_SAMPLER and
# OTEL_TRACES_SAMPLER_ARG itself.

OTEL_EXPORTER_OTLP_ENDPOINT = env.str("OTEL_EXPORTER_OTLP_ENDPOINT", default="")
# A span per SQL statement (psycopg's instrumentation) besides each span's query count:
# for finding a slow statement; about a quarter more CPU per booking at full sampling.
TRACE_QUERIES = env.bool("TRACE_QUERIES", default=False)

# --- Logging ----------------------------------------------------------------------------
# One JSON object a line, or plain lines for people under DJANGO_DEBUG (make run):
# config/logs.py, docs/observability.md.

LOG_FORMAT = logs.log_format()

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "kernel.request_id.RequestIdLogFilter"},
        "trace": {"()": "kernel.tracing.TraceLogFilter"},  # trace_id, span_id of JSON lines
        "mask_tokens": {"()": "kernel.log_masking.MaskTokensFilter"},  # ?token= in URLs
    },
    "formatters": logs.FORMATTERS,
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "trace", "mask_tokens"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        # runserver's request lines (make run) through the same handler, so tokens are masked
        "django.server": {"handlers": ["console"], "propagate": False},
        # Django's lines once, in this format (not also through its own debug console)
        "django": {"handlers": ["console"], "propagate": False},
    },
}
