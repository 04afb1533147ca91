"""The client seam for real: bookings in its own process, talking to catalog and payments
served by their own processes over HTTP, on the test's PostgreSQL database."""

import contextlib
import datetime
import threading
import time

import httpx
import pytest
from django.utils import timezone

from apps.bookings import services
from apps.bookings.models import Booking, IdempotencyRecord
from apps.catalog.models import Departure, SeatHold
from apps.payments.models import Payment, Refund
from tests.bookings.journey import booking_request, new_key
from tests.factories import DepartureFactory
from tests.invariants import assert_invariants
from tests.messaging import wait_until
from tests.proxy import TcpProxy
from tests.servers import closed_url, serve, silent_server

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def upstreams(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), serve("catalog") as catalog, serve("payments") as payments:
        yield {"catalog": catalog, "payments": payments}


@pytest.fixture(scope="module")
def bookings(upstreams, django_db_blocker):
    env = {
        "CATALOG_SERVICE_URL": upstreams["catalog"].url,
        "PAYMENTS_SERVICE_URL": upstreams["payments"].url,
    }
    with django_db_blocker.unblock(), serve("bookings", **env) as server:
        yield httpx.Client(base_url=server.url, timeout=30)


def create(client: httpx.Client, departure_id: int, seats: int = 2) -> httpx.Response:
    return client.post(
        "/api/bookings/",
        json=booking_request(departure_id, seats),
        headers={"Idempotency-Key": new_key()},
    )


def test_the_whole_journey_across_processes(upstreams, bookings):
    departure = DepartureFactory(capacity=8, price="180.00")
    catalog = httpx.Client(base_url=upstreams["catalog"].url)
    tour = catalog.get(f"/api/catalog/tours/{departure.tour.slug}/").json()
    assert tour["departures"][0]["seats_available"] == 8

    created = create(bookings, departure.id, seats=2)
    assert created.status_code == 201, created.text
    booking = created.json()
    assert booking["total"] == "360.00"
    token = {"X-Booking-Token": booking["access_token"]}
    assert catalog.get(f"/api/catalog/departures/{departure.id}/").json()["seats_available"] == 6

    pay = f"/api/bookings/{booking['reference']}/pay"
    assert (
        bookings.post(pay, json={"payment_method": "tok_declined"}, headers=token).status_code
        == 402
    )
    paid = bookings.post(pay, json={"payment_method": "tok_visa"}, headers=token)
    assert paid.status_code == 200, paid.text
    assert paid.json()["status"] == "confirmed"
    departure.refresh_from_db()
    assert (departure.seats_held, departure.seats_booked) == (0, 2)

    cancelled = bookings.post(f"/api/bookings/{booking['reference']}/cancel", headers=token)
    assert cancelled.json()["status"] == "cancelled"
    departure.refresh_from_db()
    assert (departure.seats_held, departure.seats_booked) == (0, 0)
    succeeded = Payment.objects.get(booking_reference=booking["reference"], status="refunded")
    assert Refund.objects.filter(payment=succeeded).count() == 1


def test_the_request_id_travels_to_the_catalog(upstreams, bookings):
    departure = DepartureFactory()
    response = bookings.post(
        "/api/bookings/",
        json=booking_request(departure.id),
        headers={"Idempotency-Key": new_key(), "X-Request-ID": "trace-me-123"},
    )
    assert response.status_code == 201
    assert response.headers["X-Request-ID"] == "trace-me-123"
    holds = [line for line in upstreams["catalog"].output if "/holds/" in line]
    assert "request_id=trace-me-123" in holds[-1]


@pytest.mark.parametrize("down", ["closed", "silent"])
def test_an_unreachable_catalog_is_a_quick_503_and_leaves_nothing_behind(upstreams, down):
    departure = DepartureFactory()
    with silent_server() as silent:
        catalog_url = closed_url() if down == "closed" else silent
        env = {
            "CATALOG_SERVICE_URL": catalog_url,
            "PAYMENTS_SERVICE_URL": upstreams["payments"].url,
            "SERVICE_TIMEOUT_SECONDS": "0.5",
        }
        with serve("bookings", **env) as server:
            started = time.monotonic()
            response = create(httpx.Client(base_url=server.url, timeout=30), departure.id)
            elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.headers["Retry-After"]
    assert elapsed < 10, f"took {elapsed:.1f}s"  # bounded: timeouts and retries, not a hang
    assert not Booking.objects.exists()
    assert not SeatHold.objects.exists()
    departure.refresh_from_db()
    assert departure.seats_held == 0


