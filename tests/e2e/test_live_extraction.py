"""Monolith to services, live: apps move out of a running monolith full of bookings, one at
a time, while customers keep browsing, holding, paying and cancelling through the gateway:
catalog, payments, notifications, then bookings (services mode); then bookings moves back.

Each step copies the app's data (``manage.py extract_app``), switches routing
(``Topology.extract``) and lifts the freeze (``lift_freeze``), or, for the rollback, copies
the data back (``merge_app_back``) and routes back (``Topology.merge_back``). A wave of
customers shops during each step. After it: no answer but the planned 503s (problem
details with ``Retry-After``) while the app was frozen, no other 5xx, no connection error;
every booking confirmed before is unchanged unless its customer cancelled it; the seats
invariant holds on the databases each app lives in now. At the end: one succeeded charge
per confirmed booking, exactly one confirmation email per booking confirmed during the
run and one email per event, though the monolith's worker is stopped mid-stream by each
rolling restart (what was sent more than once is printed). Each freeze's length is printed
(``-s``): the copy's ``seconds`` and the time between the first and the last 503 customers
saw.
"""

import datetime
import itertools
import json
import random
import threading
import time
import uuid
from collections import Counter

import httpx
import psycopg
import pytest

from tests.e2e.conftest import manage_json, running_topology
from tests.e2e.customers import PROBLEM, Stream, until_settled
from tests.invariants import assert_invariants
from tests.messaging import wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

SEEDED_BOOKINGS = 3000
CUSTOMERS_AT_ONCE = 3
JOURNEYS_PER_CUSTOMER = 200  # at most, per step: the stream is bounded
# Every app moves out, bookings last (the monolith's processes stop: services mode), then
# bookings moves back into the monolith.
STEPS = [("extract", app) for app in ("catalog", "payments", "notifications", "bookings")]
STEPS += [("merge back", "bookings")]
# No monolith setting names every app remote: once bookings is out, the monolith's commands
# run with the step before's REMOTE_APPS (they need only its database).
BEFORE_BOOKINGS = {"REMOTE_APPS": "catalog,payments,notifications"}
# An email task that met the notifications' freeze retries after 1, 2, 4... s (at most),
# not 10, 20, 40...: the run waits less for the last emails.
ENVIRONMENT = {"THROTTLE_RATES": "off", "TASK_RETRY_BACKOFF_SECONDS": "1"}


def seed_bookings(database_url: str, count: int) -> None:
    """``count`` paid bookings spread over the demo's departures, as the services leave
    them: each confirmed with its seats booked in the catalog (a confirmed hold), a payment
    attempt and a succeeded charge; every third cancelled afterwards (its hold released,
    its charge refunded). Departures grow by the seats they confirm, and by 100 more so the
    customers of the run find seats to the end."""
    rng = random.Random(14)
    now = datetime.datetime.now(datetime.UTC)
    with psycopg.connect(database_url) as conn:
        departures = conn.execute(
            "SELECT d.id, d.starts_on, d.price, t.title, t.slug FROM catalog_departure d "
            "JOIN catalog_tour t ON t.id = d.tour_id"
        ).fetchall()
        rows = {"booking": [], "attempt": [], "hold": [], "payment": [], "refund": []}
        for number in range(count):
            departure_id, starts_on, price, title, slug = rng.choice(departures)
            booking_id, payment_id, seats = uuid.uuid4(), uuid.uuid4(), rng.randint(1, 3)
            cancelled = number % 3 == 0
            reference = f"TS-{number:06d}"
            key = f"booking-{booking_id}-charge-0"
            total = price * seats
            rows["booking"].append(
                (
                    booking_id,
                    reference,
                    "cancelled" if cancelled else "confirmed",
                    f"Guest {number}",
                    f"guest{number}@example.com",
                    departure_id,
                    title,
                    slug,
                    starts_on,
                    price,
                    seats,
                    total,
                    "EUR",
                    now,
                    uuid.uuid4().hex,
                    key,
                    now,
                    now,
                    now,
                    now if cancelled else None,
                )
            )
            rows["attempt"].append(
                (booking_id, 0, "tok_visa", "refunded" if cancelled else "succeeded", now, now)
            )
            hold = "released" if cancelled else "confirmed"
            rows["hold"].append((f"booking-{booking_id}", departure_id, seats, hold, now, now))
            rows["payment"].append(
                (
                    payment_id,
                    key,
                    reference,
                    total,
                    "EUR",
                    "tok_visa",
                    "refunded" if cancelled else "succeeded",
                    "",
                    "sandbox",
                    f"ch_{number}",
                    1,
                    "",
                    now,
                    now,
                )
            )
            if cancelled:
                rows["refund"].append(
                    (
                        uuid.uuid4(),
                        f"{key}-refund",
                        payment_id,
                        total,
                        "succeeded",
                        f"re_{number}",
                        now,
                        now,
                    )
                )
        columns = {
            "bookings_booking": "id, reference, status, customer_name, customer_email, "
            "departure_id, tour_title, tour_slug, starts_on, unit_price, seats, total, "
            "currency, hold_expires_at, access_token, payment_key, created_at, updated_at, "
            "confirmed_at, cancelled_at",
            "bookings_paymentattempt": "booking_id, number, payment_method, outcome, "
            "created_at, updated_at",
            "catalog_seathold": "key, departure_id, seats, status, created_at, updated_at",
            "payments_payment": "id, key, booking_reference, amount, currency, payment_method, "
            "status, decline_code, gateway, gateway_charge_id, attempts, last_error, "
            "created_at, updated_at",
            "payments_refund": "id, key, payment_id, amount, status, gateway_refund_id, "
            "created_at, updated_at",
        }
        for (table, names), batch in zip(columns.items(), rows.values(), strict=True):
            with conn.cursor().copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in batch:
                    copy.write_row(row)
        conn.execute(
            "UPDATE catalog_departure d SET capacity = capacity + b.seats, "
            "seats_booked = seats_booked + b.seats FROM (SELECT departure_id, SUM(seats) AS "
            "seats FROM bookings_booking WHERE status = 'confirmed' GROUP BY departure_id) b "
            "WHERE d.id = b.departure_id"
        )
        conn.execute("UPDATE catalog_departure SET capacity = capacity + 100")


