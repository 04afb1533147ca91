"""Seats are set aside, confirmed and given back through the catalog's internal API."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from apps.catalog.models import Departure, SeatHold
from tests.factories import DepartureFactory

pytestmark = pytest.mark.django_db

HOLDS = "/internal/catalog/holds/"


def hold(client, departure, seats=2, key="booking-1"):
    return client.post(
        HOLDS, {"key": key, "departure_id": departure.id, "seats": seats}, format="json"
    )


def seats(departure) -> tuple[int, int]:
    departure.refresh_from_db()
    return departure.seats_held, departure.seats_booked


def test_internal_endpoints_reject_calls_without_the_service_token(api):
    departure = DepartureFactory()
    response = hold(api, departure)
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert seats(departure) == (0, 0)


def test_internal_endpoints_reject_a_wrong_service_token(api):
    departure = DepartureFactory()
    api.credentials(HTTP_X_SERVICE_TOKEN="guessed")
    assert hold(api, departure).status_code == 403
    assert seats(departure) == (0, 0)


def test_a_hold_sets_seats_aside_and_returns_a_snapshot(internal_api):
    departure = DepartureFactory(capacity=10)
    response = hold(internal_api, departure, seats=3)
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "held"
    assert body["seats"] == 3
    assert body["unit_price"] == "320.00"
    assert body["tour_title"] == departure.tour.title
    assert body["starts_on"] == departure.starts_on.isoformat()
    assert seats(departure) == (3, 0)


def test_holding_again_with_the_same_key_holds_nothing_more(internal_api):
    departure = DepartureFactory(capacity=10)
    first = hold(internal_api, departure, seats=3).json()
    second = hold(internal_api, departure, seats=3).json()
    assert first == second
    assert seats(departure) == (3, 0)
    assert SeatHold.objects.count() == 1


def test_reusing_a_key_for_another_hold_is_rejected(internal_api):
    departure = DepartureFactory(capacity=10)
    hold(internal_api, departure, seats=3)
    response = hold(internal_api, departure, seats=4)
    assert response.status_code == 422
    assert response.json()["type"] == "urn:tourism:problem:hold-key-reused"
    assert seats(departure) == (3, 0)


def test_a_hold_larger_than_the_seats_left_is_refused(internal_api):
    departure = DepartureFactory(capacity=4)
    assert hold(internal_api, departure, seats=3, key="a").status_code == 201
    response = hold(internal_api, departure, seats=2, key="b")
    assert response.status_code == 409
    assert response.json()["type"] == "urn:tourism:problem:seats-unavailable"
    assert seats(departure) == (3, 0)
    assert not SeatHold.objects.filter(key="b").exists()


def test_past_departures_and_unknown_departures_cannot_be_held(internal_api):
    past = DepartureFactory(starts_on=timezone.localdate() - datetime.timedelta(days=1))
    assert hold(internal_api, past).status_code == 409
    response = internal_api.post(
        HOLDS, {"key": "k", "departure_id": 999999, "seats": 1}, format="json"
    )
    assert response.status_code == 404


def test_confirm_turns_held_seats_into_booked_seats_once(internal_api):
    departure = DepartureFactory(capacity=10)
    hold(internal_api, departure, seats=2)
    for _ in range(2):
        response = internal_api.post(f"{HOLDS}booking-1/confirm")
        assert response.status_code == 200
        assert response.json()["status"] == "confirmed"
    assert seats(departure) == (0, 2)


def test_release_gives_held_or_booked_seats_back_once(internal_api):
    held, booked = DepartureFactory(capacity=10), DepartureFactory(capacity=10)
    hold(internal_api, held, seats=2, key="held")
    hold(internal_api, booked, seats=3, key="booked")
    internal_api.post(f"{HOLDS}booked/confirm")
    for _ in range(2):
        assert internal_api.post(f"{HOLDS}held/release").json()["status"] == "released"
        assert internal_api.post(f"{HOLDS}booked/release").json()["status"] == "released"
    assert seats(held) == (0, 0)
    assert seats(booked) == (0, 0)


def test_a_released_hold_cannot_be_confirmed(internal_api):
    departure = DepartureFactory()
    hold(internal_api, departure)
    internal_api.post(f"{HOLDS}booking-1/release")
    assert internal_api.post(f"{HOLDS}booking-1/confirm").status_code == 409
    assert seats(departure) == (0, 0)


def test_unknown_hold_is_a_404_problem(internal_api):
    response = internal_api.post(f"{HOLDS}nope/confirm")
    assert response.status_code == 404
    assert response.json()["type"] == "urn:tourism:problem:hold-not-found"


@pytest.mark.parametrize(
    "body",
    [
        {"departure_id": 1, "seats": 2},
        {"key": "k", "departure_id": "one", "seats": 2},
        {"key": "k", "departure_id": 1, "seats": 0},
        {"key": "k", "departure_id": 1, "seats": -3},
    ],
)
def test_bad_hold_requests_are_400_problems_and_change_nothing(internal_api, body):
    departure = DepartureFactory(pk=1)
    response = internal_api.post(HOLDS, body, format="json")
    assert response.status_code == 400
    assert response.json()["title"] == "The request is not valid"
    assert response.json()["errors"]
    assert seats(departure) == (0, 0)


def test_the_database_refuses_to_oversell_even_without_the_service(db):
    departure = DepartureFactory(capacity=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Departure.objects.filter(pk=departure.pk).update(seats_held=F("seats_held") + 3)
    assert seats(departure) == (0, 0)


def test_holds_nobody_settled_are_released_after_the_safety_window(internal_api, settings):
    from apps.catalog.tasks import release_stale_holds

    departure = DepartureFactory(capacity=10)
    hold(internal_api, departure, seats=2, key="forgotten")
    hold(internal_api, departure, seats=1, key="confirmed")
    internal_api.post(f"{HOLDS}confirmed/confirm")
    hold(internal_api, departure, seats=3, key="fresh")
    stale = timezone.now() - datetime.timedelta(minutes=settings.SEAT_HOLD_MAX_MINUTES + 1)
    SeatHold.objects.filter(key__in=["forgotten", "confirmed"]).update(created_at=stale)

    assert release_stale_holds.delay().get() == 1
    assert seats(departure) == (3, 1)
    assert SeatHold.objects.get(key="forgotten").status == "released"
