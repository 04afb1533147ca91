"""The apps, the processes each profile runs, and the environment each needs: the
deployment contract as data.

``APPS`` is the one list of project apps: the settings profiles, the Makefile and the tests
derive theirs from it, and each app declares how it runs in ``apps/<app>/wiring.py``
(``kernel/wiring.py``). ``process(profile, kind)`` is the one description of a process:
its command, the environment it must be given and its concurrency.

docs/configuration.md explains every variable. Compose (``deploy/compose/``), the Helm
chart (``deploy/helm/tourism/``) and the local services runner provide ``required(profile)``
to each process of that profile (``required("monolith", remote)`` to the monolith of a
hybrid, whose ``REMOTE_APPS`` their own processes serve), taking ``SECRETS`` from a secret
store (never a ConfigMap). ``TUNING`` variables have defaults that suit every deployment.

``tests/deploy/test_parity.py`` checks both directions: the settings read nothing that is
not listed here, and every deployment provides what is, and runs each process with its
command and concurrency. A new ``env.*()`` read in ``config/settings/`` goes into one of
these lists.
"""

from dataclasses import dataclass
from functools import cache
from importlib import import_module

from kernel.wiring import Wiring

APPS = ("catalog", "bookings", "payments", "notifications")
PROFILES = ("monolith", *APPS)


@cache
def wiring(app: str) -> Wiring:
    return import_module(f"apps.{app}.wiring").WIRING


def installs(profile: str, remote: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The apps a profile runs: every app in the monolith but its ``remote`` ones (a
    hybrid), its own app in a service."""
    if profile != "monolith":
        return (profile,)
    return tuple(app for app in APPS if app not in remote)


def remote_apps(value: str) -> tuple[str, ...]:
    """The apps that ``REMOTE_APPS`` (comma-separated, read by the monolith only) names:
    served by their own processes, called over HTTP. Raises ValueError for a name that is
    no app, or when it names every app (then run services mode)."""
    names = tuple(dict.fromkeys(name.strip() for name in value.split(",") if name.strip()))
    unknown = [name for name in names if name not in APPS]
    if unknown:
        raise ValueError(
            f"REMOTE_APPS names no app: {', '.join(unknown)} (the apps: {', '.join(APPS)})"
        )
    if set(names) == set(APPS):
        raise ValueError(
            "REMOTE_APPS names every app: the monolith would serve none (run services mode)"
        )
    return tuple(app for app in APPS if app in names)


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
        "DJANGO_STOREFRONT_ROOT",
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
        "METRICS_PORT",
        "DJANGO_LOG_FORMAT",
        # traces (kernel/tracing.py): the collector, the SDK's sampler, a span per query
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_TRACES_SAMPLER",
        "OTEL_TRACES_SAMPLER_ARG",
        "TRACE_QUERIES",
        # read by config/gunicorn.py
        "HOST",
        "PORT",
        "FORWARDED_ALLOW_IPS",
        "GUNICORN_WORKER_TMP_DIR",
        "WEB_CONCURRENCY",
        "GUNICORN_THREADS",
        "GUNICORN_TIMEOUT",
        # read by the settings: Celery's worker_concurrency
        "CELERY_WORKER_CONCURRENCY",
    }
)


BEAT_STATE = "/tmp/celerybeat-schedule"  # noqa: S108 - beat's state, in its own container

# The command of each kind of process: one image, the command picks the process.
COMMANDS = {
    "web": ("gunicorn", "-c", "config/gunicorn.py", "config.wsgi"),
    "worker": ("celery", "-A", "config", "worker", "-l", "INFO"),
    "beat": ("celery", "-A", "config", "beat", "-l", "INFO", "--schedule", BEAT_STATE),
    "relay": ("python", "manage.py", "outbox_relay"),
}
# gunicorn workers of every web process; threads per worker come from the app's wiring
# (the monolith calls its apps in process: one thread; in a hybrid, its apps' as services,
# for they wait on the remote ones). WEB_CONCURRENCY and
# GUNICORN_THREADS override them for one deployment (config/gunicorn.py).
WEB_WORKERS = 2
# Celery worker processes (prefork) of every worker process: the settings'
# CELERY_WORKER_CONCURRENCY, which the variable of that name overrides for one deployment.
WORKER_CONCURRENCY = 2


@dataclass(frozen=True)
class Process:
    profile: str
    kind: str  # a key of COMMANDS
    argv: tuple[str, ...]
    env: frozenset[str]  # the variables it must be given: required(profile)
    workers: int | None = None  # gunicorn's workers, or a Celery worker's processes
    threads: int | None = None  # gunicorn's threads per worker


def service_url(app: str) -> str:
    return f"{app.upper()}_SERVICE_URL"


def required(profile: str, remote: tuple[str, ...] = ()) -> frozenset[str]:
    """What a process of ``profile`` must be given. A service gets the shared identity
    database and the URL of every other app; the monolith has one database and no peers.
    In a hybrid (``remote`` apps) the monolith is given what it always is, plus
    ``REMOTE_APPS`` and where every app is served (it reads what its installed apps and
    its remote apps' URLs need): one shape at every step, so a step changes values, never
    which variables a deployment provides. A service next to a hybrid monolith needs
    nothing more: its identity database is the monolith's, and its peers' URLs point at
    the monolith for the apps it serves."""
    own = frozenset().union(*(wiring(app).env for app in installs(profile)))
    if profile != "monolith":
        peers = {service_url(app) for app in APPS if app != profile}
        return COMMON | own | {"IDENTITY_DATABASE_URL"} | peers
    if remote:
        return COMMON | own | {"REMOTE_APPS"} | {service_url(app) for app in APPS}
    return COMMON | own


def known() -> frozenset[str]:
    """Every variable some process may be given: what any profile or hybrid requires, and
    tuning."""
    hybrid = required("monolith", remote=APPS[:1])  # the same for every remote
    return TUNING.union(hybrid, *(required(profile) for profile in PROFILES))


def process(profile: str, kind: str, remote: tuple[str, ...] = ()) -> Process:
    """How every deployment runs the ``kind`` process of ``profile`` (of the monolith
    with ``remote`` apps, in a hybrid)."""
    if kind not in processes(profile, remote):
        raise ValueError(f"the {profile} profile runs no {kind} process")
    concurrency = {}
    if kind == "web":
        # A hybrid monolith waits on its remote apps as a service waits on its peers.
        waits = installs(profile, remote) if profile in APPS or remote else ()
        threads = max((wiring(app).web_threads for app in waits), default=1)
        concurrency = {"workers": WEB_WORKERS, "threads": threads}
    if kind == "worker":
        concurrency = {"workers": WORKER_CONCURRENCY}
    return Process(profile, kind, COMMANDS[kind], required(profile, remote), **concurrency)


def processes(profile: str, remote: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The kinds of process a profile runs: those of every app it installs."""
    kinds = {kind for app in installs(profile, remote) for kind in wiring(app).processes}
    return tuple(kind for kind in COMMANDS if kind in kinds)


# The processes each profile runs (the monolith runs those of every app).
PROCESSES = {profile: processes(profile) for profile in PROFILES}
