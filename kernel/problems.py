"""Errors as RFC 9457 problem details (``application/problem+json``), everywhere.

Apps raise a :class:`DomainError` subclass (its ``status`` and ``code`` say which problem
it is); DRF's own errors, Django's 404/500 and unexpected failures are turned into the
same shape. A database that cannot be reached is a 503 with ``Retry-After``, never a 500
(:class:`DatabaseUnavailableMiddleware`); so is a write to the tables of an app that is
moving to its own database (``kernel.write_guard``).
"""

import logging
import sys
from http import HTTPStatus

from django.core.exceptions import PermissionDenied
from django.core.signals import got_request_exception
from django.http import Http404, JsonResponse
from rest_framework import exceptions
from rest_framework.views import set_rollback

from kernel import write_guard
from kernel.outages import DATABASE_UNAVAILABLE
from kernel.request_id import current_request_id

logger = logging.getLogger(__name__)

CONTENT_TYPE = "application/problem+json"


class DomainError(Exception):
    """A business rule said no. Subclasses set ``status``, ``code`` and ``title``."""

    status = 409
    code = "conflict"
    title = "The request conflicts with the current state"

    def __init__(self, detail: str | None = None, **extra):
        self.detail = detail or self.title
        self.extra = extra
        super().__init__(self.detail)


class ServiceUnavailable(DomainError):
    """A dependency (another service, the database, the broker) did not answer in time."""

    status = 503
    code = "service-unavailable"
    title = "A service this request depends on is unavailable"


def problem(status: int, *, code: str, title: str | None = None, detail: str = "", **extra):
    body = {
        "type": f"urn:tourism:problem:{code}",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail or title or HTTPStatus(status).phrase,
        "request_id": current_request_id(),
        **extra,
    }
    response = JsonResponse(body, status=status, content_type=CONTENT_TYPE)
    if status == 503:
        response["Retry-After"] = "5"
    return response


def _flatten(detail):
    """DRF error details as plain strings, keeping their field structure."""
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_flatten(value) for value in detail]
    return str(detail)


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: every error leaves as problem details."""
    if isinstance(exc, DomainError):
        set_rollback()
        return problem(exc.status, code=exc.code, title=exc.title, detail=exc.detail, **exc.extra)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None  # unexpected: Django's handler500 answers (and it gets logged)

    set_rollback()
    code = exc.default_code.replace("_", "-")
    if isinstance(exc, exceptions.ValidationError):
        response = problem(
            exc.status_code,
            code="validation-error",
            title="The request is not valid",
            detail="One or more fields are invalid; see errors.",
            errors=_flatten(exc.detail),
        )
    else:
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        response = problem(exc.status_code, code=code, detail=detail)
    if getattr(exc, "auth_header", None):
        response["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        response["Retry-After"] = str(int(exc.wait))
    return response


def not_found(request, exception=None):
    """handler404."""
    return problem(404, code="not-found", detail=f"Nothing is served at {request.path}.")


def database_unavailable(exc: Exception):
    refused = write_guard.refusal(exc)
    if refused:  # the app is moving to its own database (or has moved)
        logger.info("Write refused: %s", refused)
        return problem(503, code="writes-paused", title="Writes are paused", detail=refused)
    logger.warning("Database unavailable: %s: %s", exc.__class__.__name__, exc)
    return problem(
        503,
        code="database-unavailable",
        title="The service is temporarily unavailable",
        detail="Our database is not answering right now; please try again shortly.",
    )


class DatabaseUnavailableMiddleware:
    """A database that cannot be reached answers 503, also under DEBUG (which would show
    an HTML page). Raised by a view (DRF re-raises what its handler leaves alone), it is
    answered at once; raised by a middleware after this one (a session saved after the
    view), Django has already made a 500 of it, which this replaces. Keep it near the top
    of ``MIDDLEWARE``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        outage = getattr(request, "database_outage", None)
        if outage is not None and response.status_code == 500:
            return database_unavailable(outage)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_UNAVAILABLE):
            return database_unavailable(exception)
        return None


def _remember_database_outage(sender, request=None, **kwargs):
    """Django sends this while it handles an exception no view answered."""
    exc = sys.exc_info()[1]
    if request is not None and isinstance(exc, DATABASE_UNAVAILABLE):
        request.database_outage = exc


got_request_exception.connect(_remember_database_outage)


def server_error(request):
    """handler500."""
    return problem(500, code="server-error", detail="Something went wrong on our side.")


def bad_request(request, exception=None):
    """handler400."""
    return problem(400, code="bad-request", detail="The request could not be understood.")


def permission_denied(request, exception=None):
    """handler403."""
    return problem(403, code="permission-denied", detail="You may not do this.")
