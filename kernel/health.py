"""Liveness (/healthz: the process answers) and readiness (/readyz: its dependencies do).

``dependency_checks`` is also what ``manage.py healthcheck`` runs for the processes that
serve no HTTP (worker, beat, outbox relay). Every dependency is checked at once, each with
a short connect timeout, so an answer comes within ``READY_TIMEOUT_SECONDS`` even while a
database hangs (probe timeouts in compose and the chart are longer than that)."""

import threading
import time
from collections.abc import Callable

import psycopg
from django.conf import settings
from django.db import connections
from django.http import JsonResponse

from kernel.problems import problem

CONNECT_TIMEOUT_SECONDS = 2  # psycopg's connect_timeout takes whole seconds
READY_TIMEOUT_SECONDS = 2.5


def healthz(request):
    return JsonResponse({"status": "ok"})


def _check_database(alias: str) -> None:
    """A fresh connection, not one from the pool: the pool would wait its whole timeout
    for a database that refuses connections."""
    database = connections[alias]
    if database.vendor == "postgresql":
        params = {**database.get_connection_params(), "connect_timeout": CONNECT_TIMEOUT_SECONDS}
        with psycopg.connect(**params) as connection:
            connection.execute("SELECT 1")
        return
    with database.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_broker() -> None:
    from kombu import Connection

    with Connection(settings.CELERY_BROKER_URL, connect_timeout=CONNECT_TIMEOUT_SECONDS) as broker:
        broker.ensure_connection(max_retries=1, timeout=CONNECT_TIMEOUT_SECONDS)


def _run_all(checks: dict[str, Callable[[], None]]) -> dict[str, str]:
    """Run the checks in parallel; one still running at the deadline is an error."""
    results = dict.fromkeys(checks, "error: timeout")

    def run(name: str, check: Callable[[], None]) -> None:
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # any failure means "not ready"; the reason is reported
            results[name] = f"error: {exc.__class__.__name__}"

    threads = [
        threading.Thread(target=run, args=item, daemon=True, name=f"check {item[0]}")
        for item in checks.items()
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    for thread in threads:
        thread.join(max(deadline - time.monotonic(), 0))
    return {name: results[name] for name in checks}


def dependency_checks() -> dict[str, str]:
    """Each database of this process and, when one is configured, the broker: "ok" or
    "error: <exception class>" ("error: timeout" when it did not answer in time)."""
    checks = {
        f"database:{alias}": lambda alias=alias: _check_database(alias) for alias in connections
    }
    if settings.CELERY_BROKER_URL:
        checks["broker"] = _check_broker
    return _run_all(checks)


def readyz(request):
    checks = dependency_checks()
    if all(result == "ok" for result in checks.values()):
        return JsonResponse({"status": "ok", "checks": checks})
    return problem(503, code="not-ready", detail="A dependency is not reachable.", checks=checks)