def database_of(topology, app: str) -> str:
    return topology.database_url(topology.serves(app))


def confirmed_bookings(topology) -> dict[str, tuple]:
    with psycopg.connect(database_of(topology, "bookings")) as conn:
        rows = conn.execute(
            "SELECT reference, departure_id, seats, total, payment_key FROM bookings_booking "
            "WHERE status = 'confirmed'"
        ).fetchall()
    return {reference: rest for reference, *rest in rows}


class Wave:
    """Customers shopping through the gateway while one step runs, each a journey after
    another: browse, hold one seat, pay (retrying after a 503 as a careful client does),
    and every third cancels. Each keeps shopping until the step is done (the whole freeze
    under load), then stops after the journey it is on: at least one journey, at most
    JOURNEYS_PER_CUSTOMER."""

    numbers = itertools.count()

    def __init__(self, stream: Stream, departure_ids: list[int]):
        self.stream, self.departure_ids = stream, departure_ids
        self.done = threading.Event()
        self.confirmed: set[str] = set()
        self.cancelled: set[str] = set()
        self.threads = [threading.Thread(target=self.shop) for _ in range(CUSTOMERS_AT_ONCE)]

    def __enter__(self) -> "Wave":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.done.set()
        for thread in self.threads:
            thread.join()

    def shop(self) -> None:
        for journey in range(JOURNEYS_PER_CUSTOMER):
            if self.done.is_set() and journey:
                return
            number = next(self.numbers)
            departure = self.departure_ids[number % len(self.departure_ids)]
            customer = self.stream.customer(number, departure_id=departure, cards=["tok_visa"])
            customer.key = f"live-extraction-{number}"
            self.stream.send(customer.client, "GET", "/api/catalog/tours/")
            customer.book()
            if customer.booking is None or customer.answers["pay"].status_code != 200:
                continue
            reference = customer.booking["reference"]
            if number % 3:
                self.confirmed.add(reference)
                continue
            path = f"/api/bookings/{reference}/cancel"
            cancel = until_settled(
                lambda c=customer, p=path: self.stream.send(c.client, "POST", p, headers=c.token)
            )
            assert cancel is not None and cancel.status_code == 200, customer.last_answers()
            self.cancelled.add(reference)


def planned(exchange) -> bool:
    """A 503 ``writes-paused`` problem that says when to retry."""
    if exchange.status != 503 or not exchange.content_type.startswith(PROBLEM):
        return False
    kind = json.loads(exchange.body).get("type", "").rpartition(":")[2]
    return kind == "writes-paused" and exchange.retry_after.isdigit()


