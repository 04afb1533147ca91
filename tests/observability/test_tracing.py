"""Traces in one process: JSON log lines carry the current span's ids, and an event carries
the trace that emitted it through the outbox, the relay's publish and the message's headers
to its consumer (the whole way across processes: tests/e2e/test_traces.py)."""

import io
import json
import logging
import os
import subprocess
import sys

import pytest
from django.db import connection, transaction
from kombu import Connection
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pythonjsonlogger.json import JsonFormatter

from config import logs
from kernel import request_id, tracing
from kernel.outbox import emit, queues
from kernel.outbox.publisher import BrokerPublisher
from kernel.outbox.services import outbox_publish_pending
from tests.factories import booking_event
from tests.messaging import RABBITMQ_URL
from tests.servers import closed_url
from tests.servers import test_database_url as database_url

EXPORTER = InMemorySpanExporter()


@pytest.fixture
def spans():
    """What this process records (as ``tracing.start`` sets up, exported here)."""
    if not isinstance(trace.get_tracer_provider(), TracerProvider):  # once a process
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(EXPORTER))
        trace.set_tracer_provider(provider)
    EXPORTER.clear()
    yield EXPORTER
    EXPORTER.clear()


def traceparent_of(span) -> str:
    context = span.get_span_context()
    trace_id, span_id = (
        trace.format_trace_id(context.trace_id),
        trace.format_span_id(context.span_id),
    )
    return f"00-{trace_id}-{span_id}-{context.trace_flags:02x}"


def test_json_log_lines_carry_the_trace_and_span_of_the_moment(spans):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)  # as LOGGING's console handler, in JSON
    options = {key: value for key, value in logs.FORMATTERS["json"].items() if key != "()"}
    handler.setFormatter(JsonFormatter(fmt=options.pop("format"), **options))
    handler.addFilter(tracing.TraceLogFilter())
    logger = logging.getLogger("tests.traced")
    logger.addHandler(handler)
    logger.propagate = False
    with tracing.child_span("work", {}) as span:
        logger.info("inside")
    logger.info("outside")

    inside, outside = (json.loads(line) for line in stream.getvalue().splitlines())
    context = span.get_span_context()
    assert inside["trace_id"] == trace.format_trace_id(context.trace_id)
    assert inside["span_id"] == trace.format_span_id(context.span_id)
    assert (outside["trace_id"], outside["span_id"]) == ("", "")


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_span_counts_the_queries_run_in_it_and_their_time(spans):
    # start() adds the wrapper to every connection it makes
    with connection.execute_wrapper(tracing.count_queries), connection.cursor() as cursor:
        with tracing.child_span("work", {}) as work:
            cursor.execute("SELECT 1")
            cursor.execute("SELECT pg_sleep(0.01)")
        cursor.execute("SELECT 1")  # outside any span: counted nowhere
    assert work.attributes[tracing.DB_QUERIES] == 2
    assert 0.01 <= work.attributes[tracing.DB_SECONDS] < 10
    assert [span.name for span in spans.get_finished_spans()] == ["work"]  # no span a query


@pytest.mark.django_db
def test_an_event_emitted_outside_a_trace_starts_none(settings):
    settings.CELERY_BROKER_URL = RABBITMQ_URL
    assert emit(booking_event()).traceparent == ""


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
def test_an_event_carries_the_trace_that_emitted_it_to_its_message(broker, spans):
    with (
        tracing.child_span("POST /api/bookings/TB-1/pay", {}) as request,
        transaction.atomic(),
    ):
        token = request_id.carry("pay-request-1")
        try:
            event = emit(booking_event())
        finally:
            request_id.reset(token)
    assert event.traceparent == traceparent_of(request)

    with BrokerPublisher() as publisher:
        assert outbox_publish_pending(publisher=publisher) == 1
    with Connection(RABBITMQ_URL) as connection:
        message = connection.SimpleQueue(queues.queue("notifications"), no_ack=True).get(timeout=2)

    (publish,) = [span for span in spans.get_finished_spans() if span.name == "outbox publish"]
    assert publish.parent.span_id == request.get_span_context().span_id
    assert publish.context.trace_id == request.get_span_context().trace_id
    assert publish.attributes["messaging.message.id"] == str(event.id)
    assert publish.attributes["request.id"] == "pay-request-1"
    # The consumer's task span continues from the publish; the envelope keeps the emitter's.
    assert message.headers["traceparent"] == traceparent_of(publish)
    assert message.payload[1]["event"]["traceparent"] == traceparent_of(request)


OFF = """
import django; django.setup()
from kernel import tracing
with tracing.child_span("work", {}) as span:
    print(tracing.start("web"), span.is_recording(), tracing.traceparent() == "")
"""


def test_without_a_collector_a_process_records_nothing():
    """The default (make run's too): no provider, no exporter, every span a no-op."""
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "config.settings.monolith",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": "sqlite://:memory:",
    }
    result = subprocess.run(
        [sys.executable, "-c", OFF], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "False", "True"], result.stderr


QUERIES = """
import django
django.setup()
from django.db import connection
from opentelemetry import trace
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from kernel import tracing
tracing.start("web")
exporter = InMemorySpanExporter()
trace.get_tracer_provider().add_span_processor(SimpleSpanProcessor(exporter))
with tracing.child_span("work", {}) as work, connection.cursor() as cursor:
    cursor.execute("SELECT 1")
names = [span.name for span in exporter.get_finished_spans()]
print(work.attributes[tracing.DB_QUERIES], names.count("work"), len(names) - 1)
"""


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("queries", ["0", "1"])
def test_trace_queries_adds_a_span_per_statement_to_the_count(queries):
    """Started for real, the spans also kept in memory (the collector is down)."""
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "config.settings.monolith",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": database_url(),
        "OTEL_EXPORTER_OTLP_ENDPOINT": closed_url(),
        "OTEL_EXPORTER_OTLP_TIMEOUT": "1",  # the export at exit gives up in a second
        "TRACE_QUERIES": queries,
    }
    result = subprocess.run(
        [sys.executable, "-c", QUERIES], env=env, capture_output=True, text=True, check=True
    )
    counted, work, statements = map(int, result.stdout.split())
    assert (counted, work) == (1, 1), result.stderr
    # psycopg's instrumentation: the query's span, and the connection's own set-up queries
    assert statements >= 1 if queries == "1" else statements == 0
