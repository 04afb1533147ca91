"""One booking is one trace: the services topology exports its spans over OTLP/HTTP to a
receiver that decodes the protocol (deploy/local/otlp_receiver.py), and the trace of a
booking, held, paid and emailed, crosses every process it touched with the parent/child
chain of what caused what. A booking made while the catalog is down leaves an error span
with the 503."""

import secrets
import uuid

import httpx
import pytest

from deploy.local.otlp_receiver import OtlpReceiver, Span
from tests.e2e.conftest import UNLIMITED, running_topology
from tests.e2e.customers import hold_one_seat

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

PROCESSES = {
    "bookings-web",
    "catalog-web",
    "payments-web",
    "bookings-relay",
    "notifications-worker",
}
TRACED = {
    "OTEL_EXPORTER_OTLP_ENDPOINT": "",  # the receiver's, below
    "OTEL_TRACES_SAMPLER": "parentbased_always_on",
    "OTEL_BSP_SCHEDULE_DELAY": "200",  # milliseconds between exports, for a quick test
}


@pytest.fixture(scope="module")
def traced(smtp_sink):
    """The services topology exporting every span to a receiver of this test's."""
    with OtlpReceiver() as receiver:
        env = UNLIMITED["extra_env"] | TRACED | {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url}
        with running_topology("services", smtp_sink, extra_env=env) as topology:
            yield topology, receiver


def a_departure(gateway: httpx.Client) -> int:
    tour = gateway.get("/api/catalog/tours/").json()["results"][0]
    return gateway.get(f"/api/catalog/tours/{tour['slug']}/").json()["departures"][0]["id"]


def lineage(span: Span, spans: list[Span]) -> list[Span]:
    """The span and its ancestors, up to the trace's root, nearest first."""
    by_id = {each.span_id: each for each in spans}
    chain = [span]
    while chain[-1].parent_id in by_id:
        chain.append(by_id[chain[-1].parent_id])
    return chain


def request_span(spans: list[Span], request_id: str) -> Span | None:
    """The span of bookings' request with this X-Request-ID (the services it called carry
    the same id)."""
    return next(
        (
            s
            for s in spans
            if s.service == "bookings-web" and s.attributes.get("request.id") == request_id
        ),
        None,
    )


def test_one_booking_is_one_trace_across_five_processes(traced, smtp_sink):
    topology, receiver = traced
    # The test starts the trace, as a gateway with tracing would: both requests carry it.
    trace_id, root = secrets.token_hex(16), secrets.token_hex(8)
    headers = {"traceparent": f"00-{trace_id}-{root}-01"}
    pay_request = uuid.uuid4().hex
    with httpx.Client(base_url=topology.gateway_url, timeout=30, headers=headers) as gateway:
        created = hold_one_seat(gateway, a_departure(gateway), "traced-booking")
        assert created.status_code == 201, created.text
        reference = created.json()["reference"]
        paid = gateway.post(
            f"/api/bookings/{reference}/pay",
            json={"payment_method": "tok_visa"},
            headers={
                "X-Booking-Token": created.json()["access_token"],
                "X-Request-ID": pay_request,
            },
        )
        assert paid.status_code == 200, paid.text
    assert smtp_sink.wait_for({reference}, timeout=60), "no confirmation email"

    def emailed(spans: list[Span]) -> Span | None:
        return next(
            (
                s
                for s in spans
                if s.name == "smtp send"
                and s.attributes.get("booking.reference") == reference
                and s.attributes.get("email.kind") == "booking_confirmed"
            ),
            None,
        )

    smtp = receiver.wait_for(emailed)
    assert smtp.trace_id == trace_id

    def the_trace(spans: list[Span]) -> list[Span]:
        """The booking's trace, once every process it crossed has sent its spans."""
        found = [span for span in spans if span.trace_id == trace_id]
        return found if {span.service for span in found} >= PROCESSES else []

    spans = receiver.wait_for(the_trace)
    # The email's span descends from the worker's task, which descends from the relay's
    # publish of the event, which descends from the bookings request that confirmed it.
    chain = lineage(smtp, spans)
    assert [(span.service, span.name) for span in chain] == [
        ("notifications-worker", "smtp send"),
        ("notifications-worker", "run/notifications.send_booking_email"),
        ("bookings-relay", "outbox publish"),
        ("bookings-web", "POST api/bookings/<slug:reference>/pay"),
    ]
    # The request id of the pay request goes along with its event.
    assert [span.attributes.get("request.id") for span in chain[1:]] == [pay_request] * 3
    confirmed = chain[-1]
    assert confirmed == request_span(spans, pay_request)
    assert confirmed.parent_id == root  # the test's own span, which started the trace
    # Its queries are counted on it, with their time, rather than a span each.
    assert confirmed.attributes["db.queries"] > 0 and confirmed.attributes["db.seconds"] > 0
    assert not [
        s for s in spans if "db.statement" in s.attributes or "db.query.text" in s.attributes
    ]
    # The calls the pay request made to payments are its descendants too.
    charged = [s for s in spans if s.service == "payments-web" and s.parent_id]
    assert any(confirmed in lineage(s, spans) for s in charged), charged


def test_a_booking_while_the_catalog_is_down_leaves_an_error_span_with_the_503(traced):
    topology, receiver = traced
    request_id = uuid.uuid4().hex
    with httpx.Client(base_url=topology.gateway_url, timeout=30) as gateway:
        departure = a_departure(gateway)
        topology.stop("catalog")
        try:
            gateway.headers["X-Request-ID"] = request_id
            response = hold_one_seat(gateway, departure, "traced-while-catalog-is-down")
        finally:
            topology.start("catalog")
    assert response.status_code == 503, response.text

    failed = receiver.wait_for(lambda spans: request_span(spans, request_id))
    status = failed.attributes.get(
        "http.status_code", failed.attributes.get("http.response.status_code")
    )
    assert status == 503, failed.attributes
    assert failed.error
