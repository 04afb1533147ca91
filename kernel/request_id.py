"""Request ids: accepted from X-Request-ID (or made), echoed back, logged, propagated, and
carried on by the tasks that handle the events a request caused (``kernel.tasks``)."""

import logging
import re
import uuid
from contextvars import ContextVar, Token

from kernel import tracing

HEADER = "X-Request-ID"
_VALID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
OUTSIDE_REQUEST = "-"  # the id logged for work that no request caused
_current: ContextVar[str] = ContextVar("request_id", default=OUTSIDE_REQUEST)


def current_request_id() -> str:
    return _current.get()


def carry(request_id: str | None) -> Token:
    """Go on with a request's id in work it caused elsewhere (a task handling one of its
    events): log lines and calls to other services carry it until ``reset(token)``. An id
    that is missing or malformed is logged as work no request caused."""
    valid = request_id is not None and _VALID.match(request_id)
    return _current.set(request_id if valid else OUTSIDE_REQUEST)


def reset(token: Token) -> None:
    _current.reset(token)


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(HEADER, "")
        request_id = incoming if _VALID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # for django.request's lines, logged after we return
        tracing.tag_request_id(request_id)
        token = _current.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response[HEADER] = request_id
        return response


class RequestIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)  # django.request's lines carry it
        record.request_id = getattr(request, "request_id", None) or current_request_id()
        return True
