"""Retrying POST /api/bookings/ with the same Idempotency-Key books once."""

import pytest

from apps.bookings.models import Booking
from tests.bookings.journey import booking_request, new_key
from tests.factories import DepartureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def departure():
    return DepartureFactory(capacity=4)


def post(api, body, key):
    headers = {"Idempotency-Key": key} if key else {}
    return api.post("/api/bookings/", body, format="json", headers=headers)


def test_the_same_key_and_body_replays_the_first_answer(api, departure):
    key = new_key()
    first = post(api, booking_request(departure.id), key)
    again = post(api, booking_request(departure.id), key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Booking.objects.count() == 1
    departure.refresh_from_db()
    assert departure.seats_held == 2


def test_the_same_key_with_another_body_is_422_and_books_nothing_more(api, departure):
    key = new_key()
    post(api, booking_request(departure.id, seats=2), key)
    response = post(api, booking_request(departure.id, seats=3), key)
    assert response.status_code == 422
    assert response.json()["type"] == "urn:tourism:problem:idempotency-key-reused"
    assert Booking.objects.count() == 1


def test_a_booking_without_a_key_is_refused(api, departure):
    response = post(api, booking_request(departure.id), None)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["detail"]
    assert Booking.objects.count() == 0


def test_a_refusal_is_replayed_too(api, departure):
    key = new_key()
    first = post(api, booking_request(departure.id, seats=5), key)
    assert first.status_code == 409
    assert first.json()["type"] == "urn:tourism:problem:seats-unavailable"
    again = post(api, booking_request(departure.id, seats=5), key)
    assert again.status_code == 409
    assert again["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"departure_id": 1, "seats": 2},
        {"departure_id": 1, "seats": 0, "customer": {"name": "A", "email": "a@example.com"}},
        {"departure_id": 1, "seats": 2, "customer": {"name": "A", "email": "not-an-email"}},
        {"departure_id": "x", "seats": 2, "customer": {"name": "A", "email": "a@example.com"}},
    ],
)
def test_bad_input_is_a_400_problem_and_changes_nothing(api, departure, body):
    response = post(api, body, new_key())
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"]
    assert Booking.objects.count() == 0
    departure.refresh_from_db()
    assert departure.seats_held == 0


def test_an_unknown_departure_is_a_404_problem(api):
    response = post(api, booking_request(987654), new_key())
    assert response.status_code == 404
    assert Booking.objects.count() == 0
