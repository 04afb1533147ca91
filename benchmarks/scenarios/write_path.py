"""Write path: closed-loop booking journeys (``POST /api/bookings/``, which holds the
seats and records the booking, then ``POST /api/bookings/<reference>/pay``), in the
monolith and in services mode."""

import asyncio
import time
import uuid

import httpx

from ..loadgen import Measurement, Recorder, closed_loop, summarize, timed
from ..plan import Plan


def bookings_missing(base_url: str) -> str | None:
    """None when ``POST /api/bookings/`` is served at ``base_url``, else why not."""
    response = httpx.post(f"{base_url}/api/bookings/", json={}, timeout=10)
    if response.status_code == 404:
        return f"POST /api/bookings/ answers 404 at {base_url}: the bookings app is not installed"
    return None


def booking_body(departure_id: int, number: int, seats: int = 1) -> dict:
    return {
        "departure_id": departure_id,
        "seats": seats,
        "customer": {"name": f"Buyer {number}", "email": f"buyer{number}@example.com"},
    }


async def journey(conn, number: int, recorder: Recorder, departure_ids: list[int]) -> None:
    started = time.perf_counter()
    booked = await timed(
        conn,
        recorder,
        "book",
        201,
        "POST",
        "/api/bookings/",
        json_body=booking_body(departure_ids[number % len(departure_ids)], number),
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    if booked is None:
        return
    booking = booked.json()
    paid = await timed(
        conn,
        recorder,
        "pay",
        200,
        "POST",
        f"/api/bookings/{booking['reference']}/pay",
        json_body={"payment_method": "tok_visa"},
        headers={"X-Booking-Token": booking["access_token"]},
    )
    if paid is not None:
        recorder.ok("journey", time.perf_counter() - started)


def measure(
    plan: Plan, base_url: str, departure_ids: list[int], label: str, *, seconds: float = 0
) -> dict:
    """Journeys per second and latency percentiles of each step and of the journey, for
    ``seconds`` (the plan's write path time unless given)."""
    return figures([run_journeys(plan, base_url, departure_ids, label, seconds=seconds)])


def run_journeys(
    plan: Plan,
    base_url: str,
    departure_ids: list[int],
    label: str,
    *,
    seconds: float = 0,
    max_journeys: int = 0,
) -> Measurement:
    """Booking journeys from the plan's virtual users for ``seconds`` (the plan's write path
    time unless given), after its warm-up."""

    async def iteration(conn, number, recorder):
        await journey(conn, number, recorder, departure_ids)

    return asyncio.run(
        closed_loop(
            label=label,
            base_url=base_url,
            iteration=iteration,
            concurrency=plan.write_concurrency,
            seconds=seconds or plan.write_seconds,
            max_iterations=max_journeys or plan.write_max_journeys,
            warmup_seconds=plan.write_warmup_seconds,
            progress_every=plan.progress_every,
        )
    )


def figures(measurements: list[Measurement]) -> dict:
    """Journeys per second and latency percentiles over one or more runs."""
    summary = summarize(measurements)
    journeys = summary["requests"].get("journey", {"count": 0, "per_s": 0.0})
    return {
        "journeys": journeys["count"],
        "journeys_per_s": journeys["per_s"],
        "journey_p50_ms": journeys.get("p50_ms"),
        "journey_p95_ms": journeys.get("p95_ms"),
        "journey_p99_ms": journeys.get("p99_ms"),
        **summary,
    }


def compare(monolith: dict, services: dict | None, services_reason: str | None) -> dict:
    """Both modes side by side, with the services/monolith ratios when both ran."""
    result: dict = {"status": "ok", "monolith": monolith}
    if services:
        result["services"] = services
        result["services_vs_monolith_throughput"] = round(
            services["journeys_per_s"] / monolith["journeys_per_s"], 3
        )
        result["services_vs_monolith_p99"] = round(
            services["journey_p99_ms"] / monolith["journey_p99_ms"], 3
        )
    else:
        result["services_reason"] = services_reason
    return result
