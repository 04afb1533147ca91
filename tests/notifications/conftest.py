import uuid

import pytest
from django.db import transaction

from deploy.local.smtp_sink import SmtpSink
from kernel.outbox import emit
from tests.conftest import require
from tests.messaging import RABBITMQ_URL, QueuePrefix, rabbitmq_reachable


def booking_payload(**changes) -> dict:
    """A booking event's payload, as the bookings app emits it."""
    reference = changes.pop("reference", f"TB-{uuid.uuid4().hex[:6].upper()}")
    payload = {
        "booking_id": str(uuid.uuid4()),
        "reference": reference,
        "status": "confirmed",
        "customer": {"name": "Ada Lovelace", "email": "ada@example.com"},
        "tour": {"title": "Tastes of Lisbon", "slug": "tastes-of-lisbon"},
        "departure_id": 12,
        "starts_on": "2026-12-06",
        "seats": 2,
        "total": "640.00",
        "currency": "EUR",
        "manage_url": f"http://127.0.0.1:8000/bookings/{reference}#token=secret-token",
        "refund": None,
    }
    return {**payload, **changes}


@pytest.fixture
def emit_committed(django_capture_on_commit_callbacks):
    """Emit in a transaction that commits, running what waits for the commit."""

    def emit_and_commit(event_type: str, payload: dict):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            return emit(event_type, payload)

    return emit_and_commit


@pytest.fixture(scope="module")
def queues():
    """RabbitMQ queues unique to this test module, removed afterwards."""
    require(rabbitmq_reachable(), f"needs RabbitMQ at {RABBITMQ_URL}")
    prefix = QueuePrefix()
    yield prefix
    prefix.delete_all()


@pytest.fixture(scope="module")
def smtp():
    """A mail server on loopback that keeps what it receives."""
    with SmtpSink() as sink:
        yield sink
