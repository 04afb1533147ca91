"""The log line formats every process shares: Django's ``LOGGING`` (config/settings/base.py)
and, for web processes, gunicorn's own access and error logs (config/gunicorn.py).

``json``: one JSON object a line (python-json-logger) with timestamp, level, logger,
message, request_id, trace_id and span_id (the last two empty while no trace is recorded).
``plain``: lines for people. docs/observability.md, "Logs".
"""

import logging

import environ
from django.core.exceptions import ImproperlyConfigured
from pythonjsonlogger.core import RESERVED_ATTRS

FORMATS = ("json", "plain")

FORMATTERS = {
    "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    "json": {
        "()": "pythonjsonlogger.json.JsonFormatter",
        "format": "%(levelname)s %(name)s %(message)s",
        "rename_fields": {"levelname": "level", "name": "logger"},
        "timestamp": True,  # ISO 8601, UTC
        "defaults": {"request_id": "-", "trace_id": "", "span_id": ""},
        # django.request's request object (its repr has the query string) stays out
        "reserved_attrs": [*RESERVED_ATTRS, "request"],
    },
}


def log_format() -> str:
    """DJANGO_LOG_FORMAT, by default plain under DJANGO_DEBUG (make run) and json otherwise."""
    env = environ.Env()
    default = "plain" if env.bool("DJANGO_DEBUG", default=False) else "json"
    chosen = env.str("DJANGO_LOG_FORMAT", default=default)
    if chosen not in FORMATS:
        raise ImproperlyConfigured(f"DJANGO_LOG_FORMAT is json or plain, not {chosen!r}.")
    return chosen


class AccessRequestId(logging.Filter):
    """gunicorn's access lines carry the request id the app answered with as a field."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, dict):  # gunicorn's atoms: "-" for what is missing
            record.request_id = record.args["{x-request-id}o"]
        return True


def gunicorn_json_logging() -> dict:
    """gunicorn's logconfig_dict: its error and access lines as JSON on stderr and stdout."""
    handler = {"class": "logging.StreamHandler", "formatter": "json"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": FORMATTERS["json"]},
        "filters": {"access_request_id": {"()": AccessRequestId}},
        "handlers": {
            "error": {**handler, "stream": "ext://sys.stderr"},
            "access": {**handler, "stream": "ext://sys.stdout", "filters": ["access_request_id"]},
        },
        "root": {"level": "INFO", "handlers": []},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["error"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
        },
    }
