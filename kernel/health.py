"""Liveness (/healthz: the process answers) and readiness (/readyz: its dependencies do).

``dependency_checks`` is also what ``manage.py healthcheck`` runs for the processes that
serve no HTTP (worker, beat, outbox relay)."""

from django.conf import settings
from django.db import connections
from django.http import JsonResponse

from kernel.problems import problem


def healthz(request):
    return JsonResponse({"status": "ok"})


def _check_databases() -> dict[str, str]:
    results = {}
    for alias in connections:
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
            results[f"database:{alias}"] = "ok"
        except Exception as exc:  # any failure means "not ready"; the reason is reported
            results[f"database:{alias}"] = f"error: {exc.__class__.__name__}"
    return results


def _check_broker() -> dict[str, str]:
    if not settings.CELERY_BROKER_URL:
        return {}
    from kombu import Connection

    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
        return {"broker": "ok"}
    except Exception as exc:  # any failure means "not ready"; the reason is reported
        return {"broker": f"error: {exc.__class__.__name__}"}


def dependency_checks() -> dict[str, str]:
    """Each database of this process and, when one is configured, the broker: "ok" or
    "error: <exception class>"."""
    return {**_check_databases(), **_check_broker()}


def readyz(request):
    checks = dependency_checks()
    if all(result == "ok" for result in checks.values()):
        return JsonResponse({"status": "ok", "checks": checks})
    return problem(503, code="not-ready", detail="A dependency is not reachable.", checks=checks)
