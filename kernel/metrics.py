"""Prometheus metrics of every process: what they count, and how they are scraped.

Web processes answer ``GET /metrics`` (never routed by the gateway or the Ingress:
docs/observability.md). Celery workers, beat and the outbox relay serve the same format on
``METRICS_PORT`` when it is set (off by default). Under gunicorn and in a Celery worker, every
forked worker writes its figures to a directory of the parent's
(``kernel/metrics_directory.py``); a scrape sums them.

Counters are bumped where the thing happens (``count_on_commit`` when it happens only if a
transaction commits). Figures that are state, not events (the outbox backlog, seats held,
dead letters), are read from the database or the broker when a web process is scraped: an
app adds its own with :func:`add_reading`.
"""

import functools
import logging
import os
import re
import time
from collections.abc import Callable, Iterable

from django.db import transaction
from django.http import HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from kernel.metrics_directory import VARIABLE as MULTIPROCESS_DIRECTORY

logger = logging.getLogger(__name__)

# --- requests (kernel.metrics.RequestMetricsMiddleware) -----------------------------------

REQUESTS = Counter(
    "tourism_http_requests",
    "HTTP requests answered, by route (the URL pattern), method and status code.",
    ["route", "method", "status"],
)
REQUEST_SECONDS = Histogram(
    "tourism_http_request_duration_seconds",
    "Time to answer an HTTP request, by route (the URL pattern) and method.",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)

# --- the business ----------------------------------------------------------------------


def _from_zero(counter: Counter, *series: tuple[str, ...]) -> Counter:
    """Export each known series at 0 before its first event: a rate over it is then right
    from the first event on, and every process exports the same names."""
    for label_values in series:
        counter.labels(*label_values)
    return counter


BOOKINGS = _from_zero(
    Counter(
        "tourism_bookings",
        "Booking transitions: created, confirmed, cancelled, expired.",
        ["transition"],
    ),
    *[(transition,) for transition in ("created", "confirmed", "cancelled", "expired")],
)
PAYMENT_GATEWAY_CALLS = _from_zero(
    Counter(
        "tourism_payment_gateway_calls",
        "Calls to the payment gateway by operation (charge, refund) and outcome "
        "(succeeded, declined, unavailable).",
        ["operation", "outcome"],
    ),
    *[("charge", outcome) for outcome in ("succeeded", "declined", "unavailable")],
    *[("refund", outcome) for outcome in ("succeeded", "unavailable")],
)
EMAIL_FAILURES = _from_zero(
    Counter(
        "tourism_email_failures",
        "Booking emails that failed; final=true: no retry follows (dead-lettered).",
        ["final"],
    ),
    ("false",),
    ("true",),
)
OUTBOX_PUBLISHED = Counter("tourism_outbox_published", "Outbox events handed to the broker.")
OUTBOX_PUBLISH_FAILURES = Counter(
    "tourism_outbox_publish_failures", "Outbox publishes that failed (the broker was away)."
)
TASKS = Counter(
    "tourism_tasks",
    "Celery tasks run, by task and outcome (succeeded, retried, failed).",
    ["task", "outcome"],
)


def count_on_commit(counter: Counter) -> None:
    """Count once the caller's transaction commits (now, outside of one)."""
    transaction.on_commit(counter.inc, robust=True)


# --- readings: state, read when scraped --------------------------------------------------

Values = float | Iterable[tuple[tuple[str, ...], float]]


class Reading(Collector):
    """A gauge read when scraped: ``read`` returns a number, or (label values, number)
    pairs. A reading that fails is left out of that scrape (and logged)."""

    def __init__(self, name: str, documentation: str, read: Callable[[], Values], labels=()):
        self.name, self.documentation, self.read, self.labels = name, documentation, read, labels

    def collect(self):
        try:
            values = self.read()
        except Exception as exc:  # a scrape must answer even when a dependency does not
            logger.warning("Metric %s not read: %s: %s", self.name, type(exc).__name__, exc)
            return
        family = GaugeMetricFamily(self.name, self.documentation, labels=self.labels)
        for label_values, value in [((), values)] if not self.labels else values:
            family.add_metric(label_values, value)
        yield family


READINGS: list[Reading] = []


def add_reading(name: str, documentation: str, read: Callable[[], Values], labels=()) -> None:
    READINGS.append(Reading(name, documentation, read, labels))


# --- exposition ---------------------------------------------------------------------------


class _ThisProcess(Collector):
    def collect(self):
        return REGISTRY.collect()


def _registry(*, readings: bool) -> CollectorRegistry:
    """The figures of this process, or of every worker of its parent in multiprocess mode."""
    registry = CollectorRegistry(auto_describe=False)
    if MULTIPROCESS_DIRECTORY in os.environ:
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    for reading in READINGS if readings else ():
        registry.register(reading)
    return registry


def metrics_response() -> HttpResponse:
    """/metrics of a web process: the counters of every worker, and the readings."""
    return HttpResponse(generate_latest(_registry(readings=True)), content_type=CONTENT_TYPE_LATEST)


def serve_on_metrics_port(**signal_arguments) -> None:
    """Serve /metrics on METRICS_PORT, if set, from a thread of this process (Celery
    worker, beat, outbox relay). A Celery signal handler, called with its arguments."""
    from django.conf import settings

    if settings.METRICS_PORT:
        start_http_server(settings.METRICS_PORT, registry=_registry(readings=False))
        logger.info("Metrics on port %d.", settings.METRICS_PORT)


def mark_worker_dead(pid: int) -> None:
    """A gunicorn worker exited: drop its live gauges (counters keep counting)."""
    if MULTIPROCESS_DIRECTORY in os.environ:
        multiprocess.mark_process_dead(pid)


# --- Celery tasks -------------------------------------------------------------------------


def count_task_success(sender, **kwargs) -> None:
    TASKS.labels(sender.name, "succeeded").inc()


def count_task_retry(sender, **kwargs) -> None:
    TASKS.labels(sender.name, "retried").inc()


def count_task_failure(sender, **kwargs) -> None:
    TASKS.labels(sender.name, "failed").inc()


# --- HTTP ---------------------------------------------------------------------------------


METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
_REGEX_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")


@functools.cache
def readable_route(route: str) -> str:
    """A regex route (DRF's routers) written like a path() one:
    ``api/catalog/tours/(?P<slug>[-a-zA-Z0-9_]+)/$`` -> ``api/catalog/tours/<slug>/``."""
    return _REGEX_GROUP.sub(r"<\1>", route).replace("^", "").replace("$", "")


class RequestMetricsMiddleware:
    """Outermost: counts and times every answer by its URL pattern (``resolver_match.route``),
    never the raw path, so the number of series stays that of the routes.

    It answers ``/metrics`` itself, before the host check and the HTTPS redirect: a scraper
    reaches a pod by its address, over plain HTTP inside the deployment's network, and the
    answer names no host. The public edge never routes the path (docs/observability.md)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/metrics":
            return metrics_response()
        started = time.perf_counter()
        response = self.get_response(request)
        match = request.resolver_match
        route = readable_route(match.route or match.view_name) if match else "unmatched"
        method = request.method if request.method in METHODS else "other"
        REQUEST_SECONDS.labels(route, method).observe(time.perf_counter() - started)
        REQUESTS.labels(route, method, str(response.status_code)).inc()
        return response
