"""Notification latency: from a booking's commit (its pay answer arrived) to the SMTP
sink accepting the confirmation email, through the outbox relay, RabbitMQ and the
notifications Celery worker. Two paths, measured apart:

- fast: the relay wakes on the NOTIFY sent at commit and publishes at once;
- sweep: a relay that does not LISTEN picks events up on its next sweep
  (``OUTBOX_SWEEP_SECONDS``), as for events the fast path missed.
"""

import importlib.util
import time
import uuid

import httpx

from deploy.local.smtp_sink import SmtpSink

from ..loadgen import latency_summary
from ..plan import Plan
from .write_path import booking_body

GAP_SECONDS = 0.25  # between bookings: latency with no queue, not under load


def missing() -> str | None:
    """None when the relay and the notifications app are in the tree, else what is not."""
    for module, what in [
        ("kernel.outbox.relay", "the outbox relay (kernel/outbox/relay.py)"),
        ("apps.notifications.tasks", "the notifications app's tasks"),
    ]:
        if importlib.util.find_spec(module) is None:
            return f"{what} is not in this checkout"
    return None


def _paid_bookings(base_url: str, departure_ids: list[int], count: int) -> dict[str, float]:
    """Book and pay ``count`` times; returns reference -> when the pay answer arrived."""
    committed = {}
    with httpx.Client(base_url=base_url, timeout=10) as client:
        for number in range(count):
            booked = client.post(
                "/api/bookings/",
                json=booking_body(departure_ids[number % len(departure_ids)], number),
                headers={"Idempotency-Key": str(uuid.uuid4())},
            )
            booked.raise_for_status()
            booking = booked.json()
            paid = client.post(
                f"/api/bookings/{booking['reference']}/pay",
                json={"payment_method": "tok_visa"},
                headers={"X-Booking-Token": booking["access_token"]},
            )
            paid.raise_for_status()
            committed[booking["reference"]] = time.perf_counter()
            time.sleep(GAP_SECONDS)
    return committed


def measure_path(
    plan: Plan,
    *,
    name: str,
    sink: SmtpSink,
    bookings_url: str,
    departure_ids: list[int],
) -> dict:
    """With the worker and this path's relay running (and ready)."""
    print(f"  notifications, {name} path: {plan.notify_bookings} bookings", flush=True)
    committed = _paid_bookings(bookings_url, departure_ids, plan.notify_bookings)
    arrived = sink.wait_for(set(committed), plan.notify_timeout_seconds)
    latencies = [arrived[ref] - committed[ref] for ref in arrived]
    return {
        "bookings": len(committed),
        "emails": len(arrived),
        "missing": len(committed) - len(arrived),
        **latency_summary(latencies),
    }