def test_apps_move_out_of_a_busy_monolith_and_bookings_moves_back(smtp_sink):
    with running_topology("monolith", smtp_sink, extra_env=ENVIRONMENT) as topology:
        seed_bookings(topology.database_url("monolith"), SEEDED_BOOKINGS)
        gateway = httpx.Client(base_url=topology.gateway_url, timeout=30)
        tours = gateway.get("/api/catalog/tours/", params={"available": "true"}).json()
        departure_ids = [
            departure["id"]
            for tour in tours["results"][:6]
            for departure in gateway.get(f"/api/catalog/tours/{tour['slug']}/").json()[
                "departures"
            ][:3]
        ]
        stream = Stream(topology.gateway_url)
        confirmed = confirmed_bookings(topology)
        assert len(confirmed) == SEEDED_BOOKINGS * 2 // 3
        made, cancelled, freezes = set(), set(), []

        for action, app in STEPS:
            stream.fault = f"{action} {app}"
            with Wave(stream, departure_ids) as wave:
                time.sleep(2)  # customers are shopping when the step begins
                if action == "extract":
                    copied = manage_json(
                        topology, "extract_app", app, "--target", topology.database_url(app)
                    )
                    assert copied["status"] == "extracted" and copied["froze"], copied
                    topology.extract(app)
                    settings = BEFORE_BOOKINGS if app == "bookings" else None
                    lifted = manage_json(topology, "lift_freeze", app, env=settings)
                    assert lifted["status"] == "read-only", lifted
                else:
                    source = topology.database_url(app)
                    copied = manage_json(
                        topology, "merge_app_back", app, "--source", source, env=BEFORE_BOOKINGS
                    )
                    assert copied["status"] == "merged", copied
                    topology.merge_back(app)
                assert all(table["matches"] for table in copied["tables"]), copied
                time.sleep(2)  # and keep shopping after it
            made |= wave.confirmed
            cancelled |= wave.cancelled

            exchanges = [e for e in stream.exchanges if e.fault == stream.fault]
            paused = [e for e in exchanges if planned(e)]
            unplanned = [e for e in exchanges if e.status is None or e.status >= 500]
            assert [str(e) for e in unplanned if not planned(e)] == []
            seen = paused[-1].at - paused[0].at if paused else 0.0
            freezes.append(
                f"{action} {app}: {sum(t['rows'] for t in copied['tables'])} rows copied and "
                f"verified in {copied['seconds']:.2f} s; {len(paused)} planned 503s over "
                f"{seen:.1f} s; {Counter(e.status for e in exchanges)}"
            )
            assert wave.confirmed, f"no booking was paid for during {stream.fault}"

            now = confirmed_bookings(topology)
            for reference, booking in confirmed.items():
                if reference not in cancelled:
                    assert now.get(reference) == booking, reference
            assert made - cancelled <= now.keys()
            confirmed = now
            assert_invariants(
                catalog=database_of(topology, "catalog"),
                bookings=database_of(topology, "bookings"),
                payments=database_of(topology, "payments"),
            )
        print("\n".join(["", "Freezes:", *freezes]))
        remote = topology.processes["monolith"].env["REMOTE_APPS"]
        assert remote == "catalog,payments,notifications"

        # One succeeded charge per confirmed booking, none for a cancelled one.
        with psycopg.connect(database_of(topology, "payments")) as conn:
            charges = Counter(
                reference
                for (reference,) in conn.execute(
                    "SELECT booking_reference FROM payments_payment WHERE status = 'succeeded'"
                )
            )
        assert charges == Counter(confirmed.keys())

        # Exactly one confirmation email per booking confirmed during the run, and one email
        # per event, though each rolling restart stopped a worker that may have been sending.
        def confirmations() -> Counter:
            return Counter(
                reference
                for message in smtp_sink.messages
                for reference in made
                if f"{reference} is confirmed" in message["Subject"]
            )

        wait_until(
            lambda: confirmations().keys() == made, timeout=120, what="every confirmation email"
        )
        ours = [
            message
            for message in smtp_sink.messages
            if any(reference in message["Subject"] for reference in made | cancelled)
        ]
        events = Counter(message["X-Event-ID"] for message in ours)
        repeated = [
            (message["Subject"], message["X-Event-ID"], message["Message-ID"])
            for message in ours
            if events[message["X-Event-ID"]] > 1
        ]
        twice = {reference: n for reference, n in confirmations().items() if n > 1}
        print(f"Confirmations emailed more than once: {twice or 'none'}")
        print(f"Emails of an event sent more than once: {repeated or 'none'}")
        assert confirmations() == Counter(made)
        assert repeated == []
        assert len({message["Message-ID"] for message in ours}) == len(ours)
