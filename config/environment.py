"""The environment each profile needs: the deployment contract as data.

docs/configuration.md explains every variable. Compose (``deploy/compose/``), the Helm
chart (``deploy/helm/tourism/``) and the local services runner provide ``required(profile)``
to each process of that profile, taking ``SECRETS`` from a secret store (never a
ConfigMap). ``TUNING`` variables have defaults that suit every deployment.

``tests/deploy/test_parity.py`` checks both directions: the settings read nothing that is
not listed here, and every deployment provides what is. A new ``env.*()`` read in
``config/settings/`` goes into one of these lists.
"""

APPS = ("catalog", "bookings", "payments", "notifications")
PROFILES = ("monolith", *APPS)

COMMON = frozenset(
    {
        "DJANGO_SETTINGS_MODULE",
        "DJANGO_SECRET_KEY",
        "DJANGO_DEBUG",
        "DJANGO_ALLOWED_HOSTS",
        "DJANGO_CSRF_TRUSTED_ORIGINS",
        "DJANGO_SECURE_SSL_REDIRECT",
        "DATABASE_URL",
        "CELERY_BROKER_URL",
        "CACHE_URL",
        "SERVICE_TOKEN",
        "EMAIL_URL",
        "PUBLIC_BASE_URL",
    }
)
PAYMENTS = frozenset({"PAYMENT_GATEWAY", "PAYMENT_GATEWAY_API_KEY"})
SECRETS = frozenset(
    {
        "DJANGO_SECRET_KEY",
        "SERVICE_TOKEN",
        "DATABASE_URL",
        "IDENTITY_DATABASE_URL",
        "CELERY_BROKER_URL",
        "CACHE_URL",  # redis://:password@host:6379/0
        "EMAIL_URL",  # smtp://user:password@host
        "PAYMENT_GATEWAY_API_KEY",
    }
)
TUNING = frozenset(
    {
        "DJANGO_SECURE_HSTS_SECONDS",
        "DJANGO_LOG_LEVEL",
        "DJANGO_STATIC_ROOT",
        "DJANGO_DEFAULT_FROM_EMAIL",
        "DATABASE_POOL_MIN_SIZE",
        "DATABASE_POOL_MAX_SIZE",
        "DATABASE_POOL_TIMEOUT",
        "DATABASE_CONNECT_TIMEOUT",
        "SERVICE_TIMEOUT_SECONDS",
        "PAYMENT_GATEWAY_CONNECT_TIMEOUT_SECONDS",
        "PAYMENT_GATEWAY_READ_TIMEOUT_SECONDS",
        "CELERY_QUEUE_PREFIX",
        "TASK_MAX_RETRIES",
        "TASK_RETRY_BACKOFF_SECONDS",
        "OUTBOX_SWEEP_SECONDS",
        "OUTBOX_RETENTION_DAYS",
        "BOOKING_HOLD_MINUTES",
        "REQUEST_LEASE_SECONDS",
        "IDEMPOTENCY_KEY_RETENTION_HOURS",
        "SEAT_HOLD_MAX_MINUTES",
        "THROTTLE_RATES",
        "LOGIN_FAILURE_LIMIT",
        "LOGIN_LOCKOUT_MINUTES",
        # read by config/gunicorn.py
        "HOST",
        "PORT",
        "FORWARDED_ALLOW_IPS",
        "GUNICORN_WORKER_TMP_DIR",
        "WEB_CONCURRENCY",
        "GUNICORN_THREADS",
        "GUNICORN_TIMEOUT",
    }
)


# The processes each profile runs besides its web server (the monolith runs all of them).
# Catalog and bookings have periodic tasks (beat, executed by their own worker); bookings
# writes outbox events (relay); notifications consumes them (worker).
PROCESSES = {
    "catalog": ("web", "worker", "beat"),
    "bookings": ("web", "worker", "beat", "relay"),
    "payments": ("web",),
    "notifications": ("web", "worker"),
    "monolith": ("web", "worker", "beat", "relay"),
}


def service_url(app: str) -> str:
    return f"{app.upper()}_SERVICE_URL"


def required(profile: str) -> frozenset[str]:
    """What a process of ``profile`` must be given. A service gets the shared identity
    database and the URL of every other app; the monolith has one database and no peers."""
    if profile == "monolith":
        return COMMON | PAYMENTS
    peers = {service_url(app) for app in APPS if app != profile}
    payments = PAYMENTS if profile == "payments" else frozenset()
    return COMMON | payments | {"IDENTITY_DATABASE_URL"} | peers
