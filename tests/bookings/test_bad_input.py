"""Bad input to the bookings API is a 400 (or 404) problem that changes nothing, never a 500."""

import pytest

from apps.bookings.models import Booking, IdempotencyRecord
from apps.catalog.models import SeatHold
from tests.bookings.journey import booking_request, new_key
from tests.factories import DepartureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def departure():
    return DepartureFactory(capacity=10)


def customer(name="Ada Lovelace", email="ada@example.com") -> dict:
    return {"name": name, "email": email}


BAD_BODIES = {
    "email over 254 characters": {"customer": customer(email="a" * 250 + "@example.com")},
    "name over 200 characters": {"customer": customer(name="A" * 201)},
    "no email": {"customer": {"name": "Ada"}},
    "customer not an object": {"customer": "Ada"},
    "zero seats": {"seats": 0},
    "negative seats": {"seats": -2},
    "a huge number of seats": {"seats": 10**30},
    "fractional seats": {"seats": 1.5},
    "departure id not an integer": {"departure_id": "first"},
    "fractional departure id": {"departure_id": 1.5},
    "departure id beyond bigint": {"departure_id": 2**63},
    "departure id zero": {"departure_id": 0},
}


@pytest.mark.parametrize("change", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_a_bad_booking_request_is_a_400_problem_and_holds_nothing(api, departure, change):
    body = {**booking_request(departure.id), **change}
    response = api.post(
        "/api/bookings/", body, format="json", headers={"Idempotency-Key": new_key()}
    )
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"]
    assert not Booking.objects.exists()
    assert not SeatHold.objects.exists()
    assert not IdempotencyRecord.objects.exists()


def test_a_nul_in_the_name_is_a_400_problem_and_holds_nothing(api, departure):
    body = {**booking_request(departure.id), "customer": customer(name="Ada\x00")}
    response = api.post(
        "/api/bookings/", body, format="json", headers={"Idempotency-Key": new_key()}
    )
    assert response.status_code == 400, response.content
    assert "NUL" in response.json()["detail"]
    assert not Booking.objects.exists()
    assert not SeatHold.objects.exists()
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.parametrize("key", ["", "k" * 256], ids=["empty", "over 255 characters"])
def test_an_unusable_idempotency_key_is_a_400_problem(api, departure, key):
    response = api.post(
        "/api/bookings/",
        booking_request(departure.id),
        format="json",
        headers={"Idempotency-Key": key},
    )
    assert response.status_code == 400
    assert response.json()["type"].endswith("idempotency-key-required")
    assert not Booking.objects.exists()


def test_the_longest_idempotency_key_is_accepted(api, departure):
    response = api.post(
        "/api/bookings/",
        booking_request(departure.id),
        format="json",
        headers={"Idempotency-Key": "k" * 255},
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "%00/"), ("get", "TB%00X/"), ("post", "%00/pay"), ("post", "%00/cancel")],
)
def test_a_malformed_reference_is_a_404_problem(api, method, path):
    response = getattr(api, method)(f"/api/bookings/{path}")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("method", ["x" * 101, "tok\x00visa", "", None])
def test_a_bad_payment_method_is_a_400_problem_and_charges_nothing(api, departure, method):
    booking = api.post(
        "/api/bookings/",
        booking_request(departure.id),
        format="json",
        headers={"Idempotency-Key": new_key()},
    ).json()
    response = api.post(
        f"/api/bookings/{booking['reference']}/pay",
        {"payment_method": method},
        format="json",
        headers={"X-Booking-Token": booking["access_token"]},
    )
    assert response.status_code == 400
    assert Booking.objects.get(reference=booking["reference"]).status == "pending_payment"
