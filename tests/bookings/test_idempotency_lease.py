"""A request whose process died mid-way leaves its Idempotency-Key in progress only for
the lease: a retry after it takes over and finishes the same booking, once."""

import datetime
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from apps.bookings import services
from apps.bookings.models import Booking, IdempotencyRecord
from apps.bookings.serializers import BookingCreateSerializer
from apps.bookings.tasks import prune_idempotency_keys
from apps.catalog import client as catalog
from apps.catalog.models import SeatHold
from tests.bookings.journey import booking_request, new_key
from tests.factories import DepartureFactory
from tests.invariants import assert_invariants

pytestmark = pytest.mark.django_db


@pytest.fixture
def departure():
    return DepartureFactory(capacity=10)


def died_mid_request(departure, key: str) -> IdempotencyRecord:
    """The key as a request that claimed it and then died leaves it."""
    data = BookingCreateSerializer(data=booking_request(departure.id))
    data.is_valid(raise_exception=True)
    return IdempotencyRecord.claim(key=key, data=data.validated_data)


def lapse(record: IdempotencyRecord) -> None:
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        locked_until=timezone.now() - datetime.timedelta(seconds=1)
    )


def retry(departure, key: str):
    return APIClient().post(
        "/api/bookings/",
        booking_request(departure.id),
        format="json",
        headers={"Idempotency-Key": key},
    )


def seats_held(departure) -> int:
    departure.refresh_from_db()
    return departure.seats_held


def test_a_retry_within_the_lease_is_told_the_request_is_in_progress(departure):
    key = new_key()
    died_mid_request(departure, key)
    response = retry(departure, key)
    assert response.status_code == 409
    assert response.json()["type"].endswith("request-in-progress")


def test_a_retry_after_the_lease_books(departure):
    key = new_key()
    lapse(died_mid_request(departure, key))
    response = retry(departure, key)
    assert response.status_code == 201, response.content
    assert Booking.objects.count() == 1
    assert seats_held(departure) == 2
    assert retry(departure, key).json()["reference"] == response.json()["reference"]


def test_a_retry_reuses_the_seats_the_dead_request_held(departure):
    key = new_key()
    record = died_mid_request(departure, key)
    catalog.hold_seats(departure_id=departure.id, seats=2, key=f"booking-{record.booking_id}")
    lapse(record)
    response = retry(departure, key)
    assert response.status_code == 201
    assert Booking.objects.get().pk == record.booking_id
    assert SeatHold.objects.count() == 1
    assert seats_held(departure) == 2
    assert_invariants()


def test_a_retry_answers_with_the_booking_the_dead_request_recorded(departure):
    key = new_key()
    record = died_mid_request(departure, key)
    booking = services.booking_create(
        departure_id=departure.id,
        seats=2,
        customer_name="Ada Lovelace",
        customer_email="ada@example.com",
        booking_id=record.booking_id,
    )
    lapse(record)
    response = retry(departure, key)
    assert response.status_code == 201
    assert response.json()["reference"] == booking.reference
    assert Booking.objects.count() == 1
    assert seats_held(departure) == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_retries_after_the_lease_book_once(departure):
    key = new_key()
    lapse(died_mid_request(departure, key))

    def call(n):
        try:
            return retry(departure, key)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(call, range(12)))
    assert {r.status_code for r in responses} <= {201, 409}
    assert len({r.json()["reference"] for r in responses if r.status_code == 201}) == 1
    assert Booking.objects.count() == 1
    assert seats_held(departure) == 2


def test_keys_older_than_the_retention_are_pruned(departure, settings):
    settings.IDEMPOTENCY_KEY_RETENTION_HOURS = 24
    old, recent = new_key(), new_key()
    for key in (old, recent):
        assert retry(departure, key).status_code == 201
    IdempotencyRecord.objects.filter(key=old).update(
        created_at=timezone.now() - datetime.timedelta(hours=25)
    )
    assert prune_idempotency_keys() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == [recent]


def test_a_request_that_outlived_its_lease_leaves_the_answer_to_the_retry(departure):
    key = new_key()
    slow = died_mid_request(departure, key)  # not dead after all: just slower than its lease
    lapse(slow)
    slow.refresh_from_db()
    first = retry(departure, key)
    assert first.status_code == 201
    slow.complete(status=503, body={})
    slow.complete(status=409, body={"detail": "too late"})
    assert retry(departure, key).json() == first.json()


def test_a_retry_long_after_the_dead_request_does_not_book_seats_released_since(departure):
    key = new_key()
    record = died_mid_request(departure, key)
    hold_key = f"booking-{record.booking_id}"
    catalog.hold_seats(departure_id=departure.id, seats=2, key=hold_key)
    catalog.release_hold(key=hold_key)  # what the catalog does with a hold left too long
    lapse(record)
    response = retry(departure, key)
    assert response.status_code == 409
    assert response.json()["type"].endswith("seats-unavailable")
    assert not Booking.objects.exists()
    assert seats_held(departure) == 0
