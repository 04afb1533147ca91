"""Hot departure: many buyers at the same instant for a departure with few seats. Every
run must sell exactly the seats there are, never one more."""

import asyncio
import time
import uuid
from collections import Counter
from urllib.parse import urlsplit

import psycopg

from ..dataset import add_hot_departure
from ..httpclient import Connection
from ..plan import Plan
from .write_path import booking_body


async def _buy(host: str, port: int, departure_id: int, number: int) -> str:
    conn = Connection(host, port)
    try:
        response = await conn.request(
            "POST",
            "/api/bookings/",
            json_body=booking_body(departure_id, number),
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
    except (OSError, asyncio.IncompleteReadError) as exc:
        return exc.__class__.__name__
    finally:
        await conn.close()
    if response.status == 201:
        return "held"
    if response.status == 409 and response.json().get("type", "").endswith("seats-unavailable"):
        return "sold_out"
    return f"HTTP {response.status}"


async def _rush(base_url: str, departure_id: int, buyers: int) -> tuple[Counter, float]:
    address = urlsplit(base_url)
    started = time.perf_counter()
    outcomes = await asyncio.gather(
        *(_buy(address.hostname, address.port, departure_id, n) for n in range(buyers))
    )
    return Counter(outcomes), time.perf_counter() - started


def _seats_taken(database_url: str, departure_id: int) -> dict:
    """What the databases recorded: seats held or booked, live holds and bookings."""
    with psycopg.connect(database_url) as conn:
        capacity, held, booked = conn.execute(
            "SELECT capacity, seats_held, seats_booked FROM catalog_departure WHERE id = %s",
            [departure_id],
        ).fetchone()
        hold_seats = conn.execute(
            "SELECT coalesce(sum(seats), 0) FROM catalog_seathold "
            "WHERE departure_id = %s AND status IN ('held', 'confirmed')",
            [departure_id],
        ).fetchone()[0]
        bookings = conn.execute(
            "SELECT count(*) FROM bookings_booking "
            "WHERE departure_id = %s AND status IN ('pending_payment', 'confirmed')",
            [departure_id],
        ).fetchone()[0]
    return {
        "capacity": capacity,
        "seats_taken": held + booked,
        "hold_seats": hold_seats,
        "bookings": bookings,
    }


def run(plan: Plan, base_url: str, database_url: str) -> dict:
    runs = []
    for number in range(1, plan.hot_runs + 1):
        departure_id = add_hot_departure(database_url, seats=plan.hot_seats)
        outcomes, elapsed = asyncio.run(_rush(base_url, departure_id, plan.hot_buyers))
        recorded = _seats_taken(database_url, departure_id)
        successes = outcomes.pop("held", 0)
        sold_out = outcomes.pop("sold_out", 0)
        oversold = max(
            0,
            successes - plan.hot_seats,
            recorded["seats_taken"] - plan.hot_seats,
            recorded["hold_seats"] - plan.hot_seats,
            recorded["bookings"] - plan.hot_seats,
        )
        runs.append(
            {
                "successes": successes,
                "sold_out": sold_out,
                "other_outcomes": dict(outcomes),
                "oversold": oversold,
                "seconds": round(elapsed, 3),
                "holds_per_s": round(successes / elapsed, 1),
                "answers_per_s": round(plan.hot_buyers / elapsed, 1),
                "recorded": recorded,
            }
        )
        print(
            f"  hot departure run {number}/{plan.hot_runs}: {successes} held, "
            f"{sold_out} sold out, {oversold} oversold, {elapsed:.2f}s",
            flush=True,
        )
    return {
        "status": "ok",
        "buyers": plan.hot_buyers,
        "seats": plan.hot_seats,
        "runs": runs,
        "successes": [r["successes"] for r in runs],
        "oversold": sum(r["oversold"] for r in runs),
        "exact_every_run": all(r["successes"] == plan.hot_seats for r in runs),
        "holds_per_s_median": sorted(r["holds_per_s"] for r in runs)[len(runs) // 2],
        "answers_per_s_median": sorted(r["answers_per_s"] for r in runs)[len(runs) // 2],
    }
