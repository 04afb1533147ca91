"""Traces: one booking is one trace, from the first Django process it reaches through the
services it calls, the outbox relay that publishes its events and the worker that emails
the customer (docs/observability.md, "Traces").

Off unless ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set: then :func:`start` gives the process a
tracer provider that exports over OTLP/HTTP in batches, sampled as ``OTEL_TRACES_SAMPLER``
and ``OTEL_TRACES_SAMPLER_ARG`` say (the SDK reads them), and instruments Django, httpx
and, in Celery workers and beat, Celery. The span queries run in counts them and their
time (:func:`count_queries`), what a trace needs to know of the database without most of
the cost of a span per query (docs/observability.md, "What it costs"); ``TRACE_QUERIES``
adds those spans too (psycopg's instrumentation), to find a slow statement. Each
process starts it once, after any fork (a batch processor's thread does not survive one):
gunicorn's ``post_fork``, Celery's ``worker_process_init`` and ``beat_init``, the relay's
command. Off, every span is the API's no-op one.

The W3C ``traceparent`` crosses HTTP in headers (the httpx and Django instrumentations)
and the event path in the outbox: :func:`traceparent` is stored with each event, the relay
continues it in an "outbox publish" span (:func:`continued`) whose context travels in the
Celery message's headers (:func:`inject`), and the worker's task span is that span's child.
"""

import functools
import logging
import time
from contextlib import AbstractContextManager

from celery import signals
from django.conf import settings
from django.db.backends.signals import connection_created
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind

TRACEPARENT = "traceparent"
REQUEST_ID = "request.id"  # the span attribute with the request's X-Request-ID
DB_QUERIES = "db.queries"  # span attributes: queries run while it was current ...
DB_SECONDS = "db.seconds"  # ... and the seconds they took
_tracer = trace.get_tracer("tourism")


def service_name(kind: str) -> str:
    """The ``service.name`` of this process: its profile and kind (``bookings-web``)."""
    return f"{settings.SETTINGS_MODULE.rpartition('.')[2]}-{kind}"


@functools.cache
def start(kind: str) -> bool:
    """Export this process's spans when ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set; once per
    process (``kind``: web, worker, beat or relay). True when it traces."""
    if not settings.OTEL_EXPORTER_OTLP_ENDPOINT:
        return False
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service_name(kind)}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))  # endpoint: the env's
    trace.set_tracer_provider(provider)
    DjangoInstrumentor().instrument()
    connection_created.connect(_count_queries_of, weak=False)
    if settings.TRACE_QUERIES:
        from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor

        PsycopgInstrumentor().instrument()
    HTTPXClientInstrumentor().instrument()
    if kind in ("worker", "beat"):
        _instrument_celery()
    return True


def _instrument_celery() -> None:
    """Task spans, each a child of the span that published its message. Publishing is
    traced by ``inject`` instead: the instrumentation's own publish span is left open (and
    current) when the task published is not registered in this process, as an event's
    consumer is not in the process that relays it."""
    from opentelemetry.instrumentation.celery import CeleryInstrumentor

    instrumentor = CeleryInstrumentor()
    instrumentor.instrument()
    signals.before_task_publish.disconnect(instrumentor._trace_before_publish)
    signals.after_task_publish.disconnect(instrumentor._trace_after_publish)


def _count_queries_of(connection, **_) -> None:
    """Sent on every connect (a pooled one too): the wrapper is added once per connection."""
    if count_queries not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, count_queries)


def count_queries(execute, sql, params, many, context):
    """A Django execute wrapper: the current span counts the query and its time."""
    span = trace.get_current_span()
    if not span.is_recording():
        return execute(sql, params, many, context)
    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        seconds = time.perf_counter() - started
        done = span.attributes  # the SDK's span: what it recorded so far
        span.set_attribute(DB_QUERIES, done.get(DB_QUERIES, 0) + 1)
        span.set_attribute(DB_SECONDS, round(done.get(DB_SECONDS, 0.0) + seconds, 6))


def traceparent() -> str:
    """The W3C trace context of the current span ("" outside any recorded one)."""
    return inject().get(TRACEPARENT, "")


def inject(headers: dict | None = None) -> dict:
    """``headers`` (or new ones) with the current trace context added."""
    headers = {} if headers is None else headers
    propagate.inject(headers)
    return headers


def continued(name: str, traceparent: str, attributes: dict) -> AbstractContextManager:
    """A current span ``name`` that continues the trace of ``traceparent`` (a new trace
    without one): the relay's publish of an event, in the trace of the request that
    emitted it."""
    parent = propagate.extract({TRACEPARENT: traceparent}) if traceparent else None
    return _tracer.start_as_current_span(
        name, context=parent, kind=SpanKind.PRODUCER, attributes=attributes
    )


def child_span(name: str, attributes: dict) -> AbstractContextManager:
    """A current span ``name``, a child of the current one (a no-op when not tracing)."""
    return _tracer.start_as_current_span(name, attributes=attributes)


def tag_request_id(request_id: str) -> None:
    """The current span (a request's) carries its request id."""
    trace.get_current_span().set_attribute(REQUEST_ID, request_id)


class TraceLogFilter(logging.Filter):
    """Log lines written inside a recorded span carry its trace and span ids."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = trace.get_current_span().get_span_context()
        if context.is_valid:
            record.trace_id = trace.format_trace_id(context.trace_id)
            record.span_id = trace.format_span_id(context.span_id)
        return True


def start_in_worker_process(**_) -> None:
    start("worker")


def start_in_beat(**_) -> None:
    start("beat")
