"""Many guests at once, on the real PostgreSQL server."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from rest_framework.test import APIClient

from apps.bookings.models import Booking
from apps.payments.models import Payment
from tests.bookings.journey import booking_request, new_key
from tests.factories import DepartureFactory
from tests.invariants import assert_invariants

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def in_parallel(func, count: int) -> list:
    def call(n):
        try:
            return func(n)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(call, range(count)))


def post_booking(departure_id, key, seats=1):
    return APIClient().post(
        "/api/bookings/",
        booking_request(departure_id, seats),
        format="json",
        headers={"Idempotency-Key": key},
    )


def test_simultaneous_bookings_never_oversell():
    departure = DepartureFactory(capacity=10)
    responses = in_parallel(lambda n: post_booking(departure.id, new_key()), 30)
    codes = sorted(r.status_code for r in responses)
    assert codes.count(201) == 10
    assert codes.count(409) == 20
    departure.refresh_from_db()
    assert departure.seats_held == 10
    assert Booking.objects.count() == 10


def test_simultaneous_retries_of_one_key_create_one_booking():
    departure = DepartureFactory(capacity=10)
    key = new_key()
    responses = in_parallel(lambda n: post_booking(departure.id, key, seats=2), 12)
    assert {r.status_code for r in responses} <= {201, 409}
    references = {r.json()["reference"] for r in responses if r.status_code == 201}
    assert len(references) == 1
    assert Booking.objects.count() == 1
    departure.refresh_from_db()
    assert departure.seats_held == 2


def test_simultaneous_payment_retries_charge_once():
    departure = DepartureFactory(capacity=10)
    booking = post_booking(departure.id, new_key(), seats=2).json()

    def pay(n):
        client = APIClient()
        client.credentials(HTTP_X_BOOKING_TOKEN=booking["access_token"])
        return client.post(
            f"/api/bookings/{booking['reference']}/pay",
            {"payment_method": "tok_visa"},
            format="json",
        )

    responses = in_parallel(pay, 10)
    assert {r.status_code for r in responses} <= {200, 409}
    assert any(r.status_code == 200 for r in responses)
    assert Payment.objects.filter(booking_reference=booking["reference"]).count() == 1
    assert Booking.objects.get(reference=booking["reference"]).status == "confirmed"
    departure.refresh_from_db()
    assert (departure.seats_held, departure.seats_booked) == (0, 2)


def test_simultaneous_payments_with_different_cards_charge_once():
    departure = DepartureFactory(capacity=10)
    booking = post_booking(departure.id, new_key(), seats=2).json()
    cards = ["tok_gateway_error", "tok_declined", "tok_visa"]

    def pay(n):
        client = APIClient()
        client.credentials(HTTP_X_BOOKING_TOKEN=booking["access_token"])
        return client.post(
            f"/api/bookings/{booking['reference']}/pay",
            {"payment_method": cards[n % len(cards)]},
            format="json",
        )

    responses = in_parallel(pay, 12)
    assert {r.status_code for r in responses} <= {200, 402, 409, 503}
    last = pay(2)  # tok_visa, after all the others
    assert last.json()["status"] == "confirmed"
    succeeded = Payment.objects.filter(booking_reference=booking["reference"], status="succeeded")
    assert succeeded.count() == 1
    assert_invariants()
