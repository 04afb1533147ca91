"""Many buyers at once on one departure, on the real PostgreSQL server."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from apps.catalog import services
from apps.catalog.exceptions import SeatsUnavailable
from apps.catalog.models import SeatHold
from tests.factories import DepartureFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BUYERS = 40


def run_concurrently(func, args) -> list:
    def call(arg):
        try:
            return func(arg)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(call, args))


def try_hold(departure_id, seats, key):
    try:
        services.departure_hold_seats(departure_id=departure_id, seats=seats, key=key)
        return True
    except SeatsUnavailable:
        return False


def test_simultaneous_holds_never_oversell():
    departure = DepartureFactory(capacity=25)
    results = run_concurrently(lambda n: try_hold(departure.id, 2, f"buyer-{n}"), range(BUYERS))
    departure.refresh_from_db()
    assert results.count(True) == 12  # 12 pairs fit in 25 seats
    assert departure.seats_held == 24
    assert departure.seats_held + departure.seats_booked <= departure.capacity
    assert SeatHold.objects.count() == 12


def test_simultaneous_retries_of_one_key_hold_once():
    departure = DepartureFactory(capacity=25)
    results = run_concurrently(lambda _: try_hold(departure.id, 3, "same-key"), range(BUYERS))
    departure.refresh_from_db()
    assert all(results)
    assert departure.seats_held == 3
    assert SeatHold.objects.filter(key="same-key").count() == 1