def test_an_unreachable_payments_service_is_a_503_and_the_booking_stays_payable(upstreams):
    departure = DepartureFactory()
    env = {"CATALOG_SERVICE_URL": upstreams["catalog"].url, "PAYMENTS_SERVICE_URL": closed_url()}
    with serve("bookings", **env) as server:
        client = httpx.Client(base_url=server.url, timeout=30)
        booking = create(client, departure.id).json()
        response = client.post(
            f"/api/bookings/{booking['reference']}/pay",
            json={"payment_method": "tok_visa"},
            headers={"X-Booking-Token": booking["access_token"]},
        )
    assert response.status_code == 503
    assert response.headers["Content-Type"] == "application/problem+json"
    assert Booking.objects.get(reference=booking["reference"]).status == "pending_payment"
    assert not Payment.objects.exists()
    assert Departure.objects.get(pk=departure.pk).seats_booked == 0


@pytest.mark.parametrize("then", ["cancel", "expire"])
def test_a_charge_whose_answer_was_lost_is_refunded(upstreams, then):
    """Payments takes the charge, its answer never reaches bookings; cancelling or expiring
    the booking later finds the charge and refunds it."""
    departure = DepartureFactory()
    with TcpProxy.in_front_of(upstreams["payments"].url) as payments:
        env = {
            "CATALOG_SERVICE_URL": upstreams["catalog"].url,
            "PAYMENTS_SERVICE_URL": payments.route(upstreams["payments"].url),
            "SERVICE_TIMEOUT_SECONDS": "1",
        }
        with serve("bookings", **env) as server:
            client = httpx.Client(base_url=server.url, timeout=30)
            booking = create(client, departure.id).json()
            token = {"X-Booking-Token": booking["access_token"]}
            payments.lose_answers()
            paid = client.post(
                f"/api/bookings/{booking['reference']}/pay",
                json={"payment_method": "tok_visa"},
                headers=token,
            )
            assert paid.status_code == 503
            charge = Payment.objects.get(booking_reference=booking["reference"])
            assert charge.status == "succeeded"  # the money was taken
            payments.restore()
            if then == "cancel":
                cancelled = client.post(
                    f"/api/bookings/{booking['reference']}/cancel", headers=token
                )
                assert cancelled.json()["status"] == "cancelled"
            else:
                Booking.objects.filter(reference=booking["reference"]).update(
                    hold_expires_at=timezone.now() - datetime.timedelta(seconds=1)
                )
                assert services.bookings_expire_due() == 1
    assert Refund.objects.get().payment == charge
    assert_invariants()


def test_a_key_left_by_a_killed_bookings_process_books_once_after_its_lease(upstreams):
    """kill -9 of the bookings process while it waits for the catalog's answer (the seats
    are held; the answer is lost): after the lease, a retry with the same key takes over
    and finishes the same booking with the same seats."""
    departure = DepartureFactory(capacity=4)
    key = new_key()

    def post(url: str) -> httpx.Response:
        return httpx.post(
            f"{url}/api/bookings/",
            json=booking_request(departure.id, seats=2),
            headers={"Idempotency-Key": key},
            timeout=60,
        )

    def post_and_die_with(url: str) -> None:
        with contextlib.suppress(httpx.HTTPError):  # the server is killed mid-request
            post(url)

    env = {"PAYMENTS_SERVICE_URL": upstreams["payments"].url, "REQUEST_LEASE_SECONDS": "1"}
    with TcpProxy.in_front_of(upstreams["catalog"].url) as catalog:
        catalog.lose_answers()
        doomed_env = {
            **env,
            "CATALOG_SERVICE_URL": catalog.route(upstreams["catalog"].url),
            "SERVICE_TIMEOUT_SECONDS": "30",
        }
        with serve("bookings", **doomed_env) as doomed:
            threading.Thread(target=post_and_die_with, args=(doomed.url,), daemon=True).start()
            wait_until(SeatHold.objects.exists, timeout=20, what="the catalog holds the seats")
            doomed.kill()
    assert IdempotencyRecord.objects.get(key=key).state == "in_progress"

    with serve("bookings", **env, CATALOG_SERVICE_URL=upstreams["catalog"].url) as server:
        response = wait_until(
            lambda: (answer := post(server.url)).status_code != 409 and answer,
            timeout=20,
            what="the key is usable again",
            interval=0.2,
        )
    assert response.status_code == 201, response.text
    assert Booking.objects.count() == 1
    assert SeatHold.objects.count() == 1
    departure.refresh_from_db()
    assert departure.seats_held == 2
    assert_invariants()
